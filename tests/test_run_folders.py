"""A run folder is the run's own: every experiment refuses, before anything is removed or written, a
folder holding what a run of it does not write, or a link out of the folder, and runs again in a
folder of its own. A robustness run cleared a user's report.html and, through a linked figures/,
the figures of another folder; the other experiments wrote over a user's tables beside their notes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from experiments.files import KIND_MARK
from tests.conftest import ROOT
from tests.parltwin_cli import parltwin, refused, snapshot
from tests.test_calibrate import TINY_CALIBRATION

#: Each experiment that writes into its run folder, at the smallest sizes its settings allow.
KINDS: dict[str, list[str]] = {
    "robustness": [
        "experiment=robustness",
        "experiment.worlds=2",
        "experiment.replications=2",
        "experiment.scenarios=[kz_bicameral_2023,kz_kurultai_2026]",
        "experiment.workers=1",
        "years=0.25",
    ],
    "sensitivity": [
        "experiment=sensitivity",
        "experiment.trajectories=2",
        "experiment.parameters=[vote_noise]",
        "experiment.replications=2",
        "experiment.years=0.5",
        "experiment.warmup=0.1",
    ],
    "pluchino": [
        "experiment=pluchino2011",
        "experiment.N=60",
        "experiment.legislatures=2",
        "experiment.acts=20",
        "experiment.step=30",
    ],
    "calibrate": [
        "experiment=calibrate",
        *TINY_CALIBRATION,
    ],
    "fit": [
        "experiment=fit",
        f"data={ROOT / 'data' / 'example_records_kz_bicameral_2023.csv'}",
        "~citizens",
        "~channels",
        "experiment.families=[exponential]",
        "experiment.rounds=0",
        "experiment.replications=2",
    ],
}
#: A file each writes at the top of its folder, which a user's folder may hold too.
OWN = {
    "robustness": "report.html",
    "sensitivity": "indices.csv",
    "pluchino": "efficiency.csv",
    "calibrate": "calibration.csv",
    "fit": "report.html",
}
#: A folder each writes into, and a file it writes there.
INSIDE = {
    "robustness": ("figures", "robustness_shares.png"),
    "sensitivity": ("figures", "sensitivity.png"),
    "pluchino": ("figures", "efficiency.png"),
    "calibrate": ("parliament", "kz_bicameral_2023_calibrated.yaml"),
    "fit": ("figures", "fit_outcomes.png"),
}


def _args(kind: str, folder: str = "run") -> list[str]:
    return [*KINDS[kind], "quiet=true", f"hydra.run.dir={folder}"]


def test_every_experiment_says_what_it_writes_in_its_folder() -> None:
    """An experiment the check knows nothing of would have its folder taken as it is."""
    from experiments.preflight import WRITES
    from experiments.registry import RUNNERS

    assert set(RUNNERS) == {*WRITES, "compare", "robustness"}
    assert set(RUNNERS) - {"compare"} == set(KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_folder_holding_the_users_files_is_refused_before_anything_is_written(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's table or report named as the run's, beside notes of theirs: the run wrote over it."""
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / OWN[kind]).write_text("the user's own")
    (tmp_path / "run" / "notes.txt").write_text("the user's own")
    line = refused(_args(kind), tmp_path, monkeypatch, capsys)
    assert line.startswith("parltwin: error: run folder='run' is not allowed: a new or empty folder")
    assert f"what a {kind} run writes" in line and line.endswith("(it holds notes.txt)")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_folder_holding_only_files_named_as_the_runs_is_refused(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's report.html, or figures, alone in a folder were taken for a previous run's (the
    names are all a run without a manifest had to go by) and written over."""
    name, inside = INSIDE[kind]
    (tmp_path / "run" / name).mkdir(parents=True)
    (tmp_path / "run" / name / inside).write_text("the user's own")
    (tmp_path / "run" / OWN[kind]).write_text("the user's own")
    line = refused(_args(kind), tmp_path, monkeypatch, capsys)
    assert line.startswith("parltwin: error: run folder='run' is not allowed: a new or empty folder")
    assert (tmp_path / "run" / OWN[kind]).read_text() == "the user's own"
    assert (tmp_path / "run" / name / inside).read_text() == "the user's own"
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == sorted([name, OWN[kind]])


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_folder_linked_out_of_the_run_folder_is_refused_before_anything_is_removed(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run's figures/ (or parliament/) made a link: the robustness run removed the figures of the
    folder it pointed to, the others failed after writing their tables."""
    name, inside = INSIDE[kind]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / inside).write_text("the user's own")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / name).symlink_to(elsewhere, target_is_directory=True)
    line = refused(_args(kind), tmp_path, monkeypatch, capsys)
    assert line.endswith(f"(it holds {name}, a symbolic link)")
    assert (elsewhere / inside).read_text() == "the user's own"


