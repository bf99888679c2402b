"""SimPy processes of the legislative timeline: plain generators, one per concern.

- ``arrivals``: a Poisson stream of bills from one initiator;
- ``sittings``: a chamber's plenary sittings, voting the agenda in one vectorised call;
- ``endings``: the ends of sessions and convocations at which bills not yet adopted lapse;
- ``daily``: the once-a-day step of the time-stepped parts (citizens, channels);
- ``monthly``: the model's state recorded on the first day of each month.

Each bill's own walk through the procedure is the docket's (``sim.engine.docket``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sim.engine.calendar import Session
from sim.engine.chamber import Chamber
from sim.engine.docket import Docket
from sim.engine.parliament import CalendarConf, InitiatorConf

Process = Generator[Any, Any, None]
#: Bills drawn at once from an initiator's stream (the same bills whatever the horizon).
CHUNK = 256


def draw_complexity(rng: np.random.Generator, sd: float, size: int | None = None) -> Any:
    """Bills' complexity: lognormal with mean 1 and sd ``sd`` (one value, or ``size``)."""
    sigma = np.sqrt(np.log1p(sd**2))
    return np.exp(sigma * rng.standard_normal(size) - sigma**2 / 2)


def arrivals(
    env: simpy.Environment,
    docket: Docket,
    who: str,
    conf: InitiatorConf,
    rate_per_day: float,
    topic_cum_weights: np.ndarray,
    complexity_sd: float,
    rng: np.random.Generator,
) -> Process:
    """Bills from one initiator: exponential gaps; topic, position and complexity per bill.

    Draws come in chunks from the initiator's own stream, so a scenario with the same initiator and
    rate sees the very same bills (common random numbers); whether the head of state declares a bill
    a priority is drawn for every bill, so that a scenario with another priority share still shares
    every other draw.
    """
    if rate_per_day <= 0:
        return
    cum_w = topic_cum_weights
    government, start = bool(conf.government), conf.start
    while True:
        gaps = rng.exponential(1.0 / rate_per_day, CHUNK)
        topics = np.searchsorted(cum_w, rng.random(CHUNK) * cum_w[-1], side="right")
        positions = np.clip(conf.position + conf.position_sd * rng.standard_normal(CHUNK), -1, 1)
        complexity = draw_complexity(rng, complexity_sd, CHUNK)
        priority = rng.random(CHUNK) < conf.priority_share
        bills = zip(
            gaps.tolist(),
            topics.tolist(),
            positions.tolist(),
            complexity.tolist(),
            priority.tolist(),
            strict=True,
        )
        for gap, topic, position, complexity_of, priority_of in bills:
            yield env.timeout(gap)
            docket.introduce(who, topic, position, complexity_of, government, start, priority_of)


def sittings(env: simpy.Environment, chamber: Chamber) -> Process:
    """A chamber's plenary sittings (midday of each sitting day): vote what is on the agenda."""
    for day in chamber.sittings.tolist():
        t = float(day) + 0.5
        if t > env.now:
            yield env.timeout(t - env.now)
        items = chamber.take_agenda()
        if items:
            chamber.vote(items, env.now)


def ends(calendar: CalendarConf, spans: Sequence[Session], horizon: float) -> list[float]:
    """The times at which the bills not yet adopted lapse: the close of each session (when sessions
    end in lapse) and the end of each convocation (when convocations do), before the horizon."""
    out = []
    if calendar.at_session_end == "lapse":
        out += [s.closes for s in spans if 0 < s.closes < horizon]
    if calendar.at_convocation_end == "lapse" and calendar.convocation_years:
        step = calendar.convocation_years * 365.0
        out += [float(t) for t in np.arange(step, horizon, step)]
    return sorted(set(out))


def endings(env: simpy.Environment, docket: Docket, times: Sequence[float]) -> Process:
    """At each of ``times``, the bills before parliament and not yet adopted lapse."""
    for t in times:
        yield env.timeout(t - env.now)
        docket.lapse()


def daily(env: simpy.Environment, steps: list[Callable[[float], None]]) -> Process:
    """Once a day (at the start of the day), step the time-stepped parts of the model."""
    while True:
        for step in steps:
            step(env.now)
        yield env.timeout(1.0)


def month_starts(start: str, horizon: float) -> np.ndarray:
    """Day offsets of the first day of each month from ``start`` (and day 0) up to the horizon."""
    first = np.datetime64(start, "D")
    last = (first + np.timedelta64(int(horizon) + 1, "D")).astype("datetime64[M]")
    months = np.arange(first.astype("datetime64[M]"), last + np.timedelta64(1, "M"))
    days = (months.astype("datetime64[D]") - first).astype(np.int64)
    # Sorted and distinct (as ``np.unique``, whose first call imports numpy.ma: a cost at start-up).
    return np.array(sorted({0, *days[(days >= 0) & (days <= horizon)].tolist()}), dtype=np.int64)


def monthly(env: simpy.Environment, days: np.ndarray, record: Callable[[float], None]) -> Process:
    """Record the model's state at the start of each of ``days``: on day 0 after the day's daily
    step, on later days before it (the record's timeout was scheduled first)."""
    for day in days.tolist():  # Python numbers: a numpy integer against a float is slow to compare
        if day > env.now:
            yield env.timeout(float(day) - env.now)
        record(env.now)
