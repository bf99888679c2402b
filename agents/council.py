"""The People's Council of the 2026 Constitution: an initiator fed by citizens' voiced demand.

It has no Poisson stream of its own: it meets every ``365 / rate_per_year`` days, takes the topic and
side with the most voice in the whole population (population-weighted voice level), and if that
level reaches ``min_level`` tables a bill at the voiced groups' preferred position. The voice it took
up is spent. Without channels nobody's voice reaches it, and it tables nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agents.voice import Voice

#: Puts a bill from citizen demand into the procedure: (initiator, topic, position, rng) -> bill id.
TableBill = Callable[[str, int, float, np.random.Generator], int]


@dataclass
class CouncilConf:
    """A demand-fed initiator (e.g. the People's Council) drafts from the strongest voice."""

    min_level: float = 0.05  # population-weighted voice level needed for an initiative


class Council:
    def __init__(
        self,
        name: str,
        rate_per_year: float,
        spec: CouncilConf,
        voice: Voice,
        weights: np.ndarray,
        table_bill: TableBill,
        rng: np.random.Generator,
    ) -> None:
        self.name, self.voice, self.table_bill, self.rng = name, voice, table_bill, rng
        self.min_level = float(spec.min_level)
        self.interval = 365.0 / rate_per_year if rate_per_year > 0 else np.inf
        self.next = self.interval
        self.weights = weights  # each group's share of the population
        self.tabled = 0

    def step(self, now: float) -> None:
        if now < self.next:
            return
        self.next += self.interval
        voice = self.voice
        if voice.quiet:
            return
        topic, level, groups, position = voice.strongest(self.weights)
        if level < self.min_level:
            return
        self.table_bill(self.name, topic, position, self.rng)
        voice.consume(groups, topic)
        self.tabled += 1
