"""The stages of a procedure at work: one handler per stage kind, built once per stage.

A handler holds everything its stage needs (its settings, its desk, its random streams, the chamber
or head of state who decides) and runs a bill through the stage as a SimPy generator that returns
the outcome: ``pass``, ``fail`` or ``return``, or ``deemed_pass`` / ``deemed_fail`` when a deadline
decided instead of an actor. The docket walks bills from handler to handler; nothing here asks the
model anything.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import simpy

from agents.majority import Rule
from sim.engine.chamber import AgendaItem, Chamber
from sim.engine.ledger import Bill
from sim.engine.parliament import DurationConf, StageConf

if TYPE_CHECKING:
    from agents.head_of_state import HeadOfState
    from sim.engine.effects import Effects

Process = Generator[Any, Any, str]


class StageHandler(Protocol):
    name: str
    conf: StageConf

    def run(self, bill: Bill) -> Process:
        """Take ``bill`` through the stage; return the outcome."""
        ...


class Duration:
    """Draws of a stage's duration in days: the stage's distribution with its mean scaled by the
    bill's complexity (unless the stage says otherwise) and by the attached draft effects."""

    def __init__(self, stage: StageConf, effects: Effects, rng: np.random.Generator) -> None:
        d: DurationConf = stage.duration
        self.stage, self.effects, self.rng = stage, effects, rng
        self.dist, self.mean = d.dist, float(d.mean)
        self.by_complexity = stage.scale_by_complexity
        if d.dist in ("lognormal", "gamma"):
            cv = d.sd / d.mean
            self.s2 = float(np.log1p(cv * cv))
            self.sigma = float(np.sqrt(self.s2))
            self.shape = 1.0 / (cv * cv)

    def draw(self, bill: Bill) -> float:
        scale = bill.complexity if self.by_complexity else 1.0
        scale *= self.effects.duration_factor(self.stage, bill)
        mean = self.mean * scale
        if self.dist == "fixed" or mean <= 0:
            return mean
        if self.dist == "exponential":
            return float(self.rng.exponential(mean))
        if self.dist == "lognormal":
            return float(self.rng.lognormal(np.log(mean) - self.s2 / 2, self.sigma))
        return float(self.rng.gamma(self.shape, mean / self.shape))


class WorkStage:
    """Drafting, committee or transmission work: wait for a free desk, then take the time; fail
    with the stage's probability (shaped by the draft effects)."""

    def __init__(
        self,
        name: str,
        conf: StageConf,
        env: simpy.Environment,
        desk: Callable[[Bill], simpy.Resource | None],
        duration: Duration,
        effects: Effects,
        rng: np.random.Generator,
    ) -> None:
        self.name, self.conf, self.env = name, conf, env
        self.desk, self.duration, self.effects, self.rng = desk, duration, effects, rng
        self.fail_prob = float(conf.fail_prob)

    def run(self, bill: Bill) -> Process:
        env = self.env
        desk = self.desk(bill)
        if desk is None:
            yield env.timeout(self.duration.draw(bill))
        else:
            with desk.request() as req:
                yield req
                yield env.timeout(self.duration.draw(bill))
        p = self.fail_prob
        if p > 0:
            p = min(1.0, p * self.effects.fail_factor(self.conf, bill))
            if self.rng.random() < p:
                return "fail"
        return "pass"


class VoteStage:
    """A plenary vote: the bill joins the chamber's agenda and is voted at a coming sitting."""

    def __init__(
        self, name: str, conf: StageConf, env: simpy.Environment, chamber: Chamber, rule: Rule
    ) -> None:
        self.name, self.conf, self.env, self.chamber, self.rule = name, conf, env, chamber, rule

    def run(self, bill: Bill) -> Process:
        item = AgendaItem(bill, self.name, self.rule, self.conf.quorum, self.env.event())
        self.chamber.agenda.append(item)
        outcome = yield item.event
        return outcome


class ReviewStage:
    """A second chamber examines the bill, then votes; silent at the deadline, it is deemed to have
    decided. A rejection is a ``return`` (to the first chamber, per the procedure)."""

    def __init__(
        self,
        name: str,
        conf: StageConf,
        env: simpy.Environment,
        chamber: Chamber,
        rule: Rule,
        duration: Duration,
    ) -> None:
        self.name, self.conf, self.env, self.chamber, self.rule = name, conf, env, chamber, rule
        self.duration = duration
        self.deadline = float(conf.deadline_days or 0.0)

    def run(self, bill: Bill) -> Process:
        env = self.env
        item = AgendaItem(bill, self.name, self.rule, self.conf.quorum, env.event())
        env.process(self._examine(item))
        deadline = env.timeout(self.deadline)
        done = yield item.event | deadline
        if item.event in done:
            return "pass" if item.event.value == "pass" else "return"
        item.cancelled = True
        return "deemed_" + self.conf.deemed

    def _examine(self, item: AgendaItem) -> Generator[Any, Any, None]:
        yield self.env.timeout(self.duration.draw(item.bill))
        if not item.cancelled:
            self.chamber.agenda.append(item)


class SignStage:
    """The head of state signs, or returns the law with objections, within the deadline."""

    def __init__(
        self,
        name: str,
        conf: StageConf,
        env: simpy.Environment,
        head: HeadOfState,
        duration: Duration,
        effects: Effects,
        rng: np.random.Generator,
    ) -> None:
        self.name, self.conf, self.env, self.head = name, conf, env, head
        self.duration, self.effects, self.rng = duration, effects, rng
        self.deadline = float(conf.deadline_days or 0.0)

    def run(self, bill: Bill) -> Process:
        wait = self.duration.draw(bill)
        if wait >= self.deadline:
            yield self.env.timeout(self.deadline)
            return "deemed_" + self.conf.deemed
        yield self.env.timeout(wait)
        returned = self.head.returns(bill.position, self.effects.veto_factor(bill), self.rng)
        return "return" if returned else "pass"
