"""Committees: the standing committees of a chamber, which examine the bills on their topics and
decide to report them, amend them or hold them.

A committee's seats are shared among the chamber's parties by their seat shares; its chair belongs to
one party. When its work on a bill is done, the committee decides in three steps: the chair's party
may keep a bill it opposes off the agenda (gatekeeping); the members vote on the bill as it stands
(the same decision rule as in a plenary vote, over the committee's members only), and without a
majority the bill is held; a committee whose median member sits far from the bill rewrites it
towards that median (amendments change the bill's position).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agents.deputies import Deputies, apportion, median_of, rewrite


@dataclass
class CommitteeConf:
    """A standing committee: examines bills on its topics, a few at a time."""

    chamber: str = ""
    topics: list[str] = field(default_factory=list)
    capacity: int = 2  # bills examined at once
    size: int = 10  # members, shared among the chamber's parties by seat share
    chair: str = ""  # the chair's party ("": the chamber's largest party)


@dataclass
class CommitteeRulesConf:
    """How committees decide (the same rules for every committee of a parliament)."""

    gatekeeping: float = 0.0  # chance that the chair keeps a bill its party opposes off the agenda
    amend_threshold: float = 0.0  # amend a bill further than this from the committee's median (0: never)
    amend_pull: float = 0.5  # share of the way amendments move a bill towards the committee's median


@dataclass(frozen=True)
class Decision:
    """What a committee did with a bill: ``report``, ``amend`` (report it rewritten) or ``hold``."""

    outcome: str
    position: float


class Committee:
    """A committee of ``members`` (row indices of its chamber's deputies) on ``topics``; it examines
    at most ``capacity`` bills at once and decides on each by ``rules``."""

    def __init__(
        self,
        name: str,
        chamber: str,
        topics: list[str],
        members: np.ndarray,
        capacity: int,
        chair: int,
        deputies: Deputies,
        rules: CommitteeRulesConf,
    ) -> None:
        self.name = name
        self.chamber = chamber
        self.topics = list(topics)
        self.members = members
        self.capacity = int(capacity)
        self.chair = int(chair)  # the chair's party (index into the chamber's parties)
        self.deputies = deputies
        self.rules = rules
        self.median = median_of(deputies.ideal[members])  # the median member's ideal point
        self.voters = deputies.subset(members)  # the members as deputies of their own

    @classmethod
    def appoint(
        cls,
        name: str,
        conf: CommitteeConf,
        deputies: Deputies,
        rules: CommitteeRulesConf,
        rng: np.random.Generator,
    ) -> Committee:
        """Share the committee's seats among the chamber's parties by seat share and draw its
        members within each party."""
        by_party = deputies.seats_by_party()
        size = min(int(conf.size), deputies.size)
        seats = apportion(size, by_party)
        members = np.sort(
            np.concatenate(
                [
                    rng.choice(np.flatnonzero(deputies.party == k), n, replace=False)
                    for k, n in enumerate(seats)
                    if n > 0
                ]
            )
        )
        chair = deputies.party_names.index(conf.chair) if conf.chair else int(np.argmax(by_party))
        return cls(name, conf.chamber, conf.topics, members, conf.capacity, chair, deputies, rules)

    def decide(
        self,
        position: float,
        status_quo: float,
        government: bool,
        signal: np.ndarray | None,
        rng: np.random.Generator,
    ) -> Decision:
        """Report, amend or hold a bill at ``position`` that would replace ``status_quo``; ``signal``
        is the citizen pressure on each member (in the order of :attr:`members`)."""
        d, rows, rules = self.deputies, self.members, self.rules
        opposed = rules.gatekeeping > 0 and not d.backs(self.chair, position, status_quo, government)
        if opposed and rng.random() < rules.gatekeeping:
            return Decision("hold", position)
        yes = self.voters.support_one(position, status_quo, government, signal, rng)
        if 2 * int(np.count_nonzero(yes)) <= rows.size:  # no majority of the committee
            return Decision("hold", position)
        moved = rewrite(position, self.median, rules.amend_threshold, rules.amend_pull)
        return Decision("report", position) if moved is None else Decision("amend", moved)

    def __repr__(self) -> str:
        return f"Committee({self.name}, {self.chamber}, topics={self.topics})"
