"""What a feedback channel is to the model: a small strategy object behind a declared interface.

A channel is given what it needs when it is made (the citizen groups, the demand book, the voice,
the working days, a way to table a bill, its own random stream) and never reaches back into the
model. Citizen-facing channels take in demands (``Intake``); mechanisms that act on drafts are
``DraftEffect``s (``sim.engine.effects``). Each returns its records as a typed table and its counts
as metrics named ``channel_<name>_<measure>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sim.engine.ledger import Schema, Table, rows, table
from sim.metrics import Metric

if TYPE_CHECKING:
    from agents.citizens import CitizenGroups
    from agents.voice import Voice
    from sim.citizens.demands import DemandBook
    from sim.engine.calendar import WorkDays


@dataclass(frozen=True)
class Citizens:
    """The citizen side a channel works with: the groups, their demands and their voice."""

    groups: CitizenGroups
    demands: DemandBook
    voice: Voice
    status_quo: np.ndarray
    workdays: WorkDays


class Channel(Protocol):
    """Every channel: a name, its records and its counts."""

    name: str
    kind: str
    schema: Schema

    def table(self) -> Table:
        """Its records, one row each."""
        ...

    def metrics(self, horizon: float) -> dict[str, float | None]:
        """Its counts up to the horizon, by measure (see ``MEASURES``)."""
        ...


class Intake(Channel, Protocol):
    """A channel that takes in citizens' demands and serves them day by day."""

    def submit(self, now: float, ids: range, groups: list[int], topics: list[int]) -> None:
        """Today's new demands (ids in the demand book, their groups and topics), in order."""
        ...

    def step(self, now: float, workday: bool) -> None:
        """One day of service."""
        ...


#: What a channel's counts measure: label and unit. A channel reports those that apply to it.
MEASURES: dict[str, tuple[str, str]] = {
    "submissions": ("submissions", "items"),
    "listed": ("published or listed", "items"),
    "threshold_reached": ("reached the signature threshold", "petitions"),
    "second_threshold": ("reached the second threshold", "petitions"),
    "answered": ("answered", "items"),
    "answered_late": ("answered after the deadline", "items"),
    "overdue": ("answered after the maximum time", "items"),
    "mean_quality": ("mean quality of drafts", "share"),
    "answer_median_days": ("median days to an answer", "days"),
    "became_bill": ("demands carried that any bill answered", "demands"),
    "became_law": ("demands carried that any law answered", "demands"),
    "law_median_days": ("median days from a carried demand to its law", "days"),
}


def channel_metric(channel: str, measure: str) -> Metric:
    """The metric of one count of one channel."""
    label, unit = MEASURES[measure]
    return Metric(
        f"channel_{channel}_{measure}",
        "{channel}: " + label,
        unit,
        "none",
        "channels",
        params=(("channel", channel), ("measure", measure)),
    )


def topic_table(records: Iterable[Any], schema: Schema, topic_names: list[str]) -> Table:
    """The table of filled records that hold their topic as an index, with the topic's name."""
    out = table(schema, rows(records, schema))
    out["topic"] = np.asarray(topic_names, dtype=object)[out["topic"].astype(np.int64)]
    return out


def median_days(start: Iterable[float], end: Iterable[float], horizon: float) -> float | None:
    """Median of ``end - start`` over the items that ended by the horizon (None: none did)."""
    a, b = np.asarray(list(start), dtype=float), np.asarray(list(end), dtype=float)
    done = b <= horizon  # NaN (not yet) is never <= horizon
    return float(np.median(b[done] - a[done])) if done.any() else None


def carried_outcomes(demand: np.ndarray, demands: Table) -> dict[str, float | None]:
    """What became of the demands a channel carried (``demand``: their ids, rows of ``demands``):
    how many a bill answered (a law is a bill: one already under way when the demand arose counts when
    it is enacted), how many a law, and the median days from demand to law."""
    ids = np.unique(np.asarray(demand, dtype=np.int64))
    law_at = demands["law_at"][ids]
    law = ~np.isnan(law_at)
    days = law_at[law] - demands["emerged_at"][ids][law]
    return {
        "became_bill": int(((~np.isnan(demands["bill_at"][ids])) | law).sum()),
        "became_law": int(law.sum()),
        "law_median_days": float(np.median(days)) if days.size else None,
    }


def count(rows: Any, test: Callable[[Any], bool]) -> int:
    """How many of ``rows`` pass ``test``."""
    return sum(1 for r in rows if test(r))
