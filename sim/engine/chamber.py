"""A chamber in session: its deputies, its plenary sittings and its agenda.

At a sitting the chamber votes the items on its agenda, first come, first served, up to its agenda
capacity: every deputy on every bill in one call to its deputies' decision rule, then one count per
majority rule. The outcome of each item resolves the event its bill is waiting on.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from agents.deputies import Deputies
from agents.majority import Rule, tally
from sim.engine.ledger import Bill, VoteRecord

if TYPE_CHECKING:
    from sim.engine.effects import Effects


@dataclass
class AgendaItem:
    """A bill waiting for a plenary vote at ``stage`` (its name, rule and quorum); ``cancelled``
    when a review deadline overtook it."""

    bill: Bill
    stage: str
    rule: Rule
    quorum: float | None
    event: simpy.Event
    cancelled: bool = False


class Chamber:
    def __init__(
        self,
        name: str,
        deputies: Deputies,
        *,
        quorum: float,
        agenda_capacity: int,
        sittings: np.ndarray,
        status_quo: np.ndarray,
        effects: Effects,
        votes: list[VoteRecord],
        rng: np.random.Generator,
    ) -> None:
        self.name = name
        self.deputies = deputies
        self.seats = deputies.size
        self.quorum = float(quorum)
        self.agenda_capacity = int(agenda_capacity)
        self.sittings = sittings
        self.agenda: deque[AgendaItem] = deque()
        self._status_quo = status_quo
        self._effects = effects
        self._votes = votes
        self._rng = rng

    def take_agenda(self) -> list[AgendaItem]:
        """The items voted at one sitting: first come, first served, up to the agenda capacity."""
        items: list[AgendaItem] = []
        while self.agenda and len(items) < self.agenda_capacity:
            it = self.agenda.popleft()
            if not it.cancelled:
                items.append(it)
        return items

    def vote(self, items: list[AgendaItem], now: float) -> None:
        """Vote every item of a sitting at once: all deputies x all bills in one decision."""
        bills = [it.bill for it in items]
        pos = np.array([b.position for b in bills])
        topic = np.array([b.topic for b in bills], dtype=np.int64)
        gov = np.array([b.government for b in bills], dtype=bool)
        deputies, rng = self.deputies, self._rng
        signal = self._effects.signal(deputies, pos, topic)
        yes = deputies.support(pos, self._status_quo[topic], gov, signal, rng)
        present = deputies.attend(yes.shape, rng)
        by_rule: dict[tuple[Rule, float], list[int]] = {}
        for j, it in enumerate(items):
            q = it.quorum if it.quorum is not None else self.quorum
            by_rule.setdefault((it.rule, q), []).append(j)
        for (rule, quorum), cols in by_rule.items():
            t = tally(yes[:, cols], present[:, cols], self.seats, rule, quorum)
            for k, j in enumerate(cols):
                it = items[j]
                passed = bool(t.passed[k])
                self._votes.append(
                    VoteRecord(
                        it.bill.id,
                        it.stage,
                        self.name,
                        now,
                        int(t.yes[k]),
                        int(t.no[k]),
                        int(t.present[k]),
                        passed,
                    )
                )
                it.event.succeed("pass" if passed else "fail")
