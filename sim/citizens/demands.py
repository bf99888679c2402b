"""Demands: what a citizen group asks of the legislature on a topic, and when it was answered.

A demand record is (group, topic, position, intensity, emerged_at). It is answered by a bill when a
bill on its topic moves policy its way (closer to the demand's position than the status quo, and
within ``radius`` of it), and by a law when such a bill is enacted. A group has at most one live
demand per topic; the demand leaves the live set when a law answers it or when it lapses.
"""

from __future__ import annotations

import numpy as np

from sim.engine.ledger import Column, Schema, Table, from_columns

DEMANDS: Schema = (
    Column("demand", "int", "demand number, in order of emergence"),
    Column("group", "int", "citizen group that raised it (row of citizen_groups)"),
    Column("topic", "str", "policy topic"),
    Column("position", "float", "the position the group wants", "[-1, 1]"),
    Column("intensity", "float", "the group's salience of the topic when it emerged", "[0, 1]"),
    Column("emerged_at", "float", "day it emerged", "days from the calendar start"),
    Column("bill_at", "float", "day of the first bill that answered it (NaN: none)", "days"),
    Column("law_at", "float", "day of the law that answered it (NaN: none)", "days"),
    Column("bill", "int", "first bill that answered it (none: -1 in memory)", missing=-1),
    Column("law", "int", "law that answered it (none: -1 in memory)", missing=-1),
    Column("state", "str", "law, bill, lapsed or open"),
)


#: The record arrays and the value of a record not yet written.
_FILL = {
    "group": -1,
    "topic": -1,
    "position": 0.0,
    "intensity": 0.0,
    "emerged": 0.0,
    "bill_at": np.nan,
    "law_at": np.nan,
    "bill": -1,
    "law": -1,
    "lapsed": False,
}
_STATES = np.array(["law", "bill", "lapsed", "open"], dtype=object)
_NO_PAIRS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
#: Demands of one call up to which they are written one by one (numpy's per-call overhead).
FEW = 32


