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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.desk import Desk
from sim.reach import DigitalChannel

if TYPE_CHECKING:
    from sim.channels import Channels

PETITION_COLUMNS = [
    "channel",
    "petition",
    "demand",
    "group",
    "topic",
    "position",
    "submitted",
    "moderated",
    "moderation_late",
    "rejected",
    "reach",
    "signatures",
    "listed",
    "threshold_at",
    "second_threshold_at",
    "answered",
    "answer_late",
    "bill",
]


def signature_time(final: np.ndarray, target: float, scale: float, shape: float) -> np.ndarray:
    """Days after opening at which a petition heading for ``final`` signatures reaches ``target``
    (``inf`` if it never does)."""
    final, target = np.broadcast_arrays(np.asarray(final, dtype=float), np.asarray(target, dtype=float))
    out = np.full(final.shape, np.inf)
    ok = final > target
    out[ok] = scale * (-np.log1p(-target[ok] / final[ok])) ** (1.0 / shape)
    return out


def final_signatures(
    spec: Any, reach: np.ndarray, supporters: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Final signatures: lognormal around ``signatures_median`` x reach, at most the supporters."""
    z = rng.standard_normal(np.shape(reach))
    n = spec.signatures_median * np.asarray(reach) * np.exp(spec.signatures_sigma * z)
    return np.floor(np.minimum(n, supporters))


#: A new petition's columns from ``moderated`` on: nothing has happened yet.
_UNSET = (np.nan, False, False, 0.0, 0.0, False, np.nan, np.nan, np.nan, False, -1)


class PetitionChannel(DigitalChannel):
    def __init__(self, name: str, spec: Any, layer: Channels) -> None:
        super().__init__(name, spec, layer)
        self.use = spec.uptake * self.able
        pop = layer.population
        self._side = np.sign(pop.pref - layer.status_quo[None, :])  # each group's side of the status quo
        self.moderation = Desk(spec.moderation_capacity)
        self.answers = Desk(spec.answer_capacity)
        self._pending: list[tuple[float, int]] = []
        self.initiator = layer.initiator_for(spec.initiator)
        self.rows: list[list[Any]] = []

    def submit(self, now: float, ids: np.ndarray, groups: np.ndarray, topics: np.ndarray) -> None:
        if not ids.size:
            return
        used = (self.rng.random(ids.size) < self.use[groups]).nonzero()[0]
        if not used.size:
            return
        book = self.layer.demands
        rows = zip(ids[used].tolist(), groups[used].tolist(), topics[used].tolist(), strict=True)
        for k, (d, g, t) in enumerate(rows, len(self.rows)):
            self.rows.append([self.name, k, d, g, t, float(book.position[d]), now, *_UNSET])
            self.moderation.put(k)

    def step(self, now: float, workday: bool) -> None:
        if workday and len(self.moderation):
            for k in self.moderation.serve():
                self._moderate(k, now)
        pending = self._pending
        while pending and pending[0][0] <= now:
            _, k = heapq.heappop(pending)
            self.answers.put(k)
        if workday and len(self.answers):
            for k in self.answers.serve():
                self._answer(k, now)

    def _moderate(self, k: int, now: float) -> None:
        spec, row, layer = self.spec, self.rows[k], self.layer
        row[7] = now
        row[8] = now > layer.workdays.after(row[6], spec.moderation_days)
        if self.rng.random() < spec.reject_share:
            row[9] = True
            return
        pop, topic, position = layer.population, row[4], row[5]
        side = self._side[:, topic] == np.sign(position - layer.status_quo[topic])
        sup = self.able_people * pop.salience[:, topic] * side
        total = float(sup.sum())
        row[10] = total / pop.people
        n = float(final_signatures(spec, np.array(row[10]), np.array(total), self.rng))
        row[11] = n
        row[12] = n >= spec.listing_votes
        if n > 0:
            signed = sup > 0
            layer.voice.add(signed.nonzero()[0], topic, n * sup[signed] / total)
        days = signature_time(
            np.array([n, n]),
            np.array([spec.threshold, spec.second_threshold or np.inf]),
            spec.growth_days,
            spec.growth_shape,
        )
        if days[0] <= spec.open_days:
            row[13] = now + float(days[0])
            heapq.heappush(self._pending, (row[13], k))
        if days[1] <= spec.open_days:
            row[14] = now + float(days[1])

    def _answer(self, k: int, now: float) -> None:
        row = self.rows[k]
        row[15] = now
        row[16] = now > self.layer.workdays.after(row[13], self.spec.answer_days)
        if self.rng.random() < self.spec.bill_share:
            row[17] = self.layer.table_bill(self.initiator, row[4], row[5], self.rng)

    def frame(self) -> pd.DataFrame:
        return self.named_topics(pd.DataFrame(self.rows, columns=PETITION_COLUMNS))

    def metrics(self, horizon: float) -> dict[str, float | None]:
        rows = self.rows
        out: dict[str, float | None] = {
            "submissions": len(rows),
            "listed": sum(1 for r in rows if r[12]),
            "threshold_reached": sum(1 for r in rows if r[13] <= horizon),
            "answered": sum(1 for r in rows if r[15] <= horizon),
            "answered_late": sum(1 for r in rows if r[15] <= horizon and r[16]),
        }
        if self.spec.second_threshold:
            out["second_threshold"] = sum(1 for r in rows if r[14] <= horizon)
        return out
