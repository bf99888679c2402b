"""Public consultation of drafts (the Open legal acts portal): comments make better drafts.

Every new bill is open for comments for ``window_days`` working days. Comments are Poisson with a
mean of ``comment_rate`` per working day per million people who are online, read one of the portal's
languages and care about the topic (salience). A draft's quality ``q = c / (c + half_quality_comments)``
in [0, 1) then cuts failures at work stages (``fail_cut``), widens the head of state's tolerance
(fewer vetoes, ``veto_gain``) and moves the draft towards the commenters' view (``position_pull``),
which also changes how deputies and a second chamber vote on it (fewer returns and navette rounds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.reach import DigitalChannel

if TYPE_CHECKING:
    from sim.channels import Channels
    from sim.ledger import Bill
    from sim.procedure import Stage

CONSULTATION_COLUMNS = ["channel", "bill", "topic", "published", "comments", "quality", "moved"]


class ConsultationChannel(DigitalChannel):
    def __init__(self, name: str, spec: Any, layer: Channels) -> None:
        super().__init__(name, spec, layer)
        self.quality: dict[int, float] = {}
        self.rows: list[tuple] = []

    def on_introduce(self, bill: Bill) -> None:
        spec, pop = self.spec, self.layer.population
        care = self.able_people * pop.salience[:, bill.topic]
        total = care.sum()
        mean = spec.comment_rate * spec.window_days * total / 1e6
        comments = int(self.rng.poisson(mean))
        q = comments / (comments + spec.half_quality_comments)
        view = float(care @ pop.pref[:, bill.topic] / total) if total > 0 else bill.position
        moved = spec.position_pull * q * (view - bill.position)
        bill.position = min(max(bill.position + moved, -1.0), 1.0)
        self.quality[bill.id] = q
        self.rows.append((self.name, bill.id, bill.topic_name, self.layer.model.env.now, comments, q, moved))

    def fail_factor(self, stage: Stage, bill: Bill) -> float:
        return 1.0 - self.spec.fail_cut * self.quality.get(bill.id, 0.0)

    def veto_factor(self, bill: Bill) -> float:
        return 1.0 + self.spec.veto_gain * self.quality.get(bill.id, 0.0)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=CONSULTATION_COLUMNS)

    def metrics(self, horizon: float) -> dict[str, float | None]:
        return {
            "submissions": int(sum(r[4] for r in self.rows)),  # comments
            "listed": len(self.rows),  # drafts published
            "threshold_reached": None,
            "answered": sum(1 for r in self.rows if r[4] > 0),  # drafts with a discussion report
            "answered_late": None,
            "mean_quality": float(np.mean([r[5] for r in self.rows])) if self.rows else None,
        }
