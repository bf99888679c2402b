"""The offline path (the ``none`` baseline): receptions, letters and the press.

A demand reaches a deputy with probability ``reach``, after an exponential delay. The path is slow
and attenuated; it is recorded (how many demands, how late) but adds nothing to what deputies already
weigh in the baseline vote and initiative rules, so a scenario without digital channels keeps the
legislative draws of the engine unchanged (common random numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

OFFLINE_COLUMNS = ["channel", "demand", "group", "submitted", "reached"]


class OfflinePath:
    name = "offline"

    def __init__(self, spec: Any, rng: np.random.Generator) -> None:
        self.reach = float(spec.reach)
        self.delay = float(spec.delay_days)
        self.rng = rng
        self.rows: list[tuple] = []

    def submit(self, now: float, ids: np.ndarray, groups: np.ndarray) -> None:
        if not ids.size or self.reach <= 0:
            return
        rng = self.rng
        carried = (rng.random(ids.size) < self.reach).nonzero()[0]
        if not carried.size:
            return
        delays = rng.exponential(self.delay, carried.size) if self.delay > 0 else np.zeros(carried.size)
        for i, d in zip(carried.tolist(), delays.tolist(), strict=True):
            self.rows.append(("offline", int(ids[i]), int(groups[i]), now, now + d))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=OFFLINE_COLUMNS)

    def metrics(self, horizon: float) -> dict[str, float | None]:
        reached = sum(1 for r in self.rows if r[4] <= horizon)
        return {
            "submissions": len(self.rows),
            "listed": None,
            "threshold_reached": None,
            "answered": reached,
            "answered_late": None,
        }
