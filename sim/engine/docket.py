"""The docket: the bills before parliament, from introduction until they are enacted or rejected.

It numbers new bills, records them, walks each one through the procedure (a SimPy process per bill:
stage by stage, each stage's handler returning an outcome whose transition names the next stage),
and integrates the number of bills in the system over time (the engine's side of Little's law).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import simpy

from sim.engine.ledger import Bill, Ledger, StageVisit
from sim.engine.parliament import TERMINALS

if TYPE_CHECKING:
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
    ) -> None:
        self.env, self.ledger, self.effects = env, ledger, effects
        self.topic_names = topic_names
        self.stages = stages
        self.in_system = 0
        self.enacted = 0
        self.rejected = 0
        self.area = 0.0
        self._last_change = 0.0
        self._next_id = 0

    def introduce(
        self, initiator: str, topic: int, position: float, complexity: float, government: bool, start: str
    ) -> Bill:
        """Put a new bill into the procedure at stage ``start``."""
        self._count(+1)
        bill = Bill(
            self._next_id,
            initiator,
            topic,
            self.topic_names[topic],
            position,
            complexity,
            government,
            self.env.now,
            start,
        )
        self._next_id += 1
        for hear in self.effects.introduced:
            hear(bill)
        self.ledger.bills.append(bill)
        self.env.process(self.walk(bill))
        return bill

    def walk(self, bill: Bill) -> Generator[Any, Any, None]:
        """Walk ``bill`` through the procedure until it is enacted or rejected."""
        env, record, stages = self.env, self.ledger.stages.append, self.stages
        name = bill.start
        visits: dict[str, int] = {}
        while name not in TERMINALS:
            stage = stages[name]
            conf = stage.conf
            visit = visits[name] = visits.get(name, 0) + 1
            if conf.max_rounds and visit > conf.max_rounds:
                record(StageVisit(bill.id, name, conf.kind, visit, env.now, env.now, "exhausted"))
                name = conf.on_fail
                continue
            entered = env.now
            outcome = yield from stage.run(bill)
            record(StageVisit(bill.id, name, conf.kind, visit, entered, env.now, outcome))
            name = conf.next(outcome.removeprefix("deemed_"))
        self.finish(bill, name)

    def finish(self, bill: Bill, state: str) -> None:
        """``bill`` left the procedure as ``state`` (enacted or rejected)."""
        self._count(-1)
        bill.state = state
        bill.finished = self.env.now
        if state == "enacted":
            self.enacted += 1
        else:
            self.rejected += 1
        for hear in self.effects.finished:
            hear(bill)

    def close(self) -> None:
        """Bring the occupancy integral up to now (at the horizon)."""
        self._count(0)

    def _count(self, delta: int) -> None:
        now = self.env.now
        self.area += self.in_system * (now - self._last_change)
        self._last_change = now
        self.in_system += delta
