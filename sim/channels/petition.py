"""E-petitions: moderation queue, public listing, S-shaped signature growth, threshold, answer, bill.

A demand becomes a petition with probability ``uptake`` x (share of the group online and reading
one of the site's languages). The petition waits in a moderation queue (finite capacity, a deadline
in working days); a share is refused. An accepted petition gathers its final number of signatures
``N`` along a Weibull curve ``N (1 - exp(-(t / growth_days) ** growth_shape))``: S-shaped, and mostly
decided in its first days (Yasseri, Hale and Margetts 2017). ``N`` is lognormal, scaled by the
petition's reach: the share of the population online, able to read it, on the same side of the
status quo and caring about the topic. It is listed once it has ``listing_votes``; reaching
``threshold`` before it closes sends it to a central body's answer queue (finite capacity, deadline);
an answered petition leads to a bill on its topic and position with probability ``bill_share``.
Signatures are voice: they raise the signal of the groups that signed.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from agents.council import TableBill
from sim.channels.audience import Audience, AudienceConf
from sim.channels.base import Citizens, count, median_days, topic_table
from sim.channels.service import Desk
from sim.engine.ledger import Column, Schema, Table, filled_record


@dataclass
class PetitionConf(AudienceConf):
    """An e-petition platform: moderation queue, listing, signatures, threshold, answer."""

    uptake: float = 0.1  # chance that a demand of an online group becomes a petition
    moderation_days: float = 20.0  # working days allowed for moderation
    moderation_capacity: float = 10.0  # petitions moderated per working day
    reject_share: float = 0.5  # share refused at moderation
    listing_votes: int = 50  # votes needed to be listed publicly
    open_days: float = 180.0  # days a petition gathers signatures
    signatures_median: float = 10.0  # median final signatures at full reach (lognormal; calibrated)
    signatures_sigma: float = 3.0  # sd of log final signatures
    growth_days: float = 2.0  # time scale of the S-shaped signature curve (Weibull; Yasseri et al. 2017)
    growth_shape: float = 1.5  # > 1: S-shaped
    threshold: int = 50000  # signatures for consideration / a response
    answer_days: float = 40.0  # working days allowed for the answer
    answer_capacity: float = 1.0  # petitions answered per working day
    second_threshold: int = 0  # e.g. a debate (0: none)
    bill_share: float = 0.2  # chance that an answered petition leads to a bill
    initiator: str = "auto"  # who tables that bill ("auto": a demand-fed initiator, else government)


PETITIONS: Schema = (
    Column("channel", "str", "channel name"),
    Column("petition", "int", "petition number within the channel"),
    Column("demand", "int", "demand it carries (row of demands)"),
    Column("group", "int", "citizen group that started it"),
    Column("topic", "str", "policy topic (held as its index while the run lasts)"),
    Column("position", "float", "position it asks for", "[-1, 1]"),
    Column("submitted", "float", "day submitted", "days"),
    Column("moderated", "float", "day moderated (NaN: still waiting)", "days", math.nan),
    Column("moderation_late", "bool", "moderated after the deadline", "", False),
    Column("rejected", "bool", "refused at moderation", "", False),
    Column("reach", "float", "share of the population it could reach", "share", 0.0),
    Column("signatures", "float", "final signatures", "signatures", 0.0),
    Column("listed", "bool", "listed publicly", "", False),
    Column("threshold_at", "float", "day it reached the threshold (NaN: never)", "days", math.nan),
    Column(
        "second_threshold_at", "float", "day it reached the second threshold (NaN: never)", "days", math.nan
    ),
    Column("answered", "float", "day answered (NaN: not yet)", "days", math.nan),
    Column("answer_late", "bool", "answered after the deadline", "", False),
    Column("bill", "int", "bill it led to (none: -1 in memory)", "", -1, missing=-1),
)
Petition = filled_record("Petition", PETITIONS)


def signature_time(final: float, target: float, scale: float, shape: float) -> float:
    """Days after opening at which a petition heading for ``final`` signatures reaches ``target``
    (``inf`` if it never does)."""
    if not final > target:
        return math.inf
    # numpy's log1p and an array's power, not the math module's: they may round differently
    return scale * float(np.asarray(-np.log1p(-target / final)) ** (1.0 / shape))


def final_signatures(spec: PetitionConf, reach: float, supporters: float, rng: np.random.Generator) -> float:
    """A petition's final signatures: lognormal around ``signatures_median`` x reach, at most the
    supporters."""
    z = rng.standard_normal()
    # numpy's exp, not the math module's: they may round differently
    n = spec.signatures_median * reach * float(np.exp(spec.signatures_sigma * z))
    return float(math.floor(min(n, supporters)))


class _Support:
    """Who signs petitions on one topic and side today: their total, the groups that have any, and
    each petition's signers per group (given to the voice in turn at the end of the day)."""

    def __init__(self, total: float, groups: np.ndarray, people: np.ndarray) -> None:
        self.total, self.groups, self.people = total, groups, people
        self.signed: list[np.ndarray] = []


