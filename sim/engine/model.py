"""ParliamentModel: the state of one run and how its parts are put together.

SimPy owns time, in days from the calendar's start. The agents decide: each chamber's deputies vote,
committees examine, the head of state signs or returns. The model builds the parts from a validated
``ParliamentConf``, starts the timeline's processes, and at the horizon returns the ledger's tables,
the summary metrics with their descriptions, and a monthly time series of its state. It reads no
file and writes none.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from agents.committees import Committee
from agents.deputies import Deputies
from agents.head_of_state import HeadOfState
from agents.majority import parse_rule
from sim.engine import timeline
from sim.engine.calendar import Introduction, sessions, sitting_days
from sim.engine.chamber import Chamber
from sim.engine.desks import Desk
from sim.engine.docket import Docket
from sim.engine.effects import Effects
from sim.engine.ledger import SCHEMAS, Column, Ledger, Schema, Table, table
from sim.engine.parliament import ParliamentConf, StageConf
from sim.engine.stages import Duration, ReviewStage, SignStage, StageHandler, VoteStage, WorkStage
from sim.engine.streams import Streams
from sim.metrics import SESSIONS, Metric, summarize

if TYPE_CHECKING:
    import pandas as pd

    from agents.citizens import CitizenGroups

#: The ``monthly`` table: one row per month and measure of the model's state.
MONTHLY: Schema = (
    Column("day", "float", "first day of the month", "days from the calendar start"),
    Column(
        "measure",
        "str",
        "what is measured (ParliamentModel's reporters: bills_in_system, laws_enacted, bills_rejected, "
        "bills_lapsed, bills_waiting, agenda_items, committee_queue, committee_busy)",
    ),
    Column("value", "float", "its value on that day"),
)


@dataclass
class RunResult:
    """What one run returns: its tables (with their schemas), the summary metrics (with their
    descriptions), the seed and the number of SimPy events processed."""

    tables: dict[str, Table]
    schemas: dict[str, Schema]
    summary: dict[str, Any]
    metrics: dict[str, Metric]
    seed: int
    events: int
    _frames: dict[str, pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables as pandas data frames (made when first asked for)."""
        if self._frames is None:
            import pandas as pd

            self._frames = {name: pd.DataFrame(cols) for name, cols in self.tables.items()}
        return self._frames


