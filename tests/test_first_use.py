"""What a new user meets first: the help, a single run's output, a misplaced preset, silence during a
long job, the experiments' defaults, and the figures of the validation experiments."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.compare_spec import compare_spec
from experiments.errors import EXIT_NOT_IDENTIFIED
from experiments.progress import Ticker
from experiments.sensitivity import figure as sensitivity_figure
from tests.conftest import CONFIGS, compose_config, run_cli


def test_help_explains_presets_experiments_metrics_and_outputs_on_one_screen(tmp_path: Path) -> None:
    r = run_cli("--help", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert len(lines) <= 70 and max(len(line) for line in lines) <= 130  # not Hydra's 600-line dump
    for name in ("kz_bicameral_2023", "kz_kurultai_2026", "kz_digital", "reform_comparison", "sensitivity"):
        assert name in r.stdout
    for word in ("laws_per_year", "report.html", "summary.json", "multirun/", "--config-dir", "lang="):
        assert word in r.stdout
    assert "== Config ==" not in r.stdout and "parliament:\n  name:" not in r.stdout
    ru = run_cli("--help", "lang=ru", cwd=tmp_path)
    assert "Использование:" in ru.stdout and "Пресеты" in ru.stdout
    assert list(tmp_path.iterdir()) == []  # help writes nothing


def test_a_single_run_prints_labels_units_and_percentages(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run_cli("years=2", f"hydra.run.dir={out}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    line = next(x for x in r.stdout.splitlines() if "Share of decided bills that became law" in x)
    assert line.rstrip().endswith("%") and f"{100 * summary['passage_rate']:.1f}" in line
    assert "laws / year" in r.stdout and "days" in r.stdout
    assert "passage_rate" not in r.stdout and "lead_time_median_days" not in r.stdout  # no raw keys
    assert "Бір жыл ішінде" in run_cli("years=2", "lang=kk", f"hydra.run.dir={out}2", cwd=tmp_path).stdout


def test_a_preset_outside_its_group_folder_gets_the_layout_in_the_error(tmp_path: Path) -> None:
    mine = tmp_path / "my_configs"
    mine.mkdir()
    (mine / "my_parliament.yaml").write_text((CONFIGS / "parliament" / "single_queue.yaml").read_text())
    r = run_cli("--config-dir", "my_configs", "parliament=my_parliament", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "my_configs/parliament/my_parliament.yaml" in r.stderr and "sub-folder parliament/" in r.stderr
    r = run_cli("parliament=my_parliament", cwd=tmp_path)
    assert "my_configs/parliament/my_parliament.yaml" in r.stderr and "--config-dir my_configs" in r.stderr


def test_a_long_job_shows_periodic_progress_when_no_one_watches_a_terminal() -> None:
    out = io.StringIO()
    with Ticker(40, "calibrate", "candidates", every=0.0, stream=out) as t:
        for _ in range(3):
            t.update()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("parltwin: calibrate: 1/40 candidates") and "left" in lines[0]
    assert lines[2].startswith("parltwin: calibrate: 3/40 candidates")
    quiet = io.StringIO()
    with Ticker(5, "x", quiet=True, every=0.0, stream=quiet) as t:
        t.update()
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    "args, name",
    [
        (["experiment=calibrate", "experiment.replications=2", "experiment.start_points=2",
          "experiment.max_evals=2"], "calibrate"),
        (["experiment=sensitivity", "experiment.replications=1", "experiment.trajectories=2",
          "experiment.years=0.5", "experiment.warmup=0.2"], "sensitivity"),
        (["experiment=pluchino2011", "experiment.N=60", "experiment.legislatures=12", "experiment.acts=50",
          "experiment.step=20", "experiment.workers=1"], "pluchino2011"),
    ],
)  # fmt: skip
def test_calibrate_sensitivity_and_pluchino_are_never_silent(
    tmp_path: Path, args: list[str], name: str
) -> None:
    r = run_cli(
        *args, "quiet=false", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path,
        env={"PARLTWIN_PROGRESS_SECONDS": "0"},
    )  # fmt: skip
    # A calibration the recorded figures do not identify ends refused (exit 4), after its candidates.
    assert r.returncode in ((0, EXIT_NOT_IDENTIFIED) if name == "calibrate" else (0,)), r.stderr
    progress = [x for x in r.stderr.splitlines() if x.startswith(f"parltwin: {name}")]
    assert progress, r.stderr


def test_sensitivity_figure_keeps_its_labels_inside() -> None:
    table = pd.DataFrame(
        [
            {"output": out, "parameter": p, "mu_star": 3.0, "mu_star_conf": 1.0}
            for out in ("laws_per_year", "demands_answered_within_365d", "lead_time_median_days")
            for p in ("committee_capacity", "party_discipline", "arrival_rate")
        ]
    )
    fig = sensitivity_figure(table, {"method": "morris", "bounds": dict.fromkeys(range(3))})
    renderer, box = fig.canvas.get_renderer(), fig.bbox
    for ax in fig.axes:
        for text in (ax.xaxis.label, ax.title, *ax.get_yticklabels()):
            ext = text.get_window_extent(renderer)
            assert box.x0 - 1 <= ext.x0 and ext.x1 <= box.x1 + 1 and box.y0 - 1 <= ext.y0, text.get_text()


def test_compare_shows_responsiveness_and_the_main_job_separates_the_two_reforms() -> None:
    assert "demands_answered_within_365d" in compare_spec({}).metrics
    cfg = compose_config(["experiment=compare"])
    assert "demands_answered_within_365d" in cfg.experiment.metrics
    main = compose_config(["experiment=reform_comparison"])
    del main  # composing checks the file; the arms are the sweep's parameters:
    text = (CONFIGS / "experiment" / "reform_comparison.yaml").read_text()
    arms = next(x for x in text.splitlines() if "+scenario:" in x).split(":", 1)[1].strip().split(",")
    assert arms == [
        "kz_bicameral_2023",
        "kz_bicameral_2023_digital",
        "kz_kurultai_2026",
        "kz_kurultai_2026_digital",
    ]
    both = compose_config(["+scenario=kz_bicameral_2023_digital"])
    assert both.parliament.name == "kz_bicameral_2023" and both.channels.name == "kz_digital"


def test_every_experiment_is_described_in_the_help_of_each_language() -> None:
    """``fit``'s description was its preset's English comment under kk and ru."""
    from experiments.help import EXPERIMENTS, presets

    assert set(presets("experiment")) == set(EXPERIMENTS)
