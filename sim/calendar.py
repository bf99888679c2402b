"""The sitting calendar: which days a chamber holds a plenary sitting.

Day 0 is the calendar's start date. A chamber sits on its plenary weekdays during session months
(in Kazakhstan 1 September to 30 June) and not in recess. Days are computed once, vectorised.
"""

from __future__ import annotations

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
