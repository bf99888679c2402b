"""Demands: what a citizen group asks of the legislature on a topic, and when it was answered.

A demand record is (group, topic, position, intensity, emerged_at). It is answered by a bill when a
bill on its topic moves policy its way (closer to the demand's position than the status quo, and
within ``radius`` of it), and by a law when such a bill is enacted. A group has at most one live
demand per topic; the demand leaves the live set when a law answers it or when it lapses.
"""

from __future__ import annotations

import math

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
    "pair": -1,
}
_STATES = np.array(["law", "bill", "lapsed", "open"], dtype=object)
_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_PAIRS = (_NO_IDS, _NO_IDS)
#: Demands of one call up to which they are written one by one (numpy's per-call overhead).
FEW = 32


class DemandBook:
    """Demand records in growable arrays, plus the live demand of each pair: ``live[topic, group]``
    (topic-major, so that a bill's topic is one contiguous row).

    ``status_quo`` is the law in force on each topic: a bill answers a demand when it lies nearer the
    demand's position than that law, and within ``radius`` of it.
    """

    # One array per record field (see ``_FILL`` for each one's value before it is written); ``pair``
    # is the record's (topic, group) pair as a flat index of ``live``.
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
    pair: np.ndarray

    def __init__(
        self, groups: int, topics: int, radius: float, lifetime: float, status_quo: np.ndarray
    ) -> None:
        self.radius = float(radius)
        self.lifetime = float(lifetime)
        self.status_quo = np.asarray(status_quo, dtype=float)
        self._status_quo = self.status_quo.tolist()
        self._groups = groups
        self.live = np.full((topics, groups), -1, dtype=np.int64)
        self.live_position = np.full((topics, groups), np.nan)  # the live demand's position (NaN: none)
        # How near a bill must come to a live demand's position to answer it: strictly nearer than
        # this, which is the law in force's distance, capped just above the radius (so that a bill
        # at the radius answers). NaN where no demand is live; in ``_unbilled``, also where the live
        # demand already has its first bill. Each test of a bill is then one comparison.
        self._radius_above = math.nextafter(self.radius, math.inf)
        self._reach = np.full((topics, groups), np.nan)
        self._unbilled = np.full((topics, groups), np.nan)
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
            self.pair[sl] = topics * self._groups + groups
            ids = np.arange(first, sl.stop)
            self.live[topics, groups] = ids
            self.live_position[topics, groups] = positions
            reach = np.minimum(np.abs(self.status_quo[topics] - positions), self._radius_above)
            self._reach[topics, groups] = self._unbilled[topics, groups] = reach
            self.n = sl.stop
            return ids
        rows = zip(groups.tolist(), topics.tolist(), positions.tolist(), intensity.tolist(), strict=True)
        group, topic, position, strength, emerged, pair = (
            self.group,
            self.topic,
            self.position,
            self.intensity,
            self.emerged,
            self.pair,
        )
        live, live_position, reach, unbilled = self.live, self.live_position, self._reach, self._unbilled
        sq, radius, n = self._status_quo, self._radius_above, self._groups
        for k, (g, t, p, i) in enumerate(rows, first):
            group[k], topic[k], position[k], strength[k], emerged[k], pair[k] = g, t, p, i, now, t * n + g
            live[t, g], live_position[t, g] = k, p
            reach[t, g] = unbilled[t, g] = min(abs(sq[t] - p), radius)
        self.n = first + groups.size
        return np.arange(first, self.n)

    def _toward(self, reach: np.ndarray, topic: int, position: float) -> np.ndarray:
        """The groups whose live demand on ``topic`` a bill at ``position`` answers, among those
        with a finite ``reach``."""
        near = np.abs(position - self.live_position[topic])
        return (near < reach[topic]).nonzero()[0]  # NaN: never answered

    def answer_bill(self, topic: int, position: float, now: float, bill: int) -> np.ndarray:
        """A bill was introduced: the live demands it answers get their first bill. Returns their ids."""
        groups = self._toward(self._unbilled, topic, position)
        if not groups.size:
            return _NO_IDS
        ids = self.live[topic, groups]
        self.bill_at[ids] = now
        self.bill[ids] = bill
        self._unbilled[topic, groups] = np.nan
        return ids

    def answer_law(self, topic: int, position: float, now: float, law: int) -> np.ndarray:
        """A law was enacted: the live demands it answers are closed. Returns the groups concerned."""
        groups = self._toward(self._reach, topic, position)
        if not groups.size:
            return groups
        ids = self.live[topic, groups]
        self.law_at[ids] = now
        self.law[ids] = law
        self._close(topic * self._groups + groups)
        return groups

    def _close(self, pairs: np.ndarray) -> None:
        """These pairs' live demands leave the live set."""
        self.live.ravel()[pairs] = -1
        for arr in (self.live_position, self._reach, self._unbilled):
            arr.ravel()[pairs] = np.nan

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
        self._unlapsed = end
        pairs = self.pair[first:end]
        live = self.live.ravel()[pairs] == np.arange(first, end)
        self.lapsed[first:end] = live  # each record comes of age once
        self._close(pairs[live])
        return self.group[first:end][live], self.topic[first:end][live]

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
