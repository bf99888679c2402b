"""What bill records say, with intervals: arrival rates by initiator, topic shares, stage durations
(the family chosen by fit), outcome shares, withdrawals and the navette (``experiment=fit``).

- **arrival rates**: bills introduced in the observation window over its length (Poisson maximum
  likelihood; exact Garwood interval) -> ``initiators.<who>.rate_per_year``;
- **topic shares** of the bills introduced (Wilson intervals) -> ``topics.<topic>.weight``;
- **stage durations** of every work, review and sign stage (and the work between readings): the
  family of least AIC among the engine's, mean and sd by maximum likelihood on whole days
  (:mod:`experiments.durations`), then moved to what the model needs (:mod:`experiments.indirect`)
  -> ``stages.<stage>.duration`` / ``stages.<vote>.between``;
- **outcome shares** of every stage's visits (Wilson intervals); a work stage's withdrawals
  (``fail`` among the visits a committee did not hold) -> ``stages.<stage>.fail_prob``; the others
  (a committee's holds, a second chamber's returns, votes) come out of the agents' decisions and are
  compared in the replay, not set;
- **navette**: returns and amendments per review by a second chamber, and the share of reviewed bills
  reviewed more than once (Wilson intervals).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments import durations, records
from experiments.durations import FamilyFit, Sample, Spread
from scenarios import Config
from scenarios.errors import counted
from scenarios.procedure import expand_readings
from scenarios.ranges import assign
from sim.engine.ledger import Table
from sim.engine.parliament import DurationConf, ParliamentConf

TIMED = ("work", "review", "sign")


@dataclass
class Estimate:
    """One estimated number: what (``quantity``, ``subject``, ``statistic``), its value and interval,
    how it was estimated, from how many observations, and the preset's path it sets (None: compared
    in the replay, not a parameter)."""

    quantity: str
    subject: str
    statistic: str
    estimate: float
    low: float
    high: float
    method: str
    n: int
    path: str | None = None
    note: str = ""


@dataclass
class Window:
    """The records' observation window: day 0 is ``start``; ``days`` long."""

    start: dt.date
    days: float

    @property
    def years(self) -> float:
        return self.days / 365.0


@dataclass
class Timed:
    """A duration of the preset and the stages (readings expanded) whose visits measure it."""

    path: str  # e.g. stages.committee.duration, stages.mazhilis.between
    stages: list[str]
    kind: str


@dataclass
class DurationFit:
    """A stage's duration: the family chosen on the records, every family's fit, and the preset's
    duration (after the rounds of indirect inference) with its intervals."""

    timed: Timed
    chosen: FamilyFit
    fits: list[FamilyFit]
    n: int
    mean: float = math.nan
    sd: float = math.nan
    mean_ci: tuple[float, float] = (math.nan, math.nan)
    sd_ci: tuple[float, float] = (math.nan, math.nan)
    gap: float = math.nan  # relative gap between replayed and recorded time in stage, last round
    #: The spread bills add to the stage's duration (their complexity, priority), given by the base.
    mix: Spread = field(default_factory=Spread)


