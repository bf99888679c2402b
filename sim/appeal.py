"""Appeals to state bodies (e-Otinish): answered within a deadline, they raise attention to a topic.

A demand produces a batch of appeals with probability ``uptake`` x (share online and reading one of
the platform's languages); the batch stands for ``writers_share`` of the group's online people. Each
batch waits at the answering bodies' desk (finite capacity per working day); a misdirected one is
forwarded first (``forward_days`` working days). An answer after ``answer_days`` working days is
late; one after ``max_days`` calendar days is also overdue. Appeals are voice, and they raise the
attention deputies give to their topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.desk import Desk
from sim.reach import DigitalChannel

if TYPE_CHECKING:
    from sim.channels import Channels

APPEAL_COLUMNS = [
    "channel",
    "appeal",
    "demand",
    "group",
    "topic",
    "writers",
    "submitted",
    "misdirected",
    "answered",
    "late",
    "overdue",
]


class AppealChannel(DigitalChannel):
    def __init__(self, name: str, spec: Any, layer: Channels) -> None:
        super().__init__(name, spec, layer)
        pop = layer.population
        self.use = spec.uptake * self.able
        self.writers = spec.writers_share * pop.weight * pop.access
        self.desk = Desk(spec.capacity)
        self.rows: list[list[Any]] = []
        # Attention to a topic rises by ``attention_gain`` when its appeals reach ``full_share`` of
        # the population (the same yardstick as a group's voice).
        self.attention_per_writer = spec.attention_gain / (layer.spec.voice.full_share * pop.people)

    def submit(self, now: float, ids: np.ndarray, groups: np.ndarray, topics: np.ndarray) -> None:
        if not ids.size:
            return
        rng = self.rng
        used = rng.random(ids.size) < self.use[groups]
        wrong = rng.random(ids.size) < self.spec.misdirected_share
        sel = used.nonzero()[0]
        if not sel.size:
            return
        g, t = groups[sel], topics[sel]
        w = self.writers[g]
        first = len(self.rows)
        for k, row in enumerate(
            zip(ids[sel].tolist(), g.tolist(), t.tolist(), w.tolist(), wrong[sel].tolist(), strict=True),
            first,
        ):
            self.rows.append([self.name, k, *row[:4], now, row[4], np.nan, False, False])
            self.desk.put(k)
        voice = self.layer.voice
        voice.add(g, t, w)
        np.add.at(voice.topic_attention, t, w * self.attention_per_writer)

    def step(self, now: float, workday: bool) -> None:
        if not (workday and len(self.desk)):
            return
        spec, days = self.spec, self.layer.workdays
        for k in self.desk.serve():
            row = self.rows[k]
            done = days.after(now, spec.forward_days) if row[7] else now
            row[8] = done
            row[9] = done > days.after(row[6], spec.answer_days)
            row[10] = done > row[6] + spec.max_days

    def frame(self) -> pd.DataFrame:
        return self.named_topics(pd.DataFrame(self.rows, columns=APPEAL_COLUMNS))

    def metrics(self, horizon: float) -> dict[str, float | None]:
        rows = self.rows
        return {
            "submissions": len(rows),
            "listed": None,
            "threshold_reached": None,
            "answered": sum(1 for r in rows if r[8] <= horizon),
            "answered_late": sum(1 for r in rows if r[8] <= horizon and r[9]),
            "overdue": sum(1 for r in rows if r[8] <= horizon and r[10]),
        }
