"""Metrics of one run, typed: each has a name, a plain label, a unit, which direction is better and a
group; each is declared next to the code that computes it.

This module declares the Metric type and the engine's metrics, and computes the latter from the
ledger's tables (``T`` is the horizon in days, years = T / 365):
- ``laws_per_year``: bills enacted / years; ``bills_introduced_per_year`` likewise;
- ``passage_rate``: enacted / (enacted + rejected), over bills whose fate was decided;
- ``lead_time_*``: days from introduction to enactment, over enacted bills;
- ``backlog_end``: bills still in the procedure at the horizon;
- ``vetoes``: laws returned by the head of state; ``overrides``: override votes won;
  ``returns``: bills a reviewing chamber rejected back to the first chamber;
- ``mean_time_in_system_days``: mean over all bills of time in the procedure, truncated at T;
- ``mean_bills_in_system``: the time average of the number of bills in the procedure, integrated
  by the engine as bills enter and leave. Little's law says it equals arrival rate x mean time.
- ``stage_<name>_mean_days``: mean time a bill spends in each stage per visit (one per stage).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim.engine.ledger import Table

#: Which way is better for a metric: higher, lower, or neither (a count to read, not to rank).
BETTER = ("higher", "lower", "none")
#: Groups of metrics, in the order tables and reports show them.
GROUPS = ("throughput", "speed", "procedure", "stages", "responsiveness", "inclusion", "channels")


@dataclass(frozen=True)
class Metric:
    """A summary metric of a run.

    ``label`` is a plain-language English phrase (and the message id of its translations); a metric
    of a family (one per stage, per channel, per citizen group) has ``params`` that fill the
    ``{...}`` fields of its label, and that tell a report which stage, channel or group it is about.
    """

    name: str
    label: str
    unit: str
    better: str
    group: str
    doc: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def share(self) -> bool:
        """Shares are shown as percentages (and their differences in percentage points)."""
        return self.unit == "share"

    def param(self, key: str) -> str | None:
        return dict(self.params).get(key)

    def text(self) -> str:
        """The label with its fields filled in (untranslated)."""
        return self.label.format(**dict(self.params))


def registry(metrics: Iterable[Metric]) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


#: The engine's metrics, in their order in a summary.
ENGINE = registry(
    [
        Metric("laws_per_year", "Laws enacted per year", "laws / year", "higher", "throughput"),
        Metric(
            "bills_introduced_per_year", "Bills introduced per year", "bills / year", "none", "throughput"
        ),
        Metric("passage_rate", "Share of decided bills that became law", "share", "none", "throughput"),
        Metric("lead_time_median_days", "Median days from introduction to law", "days", "lower", "speed"),
        Metric("lead_time_p90_days", "Days within which 90% of laws were passed", "days", "lower", "speed"),
        Metric("backlog_end", "Bills still pending at the end", "bills", "lower", "throughput"),
        Metric("vetoes", "Laws returned by the President", "laws", "none", "procedure"),
        Metric("overrides", "Returns overridden by Parliament", "votes", "none", "procedure"),
        Metric("returns", "Bills sent back by the reviewing chamber", "bills", "none", "procedure"),
        Metric("mean_time_in_system_days", "Mean days a bill spends in Parliament", "days", "lower", "speed"),
        Metric(
            "mean_bills_in_system", "Bills in Parliament at any time (mean)", "bills", "none", "throughput"
        ),
    ]
)
#: The engine's metrics that every run of a parliament has.
CORE_KEYS = tuple(ENGINE)


def stage_time(stage: str) -> Metric:
    """The mean days per visit of one stage of the procedure."""
    return Metric(
        f"stage_{stage}_mean_days",
        "Days in stage {stage}",
        "days",
        "lower",
        "stages",
        "mean days a bill spends in the stage per visit",
        (("stage", stage),),
    )


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


#: Moments of a window of a run, computed as the engine's own metrics are (see :func:`window_moments`).
MOMENTS = ("laws_per_year", "passage_rate", "lead_time_median_days", "bills_introduced_per_year")


def window_moments(tables: dict[str, Table], start: float, end: float) -> dict[str, float]:
    """Throughput and speed over the days [start, end): laws enacted and bills decided in the window
    (by the day they finished), the median lead time of the window's laws, bills introduced in it."""
    bills = tables["bills"]
    fin, intro, state = bills["finished"], bills["introduced"], bills["state"]
    inside = (fin >= start) & (fin < end)
    enacted = inside & (state == "enacted")
    decided = inside & ((state == "enacted") | (state == "rejected"))
    years = (end - start) / 365.0
    lead = (fin - intro)[enacted]
    return {
        "laws_per_year": float(enacted.sum() / years),
        "passage_rate": float(enacted.sum() / decided.sum()) if decided.any() else math.nan,
        "lead_time_median_days": float(np.median(lead)) if lead.size else math.nan,
        "bills_introduced_per_year": float(((intro >= start) & (intro < end)).sum() / years),
    }


def summarize(
    tables: dict[str, Table],
    horizon: float,
    occupancy_area: float,
    override_stages: Iterable[str] = (),
) -> tuple[dict[str, float | None], dict[str, Metric]]:
    """The engine's summary metrics of one run (``None`` where undefined, e.g. no law) and their
    descriptions."""
    bills, stages = tables["bills"], tables["stages"]
    state = bills["state"]
    lead = (bills["finished"] - bills["introduced"])[state == "enacted"]
    window = window_moments(tables, 0.0, horizon)
    stay = np.minimum(np.nan_to_num(bills["finished"], nan=horizon), horizon) - bills["introduced"]
    kind, outcome = stages["kind"], stages["outcome"]
    is_override = np.isin(stages["stage"], list(override_stages))
    out: dict[str, float | None] = {
        "laws_per_year": window["laws_per_year"],
        "bills_introduced_per_year": window["bills_introduced_per_year"],
        "passage_rate": _num(window["passage_rate"]),
        "lead_time_median_days": _num(window["lead_time_median_days"]),
        "lead_time_p90_days": _num(np.percentile(lead, 90)) if lead.size else None,
        "backlog_end": int((state == "pending").sum()),
        "vetoes": int(((kind == "sign") & (outcome == "return")).sum()),
        "overrides": int((is_override & (outcome == "pass")).sum()),
        "returns": int(((kind == "review") & (outcome == "return")).sum()),
        "mean_time_in_system_days": _num(stay.mean()) if stay.size else None,
        "mean_bills_in_system": float(occupancy_area / horizon),
    }
    metrics = dict(ENGINE)
    if len(kind):
        names, first, inverse = np.unique(stages["stage"], return_index=True, return_inverse=True)
        spent = stages["left"] - stages["entered"]
        for k in np.argsort(first, kind="stable"):  # stages in order of first appearance
            m = stage_time(str(names[k]))
            out[m.name] = _num(spent[inverse == k].mean())
            metrics[m.name] = m
    return out, metrics