class ParliamentModel:
    """Bills arrive, move through the procedure and are decided by the agents."""

    def __init__(self, parliament: ParliamentConf, *, seed: int, years: float) -> None:
        p = self.parliament = parliament
        self.seed = int(seed)
        self.horizon = float(years) * 365.0
        self.env = env = simpy.Environment()
        self.streams = streams = Streams(seed)
        self.ledger = Ledger()
        self.effects = Effects()
        self.events = 0
        # The citizen groups, when a citizens layer is attached (for inspection and reporters).
        self.citizen_groups: CitizenGroups | None = None

        self.topic_names = list(p.topics)
        self.topic_index = {t: i for i, t in enumerate(self.topic_names)}
        self.topic_cum_weights = np.cumsum([t.weight for t in p.topics.values()])
        self.status_quo = np.array([t.status_quo for t in p.topics.values()], dtype=float)

        # Sessions: when chambers sit, when bills may be introduced, when bills lapse.
        self.sessions = sessions(p.calendar, self.horizon)

        # The agents: each chamber's deputies, the committees, the head of state.
        self.chambers: dict[str, Chamber] = {}
        for name, c in p.chambers.items():
            deputies = Deputies.seat(
                name,
                c.parties,
                c.seats,
                attention=c.attention,
                attendance=c.attendance,
                noise_sd=p.vote_noise,
                loyalty_sd=p.loyalty_sd,
                rng=streams[f"composition/{name}"],
                amendment=c.amendment,
            )
            self.chambers[name] = Chamber(
                name,
                deputies,
                quorum=c.quorum,
                agenda_capacity=c.agenda_capacity,
                agenda_priority=c.agenda_priority,
                sittings=sitting_days(p.calendar.start, self.horizon, self.sessions, c.sitting_weekdays),
                status_quo=self.status_quo,
                effects=self.effects,
                votes=self.ledger.votes,
                amendments=self.ledger.amendments,
                rng=streams[f"votes/{name}"],
            )
        self.committees = {
            name: Committee.appoint(
                name,
                c,
                self.chambers[c.chamber].deputies,
                p.committee_rules,
                streams[f"composition/{c.chamber}/committees"],
            )
            for name, c in p.committees.items()
        }
        self.head = HeadOfState(p.head_of_state)

        # The engine: committee and stage desks, one handler per stage, the docket.
        self.desks: dict[str, Desk] = {
            name: Desk(env, c.capacity, ranked=bool(p.chambers[c.chamber].agenda_priority))
            for name, c in self.committees.items()
        }
        self._committee_of_topic = {
            (c.chamber, self.topic_index[t]): c for c in self.committees.values() for t in c.topics
        }
        self.stages: dict[str, StageHandler] = {name: self._handler(name, s) for name, s in p.stages.items()}
        self.docket = Docket(
            env,
            self.ledger,
            self.effects,
            self.topic_names,
            self.stages,
            Introduction(p.calendar, self.sessions),
        )

        for who, conf in p.initiators.items():
            if conf.from_demands:
                continue  # its bills come from citizen demands, not from a Poisson stream
            env.process(
                timeline.arrivals(
                    env,
                    self.docket,
                    who,
                    conf,
                    p.rates_per_day()[who],
                    self.topic_cum_weights,
                    p.complexity_sd,
                    streams[f"arrivals/{who}"],
                )
            )
        for chamber in self.chambers.values():
            env.process(timeline.sittings(env, chamber))
        env.process(
            timeline.endings(env, self.docket, timeline.ends(p.calendar, self.sessions, self.horizon))
        )

        # A monthly time series of the model's state (Mesa's model reporters, on the SimPy clock).
        self.reporters: dict[str, Callable[[], float]] = {
            "bills_in_system": lambda: self.docket.in_system,
            "laws_enacted": lambda: self.docket.enacted,
            "bills_rejected": lambda: self.docket.rejected,
            "bills_lapsed": lambda: self.docket.lapsed,
            "bills_waiting": lambda: len(self.docket.waiting),
            "agenda_items": lambda: sum(c.agenda.waiting() for c in self.chambers.values()),
            "committee_queue": lambda: sum(len(d.queue) for d in self.desks.values()),
            "committee_busy": lambda: sum(d.count for d in self.desks.values()),
        }
        self._monthly: list[tuple[float, str, float]] = []

    def _handler(self, name: str, s: StageConf) -> StageHandler:
        env, streams, effects, p = self.env, self.streams, self.effects, self.parliament
        duration = Duration(s, effects, streams[f"durations/{name}"], p.priority)
        if s.kind == "work":
            committee = None
            if s.committee and s.decides:
                of_topic, chamber = self._committee_of_topic, s.chamber
                committee = lambda bill: of_topic[(chamber, bill.topic)]  # noqa: E731
            desk, desk_of = self._work_desk(s)
            return WorkStage(
                name,
                s,
                env,
                desk,
                desk_of,
                committee,
                duration,
                effects,
                self.status_quo,
                self.ledger.amendments,
                streams[f"outcomes/{name}"],
                streams[f"committees/{name}"],
            )
        if s.kind == "vote":
            reject = parse_rule(s.reject_rule) if s.reject_rule else None
            return VoteStage(name, s, env, self.chambers[str(s.chamber)], parse_rule(s.rule), reject)
        if s.kind == "review":
            return ReviewStage(name, s, env, self.chambers[str(s.chamber)], parse_rule(s.rule), duration)
        return SignStage(name, s, env, self.head, duration, effects, streams["head_of_state"])

    def _work_desk(self, s: StageConf) -> tuple[Desk | None, Callable[[Any], Desk] | None]:
        """Who serves a bill at a work stage: the stage's own desk (none: unlimited), or the desk of
        the bill's topic's committee."""
        if s.committee:
            desks, of_topic, chamber = self.desks, self._committee_of_topic, s.chamber
            return None, lambda bill: desks[of_topic[(chamber, bill.topic)].name]
        return (None if s.capacity is None else Desk(self.env, int(s.capacity))), None

    def record(self, now: float) -> None:
        """One row per reporter for the ``monthly`` table."""
        self._monthly.extend((now, name, float(report())) for name, report in self.reporters.items())

    # -- running ------------------------------------------------------------------------------
    def _advance(self) -> int:
        """Process every event before the horizon and set the clock to it; the number processed."""
        env, horizon = self.env, self.horizon
        step, peek = env.step, env.peek
        n = 0
        while peek() < horizon:
            step()
            n += 1
        env.run(until=horizon)  # nothing is left before the horizon: this only sets the clock
        self.docket.close()
        self.events = n
        return n

    def run(self) -> RunResult:
        """Run to the horizon and return the tables, the summary and the time series."""
        env = self.env
        if self.effects.daily:
            env.process(timeline.daily(env, self.effects.daily))
        env.process(
            timeline.monthly(
                env, timeline.month_starts(self.parliament.calendar.start, self.horizon), self.record
            )
        )
        # The cyclic garbage collector is paused while the model runs and tables its records: a run
        # makes hundreds of thousands of objects that live until it ends (bills, stage visits, votes)
        # and the collector's passes over them cost several % of a run. The records are let go once
        # tabled, so that the collector never walks them.
        collecting = gc.isenabled()
        gc.disable()
        try:
            n = self._advance()
            tables = self.ledger.tables()
            self.ledger.clear()
        finally:
            if collecting:
                gc.enable()
        schemas = dict(SCHEMAS)
        horizon = self.horizon
        spans = self.sessions + sessions(self.parliament.calendar, horizon, reporting=True)
        summary, metrics = summarize(tables, horizon, self.docket.area, self.parliament, spans)
        schemas["sessions"] = SESSIONS
        for report in self.effects.reports:
            report(tables, schemas, summary, metrics)
        tables["monthly"], schemas["monthly"] = table(MONTHLY, self._monthly), MONTHLY
        return RunResult(tables, schemas, summary, metrics, self.seed, n)
