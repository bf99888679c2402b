"""The calendar: sessions and convocations, the days a chamber sits, and working days.

Day 0 is the calendar's start date. A regular session opens and closes on the same days every year
(in Kazakhstan 1 September to 30 June); special sessions have their own dates. A chamber sits on its
plenary weekdays while a session is open. Public bodies count their deadlines in working days
(Monday to Friday). Days are computed once, vectorised.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from sim.engine.parliament import CalendarConf, SessionConf, SpecialSessionConf


def _weekday_mask(start: str, days: int, weekdays: Sequence[int]) -> np.ndarray:
    """For day offsets 0 .. days - 1: whether the day falls on one of ``weekdays`` (0 = Monday)."""
    dates = np.datetime64(start, "D") + np.arange(days)
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    return np.isin(weekday, list(weekdays))


@dataclass(frozen=True)
class Session:
    """A session, as day offsets: it is open from the start of day ``opens`` until ``closes`` (the
    end of its last day)."""

    number: int
    kind: str  # regular or special
    opens: float
    closes: float


def _offset(start: dt.date, day: dt.date) -> float:
    return float((day - start).days)


def _yearly(
    start: dt.date, end: dt.date, spans: Sequence[SessionConf], kind: str
) -> list[tuple[float, float, str]]:
    """Every year's occurrence of ``spans`` (MM-DD to MM-DD, possibly across the new year)."""
    out = []
    for year in range(start.year - 1, end.year + 1):
        for s in spans:
            opens = dt.date.fromisoformat(f"{year}-{s.opens}")
            closes = dt.date.fromisoformat(f"{year}-{s.closes}")
            if closes < opens:
                closes = closes.replace(year=year + 1)
            out.append((_offset(start, opens), _offset(start, closes) + 1.0, kind))
    return out


def special_span(calendar: CalendarConf, session: SpecialSessionConf) -> tuple[float, float]:
    """A special session's opening and closing as day offsets (its dates are its own)."""
    start = dt.date.fromisoformat(calendar.start)
    opens, closes = dt.date.fromisoformat(session.opens), dt.date.fromisoformat(session.closes)
    return _offset(start, opens), _offset(start, closes) + 1.0


def meets(opens: float, closes: float, horizon: float) -> bool:
    """Whether a session open over [opens, closes) meets the run, whose clock stops before
    ``horizon`` (a session opening at the horizon would never sit)."""
    return closes > 0 and opens < horizon


def sessions(calendar: CalendarConf, horizon: float, reporting: bool = False) -> list[Session]:
    """The sessions that overlap the run's days [0, horizon), in order of opening; with
    ``reporting``, the reporting periods instead (kind ``period``; none when none is set)."""
    start = dt.date.fromisoformat(calendar.start)
    end = start + dt.timedelta(days=int(np.ceil(horizon)) + 1)
    if reporting:
        spans = _yearly(start, end, calendar.reporting, "period")
        return [
            Session(i, k, o, c)
            for i, (o, c, k) in enumerate(sorted(x for x in spans if x[1] > 0 and x[0] <= horizon))
        ]
    spans = _yearly(start, end, calendar.sessions, "regular")
    spans += [(*special_span(calendar, s), "special") for s in calendar.special_sessions]
    kept = sorted((o, c, k) for o, c, k in spans if meets(o, c, horizon))
    return [Session(i, k, o, c) for i, (o, c, k) in enumerate(kept)]


def sitting_days(
    start: str, horizon_days: float, spans: Sequence[Session], weekdays: Sequence[int]
) -> np.ndarray:
    """Day offsets (0 = ``start``) of the plenary sittings up to ``horizon_days``: the plenary
    weekdays on which a session is open."""
    n = int(np.ceil(horizon_days)) + 1
    days = np.arange(n)
    open_ = np.zeros(n, dtype=bool)
    for s in spans:
        open_[max(0, int(s.opens)) : max(0, min(n, int(s.closes)))] = True
    return days[open_ & _weekday_mask(start, n, weekdays)]


class Introduction:
    """When bills may be introduced: in session up to ``introduction_deadline_days`` after it
    opens, and between sessions if ``introduce_in_recess``."""

    def __init__(self, calendar: CalendarConf, spans: Sequence[Session]) -> None:
        deadline = calendar.introduction_deadline_days
        # Closed intervals [from, until): after a session's deadline until it closes; and each
        # recess, when bills may not be introduced between sessions.
        closed: list[tuple[float, float]] = []
        for s in spans:
            if deadline is not None and s.opens + deadline < s.closes:
                closed.append((s.opens + deadline, s.closes))
        if not calendar.introduce_in_recess:
            gaps = [(-np.inf, spans[0].opens)] if spans else [(-np.inf, np.inf)]
            gaps += [(a.closes, b.opens) for a, b in pairwise(spans) if b.opens > a.closes]
            gaps += [(spans[-1].closes, np.inf)] if spans else []
            closed += gaps
        merged: list[list[float]] = []
        for a, b in sorted(closed):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._from = [a for a, _ in merged]
        self._until = [b for _, b in merged]
        self.always_open = not merged

    def reopens(self, now: float) -> float | None:
        """``None`` if a bill may be introduced at ``now``, else when introduction opens again."""
        i = bisect_right(self._from, now) - 1
        if i >= 0 and now < self._until[i]:
            return self._until[i]
        return None


class WorkDays:
    """Day offsets from the calendar's start, as working days (Monday to Friday)."""

    def __init__(self, start: str, horizon: float = 3650.0) -> None:
        self.start = np.datetime64(start, "D")
        self._extend(int(horizon) + 400)

    def _extend(self, days: int) -> None:
        self._mask = _weekday_mask(str(self.start), days, range(5))
        self._days = np.flatnonzero(self._mask).tolist()
        self._workday: list[bool] = self._mask.tolist()
        self._span = days

    def is_workday(self, day: float) -> bool:
        while int(day) >= self._span:
            self._extend(2 * self._span)
        return self._workday[int(day)]

    def after(self, day: float, n: float) -> float:
        """The day offset ``n`` working days after ``day`` (a deadline; a weekend rolls forward): a
        submission on a day off is registered on the next working day and its term runs from there,
        as numpy's ``busday_offset(..., roll="forward")`` counts (one working day after a Saturday
        is the Tuesday, after a Friday the Monday)."""
        k = int(np.ceil(n))
        while int(day) + 2 * k + 7 >= self._span:
            self._extend(2 * self._span)
        i = bisect_left(self._days, int(np.floor(day)))
        return float(self._days[i + k])
