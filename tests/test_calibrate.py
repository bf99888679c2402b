"""Calibration by the simulated method of moments: the recorded figures as moments counted the way
their sources counted them, recovery of a known value, identification and the refusal to write a
preset that the data do not identify, the preset."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from experiments import observed
from experiments.calibrate import (
    Fit,
    Problem,
    fit,
    preset_values,
    preset_yaml,
    run,
    sandwich_se,
    settings,
    verdicts,
)
from experiments.errors import EXIT_NOT_IDENTIFIED
from experiments.sensitivity import run_point
from scenarios import ConfigError, register, validate
from scenarios.parameters import PARAMETERS, apply, current, present
from scenarios.procedure import USES
from sim.engine.streams import replication_seeds
from sim.metrics import window_moments
from tests.conftest import CONFIGS, compose_config
from tests.parltwin_cli import refused

#: A calibration that runs in a second or two: one parameter, one moment, two candidates and a step.
TINY_CALIBRATION = [
    "~citizens",
    "~channels",
    "~experiment.parameters",
    "+experiment.parameters={arrival_rate: [0.05, 0.3]}",
    "experiment.moments=[laws_adopted]",
    "experiment.replications=2",
    "experiment.start_points=2",
    "experiment.max_evals=3",
    "experiment.warmup_years=0",
]


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


# -- the recorded figures as moments -------------------------------------------------------------
def test_every_recorded_figure_becomes_an_observation_counted_like_its_source() -> None:
    obs = observed.observations()
    assert len(obs) == 14  # 16 rows: two "considered" counts are also the denominators of shares
    by = {o.name: o for o in obs}
    share = by["adopted_share/mazhilis/2021-09-01"]
    assert share.value == pytest.approx(39 / 80) and share.end == dt.date(2021, 12, 31)
    assert by["adopted_share/parliament/2023-03-29"].value == pytest.approx(25 / 82)
    assert by["deputy_share_of_considered/parliament/2023-03-29"].value == pytest.approx(20 / 82)
    returns = by["second_chamber_returns/senate/2022-01-01"]
    assert returns.bound == "at_least"  # one recorded case, not a count: checked, never fitted
    assert sum(o.bound == "equal" for o in obs) == 13
    assert observed.recorded_range("adopted_share_of_considered") == pytest.approx((25 / 82, 39 / 80))
    # the deputies' share of the laws (0.33) is not their share of the bills: it speaks to no metric
    assert observed.recorded_range("deputy_share_of_bills") == pytest.approx((20 / 82, 20 / 82))


def _ledger() -> tuple[dict, object]:
    """Five bills on a known calendar: what is on the books, adopted, passed, signed, returned."""
    bills = {
        "bill": np.arange(5),
        "initiator": np.array(
            ["government", "deputies", "government", "deputies", "government"], dtype=object
        ),
        "introduced": np.array([0.0, 5.0, 20.0, 40.0, 95.0]),
        "finished": np.array([30.0, np.nan, 90.0, 15.0 + 40.0, np.nan]),
        "adopted": np.array([25.0, np.nan, 80.0, np.nan, np.nan]),
        "state": np.array(["enacted", "pending", "enacted", "rejected", "pending"], dtype=object),
    }
    stages = {
        "bill": np.array([0, 0, 2, 2, 2, 1]),
        "stage": np.array(["senate_review"] * 2 + ["senate_review"] * 3 + ["committee"], dtype=object),
        "kind": np.array(["review"] * 5 + ["work"], dtype=object),
        "visit": np.array([1, 2, 1, 2, 3, 1]),
        "entered": np.array([10.0, 20.0, 50.0, 60.0, 70.0, 5.0]),
        "left": np.array([15.0, 25.0, 55.0, 65.0, 75.0, 9.0]),
        "outcome": np.array(["return", "pass", "amend", "amend", "pass", "pass"], dtype=object),
    }
    conf = validate(compose_config(["~citizens", "~channels"]))
    return {"bills": bills, "stages": stages}, conf.parliament


def test_counts_over_a_window_are_the_sources_counts() -> None:
    tables, parliament = _ledger()
    c = observed.Counts(tables, parliament)
    # days [20, 60): on the books are bills introduced before 60 and not finished before 20: 0, 1, 2, 3
    assert c.count("bills_considered", "mazhilis", 20, 60) == 4
    assert c.count("laws_adopted", "parliament", 20, 60) == 1  # bill 0 (day 25); bill 2 adopted on 80
    assert c.count("laws_adopted", "mazhilis", 0, 60) == 2  # first sent to the Senate: 0 (day 10), 2 (50)
    assert c.count("adopted_share", "parliament", 20, 60) == pytest.approx(1 / 4)
    assert c.count("laws_signed", "parliament", 0, 60) == 1  # bill 0, enacted on day 30
    assert c.count("deputy_share_of_considered", "parliament", 20, 60) == pytest.approx(2 / 4)
    assert c.count("deputy_share_of_adopted", "mazhilis", 0, 60) == 0.0
    assert c.count("second_chamber_returns", "senate", 0, 70) == 3  # days 15, 55, 65
    assert math.isnan(c.count("deputy_share_of_adopted", "mazhilis", 200, 300))  # nothing adopted


def test_the_periods_move_by_whole_years_to_after_the_warm_up_keeping_their_days() -> None:
    obs = observed.observations()
    win = observed.windows(obs, "2026-09-01", 365.0)
    assert win.shift_years == 6  # 2021-09-01 -> 2027-09-01, a year after the start
    first = obs.index(next(o for o in obs if o.start == dt.date(2021, 9, 1)))
    assert tuple(win.days[first]) == (365.0, 365.0 + 122)  # 1 September - 31 December, end exclusive
    spring = obs.index(next(o for o in obs if o.start == dt.date(2023, 3, 29)))
    assert win.days[spring, 0] == (dt.date(2029, 3, 29) - dt.date(2026, 9, 1)).days
    assert win.horizon_years == pytest.approx((dt.date(2031, 1, 1) - dt.date(2026, 9, 1)).days / 365)


FIRST = "2021 autumn,2021-09-01,2021-12-31,mazhilis,bills_considered,80,"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            lambda t: t.replace(",bills_considered,80,", ",bills_considered,0,", 1),
            r"line 2: column value='0'",
        ),
        (lambda t: t + "2021 autumn,2021-09-01\n", r"line 16: 2 fields is not allowed: the header's 8"),
        (lambda t: t + FIRST + '"' + "x" * 200_000 + '",note\n', r"line 16: .*field larger than field limit"),
        (lambda t: t.replace(FIRST, FIRST.replace("2021-12-31", "9999-12-31")), r"end='9999-12-31'.*1800"),
        (lambda t: t.replace(FIRST, FIRST.replace(",80,", ",nan,")), r"value='nan'.*a finite number"),
        (lambda t: t.replace(FIRST, FIRST.replace(",80,", ",-80,")), r"value='-80'.*whole number >= 0"),
        (
            lambda t: t.replace(",bills_adopted,39,", ",bills_adopted,81,"),
            r"value='81'.*at most .* 80 \(line 2",
        ),
        (lambda t: t.replace("0.33,", "33,"), r"line 12: column value='33'.*from 0 to 1"),
        (
            lambda t: t.replace("2021-09-01,2021-12-31", "2021-12-31,2021-09-01", 1),
            r"end='2021-09-01'.*on or after",
        ),
        (
            lambda t: t.replace("2024-09-01,2024-12-31", "3024-09-01,3024-12-31"),
            r"end='3024-12-31'.*1,000 years",
        ),
        (lambda t: t.replace(",note\n", "\n", 1), r"missing the column\(s\) note"),
    ],
    ids=[
        "zero-considered",
        "short-row",
        "huge-field",
        "end-9999",
        "nan",
        "negative",
        "part-over-whole",
        "share-over-1",
        "end-before-start",
        "span",
        "no-note",
    ],
)
def test_a_table_of_figures_that_breaks_its_rules_is_refused_before_any_run(
    change: Callable[[str], str],
    match: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A count of bills considered of 0 (a ZeroDivisionError), a short row (a TypeError), a field over
    csv's limit, an end in 9999 (a date past year 9999 once moved) ended in tracebacks; a value 'nan'
    or an end before the start ran the whole calibration, which ended with exit 4 and its files."""
    text = (CONFIGS.parent / "data" / "kz_session_statistics.csv").read_text(encoding="utf-8")
    assert FIRST in text
    (tmp_path / "figures.csv").write_text(change(text), encoding="utf-8")
    args = [
        "experiment=calibrate",
        "experiment.observed=figures.csv",
        "~citizens",
        "~channels",
        "hydra.run.dir=out",
    ]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert line.startswith("parltwin: error: experiment.observed: figures.csv"), line
    assert re.search(match, line), line


