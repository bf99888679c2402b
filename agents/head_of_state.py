"""The head of state, who signs laws or returns them with objections."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class HeadOfStateConf:
    """The head of state who signs laws, or returns them with objections."""

    position: float = 0.0
    veto_tolerance: float = 1.0  # returns a law when |law - position| + noise exceeds this
    noise_sd: float = 0.1


class HeadOfState:
    """Returns a law that lies too far from their own position (with some noise)."""

    def __init__(self, conf: HeadOfStateConf) -> None:
        self.position = float(conf.position)
        self.veto_tolerance = float(conf.veto_tolerance)
        self.noise_sd = float(conf.noise_sd)

    def returns(self, position: float, tolerance_factor: float, rng: np.random.Generator) -> bool:
        """Whether a law at ``position`` goes back with objections; ``tolerance_factor`` widens
        (> 1) or narrows the tolerance (e.g. a well-consulted draft is returned less)."""
        noise = rng.normal(0.0, self.noise_sd) if self.noise_sd > 0 else 0.0
        return abs(position - self.position) + noise > self.veto_tolerance * tolerance_factor
