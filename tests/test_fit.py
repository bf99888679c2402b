"""experiment=fit: durations from whole days, the round trip (a model's own ledger gives back the
numbers that made it, each within its interval, and the right family), the fitted preset, and the
replay in the report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from experiments import durations, records
from experiments.durations import Sample
from experiments.estimation import Estimate, Fitted, estimate, parameter_values
from experiments.fit import DEFAULTS, preset_yaml, window_of
from experiments.replay import holm
from scenarios import ConfigError, simulate, validate
from scenarios.build import parliament_of
from scenarios.schema import Config as ConfigSchema
from tests.conftest import CONFIGS

#: What generated the toy's records: the round trip must find these again.
TRUTH: dict[str, Any] = {
    "initiators.gov.rate_per_year": 150.0,
    "initiators.members.rate_per_year": 60.0,
    "topics.a.weight": 0.7,
    "stages.drafting.duration": ("lognormal", 30.0, 24.0),
    "stages.committee.duration": ("gamma", 40.0, 20.0),
    "stages.signature.duration": ("exponential", 10.0, 10.0),
    "stages.transmission.duration": ("fixed", 3.4, 0.0),
    "stages.drafting.fail_prob": 0.25,
    "stages.committee.fail_prob": 0.1,
}


def toy() -> dict[str, Any]:
    """A parliament whose times in a stage are its durations: no desks, a sitting every day, bills
    alike (complexity 0), no priority bills; members' bills are drafted first."""
    every_day = list(range(7))
    return {
        "name": "toy_fit",
        "chambers": {
            "house": {
                "seats": 11,
                "quorum": 0.5,
                "attendance": 1.0,
                "sitting_weekdays": every_day,
                "agenda_capacity": 1000,
                "parties": {
                    "gov": {
                        "seats": 11,
                        "position": 0.2,
                        "spread": 0.0,
                        "discipline": 1.0,
                        "government": True,
                    }
                },
            }
        },
        "calendar": {"start": "2024-01-01", "sessions": [{"opens": "01-01", "closes": "12-31"}]},
        "topics": {"a": {"weight": 0.7, "status_quo": 0.0}, "b": {"weight": 0.3, "status_quo": 0.0}},
        "initiators": {
            "gov": {
                "rate_per_year": 150,
                "start": "committee",
                "position": 0.2,
                "position_sd": 0.0,
                "government": True,
            },
            "members": {"rate_per_year": 60, "start": "drafting", "position": 0.2, "position_sd": 0.0},
        },
        "complexity_sd": 0.0,
        "vote_noise": 0.0,
        "head_of_state": {"position": 0.2, "veto_tolerance": 1.0, "noise_sd": 0.0},
        "stages": {
            "drafting": {
                "kind": "work",
                "duration": {"dist": "lognormal", "mean": 30, "sd": 24},
                "fail_prob": 0.25,
                "on_pass": "committee",
            },
            "committee": {
                "kind": "work",
                "duration": {"dist": "gamma", "mean": 40, "sd": 20},
                "fail_prob": 0.1,
                "on_pass": "transmission",
            },
            "transmission": {  # entered at any hour (after the committee's work): 3 or 4 whole days
                "kind": "work",
                "duration": {"dist": "fixed", "mean": 3.4},
                "on_pass": "floor",
            },
            "floor": {"kind": "vote", "chamber": "house", "rule": "simple", "on_pass": "signature"},
            "signature": {
                "kind": "sign",
                "duration": {"dist": "exponential", "mean": 10},
                "deadline_days": 365,
                "on_pass": "enacted",
                "on_return": "rejected",
            },
        },
    }


def toy_conf(years: float) -> Any:
    return validate(
        OmegaConf.merge(OmegaConf.structured(ConfigSchema), {"parliament": toy(), "years": years})
    )


def toy_preset(conf: Any) -> str:
    """The toy as a preset file: every setting stated (a preset states what it models, the engine's
    defaults included: ``scenarios.stated``)."""
    return yaml.safe_dump(dataclasses.asdict(conf.parliament), sort_keys=False)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Fitted]:
    """The toy's records of 6 years (seed 11) through the records' format, then estimated."""
    conf = toy_conf(6.0)
    result = simulate(conf, seed=11)
    path = tmp_path_factory.mktemp("records") / "toy.csv"
    records.write(records.from_ledger(result.tables, "2024-01-01", parliament_of(conf)), path)
    recs = records.read(path)
    s = dict(DEFAULTS)
    window = window_of(recs, {**s, "start": "2024-01-01"})
    tables = records.to_ledger(recs, parliament_of(conf), window.start)
    return conf, estimate(tables, conf.parliament, window, s)


