"""The citizens and channels layer: citizen groups, their demands, and the channels that carry them.

``Channels(model, citizens, channels).attach()`` builds the population and the mechanisms from plain
config objects and installs them on the model's hooks:

- ``daily_hooks``: once a day, salience moves, demands emerge, channels take them in and serve their
  queues, a demand-fed initiator may table a bill;
- ``on_introduce`` / ``on_finish``: deputies' bills follow their base's voice, drafts are consulted
  on, and demands are matched with the bills and laws that answer them;
- ``signal``: the voice deputies attend to in their vote (only when a channel carries voice);
- ``duration_factor``, ``fail_factor``, ``veto_factor``: consultation and analytics effects;
- ``reporters``: the ``demands`` frame, per-channel frames and the responsiveness metrics.

Every draw comes from the layer's own named streams (``citizens``, ``channels/<name>``), and with only
the offline path nothing touches a legislative draw: the legislative ledger is the engine's own.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from agents.citizen import CitizenGroup
from sim.analytics import AnalyticsChannel
from sim.appeal import AppealChannel
from sim.citizens import Population
from sim.consultation import ConsultationChannel
from sim.council import Council
from sim.demands import DemandBook
from sim.desk import WorkDays
from sim.initiative import Initiative
from sim.ledger import Bill
from sim.offline import OfflinePath
from sim.petition import PetitionChannel
from sim.procedure import Stage
from sim.responsiveness import responsiveness
from sim.voice import Voice


class Channels:
    """The citizen groups and the feedback channels of one run."""

    def __init__(self, model: Any, citizens: Any, channels: Any) -> None:
        self.model = model
        self.spec = channels
        self.streams = model.streams
        self.status_quo = model.status_quo
        self.population = pop = Population(
            citizens, model.topic_names, model.status_quo, model.streams["citizens/composition"]
        )
        sal = citizens.salience
        self.demands = DemandBook(pop.size, len(model.topic_names), sal.answer_radius, sal.lifetime_days)
        self.rng = model.streams["citizens"]
        start = model.spec.calendar.start
        self.workdays = WorkDays(start, model.horizon)

        self.offline = OfflinePath(channels.offline, model.streams["channels/offline"]) if channels else None
        self.voice = Voice(channels.voice if channels else _NoVoice(), pop, model.status_quo)
        self.petitions = [
            PetitionChannel(n, s, self) for n, s in (channels.petitions if channels else {}).items()
        ]
        self.appeals = [AppealChannel(n, s, self) for n, s in (channels.appeals if channels else {}).items()]
        self.consultations = [
            ConsultationChannel(n, s, self) for n, s in (channels.consultations if channels else {}).items()
        ]
        self.analytics = [AnalyticsChannel(n, s) for n, s in (channels.analytics if channels else {}).items()]
        self.voiced = bool(self.petitions or self.appeals)
        self.councils = (
            [
                Council(n, c, channels.council, self)
                for n, c in model.spec.initiators.items()
                if getattr(c, "from_demands", False)
            ]
            if self.voiced
            else []
        )
        self.initiative = Initiative(channels.initiative, self) if self.voiced else None

    @cached_property
    def groups(self) -> list[CitizenGroup]:
        """The groups as Mesa agents: readable views of the population's rows, made when first
        asked for (the run itself works on the arrays; a large population need not pay for them)."""
        return [CitizenGroup(self.model, self.population, i) for i in range(self.population.size)]

    # -- wiring -----------------------------------------------------------------------------------
    def attach(self) -> Channels:
        m = self.model
        m.daily_hooks.append(self.daily)
        m.on_introduce.append(self.introduced)
        m.on_finish.append(self.finished)
        m.reporters.append(self.report)
        if self.voiced:
            m.signal = self.voice.signal
        if self.analytics:
            m.duration_factor = self.duration_factor
        if self.analytics or self.consultations:
            m.fail_factor = self.fail_factor
        if self.consultations:
            m.veto_factor = self.veto_factor
        return self

    def initiator_for(self, name: str) -> str:
        """The initiator that tables a channel's bills (``auto``: demand-fed, else government)."""
        inits = self.model.spec.initiators
        if name != "auto":
            return name
        for pick in (lambda c: getattr(c, "from_demands", False), lambda c: c.government, lambda c: True):
            for n, c in inits.items():
                if pick(c):
                    return n
        raise ValueError("the parliament has no initiator")

    def table_bill(self, initiator: str, topic: int, position: float, rng: np.random.Generator) -> int:
        """Put a bill from citizen demand into the procedure; returns its id."""
        m = self.model
        conf = m.spec.initiators[initiator]
        complexity = float(m.draw_complexity(rng))
        pos = float(np.clip(position, -1.0, 1.0))
        return m.introduce(initiator, int(topic), pos, complexity, bool(conf.government), conf.start).id

    # -- hooks ------------------------------------------------------------------------------------
    def daily(self, day: float) -> None:
        pop, book = self.population, self.demands
        self.voice.fade()
        if int(day) % 7 == 0:
            pop.reopen(*book.lapse(day))
        g, t, intensity = pop.step(day, self.rng)
        if g.size:
            ids = book.add(g, t, pop.pref[g, t], intensity, day)
            if self.offline is not None:
                self.offline.submit(day, ids, g)
            for ch in self.petitions:
                ch.submit(day, ids, g, t)
            for ch in self.appeals:
                ch.submit(day, ids, g, t)
        workday = self.workdays.is_workday(day)
        for ch in self.petitions:
            ch.step(day, workday)
        for ch in self.appeals:
            ch.step(day, workday)
        for c in self.councils:
            c.step(day)

    def introduced(self, bill: Bill) -> None:
        if self.initiative is not None:
            self.initiative.on_introduce(bill)
        for ch in self.consultations:
            ch.on_introduce(bill)
        self.demands.answer_bill(
            bill.topic, bill.position, self.status_quo[bill.topic], self.model.env.now, bill.id
        )

    def finished(self, bill: Bill) -> None:
        if bill.state != "enacted":
            return
        groups = self.demands.answer_law(
            bill.topic, bill.position, self.status_quo[bill.topic], self.model.env.now, bill.id
        )
        if groups.size:
            self.population.reopen(groups, bill.topic)
            self.population.satisfy(groups, bill.topic)

    def duration_factor(self, stage: Stage, bill: Bill) -> float:
        f = 1.0
        for ch in self.analytics:
            f *= ch.duration_factor(stage, bill)
        return f

    def fail_factor(self, stage: Stage, bill: Bill) -> float:
        f = 1.0
        for ch in self.analytics:
            f *= ch.fail_factor(stage, bill)
        for ch in self.consultations:
            f *= ch.fail_factor(stage, bill)
        return f

    def veto_factor(self, bill: Bill) -> float:
        f = 1.0
        for ch in self.consultations:
            f *= ch.veto_factor(bill)
        return f

    # -- output -----------------------------------------------------------------------------------
    def mechanisms(self) -> list[Any]:
        first = [self.offline] if self.offline is not None else []
        return [*first, *self.petitions, *self.appeals, *self.consultations, *self.analytics]

    def report(self, frames: dict[str, pd.DataFrame], summary: dict[str, Any]) -> None:
        """Add the citizens' frames and the responsiveness and channel metrics to a run's output."""
        pop, horizon = self.population, self.model.horizon
        frames["demands"] = self.demands.frame(pop.topic_names)
        frames["citizen_groups"] = pd.DataFrame(
            {
                "group": np.arange(pop.size, dtype=np.int64),
                "region": np.asarray(pop.region_names, dtype=object)[pop.region],
                "settlement": np.where(pop.urban, "urban", "rural"),
                "age_band": np.asarray(pop.band_names, dtype=object)[pop.age],
                "language": np.where(pop.language == 0, "kazakh", "russian"),
                "weight": pop.weight,
                "access": pop.access,
            }
        )
        for key, items in (
            ("offline", [self.offline] if self.offline is not None else []),
            ("petitions", self.petitions),
            ("appeals", self.appeals),
            ("consultations", self.consultations),
        ):
            if items:
                frames[key] = pd.concat([ch.frame() for ch in items], ignore_index=True)
        summary.update(responsiveness(frames["demands"], frames["bills"], pop, horizon))
        for ch in self.mechanisms():
            for k, v in ch.metrics(horizon).items():
                summary[f"channel_{ch.name}_{k}"] = v
        if self.councils:
            summary["council_bills"] = sum(c.tabled for c in self.councils)
        if self.initiative is not None:
            summary["deputy_bills_from_demands"] = self.initiative.taken


class _NoVoice:
    """Voice settings when no channels node is given (nothing is ever voiced)."""

    half_life_days = 90.0
    full_share = 0.01
    base_sd = 0.25
