"""A desk serves bills as SimPy's resources would (who gets a place, when), with fewer events."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.engine.desks import Desk


def _served(use_desk: bool, capacity: int, ranked: bool, seed: int) -> list[tuple[float, str, int]]:
    """Bills arriving (several at the same instants), each served for a while, some interrupted
    while waiting or while served: the log of who took and left a place when."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    if use_desk:
        desk = Desk(env, capacity, ranked)
    else:
        desk = (simpy.PriorityResource if ranked else simpy.Resource)(env, capacity=capacity)
    log: list[tuple[float, str, int]] = []
    arrivals = np.round(rng.exponential(1.0, 60).cumsum())  # whole days: ties are common
    services = np.round(rng.exponential(2.0, 60), 1)  # ties in leaving too
    ranks = rng.integers(0, 3, 60)

    def bill(i: int):
        try:
            if use_desk:
                wake = desk.take(float(ranks[i]))
                try:
                    if wake is not None:
                        yield wake
                    log.append((env.now, "in", i))
                    yield env.timeout(services[i])
                finally:
                    desk.leave(wake)
            else:
                req = desk.request(priority=int(ranks[i])) if ranked else desk.request()
                with req:
                    yield req
                    log.append((env.now, "in", i))
                    yield env.timeout(services[i])
            log.append((env.now, "out", i))
        except simpy.Interrupt:
            log.append((env.now, "lapsed", i))

    def source():
        procs = []
        for i, t in enumerate(arrivals):
            yield env.timeout(t - env.now)
            procs.append(env.process(bill(i)))
            if i % 7 == 6:  # now and then an earlier bill lapses, waiting or being served
                victim = procs[int(rng.integers(0, len(procs)))]
                if victim.is_alive:
                    victim.interrupt("lapse")

    env.process(source())
    env.run()
    return log


@pytest.mark.parametrize("capacity", [1, 2, 3])
@pytest.mark.parametrize("ranked", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_a_desk_serves_as_simpy_resources_do(capacity: int, ranked: bool, seed: int) -> None:
    """Each bill takes and leaves its place at the same time. Within one instant, a bill that finds
    a free place goes on at once, SimPy's after the instant's earlier events: so one lapsed at the very
    instant it arrived has started here (and drawn its duration), not with SimPy."""
    mine, simpys = _served(True, capacity, ranked, seed), _served(False, capacity, ranked, seed)
    lapsed_on_arrival = {(t, i) for t, what, i in mine if what == "lapsed"}
    started = [e for e in mine if not (e[1] == "in" and (e[0], e[2]) in lapsed_on_arrival)]
    assert sorted(started) == sorted(simpys)
    assert len(mine) > 60


def test_a_free_place_is_taken_without_an_event() -> None:
    env = simpy.Environment()
    desk = Desk(env, 1)
    assert desk.take() is None and desk.count == 1
    wake = desk.take()
    assert wake is not None and not wake.triggered and len(desk.queue) == 1
    desk.leave(None)  # the first leaves: the place goes to the head when that is processed
    assert not wake.triggered and desk.count == 0
    env.run()
    assert wake.triggered and desk.count == 1 and not desk.queue