def _by_path(fit: Fitted) -> dict[str, Estimate]:
    return {e.path: e for e in fit.estimates if e.path is not None}


def test_rates_shares_and_withdrawals_are_recovered_within_their_intervals(fitted: tuple) -> None:
    _, fit = fitted
    got = _by_path(fit)
    for path in (
        "initiators.gov.rate_per_year",
        "initiators.members.rate_per_year",
        "topics.a.weight",
        "stages.drafting.fail_prob",
        "stages.committee.fail_prob",
    ):
        e = got[path]
        assert e.low <= TRUTH[path] <= e.high, (path, e.estimate, e.low, e.high)
        assert e.high - e.low < 0.5 * TRUTH[path]  # an interval that says something


def test_each_duration_gets_its_own_family_and_its_numbers_back(fitted: tuple) -> None:
    _, fit = fitted
    for d in fit.durations:
        family, mean, sd = TRUTH[d.timed.path]
        assert d.chosen.family == family, (d.timed.path, [(f.family, round(f.aic, 1)) for f in d.fits])
        lo, hi = d.chosen.interval("mean")
        assert lo <= mean <= hi, (d.timed.path, d.chosen.mean, lo, hi)
        if family in ("lognormal", "gamma"):
            lo, hi = d.chosen.interval("sd")
            assert lo <= sd <= hi, (d.timed.path, d.chosen.sd, lo, hi)
    assert {d.timed.path for d in fit.durations} == {k for k in TRUTH if k.endswith(".duration")}


def test_a_wrong_family_is_not_chosen_when_the_spread_is_the_same() -> None:
    """Gamma and lognormal of the same mean and sd differ in their tails only; 600 visits tell them
    apart, and neither is mistaken for the exponential or a fixed time."""
    rng = np.random.default_rng(5)
    n, mean, sd = 600, 30.0, 24.0
    cv2 = (sd / mean) ** 2
    draws = {
        "gamma": rng.gamma(1 / cv2, mean * cv2, n),
        "lognormal": rng.lognormal(math.log(mean) - math.log1p(cv2) / 2, math.sqrt(math.log1p(cv2)), n),
    }
    for family, x in draws.items():
        days = np.floor(rng.random(n) + x)  # entered at any hour, recorded by the day
        best, fits = durations.choose(Sample.of(days, np.zeros(n, bool)))
        assert best.family == family
        others = sorted(f.aic for f in fits if f.family != family and math.isfinite(f.aic))
        assert others[0] - best.aic > 2  # support, not a coin toss


def test_whole_days_are_a_proper_probability_for_every_family() -> None:
    days = np.arange(0, 30000)
    for family in ("exponential", "gamma", "lognormal"):
        for mean, sd in ((0.7, 1.5), (20.0, 8.0), (60.0, 90.0)):
            p = durations.day_probabilities(family, mean, sd, days)
            assert np.all(p >= -1e-12)
            assert p.sum() == pytest.approx(1.0, abs=1e-6)
            assert (days * p).sum() == pytest.approx(mean, rel=1e-3)  # rounding by the day keeps the mean
    p = durations.day_probabilities("fixed", 7.3, 0.0, days)
    assert p[7] == pytest.approx(0.7) and p[8] == pytest.approx(0.3) and p.sum() == pytest.approx(1.0)


def test_visits_cut_short_count_as_at_least_that_long() -> None:
    rng = np.random.default_rng(2)
    x = rng.exponential(20.0, 2000)
    cut = x > 30  # a deadline at 30 days: the long visits are only known to exceed it
    days = np.where(cut, 30.0, np.floor(rng.random(x.size) + x))
    fit = durations.fit_family("exponential", Sample.of(days, cut))
    lo, hi = fit.interval("mean")
    assert lo <= 20.0 <= hi
    naive = durations.fit_family("exponential", Sample.of(days, np.zeros(x.size, bool)))
    assert naive.mean < 0.9 * 20.0  # ignoring the cut would make the stage look faster


