"""Deputies: the members of one chamber as arrays, deciding their votes together.

A deputy's support for a bill is one rule over all members and all bills of a sitting at once
(no per-deputy Python loop):

    utility = (1 - loyalty) * spatial_gain + loyalty * party_line + attention * citizen_signal + noise

``spatial_gain`` is positive when the bill lies closer to the deputy's ideal point than the status
quo; ``party_line`` is the whip's +1/-1 (a party backs what moves policy its way, a party of government
backs the government's bills); ``citizen_signal`` is the pressure the deputy attends to on the topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass
class PartyConf:
    """A party group in one chamber."""

    seats: int = 0
    position: float = 0.0  # ideal point on the left-right axis [-1, 1]
    spread: float = 0.1  # sd of members' ideal points around the party position
    discipline: float = 0.8  # mean loyalty to the party line, [0, 1]
    government: bool = False  # a party of government whips for the government's bills


@dataclass
class AmendmentConf:
    """When a chamber rewrites a bill instead of taking it as it stands."""

    threshold: float = 0.0  # it amends a bill lying further than this from its median member (0: never)
    pull: float = 0.5  # and moves it this share of the way towards that median


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


def median_of(values: np.ndarray) -> float:
    """``np.median`` of a few values, the same number without its overhead: the middle value, or
    the mean of the two middle values."""
    v = sorted(values.tolist())
    n = len(v)
    return float(v[n // 2]) if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def rewrite(position: float, median: float, threshold: float, pull: float) -> float | None:
    """A bill as members whose median lies at ``median`` rewrite it: moved ``pull`` of the way
    towards the median when it lies further than ``threshold`` from it (0: never), kept on the
    policy scale; None when they leave it as it is. Committees and reviewing chambers alike."""
    if threshold > 0 and abs(median - position) > threshold:
        return min(max(position + pull * (median - position), -1.0), 1.0)
    return None


def spatial_gain(ideal: np.ndarray, position: np.ndarray, status_quo: np.ndarray) -> np.ndarray:
    """(members x bills) gain of moving policy from the status quo to the bill, in [-4, 4]."""
    d_sq = ideal[:, None] - status_quo[None, :]
    d_b = ideal[:, None] - position[None, :]
    return d_sq * d_sq - d_b * d_b


class Deputies:
    """The members of one chamber: party, ideal point, loyalty to the party line, attention to
    citizens and attendance; row ``i`` is member ``i``."""

    def __init__(
        self,
        chamber: str,
        parties: Mapping[str, PartyConf],
        party: np.ndarray,
        ideal: np.ndarray,
        loyalty: np.ndarray,
        attention: np.ndarray,
        attendance: float,
        noise_sd: float,
        amendment: AmendmentConf | None = None,
    ) -> None:
        self.chamber = chamber
        self.amendment = amendment or AmendmentConf()
        self.party_names = list(parties)
        self._parties(
            np.array([p.position for p in parties.values()], dtype=float),
            np.array([p.government for p in parties.values()], dtype=bool),
        )
        self.party, self.ideal, self.loyalty, self.attention = party, ideal, loyalty, attention
        self.attendance = float(attendance)
        self.noise_sd = float(noise_sd)
        self._median: float | None = None
        self._subsets: dict[bytes, Deputies] = {}

    @property
    def median(self) -> float:
        """The median member's ideal point."""
        if self._median is None:
            self._median = median_of(self.ideal)
        return self._median

    # The members' attributes, with the forms every decision uses made once (when set).
    @property
    def ideal(self) -> np.ndarray:
        return self._ideal[:, 0]

    @ideal.setter
    def ideal(self, value: np.ndarray) -> None:
        self._ideal = np.asarray(value, dtype=float)[:, None]

    @property
    def loyalty(self) -> np.ndarray:
        return self._loyal[:, 0]

    @loyalty.setter
    def loyalty(self, value: np.ndarray) -> None:
        loyalty = np.asarray(value, dtype=float)
        self._loyal, self._own = loyalty[:, None], (1.0 - loyalty)[:, None]
        self._disloyal = -self._loyal  # loyalty times a party line of -1
        self._lines: dict[tuple[bool, ...], np.ndarray] = {}  # one bill's lines, by the parties'

    @property
    def attention(self) -> np.ndarray:
        return self._attention[:, 0]

    @attention.setter
    def attention(self, value: np.ndarray) -> None:
        self._attention = np.asarray(value, dtype=float)[:, None]

    def _parties(self, position: np.ndarray, government: np.ndarray) -> None:
        """The parties' positions and which govern, with their forms made once: columns (parties x
        1) for a sitting's bills, Python numbers for one bill's party lines."""
        self.party_position = np.asarray(position, dtype=float)
        self.government_party = np.asarray(government, dtype=bool)
        self._party_position = self.party_position[:, None]
        self._government = self.government_party[:, None]
        self._positions: list[float] = self.party_position.tolist()
        self._governing: list[bool] = self.government_party.tolist()
        self._any_governing = any(self._governing)

    @classmethod
    def seat(
        cls,
        chamber: str,
        parties: Mapping[str, PartyConf],
        seats: int,
        *,
        attention: float,
        attendance: float,
        noise_sd: float,
        loyalty_sd: float,
        rng: np.random.Generator,
        amendment: AmendmentConf | None = None,
    ) -> Deputies:
        """Apportion ``seats`` to the parties and draw each member's ideal point and loyalty (the
        party's discipline, spread by ``loyalty_sd``)."""
        counts = apportion(seats, np.array([p.seats for p in parties.values()]))
        party = np.repeat(np.arange(len(parties)), counts)
        pos = np.array([p.position for p in parties.values()], dtype=float)
        spread = np.array([p.spread for p in parties.values()], dtype=float)
        disc = np.array([p.discipline for p in parties.values()], dtype=float)
        ideal = np.clip(pos[party] + spread[party] * rng.standard_normal(seats), -1.0, 1.0)
        loyalty = np.clip(disc[party] + loyalty_sd * rng.standard_normal(seats), 0.0, 1.0)
        attention_of = np.full(seats, float(attention))
        return cls(chamber, parties, party, ideal, loyalty, attention_of, attendance, noise_sd, amendment)

    @property
    def size(self) -> int:
        return int(self.party.size)

    def seats_by_party(self) -> np.ndarray:
        return np.bincount(self.party, minlength=len(self.party_names))

    def backs(self, party: int, position: float, status_quo: float, government: bool) -> bool:
        """One party's line on one bill (the scalar form of :meth:`_backing`)."""
        x = self._positions[party]
        d_sq, d_b = x - status_quo, x - position
        return d_sq * d_sq - d_b * d_b > 0 or (self._governing[party] and government)

    def _backing(self, position: np.ndarray, status_quo: np.ndarray, government: np.ndarray) -> np.ndarray:
        """(parties x bills) the party line: whether each party backs each bill, as a party backs a bill
        that moves policy towards its own position, and a party of government the government's bills."""
        backs = self._party_position - status_quo  # the spatial gain, as spatial_gain computes it
        backs *= backs
        d_b = self._party_position - position
        d_b *= d_b
        backs -= d_b
        backing = backs > 0
        if self._any_governing:
            backing |= self._government & government
        return backing

    def support(
        self,
        position: np.ndarray,
        status_quo: np.ndarray,
        government: np.ndarray,
        signal: np.ndarray | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """(members x bills) boolean: who would vote yes if present. ``status_quo`` is what a bill
        would replace (the law in force, or the bill as it stands when amendments are put)."""
        # utility = (1 - loyalty) * gain + loyalty * party line (+ attention * signal) (+ noise), in
        # place and in that order; loyalty times a line of +1 or -1 is loyalty or its negative.
        utility = self._ideal - status_quo
        utility *= utility
        d_b = self._ideal - position
        d_b *= d_b
        utility -= d_b  # the spatial gain
        utility *= self._own
        backing = self._backing(position, status_quo, government).take(self.party, axis=0)
        utility += np.where(backing, self._loyal, self._disloyal)
        if signal is not None:
            utility += self._attention * signal
        if self.noise_sd > 0:
            utility += rng.normal(0.0, self.noise_sd, size=utility.shape)
        return utility > 0.0

    def support_one(
        self,
        position: float,
        status_quo: float,
        government: bool,
        signal: np.ndarray | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """:meth:`support` for one bill (``signal`` per member): the same numbers, the same draws,
        without a matrix (a committee decides on one bill at a time)."""
        ideal = self._ideal[:, 0]
        utility = ideal - status_quo
        utility *= utility
        d_b = ideal - position
        d_b *= d_b
        utility -= d_b
        utility *= self._own[:, 0]
        backs = tuple([self.backs(k, position, status_quo, government) for k in range(len(self._positions))])
        line = self._lines.get(backs)
        if line is None:  # each member's loyalty times the line: made once per set of party lines
            line = self._lines[backs] = np.where(
                np.array(backs).take(self.party), self._loyal[:, 0], self._disloyal[:, 0]
            )
        utility += line
        if signal is not None:
            utility += self._attention[:, 0] * signal
        if self.noise_sd > 0:
            utility += rng.normal(0.0, self.noise_sd, size=utility.shape)
        return utility > 0.0

    def subset(self, rows: np.ndarray) -> Deputies:
        """Some of the members (a committee) as deputies of their own, made once per set of rows."""
        key = rows.tobytes()
        sub = self._subsets.get(key)
        if sub is None:
            sub = self._subsets[key] = Deputies(
                self.chamber,
                {},
                self.party[rows],
                self.ideal[rows],
                self.loyalty[rows],
                self.attention[rows],
                self.attendance,
                self.noise_sd,
                self.amendment,
            )
            sub.party_names = self.party_names
            sub._parties(self.party_position, self.government_party)
        return sub

    def amend(self, position: float) -> float | None:
        """The bill at ``position`` as the members would rewrite it before approving it (see
        :func:`rewrite`, with the chamber's ``amendment``); None if they would leave it as it is."""
        a = self.amendment
        return rewrite(position, self.median, a.threshold, a.pull)

    def author(self, rng: np.random.Generator) -> int:
        """The party of a deputy who takes up an initiative: drawn by seat share."""
        seats = self.seats_by_party().astype(float)
        return int(rng.choice(seats.size, p=seats / seats.sum()))

    def attend(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """(members x bills) boolean: who is present at each vote."""
        return rng.random(shape) < self.attendance
