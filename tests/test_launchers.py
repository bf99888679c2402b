"""The main job gives the same numbers on every Hydra launcher: basic, joblib, submitit, ray."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_experiments import MAIN, TWO, main_job, same_results


def launch(out: Path, *launcher: str) -> Path:
    res = run_cli(*MAIN, TWO, f"hydra.sweep.dir={out}", *launcher, cwd=out.parent)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == f"report: {(out / 'report.html').resolve()}"
    return out


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main job on the basic launcher: one job after another in one process."""
    return main_job(tmp_path_factory)


def test_joblib_with_two_workers_gives_the_same_numbers_as_serial(basic: Path, tmp_path: Path) -> None:
    same_results(basic, launch(tmp_path / "run", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"))


def test_a_submitit_local_sweep_works(basic: Path, tmp_path: Path) -> None:
    run = launch(tmp_path / "run", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10")
    same_results(basic, run)
    assert (run / ".submitit").is_dir()  # the jobs really went through submitit


@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None,
    reason="the ray launcher is an optional extra: pip install 'parltwin[ray]'",
)
def test_the_ray_launcher_gives_the_same_numbers(basic: Path, tmp_path: Path) -> None:
    same_results(basic, launch(tmp_path / "run", "hydra/launcher=ray"))


def test_the_slurm_preset_configures_submitit(tmp_path: Path) -> None:
    res = run_cli(*MAIN, "hydra/launcher=slurm", "hydra.launcher.partition=short", "--cfg", "hydra",
                  "--package", "hydra.launcher", cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher" in res.stdout
    assert "partition: short" in res.stdout
    assert list(tmp_path.iterdir()) == []  # printing the config runs nothing