def test_the_fitted_preset_extends_its_base_loads_and_says_where_each_number_comes_from(
    fitted: tuple, tmp_path: Path
) -> None:
    conf, fit = fitted
    for d in fit.durations:  # the toy's times in stage are its durations: no simulation needed here
        d.mean, d.sd = d.chosen.mean, d.chosen.sd
        d.mean_ci, d.sd_ci = d.chosen.interval("mean"), d.chosen.interval("sd")
    (tmp_path / "parliament").mkdir()
    (tmp_path / "parliament" / "toy_fit.yaml").write_text(toy_preset(conf))
    text = preset_yaml("toy_fit", "toy_fitted", conf.parliament, fit, "toy.csv", 0.95)
    body = text.split("\nranges:")[0].splitlines()  # the values, before their ranges

    def value(line: str) -> str:
        return line.split(":", 1)[1].split("#")[0].strip() if ":" in line else ""

    numbers = [ln for ln in body if ln[:1] == " " and value(ln)[:1] in tuple("0123456789{")]
    assert len(numbers) >= 9
    for line in numbers:
        assert "# fitted:" in line, line  # every number says where it comes from and its interval
        assert "[" in line.split("#", 1)[1]
    (tmp_path / "parliament" / "toy_fitted.yaml").write_text(text)
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfg = compose(
            "config",
            overrides=[
                "parliament=toy_fitted",
                "~citizens",
                "~channels",
                f"hydra.searchpath=[file://{tmp_path}]",
            ],
        )
    got = validate(cfg).parliament  # the ranges hold their values, the procedure is the base's
    assert got.name == "toy_fitted"
    values_set = parameter_values(fit)
    assert got.initiators["gov"].rate_per_year == pytest.approx(
        values_set["initiators.gov.rate_per_year"], rel=1e-5
    )
    assert got.stages["committee"].duration.dist == "gamma"
    assert got.stages["committee"].duration.sd == pytest.approx(
        values_set["stages.committee.duration"].sd, rel=1e-3
    )
    assert got.stages["transmission"].duration.dist == "fixed"
    assert got.stages["floor"].rule == "simple"  # untouched: the base's
    assert got.ranges["initiators.gov.rate_per_year"][0] < got.initiators["gov"].rate_per_year


def test_holm_adjusts_the_smallest_p_most() -> None:
    adj = holm([0.01, 0.04, np.nan, 0.03, 0.5])
    assert adj[0] == pytest.approx(0.04)  # 4 tests: 4 x 0.01
    assert adj[3] == pytest.approx(0.09) and adj[1] == pytest.approx(0.09)  # 3 x 0.03, then monotone
    assert adj[4] == pytest.approx(0.5) and np.isnan(adj[2])


def test_fit_settings_need_records_and_sane_options(tmp_path: Path) -> None:
    from experiments.fit import settings
    from tests.conftest import compose_config

    conf = validate(compose_config(["~citizens", "~channels"]))
    with pytest.raises(ConfigError, match="data=null"):
        settings(compose_config(["experiment=fit"]), conf)
    conf.data = str(tmp_path / "r.csv")
    for override, match in (
        ("experiment.families=[weibull]", r"experiment\.families"),
        ("experiment.level=95", "experiment.level"),
        ("experiment.replications=1", "experiment.replications"),
    ):
        with pytest.raises(ConfigError, match=match):
            settings(compose_config(["experiment=fit", override]), conf)


def test_a_window_that_starts_after_the_records_is_refused() -> None:
    recs = records.read(
        Path(__file__).resolve().parents[1] / "data" / "example_records_kz_bicameral_2023.csv"
    )
    with pytest.raises(ConfigError, match=r"experiment\.start"):
        window_of(recs, {**DEFAULTS, "start": "2027-01-01"})
    with pytest.raises(ConfigError, match=r"experiment\.end"):
        window_of(recs, {**DEFAULTS, "end": "2028-01-01"})
    with pytest.raises(ConfigError, match=r"experiment\.end='someday'"):
        window_of(recs, {**DEFAULTS, "end": "someday"})
    w = window_of(recs, dict(DEFAULTS))
    assert w.start == recs["entered"].min().date()
    assert w.start + dt.timedelta(days=w.days - 1) == max(recs["entered"].max(), recs["left"].max()).date()


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"start": "0001-01-01"}, r"experiment\.start='0001-01-01' .*years 1800 \.\. 7999"),
        ({"start": "1799-12-31"}, r"experiment\.start='1799-12-31' .*years 1800 \.\. 7999"),
        ({"end": "9999-12-31"}, r"experiment\.end='9999-12-31' .*within 1,000 years of the window's start"),
    ],
)
def test_a_window_the_replay_cannot_run_is_refused(given: dict[str, str], match: str) -> None:
    """The replay's calendar starts on the window's first day: experiment.start=0001-01-01 ran the
    estimates and ended in a ValueError traceback ('0-09-01', the session of the year before)."""
    recs = records.read(
        Path(__file__).resolve().parents[1] / "data" / "example_records_kz_bicameral_2023.csv"
    )
    with pytest.raises(ConfigError, match=match):
        window_of(recs, {**DEFAULTS, **given})