def test_work_time_scales_a_duration_as_a_whole() -> None:
    conf = validate(compose_config(["~citizens", "~channels"]))
    half = apply(conf, {"work_time": 0.5}).parliament.stages
    for name, s in conf.parliament.stages.items():
        d, h = s.duration, half[name].duration
        if "duration" in USES[s.kind] and d.dist != "fixed":
            assert h.mean == pytest.approx(0.5 * d.mean) and h.sd == pytest.approx(0.5 * d.sd)  # same CV
        else:  # a vote has no duration of its own (its unused default is left alone, and valid), and a
            assert h == d  # fixed one is a legal term, not work (the law's transmission: 10 days)
    assert half["transmission"].duration.mean == 10
    assert half["mazhilis"].between.sd == pytest.approx(0.5 * conf.parliament.stages["mazhilis"].between.sd)


def test_the_start_point_is_the_preset_as_the_parameter_registry_reads_it() -> None:
    conf = validate(compose_config(["~citizens", "~channels"]))
    names = [n for n in PARAMETERS if present(conf, n)]
    got = preset_values(conf, names)
    assert "readings" in names and got.tolist() == [current(conf, n) for n in names]
    assert apply(conf, {"readings": got[names.index("readings")]}) == conf  # the preset's own procedure
    assert np.isnan(preset_values(conf, ["digital_access"])).all()  # no citizens: no start value


