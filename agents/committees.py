"""Committees: the standing committees of a chamber, each examining the bills on its topics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class CommitteeConf:
    """A standing committee: examines bills on its topics, a few at a time."""

    chamber: str = ""
    topics: list[str] = field(default_factory=list)
    capacity: int = 2  # bills examined at once
    size: int = 10  # members


class Committee:
    """A committee of ``members`` (row indices of its chamber's deputies) on ``topics``; it examines
    at most ``capacity`` bills at once."""

    def __init__(
        self, name: str, chamber: str, topics: list[str], members: np.ndarray, capacity: int
    ) -> None:
        self.name = name
        self.chamber = chamber
        self.topics = list(topics)
        self.members = members
        self.capacity = int(capacity)

    @classmethod
    def appoint(cls, name: str, conf: CommitteeConf, seats: int, rng: np.random.Generator) -> Committee:
        """Draw the committee's members from the chamber's ``seats`` without replacement."""
        size = min(int(conf.size), seats)
        members = np.sort(rng.choice(seats, size, replace=False))
        return cls(name, conf.chamber, conf.topics, members, conf.capacity)

    def __repr__(self) -> str:
        return f"Committee({self.name}, {self.chamber}, topics={self.topics})"
