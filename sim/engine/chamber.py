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
from agents.majority import Rule, reached, tally
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
        return len(self._heap) if self.by_rank else len(self._fifo)

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
        self._status_quo = status_quo
        self._effects = effects
        self._votes = votes
        self._amendments = amendments
        self._rng = rng

    def take_agenda(self) -> list[AgendaItem]:
        """The items voted at one sitting."""
        return self.agenda.take(self.agenda_capacity)

    def vote(self, items: list[AgendaItem], now: float) -> None:
        """Vote every question of a sitting at once: all deputies x all questions in one decision."""
        deputies, rng = self.deputies, self._rng
        bills = [it.bill for it in items]
        pos = np.array([b.position for b in bills])
        topic = np.array([b.topic for b in bills], dtype=np.int64)
        sq = self._status_quo[topic]
        # Each item puts one question; a review also asks whether the bill as rewritten carries.
        review = np.array([it.question == "review" for it in items])
        on_amendments = np.array([it.question == "amendments" for it in items])
        wants, rewritten = deputies.amend(pos)
        wants &= review
        proposed = np.array([b.amended for b in bills])
        position = np.where(on_amendments, proposed, pos)
        reference = np.where(on_amendments, pos, sq)
        gov = np.array([b.government for b in bills], dtype=bool) & ~on_amendments
        extra = np.flatnonzero(wants)  # the rewritten versions, as further columns
        position = np.concatenate([position, rewritten[extra]])
        reference = np.concatenate([reference, sq[extra]])
        gov = np.concatenate([gov, gov[extra]])
        topics = np.concatenate([topic, topic[extra]])
        signal = self._effects.signal(deputies, position, topics)
        yes = deputies.support(position, reference, gov, signal, rng)
        present = deputies.attend(yes.shape, rng)
        column_of_rewrite = {int(j): len(items) + k for k, j in enumerate(extra)}
        counts: dict[int, tuple[bool, int, int, int]] = {}
        by_rule: dict[tuple[Rule, float], list[int]] = {}
        for j, it in enumerate(items):
            q = it.quorum if it.quorum is not None else self.quorum
            by_rule.setdefault((it.rule, q), []).append(j)
            if j in column_of_rewrite:
                by_rule[(it.rule, q)].append(column_of_rewrite[j])
        for (rule, quorum), cols in by_rule.items():
            t = tally(yes[:, cols], present[:, cols], self.seats, rule, quorum)
            for k, c in enumerate(cols):
                counts[c] = (bool(t.passed[k]), int(t.yes[k]), int(t.no[k]), int(t.present[k]))
        for j, it in enumerate(items):
            passed, n_yes, n_no, n_present = counts[j]
            outcome = "pass" if passed else "fail"
            bill = it.bill
            if it.question == "review":
                rewrite = column_of_rewrite.get(j)
                if rewrite is not None and counts[rewrite][0]:
                    outcome = "amend"
                    passed, n_yes, n_no, n_present = counts[rewrite]
                    bill.amended = float(rewritten[j])
                    self._amendments.append(
                        Amendment(bill.id, it.stage, self.name, now, bill.position, bill.amended, False)
                    )
                elif not passed:
                    outcome = "return"
            elif it.question == "amendments" and passed:
                self._adopt_amendment(bill)
            elif not passed and it.reject_rule is not None:
                enough = reached(np.array([n_no]), np.array([n_present]), self.seats, it.reject_rule)
                outcome = "fail" if bool(enough[0]) else "return"
            self._votes.append(
                VoteRecord(bill.id, it.stage, self.name, it.question, now, n_yes, n_no, n_present, passed)
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
