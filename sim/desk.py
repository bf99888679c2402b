"""Working days and the desks of public bodies: first come, first served, a few a day, with a deadline.

Platforms state their deadlines in working days (20 for moderation on epetition.kz, 15 for an
e-Otinish answer). A desk serves a finite number of items per working day; when more arrive, the
queue grows and answers come late. Lateness is recorded, never hidden.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque

import numpy as np

from sim.calendar import sitting_days


class WorkDays:
    """Day offsets from the calendar's start, as working days (Monday to Friday)."""

    def __init__(self, start: str, horizon: float = 3650.0) -> None:
        self.start = np.datetime64(start, "D")
        self._extend(int(horizon) + 400)

    def _extend(self, days: int) -> None:
        self._mask = np.zeros(days, dtype=bool)
        self._mask[sitting_days(str(self.start), days - 1, range(1, 13), range(5))] = True
        self._days = np.flatnonzero(self._mask).tolist()
        self._span = days

    def is_workday(self, day: float) -> bool:
        while int(day) >= self._span:
            self._extend(2 * self._span)
        return bool(self._mask[int(day)])

    def after(self, day: float, n: float) -> float:
        """The day offset ``n`` working days after ``day`` (a deadline; a weekend rolls forward)."""
        k = int(np.ceil(n))
        while int(day) + 2 * k + 7 >= self._span:
            self._extend(2 * self._span)
        i = bisect_left(self._days, int(np.floor(day)))
        return float(self._days[i + k])


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
