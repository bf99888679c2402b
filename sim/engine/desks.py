"""A desk: a committee's or a work stage's capacity to work on bills, ``capacity`` at a time.

It serves as ``simpy.Resource`` (first come, first served) or ``simpy.PriorityResource`` (by rank,
then first come) would, with fewer events: a bill that finds a free place takes it at once, without
a request event to wait for, and leaving the desk schedules an event only when bills are waiting.
Who is served when is the same as with SimPy's resources: a place freed goes to the head of the
queue when the freeing is processed (SimPy's release event), or at once to the head when a new bill
arrives before that (SimPy's request event grants the head of the queue first).
"""

from __future__ import annotations

import bisect

import simpy

#: A waiting bill: its place in the queue (rank, arrival time, arrival number) and its wake-up event.
Waiting = tuple[tuple[float, float, int], simpy.Event]


class Desk:
    """``capacity`` places; ``count`` taken, ``queue`` the waiting bills in serving order."""

    def __init__(self, env: simpy.Environment, capacity: int, ranked: bool = False) -> None:
        self.env = env
        self.capacity = int(capacity)
        self.ranked = ranked
        self.count = 0
        self.queue: list[Waiting] = []
        self._arrivals = 0

    def take(self, rank: float = 0.0) -> simpy.Event | None:
        """Take a place: ``None`` if one is free now, else the event that fires when one is given."""
        if self.count < self.capacity and not self.queue:
            self.count += 1
            return None
        wake = simpy.Event(self.env)
        self._arrivals += 1
        bisect.insort(self.queue, ((rank if self.ranked else 0.0, self.env.now, self._arrivals), wake))
        self._serve()
        return wake

    def leave(self, wake: simpy.Event | None) -> None:
        """The bill is done (or lapsed): free its place, or leave the queue if it still waits."""
        if wake is not None and not wake.triggered:
            self.queue = [w for w in self.queue if w[1] is not wake]
            return
        self.count -= 1
        if self.queue:  # the place goes to the head of the queue when this is processed
            freed = simpy.Event(self.env)
            freed.callbacks.append(self._serve)
            freed.succeed()

    def _serve(self, _: object = None) -> None:
        """Give a free place to the head of the queue."""
        if self.queue and self.count < self.capacity:
            self.count += 1
            self.queue.pop(0)[1].succeed()
