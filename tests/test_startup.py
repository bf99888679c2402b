"""Start-up: Hydra composes a command's config once, and a run imports only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl

from experiments import cli
from experiments.app import app

#: Heavy libraries a single run has no use for (figures, frames, Parquet, statistics, Mesa, Dask),
#: and threadpoolctl: a single run limits BLAS to one thread before numpy loads.
UNUSED = (
    "pandas",
    "pyarrow",
    "scipy",
    "matplotlib",
    "seaborn",
    "mesa",
    "dask",
    "distributed",
    "joblib",
    "threadpoolctl",
)


def _compositions(monkeypatch: pytest.MonkeyPatch, main, *argv: str) -> int:
    calls = []
    compose = ConfigLoaderImpl._load_configuration_impl

    def counted(self, *args, **kwargs):
        calls.append(kwargs.get("overrides"))
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(ConfigLoaderImpl, "_load_configuration_impl", counted)
    monkeypatch.setattr(sys, "argv", ["parltwin", *argv])
    main()
    return len(calls)


def test_a_run_composes_its_config_once_and_gives_the_same_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    args = ("years=0.5", "seed=4", "quiet=true")
    assert _compositions(monkeypatch, cli.main, *args, f"hydra.run.dir={tmp_path / 'once'}") == 1
    assert _compositions(monkeypatch, app, *args, f"hydra.run.dir={tmp_path / 'hydra'}") == 2  # plain Hydra
    once, twice = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("once", "hydra"))
    assert once == twice and once["laws_per_year"] > 0


def test_a_sweep_set_in_its_config_composes_its_master_and_each_job_once_more_for_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    args = ("experiment=reform_comparison", "experiment.replications=1", "years=0.1", "quiet=true")
    n = _compositions(monkeypatch, cli.main, *args, "experiment.workers=1", f"hydra.sweep.dir={tmp_path}")
    # Hydra: the master config, then each of the four scenarios; the check before anything runs
    # composes them too (a sweep's compositions are not yet handed over to Hydra, only a run's).
    assert n == 2 * (1 + 4)
    assert (tmp_path / "report.html").is_file()


def test_a_command_line_sweep_is_composed_as_hydra_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    sweep = ("-m", "years=0.1,0.2", "quiet=true", f"hydra.sweep.dir={tmp_path}")
    # Hydra: the mode, the master, two jobs; the check before anything runs: the master, two jobs.
    assert _compositions(monkeypatch, cli.main, *sweep) == (2 + 2) + (1 + 2)
    assert sorted(p.name for p in tmp_path.glob("*/summary.json")) == ["summary.json"] * 2


def test_a_single_run_imports_no_heavy_library_it_does_not_use(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['parltwin', 'years=0.2', 'quiet=true', 'hydra.run.dir={tmp_path / 'run'}']\n"
        "from experiments.cli import main\n"
        "main()\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({UNUSED!r})))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "run" / "summary.json").is_file()
