"""The desks of public bodies: first come, first served, a few a day, with a deadline.

Platforms state their deadlines in working days (20 for moderation on epetition.kz, 15 for an
e-Otinish answer; ``sim.engine.calendar.WorkDays`` counts them). A desk serves a finite number of
items per working day; when more arrive, the queue grows and answers come late. Lateness is
recorded, never hidden.
"""

from __future__ import annotations

from collections import deque


class Desk:
    """A FIFO queue served ``capacity`` items per working day (fractions carry over)."""

    def __init__(self, capacity: float) -> None:
        self.capacity = float(capacity)
        self.queue: deque[int] = deque()
        self._credit = 0.0

    def __len__(self) -> int:
        return len(self.queue)

    def put(self, item: int) -> None:
        self.queue.append(item)

    def serve(self) -> list[int]:
        """One working day of service: the items taken off the queue today."""
        if not self.queue:
            self._credit = 0.0
            return []
        self._credit += self.capacity
        k = min(int(self._credit), len(self.queue))
        self._credit -= k
        return [self.queue.popleft() for _ in range(k)]