# -- recovery and identification ------------------------------------------------------------------
def _laws(warm: float, window: float):
    start, end = warm * 365, (warm + window) * 365
    return lambda run: np.array([window_moments(run.tables, start, end)["laws_per_year"]])


def test_calibration_recovers_a_rate_from_the_models_own_data() -> None:
    conf = validate(compose_config(["parliament=kz_bicameral_2023", "~citizens", "~channels"]))  # faster
    truth, warm, window = 1.3, 0.5, 1.0
    measure = _laws(warm, window)
    data = run_point(conf, {"arrival_rate": truth}, replication_seeds(999, 8), warm + window)
    target = float(np.mean([measure(r)[0] for r in data]))
    problem = Problem(
        conf=conf,
        ranges={"arrival_rate": (0.6, 1.8)},
        moments=["laws_per_year"],
        target=np.array([target]),
        measure=measure,
        seeds=replication_seeds(1, 5),
        years=warm + window,
        start_points=3,
        max_evals=6,
    )
    res = fit(problem, np.array([1.0]))
    est, se = float(res.theta[0]), float(res.se[0])
    assert 0 < se < 0.25
    assert abs(est - truth) < max(2.5 * se, 0.05)
    assert abs(res.simulated[0] - target) < 0.1 * target
    assert all(v.identified for v in verdicts(problem, res, 0.01))


def _problem(names: list[str]) -> Problem:
    conf = validate(compose_config(["~citizens", "~channels"]))
    return Problem(
        conf=conf,
        ranges={n: (0.0, 1.0) for n in names},
        moments=["a", "b"],
        target=np.zeros(2),
        measure=lambda run: np.zeros(2),
        seeds=[1, 2],
        years=1.0,
    )


def _fit(theta: list[float], se: list[float], jac: list[list[float]]) -> Fit:
    k = len(theta)
    return Fit(
        theta=np.array(theta),
        se=np.array(se),
        simulated=np.zeros(2),
        simulated_sd=np.ones(2),
        runs=np.zeros((2, 2)),
        objective=0.0,
        jacobian=np.array(jac, dtype=float).reshape(2, k),
        weight=np.ones(2),
        j_stat=None,
        j_pvalue=None,
    )


