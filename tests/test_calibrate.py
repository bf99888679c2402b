"""Calibration by the simulated method of moments: moments, recovery of a known value, the preset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from experiments.calibrate import Problem, fit, preset_yaml, settings
from experiments.sensitivity import run_point
from scenarios import ConfigError, register, validate
from sim.engine.streams import replication_seeds
from sim.metrics import window_moments
from tests.conftest import CONFIGS, compose_config


def test_window_moments_count_only_what_the_window_decides() -> None:
    bills = {
        "introduced": np.array([0.0, 10.0, 100.0, 200.0, 300.0, 400.0]),
        "finished": np.array([50.0, 380.0, 400.0, 500.0, np.nan, 900.0]),
        "state": np.array(["enacted", "enacted", "enacted", "rejected", "pending", "enacted"], dtype=object),
    }
    m = window_moments({"bills": bills}, 365.0, 730.0)
    assert m["laws_per_year"] == 2  # finished on days 380 and 400
    assert m["passage_rate"] == pytest.approx(2 / 3)
    assert m["lead_time_median_days"] == pytest.approx((370 + 300) / 2)
    assert m["bills_introduced_per_year"] == 1


def test_calibration_recovers_a_rate_from_the_models_own_data() -> None:
    conf = validate(compose_config(["parliament=kz_bicameral_2023", "~citizens", "~channels"]))  # faster
    truth, warm, window = 1.3, 0.5, 1.0
    data = run_point(conf, {"arrival_rate": truth}, replication_seeds(999, 8), warm + window)
    start, end = warm * 365, (warm + window) * 365
    target = float(np.mean([window_moments(r.tables, start, end)["laws_per_year"] for r in data]))
    problem = Problem(
        conf=conf,
        ranges={"arrival_rate": (0.6, 1.8)},
        target={"laws_per_year": target},
        seeds=replication_seeds(1, 6),
        warmup_years=warm,
        window_years=window,
        grid=5,
        max_evals=10,
    )
    res = fit(problem)
    est, se = float(res.theta[0]), float(res.se[0])
    assert 0 < se < 0.25
    assert abs(est - truth) < max(2.5 * se, 0.05)
    assert abs(res.simulated[0] - target) < 0.1 * target


def test_the_fitted_preset_extends_its_base_and_loads(tmp_path: Path) -> None:
    conf = validate(compose_config([]))
    problem = Problem(
        conf=conf,
        ranges={"arrival_rate": (0.5, 1.5), "committee_capacity": (2, 12)},
        target={"laws_per_year": 92.0, "lead_time_median_days": 150.0},
        seeds=[1, 2],
    )

    class Fitted:
        theta = np.array([1.1, 5.4])
        se = np.array([0.05, 0.8])

    text = preset_yaml("kz_bicameral_2023", "kz_fit", conf, problem, Fitted(), "2023")
    assert "laws_per_year = 92" in text and "calibrated" in text
    for line in text.splitlines():
        if ":" in line and line.split(":")[1].strip()[:1].isdigit():
            assert "# calibrated" in line  # every number says where it comes from
    (tmp_path / "parliament").mkdir()
    (tmp_path / "parliament" / "kz_fit.yaml").write_text(text)
    register()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfg = compose("config", overrides=["parliament=kz_fit", f"hydra.searchpath=[file://{tmp_path}]"])
    got = validate(cfg).parliament
    base = conf.parliament
    assert got.name == "kz_fit"
    assert got.initiators["government"].rate_per_year == pytest.approx(1.1 * 95)
    assert {c.capacity for c in got.committees.values()} == {5}
    assert got.chambers["mazhilis"].seats == base.chambers["mazhilis"].seats


def test_bad_settings_are_refused() -> None:
    conf = validate(compose_config([]))
    for overrides, match in (
        (["+experiment.targets.happiness=3"], "experiment.targets='happiness'"),
        (["experiment.parameters={arrival_rate: [1.5, 0.5]}"], "low < high"),
        (["experiment.replications=1"], "experiment.replications=1"),
        (["+experiment.parameters.vote_noise=null"], "at least as many moments as parameters"),
    ):
        cfg = compose_config(["experiment=calibrate", *overrides])
        with pytest.raises(ConfigError, match=match):
            settings(cfg, conf)
