"""The stages of a procedure at work: one handler per stage kind, built once per stage.

A handler holds everything its stage needs (its settings, its desk, its random streams, the
committee, chamber or head of state who decides) and runs a bill through the stage as a SimPy
generator that returns the outcome: ``pass``, ``fail``, ``return``, ``amend`` or ``hold``, or
``deemed_pass`` / ``deemed_fail`` when a deadline decided instead of an actor. The docket walks
bills from handler to handler; nothing here asks the model anything. When a session's end lapses a
bill, the interrupt reaches the handler where the bill waits; it lets go of its desk or agenda item.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import simpy

from agents.committees import Committee
from agents.majority import Rule
from sim.engine.chamber import AgendaItem, Chamber
from sim.engine.desks import Desk
from sim.engine.ledger import Amendment, Bill
from sim.engine.parliament import PriorityConf, StageConf

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


#: Variates drawn at once from a stage's own stream (then used, or scaled, bill by bill).
DRAWS = 64


def variates(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """The draws of one stream's single use, ``DRAWS`` at a time: each call gives the next, the same
    numbers in the same order as one scalar draw per call would (numpy fills an array draw by draw),
    as Python floats. The chunks are chained in C: a call costs no Python frame."""
    return chain.from_iterable(map(np.ndarray.tolist, map(draw, repeat(DRAWS)))).__next__


class Duration:
    """Draws of a stage's duration in days: the stage's distribution with its mean scaled by the
    bill's complexity (unless the stage says otherwise), by the attached draft effects, and for a
    priority bill by the priority factor.

    The stage's stream is its own, so its standard variates are drawn ``DRAWS`` at a time and scaled
    one by one: ``exponential(m)`` is ``m`` times a standard exponential, ``gamma(k, m / k)`` is
    ``m / k`` times a standard gamma of shape ``k``, ``lognormal(mu, s)`` is ``exp(mu + s z)`` of a
    standard normal ``z``, each the very number the scalar draw gives, in the same order.
    """

    def __init__(
        self,
        stage: StageConf,
        effects: Effects,
        rng: np.random.Generator,
        priority: PriorityConf,
    ) -> None:
        d = stage.duration
        self.stage, self.effects = stage, effects
        self.dist, self.mean = d.dist, float(d.mean)
        self.by_complexity = stage.scale_by_complexity
        self.priority_factor = float(priority.duration_factor)
        # An exponential is a gamma of shape 1 (``m / 1.0`` is ``m``): both scale a standard variate.
        self.shape = 1.0
        self.lognormal = d.dist == "lognormal"
        if d.dist in ("lognormal", "gamma"):
            cv = d.sd / d.mean
            self.s2 = float(np.log1p(cv * cv))
            self.sigma = float(np.sqrt(self.s2))
            self.shape = 1.0 / (cv * cv)
        # The stage's standard variates (none drawn for a fixed duration).
        self._standard: Callable[[], float] | None = None
        if d.dist == "exponential":
            self._standard = variates(rng.standard_exponential)
        elif d.dist == "lognormal":
            self._standard = variates(rng.standard_normal)
        elif d.dist == "gamma":
            shape = self.shape
            self._standard = variates(lambda n: rng.standard_gamma(shape, n))

    def draw(self, bill: Bill) -> float:
        scale = bill.complexity if self.by_complexity else 1.0
        if self.effects.drafts:
            scale *= self.effects.duration_factor(self.stage, bill)
        if bill.priority:
            scale *= self.priority_factor
        mean = self.mean * scale
        standard = self._standard
        if standard is None or mean <= 0:
            return mean
        if self.lognormal:
            return math.exp(float(np.log(mean) - self.s2 / 2) + self.sigma * standard())
        return mean / self.shape * standard()


class WorkStage:
    """Drafting, committee or transmission work: wait for a free desk (priority bills first where
    the desk ranks them), take the time; a committee then decides (report, amend or hold); the
    initiator may withdraw the bill with the stage's probability (shaped by the draft effects)."""

    def __init__(
        self,
        name: str,
        conf: StageConf,
        env: simpy.Environment,
        desk: Desk | None,
        desk_of: Callable[[Bill], Desk] | None,
        committee: Callable[[Bill], Committee] | None,
        duration: Duration,
        effects: Effects,
        status_quo: np.ndarray,
        amendments: list[Amendment],
        rng: np.random.Generator,
        decisions: np.random.Generator,
    ) -> None:
        self.name, self.conf, self.env = name, conf, env
        # The stage's own desk (none: its capacity is unlimited), or the desk of the committee that
        # serves the bill (``desk_of``).
        self.desk, self.desk_of = desk, desk_of
        self.committee, self.duration, self.effects = committee, duration, effects
        self.status_quo, self.amendments = [float(x) for x in status_quo], amendments
        self.decisions = decisions
        self.fail_prob = float(conf.fail_prob)
        self._uniform = variates(rng.random)  # the stream of withdrawals: its only use

    def run(self, bill: Bill) -> Process:
        env = self.env
        desk = self.desk if self.desk_of is None else self.desk_of(bill)
        if desk is None:
            yield env.timeout(self.duration.draw(bill))
        else:
            wake = desk.take(bill.rank)
            try:
                if wake is not None:
                    yield wake
                yield env.timeout(self.duration.draw(bill))
            finally:
                desk.leave(wake)
        outcome = "pass"
        if self.committee is not None:
            outcome = self._decide(bill)
            if outcome == "hold":
                return outcome
        p = self.fail_prob
        if p > 0:
            p = min(1.0, p * self.effects.fail_factor(self.conf, bill))
            if self._uniform() < p:
                return "fail"
        return outcome

    def _decide(self, bill: Bill) -> str:
        assert self.committee is not None
        committee = self.committee(bill)
        signal = None
        if self.effects.signals:
            members, position, topic = committee.voters, np.array([bill.position]), np.array([bill.topic])
            pressure = self.effects.signal(members, position, topic)
            signal = None if pressure is None else pressure[:, 0]
        sq = self.status_quo[bill.topic]
        d = committee.decide(bill.position, sq, bill.government, signal, self.decisions)
        if d.outcome == "amend":
            now = self.env.now
            self.amendments.append(
                Amendment(bill.id, self.name, committee.name, now, bill.position, d.position, True)
            )
            bill.position = d.position
        return "pass" if d.outcome == "report" else d.outcome