def test_a_fit_on_a_bound_flat_or_without_a_standard_error_is_not_identified() -> None:
    problem = _problem(["gatekeeping", "vote_noise"])
    ok = verdicts(problem, _fit([0.4, 0.6], [0.05, 0.05], [[1, 0], [0, 1]]), 0.01)
    assert all(v.identified for v in ok)
    for theta, se, jac, rank, words in (
        ([0.4, 0.995], [0.05, 0.05], [[1, 0], [0, 1]], 2, "vote_noise = 0.995 is on its upper bound 1"),
        ([0.005, 0.5], [0.05, 0.05], [[1, 0], [0, 1]], 2, "gatekeeping = 0.005 is on its lower bound 0"),
        ([0.4, 0.5], [math.nan, 0.05], [[1, 0], [0, 1]], 1, "gatekeeping = 0.4 has no finite standard error"),
        ([0.4, 0.5], [0.05, 0.05], [[0, 1], [0, 1]], 0, "gatekeeping = 0.4 moves none of the moments"),
        ([0.4, 0.5], [0.05, 0.3], [[1, 0], [0, 1]], 3, "vote_noise = 0.5 has a 95% interval"),
    ):
        bad = [v for v in verdicts(problem, _fit(theta, se, jac), 0.01) if not v.identified]
        assert len(bad) == 1 and bad[0].rank == rank and bad[0].reason.startswith(words), bad


def test_standard_errors_are_given_for_what_moves_the_moments_only() -> None:
    jac = np.array([[2.0, 0.0], [1.0, 0.0]])  # the second parameter moves nothing
    se = sandwich_se(jac, np.ones(2), np.eye(2), r=10)
    assert math.isfinite(se[0]) and se[0] > 0 and math.isnan(se[1])
    assert np.all(np.isnan(sandwich_se(np.array([[1.0, 2.0], [2.0, 4.0]]), np.ones(2), np.eye(2), r=10)))


