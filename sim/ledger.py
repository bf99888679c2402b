"""The run's raw output: tidy records per bill, per stage visit and per vote.

Records are appended as tuples while the simulation runs (cheap) and turned into pandas frames once
at the end. Every bill introduced appears in ``bills`` exactly once, with its final ``state``
(``enacted``, ``rejected`` or ``pending`` when the horizon came first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BILL_COLUMNS = [
    "bill",
    "initiator",
    "topic",
    "position",
    "complexity",
    "government",
    "introduced",
    "state",
    "finished",
]
STAGE_COLUMNS = ["bill", "stage", "kind", "visit", "entered", "left", "outcome"]
VOTE_COLUMNS = ["bill", "stage", "chamber", "time", "yes", "no", "present", "passed"]


@dataclass(slots=True)
class Bill:
    id: int
    initiator: str
    topic: int
    topic_name: str
    position: float
    complexity: float
    government: bool
    introduced: float
    start: str
    state: str = "pending"
    finished: float = float("nan")


class Ledger:
    def __init__(self) -> None:
        self.bills: list[Bill] = []
        self.stages: list[tuple] = []
        self.votes: list[tuple] = []

    def introduce(self, bill: Bill) -> None:
        self.bills.append(bill)

    def stage(
        self, bill: int, stage: str, kind: str, visit: int, entered: float, left: float, outcome: str
    ) -> None:
        self.stages.append((bill, stage, kind, visit, entered, left, outcome))

    def vote(
        self, bill: int, stage: str, chamber: str, time: float, yes: int, no: int, present: int, passed: bool
    ) -> None:
        self.votes.append((bill, stage, chamber, time, yes, no, present, passed))

    def frames(self) -> dict[str, pd.DataFrame]:
        """The records as tidy data frames (one row per bill, per stage visit, per vote)."""
        bills = pd.DataFrame(
            [
                (
                    b.id,
                    b.initiator,
                    b.topic_name,
                    b.position,
                    b.complexity,
                    b.government,
                    b.introduced,
                    b.state,
                    b.finished,
                )
                for b in self.bills
            ],
            columns=BILL_COLUMNS,
        )
        stages = pd.DataFrame(self.stages, columns=STAGE_COLUMNS)
        votes = pd.DataFrame(self.votes, columns=VOTE_COLUMNS)
        for df, ints in (
            (bills, ["bill"]),
            (stages, ["bill", "visit"]),
            (votes, ["bill", "yes", "no", "present"]),
        ):
            for c in ints:
                df[c] = df[c].astype(np.int64)
        return {"bills": bills, "stages": stages, "votes": votes}