@dataclass
class Fitted:
    """Everything estimated from the records."""

    window: Window
    bills: int
    visits: int
    estimates: list[Estimate] = field(default_factory=list)
    durations: list[DurationFit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # durations kept from the base, and why


# -- intervals ----------------------------------------------------------------------------------
def poisson_interval(n: int, exposure: float, level: float) -> tuple[float, float]:
    """Garwood's exact interval of a Poisson rate: ``n`` events over ``exposure``."""
    a = 1 - level
    low = stats.chi2.ppf(a / 2, 2 * n) / 2 if n > 0 else 0.0
    high = stats.chi2.ppf(1 - a / 2, 2 * n + 2) / 2
    return float(low / exposure), float(high / exposure)


def wilson(k: int, n: int, level: float) -> tuple[float, float]:
    """The Wilson score interval of a share ``k`` of ``n`` (NaN when n = 0)."""
    if n == 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


# -- the records' structure ---------------------------------------------------------------------
def timed_stages(parliament: ParliamentConf) -> list[Timed]:
    """The preset's durations and the expanded stages that measure each: a work, review or sign
    stage its own ``duration``, the work between a vote's readings its ``between``."""
    expanded = expand_readings(parliament.stages)
    out: dict[str, Timed] = {}
    for name, s in expanded.items():
        if s.kind not in TIMED:
            continue
        if name in parliament.stages:
            out.setdefault(
                f"stages.{name}.duration", Timed(f"stages.{name}.duration", [], s.kind)
            ).stages.append(name)
            continue
        origin = max((n for n in parliament.stages if name.startswith(f"{n}_")), key=len)
        path = f"stages.{origin}.between"
        out.setdefault(path, Timed(path, [], s.kind)).stages.append(name)
    return list(out.values())


def spread_of(tables: dict[str, Table], timed: Timed, parliament: ParliamentConf) -> Spread:
    """The spread bills add to a stage's duration, as the base preset gives it: their complexity (if
    the stage scales by it) and, for the share of its visits made by priority bills (each
    initiator's priority share, weighted by its visits), the priority factor."""
    expanded = expand_readings(parliament.stages)
    scaled = all(expanded[s].scale_by_complexity for s in timed.stages)
    st, bills = tables["stages"], tables["bills"]
    who = dict(zip(bills["bill"].tolist(), bills["initiator"].tolist(), strict=True))
    visits = [who.get(b) for b in st["bill"][np.isin(st["stage"], timed.stages)].tolist()]
    shares = [parliament.initiators[w].priority_share if w in parliament.initiators else 0.0 for w in visits]
    share = float(np.mean(shares)) if shares else 0.0
    c = parliament.complexity_sd if scaled else 0.0
    return Spread(c, share, float(parliament.priority.duration_factor))


def stage_sample(
    tables: dict[str, Table],
    stages: Sequence[str],
    end: float,
    mix: Spread | None = None,
) -> Sample:
    """Whole days in ``stages``: visits that ended there, visits cut short at a deadline, and visits
    lapsed at a session's end or still open at ``end`` (days so far); ``mix`` the spread bills add
    (:func:`spread_of`)."""
    st = tables["stages"]
    at = np.isin(st["stage"], list(stages)) & (st["outcome"] != "exhausted")
    still = np.isnan(st["left"][at]) | (st["outcome"][at] == "lapsed")
    left = np.where(np.isnan(st["left"][at]), end, st["left"][at])
    cut = np.isin(st["outcome"][at], records.CENSORED)
    return Sample.of(left - st["entered"][at], cut, still, mix)


# -- estimation ---------------------------------------------------------------------------------
def estimate(
    tables: dict[str, Table], parliament: ParliamentConf, window: Window, s: dict[str, Any]
) -> Fitted:
    """Arrival rates, topic shares, stage durations (family by AIC), outcome shares, withdrawals and
    the navette, from the records' ledger ``tables`` (days from the window's start)."""
    level = float(s["level"])
    bills, st = tables["bills"], tables["stages"]
    inside = (bills["introduced"] >= 0) & (bills["introduced"] < window.days)
    out = Fitted(window, int(inside.sum()), len(st["bill"]))
    years = window.years
    for who, conf in parliament.initiators.items():
        if conf.from_demands:
            continue
        n = int((inside & (bills["initiator"] == who)).sum())
        lo, hi = poisson_interval(n, years, level)
        out.estimates.append(
            Estimate(
                "arrival",
                who,
                "rate_per_year",
                n / years,
                lo,
                hi,
                "Poisson MLE, Garwood interval",
                n,
                f"initiators.{who}.rate_per_year",
                f"{counted(n, 'bill')} introduced in {counted(window.days, 'day', 'g')}",
            )
        )
    total = int(inside.sum())
    for topic in parliament.topics:
        k = int((inside & (bills["topic"] == topic)).sum())
        lo, hi = wilson(k, total, level)
        out.estimates.append(
            Estimate(
                "topic",
                topic,
                "share",
                k / total if total else math.nan,
                lo,
                hi,
                "share, Wilson interval",
                total,
                f"topics.{topic}.weight",
                f"{k} of {counted(total, 'bill')}",
            )
        )
    families = tuple(s["families"])
    for timed in timed_stages(parliament):
        mix = spread_of(tables, timed, parliament)
        sample = stage_sample(tables, timed.stages, window.days, mix)
        if sample.days.size < int(s["min_visits"]):
            out.skipped.append(
                f"{timed.path}: {sample.days.size} complete visits (fewer than {s['min_visits']})"
            )
            continue
        chosen, fits = durations.choose(sample, families)
        out.durations.append(DurationFit(timed, chosen, fits, sample.n, mix=mix))
    expanded = expand_readings(parliament.stages)
    for name in expanded:
        at = st["stage"] == name
        done = at & ~np.isnan(st["left"]) & (st["outcome"] != "lapsed")
        n = int(done.sum())
        if n == 0:
            continue
        outcomes, counts = np.unique(st["outcome"][done], return_counts=True)
        for o, k in zip(outcomes, counts, strict=True):
            lo, hi = wilson(int(k), n, level)
            out.estimates.append(
                Estimate(
                    "outcome",
                    name,
                    str(o),
                    k / n,
                    lo,
                    hi,
                    "share, Wilson interval",
                    n,
                    note=f"{k} of {counted(n, 'visit')}",
                )
            )
        conf = parliament.stages.get(name)
        if conf is not None and conf.kind == "work":
            decided = done & np.isin(st["outcome"], ["pass", "amend", "fail"])
            nd, k = int(decided.sum()), int((done & (st["outcome"] == "fail")).sum())
            if nd:
                lo, hi = wilson(k, nd, level)
                out.estimates.append(
                    Estimate(
                        "withdrawal",
                        name,
                        "fail_prob",
                        k / nd,
                        lo,
                        hi,
                        "share, Wilson interval",
                        nd,
                        f"stages.{name}.fail_prob",
                        f"{k} withdrawn of {nd} not held",
                    )
                )
        if expanded[name].kind == "review":
            out.estimates.extend(navette(tables, name, level))
    return out


def navette(tables: dict[str, Table], stage: str, level: float) -> list[Estimate]:
    """Returns and amendments per review by the chamber of review stage ``stage``, and the share of
    the bills it reviewed more than once."""
    st = tables["stages"]
    at = (st["stage"] == stage) & ~np.isnan(st["left"]) & (st["outcome"] != "lapsed")
    n = int(at.sum())
    out = []
    for what, outcome in (("returns_per_review", "return"), ("amendments_per_review", "amend")):
        k = int((at & (st["outcome"] == outcome)).sum())
        lo, hi = wilson(k, n, level)
        out.append(
            Estimate(
                "navette",
                stage,
                what,
                k / n if n else math.nan,
                lo,
                hi,
                "share, Wilson interval",
                n,
                note=f"{k} of {n} reviews",
            )
        )
    reviewed = st["bill"][st["stage"] == stage]
    ids, visits = np.unique(reviewed, return_counts=True)
    k, nb = int((visits > 1).sum()), int(ids.size)
    lo, hi = wilson(k, nb, level)
    out.append(
        Estimate(
            "navette",
            stage,
            "second_round_share",
            k / nb if nb else math.nan,
            lo,
            hi,
            "share, Wilson interval",
            nb,
            note=f"{k} of {counted(nb, 'bill')} reviewed",
        )
    )
    return out


def parameter_values(fitted: Fitted) -> dict[str, Any]:
    """Every fitted number the preset sets, by path within the parliament."""
    values: dict[str, Any] = {e.path: e.estimate for e in fitted.estimates if e.path is not None}
    for d in fitted.durations:
        spread = d.sd if d.chosen.family in ("lognormal", "gamma") else 0.0
        values[d.timed.path] = DurationConf(d.chosen.family, d.mean, spread)
        if d.chosen.family == "fixed" and d.timed.path.endswith(".duration"):
            values[d.timed.path.replace(".duration", ".scale_by_complexity")] = False
    return values


def apply_fit(
    conf: Config, values: dict[str, Any], start: dt.date | None = None, years: float | None = None
) -> Config:
    """A copy of ``conf`` with the fitted values set (and, for a replay, the calendar starting on
    ``start`` for ``years``)."""

    out = copy.deepcopy(conf)
    for path, value in values.items():
        assign(out.parliament, path, copy.deepcopy(value))
    if start is not None:
        out.parliament.calendar.start = start.isoformat()
    if years is not None:
        out.years = years
    return out


def duration_estimates(fitted: Fitted) -> list[Estimate]:
    """The durations as estimates: the preset's mean and sd, the family, and the recorded time in
    stage."""
    out = []
    for d in fitted.durations:
        c = d.chosen
        method = f"{c.family} by AIC, ML on whole days, sandwich interval"
        moved = "" if math.isclose(d.mean, c.mean, rel_tol=1e-9) else f"; {c.mean:.4g} from the records alone"
        out.append(
            Estimate(
                "duration",
                d.timed.path,
                "mean",
                d.mean,
                *d.mean_ci,
                method,
                d.n,
                f"{d.timed.path}.mean",
                f"{counted(d.n, 'visit')}{moved}",
            )
        )
        if c.family in ("lognormal", "gamma"):
            out.append(
                Estimate(
                    "duration",
                    d.timed.path,
                    "sd",
                    d.sd,
                    *d.sd_ci,
                    method,
                    d.n,
                    f"{d.timed.path}.sd",
                    f"{c.sd:.4g} from the records alone",
                )
            )
    return out


def families_table(fitted: Fitted) -> pd.DataFrame:
    rows = []
    for d in fitted.durations:
        best = d.chosen.aic
        for f in d.fits:
            rows.append(
                {
                    "duration": d.timed.path,
                    "stages": " ".join(d.timed.stages),
                    "family": f.family,
                    "mean": f.mean,
                    "sd": f.sd,
                    "loglik": f.loglik,
                    "k": f.k,
                    "aic": f.aic,
                    "delta_aic": f.aic - best,
                    "chosen": f.family == d.chosen.family,
                }
            )
    return pd.DataFrame(rows)