def test_a_calibration_on_a_bound_exits_non_zero_names_the_parameter_and_writes_no_preset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Supply too few bills for any recorded count: the fit ends on its upper bound and is refused."""
    overrides = [
        "experiment=calibrate",
        "~citizens",
        "~channels",
        "~experiment.parameters",
        "+experiment.parameters={arrival_rate: [0.05, 0.3]}",
        "experiment.moments=[laws_adopted]",
        "experiment.replications=3",
        "experiment.start_points=4",
        "experiment.max_evals=6",
        "experiment.warmup_years=0",
        "quiet=true",
    ]
    cfg = compose_config(overrides)
    with pytest.raises(SystemExit) as stop:
        run(cfg, validate(cfg), tmp_path)
    assert stop.value.code == EXIT_NOT_IDENTIFIED == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not identified: arrival_rate = 0.3 is on its upper bound 0.3" in err[0]
    assert "no preset written" in err[0]
    assert not (tmp_path / "parliament").exists()
    assert (tmp_path / "calibration.csv").read_text().count("False") == 1  # the diagnosis is kept


def test_a_source_a_spreadsheet_would_run_as_a_formula_is_written_as_text(tmp_path: Path) -> None:
    """A shared table of figures whose source reads ``=HYPERLINK(...)`` reached ``moments.csv`` as
    a formula, run when the planner opens it in a spreadsheet."""
    import pandas as pd

    table = pd.read_csv(CONFIGS.parent / "data" / "kz_session_statistics.csv")
    formulas = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)"]
    table["source"] = [formulas[i % len(formulas)] for i in range(len(table))]
    table.to_csv(tmp_path / "figures.csv", index=False)
    overrides = [
        "experiment=calibrate",
        f"experiment.observed={tmp_path / 'figures.csv'}",
        *TINY_CALIBRATION,
        "quiet=true",
    ]
    cfg = compose_config(overrides)
    with contextlib.suppress(SystemExit):  # a fit on its bound is refused, its moments kept
        run(cfg, validate(cfg), tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "moments.csv")["source"]
    assert len(written) > 0 and all(s in {"'" + f for f in formulas} for s in written), list(written)


def test_the_fitted_preset_extends_its_base_and_loads(tmp_path: Path) -> None:
    conf = validate(compose_config([]))
    problem = Problem(
        conf=conf,
        ranges={"government_rate": (40, 160), "gatekeeping": (0.0, 1.0)},
        moments=["m"] * 2,
        target=np.zeros(2),
        measure=lambda run: np.zeros(2),
        seeds=[1, 2],
        years=1.0,
    )
    fitted = _fit([104.0, 0.35], [5.0, 0.1], [[1, 0], [0, 1]])
    text = preset_yaml(
        "kz_bicameral_2023", "kz_fit", conf, problem, fitted, ["laws = 92 (source)"], "data.csv"
    )
    assert "laws = 92 (source)" in text
    lines = {ln.split(":")[0].strip(): ln for ln in text.split("\nranges:")[0].splitlines() if ":" in ln}
    assert (
        "fitted (government_rate, SMM)" in lines["rate_per_year"]
        and "95% CI [94.2, 113.8]" in lines["rate_per_year"]
    )
    assert "fitted (gatekeeping, SMM)" in lines["gatekeeping"]
    (tmp_path / "parliament").mkdir()
    (tmp_path / "parliament" / "kz_fit.yaml").write_text(text)
    register()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfg = compose("config", overrides=["parliament=kz_fit", f"hydra.searchpath=[file://{tmp_path}]"])
    got = validate(cfg).parliament  # the ranges (the intervals) hold the fitted values
    assert got.name == "kz_fit"
    assert got.initiators["government"].rate_per_year == pytest.approx(104.0)
    assert got.committee_rules.gatekeeping == pytest.approx(0.35)
    assert got.ranges["committee_rules.gatekeeping"] == pytest.approx([0.35 - 0.196, 0.35 + 0.196])
    assert got.chambers["mazhilis"].seats == conf.parliament.chambers["mazhilis"].seats


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    conf = validate(compose_config([]))
    for overrides, match in (
        (["+experiment.targets={laws_per_year: 92}"], "experiment.targets="),
        (["~experiment.parameters", "+experiment.parameters={arrival_rate: [1.5, 0.5]}"], "low < high"),
        (["experiment.replications=1"], "experiment.replications=1"),
        (["experiment.moments=[happiness]"], "experiment.moments='happiness'"),
        (["experiment.moments=[second_chamber_returns]"], "at least as many recorded counts as parameters"),
        ([f"experiment.observed={tmp_path / 'none.csv'}"], "experiment.observed="),
        (["experiment.bound_tolerance=0.7"], "experiment.bound_tolerance"),
    ):
        cfg = compose_config(["experiment=calibrate", *overrides])
        with pytest.raises(ConfigError, match=match):
            settings(cfg, conf)


def test_the_over_identification_p_value_is_uniform_when_the_model_holds_with_correlated_moments() -> None:
    """J compared with chi-square(moments - parameters) took the moments as independent and the
    weighting as optimal: with overlapping periods (correlated moments) and a diagonal weighting its
    p-values were not uniform under the model. Linear moments m = G theta, records drawn around
    them with a correlated Omega, theta fitted by weighted least squares: p < 0.05 about 5% of the
    time, where the chi-square reference rejects far more often."""
    from scipy import stats as st

    from experiments import calibrate

    rng = np.random.default_rng(7)
    k, p = 6, 2
    g = rng.normal(size=(k, p))
    a = rng.normal(size=(k, k))
    corr = 0.7 * np.ones((k, k)) + 0.3 * np.eye(k)  # overlapping periods: moments move together
    sd = np.exp(rng.normal(size=k))
    omega = corr * np.outer(sd, sd)
    weight = 1 / np.diag(a @ a.T)  # a diagonal weighting from a pilot elsewhere: not Omega's
    w = np.diag(weight)
    chol = np.linalg.cholesky(omega)
    new, old = [], []
    for _ in range(400):
        y = g @ np.array([1.0, -2.0]) + chol @ rng.standard_normal(k)
        theta = np.linalg.solve(g.T @ w @ g, g.T @ w @ y)
        d = g @ theta - y
        j, pval = calibrate.over_identification(d, omega, g, weight, 10**9)  # no simulation noise
        new.append(pval)
        old.append(st.chi2.sf(j, k - p))
    assert 0.025 <= np.mean(np.array(new) < 0.05) <= 0.085
    assert np.mean(np.array(old) < 0.05) > 0.12  # the former reference


def test_a_moment_no_run_moves_makes_the_over_identification_test_certain_or_silent() -> None:
    """With two replications a moment can take one value in every run (its variance 0): the test
    divided by zero and failed with a traceback."""
    from experiments.calibrate import over_identification

    omega = np.diag([1.0, 0.0, 2.0])
    jac, weight = np.array([[1.0], [0.0], [1.0]]), np.ones(3)
    assert over_identification(np.array([0.5, 0.1, 0.5]), omega, jac, weight, 2) == (math.inf, 0.0)
    j, p = over_identification(np.array([0.5, 0.0, 0.5]), omega, jac, weight, 2)  # matched: left out
    assert j == pytest.approx(0.25 / 1.5 + 0.25 / 3.0) and 0 < p <= 1
