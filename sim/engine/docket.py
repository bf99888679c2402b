"""The docket: the bills before parliament, from introduction until they are enacted, rejected or
lapse.

It numbers new drafts, introduces them when introduction is open (a draft made after a session's
introduction deadline waits for the next session), walks each bill through the procedure (a SimPy
process per bill: stage by stage, each stage's handler returning an outcome whose transition names
the next stage), lapses the bills not yet adopted when a session or a convocation ends with lapse,
and integrates the number of bills in the system over time (the engine's side of Little's law).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import simpy

from sim.engine.ledger import Bill, Ledger, StageVisit
from sim.engine.parliament import OUTCOMES, TERMINALS, adopting

_TERMINALS = frozenset(TERMINALS)
#: A stage visit's record from its fields in order (the named tuple made without its Python-level
#: constructor: one is made per stage a bill goes through).
_visit = partial(tuple.__new__, StageVisit)

if TYPE_CHECKING:
    from sim.engine.calendar import Introduction
    from sim.engine.effects import Effects
    from sim.engine.stages import StageHandler


class Docket:
    def __init__(
        self,
        env: simpy.Environment,
        ledger: Ledger,
        effects: Effects,
        topic_names: list[str],
        stages: Mapping[str, StageHandler],
        introduction: Introduction,
    ) -> None:
        self.env, self.ledger, self.effects = env, ledger, effects
        self.topic_names = topic_names
        self.stages = stages
        # Each stage's handler, kind, bound on visits, next stage by outcome and whether entering it
        # means parliament has adopted the bill, looked up once.
        adopts = adopting({name: h.conf for name, h in stages.items()})
        self._route = {
            name: (
                h,
                h.conf.kind,
                h.conf.max_rounds,
                {o: h.conf.next(o) for o in OUTCOMES},
                name in adopts,
            )
            for name, h in stages.items()
        }
        self.introduction = introduction
        self._always_open = introduction.always_open
        self.in_system = 0
        self.enacted = 0
        self.rejected = 0
        self.lapsed = 0
        self.area = 0.0
        self.live: dict[int, tuple[Bill, simpy.Process]] = {}  # bills walking, by number
        self.waiting: list[Bill] = []  # drafts waiting for introduction to open again
        self._reopening: set[float] = set()
        self._last_change = 0.0
        self._next_id = 0

    def introduce(
        self,
        initiator: str,
        topic: int,
        position: float,
        complexity: float,
        government: bool,
        start: str,
        priority: bool = False,
    ) -> Bill:
        """A new draft: it enters the procedure at stage ``start`` now, or when introduction opens."""
        now = self.env.now
        bill = Bill(
            id=self._next_id,
            initiator=initiator,
            topic=topic,
            topic_name=self.topic_names[topic],
            position=position,
            complexity=complexity,
            government=government,
            introduced=math.nan,  # when introduction opens (now, or when it reopens)
            start=start,
            priority=priority,
            drafted=now,
        )
        self._next_id += 1
        reopens = None if self._always_open else self.introduction.reopens(now)
        if reopens is None:
            self._table(bill)
        else:
            self.waiting.append(bill)
            if reopens not in self._reopening:
                self._reopening.add(reopens)
                self.env.process(self._reopen(reopens))
        return bill

    def _reopen(self, at: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(at - self.env.now)
        self._reopening.discard(at)
        waiting, self.waiting = self.waiting, []
        for bill in waiting:
            self._table(bill)

    def _table(self, bill: Bill) -> None:
        """``bill`` is introduced: it is on the books and starts its walk."""
        env = self.env
        bill.introduced = env.now
        self._count(1)
        if self.effects.introduced:
            for hear in self.effects.introduced:
                hear(bill)
        self.ledger.bills.append(bill)
        self.live[bill.id] = (bill, env.process(self.walk(bill)))

    def walk(self, bill: Bill) -> Generator[Any, Any, None]:
        """Walk ``bill`` through the procedure until it is enacted, rejected or lapses."""
        env, record, route, terminals = self.env, self.ledger.stages.append, self._route, _TERMINALS
        name = bill.start
        visits: dict[str, int] = {}
        entered, kind, visit = env.now, "", 0
        try:
            while name not in terminals:
                stage, kind, bound, next_of, adopts = route[name]
                visit = visits[name] = visits.get(name, 0) + 1
                entered = env.now
                if bound and visit > bound:
                    record(_visit((bill.id, name, kind, visit, entered, entered, "exhausted")))
                    name = next_of["exhausted"]
                    continue
                if adopts and math.isnan(bill.adopted):
                    bill.adopted = entered  # parliament is done with it: it no longer lapses
                outcome = yield from stage.run(bill)
                record(_visit((bill.id, name, kind, visit, entered, env.now, outcome)))
                name = next_of[outcome]
        except simpy.Interrupt:
            record(_visit((bill.id, name, kind, visit, entered, env.now, "lapsed")))
            self.finish(bill, "lapsed")
            return
        if name == "enacted" and math.isnan(bill.adopted):
            bill.adopted = env.now
        self.finish(bill, name)

    def lapse(self) -> int:
        """The bills before parliament and not yet adopted lapse (a session or convocation ended)."""
        due = [p for b, p in self.live.values() if math.isnan(b.adopted)]
        for process in due:
            process.interrupt("lapse")
        return len(due)

    def finish(self, bill: Bill, state: str) -> None:
        """``bill`` left the procedure as ``state`` (enacted, rejected or lapsed)."""
        bill.finished = self.env.now
        self._count(-1)
        self.live.pop(bill.id, None)
        bill.state = state
        if state == "enacted":
            self.enacted += 1
        elif state == "rejected":
            self.rejected += 1
        else:
            self.lapsed += 1
        if self.effects.finished:
            for hear in self.effects.finished:
                hear(bill)

    def close(self) -> None:
        """Bring the occupancy integral up to now (at the horizon)."""
        self._count(0)

    def _count(self, delta: int) -> None:
        """``delta`` bills enter (or leave) the system now: the occupancy integral first."""
        now = self.env.now
        self.area += self.in_system * (now - self._last_change)
        self._last_change = now
        self.in_system += delta