def test_records_that_start_before_a_calendar_can_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "bill,initiator,topic,stage,entered,left,outcome\n1,government,law,committee,1700-01-10,1700-02-01,pass\n"
    )
    with pytest.raises(ConfigError, match=r"data: the records' first day='1700-01-10' .*years 1800"):
        window_of(records.read(path), dict(DEFAULTS))


def test_the_fit_command_refuses_a_window_before_a_calendar_can_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.parltwin_cli import refused

    data = Path(__file__).resolve().parents[1] / "data" / "example_records_kz_bicameral_2023.csv"
    args = [
        "experiment=fit",
        f"data={data}",
        "experiment.start=0001-01-01",
        "quiet=true",
        "hydra.run.dir=out",
    ]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert "experiment.start='0001-01-01' is not allowed" in line


def test_the_fit_runner_writes_a_preset_and_a_report_with_the_replay(tmp_path: Path) -> None:
    from experiments import fit
    from tests.conftest import compose_config

    conf = toy_conf(2.0)
    path = tmp_path / "toy.csv"
    records.write(records.from_ledger(simulate(conf, seed=4).tables, "2024-01-01", parliament_of(conf)), path)
    configs = tmp_path / "configs"
    (configs / "parliament").mkdir(parents=True)
    (configs / "parliament" / "toy_fit.yaml").write_text(toy_preset(conf))
    overrides = [
        "experiment=fit",
        "parliament=toy_fit",
        "~citizens",
        "~channels",
        f"data={path}",
        "experiment.replications=3",
        "experiment.rounds=1",
        "quiet=true",
        f"hydra.searchpath=[file://{configs}]",
    ]
    cfg = compose_config(overrides)
    out = tmp_path / "run"
    result = fit.run(cfg, validate(cfg), out)
    assert (out / "parliament" / "toy_fit_fitted.yaml").exists() and result["tests"] >= 5
    html = (out / "report.html").read_text()
    assert "Replay: the fitted preset against the records" in html
    assert html.count('<img src="data:image/png;base64,') >= 2  # the ECDFs of lead time and stage times
    for p in ("fit_lead_time", "fit_stage_times"):
        assert (out / "figures" / f"{p}.png").stat().st_size > 1000
    import pandas as pd

    tests = pd.read_csv(out / "replay.csv")
    assert {"comparison", "test", "p_value", "p_holm", "verdict"} <= set(tests.columns)
    assert "lead time, introduction to law" in set(tests["comparison"])
    assert set(tests["verdict"]) <= {"consistent", "differs", "not tested"}
    # three replayed runs: the count of laws cannot differ, and the report says so, and in-sample
    assert "smallest p-value is 0.500" in html and "These comparisons are in-sample" in html
    table = pd.read_csv(out / "fit.csv")
    assert table.loc[table["path"].notna(), ["ci_low", "ci_high"]].notna().all().all()


@pytest.mark.slow
def test_intervals_cover_the_generating_numbers_about_as_often_as_they_say() -> None:
    """Over 40 independent sets of records, each 95% interval holds the number that generated the
    records in about 95% of them (rates, shares, withdrawals, durations' means and sds)."""
    conf = toy_conf(4.0)
    s = dict(DEFAULTS)
    hits: dict[str, list[bool]] = {}
    for seed in range(40):
        result = simulate(conf, seed=1000 + seed)
        recs = records.from_ledger(result.tables, "2024-01-01", parliament_of(conf))
        for col in ("entered", "left"):
            recs[col] = pd_dates(recs[col])
        window = window_of(recs, {**s, "start": "2024-01-01"})
        fit = estimate(records.to_ledger(recs, parliament_of(conf), window.start), conf.parliament, window, s)
        for path, e in _by_path(fit).items():
            if path in TRUTH:
                hits.setdefault(path, []).append(e.low <= TRUTH[path] <= e.high)
        for d in fit.durations:
            family, mean, sd = TRUTH[d.timed.path]
            if family in ("lognormal", "gamma", "exponential"):
                lo, hi = d.chosen.interval("mean")
                hits.setdefault(f"{d.timed.path}.mean", []).append(lo <= mean <= hi)
            if family in ("lognormal", "gamma"):
                lo, hi = d.chosen.interval("sd")
                hits.setdefault(f"{d.timed.path}.sd", []).append(lo <= sd <= hi)
    overall = np.mean([h for v in hits.values() for h in v])
    assert 0.9 <= overall <= 0.99, {k: np.mean(v) for k, v in hits.items()}
    for k, v in hits.items():
        assert np.mean(v) >= 0.8, (k, np.mean(v))  # no single interval far too narrow


