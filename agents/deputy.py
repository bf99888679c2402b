"""Deputies: Mesa agents whose attributes live in their chamber's numpy arrays.

Votes are computed on the arrays for all deputies at once; a ``Deputy`` is the readable, per-person
view of one row (for inspection, data collection and examples), never a loop on a hot path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.chamber import Chamber


class Deputy(mesa.Agent):
    """A member of a chamber: party, ideal point, loyalty to the party line, attention to citizens."""

    def __init__(self, model: mesa.Model, chamber: Chamber, index: int) -> None:
        super().__init__(model)
        self.chamber = chamber
        self.index = index

    @property
    def party(self) -> str:
        return self.chamber.party_names[self.chamber.party[self.index]]

    @property
    def ideology(self) -> float:
        return float(self.chamber.ideal[self.index])

    @property
    def loyalty(self) -> float:
        return float(self.chamber.loyalty[self.index])

    @property
    def attention(self) -> float:
        return float(self.chamber.attention[self.index])

    def __repr__(self) -> str:
        return f"Deputy({self.chamber.name}#{self.index}, {self.party}, x={self.ideology:+.2f})"
