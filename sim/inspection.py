"""A built parliament as a Mesa model: every agent as a Mesa agent, for inspection and examples.

The run itself works on arrays and never imports Mesa (its import alone costs more than a default
run); this view is made on request. Its ``agents`` hold a ``Deputy`` per member of every chamber, a
``CommitteeAgent`` per committee, the ``President`` and a ``CitizenGroup`` per citizen group, so that
Mesa's AgentSet verbs select, group and aggregate them::

    view = ParliamentView(scenarios.build(conf))
    view.agents_by_type[Deputy].groupby("party").count()
    view.agents_by_type[CitizenGroup].agg("weight", sum)
"""

from __future__ import annotations

import logging

import mesa

from agents.views import CitizenGroup, CommitteeAgent, Deputy, President
from sim.engine.model import ParliamentModel

logging.getLogger("mesa").setLevel(logging.WARNING)  # no per-agent log lines


class ParliamentView(mesa.Model):
    """The agents of ``model`` (built, run or not) as Mesa agents reading its arrays."""

    def __init__(self, model: ParliamentModel) -> None:
        super().__init__(rng=model.seed)
        self.parliament = model
        for chamber in model.chambers.values():
            for i in range(chamber.seats):
                Deputy(self, chamber.deputies, i)
        for committee in model.committees.values():
            CommitteeAgent(self, committee)
        President(self, model.head)
        groups = model.citizen_groups
        if groups is not None:
            for i in range(groups.size):
                CitizenGroup(self, groups, i)
