"""Results that every page session shares, made once however many sessions ask for them at once.

Streamlit runs each session's page in a thread of one process. A plain ``functools.lru_cache``
shares results, but two sessions that ask for the same new scenario together both make it (a
composition, a merge, a check: up to a second each), because neither finds it cached until one is
done. :func:`shared` keeps the least-recently-used cache and adds one lock per arguments being made:
a session asking for what another is making waits for it and takes the result; sessions asking for
different things do not wait for each other.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any


class Shared[R]:
    """``fn`` behind an LRU cache of ``maxsize`` results, made once per arguments (positional and
    hashable, as the cache needs them)."""

    def __init__(self, fn: Callable[..., R], maxsize: int) -> None:
        self._cached = functools.lru_cache(maxsize=maxsize)(fn)
        self._guard = threading.Lock()
        # Arguments being made or waited for: their lock and how many callers hold or want it. An
        # entry goes when its last caller leaves, so this holds only what is asked for right now.
        self._making: dict[tuple[Hashable, ...], tuple[threading.Lock, list[int]]] = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any) -> R:
        with self._guard:
            lock, callers = self._making.setdefault(args, (threading.Lock(), [0]))
            callers[0] += 1
        try:
            with lock:
                return self._cached(*args)
        finally:
            with self._guard:
                callers[0] -= 1
                if not callers[0]:
                    del self._making[args]

    def cache_info(self) -> Any:
        """The cache's hits and misses (``functools.lru_cache``'s): one miss per result made."""
        return self._cached.cache_info()

    def cache_clear(self) -> None:
        self._cached.cache_clear()


def shared[R](maxsize: int = 64) -> Callable[[Callable[..., R]], Shared[R]]:
    """Decorate a function whose results every session shares (see the module's docstring)."""

    def wrap(fn: Callable[..., R]) -> Shared[R]:
        return Shared(fn, maxsize)

    return wrap
