"""A chamber in session: its deputies, its plenary sittings and its agenda.

At a sitting the chamber votes the items on its agenda, up to its agenda capacity: first come, first
served, or (with ``agenda_priority``) priority bills first, then the government's, then the rest.
Every deputy decides on every question of the sitting in one call to the deputies' decision rule;
then each item is counted by its stage's rule. A question is one of:

- ``bill``: the bill against the law in force. It passes by the rule; with a ``reject_rule`` a bill
  that does not pass is rejected only when enough members vote against it, and otherwise returns
  for more work;
- ``review``: a second chamber approves the bill, approves it with its own amendments (when its
  members want the bill rewritten and the rewritten bill carries), or rejects it;
- ``amendments``: the other chamber's amendments against the bill as it stands; when they carry, the
  bill takes them.

The outcome of each item resolves the event its bill is waiting on.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING

import numpy as np
import simpy

from agents.deputies import Deputies
from agents.majority import Rule, passes
from sim.engine.ledger import Amendment, Bill, VoteRecord

if TYPE_CHECKING:
    from sim.engine.effects import Effects


@dataclass
class AgendaItem:
    """A bill waiting for a plenary vote at ``stage``; ``cancelled`` when a deadline or the end of
    a session overtook it."""

    bill: Bill
    stage: str
    question: str
    rule: Rule
    quorum: float | None
    event: simpy.Event
    reject_rule: Rule | None = None
    cancelled: bool = False


class Agenda:
    """The items waiting for a sitting: in order of arrival, or by rank (priority, government,
    others) and then arrival."""

    def __init__(self, by_rank: bool) -> None:
        self.by_rank = by_rank
        self._fifo: deque[AgendaItem] = deque()
        self._heap: list[tuple[int, int, AgendaItem]] = []
        self._seq = count()

    def __len__(self) -> int:
        """Entries held, cancelled ones included until a sitting drops them (see :meth:`waiting`)."""
        return len(self._heap) if self.by_rank else len(self._fifo)

    def waiting(self) -> int:
        """Items still waiting for a vote (a lapsed bill's or an expired review's are not)."""
        held = (entry[2] for entry in self._heap) if self.by_rank else iter(self._fifo)
        return sum(not it.cancelled for it in held)

    def append(self, item: AgendaItem) -> None:
        if self.by_rank:
            heapq.heappush(self._heap, (item.bill.rank, next(self._seq), item))
        else:
            self._fifo.append(item)

    def take(self, capacity: int) -> list[AgendaItem]:
        """The next ``capacity`` items still waiting (cancelled items are dropped)."""
        items: list[AgendaItem] = []
        while len(self) and len(items) < capacity:
            it = heapq.heappop(self._heap)[2] if self.by_rank else self._fifo.popleft()
            if not it.cancelled:
                items.append(it)
        return items


class Chamber:
    def __init__(
        self,
        name: str,
        deputies: Deputies,
        *,
        quorum: float,
        agenda_capacity: int,
        agenda_priority: bool,
        sittings: np.ndarray,
        status_quo: np.ndarray,
        effects: Effects,
        votes: list[VoteRecord],
        amendments: list[Amendment],
        rng: np.random.Generator,
    ) -> None:
        self.name = name
        self.deputies = deputies
        self.seats = deputies.size
        self.quorum = float(quorum)
        self.agenda_capacity = int(agenda_capacity)
        self.sittings = sittings
        self.agenda = Agenda(agenda_priority)
        self._sq = [float(x) for x in status_quo]  # the law in force on each topic
        self._effects = effects
        self._votes = votes
        self._amendments = amendments
        self._rng = rng

    def take_agenda(self) -> list[AgendaItem]:
        """The items voted at one sitting."""
        return self.agenda.take(self.agenda_capacity)

    def vote(self, items: list[AgendaItem], now: float) -> None:
        """Vote every question of a sitting at once: all deputies x all questions in one decision.

        Each item puts one question (one column of the decision); a review whose members want the
        bill rewritten also asks whether the rewritten bill carries (a further column, after the
        items'). The columns are laid out item by item in Python (a sitting has a few items), the
        decision and the presence drawn over all of them at once, then each column counted.
        """
        deputies, rng, sq = self.deputies, self._rng, self._sq
        position, reference, gov, topic = [], [], [], []
        rewrites: list[tuple[int, float]] = []  # (item, the bill as the members would rewrite it)
        for j, it in enumerate(items):
            b = it.bill
            p, t = b.position, b.topic
            topic.append(t)
            if it.question == "amendments":  # the other chamber's text against the bill as it stands
                position.append(b.amended)
                reference.append(p)
                gov.append(False)
                continue
            position.append(p)
            reference.append(sq[t])
            gov.append(b.government)
            if it.question == "review":  # the members' own wording, put as a further question
                rewritten = deputies.amend(p)
                if rewritten is not None:
                    rewrites.append((j, rewritten))
        column_of_rewrite = {}
        for k, (j, rewritten) in enumerate(rewrites):
            column_of_rewrite[j] = len(items) + k
            position.append(rewritten)
            reference.append(sq[topic[j]])
            gov.append(gov[j])
            topic.append(topic[j])
        pos = np.array(position)
        signal = (
            self._effects.signal(deputies, pos, np.array(topic, dtype=np.int64))
            if self._effects.signals
            else None
        )
        yes = deputies.support(pos, np.array(reference), np.array(gov, dtype=bool), signal, rng)
        present = deputies.attend(yes.shape, rng)
        yes &= present
        n_yes = np.add.reduce(yes, axis=0).tolist()  # booleans count as integers
        n_present = np.add.reduce(present, axis=0).tolist()
        seats = self.seats
        for j, it in enumerate(items):
            quorum = it.quorum if it.quorum is not None else self.quorum
            y, n = n_yes[j], n_present[j]
            passed = passes(y, n, seats, it.rule, quorum)
            outcome = "pass" if passed else "fail"
            bill = it.bill
            if it.question == "review":
                rewrite = column_of_rewrite.get(j)
                if rewrite is not None and passes(n_yes[rewrite], n_present[rewrite], seats, it.rule, quorum):
                    outcome, passed = "amend", True
                    y, n = n_yes[rewrite], n_present[rewrite]
                    bill.amended = rewrites[rewrite - len(items)][1]
                    self._amendments.append(
                        Amendment(bill.id, it.stage, self.name, now, bill.position, bill.amended, False)
                    )
                elif not passed:
                    outcome = "return"
            elif it.question == "amendments" and passed:
                self._adopt_amendment(bill)
            elif not passed and it.reject_rule is not None:
                outcome = "fail" if passes(n - y, n, seats, it.reject_rule, quorum) else "return"
            self._votes.append(
                VoteRecord(bill.id, it.stage, self.name, it.question, now, y, n - y, n, passed)
            )
            it.event.succeed(outcome)

    def _adopt_amendment(self, bill: Bill) -> None:
        """The first chamber accepted the other's amendments: the bill takes them, and their record
        says so."""
        for i in range(len(self._amendments) - 1, -1, -1):
            a = self._amendments[i]
            if a.bill == bill.id and not a.adopted:
                self._amendments[i] = a._replace(adopted=True)
                break
        bill.position, bill.amended = bill.amended, math.nan
