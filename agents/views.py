"""Mesa agents that show one member of a vectorised agent set: for inspection, examples and Mesa's
own tools (AgentSet selection, grouping, aggregation, visualisation).

A run never loops over these: votes and the daily update work on the arrays of ``Deputies``,
``Committee``, ``HeadOfState`` and ``CitizenGroups``. ``sim.inspection.ParliamentView`` makes them on
request, so that a run does not pay for importing Mesa.
"""

from __future__ import annotations

import mesa

from agents.citizens import GROUP_LANGUAGES, CitizenGroups
from agents.committees import Committee
from agents.deputies import Deputies
from agents.head_of_state import HeadOfState


class Deputy(mesa.Agent):
    """A member of a chamber: party, ideal point, loyalty to the party line, attention to citizens."""

    def __init__(self, model: mesa.Model, deputies: Deputies, index: int) -> None:
        super().__init__(model)
        self.deputies, self.index = deputies, index

    @property
    def chamber(self) -> str:
        return self.deputies.chamber

    @property
    def party(self) -> str:
        return self.deputies.party_names[self.deputies.party[self.index]]

    @property
    def ideology(self) -> float:
        return float(self.deputies.ideal[self.index])

    @property
    def loyalty(self) -> float:
        return float(self.deputies.loyalty[self.index])

    @property
    def attention(self) -> float:
        return float(self.deputies.attention[self.index])

    def __repr__(self) -> str:
        return f"Deputy({self.chamber}#{self.index}, {self.party}, x={self.ideology:+.2f})"


class CommitteeAgent(mesa.Agent):
    """A standing committee: its chamber, topics, members and capacity."""

    def __init__(self, model: mesa.Model, committee: Committee) -> None:
        super().__init__(model)
        self.committee = committee

    @property
    def name(self) -> str:
        return self.committee.name

    @property
    def chamber(self) -> str:
        return self.committee.chamber

    @property
    def size(self) -> int:
        return int(self.committee.members.size)

    @property
    def capacity(self) -> int:
        return self.committee.capacity


class President(mesa.Agent):
    """The head of state: position and tolerance before returning a law."""

    def __init__(self, model: mesa.Model, head: HeadOfState) -> None:
        super().__init__(model)
        self.head = head

    @property
    def position(self) -> float:
        return self.head.position

    @property
    def veto_tolerance(self) -> float:
        return self.head.veto_tolerance


class CitizenGroup(mesa.Agent):
    """People of one region, settlement, age band and main language."""

    def __init__(self, model: mesa.Model, groups: CitizenGroups, index: int) -> None:
        super().__init__(model)
        self.groups, self.index = groups, index

    @property
    def region(self) -> str:
        return self.groups.region_names[self.groups.region[self.index]]

    @property
    def settlement(self) -> str:
        return "urban" if self.groups.urban[self.index] else "rural"

    @property
    def age_band(self) -> str:
        return self.groups.band_names[self.groups.age[self.index]]

    @property
    def language(self) -> str:
        return GROUP_LANGUAGES[self.groups.language[self.index]]

    @property
    def weight(self) -> float:
        """The number of people the group stands for."""
        return float(self.groups.weight[self.index])

    @property
    def access(self) -> float:
        """Share of the group online."""
        return float(self.groups.access[self.index])

    def preference(self, topic: str) -> float:
        return float(self.groups.pref[self.index, self.groups.topic_names.index(topic)])

    def salience(self, topic: str) -> float:
        return float(self.groups.salience[self.index, self.groups.topic_names.index(topic)])

    def __repr__(self) -> str:
        return f"CitizenGroup({self.region}, {self.settlement}, {self.age_band}, {self.language})"
