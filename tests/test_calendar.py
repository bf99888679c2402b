"""The sitting calendar."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios import ConfigError, validate
from sim.engine.calendar import Introduction, sessions, sitting_days
from sim.engine.parliament import CalendarConf, SessionConf, SpecialSessionConf
from tests.conftest import compose_config

KZ = CalendarConf(start="2023-09-01", sessions=[SessionConf("09-01", "06-30")])


def test_sittings_fall_on_the_weekday_in_session_months_only() -> None:
    days = sitting_days("2023-09-01", 365, sessions(KZ, 365), [2])
    dates = np.datetime64("2023-09-01") + days
    weekdays = [d.astype(object).weekday() for d in dates]
    months = {d.astype(object).month for d in dates}
    assert set(weekdays) == {2}
    assert months.isdisjoint({7, 8})
    assert dates[0] == np.datetime64("2023-09-06")  # the first Wednesday of September 2023
    assert 40 <= len(days) <= 45  # about 43 weeks of session


def test_a_calendar_without_recess_sits_every_chosen_day() -> None:
    always = CalendarConf(start="2024-01-01", sessions=[SessionConf("01-01", "12-31")])
    days = sitting_days("2024-01-01", 13, sessions(always, 13), list(range(7)))
    assert days.tolist() == list(range(14))


def test_sessions_cross_the_new_year_and_special_sessions_add_days() -> None:
    cal = CalendarConf(
        start="2023-09-01",
        sessions=[SessionConf("09-01", "06-30")],
        special_sessions=[SpecialSessionConf("2024-07-15", "2024-07-19")],
    )
    spans = sessions(cal, 400)
    assert [(s.kind, s.opens, s.closes) for s in spans] == [
        ("regular", 0.0, 304.0),  # 1 Sep 2023 - 30 Jun 2024, open until the end of its last day
        ("special", 318.0, 323.0),
        ("regular", 366.0, 669.0),  # 1 Sep 2024 (2024 is a leap year) - 30 Jun 2025
    ]
    days = sitting_days("2023-09-01", 400, spans, range(7))
    assert 320 in days and 310 not in days  # a day of the special session sits; a July recess day not


def test_introduction_closes_after_the_deadline_and_in_recess() -> None:
    cal = CalendarConf(
        start="2024-01-01",
        sessions=[SessionConf("01-08", "04-06")],
        introduction_deadline_days=50,
        introduce_in_recess=False,
    )
    intro = Introduction(cal, sessions(cal, 800))
    opens = 7.0  # 8 January
    assert intro.reopens(opens + 10) is None  # open in the first 50 days
    assert intro.reopens(opens + 60) == 366 + 7  # closed until the next session opens
    assert intro.reopens(200) == 366 + 7  # recess
    assert (
        Introduction(
            CalendarConf(start="2024-01-01"), sessions(CalendarConf(start="2024-01-01"), 800)
        ).reopens(200)
        is None
    )


@pytest.mark.parametrize(
    ("opens", "closes", "years", "meets"),
    [
        ("2026-08-20", "2026-08-31", 5, False),  # closes the day before the run starts
        ("2026-08-20", "2026-09-01", 5, True),  # its last day is the run's first
        ("2027-08-31", "2027-09-05", 1, True),  # opens on the run's last day (day 364)
        ("2027-09-01", "2027-09-05", 1, False),  # opens as the run's clock stops (day 365): never sits
        ("2040-01-01", "2040-01-10", 5, False),
    ],
)
def test_a_special_session_must_meet_the_run(opens: str, closes: str, years: int, meets: bool) -> None:
    cfg = compose_config(
        [
            f"years={years}",
            "parliament.calendar.start=2026-09-01",
            f"parliament.calendar.special_sessions=[{{opens: '{opens}', closes: '{closes}'}}]",
        ]
    )
    if meets:
        kinds = [s.kind for s in sessions(validate(cfg).parliament.calendar, years * 365.0)]
        assert "special" in kinds
    else:
        with pytest.raises(ConfigError, match=r"special_sessions\[0\].*never open"):
            validate(cfg)
