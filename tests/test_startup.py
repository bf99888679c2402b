"""Start-up: Hydra composes a command's config once, and a run imports only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf, open_dict

from experiments import cli, compare
from experiments.app import app
from tests.conftest import compose_config

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


RUN = compare.run


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


def _job_configs(monkeypatch: pytest.MonkeyPatch, main, folder: Path, *argv: str) -> tuple[int, list[str]]:
    """Compositions made, and what each job of a comparison receives (its config and Hydra's,
    as JSON with the folder written as DIR)."""
    seen: list[str] = []

    def spy(cfg, conf, out):
        both = [OmegaConf.to_container(c, resolve=False) for c in (cfg, HydraConfig.get())]
        seen.append(json.dumps(both, sort_keys=True, default=str).replace(str(folder), "DIR"))
        return RUN(cfg, conf, out)

    monkeypatch.setattr(compare, "run", spy)
    return _compositions(monkeypatch, main, *argv, f"hydra.sweep.dir={folder}"), seen


def test_a_sweep_set_in_its_config_is_composed_once_and_its_jobs_receive_what_hydra_composes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    args = ("experiment=reform_comparison", "experiment.replications=1", "years=0.1", "quiet=true")
    n, ours = _job_configs(monkeypatch, cli.main, tmp_path / "once", *args, "experiment.workers=1")
    # The check before anything runs composes the master config and each of the four scenarios;
    # Hydra takes those and composes none itself.
    assert n == 1 + 4
    assert (tmp_path / "once" / "report.html").is_file()
    # Plain Hydra composes the master twice (the mode, then the sweep) and each job twice (the
    # sweeper's check, then the launcher): its jobs receive the same configs.
    n, hydras = _job_configs(monkeypatch, app, tmp_path / "hydra", *args, "experiment.workers=1")
    assert n == 2 + 2 * 4
    assert len(ours) == 4 and ours == hydras


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


def test_config_files_read_with_libyaml_load_as_omegaconf_loads_them(tmp_path: Path) -> None:
    from experiments.composition import libyaml
    from tests.conftest import CONFIGS

    paths = sorted(CONFIGS.rglob("*.yaml"))
    plain = [OmegaConf.to_container(OmegaConf.load(p)) for p in paths]
    with libyaml():
        fast = [OmegaConf.to_container(OmegaConf.load(p)) for p in paths]
        twice = tmp_path / "twice.yaml"
        twice.write_text("a: 1\nb: 2\na: 3\n")
        with pytest.raises(Exception, match="duplicate key a"):
            OmegaConf.load(twice)
        # 1e3 a float, a date left a string: as OmegaConf reads them
        assert OmegaConf.to_container(OmegaConf.create("x: 1e3\ny: 2001-01-01\n")) == {
            "x": 1000.0,
            "y": "2001-01-01",
        }
    assert len(paths) > 20 and fast == plain


def test_the_report_libraries_are_imported_while_the_workers_run_and_errors_left_to_later() -> None:
    from experiments.prefetch import imports_ahead

    sys.modules.pop("colorsys", None)
    with imports_ahead(["no_such_module_here", "colorsys"]):
        pass
    assert "colorsys" in sys.modules
    with pytest.raises(ModuleNotFoundError):
        import no_such_module_here  # noqa: F401


def test_a_comparison_on_workers_draws_its_figures_in_processes_that_have_their_libraries(
    tmp_path: Path,
) -> None:
    """The workers' server imported matplotlib and seaborn; the command's own process never does."""
    code = (
        "import sys\n"
        "sys.argv = ['parltwin', 'experiment=reform_comparison', 'experiment.replications=2',\n"
        "            'experiment.workers=2', 'years=0.5', 'quiet=true',\n"
        f"            'hydra.sweep.dir={tmp_path / 'run'}']\n"
        "from experiments.cli import main\n"
        "main()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'seaborn'}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"
    pngs = {p.stem for p in (tmp_path / "run" / "figures").glob("*.png")}
    assert {"laws_per_year", "stage_time", "differences"} <= pngs


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["parliament=kz_kurultai_2026", "channels=kz_digital", "experiment=compare"],
        ["channels=uk_petitions", "lang=kk"],
        ["parliament=single_queue", "channels=analytics"],
    ],
)
def test_a_jobs_config_file_is_the_text_omegaconf_writes(overrides: list[str]) -> None:
    """Written with libyaml's emitter, as OmegaConf would write it: strings it would misread as
    numbers, dates or booleans quoted, non-Latin text as is, the config's order kept."""
    from experiments.manifest import config_yaml, resolved

    cfg = compose_config(overrides)
    tricky = {"a_number": "1e3", "a_date": "2001-01-01", "a_bool": "on", "none": "null", "kk": "Құрылтай"}
    with open_dict(cfg):
        cfg.parliament.description = "Парламент: \"quoted\" and 'single' # not a comment"
        cfg.extra = tricky
    data = resolved(cfg)  # a setting not read where it is holds the engine's value, not ???
    text = config_yaml(data)
    assert text == OmegaConf.to_yaml(OmegaConf.create(data))
    assert OmegaConf.to_container(OmegaConf.create(text))["extra"] == tricky


def test_a_sweep_checked_by_parltwin_is_not_checked_again_by_its_callback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from experiments import sweep

    checked: list[object] = []
    real = sweep.validate
    monkeypatch.setattr(sweep, "validate", lambda task: checked.append(task) or real(task))
    args = ["experiment=reform_comparison", "experiment.replications=2", "years=0.2", "quiet=true"]
    monkeypatch.setattr(sys, "argv", ["parltwin", *args, f"hydra.sweep.dir={tmp_path / 'checked'}"])
    cli.main()
    assert checked == []  # the whole sweep was checked before Hydra started it
    monkeypatch.setattr(sys, "argv", ["parltwin", *args, f"hydra.sweep.dir={tmp_path / 'plain'}"])
    app()  # plain Hydra: the callback checks the sweep's common config
    assert len(checked) == 1
    assert (tmp_path / "checked" / "report.html").is_file() and (tmp_path / "plain" / "report.html").is_file()
