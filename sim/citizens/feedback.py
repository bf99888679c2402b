"""Citizens and the channels that carry their demands, attached to a parliament.

``Feedback`` builds the citizen groups, their demand book and their voice, and the feedback
mechanisms of a channels preset, each given what it needs; then ``attach`` composes them into the
model's effects:

- once a day, salience moves, demands emerge, channels take them in and serve their queues, a
  demand-fed initiator may table a bill;
- when a bill is introduced, deputies' bills may follow their base's voice, drafts are consulted on,
  and demands the bill answers get their first bill; when a law is enacted, the demands it answers
  are closed;
- the voice that channels carry becomes a signal in deputies' votes (only when a channel carries it);
- consultation and analytics reshape drafts (``DraftEffect``);
- at the end, the ``demands``, ``citizen_groups`` and per-channel tables and the responsiveness and
  channel metrics join the run's output.

Every draw comes from the layer's own named streams (``citizens``, ``channels/<name>``), and with only
the offline path nothing touches a legislative draw: the legislative ledger is the engine's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.citizens import GROUP_LANGUAGES, CitizenGroups, CitizensConf
from agents.council import Council, CouncilConf
from agents.initiative import Initiative, InitiativeConf
from agents.voice import Voice, VoiceConf
from sim.channels.analytics import AnalyticsChannel, AnalyticsConf
from sim.channels.appeal import AppealChannel, AppealConf
from sim.channels.base import Channel, Citizens, Intake, carried_outcomes, channel_metric
from sim.channels.consultation import ConsultationChannel, ConsultationConf
from sim.channels.offline import OfflineConf, OfflinePath
from sim.channels.petition import PetitionChannel, PetitionConf
from sim.citizens.demands import DEMANDS, DemandBook
from sim.citizens.responsiveness import responsiveness
from sim.engine.calendar import WorkDays
from sim.engine.ledger import Bill, Column, Schema, Table, from_columns
from sim.engine.model import ParliamentModel
from sim.engine.timeline import draw_complexity
from sim.metrics import Metric, registry


@dataclass
class ChannelsConf:
    """The feedback channels of a scenario; ``offline`` is always there (the baseline)."""

    name: str = "none"
    description: str = ""
    offline: OfflineConf = field(default_factory=OfflineConf)
    voice: VoiceConf = field(default_factory=VoiceConf)
    initiative: InitiativeConf = field(default_factory=InitiativeConf)
    council: CouncilConf = field(default_factory=CouncilConf)
    petitions: dict[str, PetitionConf] = field(default_factory=dict)
    appeals: dict[str, AppealConf] = field(default_factory=dict)
    consultations: dict[str, ConsultationConf] = field(default_factory=dict)
    analytics: dict[str, AnalyticsConf] = field(default_factory=dict)


CITIZEN_GROUPS: Schema = (
    Column("group", "int", "group number"),
    Column("region", "str", "region or city of republican status"),
    Column("settlement", "str", "urban or rural"),
    Column("age_band", "str", "age band"),
    Column("language", "str", "main language: kazakh or russian"),
    Column("weight", "float", "people the group stands for", "people"),
    Column("access", "float", "share of the group online", "share"),
)
METRICS = registry(
    [
        Metric("council_bills", "Bills initiated by the People's Council", "bills", "none", "responsiveness"),
        Metric(
            "deputy_bills_from_demands",
            "Deputies' bills prompted by citizens' demands",
            "bills",
            "none",
            "responsiveness",
        ),
    ]
)


class Feedback:
    """The citizen groups and the feedback channels of one run."""

    def __init__(self, model: ParliamentModel, citizens: CitizensConf, channels: ChannelsConf) -> None:
        streams, p = model.streams, model.parliament
        self.model, self.effects = model, model.effects
        self.topic_names = model.topic_names
        self.status_quo = model.status_quo
        self.horizon = model.horizon
        self.clock = lambda: model.env.now
        self.docket = model.docket
        self.initiators = p.initiators
        self.complexity_sd = p.complexity_sd
        self.groups = groups = CitizenGroups(
            citizens, model.topic_names, model.status_quo, streams["citizens/composition"]
        )
        sal = citizens.salience
        self.demands = DemandBook(
            groups.size, len(model.topic_names), sal.answer_radius, sal.lifetime_days, model.status_quo
        )
        self.rng = streams["citizens"]
        self.workdays = WorkDays(p.calendar.start, model.horizon)
        self.voice = Voice(channels.voice, groups, model.status_quo)
        side = Citizens(groups, self.demands, self.voice, model.status_quo, self.workdays)

        self.offline = OfflinePath(channels.offline, streams["channels/offline"])
        for n, s in channels.petitions.items():
            if s.initiator not in p.initiators:  # ``auto`` is named by scenarios.citizens.channels_of
                raise ValueError(f"petition {n}: initiator {s.initiator!r} is not one of the parliament's")
        self.intakes: list[Intake] = [
            PetitionChannel(n, s, side, self.table_bill, s.initiator, streams[f"channels/{n}"])
            for n, s in channels.petitions.items()
        ]
        self.intakes += [
            AppealChannel(n, s, side, channels.voice.full_share, streams[f"channels/{n}"])
            for n, s in channels.appeals.items()
        ]
        self.consultations = [
            ConsultationChannel(n, s, groups, self.clock, streams[f"channels/{n}"])
            for n, s in channels.consultations.items()
        ]
        self.analytics = [AnalyticsChannel(n, s) for n, s in channels.analytics.items()]
        self.voiced = bool(self.intakes)
        weights = groups.weight / groups.people
        self.councils = [
            Council(
                n,
                c.rate_per_year,
                channels.council,
                self.voice,
                weights,
                self.table_bill,
                streams[f"channels/council/{n}"],
            )
            for n, c in p.initiators.items()
            if c.from_demands and self.voiced
        ]
        self.initiative = None
        if self.voiced:
            largest = max(model.chambers.values(), key=lambda c: c.seats).deputies
            self.initiative = Initiative(
                channels.initiative,
                set(channels.initiative.initiators) & set(p.initiators),
                largest,
                self.voice,
                model.topic_names,
                streams["channels/initiative"],
            )

    def attach(self) -> Feedback:
        """Compose this layer into the model's effects."""
        fx = self.effects
        self.model.citizen_groups = self.groups
        fx.daily.append(self.daily)
        fx.introduced.append(self.introduced)
        fx.finished.append(self.finished)
        fx.reports.append(self.report)
        if self.voiced:
            fx.signals.append(self.voice.signal)
        fx.drafts.extend([*self.analytics, *self.consultations])
        return self

    def table_bill(self, initiator: str, topic: int, position: float, rng: np.random.Generator) -> int:
        """Put a bill from citizen demand into the procedure; returns its id."""
        conf = self.initiators[initiator]
        complexity = float(draw_complexity(rng, self.complexity_sd))
        pos = float(np.clip(position, -1.0, 1.0))
        return self.docket.introduce(
            initiator, int(topic), pos, complexity, bool(conf.government), conf.start
        ).id

    # -- what the layer does ----------------------------------------------------------------------
    def daily(self, day: float) -> None:
        groups, book = self.groups, self.demands
        self.voice.fade()
        if int(day) % 7 == 0:
            lapsed, topics = book.lapse(day)
            if lapsed.size:
                groups.reopen(lapsed, topics)
        g, t, position, intensity = groups.step(day, self.rng)
        if g:
            ids = book.add(g, t, position, intensity, day)
            self.offline.submit(day, ids, g, t)
            for ch in self.intakes:
                ch.submit(day, ids, g, t)
        workday = self.workdays.is_workday(day)
        for ch in self.intakes:
            ch.step(day, workday)
        for c in self.councils:
            c.step(day)

    def introduced(self, bill: Bill) -> None:
        if self.initiative is not None:
            self.initiative.introduced(bill)
        for ch in self.consultations:
            ch.introduced(bill)
        self.demands.answer_bill(bill.topic, bill.position, self.clock(), bill.id)

    def finished(self, bill: Bill) -> None:
        if bill.state != "enacted":
            return
        groups = self.demands.answer_law(bill.topic, bill.position, self.clock(), bill.id)
        if groups.size:
            self.groups.satisfy(groups, bill.topic)

    # -- output -----------------------------------------------------------------------------------
    def channels(self) -> list[Channel]:
        return [self.offline, *self.intakes, *self.consultations, *self.analytics]

    def report(
        self,
        tables: dict[str, Table],
        schemas: dict[str, Schema],
        summary: dict[str, Any],
        metrics: dict[str, Metric],
    ) -> None:
        """Add the citizens' tables and the responsiveness and channel metrics to a run's output."""
        g = self.groups
        tables["demands"], schemas["demands"] = self.demands.table(self.topic_names), DEMANDS
        tables["citizen_groups"], schemas["citizen_groups"] = self.citizen_groups(), CITIZEN_GROUPS
        made = [(ch, ch.table()) for ch in self.channels()]  # each channel's table, made once
        by_kind: dict[str, list[tuple[Channel, Table]]] = {}
        for ch, own in made:
            by_kind.setdefault(ch.kind, []).append((ch, own))
        for kind, items in by_kind.items():
            schema = items[0][0].schema
            tables[kind] = {c.name: np.concatenate([own[c.name] for _, own in items]) for c in schema}
            schemas[kind] = schema
        values, described = responsiveness(tables["demands"], tables["bills"], g, self.horizon)
        summary.update(values)
        metrics.update(described)
        for ch, own in made:
            counts = ch.metrics(self.horizon)
            if any(c.name == "demand" for c in ch.schema):  # a channel of demands: what became of them
                counts.update(carried_outcomes(own["demand"], tables["demands"]))
            for k, v in counts.items():
                m = channel_metric(ch.name, k)
                summary[m.name], metrics[m.name] = v, m
        if self.councils:
            summary["council_bills"] = sum(c.tabled for c in self.councils)
            metrics["council_bills"] = METRICS["council_bills"]
        if self.initiative is not None:
            summary["deputy_bills_from_demands"] = self.initiative.taken
            metrics["deputy_bills_from_demands"] = METRICS["deputy_bills_from_demands"]

    def citizen_groups(self) -> Table:
        g = self.groups
        return from_columns(
            CITIZEN_GROUPS,
            {
                "group": np.arange(g.size, dtype=np.int64),
                "region": np.asarray(g.region_names, dtype=object)[g.region],
                "settlement": np.where(g.urban, "urban", "rural").astype(object),
                "age_band": np.asarray(g.band_names, dtype=object)[g.age],
                "language": np.asarray(GROUP_LANGUAGES, dtype=object)[g.language],
                "weight": g.weight,
                "access": g.access,
            },
        )
