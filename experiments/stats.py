"""Comparison statistics: a mean with its 95% confidence interval per scenario and metric, and the
paired difference of each scenario from the baseline.

Replication ``i`` of every scenario uses the same seed (common random numbers), so differences are
taken pair by pair over the seeds two scenarios share. Intervals are Student-t intervals over
replications: each replication is one independent draw of the whole run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
KEYS = ("scenario", "replication", "seed")
#: No bounds: a difference, or a measure that may take any value.
UNBOUNDED = (-np.inf, np.inf)


def t_interval(
    values: Sequence[float] | np.ndarray, level: float = LEVEL, within: tuple[float, float] = UNBOUNDED
) -> tuple[float, float, float]:
    """``(mean, low, high)`` of the Student-t interval; missing values are dropped.

    The bounds are NaN with fewer than two values; with zero spread they equal the mean. An interval
    of a measure that cannot leave ``within`` (a count, a share) is cut to it: the mean cannot lie
    outside, so the cut interval covers it at least as often.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size < 2:
        return (mean, np.nan, np.nan)
    half = float(_t_quantile(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    low, high = within
    return (mean, max(mean - half, low), min(mean + half, high))


@functools.cache
def _t_quantile(q: float, df: int) -> np.floating:
    """Student's t quantile: the same few (level, replications) pairs are asked for thousands of
    times in a comparison, and scipy's ``ppf`` costs about 0.2 ms a call."""
    return stats.t.ppf(q, df)


def metric_columns(summary: pd.DataFrame) -> list[str]:
    """The numeric metric columns of a summary table, in their order."""
    return [c for c in summary.columns if c not in KEYS and pd.api.types.is_numeric_dtype(summary[c].dtype)]


def describe(
    summary: pd.DataFrame, metrics: Sequence[str], bounds: Mapping[str, tuple[float, float]] | None = None
) -> pd.DataFrame:
    """Per scenario and metric: ``n`` (replications with a value), ``mean``, ``sd``, ``ci_low``,
    ``ci_high`` (cut to the metric's ``bounds``, where given). Scenarios keep their order of
    appearance."""
    rows = []
    for scenario, g in summary.groupby("scenario", sort=False):
        for m in metrics:
            x = g[m].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            mean, lo, hi = t_interval(x, within=(bounds or {}).get(m, UNBOUNDED))
            sd = float(x.std(ddof=1)) if x.size > 1 else np.nan
            rows.append((scenario, m, int(x.size), mean, sd, lo, hi))
    return pd.DataFrame(rows, columns=["scenario", "metric", "n", "mean", "sd", "ci_low", "ci_high"])


def paired_differences(summary: pd.DataFrame, metrics: Sequence[str], baseline: str) -> pd.DataFrame:
    """Per scenario other than ``baseline`` and metric: the mean of (scenario - baseline) over the
    seeds both ran, with its interval; ``diff_pct`` is that mean relative to the baseline's mean over
    the same seeds."""
    base = summary[summary["scenario"] == baseline].set_index("seed")
    rows = []
    for scenario, g in summary.groupby("scenario", sort=False):
        if scenario == baseline:
            continue
        g = g.set_index("seed")
        seeds = g.index.intersection(base.index)
        cols = list(metrics)  # every metric's values over the shared seeds, read at once
        values, base_values = (f.loc[seeds, cols].to_numpy(dtype=float) for f in (g, base))
        for j, m in enumerate(metrics):
            a, b = values[:, j], base_values[:, j]
            ok = ~(np.isnan(a) | np.isnan(b))
            mean, lo, hi = t_interval(a[ok] - b[ok])
            ref = float(b[ok].mean()) if ok.any() else np.nan
            pct = 100.0 * mean / abs(ref) if ref and not np.isnan(ref) else np.nan
            rows.append((scenario, m, int(ok.sum()), mean, lo, hi, pct, paired_p(a[ok] - b[ok])))
    cols = ["scenario", "metric", "pairs", "diff", "diff_ci_low", "diff_ci_high", "diff_pct", "p_value"]
    return pd.DataFrame(rows, columns=cols)


def paired_p(d: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test that the mean difference is zero (NaN with fewer than
    two pairs). With zero spread the t-test is undefined: no difference gives 1, and the same
    difference in every pair the exact sign test's 2 x 2^-n (all n pairs on one side by chance),
    so that two or three equal counts are not called certain (a t-test's limit is 0).

    Zero spread is read off the range, which is exact: the floating sd of a constant like 0.1 is
    about 1e-17, not 0, and would send it to scipy's ill-conditioned t-test."""
    d = np.asarray(d, dtype=float)
    if d.size < 2:
        return np.nan
    if float(np.ptp(d)) == 0.0:
        return 1.0 if float(d.mean()) == 0.0 else min(1.0, 2.0 * 0.5**d.size)
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def _family(p: Sequence[float] | np.ndarray, adjust: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``adjust`` applied to the p-values that are not NaN, as one family; NaN kept in place."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = adjust(p[ok])
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p, kind="stable")
    out = np.empty_like(p)
    m = len(order)
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        out[i] = running
    return out


def holm(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaN left out of the family and kept):
    the family-wise error rate of calling every adjusted p below alpha a finding is at most alpha."""
    return _family(p, _holm)


def fdr(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini & Hochberg's q-values of a family of p-values (NaN left out of the family and
    kept): calling every q below alpha a finding keeps the expected share of false ones among them
    at most alpha (for independent or positively dependent tests). For screening many findings
    (which assumption decides each), where Holm's bound against any false one at all keeps only the
    strongest."""
    return _family(p, lambda q: stats.false_discovery_control(q, method="bh"))


def comparison(
    summary: pd.DataFrame,
    metrics: Sequence[str],
    baseline: str,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """:func:`describe` joined with :func:`paired_differences` (empty for the baseline's rows)."""
    desc = describe(summary, metrics, bounds)
    diff = paired_differences(summary, metrics, baseline)
    out = desc.merge(diff, on=["scenario", "metric"], how="left")
    out.insert(1, "baseline", baseline)
    return out
