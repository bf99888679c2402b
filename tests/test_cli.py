"""The ``parltwin`` command as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sim.metrics import CORE_KEYS
from tests.conftest import CONFIGS, run_cli


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