class DemandBook:
    """Demand records in growable arrays, plus the live demand of each pair: ``live[topic, group]``
    (topic-major, so that a bill's topic is one contiguous row)."""

    # One array per record field (see ``_FILL`` for each one's value before it is written).
    group: np.ndarray
    topic: np.ndarray
    position: np.ndarray
    intensity: np.ndarray
    emerged: np.ndarray
    bill_at: np.ndarray
    law_at: np.ndarray
    bill: np.ndarray
    law: np.ndarray
    lapsed: np.ndarray

    def __init__(self, groups: int, topics: int, radius: float, lifetime: float) -> None:
        self.radius = float(radius)
        self.lifetime = float(lifetime)
        self.live = np.full((topics, groups), -1, dtype=np.int64)
        self.live_position = np.full((topics, groups), np.nan)  # the live demand's position (NaN: none)
        self.n = 0
        self._unlapsed = 0  # demands before this one are past their lifetime (lapsed, or answered)
        cap = 1024
        for name, fill in _FILL.items():
            setattr(self, name, np.full(cap, fill))

    def _grow(self, need: int) -> None:
        cap = self.group.size
        if need <= cap:
            return
        new = max(need, 2 * cap)
        for name, fill in _FILL.items():
            old = getattr(self, name)
            arr = np.empty(new, dtype=old.dtype)
            arr[:cap] = old
            arr[cap:] = fill
            setattr(self, name, arr)

    def add(
        self, groups: np.ndarray, topics: np.ndarray, positions: np.ndarray, intensity: np.ndarray, now: float
    ) -> np.ndarray:
        """Record new demands; return their ids. A few (a day's, in a small population) are written
        one by one, more at once."""
        first = self.n
        self._grow(first + groups.size)
        if groups.size > FEW:
            sl = slice(first, first + groups.size)
            self.group[sl], self.topic[sl], self.position[sl] = groups, topics, positions
            self.intensity[sl], self.emerged[sl] = intensity, now
            ids = np.arange(first, sl.stop)
            self.live[topics, groups] = ids
            self.live_position[topics, groups] = positions
            self.n = sl.stop
            return ids
        rows = zip(groups.tolist(), topics.tolist(), positions.tolist(), intensity.tolist(), strict=True)
        group, topic, position, strength, emerged = (
            self.group,
            self.topic,
            self.position,
            self.intensity,
            self.emerged,
        )
        live, live_position = self.live, self.live_position
        for k, (g, t, p, i) in enumerate(rows, first):
            group[k], topic[k], position[k], strength[k], emerged[k] = g, t, p, i, now
            live[t, g], live_position[t, g] = k, p
        self.n = first + groups.size
        return np.arange(first, self.n)

    def _toward(self, topic: int, position: float, status_quo: float) -> tuple[np.ndarray, np.ndarray]:
        """(groups, demand ids) of the live demands on ``topic`` that a bill at ``position`` answers."""
        want = self.live_position[topic]  # NaN where no demand is live: never answered
        d = np.abs(position - want)
        ok = d < np.abs(status_quo - want)
        ok &= d <= self.radius
        groups = ok.nonzero()[0]
        return groups, self.live[topic, groups]

    def answer_bill(
        self, topic: int, position: float, status_quo: float, now: float, bill: int
    ) -> np.ndarray:
        """A bill was introduced: the live demands it answers get their first bill. Returns their ids."""
        _, ids = self._toward(topic, position, status_quo)
        ids = ids[np.isnan(self.bill_at[ids])]
        self.bill_at[ids] = now
        self.bill[ids] = bill
        return ids

    def answer_law(self, topic: int, position: float, status_quo: float, now: float, law: int) -> np.ndarray:
        """A law was enacted: the live demands it answers are closed. Returns the groups concerned."""
        groups, ids = self._toward(topic, position, status_quo)
        self.law_at[ids] = now
        self.law[ids] = law
        self.live[topic, groups] = -1
        self.live_position[topic, groups] = np.nan
        return groups

    def lapse(self, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Live demands older than the lifetime lapse (they stay in the records, unanswered).
        Returns the (groups, topics) of the demands that lapsed.

        Records are in order of emergence, so the demands that come of age since the last call
        are the next run of records: only they are looked at.
        """
        first, n, e = self._unlapsed, self.n, self.emerged
        end = first + int(np.searchsorted(e[first:n], now - self.lifetime, side="right"))
        while end > first and not now - e[end - 1] >= self.lifetime:  # exact at the boundary
            end -= 1
        while end < n and now - e[end] >= self.lifetime:
            end += 1
        if end == first:
            return _NO_PAIRS
        ids = np.arange(first, end)
        g, t = self.group[first:end], self.topic[first:end]
        live = self.live[t, g] == ids
        self.lapsed[ids[live]] = True
        self.live[t[live], g[live]] = -1
        self.live_position[t[live], g[live]] = np.nan
        self._unlapsed = end
        return g[live], t[live]

    def table(self, topic_names: list[str]) -> Table:
        """One row per demand, with its final state: ``law``, ``bill``, ``lapsed`` or ``open``."""
        n = self.n
        law, bill = ~np.isnan(self.law_at[:n]), ~np.isnan(self.bill_at[:n])
        state = _STATES[np.where(law, 0, np.where(bill, 1, np.where(self.lapsed[:n], 2, 3)))]
        return from_columns(
            DEMANDS,
            {
                "demand": np.arange(n, dtype=np.int64),
                "group": self.group[:n],
                "topic": np.asarray(topic_names, dtype=object)[self.topic[:n]],
                "position": self.position[:n],
                "intensity": self.intensity[:n],
                "emerged_at": self.emerged[:n],
                "bill_at": self.bill_at[:n],
                "law_at": self.law_at[:n],
                "bill": self.bill[:n],
                "law": self.law[:n],
                "state": state,
            },
        )
