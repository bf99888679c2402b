"""The offline path (the ``none`` baseline): receptions, letters and the press.

A demand reaches a deputy with probability ``reach``, after an exponential delay. The path is slow
and attenuated; it is recorded (how many demands, how late) but adds nothing to what deputies already
weigh in the baseline vote and initiative rules, so a scenario without digital channels keeps the
legislative draws of the engine unchanged (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.channels.base import median_days
from sim.engine.ledger import Column, Schema, Table, record, table


@dataclass
class OfflineConf:
    """The baseline path: receptions, letters, the press. Slow and attenuated."""

    reach: float = 0.05  # share of demands carried to a deputy
    delay_days: float = 120.0  # mean delay (exponential)


OFFLINE: Schema = (
    Column("channel", "str", "channel name (offline)"),
    Column("demand", "int", "demand carried (row of demands)"),
    Column("group", "int", "citizen group"),
    Column("submitted", "float", "day the demand emerged", "days"),
    Column("reached", "float", "day it reached a deputy", "days"),
)
Carried = record("Carried", OFFLINE)


class OfflinePath:
    name = "offline"
    kind = "offline"
    schema = OFFLINE

    def __init__(self, spec: OfflineConf, rng: np.random.Generator) -> None:
        self.reach = float(spec.reach)
        self.delay = float(spec.delay_days)
        self.rng = rng
        self.rows: list[Carried] = []

    def submit(self, now: float, ids: range, groups: list[int], topics: list[int]) -> None:
        if not ids or self.reach <= 0:
            return
        rng, reach = self.rng, self.reach
        # A day brings a few demands: their draws are compared one by one.
        carried = [i for i, u in enumerate(rng.random(len(ids)).tolist()) if u < reach]
        if not carried:
            return
        n = len(carried)
        delays = rng.exponential(self.delay, n).tolist() if self.delay > 0 else [0.0] * n
        for i, d in zip(carried, delays, strict=True):
            self.rows.append(Carried("offline", ids[i], groups[i], now, now + d))

    def step(self, now: float, workday: bool) -> None:
        """Nothing to serve: the path has no queue."""

    def table(self) -> Table:
        return table(OFFLINE, self.rows)

    def metrics(self, horizon: float) -> dict[str, float | None]:
        return {
            "submissions": len(self.rows),
            "answered": sum(1 for r in self.rows if r.reached <= horizon),
            "answer_median_days": median_days(
                (r.submitted for r in self.rows), (r.reached for r in self.rows), horizon
            ),
        }
