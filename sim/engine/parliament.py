"""A parliament as data: chambers, committees, calendar, topics, bill sources and its procedure.

These dataclasses are the engine's description of a parliament. ``scenarios`` fills them from YAML
(they are its structured config schema), checks every value, and hands them over; the engine reads
them and never checks them again. Stage kinds, terminal outcomes and duration distributions are
declared here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.committees import CommitteeConf
from agents.deputies import PartyConf
from agents.head_of_state import HeadOfStateConf

#: Stage kinds of a procedure (one handler each, ``sim.engine.stages``).
STAGE_KINDS = ("work", "vote", "review", "sign")
#: Outcomes a procedure can end in; a transition may name one of these instead of a stage.
TERMINALS = ("enacted", "rejected")
#: Distributions a stage's duration may follow.
DISTRIBUTIONS = ("fixed", "exponential", "lognormal", "gamma")
#: A stage's transitions, by the outcome that takes them.
TRANSITIONS = ("on_pass", "on_fail", "on_return")


@dataclass
class DurationConf:
    """A duration in days: ``fixed`` uses ``mean``; the others have mean ``mean`` and sd ``sd``
    (exponential ignores ``sd``)."""

    dist: str = "exponential"
    mean: float = 1.0
    sd: float = 0.0


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
    start: str = ""  # first stage of its bills
    position: float = 0.0  # mean position of its bills
    position_sd: float = 0.3
    government: bool = False  # parties of government back these bills
    # Bills come from citizen demands passed on by the channels (no Poisson stream); then
    # ``rate_per_year`` is the most initiatives it tables a year.
    from_demands: bool = False


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

    def next(self, outcome: str) -> str:
        """The stage (or terminal) a bill goes to after ``outcome`` (pass, fail or return)."""
        if outcome == "return":
            return self.on_return or self.on_fail
        return self.on_pass if outcome == "pass" else self.on_fail

    def transitions(self) -> list[str]:
        """Where a bill may go from here (stages or terminals)."""
        return [t for t in (self.on_pass, self.on_fail, self.on_return) if t is not None]


@dataclass
class ParliamentConf:
    """A parliament: chambers, committees, calendar, bill sources and its procedure."""

    name: str = ""
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

    def rates_per_day(self) -> dict[str, float]:
        """Each initiator's rate of bills per day (scaled to ``arrival_rate`` when it is set)."""
        rates = {w: i.rate_per_year / 365.0 for w, i in self.initiators.items()}
        if self.arrival_rate is not None:
            total = sum(rates.values())
            rates = {w: self.arrival_rate * r / total for w, r in rates.items()}
        return rates
