"""The main job gives the same numbers on every Hydra launcher (basic, joblib, submitit) and on
every pool: serial, local processes, a Dask cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.compare import CONFIG
from experiments.replicate import SCENARIO, load_records
from tests.conftest import run_cli
from tests.test_experiments import MAIN, TWO, interrupted, main_job, same_results


def launch(out: Path, *launcher: str) -> Path:
    res = run_cli(*MAIN, TWO, f"hydra.sweep.dir={out}", *launcher, cwd=out.parent)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == f"report: {(out / 'report.html').resolve()}"
    return out


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main job on the basic launcher: one job after another in one process."""
    return main_job(tmp_path_factory)


def test_one_process_gives_the_same_numbers_as_the_pool(basic: Path, tmp_path: Path) -> None:
    same_results(basic, launch(tmp_path / "run", "experiment.workers=1"))


def test_a_local_dask_cluster_gives_the_same_numbers(basic: Path, tmp_path: Path) -> None:
    same_results(basic, launch(tmp_path / "run", "experiment.backend=dask", "experiment.workers=2"))


@pytest.mark.parametrize("workers", ["1", "0"])
def test_jobs_that_run_their_own_replications_on_joblib_give_the_same_numbers(
    basic: Path, tmp_path: Path, workers: str
) -> None:
    """With workers=0 (one per core) a job's pool could not start in the launcher's worker and
    restarted its processes for ever: the job runs its replications itself."""
    run = launch(
        tmp_path / "run",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "experiment.pool=job",
        f"experiment.workers={workers}",
    )
    same_results(basic, run)


def test_the_jobs_declare_their_work_and_one_pool_runs_it_when_all_are_done(tmp_path: Path) -> None:
    run = tmp_path / "run"
    res = interrupted([*MAIN, TWO, f"hydra.sweep.dir={run}"], after=0, cwd=tmp_path)  # at the first record
    assert res.returncode != 0
    for job in ("0", "1"):  # both jobs had run, and no replication was recorded yet
        manifest = json.loads((run / job / SCENARIO).read_text())
        assert manifest["replications"] == 2 and (run / job / CONFIG).is_file()
        assert load_records(run / job) == []
    assert (run / "0" / "ledger" / "r0000_bills.parquet").exists()  # the worker wrote it already


def test_a_submitit_local_sweep_works(basic: Path, tmp_path: Path) -> None:
    run = launch(tmp_path / "run", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10")
    same_results(basic, run)
    assert (run / ".submitit").is_dir()  # the jobs really went through submitit


def test_the_slurm_preset_configures_submitit(tmp_path: Path) -> None:
    res = run_cli(*MAIN, "hydra/launcher=slurm", "hydra.launcher.partition=short", "--cfg", "hydra",
                  "--package", "hydra.launcher", cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher" in res.stdout
    assert "partition: short" in res.stdout
    assert list(tmp_path.iterdir()) == []  # printing the config runs nothing
