"""A parliament as data: chambers, committees, calendar, topics, bill sources and its procedure.

These dataclasses are the engine's description of a parliament. ``scenarios`` fills them from YAML
(they are its structured config schema), checks every value, and hands them over; the engine reads
them and never checks them again. Stage kinds, terminal outcomes and duration distributions are
declared here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.committees import CommitteeConf, CommitteeRulesConf
from agents.deputies import AmendmentConf, PartyConf
from agents.head_of_state import HeadOfStateConf

#: Stage kinds of a procedure (one handler each, ``sim.engine.stages``).
STAGE_KINDS = ("work", "vote", "review", "sign")
#: What a vote stage puts to the chamber: the bill (against the law in force), or the amendments the
#: other chamber made (against the bill as it stands).
QUESTIONS = ("bill", "amendments")
#: Outcomes a procedure can end in; a transition may name one of these instead of a stage.
TERMINALS = ("enacted", "rejected")
#: Outcomes of a stage (``deemed_`` ones: a deadline decided instead of an actor).
OUTCOMES = ("pass", "fail", "return", "amend", "hold", "deemed_pass", "deemed_fail", "exhausted")
#: Distributions a stage's duration may follow.
DISTRIBUTIONS = ("fixed", "exponential", "lognormal", "gamma")
#: A stage's transitions, by the outcome that takes them.
TRANSITIONS = ("on_pass", "on_fail", "on_return", "on_amend")
#: What happens to the bills still before parliament when a session or a convocation ends.
AT_END = ("carry_over", "lapse")


@dataclass
class DurationConf:
    """A duration in days: ``fixed`` uses ``mean``; the others have mean ``mean`` and sd ``sd``
    (exponential ignores ``sd``)."""

    dist: str = "exponential"
    mean: float = 1.0
    sd: float = 0.0


@dataclass
class ChamberConf:
    """A chamber: its members (by party; no parties: all independent), quorum, attendance, plenary
    sittings, the order of its agenda, and when it rewrites a bill it reviews."""

    seats: int = 100
    parties: dict[str, PartyConf] = field(default_factory=dict)
    quorum: float = 0.5  # share of members present for a valid vote
    attendance: float = 0.95  # probability that a member is present at a vote
    sitting_weekdays: list[int] = field(default_factory=lambda: [2])  # 0 = Monday
    agenda_capacity: int = 10  # bills voted at one plenary sitting
    agenda_priority: bool = False  # priority bills first, then the government's, then others
    attention: float = 0.0  # weight deputies give to the citizen signal in their vote
    amendment: AmendmentConf = field(default_factory=AmendmentConf)


@dataclass
class SessionConf:
    """A regular session, held every year: it opens and closes on these days (``MM-DD``)."""

    opens: str = "01-01"
    closes: str = "12-31"


@dataclass
class SpecialSessionConf:
    """A special (extraordinary) session on given dates (``YYYY-MM-DD``)."""

    opens: str = ""
    closes: str = ""


@dataclass
class CalendarConf:
    """Sessions and convocations: day 0 is ``start``; plenaries sit only in session.

    ``introduction_deadline_days`` after a session opens, no new bill is introduced until the
    session closes (bills drafted meanwhile wait); ``introduce_in_recess`` says whether bills may be
    introduced between sessions (if not, they wait for the next session). At a session's end, and
    at a convocation's end, the bills still before parliament (not yet adopted) are carried over or
    lapse.
    """

    start: str = "2023-09-01"
    sessions: list[SessionConf] = field(default_factory=lambda: [SessionConf()])
    # The periods over which parliament reports its work each year (e.g. the autumn and spring parts
    # of a session); the share of bills on the books adopted is counted per period. None: per session.
    reporting: list[SessionConf] = field(default_factory=list)
    special_sessions: list[SpecialSessionConf] = field(default_factory=list)
    introduction_deadline_days: float | None = None
    introduce_in_recess: bool = True
    at_session_end: str = "carry_over"
    convocation_years: float | None = None  # a new convocation every so many years from start
    at_convocation_end: str = "carry_over"


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
    deputies: bool = False  # its bills are deputies' own initiatives (counted as such)
    priority_share: float = 0.0  # share of its bills the head of state declares a priority
    # Bills come from citizen demands passed on by the channels (no Poisson stream); then
    # ``rate_per_year`` is the most initiatives it tables a year.
    from_demands: bool = False


@dataclass
class StageConf:
    """One stage of a procedure. Which fields matter depends on ``kind``:

    - ``work``: ``duration``, ``capacity`` (null = unlimited), ``committee`` (served by the committee
      of the bill's topic in ``chamber``, which then ``decides``: report, amend or hold), ``fail_prob``
      (withdrawn by its initiator);
    - ``vote``: ``chamber``, ``rule``, ``quorum`` (null = the chamber's), ``override``; ``question``
      ``bill`` (the bill against the law in force) or ``amendments`` (the other chamber's
      amendments against the bill as it stands; adopted when the vote passes); with a
      ``reject_rule`` a bill that fails is rejected only if that many vote against it, and
      otherwise goes to ``on_return`` (back for more work);
    - ``review``: a second chamber examines the bill for ``duration`` then decides at a sitting by
      ``rule``: it approves (``on_pass``), approves with its own amendments (``on_amend``), or
      rejects (``on_return``); silent at ``deadline_days`` it is ``deemed`` to have decided;
    - a ``vote`` with ``readings: n`` is held n times, with committee work of ``between`` days after
      each reading but the last (``scenarios`` expands it into stages ``<name>``,
      ``<name>_amendments_1``, ``<name>_2``, ... ``<name>_<n>``);
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
    decides: bool = True
    fail_prob: float = 0.0
    chamber: str | None = None
    rule: str = "simple"
    reject_rule: str | None = None
    question: str = "bill"
    quorum: float | None = None
    override: bool = False
    readings: int = 1
    between: DurationConf | None = None
    deadline_days: float | None = None
    deemed: str = "pass"
    max_rounds: int = 0
    on_pass: str = "enacted"
    on_fail: str = "rejected"
    on_return: str | None = None
    on_amend: str | None = None

    def next(self, outcome: str) -> str:
        """The stage (or terminal) a bill goes to after ``outcome``: any outcome a stage visit
        records (pass, fail, return, amend, hold, a deadline's ``deemed_`` one, or ``exhausted``:
        past ``max_rounds``, the way out of a cycle is ``on_fail``)."""
        outcome = outcome.removeprefix("deemed_")
        if outcome == "exhausted":
            return self.on_fail
        if outcome == "return":
            return self.on_return or self.on_fail
        if outcome == "amend":
            return self.on_amend or self.on_pass
        return self.on_pass if outcome == "pass" else self.on_fail

    def transitions(self) -> list[str]:
        """Where a bill may go from here (stages or terminals)."""
        return [t for t in (self.on_pass, self.on_fail, self.on_return, self.on_amend) if t is not None]


def adopting(stages: dict[str, StageConf]) -> frozenset[str]:
    """The stages a bill enters once parliament has adopted it (its last vote is behind it): the head
    of state's signature, and the work stages without a committee that lead only there (the law's
    transmission to the head of state). A bill is stamped adopted on entering the first of them, so
    that a procedure that forwards its laws is timed as one that does not."""
    out = {name for name, s in stages.items() if s.kind == "sign"}
    while True:
        more = {
            name
            for name, s in stages.items()
            if name not in out and s.kind == "work" and not s.committee and s.on_pass in out
        }
        if not more:
            return frozenset(out)
        out |= more


@dataclass
class PriorityConf:
    """Bills the head of state declares a priority: first in the agendas and committee queues of a
    chamber that ranks them (``agenda_priority``), done faster; whether they are adopted within the
    deadline is measured (``priority_within_deadline``), not enforced."""

    deadline_days: float = 60.0  # they are due within this many days
    duration_factor: float = 1.0  # factor on every stage's duration for a priority bill


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
    loyalty_sd: float = 0.05  # sd of a member's loyalty around the party's discipline
    head_of_state: HeadOfStateConf = field(default_factory=HeadOfStateConf)
    committee_rules: CommitteeRulesConf = field(default_factory=CommitteeRulesConf)
    priority: PriorityConf = field(default_factory=PriorityConf)
    stages: dict[str, StageConf] = field(default_factory=dict)
    # Plausible ranges of the assumed numbers above, by path within the parliament (e.g.
    # ``chambers.senate.parties.elected.discipline: [0.3, 0.8]``): sampled by experiment=robustness.
    ranges: dict[str, Any] = field(default_factory=dict)
    # Total bill arrivals per day; when set, the initiators' rates are scaled to sum to it.
    arrival_rate: float | None = None
    # Knobs of the single-queue reference model, referenced by interpolation in its preset.
    servers: int | None = None
    service_mean: float | None = None

    def rates_per_day(self) -> dict[str, float]:
        """Each Poisson initiator's rate of bills per day, scaled to ``arrival_rate`` when it is set
        (an initiator fed by citizen demands has no Poisson stream: its rate is a most per year)."""
        rates = {w: i.rate_per_year / 365.0 for w, i in self.initiators.items() if not i.from_demands}
        if self.arrival_rate is not None:
            total = sum(rates.values())
            rates = {w: self.arrival_rate * r / total for w, r in rates.items()}
        return rates
