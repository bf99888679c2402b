"""Demands: what a citizen group asks of the legislature on a topic, and when it was answered.

A demand record is (group, topic, position, intensity, emerged_at). It is answered by a bill when a
bill on its topic moves policy its way (closer to the demand's position than the status quo, and
within ``radius`` of it), and by a law when such a bill is enacted. A group has at most one live
demand per topic; the demand leaves the live set when a law answers it or when it lapses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEMAND_COLUMNS = [
    "demand",
    "group",
    "topic",
    "position",
    "intensity",
    "emerged_at",
    "bill_at",
    "law_at",
    "bill",
    "law",
    "state",
]


class DemandBook:
    """Demand records in growable arrays, plus the live demand of each (group, topic) pair."""

    def __init__(self, groups: int, topics: int, radius: float, lifetime: float) -> None:
        self.radius = float(radius)
        self.lifetime = float(lifetime)
        self.live = np.full((groups, topics), -1, dtype=np.int64)
        self.n = 0
        cap = 1024
        self.group = np.zeros(cap, dtype=np.int64)
        self.topic = np.zeros(cap, dtype=np.int64)
        self.position = np.zeros(cap)
        self.intensity = np.zeros(cap)
        self.emerged = np.zeros(cap)
        self.bill_at = np.full(cap, np.nan)
        self.law_at = np.full(cap, np.nan)
        self.bill = np.full(cap, -1, dtype=np.int64)
        self.law = np.full(cap, -1, dtype=np.int64)
        self.lapsed = np.zeros(cap, dtype=bool)

    def _grow(self, need: int) -> None:
        cap = self.group.size
        if need <= cap:
            return
        new = max(need, 2 * cap)
        for name in ("group", "topic", "position", "intensity", "emerged", "bill", "law", "lapsed"):
            old = getattr(self, name)
            arr = np.full(new, -1 if old.dtype == np.int64 else 0, dtype=old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)
        for name in ("bill_at", "law_at"):
            arr = np.full(new, np.nan)
            arr[:cap] = getattr(self, name)
            setattr(self, name, arr)

    def add(
        self, groups: np.ndarray, topics: np.ndarray, positions: np.ndarray, intensity: np.ndarray, now: float
    ) -> np.ndarray:
        """Record new demands; return their ids."""
        k = groups.size
        ids = np.arange(self.n, self.n + k)
        self._grow(self.n + k)
        sl = slice(self.n, self.n + k)
        self.group[sl], self.topic[sl], self.position[sl] = groups, topics, positions
        self.intensity[sl], self.emerged[sl] = intensity, now
        self.live[groups, topics] = ids
        self.n += k
        return ids

    def _toward(self, topic: int, position: float, status_quo: float) -> tuple[np.ndarray, np.ndarray]:
        """(groups, demand ids) of the live demands on ``topic`` that a bill at ``position`` answers."""
        col = self.live[:, topic]
        groups = np.flatnonzero(col >= 0)
        ids = col[groups]
        want = self.position[ids]
        d = np.abs(position - want)
        ok = (d < np.abs(status_quo - want)) & (d <= self.radius)
        return groups[ok], ids[ok]

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
        self.live[groups, topic] = -1
        return groups

    def lapse(self, now: float) -> None:
        """Live demands older than the lifetime lapse (they stay in the records, unanswered)."""
        g, t = np.nonzero(self.live >= 0)
        ids = self.live[g, t]
        old = now - self.emerged[ids] >= self.lifetime
        self.lapsed[ids[old]] = True
        self.live[g[old], t[old]] = -1

    def frame(self, topic_names: list[str]) -> pd.DataFrame:
        """One row per demand, with its final state: ``law``, ``bill``, ``lapsed`` or ``open``."""
        n = self.n
        law, bill = ~np.isnan(self.law_at[:n]), ~np.isnan(self.bill_at[:n])
        state = np.where(law, "law", np.where(bill, "bill", np.where(self.lapsed[:n], "lapsed", "open")))
        return pd.DataFrame(
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
            columns=DEMAND_COLUMNS,
        )
