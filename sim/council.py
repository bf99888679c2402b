"""A demand-fed initiator (the People's Council of the 2026 Constitution).

It has no Poisson stream of its own: it meets every ``365 / rate_per_year`` days, takes the topic and
side with the most voice in the whole population (population-weighted voice level), and if that
level reaches ``min_level`` tables a bill at the voiced groups' preferred position. The voice it took
up is spent. Without channels nobody's voice reaches it, and it tables nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.channels import Channels


class Council:
    def __init__(self, name: str, conf: Any, spec: Any, layer: Channels) -> None:
        self.name, self.layer = name, layer
        self.min_level = float(spec.min_level)
        rate = float(conf.rate_per_year)
        self.interval = 365.0 / rate if rate > 0 else np.inf
        self.next = self.interval
        pop = layer.population
        self.weights = pop.weight / pop.people
        self.rng = layer.streams[f"channels/council/{name}"]
        self.tabled = 0

    def step(self, now: float) -> None:
        if now < self.next:
            return
        self.next += self.interval
        voice = self.layer.voice
        if voice.quiet:
            return
        topic, level, groups, position = voice.strongest(self.weights)
        if level < self.min_level:
            return
        self.layer.table_bill(self.name, topic, position, self.rng)
        voice.consume(groups, topic)
        self.tabled += 1
