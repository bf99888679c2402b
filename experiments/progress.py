"""Progress of a long job: a tqdm bar on a terminal; elsewhere (CI, pipes, log files) one line on
stderr every so often, so that a job of minutes is never silent."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO

from tqdm import tqdm

#: Seconds between two progress lines when no one watches a terminal, unless
#: ``PARLTWIN_PROGRESS_SECONDS`` says otherwise.
EVERY = 10.0


def every_seconds() -> float:
    """The seconds between two progress lines: ``PARLTWIN_PROGRESS_SECONDS``, or :data:`EVERY`; an
    ``InputError`` naming the variable for a value that is not a number >= 0 (it was read at
    import, and a bad one ended any command in a traceback)."""
    import math

    text = os.environ.get("PARLTWIN_PROGRESS_SECONDS")
    if text is None:
        return EVERY
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):  # 0: a line at every step
        from experiments.errors import InputError

        raise InputError(f"PARLTWIN_PROGRESS_SECONDS={text!r} is not allowed: a number of seconds >= 0")
    return value


def interactive() -> bool:
    """True when a person is watching: stderr is a terminal and ``CI`` is not set to true."""
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return not ci and sys.stderr.isatty()


class Ticker:
    """Counts the steps of a job and shows them: a bar when :func:`interactive`, else a line such as
    ``parltwin: calibrate: 12/40 candidates, 31 s, about 72 s left`` at most every ``every`` seconds
    (and when the job ends). ``total`` may be an upper bound (``at most``) or None; ``quiet``: nothing."""

    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str = "runs",
        quiet: bool = False,
        every: float | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.total, self.desc, self.unit, self.quiet = total, desc, unit, quiet
        self.every = every_seconds() if every is None else every
        self.stream = stream or sys.stderr
        self.done = 0
        self.start = self.last = time.monotonic()
        self.bar = None
        if not quiet and stream is None and interactive():
            self.bar = tqdm(total=total, desc=desc, unit=unit, leave=False, dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._line(now)

    def _line(self, now: float) -> None:
        spent = now - self.start
        of = f"/{self.total}" if self.total else ""
        text = f"parltwin: {self.desc}: {self.done}{of} {self.unit}, {spent:.0f} s"
        if self.total and 0 < self.done < self.total:
            text += f", about {spent / self.done * (self.total - self.done):.0f} s left"
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif not self.quiet and time.monotonic() - self.start >= self.every:
            self._line(time.monotonic())  # a job long enough to have shown progress says it ended

    def __enter__(self) -> Ticker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress[T](items: Iterable[T], total: int, desc: str, quiet: bool = False) -> Iterator[T]:
    """``items``, counted by a :class:`Ticker` (a bar on a terminal, periodic lines elsewhere)."""
    with Ticker(total, desc, "runs", quiet) as ticker:
        for item in items:
            yield item
            ticker.update()
