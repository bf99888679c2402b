"""Impact assessment (analytics) before committee stages: shorter reviews, fewer defects.

Every bill reaching a committee stage comes with an assessment: the committee's review takes
``1 - review_cut`` of its time, and work stages fail ``1 - defect_cut`` as often. Both parameters are
assumptions of ours (no platform publishes such numbers); they are there to be varied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.ledger import Bill
    from sim.procedure import Stage


class AnalyticsChannel:
    def __init__(self, name: str, spec: Any) -> None:
        self.name, self.spec = name, spec
        self.assessed: set[int] = set()

    def duration_factor(self, stage: Stage, bill: Bill) -> float:
        if stage.kind == "work" and stage.spec.committee:
            self.assessed.add(bill.id)
            return 1.0 - self.spec.review_cut
        return 1.0

    def fail_factor(self, stage: Stage, bill: Bill) -> float:
        return 1.0 - self.spec.defect_cut

    def metrics(self, horizon: float) -> dict[str, float | None]:
        return {
            "submissions": len(self.assessed),  # bills assessed
            "listed": None,
            "threshold_reached": None,
            "answered": None,
            "answered_late": None,
        }
