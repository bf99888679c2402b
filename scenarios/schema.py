"""The structured config schema: typed dataclasses registered in Hydra's ConfigStore.

The YAML presets under ``configs/`` fill these in. Hydra checks types when it composes a config;
``scenarios.validate`` then checks ranges and the procedure graph before anything runs.
Mappings are keyed by name (chambers, parties, committees, topics, initiators, stages) so that any
value can be overridden from the command line, e.g. ``parliament.chambers.mazhilis.seats=120``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from scenarios.citizens import ChannelsConf, CitizensConf

#: Distributions a ``work`` stage's duration (or a bill's complexity) may follow.
DISTRIBUTIONS = ("fixed", "exponential", "lognormal", "gamma")
#: Stage kinds of a procedure.
STAGE_KINDS = ("work", "vote", "review", "sign")
#: Outcomes a procedure can end in; a transition may name one of these instead of a stage.
TERMINALS = ("enacted", "rejected")


@dataclass
class DurationConf:
    """A duration in days: ``fixed`` uses ``mean``; the others have mean ``mean`` and sd ``sd``
    (exponential ignores ``sd``)."""

    dist: str = "exponential"
    mean: float = 1.0
    sd: float = 0.0


@dataclass
class PartyConf:
    """A party group in one chamber."""

    seats: int = 0
    position: float = 0.0  # ideal point on the left-right axis [-1, 1]
    spread: float = 0.1  # sd of members' ideal points around the party position
    discipline: float = 0.8  # mean loyalty to the party line, [0, 1]
    government: bool = False  # a party of government whips for the government's bills


@dataclass
class ChamberConf:
    """A chamber: its members (by party), quorum, attendance and plenary sittings."""

    seats: int = 100
    parties: dict[str, PartyConf] = field(default_factory=dict)
    quorum: float = 0.5  # share of members present for a valid vote
    attendance: float = 0.95  # probability that a member is present at a vote
    sitting_weekdays: list[int] = field(default_factory=lambda: [2])  # 0 = Monday
    agenda_capacity: int = 10  # bills voted at one plenary sitting
    attention: float = 0.0  # weight deputies give to the citizen signal in their vote


@dataclass
class CommitteeConf:
    """A standing committee: examines bills on its topics, a few at a time."""

    chamber: str = MISSING
    topics: list[str] = field(default_factory=list)
    capacity: int = 2  # bills examined at once
    size: int = 10  # members


@dataclass
class CalendarConf:
    """The sitting calendar: day 0 is ``start``; plenaries sit only in session months."""

    start: str = "2023-09-01"
    session_months: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 9, 10, 11, 12])


@dataclass
class TopicConf:
    """A policy topic: its share of bills and where policy stands now."""

    weight: float = 1.0
    status_quo: float = 0.0


@dataclass
class InitiatorConf:
    """A source of bills (government, deputies, other bodies): a Poisson stream."""

    rate_per_year: float = 0.0
    start: str = MISSING  # first stage of its bills
    position: float = 0.0  # mean position of its bills
    position_sd: float = 0.3
    government: bool = False  # parties of government back these bills
    # Bills come from citizen demands passed on by the channels (no Poisson stream); then
    # ``rate_per_year`` is the most initiatives it tables a year.
    from_demands: bool = False


@dataclass
class HeadOfStateConf:
    """The head of state who signs laws, or returns them with objections."""

    position: float = 0.0
    veto_tolerance: float = 1.0  # returns a law when |law - position| + noise exceeds this
    noise_sd: float = 0.1


@dataclass
class StageConf:
    """One stage of a procedure. Which fields matter depends on ``kind``:

    - ``work``: ``duration``, ``capacity`` (null = unlimited), ``committee`` (served by the committee
      of the bill's topic in ``chamber``), ``fail_prob``;
    - ``vote``: ``chamber``, ``rule``, ``quorum`` (null = the chamber's), ``override``;
    - ``review``: a second chamber examines the bill for ``duration`` then votes by ``rule``; silent
      at ``deadline_days`` it is ``deemed`` to have decided; a rejection goes to ``on_return``;
    - ``sign``: the head of state acts after ``duration`` (at most ``deadline_days``), signing
      (``on_pass``) or returning the law with objections (``on_return``).

    ``max_rounds`` bounds how often a bill may enter the stage (navette rounds); past it the bill
    follows ``on_fail``. Transitions name a stage or a terminal outcome (``enacted``, ``rejected``).
    """

    kind: str = "work"
    label: str = ""
    duration: DurationConf = field(default_factory=DurationConf)
    scale_by_complexity: bool = True
    capacity: int | None = None
    committee: bool = False
    fail_prob: float = 0.0
    chamber: str | None = None
    rule: str = "simple"
    quorum: float | None = None
    override: bool = False
    deadline_days: float | None = None
    deemed: str = "pass"
    max_rounds: int = 0
    on_pass: str = "enacted"
    on_fail: str = "rejected"
    on_return: str | None = None


@dataclass
class ParliamentConf:
    """A parliament: chambers, committees, calendar, bill sources and its procedure."""

    name: str = MISSING
    description: str = ""
    chambers: dict[str, ChamberConf] = field(default_factory=dict)
    committees: dict[str, CommitteeConf] = field(default_factory=dict)
    calendar: CalendarConf = field(default_factory=CalendarConf)
    topics: dict[str, TopicConf] = field(default_factory=dict)
    initiators: dict[str, InitiatorConf] = field(default_factory=dict)
    complexity_sd: float = 0.5  # bills' complexity is lognormal with mean 1 and this sd
    vote_noise: float = 0.3  # sd of the noise in a deputy's utility
    head_of_state: HeadOfStateConf = field(default_factory=HeadOfStateConf)
    stages: dict[str, StageConf] = field(default_factory=dict)
    # Total bill arrivals per day; when set, the initiators' rates are scaled to sum to it.
    arrival_rate: float | None = None
    # Knobs of the single-queue reference model, referenced by interpolation in its preset.
    servers: int | None = None
    service_mean: float | None = None


@dataclass
class Config:
    """One run: a parliament, a seed and a horizon."""

    parliament: ParliamentConf = MISSING
    citizens: CitizensConf | None = None  # a citizens/ preset; none: no citizen groups
    channels: ChannelsConf | None = None  # a channels/ preset; needs citizens
    experiment: Any = None  # an experiment/ preset: ``kind`` names its runner (experiments.registry)
    seed: int = 0
    years: float = 5.0
    quiet: bool = False


def register() -> None:
    """Register the schema so that ``configs/config.yaml`` can build on it."""
    cs = ConfigStore.instance()
    cs.store(name="schema", node=Config)
