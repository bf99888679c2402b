"""Named random streams from one seed.

Each purpose (bill arrivals of one initiator, durations of one stage, votes in one chamber, ...) gets
its own generator, keyed by *name* rather than by creation order. Two scenarios run with the same seed
therefore draw the same numbers for every stream they have in common (common random numbers), which
makes paired comparisons between scenarios much tighter.
"""

from __future__ import annotations

import zlib

import numpy as np


def _key(name: str) -> int:
    """A stable 32-bit key for a stream name (Python's ``hash`` is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """A family of independent ``numpy.random.Generator`` objects derived from one seed.

    >>> s = Streams(7)
    >>> float(s["arrivals/government"].random()) == float(Streams(7)["arrivals/government"].random())
    True
    """

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            ss = np.random.SeedSequence(entropy=self.seed, spawn_key=(_key(name),))
            gen = self._cache[name] = np.random.Generator(np.random.PCG64(ss))
        return gen


def replication_seeds(base_seed: int, n: int) -> list[int]:
    """Seeds for ``n`` replications; the same list for every scenario of an experiment (CRN)."""
    ss = np.random.SeedSequence(base_seed)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in ss.spawn(n)]
