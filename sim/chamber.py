"""A chamber: its deputies as numpy arrays (the vote kernels' input), its sittings and its agenda."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from agents.deputy import Deputy
from sim.calendar import sitting_days

if TYPE_CHECKING:
    import mesa


def apportion(seats: int, weights: np.ndarray) -> np.ndarray:
    """Share ``seats`` in proportion to ``weights`` by the largest-remainder (Hamilton) method."""
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        w = np.ones_like(w)
    quota = seats * w / w.sum()
    base = np.floor(quota).astype(int)
    rest = seats - base.sum()
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:rest]] += 1
    return base


@dataclass
class AgendaItem:
    """A bill waiting for a plenary vote; ``cancelled`` when a review deadline overtook it."""

    bill: Any
    stage: Any
    event: simpy.Event
    cancelled: bool = False


@dataclass
class Chamber:
    name: str
    seats: int
    quorum: float
    attendance: float
    agenda_capacity: int
    party_names: list[str]
    party_position: np.ndarray
    government_party: np.ndarray
    party: np.ndarray
    ideal: np.ndarray
    loyalty: np.ndarray
    attention: np.ndarray
    sittings: np.ndarray
    deputies: list[Deputy] = field(default_factory=list)
    agenda: deque[AgendaItem] = field(default_factory=deque)

    @classmethod
    def build(
        cls,
        model: mesa.Model,
        name: str,
        conf: Any,
        calendar: Any,
        horizon: float,
        rng: np.random.Generator,
    ) -> Chamber:
        """Seat the parties (apportioned to ``conf.seats``) and draw each member's attributes."""
        parties = dict(conf.parties) or {"independents": _Independents()}
        names = list(parties)
        counts = apportion(conf.seats, np.array([p.seats for p in parties.values()]))
        party = np.repeat(np.arange(len(names)), counts)
        pos = np.array([p.position for p in parties.values()], dtype=float)
        spread = np.array([p.spread for p in parties.values()], dtype=float)
        disc = np.array([p.discipline for p in parties.values()], dtype=float)
        ideal = np.clip(pos[party] + spread[party] * rng.standard_normal(conf.seats), -1.0, 1.0)
        loyalty = np.clip(disc[party] + 0.05 * rng.standard_normal(conf.seats), 0.0, 1.0)
        ch = cls(
            name=name,
            seats=int(conf.seats),
            quorum=float(conf.quorum),
            attendance=float(conf.attendance),
            agenda_capacity=int(conf.agenda_capacity),
            party_names=names,
            party_position=pos,
            government_party=np.array([p.government for p in parties.values()], dtype=bool),
            party=party,
            ideal=ideal,
            loyalty=loyalty,
            attention=np.full(conf.seats, float(conf.attention)),
            sittings=sitting_days(calendar.start, horizon, calendar.session_months, conf.sitting_weekdays),
        )
        ch.deputies = [Deputy(model, ch, i) for i in range(ch.seats)]
        return ch

    def take_agenda(self) -> list[AgendaItem]:
        """The items voted at one sitting: first come, first served, up to the agenda capacity."""
        items: list[AgendaItem] = []
        while self.agenda and len(items) < self.agenda_capacity:
            it = self.agenda.popleft()
            if not it.cancelled:
                items.append(it)
        return items


@dataclass
class _Independents:
    seats: int = 1
    position: float = 0.0
    spread: float = 0.5
    discipline: float = 0.0
    government: bool = False