def pd_dates(col: Any) -> Any:
    import pandas as pd

    return pd.to_datetime(col.replace("", None), format=records.DATE)


@pytest.mark.slow
def test_bills_of_different_complexity_leave_each_stage_its_own_duration() -> None:
    """With bills of different complexity a stage's recorded times are wider than its duration; the
    likelihood through that spread, and the simulation after it, give back the duration that made
    the records, in its own family."""
    from experiments.estimation import stage_sample
    from experiments.indirect import indirect
    from sim.engine.streams import replication_seeds

    spec = toy()
    spec["complexity_sd"] = 0.5
    conf = validate(OmegaConf.merge(OmegaConf.structured(ConfigSchema), {"parliament": spec, "years": 6.0}))
    recs = records.from_ledger(simulate(conf, seed=21).tables, "2024-01-01", parliament_of(conf))
    for col in ("entered", "left"):
        recs[col] = pd_dates(recs[col])
    s = dict(DEFAULTS)
    window = window_of(recs, {**s, "start": "2024-01-01"})
    tables = records.to_ledger(recs, parliament_of(conf), window.start)
    assert stage_sample(tables, ["committee"], window.days).days.std() > 1.2 * 20.0  # wider than the stage
    fit = estimate(tables, conf.parliament, window, s)
    indirect(conf, fit, replication_seeds(0, 8), rounds=3)
    for d in fit.durations:
        family, mean, sd = TRUTH[d.timed.path]
        if d.timed.path in ("stages.drafting.duration", "stages.committee.duration"):
            assert d.chosen.family == family
        assert d.mean_ci[0] <= mean <= d.mean_ci[1], (d.timed.path, d.mean, d.mean_ci)
        if family in ("lognormal", "gamma"):
            assert d.sd_ci[0] <= sd <= d.sd_ci[1], (d.timed.path, d.sd, d.sd_ci)


def test_a_preset_fitted_with_exponential_durations_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exponential duration has sd 0: the base preset's range of its spread was carried over
    (widened to the mean), and the written preset failed its own check when used."""
    from experiments.preflight import plan
    from tests.conftest import ROOT
    from tests.parltwin_cli import parltwin

    data = ROOT / "data" / "example_records_kz_bicameral_2023.csv"
    args = [
        "experiment=fit",
        f"data={data}",
        "~citizens",
        "~channels",
        "experiment.families=[exponential]",
        "experiment.rounds=0",
        "experiment.replications=2",
        "quiet=true",
        "hydra.run.dir=run",
    ]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    preset = (tmp_path / "run" / "parliament" / "kz_bicameral_2023_fitted.yaml").read_text()
    assert "dist: exponential" in preset and "duration.sd:" not in preset
    folder = str(tmp_path / "run")
    plan(["--config-dir", folder, "parliament=kz_bicameral_2023_fitted", "~citizens", "~channels"])


def test_the_replays_verdict_says_it_is_in_sample_and_what_too_few_runs_cannot_find() -> None:
    """ "Consistent with the records in all N comparisons" was near certain: the numbers were fitted
    to those records, and with 20 replayed runs the count of laws could not reach p < 0.05."""
    import pandas as pd

    from experiments.fit_report import verdict_text

    def tests(runs: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "comparison": ["lead time, introduction to law", "laws enacted in the window"],
                "test": ["Kolmogorov-Smirnov", "Monte Carlo (replayed runs)"],
                "n_replay": [900, runs],
                "verdict": ["consistent", "consistent"],
            }
        )

    said = verdict_text(tests(20))
    assert said.startswith("The fitted preset's replay is consistent with the records in all 2 comparisons")
    assert "in-sample" in said and "With 20 replayed runs" in said and "smallest p-value is 0.095" in said
    assert "in-sample" in verdict_text(tests(40)) and "smallest p-value" not in verdict_text(tests(40))