@pytest.mark.parametrize(
    ("kind", "name"),
    [("pluchino", OWN["pluchino"]), ("fit", OWN["fit"]), ("sensitivity", KIND_MARK), ("fit", KIND_MARK)],
)
def test_a_file_of_the_runs_name_that_is_a_folder_is_refused(
    kind: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run failed at that write (a table, or the mark of its kind), after the files it wrote
    before or its whole analysis (exit 3, half-written)."""
    (tmp_path / "run" / name).mkdir(parents=True)
    (tmp_path / "run" / name / "mine.txt").write_text("the user's own")
    line = refused(_args(kind), tmp_path, monkeypatch, capsys)
    assert line.endswith(f"(it holds {name}, which is not a file)")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_run_runs_again_in_a_folder_it_wrote(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What each experiment writes is what its check lets a folder hold: its own folder is no user's."""
    for again in range(2):
        ended = parltwin(_args(kind), tmp_path, monkeypatch, capsys)
        assert ended.code == 0, (again, ended.err)
    assert (tmp_path / "run" / OWN[kind]).is_file()


@pytest.fixture(scope="module")
def robustness_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny robustness run (in its own process: the module's tests copy it)."""
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("robustness")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("parltwin")), *_args("robustness", str(base / "run"))],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return base / "run"


def _copy(run: Path, tmp_path: Path) -> Path:
    shutil.copytree(run, tmp_path / "run", symlinks=True)
    return tmp_path / "run"


def test_a_robustness_run_resumes_where_it_was_cut_short(
    robustness_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its worlds' replications are written first: a folder holding them alone, or with part of
    the analysis, is the run's and is resumed."""
    run = _copy(robustness_run, tmp_path)
    for name in ("report.html", "manifest.json", "assumptions.csv"):
        (run / name).unlink()
    (run / "worlds" / "w0001" / "kz_kurultai_2026" / "replications" / "r0001.json").unlink()
    ended = parltwin(_args("robustness"), tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    assert snapshot(run).keys() == snapshot(robustness_run).keys()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("figures", "(it holds figures, a symbolic link)"),
        ("worlds/w0001", "(it holds worlds/w0001, a symbolic link)"),
        ("worlds/w0000/kz_bicameral_2023/replications", "replications, a symbolic link)"),
        ("figures/mine.txt", "(it holds figures/mine.txt)"),
        ("manifest.json", "(its manifest.json is not a robustness run's)"),
        ("no worlds", "(it holds report.html without the worlds/ a run writes first)"),
    ],
)
def test_a_robustness_runs_folder_is_resumed_only_as_it_wrote_it(
    change: str,
    said: str,
    robustness_run: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A link anywhere the run writes or clears, a file of the user's among its figures, another
    experiment's manifest, or its analysis without the worlds it comes from: refused, as it was."""
    run = _copy(robustness_run, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    if change == "manifest.json":
        made = json.loads((run / change).read_text())
        (run / change).write_text(json.dumps({**made, "kind": "compare"}))
    elif change == "figures/mine.txt":
        (run / change).write_text("the user's own")
    elif change == "no worlds":
        shutil.rmtree(run / "worlds")
    else:
        (run / change).rename(elsewhere)
        (run / change).symlink_to(elsewhere, target_is_directory=True)
    line = refused(_args("robustness"), tmp_path, monkeypatch, capsys)
    assert "what a robustness run writes (worlds/, and with it report.html" in line and line.endswith(said)


@pytest.mark.parametrize("module", ["experiments.robustness", "experiments.run_folder"])
def test_clearing_a_previous_analysis_never_follows_a_link(module: str, tmp_path: Path) -> None:
    """Cleared through a linked figures/, another folder's figures were removed: the link is
    refused before anything is."""
    import importlib

    clear_outputs = importlib.import_module(module).clear_outputs
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "robustness_keep.png").write_text("the user's own")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "report.html").write_text("a report")
    (tmp_path / "run" / "figures").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path)
    with pytest.raises(OSError, match="a symbolic link"):
        clear_outputs(tmp_path / "run")
    assert snapshot(tmp_path) == before
