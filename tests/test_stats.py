"""Comparison statistics: t-intervals, their coverage, and paired differences matched by seed."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from experiments import replay
from experiments.stats import (
    comparison,
    describe,
    fdr,
    holm,
    metric_columns,
    paired_differences,
    paired_p,
    t_interval,
)


def test_t_interval_matches_scipy() -> None:
    x = np.random.default_rng(1).gamma(2.0, 3.0, size=17)
    mean, lo, hi = t_interval(x)
    ref_lo, ref_hi = sps.t.interval(0.95, df=x.size - 1, loc=x.mean(), scale=sps.sem(x))
    assert mean == pytest.approx(x.mean(), rel=1e-12)
    assert (lo, hi) == (pytest.approx(ref_lo, rel=1e-12), pytest.approx(ref_hi, rel=1e-12))


def test_t_interval_covers_the_true_mean_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(2024)
    trials, n, mu = 4000, 8, 3.0
    samples = rng.normal(mu, 2.0, size=(trials, n))
    covered = np.array([lo <= mu <= hi for _, lo, hi in map(t_interval, samples)])
    # binomial sd of the coverage is about 0.0034: 0.95 +- 4 sd
    assert abs(covered.mean() - 0.95) < 0.014


def test_t_interval_edge_cases() -> None:
    assert np.isnan(t_interval([])[0])
    mean, lo, hi = t_interval([4.0])
    assert mean == 4.0 and np.isnan(lo) and np.isnan(hi)
    assert t_interval([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert t_interval([1.0, np.nan, 3.0])[0] == 2.0  # missing values are dropped


def _summary() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    seeds = rng.integers(0, 2**32, size=12)
    common = rng.normal(0, 5, size=12)  # what common random numbers share between scenarios
    a = pd.DataFrame({"scenario": "A", "replication": range(12), "seed": seeds, "laws": 50 + common})
    b = pd.DataFrame(
        {"scenario": "B", "replication": range(12), "seed": seeds, "laws": 53 + common + rng.normal(0, 1, 12)}
    )
    return pd.concat([a, b], ignore_index=True)


def test_paired_differences_match_by_seed_not_by_row_order() -> None:
    s = _summary()
    shuffled = s.sample(frac=1.0, random_state=3).reset_index(drop=True)
    d = paired_differences(shuffled, ["laws"], baseline="A").iloc[0]
    a = s[s.scenario == "A"].set_index("seed")["laws"]
    b = s[s.scenario == "B"].set_index("seed")["laws"]
    mean, lo, hi = t_interval((b - a.loc[b.index]).to_numpy())
    assert (d["scenario"], d["pairs"]) == ("B", 12)
    assert (d["diff"], d["diff_ci_low"], d["diff_ci_high"]) == pytest.approx((mean, lo, hi), rel=1e-12)
    assert d["diff_pct"] == pytest.approx(100 * mean / a.mean(), rel=1e-12)


def test_pairing_with_common_random_numbers_tightens_the_interval() -> None:
    s = _summary()
    d = paired_differences(s, ["laws"], "A").iloc[0]
    ci = describe(s, ["laws"]).set_index("scenario")
    unpaired = sum(ci.loc[x, "ci_high"] - ci.loc[x, "ci_low"] for x in ("A", "B"))
    assert d["diff_ci_high"] - d["diff_ci_low"] < unpaired / 3
    assert d["diff_ci_low"] > 0  # B is really higher by about 3


def test_pairs_only_over_shared_seeds_and_without_missing_values() -> None:
    s = _summary()
    s = s.drop(s[(s.scenario == "B") & (s.replication >= 10)].index)  # B has 10 replications only
    s.loc[(s.scenario == "A") & (s.replication == 0), "laws"] = np.nan  # undefined metric in one run
    d = paired_differences(s, ["laws"], "A").iloc[0]
    assert d["pairs"] == 9
    desc = describe(s, ["laws"]).set_index("scenario")
    assert desc.loc["A", "n"] == 11 and desc.loc["B", "n"] == 10


def test_comparison_has_a_row_per_scenario_and_metric() -> None:
    s = _summary()
    s["passage"] = 0.5
    s["label"] = "text"  # not a metric
    assert metric_columns(s) == ["laws", "passage"]
    c = comparison(s, metric_columns(s), "A")
    assert list(zip(c.scenario, c.metric, strict=True)) == [
        ("A", "laws"),
        ("A", "passage"),
        ("B", "laws"),
        ("B", "passage"),
    ]
    assert c[c.scenario == "A"]["diff"].isna().all() and c[c.scenario == "B"]["diff"].notna().all()
    assert (c["baseline"] == "A").all()


def test_paired_p_of_a_constant_difference_is_the_sign_tests() -> None:
    """The same difference in every pair: no t-test (its limit, p = 0, called two equal counts
    certain), but the exact sign test: all n pairs on one side has chance 2 x 2^-n."""
    assert np.full(3, 0.1).std(ddof=1) != 0.0  # the floating sd of a constant need not be zero
    for value in (0.1, -0.3, 2.0 / 3.0, 0.0):
        for n in range(2, 9):
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # scipy warns of catastrophic cancellation
                got = paired_p(np.full(n, value))
            assert got == (1.0 if value == 0.0 else sps.binomtest(n, n).pvalue)
    assert paired_p(np.full(5, 1.0)) > 0.05 > paired_p(np.full(6, 1.0))
    d = np.random.default_rng(7).normal(0.2, 1.0, size=9)
    assert paired_p(d) == pytest.approx(sps.ttest_1samp(d, 0.0).pvalue, rel=1e-12)


def test_replay_adjusts_with_the_one_holm() -> None:
    assert replay.holm is holm


def test_an_interval_is_cut_to_the_values_its_measure_can_take() -> None:
    """Two runs with no override and one with one: the t-interval of the mean reached -0.6 overrides;
    a share's reached above 100%. Cut, it still holds the mean, and a difference is never cut."""
    mean, lo, hi = t_interval([0.0, 0.0, 1.0])
    assert lo < 0  # the plain interval
    cut = t_interval([0.0, 0.0, 1.0], within=(0.0, np.inf))
    assert cut == (mean, 0.0, hi)
    share = t_interval([0.9, 1.0, 1.0], within=(0.0, 1.0))
    assert share[2] == 1.0 and share[1] == t_interval([0.9, 1.0, 1.0])[1]
    summary = pd.DataFrame(
        {"scenario": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2, "x": [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]}
    )
    comp = comparison(summary, ["x"], "a", {"x": (0.0, np.inf)}).set_index("scenario")
    assert comp.loc["a", "ci_low"] == 0.0 and comp.loc["b", "diff_ci_high"] > 0 > comp.loc["b", "diff_ci_low"]