class VoteStage:
    """A plenary vote: the bill joins the chamber's agenda and is voted at a coming sitting."""

    def __init__(
        self,
        name: str,
        conf: StageConf,
        env: simpy.Environment,
        chamber: Chamber,
        rule: Rule,
        reject_rule: Rule | None,
    ) -> None:
        self.name, self.conf, self.env, self.chamber = name, conf, env, chamber
        self.rule, self.reject_rule = rule, reject_rule

    def run(self, bill: Bill) -> Process:
        c = self.conf
        item = AgendaItem(
            bill, self.name, c.question, self.rule, c.quorum, self.env.event(), self.reject_rule
        )
        self.chamber.agenda.append(item)
        try:
            outcome = yield item.event
        finally:
            item.cancelled = not item.event.triggered
        return outcome


class ReviewStage:
    """A second chamber examines the bill, then approves it, amends it or rejects it; silent at the
    deadline, it is deemed to have decided. A rejection is a ``return`` (to the first chamber, per the
    procedure), amendments an ``amend``."""

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
        item = AgendaItem(bill, self.name, "review", self.rule, self.conf.quorum, env.event())
        # Examined for a while, then put on the agenda (a timeout's callback, not a process).
        env.timeout(self.duration.draw(bill)).callbacks.append(lambda _: self._examined(item))
        deadline = env.timeout(self.deadline)
        try:
            done = yield item.event | deadline
        finally:
            item.cancelled = not item.event.triggered
        if item.event in done:
            return str(item.event.value)
        return "deemed_" + self.conf.deemed

    def _examined(self, item: AgendaItem) -> None:
        """The examination is over: the bill joins the agenda, unless it is gone by then."""
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
