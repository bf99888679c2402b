"""Committees: Mesa agents that examine the bills on their topics, a few at a time."""

from __future__ import annotations

import mesa
import numpy as np
import simpy


class Committee(mesa.Agent):
    """A standing committee of one chamber. ``desk`` is a SimPy resource: bills beyond the
    committee's capacity wait their turn."""

    def __init__(
        self,
        model: mesa.Model,
        name: str,
        chamber: str,
        topics: list[str],
        members: np.ndarray,
        capacity: int,
        env: simpy.Environment,
    ) -> None:
        super().__init__(model)
        self.name = name
        self.chamber = chamber
        self.topics = list(topics)
        self.members = members
        self.capacity = capacity
        self.desk = simpy.Resource(env, capacity=capacity)

    @property
    def queue_length(self) -> int:
        return len(self.desk.queue)

    def __repr__(self) -> str:
        return f"Committee({self.name}, {self.chamber}, topics={self.topics})"
