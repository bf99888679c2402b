"""The ``parltwin`` command as a user runs it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.metrics import CORE_KEYS
from tests.conftest import CONFIGS, PARLTWIN, run_cli


def test_a_run_writes_summary_json_into_the_run_dir(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run_cli("parliament=kz_kurultai_2026", "seed=3", f"hydra.run.dir={out}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert set(CORE_KEYS) <= set(summary)
    assert "Laws enacted per year" in r.stdout and "kz_kurultai_2026" in r.stdout
    again = tmp_path / "again"
    r2 = run_cli("parliament=kz_kurultai_2026", "seed=3", f"hydra.run.dir={again}", cwd=tmp_path)
    assert r2.returncode == 0
    assert (again / "summary.json").read_bytes() == (out / "summary.json").read_bytes()


def test_no_arguments_runs_the_default_scenario(tmp_path: Path) -> None:
    r = run_cli(cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "kz_bicameral_2023" in r.stdout and "Laws enacted per year" in r.stdout
    assert len(list((tmp_path / "outputs").glob("*/*/summary.json"))) == 1


def test_a_negative_seat_count_is_refused_with_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run_cli("parliament.chambers.mazhilis.seats=-5", f"hydra.run.dir={out}", cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "parliament.chambers.mazhilis.seats" in lines[0] and "-5" in lines[0]
    assert "positive integer" in lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_type_errors_and_unknown_presets_are_one_line_exit_2(tmp_path: Path) -> None:
    for args in (["parliament.chambers.mazhilis.seats=many"], ["parliament=atlantis"]):
        r = run_cli(*args, cwd=tmp_path)
        assert r.returncode == 2
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_users_own_config_dir_works(tmp_path: Path) -> None:
    mine = tmp_path / "mine" / "parliament"
    mine.mkdir(parents=True)
    text = (CONFIGS / "parliament" / "single_queue.yaml").read_text()
    (mine / "my_queue.yaml").write_text(text.replace("name: single_queue", "name: my_queue"))
    out = tmp_path / "run"
    r = run_cli(
        "--config-dir",
        str(tmp_path / "mine"),
        "parliament=my_queue",
        "parliament.servers=2",
        f"hydra.run.dir={out}",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "my_queue" in r.stdout
    assert json.loads((out / "summary.json").read_text())["passage_rate"] == 1.0
    shutil.rmtree(out)


def test_hydras_help_and_the_version_are_the_commands_own(tmp_path: Path) -> None:
    """``--hydra-help`` composed Hydra's defaults, which log to a file, and was refused; ``--version``
    gave Hydra's version alone."""
    helped = run_cli("--hydra-help", cwd=tmp_path)
    assert (
        helped.returncode == 0 and "== Flags ==" in helped.stdout and "hydra/job_logging: " in helped.stdout
    )
    # it offered flags parltwin refuses (eval "$(parltwin -sc install=bash)"), now named as refused
    assert "-sc install" not in helped.stdout and "Not offered" in helped.stdout
    version = run_cli("--version", cwd=tmp_path)
    assert (
        version.returncode == 0 and version.stdout.startswith("parltwin ") and "Hydra 1.3" in version.stdout
    )
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args", [["--help"], ["years=0.5", "hydra.run.dir=run"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(args: list[str], tmp_path: Path) -> None:
    """``parltwin --help | head -2`` ended in a traceback (exit 1), a run's in 'a file: Broken pipe'
    with the disk's exit code (3). Now as a shell's tools end: quietly, with 141; what a run wrote
    stays."""
    proc = subprocess.Popen(
        [str(PARLTWIN), *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "CI": "true"},
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader leaves before the command writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141, err
    assert "Traceback" not in err and "error" not in err, err
    assert args[0] == "--help" or (tmp_path / "run" / "summary.json").is_file()


def test_the_command_a_comparison_records_runs_again_with_the_users_own_presets(tmp_path: Path) -> None:
    """The report's and manifest's command left out ``--config-dir``: run as given, it could not
    find the user's own preset (exit 2)."""
    mine = tmp_path / "mine" / "parliament"
    mine.mkdir(parents=True)
    text = (CONFIGS / "parliament" / "single_queue.yaml").read_text()
    (mine / "my_queue.yaml").write_text(text.replace("name: single_queue", "name: my_queue"))
    sweep = tmp_path / "sweep"
    args = ["-m", "experiment=compare", "parliament=single_queue,my_queue", "experiment.replications=2"]
    r = run_cli("--config-dir", "mine", *args, "years=1", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    recorded = json.loads((sweep / "manifest.json").read_text())["command"]
    assert f"--config-dir {tmp_path / 'mine'}" in recorded
    again = run_cli(
        *shlex.split(recorded)[1:], cwd=tmp_path / "mine"
    )  # from elsewhere: resumed, nothing to run
    assert again.returncode == 0, again.stderr


def test_an_option_after_an_override_says_where_options_go(tmp_path: Path) -> None:
    r = run_cli("years=2", "--config-dir", "mine", "parliament=x", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "unrecognized arguments: parliament=x (options such as --config-dir and -m come before" in r.stderr


def test_options_after_the_overrides_and_the_whole_config_shown(tmp_path: Path) -> None:
    """An option at the end put the pinned folder after its value, where Hydra's parser takes no
    override ('unrecognized arguments: hydra.run.dir=...'); ``-p _global_`` is Hydra's whole config."""
    (tmp_path / "mine").mkdir()
    ended = run_cli("years=0.1", "quiet=true", "--config-dir", "mine", cwd=tmp_path)
    assert ended.returncode == 0, ended.stderr
    assert len(list((tmp_path / "outputs").glob("*/*/summary.json"))) == 1
    shown = run_cli("--cfg", "job", "-p", "_global_", cwd=tmp_path)
    assert shown.returncode == 0 and "parliament:" in shown.stdout
    bogus = run_cli("--bogus", cwd=tmp_path)
    assert (
        bogus.returncode == 2 and bogus.stderr.strip() == "parltwin: error: unrecognized arguments: --bogus"
    )


def test_parltwin_report_says_which_folders_it_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A robustness run's folder was refused as not "a folder written by `parltwin experiment=...`",
    which it was: the line names the experiments whose folders the command rebuilds."""
    from experiments.cli import report_main
    from experiments.errors import EXIT_BAD_INPUT

    folder = tmp_path / "rob"
    folder.mkdir()
    (folder / "robustness.csv").write_text("metric,scenario\n")
    with pytest.raises(SystemExit) as ended:
        report_main(["-q", str(folder)])
    err = capsys.readouterr().err
    assert ended.value.code == EXIT_BAD_INPUT and len(err.strip().splitlines()) == 1, err
    assert "`parltwin experiment=compare` or `experiment=reform_comparison`" in err
    assert "writes its report as it ends" in err


def test_a_quiet_single_run_still_says_where_its_summary_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``quiet=true`` printed nothing at all for a single run, while an experiment still says where
    its report is: the table is left out, not the path."""
    from tests.parltwin_cli import parltwin

    ended = parltwin(["years=0.1", "quiet=true", "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert ended.code == 0 and ended.out == ""
    assert ended.err.strip() == f"summary: {tmp_path / 'run' / 'summary.json'}"
