"""Public consultation of drafts (the Open legal acts portal): comments make better drafts.

Every new bill is open for comments for ``window_days`` working days. Comments are Poisson with a
mean of ``comment_rate`` per working day per million people who are online, read one of the portal's
languages and care about the topic (salience). A draft's quality ``q = c / (c + half_quality_comments)``
in [0, 1) then cuts failures at work stages (``fail_cut``), widens the head of state's tolerance
(fewer vetoes, ``veto_gain``) and moves the draft towards the commenters' view (``position_pull``),
which also changes how deputies and a second chamber vote on it (fewer returns and navette rounds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agents.citizens import CitizenGroups
from sim.channels.audience import Audience, AudienceConf
from sim.engine.ledger import Bill, Column, Schema, Table, record, table
from sim.engine.parliament import StageConf


@dataclass
class ConsultationConf(AudienceConf):
    """Public discussion of every draft: comments from those online and able to read it."""

    window_days: float = 10.0  # working days open for comments
    comment_rate: float = 0.05  # comments per working day per million salient online people (as the preset)
    half_quality_comments: float = 5.0  # comments that take a draft halfway to its best
    fail_cut: float = 0.3  # failures at work stages cut by this much at full quality
    veto_gain: float = 0.2  # head of state's tolerance widened by this much at full quality
    position_pull: float = 0.3  # draft moved this far towards commenters' view at full quality


CONSULTATIONS: Schema = (
    Column("channel", "str", "channel name"),
    Column("bill", "int", "the draft (bill number)"),
    Column("topic", "str", "policy topic"),
    Column("published", "float", "day published for comments", "days"),
    Column("comments", "int", "comments received", "comments"),
    Column("quality", "float", "the draft's quality after the discussion", "[0, 1)"),
    Column("moved", "float", "how far the draft moved towards the commenters' view", "position"),
)
Consulted = record("Consulted", CONSULTATIONS)


class ConsultationChannel:
    """A channel of drafts, not of demands: it acts on every new bill (a ``DraftEffect``)."""

    kind = "consultations"
    schema = CONSULTATIONS

    def __init__(
        self,
        name: str,
        spec: ConsultationConf,
        groups: CitizenGroups,
        clock: Callable[[], float],
        rng: np.random.Generator,
    ) -> None:
        self.name, self.spec, self.groups, self.clock, self.rng = name, spec, groups, clock, rng
        self.able_people = Audience.of(groups, spec).people
        self.quality: dict[int, float] = {}
        self.rows: list[Consulted] = []

    def introduced(self, bill: Bill) -> None:
        """A new draft is published: comments come in, its quality and position follow."""
        spec = self.spec
        total, view = self._audience(bill.topic)
        mean = spec.comment_rate * spec.window_days * total / 1e6
        comments = int(self.rng.poisson(mean))
        q = comments / (comments + spec.half_quality_comments)
        view = view if total > 0 else bill.position
        moved = spec.position_pull * q * (view - bill.position)
        bill.position = min(max(bill.position + moved, -1.0), 1.0)
        self.quality[bill.id] = q
        self.rows.append(Consulted(self.name, bill.id, bill.topic_name, self.clock(), comments, q, moved))

    def _audience(self, topic: int) -> tuple[float, float]:
        """Today's salient online readers of a draft on ``topic``: their number, and their
        salience-weighted mean preferred position."""
        groups = self.groups
        care = self.able_people * groups.salience_on(topic)
        total = float(care.sum())
        # The column of ``pref`` (strided), as ever: a contiguous copy would change the dot's sums.
        return total, float(care @ groups.pref[:, topic]) / total if total > 0 else 0.0

    def duration_factor(self, stage: StageConf, bill: Bill) -> float:
        return 1.0

    def fail_factor(self, stage: StageConf, bill: Bill) -> float:
        return 1.0 - self.spec.fail_cut * self.quality.get(bill.id, 0.0)

    def veto_factor(self, bill: Bill) -> float:
        return 1.0 + self.spec.veto_gain * self.quality.get(bill.id, 0.0)

    def table(self) -> Table:
        return table(CONSULTATIONS, self.rows)

    def metrics(self, horizon: float) -> dict[str, float | None]:
        rows = self.rows
        return {
            "submissions": int(sum(r.comments for r in rows)),  # comments
            "listed": len(rows),  # drafts published
            "answered": sum(1 for r in rows if r.comments > 0),  # drafts with a discussion report
            "mean_quality": float(np.mean([r.quality for r in rows])) if rows else None,
        }