@pytest.mark.parametrize(
    "overrides",
    [
        ["channels=kz_digital"],
        ["parliament=kz_kurultai_2026", "channels=kz_digital"],
        ["channels=uk_petitions"],
    ],
)
def test_every_measure_stays_within_the_values_it_declares(overrides: list[str]) -> None:
    """An interval is cut to a measure's declared bounds (counts, days and distances from 0, shares
    0-1): a measure that can go below 0 must say so (``signed``), or its intervals would be wrong."""
    from scenarios import simulate, validate
    from tests.conftest import compose_config

    run = simulate(validate(compose_config([*overrides, "years=2"])), seed=3)
    assert run.metrics
    for name, value in run.summary.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and name in run.metrics:
            low, high = run.metrics[name].bounds
            assert low <= value <= high, (name, value)


def test_fdr_gives_benjamini_hochbergs_q_values_and_leaves_nan_out_of_the_family() -> None:
    """q = the smallest m / rank x p over the p at least as large, in a family of four (NaN kept
    out): 0.005 and 0.01 both 0.02 (4 x 0.005, 4 / 2 x 0.01), 0.03 and 0.04 both 0.04."""
    got = fdr([0.01, np.nan, 0.04, 0.03, 0.005])
    assert got[[0, 2, 3, 4]] == pytest.approx([0.02, 0.04, 0.04, 0.02]) and np.isnan(got[1])
    assert np.isnan(fdr([np.nan])).all() and fdr([]).size == 0


def test_holm_keeps_the_adjusted_p_values_in_the_order_of_the_raw_ones() -> None:
    """Holm's step-down takes the running maximum: without it a larger p-value could be adjusted
    below a smaller one (0.04 x 1 under 0.03 x 2)."""
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    got = holm([0.01, np.nan, 0.04, 0.03, 0.005])  # NaN is left out of the family, and kept
    assert np.isnan(got[1])
    assert got[[0, 2, 3, 4]] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.4, 0.3]) == pytest.approx([0.6, 0.6])  # 0.3 x 2 = 0.6, then 0.4 x 1 = 0.4 -> 0.6
    assert holm([0.6, 0.9]).tolist() == [1.0, 1.0]  # 0.6 x 2 capped at 1, then 0.9 -> 1


def test_describe_gives_the_sample_sd_and_the_t_interval_of_the_mean() -> None:
    """``sd`` is the sample standard deviation (n - 1), the one the t-interval rests on, not the
    population's."""
    import statistics

    values = [1.0, 2.0, 4.0, 7.0]
    s = pd.DataFrame({"scenario": "A", "seed": range(4), "x": values})
    row = describe(s, ["x"]).iloc[0]
    sd = statistics.stdev(values)
    half = sps.t.ppf(0.975, len(values) - 1) * sd / np.sqrt(len(values))
    mean = statistics.fmean(values)
    assert (row["n"], row["mean"]) == (4, pytest.approx(mean))
    assert row["sd"] == pytest.approx(sd, rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((mean - half, mean + half), rel=1e-12)
