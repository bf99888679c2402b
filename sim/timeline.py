"""SimPy processes of the legislative timeline: plain generators, one per concern.

- ``arrivals``: a Poisson stream of bills per initiator;
- ``lifecycle``: one bill walking the procedure graph, stage by stage;
- ``sittings``: a chamber's plenary sittings, voting the agenda in one vectorised call;
- ``daily``: the once-a-day step of the time-stepped parts (citizens, channels).

Each stage kind has a handler (a generator) returning the outcome ``pass``, ``fail`` or ``return``;
``deemed_pass`` / ``deemed_fail`` record that a deadline decided instead of an actor.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.chamber import AgendaItem
from sim.procedure import TERMINALS, Stage

if TYPE_CHECKING:
    from sim.ledger import Bill
    from sim.model import ParliamentModel

Process = Generator[Any, Any, Any]
CHUNK = 256


def arrivals(model: ParliamentModel, who: str, conf: Any, rate_per_day: float) -> Process:
    """Bills from one initiator: exponential gaps; topic, position and complexity per bill.

    Draws come in chunks from the initiator's own stream, so a scenario with the same initiator and
    rate sees the very same bills (common random numbers).
    """
    if rate_per_day <= 0:
        return
    rng = model.streams[f"arrivals/{who}"]
    cum_w = model.topic_cum_weights
    while True:
        gaps = rng.exponential(1.0 / rate_per_day, CHUNK)
        topics = np.searchsorted(cum_w, rng.random(CHUNK) * cum_w[-1], side="right")
        positions = np.clip(conf.position + conf.position_sd * rng.standard_normal(CHUNK), -1, 1)
        complexity = model.draw_complexity(rng, CHUNK)
        for i in range(CHUNK):
            yield model.env.timeout(gaps[i])
            model.introduce(
                who,
                int(topics[i]),
                float(positions[i]),
                float(complexity[i]),
                bool(conf.government),
                conf.start,
            )


def lifecycle(model: ParliamentModel, bill: Bill) -> Process:
    """Walk ``bill`` through the procedure until it is enacted or rejected."""
    env, ledger, proc = model.env, model.ledger, model.procedure
    name = bill.start
    visits: dict[str, int] = {}
    while name not in TERMINALS:
        stage = proc[name]
        visit = visits[name] = visits.get(name, 0) + 1
        if stage.spec.max_rounds and visit > stage.spec.max_rounds:
            ledger.stage(bill.id, name, stage.kind, visit, env.now, env.now, "exhausted")
            name = stage.spec.on_fail
            continue
        entered = env.now
        outcome = yield from HANDLERS[stage.kind](model, bill, stage)
        ledger.stage(bill.id, name, stage.kind, visit, entered, env.now, outcome)
        name = stage.next(outcome.removeprefix("deemed_"))
    model.finish(bill, name)


def work(model: ParliamentModel, bill: Bill, stage: Stage) -> Process:
    """Drafting, committee or transmission work: wait for a free desk, then take the time."""
    env = model.env
    desk = model.desk(stage, bill)
    if desk is None:
        yield env.timeout(model.duration(stage, bill))
    else:
        with desk.request() as req:
            yield req
            yield env.timeout(model.duration(stage, bill))
    p = model.fail_prob(stage, bill)
    if p > 0 and model.streams[f"outcomes/{stage.name}"].random() < p:
        return "fail"
    return "pass"


def vote(model: ParliamentModel, bill: Bill, stage: Stage) -> Process:
    """A plenary vote: the bill joins the chamber's agenda and is voted at a coming sitting."""
    item = AgendaItem(bill, stage, model.env.event())
    model.chambers[stage.spec.chamber].agenda.append(item)
    outcome = yield item.event
    return outcome


def review(model: ParliamentModel, bill: Bill, stage: Stage) -> Process:
    """A second chamber examines the bill, then votes; silent at the deadline, it is deemed to
    have decided. A rejection is a ``return`` (to the first chamber, per the procedure)."""
    env = model.env
    item = AgendaItem(bill, stage, env.event())
    chamber = model.chambers[stage.spec.chamber]

    def examine() -> Process:
        yield env.timeout(model.duration(stage, bill))
        if not item.cancelled:
            chamber.agenda.append(item)

    env.process(examine())
    deadline = env.timeout(stage.spec.deadline_days)
    done = yield item.event | deadline
    if item.event in done:
        return "pass" if item.event.value == "pass" else "return"
    item.cancelled = True
    return "deemed_" + stage.spec.deemed


def sign(model: ParliamentModel, bill: Bill, stage: Stage) -> Process:
    """The head of state signs, or returns the law with objections, within the deadline."""
    spec = stage.spec
    wait = model.duration(stage, bill)
    if wait >= spec.deadline_days:
        yield model.env.timeout(spec.deadline_days)
        return "deemed_" + spec.deemed
    yield model.env.timeout(wait)
    return "return" if model.head_vetoes(bill) else "pass"


HANDLERS: dict[str, Callable[..., Process]] = {
    "work": work,
    "vote": vote,
    "review": review,
    "sign": sign,
}


def sittings(model: ParliamentModel, chamber_name: str) -> Process:
    """A chamber's plenary sittings (midday of each sitting day): vote what is on the agenda."""
    env = model.env
    chamber = model.chambers[chamber_name]
    for day in chamber.sittings:
        t = float(day) + 0.5
        if t > env.now:
            yield env.timeout(t - env.now)
        items = chamber.take_agenda()
        if items:
            model.vote(chamber, items)


def daily(model: ParliamentModel, hooks: list[Callable[[float], None]]) -> Process:
    """Once a day (at the start of the day), step the time-stepped parts of the model."""
    env = model.env
    while True:
        for hook in hooks:
            hook(env.now)
        yield env.timeout(1.0)
