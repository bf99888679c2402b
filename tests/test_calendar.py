"""The sitting calendar."""

from __future__ import annotations

import numpy as np

from sim.engine.calendar import sitting_days


def test_sittings_fall_on_the_weekday_in_session_months_only() -> None:
    days = sitting_days("2023-09-01", 365, [9, 10, 11, 12, 1, 2, 3, 4, 5, 6], [2])
    dates = np.datetime64("2023-09-01") + days
    weekdays = [d.astype(object).weekday() for d in dates]
    months = {d.astype(object).month for d in dates}
    assert set(weekdays) == {2}
    assert months.isdisjoint({7, 8})
    assert dates[0] == np.datetime64("2023-09-06")  # the first Wednesday of September 2023
    assert 40 <= len(days) <= 45  # about 43 weeks of session


def test_a_calendar_without_recess_sits_every_chosen_day() -> None:
    days = sitting_days("2024-01-01", 13, list(range(1, 13)), list(range(7)))
    assert days.tolist() == list(range(14))
