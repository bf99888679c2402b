"""Demands: what a citizen group asks of the legislature on a topic, and when it was answered.

A demand record is (group, topic, position, intensity, emerged_at). It is answered by a bill when a
bill on its topic moves policy its way (closer to the demand's position than the status quo, and
within ``radius`` of it), and by a law when such a bill is enacted. A group has at most one live
demand per topic; the demand leaves the live set when a law answers it or when it lapses.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right

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


#: The record arrays of what becomes of a demand, and their value until it happens.
_FILL = {"bill_at": np.nan, "law_at": np.nan, "bill": -1, "law": -1, "lapsed": False}
_STATES = np.array(["law", "bill", "lapsed", "open"], dtype=object)
_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_PAIRS = (_NO_IDS, _NO_IDS)
#: Demands of one call up to which they are made live one by one (numpy's per-call overhead).
FEW = 32


class DemandBook:
    """Demand records, plus the live demand of each pair: ``live[topic, group]`` (topic-major, so
    that a bill's topic is one contiguous row).

    ``status_quo`` is the law in force on each topic: a bill answers a demand when it lies nearer the
    demand's position than that law, and within ``radius`` of it.
    """

    # What a demand is when it emerges: one typed Python array per field, appended to (a day brings
    # a few; numpy reads them whole at the end); ``pair`` is its (topic, group) pair as a flat index
    # of ``live``.
    group: array[int]
    topic: array[int]
    position: array[float]
    intensity: array[float]
    emerged: array[float]
    pair: array[int]
    # What becomes of it: one array per field (see ``_FILL`` for each one's value until then).
    bill_at: np.ndarray
    law_at: np.ndarray
    bill: np.ndarray
    law: np.ndarray
    lapsed: np.ndarray

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
        # Flat views of the pairs' arrays (indexed by ``pair``).
        self._by_pair = [a.reshape(-1) for a in (self.live, self.live_position, self._reach, self._unbilled)]
        self.n = 0
        self._unlapsed = 0  # demands before this one are past their lifetime (lapsed, or answered)
        self.group, self.topic, self.pair = array("q"), array("q"), array("q")
        self.position, self.intensity, self.emerged = array("d"), array("d"), array("d")
        cap = 1024
        for name, fill in _FILL.items():
            setattr(self, name, np.full(cap, fill))

    def _grow(self, need: int) -> None:
        cap = self.bill_at.size
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
        self, groups: list[int], topics: list[int], positions: list[float], intensity: list[float], now: float
    ) -> range:
        """Record a day's new demands (as :meth:`CitizenGroups.step` gives them); return their ids. A
        few (a day's, in a small population) are made live one by one, more at once."""
        first, k = self.n, len(groups)
        self.n = first + k
        self._grow(self.n)
        n = self._groups
        pairs = [b * n + a for a, b in zip(groups, topics, strict=True)]
        self.group.extend(groups)
        self.topic.extend(topics)
        self.position.extend(positions)
        self.intensity.extend(intensity)
        self.emerged.extend([now] * k)
        self.pair.extend(pairs)
        ids = range(first, self.n)
        live, live_position, reach, unbilled = self._by_pair
        if k > FEW:
            at, where = np.array(pairs), np.array(positions)
            live[at], live_position[at] = ids, where
            reach[at] = unbilled[at] = np.minimum(
                np.abs(self.status_quo[np.array(topics)] - where), self._radius_above
            )
            return ids
        sq, radius = self._status_quo, self._radius_above
        for i, at, topic, position in zip(ids, pairs, topics, positions, strict=True):
            live[at], live_position[at] = i, position
            reach[at] = unbilled[at] = min(abs(sq[topic] - position), radius)
        return ids

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
        live, live_position, reach, unbilled = self._by_pair
        live[pairs] = -1
        live_position[pairs] = reach[pairs] = unbilled[pairs] = np.nan

    def lapse(self, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Live demands older than the lifetime lapse (they stay in the records, unanswered).
        Returns the (groups, topics) of the demands that lapsed.

        Records are in order of emergence, so the demands that come of age since the last call
        are the next run of records: only they are looked at.
        """
        first, n, e = self._unlapsed, self.n, self.emerged
        end = bisect_right(e, now - self.lifetime, first, n)
        while end > first and not now - e[end - 1] >= self.lifetime:  # exact at the boundary
            end -= 1
        while end < n and now - e[end] >= self.lifetime:
            end += 1
        self._unlapsed = end
        live, pair = self._by_pair[0], self.pair
        ids = [k for k in range(first, end) if live.item(pair[k]) == k]
        if not ids:
            return _NO_PAIRS
        self.lapsed[ids] = True
        self._close(np.array([pair[k] for k in ids]))
        group, topic = self.group, self.topic
        return np.array([group[k] for k in ids]), np.array([topic[k] for k in ids])

    def table(self, topic_names: list[str]) -> Table:
        """One row per demand, with its final state: ``law``, ``bill``, ``lapsed`` or ``open``."""
        n = self.n
        law, bill = ~np.isnan(self.law_at[:n]), ~np.isnan(self.bill_at[:n])
        state = _STATES[np.where(law, 0, np.where(bill, 1, np.where(self.lapsed[:n], 2, 3)))]
        return from_columns(
            DEMANDS,
            {
                "demand": np.arange(n, dtype=np.int64),
                "group": self.group,
                "topic": np.asarray(topic_names, dtype=object)[np.asarray(self.topic)],
                "position": self.position,
                "intensity": self.intensity,
                "emerged_at": self.emerged,
                "bill_at": self.bill_at[:n],
                "law_at": self.law_at[:n],
                "bill": self.bill[:n],
                "law": self.law[:n],
                "state": state,
            },
        )
