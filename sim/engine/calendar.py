"""The calendar: which days a chamber holds a plenary sitting, and which days are working days.

Day 0 is the calendar's start date. A chamber sits on its plenary weekdays during session months
(in Kazakhstan 1 September to 30 June) and not in recess. Public bodies count their deadlines in
working days (Monday to Friday). Days are computed once, vectorised.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np


def sitting_days(
    start: str, horizon_days: float, session_months: Sequence[int], weekdays: Sequence[int]
) -> np.ndarray:
    """Day offsets (0 = ``start``) of the plenary sittings up to ``horizon_days``."""
    days = np.arange(int(np.ceil(horizon_days)) + 1)
    dates = np.datetime64(start, "D") + days
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    mask = np.isin(months, list(session_months)) & np.isin(weekday, list(weekdays))
    return days[mask]


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