class PetitionChannel:
    kind = "petitions"
    schema = PETITIONS

    def __init__(
        self,
        name: str,
        spec: PetitionConf,
        citizens: Citizens,
        table_bill: TableBill,
        initiator: str,
        rng: np.random.Generator,
    ) -> None:
        self.name, self.spec, self.citizens, self.table_bill, self.rng = name, spec, citizens, table_bill, rng
        groups = citizens.groups
        self.audience = Audience.of(groups, spec)
        self.use = spec.uptake * self.audience.able
        self._use = self.use.tolist()
        # Each group's side of the status quo, topic-major (a topic's groups are one row).
        self._side = np.sign(groups.pref_by_topic - citizens.status_quo[:, None])
        self._able_on: dict[tuple[int, float], np.ndarray] = {}  # by topic and side (see _supporters)
        self._status_quo, self._people = citizens.status_quo.tolist(), groups.people
        self.moderation = Desk(spec.moderation_capacity)
        self.answers = Desk(spec.answer_capacity)
        self._pending: list[tuple[float, int]] = []
        self.initiator = initiator
        self.rows: list[Petition] = []

    def submit(self, now: float, ids: range, groups: list[int], topics: list[int]) -> None:
        if not ids:
            return
        # A day brings a few demands: their draws are compared one by one.
        draws, use = self.rng.random(len(ids)).tolist(), self._use
        used = [i for i, u in enumerate(draws) if u < use[groups[i]]]
        if not used:
            return
        position = self.citizens.demands.position
        for k, i in enumerate(used, len(self.rows)):
            d = ids[i]
            self.rows.append(Petition(self.name, k, d, groups[i], topics[i], position[d], now))
            self.moderation.put(k)

    def step(self, now: float, workday: bool) -> None:
        if workday and len(self.moderation):
            self._moderate_day(self.moderation.serve(), now)
        pending = self._pending
        while pending and pending[0][0] <= now:
            _, k = heapq.heappop(pending)
            self.answers.put(k)
        if workday and len(self.answers):
            for k in self.answers.serve():
                self._answer(self.rows[k], now)

    def _moderate_day(self, served: list[int], now: float) -> None:
        """One working day's moderation, petition by petition in queue order (each its own draws),
        with the work over groups done once per topic and side: who supports such a petition,
        and their voice, gathered into one contiguous run and written back at the end."""
        supporters: dict[tuple[int, float], _Support] = {}
        status_quo = self._status_quo
        for k in served:
            row = self.rows[k]
            topic = row.topic
            lean = row.position - status_quo[topic]
            key = (topic, float((lean > 0) - (lean < 0)))  # the side of the status quo it asks for
            sup = supporters.get(key)
            if sup is None:
                sup = supporters[key] = self._supporters(*key)
            self._moderate(row, now, sup)
        voice = self.citizens.voice
        for (topic, _), sup in supporters.items():
            if sup.signed:
                voice.add_in_turn(sup.groups, topic, sup.signed)

    def _supporters(self, topic: int, side: float) -> _Support:
        """The people who would sign a petition on ``topic`` on this ``side`` of the status quo:
        able to use the platform, on that side, caring about the topic (salience)."""
        able = self._able_on.get((topic, side))
        if able is None:  # the platform's users on that side (the others: none)
            able = self._able_on[topic, side] = self.audience.people * (self._side[topic] == side)
        sup = able * self.citizens.groups.salience_on(topic)
        groups = (sup > 0).nonzero()[0]
        return _Support(float(sup.sum()), groups, sup[groups])

    def _moderate(self, row: Petition, now: float, sup: _Support) -> None:
        spec, citizens, rng = self.spec, self.citizens, self.rng
        row.moderated = now
        row.moderation_late = now > citizens.workdays.after(row.submitted, spec.moderation_days)
        if rng.random() < spec.reject_share:
            row.rejected = True
            return
        total = sup.total
        row.reach = total / self._people
        n = final_signatures(spec, row.reach, total, rng)
        row.signatures = n
        row.listed = n >= spec.listing_votes
        if n > 0:
            sup.signed.append(n * sup.people / total)
        days = signature_time(n, spec.threshold, spec.growth_days, spec.growth_shape)
        if days <= spec.open_days:
            row.threshold_at = now + days
            heapq.heappush(self._pending, (row.threshold_at, row.petition))
        if spec.second_threshold:
            days = signature_time(n, spec.second_threshold, spec.growth_days, spec.growth_shape)
            if days <= spec.open_days:
                row.second_threshold_at = now + days

    def _answer(self, row: Petition, now: float) -> None:
        row.answered = now
        row.answer_late = now > self.citizens.workdays.after(row.threshold_at, self.spec.answer_days)
        if self.rng.random() < self.spec.bill_share:
            row.bill = self.table_bill(self.initiator, row.topic, row.position, self.rng)

    def table(self) -> Table:
        return topic_table(self.rows, PETITIONS, self.citizens.groups.topic_names)

    def metrics(self, horizon: float) -> dict[str, float | None]:
        rows = self.rows
        out: dict[str, float | None] = {
            "submissions": len(rows),
            "listed": count(rows, lambda r: r.listed),
            "threshold_reached": count(rows, lambda r: r.threshold_at <= horizon),
            "answered": count(rows, lambda r: r.answered <= horizon),
            "answered_late": count(rows, lambda r: r.answered <= horizon and r.answer_late),
            "answer_median_days": median_days(
                (r.submitted for r in rows), (r.answered for r in rows), horizon
            ),
        }
        if self.spec.second_threshold:
            out["second_threshold"] = count(rows, lambda r: r.second_threshold_at <= horizon)
        return out
