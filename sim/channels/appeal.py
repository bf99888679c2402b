"""Appeals to state bodies (e-Otinish): answered within a deadline, they raise attention to a topic.

A demand produces a batch of appeals with probability ``uptake`` x (share online and reading one of
the platform's languages); the batch stands for ``writers_share`` of the group's online people. Each
batch waits at the answering bodies' desk (finite capacity per working day); a misdirected one is
forwarded first (``forward_days`` working days). An answer after ``answer_days`` working days is
late; one after ``max_days`` calendar days is also overdue. Appeals are voice, and they raise the
attention deputies give to their topic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.channels.audience import Audience, AudienceConf
from sim.channels.base import Citizens, count, median_days, topic_table
from sim.channels.service import Desk
from sim.engine.ledger import Column, Schema, Table, filled_record


@dataclass
class AppealConf(AudienceConf):
    """Appeals to state bodies, answered within a deadline; they raise attention to a topic."""

    uptake: float = 0.3  # chance that a demand of an online group produces appeals
    writers_share: float = 0.005  # share of the group's online people who write (as the preset)
    answer_days: float = 15.0  # working days allowed
    max_days: float = 60.0  # calendar days, with an extension, at most
    capacity: float = 20.0  # appeal batches answered per working day
    misdirected_share: float = 0.1  # sent to the wrong body first
    forward_days: float = 3.0  # working days to forward a misdirected appeal
    attention_gain: float = 1.0  # extra attention to a topic at full appeal voice


APPEALS: Schema = (
    Column("channel", "str", "channel name"),
    Column("appeal", "int", "batch number within the channel"),
    Column("demand", "int", "demand it carries (row of demands)"),
    Column("group", "int", "citizen group that wrote"),
    Column("topic", "str", "policy topic (held as its index while the run lasts)"),
    Column("writers", "float", "people who wrote", "people"),
    Column("submitted", "float", "day submitted", "days"),
    Column("misdirected", "bool", "sent to the wrong body first"),
    Column("answered", "float", "day answered (NaN: not yet)", "days", math.nan),
    Column("late", "bool", "answered after the deadline in working days", "", False),
    Column("overdue", "bool", "answered after the maximum in calendar days", "", False),
)
Appeal = filled_record("Appeal", APPEALS)


class AppealChannel:
    kind = "appeals"
    schema = APPEALS

    def __init__(
        self, name: str, spec: AppealConf, citizens: Citizens, full_share: float, rng: np.random.Generator
    ) -> None:
        self.name, self.spec, self.citizens, self.rng = name, spec, citizens, rng
        groups = citizens.groups
        self.use = spec.uptake * Audience.of(groups, spec).able
        self.writers = spec.writers_share * groups.weight * groups.access
        self._use, self._writers = self.use.tolist(), self.writers.tolist()
        self.desk = Desk(spec.capacity)
        self.rows: list[Appeal] = []
        # Attention to a topic rises by ``attention_gain`` when its appeals reach ``full_share`` of
        # the population (the same yardstick as a group's voice).
        self.attention_per_writer = spec.attention_gain / (full_share * groups.people)

    def submit(self, now: float, ids: range, groups: list[int], topics: list[int]) -> None:
        if not ids:
            return
        # A day brings a few demands: their draws are compared one by one.
        rng, n = self.rng, len(ids)
        draws, wrong = rng.random(n).tolist(), rng.random(n).tolist()
        use, misdirected = self._use, self.spec.misdirected_share
        sel = [i for i, u in enumerate(draws) if u < use[groups[i]]]
        if not sel:
            return
        writers = self._writers
        w = [writers[groups[i]] for i in sel]
        for k, (i, wi) in enumerate(zip(sel, w, strict=True), len(self.rows)):
            self.rows.append(
                Appeal(self.name, k, ids[i], groups[i], topics[i], wi, now, wrong[i] < misdirected)
            )
            self.desk.put(k)
        voice = self.citizens.voice
        voice.add(np.array([groups[i] for i in sel]), np.array([topics[i] for i in sel]), np.array(w))
        attention, per_writer = voice.topic_attention, self.attention_per_writer
        for i, wi in zip(sel, w, strict=True):  # in turn, as the topics may repeat
            t = topics[i]
            attention[t] = attention.item(t) + wi * per_writer

    def step(self, now: float, workday: bool) -> None:
        if not (workday and len(self.desk)):
            return
        spec, days = self.spec, self.citizens.workdays
        for k in self.desk.serve():
            row = self.rows[k]
            done = days.after(now, spec.forward_days) if row.misdirected else now
            row.answered = done
            row.late = done > days.after(row.submitted, spec.answer_days)
            row.overdue = done > row.submitted + spec.max_days

    def table(self) -> Table:
        return topic_table(self.rows, APPEALS, self.citizens.groups.topic_names)

    def metrics(self, horizon: float) -> dict[str, float | None]:
        rows = self.rows
        return {
            "submissions": len(rows),
            "answered": count(rows, lambda r: r.answered <= horizon),
            "answered_late": count(rows, lambda r: r.answered <= horizon and r.late),
            "overdue": count(rows, lambda r: r.answered <= horizon and r.overdue),
            "answer_median_days": median_days(
                (r.submitted for r in rows), (r.answered for r in rows), horizon
            ),
        }
