"""Progress bars on a terminal only: quiet under CI, in pipes and log files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator

from tqdm import tqdm


def interactive() -> bool:
    """True when a person is watching: stderr is a terminal and ``CI`` is not set to true."""
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return not ci and sys.stderr.isatty()


def progress[T](items: Iterable[T], total: int, desc: str, quiet: bool = False) -> Iterator[T]:
    """``items`` with a progress bar on stderr when :func:`interactive` and not ``quiet``."""
    if quiet or not interactive():
        yield from items
        return
    with tqdm(items, total=total, desc=desc, unit="run", leave=False, dynamic_ncols=True) as bar:
        yield from bar
