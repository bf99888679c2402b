"""Impact assessment (analytics) before committee stages: shorter reviews, fewer defects.

Every bill reaching a committee stage comes with an assessment: the committee's review takes
``1 - review_cut`` of its time, and from then on its work stages fail ``1 - defect_cut`` as often
(a draft not yet assessed, e.g. at the Government's conclusion, fails as before). Both parameters are
assumptions of ours (no platform publishes such numbers); they are there to be varied.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.engine.ledger import Bill, Column, Schema, Table, table
from sim.engine.parliament import StageConf


@dataclass
class AnalyticsConf:
    """Impact assessment before committee stages."""

    review_cut: float = 0.2  # committee review time cut by this share
    defect_cut: float = 0.3  # failures at work stages cut by this share


ASSESSMENTS: Schema = (
    Column("channel", "str", "channel name"),
    Column("bill", "int", "bill assessed (at its first committee stage)"),
)


class AnalyticsChannel:
    """A ``DraftEffect``: assessed bills spend less time in committee and fail less often."""

    kind = "analytics"
    schema = ASSESSMENTS

    def __init__(self, name: str, spec: AnalyticsConf) -> None:
        self.name, self.spec = name, spec
        self.assessed: dict[int, None] = {}  # bills assessed, in order

    def duration_factor(self, stage: StageConf, bill: Bill) -> float:
        if stage.kind == "work" and stage.committee:
            self.assessed.setdefault(bill.id)
            return 1.0 - self.spec.review_cut
        return 1.0

    def fail_factor(self, stage: StageConf, bill: Bill) -> float:
        """Fewer failures for an assessed bill (from its first committee stage on), not before."""
        return 1.0 - self.spec.defect_cut if bill.id in self.assessed else 1.0

    def veto_factor(self, bill: Bill) -> float:
        return 1.0

    def table(self) -> Table:
        return table(ASSESSMENTS, [(self.name, b) for b in self.assessed])

    def metrics(self, horizon: float) -> dict[str, float | None]:
        return {"submissions": len(self.assessed)}  # bills assessed
