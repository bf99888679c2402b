"""Replay: a fitted preset simulated over the records' window, held against the records.

Both sides are read the same way: each replayed run's ledger goes through the records' format and
back (whole days, open visits of pending bills), so that rounding and censoring treat them alike.
The replayed runs are pooled. Distributions of days (lead time from introduction to law, time in
each timed stage) are compared by the two-sample Kolmogorov-Smirnov test, with the k-sample
Anderson-Darling test beside it (more weight in the tails; scipy caps its p-value to [0.001, 0.25]);
outcome shares (of each stage's visits, of the bills' final states) by the chi-square test of
homogeneity of the 2 x k table, or, when an expected count is below 5, by a Monte Carlo exact test
of the same statistic (the records' counts drawn from the pooled ones, 4,000 draws); the count of
laws by where the records' count falls among the replayed runs' (Monte Carlo). P-values are adjusted
for the number of comparisons by Holm's method; a comparison whose adjusted p is below 0.05 is
marked ``differs``.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from experiments import records
from experiments.stats import holm
from scenarios import Config
from sim.engine.ledger import Table
from sim.engine.parliament import ParliamentConf

if TYPE_CHECKING:
    from experiments.estimation import Timed

ALPHA = 0.05
DRAWS = 4000
MIN_EXPECTED = 5.0


@dataclass
class Comparison:
    """The tests (one row per comparison) and the data behind the figures."""

    tests: pd.DataFrame
    lead_records: np.ndarray
    lead_replay: np.ndarray
    stage_records: dict[str, np.ndarray] = field(default_factory=dict)
    stage_replay: dict[str, np.ndarray] = field(default_factory=dict)
    shares: pd.DataFrame = field(default_factory=pd.DataFrame)


def replayed_ledgers(
    conf: Config, seeds: Sequence[int], start: dt.date, parliament: ParliamentConf
) -> list[dict[str, Table]]:
    """Each run's ledger as the records would show it: through the records' format and back (whole
    days, open visits of pending bills)."""
    from scenarios import simulate

    out = []
    for seed in seeds:
        run = simulate(conf, seed=seed)
        recs = records.from_ledger(run.tables, start, parliament)
        recs["entered"] = pd.to_datetime(recs["entered"], format=records.DATE)
        recs["left"] = pd.to_datetime(recs["left"].replace("", None), format=records.DATE)
        out.append(records.to_ledger(recs, parliament, start))
    return out


def lead_times(tables: dict[str, Table]) -> np.ndarray:
    bills = tables["bills"]
    enacted = bills["state"] == "enacted"
    return (bills["finished"] - bills["introduced"])[enacted]


def days_in(tables: dict[str, Table], stages: Sequence[str]) -> np.ndarray:
    """Whole days of the visits to ``stages`` that ended there (not cut short)."""
    from experiments.records import CENSORED

    st = tables["stages"]
    at = np.isin(st["stage"], list(stages)) & ~np.isnan(st["left"]) & ~np.isin(st["outcome"], CENSORED)
    return (st["left"] - st["entered"])[at]


def _distribution(what: str, a: np.ndarray, b: np.ndarray) -> dict[str, object]:
    row: dict[str, object] = {
        "comparison": what,
        "test": "Kolmogorov-Smirnov",
        "n_records": a.size,
        "n_replay": b.size,
    }
    if a.size < 2 or b.size < 2:
        return {**row, "statistic": math.nan, "p_value": math.nan, "records": math.nan, "replay": math.nan}
    ks = stats.ks_2samp(a, b)
    ad_stat, ad_p = math.nan, math.nan
    if np.unique(np.concatenate([a, b])).size > 1:
        with warnings.catch_warnings():  # the p-value's cap is stated in the report
            warnings.simplefilter("ignore", UserWarning)
            ad = stats.anderson_ksamp([a, b])
        ad_stat, ad_p = float(ad.statistic), float(ad.pvalue)
    return {
        **row,
        "statistic": float(ks.statistic),
        "p_value": float(ks.pvalue),
        "ad_statistic": ad_stat,
        "ad_p_value": ad_p,
        "records": float(np.median(a)),
        "replay": float(np.median(b)),
        "summary": "median days",
    }


def _chi2(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[str, float, float]:
    """Chi-square homogeneity of counts ``a`` (records) and ``b`` (replay) over the same categories;
    Monte Carlo exact when an expected count is below 5."""
    table = np.vstack([a, b]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or table[0].sum() == 0 or table[1].sum() == 0:
        return ("chi-square", math.nan, math.nan)
    res = stats.chi2_contingency(table, correction=False)
    if float(np.min(res.expected_freq)) >= MIN_EXPECTED:
        return ("chi-square", float(res.statistic), float(res.pvalue))
    pooled = table.sum(axis=0).astype(np.int64)
    n = int(table[0].sum())
    draws = rng.multivariate_hypergeometric(pooled, n, size=DRAWS).astype(float)
    expected = pooled / pooled.sum()
    rows = table.sum(axis=1)

    def stat(first: np.ndarray) -> np.ndarray:
        second = pooled - first
        e1, e2 = rows[0] * expected, rows[1] * expected
        return ((first - e1) ** 2 / e1).sum(axis=-1) + ((second - e2) ** 2 / e2).sum(axis=-1)

    observed = float(stat(table[0]))
    p = (1 + int((stat(draws) >= observed - 1e-9).sum())) / (DRAWS + 1)
    return ("exact (Monte Carlo)", observed, p)


def _shares(
    what: str, a: pd.Series, b: pd.Series, rng: np.random.Generator
) -> tuple[dict[str, object], pd.DataFrame]:
    cats = sorted(set(a.index) | set(b.index))
    ca = a.reindex(cats, fill_value=0).to_numpy()
    cb = b.reindex(cats, fill_value=0).to_numpy()
    test, statistic, p = _chi2(ca, cb, rng)
    row = {
        "comparison": what,
        "test": test,
        "statistic": statistic,
        "p_value": p,
        "n_records": int(ca.sum()),
        "n_replay": int(cb.sum()),
    }
    share = pd.DataFrame(
        {
            "comparison": what,
            "category": cats,
            "records": ca / max(ca.sum(), 1),
            "replay": cb / max(cb.sum(), 1),
        }
    )
    return row, share


def compare(
    records: dict[str, Table], runs: Sequence[dict[str, Table]], timed: Sequence[Timed]
) -> Comparison:
    """Every comparison of the replayed ``runs`` with the ``records`` (both as ledgers)."""
    rng = np.random.default_rng(0)  # the Monte Carlo tests' draws: fixed, so a report repeats
    rows: list[dict[str, object]] = []
    shares = []
    lead_a = lead_times(records)
    lead_b = np.concatenate([lead_times(r) for r in runs])
    rows.append(_distribution("lead time, introduction to law", lead_a, lead_b))
    stage_a, stage_b = {}, {}
    for t in timed:
        a = days_in(records, t.stages)
        b = np.concatenate([days_in(r, t.stages) for r in runs])
        if a.size == 0:
            continue
        stage_a[t.path], stage_b[t.path] = a, b
        rows.append(_distribution(f"time in stage: {', '.join(t.stages)}", a, b))
    laws = np.array([(r["bills"]["state"] == "enacted").sum() for r in runs], dtype=float)
    k = float((records["bills"]["state"] == "enacted").sum())
    p = min(1.0, 2 * min((laws <= k).sum() + 1, (laws >= k).sum() + 1) / (laws.size + 1))
    rows.append(
        {
            "comparison": "laws enacted in the window",
            "test": "Monte Carlo (replayed runs)",
            "statistic": k,
            "p_value": p,
            "n_records": 1,
            "n_replay": laws.size,
            "records": k,
            "replay": float(laws.mean()),
            "summary": "laws",
        }
    )
    st_a = pd.Series(records["bills"]["state"]).value_counts()
    st_b = pd.concat([pd.Series(r["bills"]["state"]) for r in runs]).value_counts()
    row, share = _shares("final state of the bills", st_a, st_b, rng)
    rows.append(row)
    shares.append(share)
    rec_st = records["stages"]
    for stage in pd.unique(rec_st["stage"]):
        a = _outcomes(records, stage)
        b = pd.concat([_outcomes(r, stage) for r in runs]).groupby(level=0).sum() if runs else a * 0
        if a.sum() == 0:
            continue
        row, share = _shares(f"outcomes of {stage}", a, b, rng)
        rows.append(row)
        shares.append(share)
    tests = pd.DataFrame(rows)
    tests["p_holm"] = holm(tests["p_value"].to_numpy(dtype=float))
    tests["verdict"] = np.where(
        tests["p_holm"].isna(), "not tested", np.where(tests["p_holm"] < ALPHA, "differs", "consistent")
    )
    return Comparison(tests, lead_a, lead_b, stage_a, stage_b, pd.concat(shares, ignore_index=True))


def _outcomes(tables: dict[str, Table], stage: str) -> pd.Series:
    st = tables["stages"]
    at = (st["stage"] == stage) & ~np.isnan(st["left"]) & (st["outcome"] != "lapsed")
    return pd.Series(st["outcome"][at]).value_counts()
