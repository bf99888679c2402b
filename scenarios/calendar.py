"""Checks of a parliament's calendar: its sessions, convocations and what ends with them."""

from __future__ import annotations

from datetime import date

from scenarios.checks import need, positive
from scenarios.errors import ConfigError
from sim.engine.parliament import AT_END, CalendarConf

#: The years a calendar may start in, and a recorded figure's dates lie in: a run of the longest
#: horizon from either end stays within the dates Python has (years 1 .. 9999).
FIRST_YEAR, LAST_YEAR = 1800, 7999


def _month_day(path: str, value: str) -> None:
    """A day that every year has (a session recurs yearly: 02-29 would be missing in three of four)."""
    try:
        date.fromisoformat(f"2001-{value}")
    except (TypeError, ValueError):
        raise ConfigError(path, value, "a day of every year MM-DD (not 02-29)") from None


def _date(path: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConfigError(path, value, "a date YYYY-MM-DD") from None


def check_calendar(cal: CalendarConf, prefix: str = "parliament.calendar") -> None:
    start = _date(f"{prefix}.start", cal.start)
    need(
        f"{prefix}.start",
        cal.start,
        FIRST_YEAR <= start.year <= LAST_YEAR,
        f"a date in the years {FIRST_YEAR} .. {LAST_YEAR}",
    )
    need(
        f"{prefix}.sessions",
        [],
        bool(cal.sessions) or bool(cal.special_sessions),
        "at least one regular or special session (parliament sits only in session)",
    )
    for key in ("sessions", "reporting"):
        for i, s in enumerate(getattr(cal, key)):
            _month_day(f"{prefix}.{key}[{i}].opens", s.opens)
            _month_day(f"{prefix}.{key}[{i}].closes", s.closes)
    for i, s in enumerate(cal.special_sessions):
        opens = _date(f"{prefix}.special_sessions[{i}].opens", s.opens)
        closes = _date(f"{prefix}.special_sessions[{i}].closes", s.closes)
        need(
            f"{prefix}.special_sessions[{i}].closes",
            s.closes,
            closes >= opens,
            f"a date on or after {s.opens}",
        )
    if cal.introduction_deadline_days is not None:
        need(
            f"{prefix}.introduction_deadline_days",
            cal.introduction_deadline_days,
            cal.introduction_deadline_days >= 0,
            "null (no deadline) or days >= 0 after a session opens",
        )
    for key in ("at_session_end", "at_convocation_end"):
        value = getattr(cal, key)
        need(f"{prefix}.{key}", value, value in AT_END, f"one of {', '.join(AT_END)}")
    if cal.convocation_years is not None:
        positive(f"{prefix}.convocation_years", cal.convocation_years)
