"""Metrics of one run, typed: each has a name, a plain label, a unit, which direction is better and a
group; each is declared next to the code that computes it.

This module declares the Metric type and the engine's metrics, and computes the latter from the
ledger's tables (``T`` is the horizon in days, years = T / 365):
- ``laws_per_year``: bills enacted / years; ``bills_introduced_per_year`` likewise;
- ``passage_rate``: enacted / (enacted + rejected), over bills whose fate was decided;
- ``lead_time_*``: days from introduction to enactment, over enacted bills;
- ``backlog_end``: bills still in the procedure at the horizon;
- ``vetoes``: laws returned by the head of state; ``overrides``: override votes won (an insistence
  on a version the second chamber amended is one; a veto overridden by two chambers is two);
  ``returns``: a reviewing chamber's rejections of laws back to the first chamber (a law it
  reviews twice may count twice);
- ``mean_time_in_system_days``: mean over all bills of time in the procedure, truncated at T;
- ``mean_bills_in_system``: the time average of the number of bills in the procedure, integrated
  by the engine as bills enter and leave. Little's law says it equals arrival rate x mean time.
- ``stage_<name>_mean_days``: mean time a bill spends in each stage per visit (one per stage);
- ``senate_returns_per_year``: the times a reviewing (second) chamber sent a law back to the first,
  rejected or with its own amendments, per year (per review, so a law reviewed twice may count
  twice); ``senate_amendments_per_year``: those sent back with amendments (both undefined without a
  reviewing chamber); ``overrides_per_year``: override votes
  won per year;
- ``committee_kill_rate``: share of committee decisions that held the bill (it never reached the
  floor); ``amendments_per_law``: amendments adopted (by committees, or a second chamber's accepted
  by the first) per law enacted;
- sessions (counted as the Kazakh sources count them, over the reporting periods, or else the
  regular sessions, that lie wholly in the run and open after its first year, which warms the model
  up from an empty parliament): ``adopted_share_of_considered``, bills parliament adopted in a period
  over the bills on its books during it (introduced before it closed and not finished before it
  opened);
  ``session_length_days``, days from a session's opening to its last vote; ``lapsed_per_year``;
- ``deputy_share_of_bills``: share of the bills introduced that deputies initiated;
- ``priority_within_deadline``: share of priority bills adopted within the priority deadline (over
  those introduced at least that long before the horizon).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.calendar import Session
from sim.engine.ledger import Column, Schema, Table, table
from sim.engine.parliament import ParliamentConf

#: Which way is better for a metric: higher, lower, or neither (a count to read, not to rank).
BETTER = ("higher", "lower", "none")
#: Groups of metrics, in the order tables and reports show them.
GROUPS = ("throughput", "speed", "procedure", "sessions", "stages", "responsiveness", "inclusion", "channels")


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
    signed: bool = False  # may be below 0 (none is now: counts, days, rates, ratios, distances)

    @property
    def share(self) -> bool:
        """Shares are shown as percentages (and their differences in percentage points)."""
        return self.unit == "share"

    @property
    def bounds(self) -> tuple[float, float]:
        """The values the measure can take: an interval of its mean is cut to them (a share's
        Student-t interval over 2 replications ran below 0%)."""
        if self.share:
            return (0.0, 1.0)
        return (-math.inf, math.inf) if self.signed else (0.0, math.inf)

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
        Metric(
            "lead_time_p90_days", "90th percentile of days from introduction to law", "days", "lower", "speed"
        ),
        Metric("backlog_end", "Bills still pending at the end", "bills", "lower", "throughput"),
        Metric("vetoes", "Laws returned by the President", "laws", "none", "procedure"),
        Metric("overrides", "Override votes won in the run", "votes", "none", "procedure"),
        Metric("returns", "Times the reviewing chamber rejected a law", "rejections", "none", "procedure"),
        Metric("mean_time_in_system_days", "Mean days a bill spends in Parliament", "days", "lower", "speed"),
        Metric(
            "mean_bills_in_system", "Bills in Parliament at any time (mean)", "bills", "none", "throughput"
        ),
    ]
)
#: The engine's metrics that every run of a parliament has.
CORE_KEYS = tuple(ENGINE)
#: Metrics of the mechanisms: the second chamber, committees, agenda, sessions.
MECHANISMS = registry(
    [
        Metric(
            "adopted_share_of_considered",
            "Share of the bills on the books in a period that Parliament adopted",
            "share",
            "higher",
            "throughput",
        ),
        Metric(
            "deputy_share_of_bills", "Share of bills initiated by deputies", "share", "none", "throughput"
        ),
        Metric(
            "lapsed_per_year",
            "Bills that lapsed at the end of a session or convocation",
            "bills / year",
            "lower",
            "throughput",
        ),
        Metric(
            "senate_returns_per_year",
            "Times the second chamber (Senate) sent a law back, rejected or amended",
            "returns / year",
            "none",
            "procedure",
        ),
        Metric(
            "senate_amendments_per_year",
            "Times the second chamber (Senate) sent a law back with its amendments",
            "returns / year",
            "none",
            "procedure",
        ),
        Metric("overrides_per_year", "Override votes won", "votes / year", "none", "procedure"),
        Metric(
            "committee_kill_rate",
            "Share of committee decisions that held the bill",
            "share",
            "none",
            "procedure",
        ),
        Metric("amendments_per_law", "Amendments adopted per law", "amendments / law", "none", "procedure"),
        Metric(
            "priority_within_deadline",
            "Share of priority bills adopted within their deadline",
            "share",
            "higher",
            "speed",
        ),
        Metric(
            "session_length_days",
            "Days from a session's opening to its last vote",
            "days",
            "none",
            "sessions",
        ),
    ]
)


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


#: Days that warm the model up from an empty parliament: periods opening earlier are not counted in
#: ``adopted_share_of_considered`` (a real parliament never starts with no bill on its books).
WARMUP_DAYS = 365.0


#: What :func:`window_moments` measures, in its order.
WINDOW_MOMENTS = ("laws_per_year", "passage_rate", "lead_time_median_days", "bills_introduced_per_year")


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
    values = (
        float(enacted.sum() / years),
        float(enacted.sum() / decided.sum()) if decided.any() else math.nan,
        float(np.median(lead)) if lead.size else math.nan,
        float(((intro >= start) & (intro < end)).sum() / years),
    )
    return dict(zip(WINDOW_MOMENTS, values, strict=True))


SESSIONS: Schema = (
    Column("session", "int", "session number, in order of opening"),
    Column("kind", "str", "regular or special session, or reporting period"),
    Column("opens", "float", "day it opened", "days from the calendar start"),
    Column("closes", "float", "day it closed (the end of its last day)", "days"),
    Column("complete", "bool", "the whole session lies within the run"),
    Column(
        "on_books",
        "int",
        "bills on the books during it: introduced before it closed, not finished before it opened",
    ),
    Column("introduced", "int", "bills introduced during it"),
    Column("adopted", "int", "bills Parliament adopted during it"),
    Column("lapsed", "int", "bills that lapsed at its end"),
    Column("last_vote", "float", "day of its last vote (NaN: none)", "days"),
)


def on_books(introduced: np.ndarray, finished: np.ndarray, start: float, end: float) -> np.ndarray:
    """Which bills were on the books during [start, end): introduced before it ended, not finished
    before it began (a bill still in the system has no finish: NaN)."""
    return (introduced < end) & ~(finished < start)


def session_table(tables: dict[str, Table], spans: Sequence[Session], horizon: float) -> Table:
    """One row per session: what was on the books, introduced, adopted and lapsed, and its last vote."""
    bills, votes = tables["bills"], tables["votes"]
    intro, fin, adopted = bills["introduced"], bills["finished"], bills["adopted"]
    lapsed = bills["state"] == "lapsed"
    rows = []
    for s in spans:
        during = (votes["time"] >= s.opens) & (votes["time"] < s.closes)
        rows.append(
            (
                s.number,
                s.kind,
                s.opens,
                s.closes,
                s.opens >= 0 and s.closes <= horizon,
                int(on_books(intro, fin, s.opens, s.closes).sum()),
                int(((intro >= s.opens) & (intro < s.closes)).sum()),
                int(((adopted >= s.opens) & (adopted < s.closes)).sum()),
                int((lapsed & (fin >= s.opens) & (fin <= s.closes)).sum()),
                float(votes["time"][during].max()) if during.any() else math.nan,
            )
        )
    return table(SESSIONS, rows)


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else None


def summarize(
    tables: dict[str, Table],
    horizon: float,
    occupancy_area: float,
    parliament: ParliamentConf,
    spans: Sequence[Session] = (),
) -> tuple[dict[str, float | None], dict[str, Metric]]:
    """The engine's summary metrics of one run (``None`` where undefined, e.g. no law) and their
    descriptions. Adds the ``sessions`` table to ``tables``."""
    override_stages = [n for n, s in parliament.stages.items() if s.override]
    bills, stages = tables["bills"], tables["stages"]
    state = bills["state"]
    lead = (bills["finished"] - bills["introduced"])[state == "enacted"]
    window = window_moments(tables, 0.0, horizon)
    stay = np.minimum(np.nan_to_num(bills["finished"], nan=horizon), horizon) - bills["introduced"]
    kind, outcome = stages["kind"], stages["outcome"]
    review = kind == "review"
    reviews = any(s.kind == "review" for s in parliament.stages.values())
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
        "returns": int((review & (outcome == "return")).sum()),
        "mean_time_in_system_days": _num(stay.mean()) if stay.size else None,
        "mean_bills_in_system": float(occupancy_area / horizon),
    }
    years = horizon / 365.0
    tables["sessions"] = sessions = session_table(tables, spans, horizon)
    regular = sessions["complete"] & (sessions["kind"] == "regular")
    periods = sessions["kind"] == "period"
    counted = sessions["complete"] & (periods if periods.any() else sessions["kind"] == "regular")
    counted &= sessions["opens"] >= WARMUP_DAYS
    considered = [
        a / b for a, b in zip(sessions["adopted"][counted], sessions["on_books"][counted], strict=True) if b
    ]
    deputies = [w for w, i in parliament.initiators.items() if i.deputies]
    enacted_ids = bills["bill"][state == "enacted"]
    amendments = tables["amendments"]
    adopted_amendments = amendments["adopted"] & np.isin(amendments["bill"], enacted_ids)
    deciding = [n for n, s in parliament.stages.items() if s.kind == "work" and s.committee and s.decides]
    decided = np.isin(stages["stage"], deciding)
    if decided.any():  # (outcomes are strings: compared only where a committee decided)
        decided[decided] = np.isin(outcome[decided], ["pass", "amend", "hold", "fail"])
    prio = bills["priority"] & (bills["introduced"] <= horizon - parliament.priority.deadline_days)
    in_time = (bills["adopted"] - bills["introduced"]) <= parliament.priority.deadline_days
    out.update(
        {
            "adopted_share_of_considered": _mean(considered),
            "deputy_share_of_bills": _num(np.isin(bills["initiator"], deputies).mean())
            if len(state)
            else None,
            "lapsed_per_year": float((state == "lapsed").sum() / years),
            # undefined for a procedure without a reviewing chamber (a unicameral one), not 0
            "senate_returns_per_year": float(np.isin(outcome[review], ["return", "amend"]).sum() / years)
            if reviews
            else None,
            "senate_amendments_per_year": float((outcome[review] == "amend").sum() / years)
            if reviews
            else None,
            "overrides_per_year": float((is_override & (outcome == "pass")).sum() / years),
            "committee_kill_rate": _num((outcome[decided] == "hold").mean()) if decided.any() else None,
            "amendments_per_law": _num(adopted_amendments.sum() / enacted_ids.size)
            if enacted_ids.size
            else None,
            "priority_within_deadline": _num((in_time & prio).sum() / prio.sum()) if prio.any() else None,
            "session_length_days": _mean(list(sessions["last_vote"][regular] - sessions["opens"][regular])),
        }
    )
    metrics = {**ENGINE, **MECHANISMS}
    if len(kind):
        names, first, inverse = np.unique(stages["stage"], return_index=True, return_inverse=True)
        spent = stages["left"] - stages["entered"]
        for k in np.argsort(first, kind="stable"):  # stages in order of first appearance
            m = stage_time(str(names[k]))
            out[m.name] = _num(spent[inverse == k].mean())
            metrics[m.name] = m
    return out, metrics
