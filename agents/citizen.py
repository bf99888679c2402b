"""Citizen groups: Mesa agents whose attributes live in the population's numpy arrays.

The daily update runs on the arrays for all groups at once; a ``CitizenGroup`` is the readable view
of one row (for inspection and examples), never a loop on a hot path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.citizens import Population


class CitizenGroup(mesa.Agent):
    """People of one region, settlement, age band and main language."""

    def __init__(self, model: mesa.Model, population: Population, index: int) -> None:
        super().__init__(model)
        self.population = population
        self.index = index

    @property
    def region(self) -> str:
        return self.population.region_names[self.population.region[self.index]]

    @property
    def settlement(self) -> str:
        return "urban" if self.population.urban[self.index] else "rural"

    @property
    def age_band(self) -> str:
        return self.population.band_names[self.population.age[self.index]]

    @property
    def language(self) -> str:
        return ("kazakh", "russian")[self.population.language[self.index]]

    @property
    def weight(self) -> float:
        """The number of people the group stands for."""
        return float(self.population.weight[self.index])

    @property
    def access(self) -> float:
        """Share of the group online."""
        return float(self.population.access[self.index])

    def preference(self, topic: str) -> float:
        return float(self.population.pref[self.index, self.population.topic_names.index(topic)])

    def salience(self, topic: str) -> float:
        return float(self.population.salience[self.index, self.population.topic_names.index(topic)])

    def __repr__(self) -> str:
        return f"CitizenGroup({self.region}, {self.settlement}, {self.age_band}, {self.language})"
