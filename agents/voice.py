"""Voice: the demand that channels carry to deputies, and the signal it becomes in their vote.

``people[g, t]`` counts the people of group ``g`` who recently voiced a view on topic ``t`` (signed a
petition, wrote an appeal); it fades with a half-life. A group's voice *level* is that count relative
to ``full_share`` of the group, capped at 1. A group that cannot reach a channel has no voice, so the
digital divide shows in what deputies hear.

A deputy listens to the party's base: groups weighted by size and by closeness of their left-right
position to the party's (a Gaussian kernel of width ``base_sd``). The signal on a bill is the base's
voice-weighted gain from the bill (the same spatial form as the deputy's own gain), raised on topics
that appeals made salient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.citizens import CitizenGroups
from agents.deputies import Deputies


@dataclass
class VoiceConf:
    """How voiced demand becomes the signal deputies attend to."""

    half_life_days: float = 90.0  # voice fades with this half-life
    full_share: float = 0.01  # share of a group that, having voiced, makes its signal full
    base_sd: float = 0.25  # width of a party's base on the left-right axis


class Voice:
    def __init__(self, spec: VoiceConf, population: CitizenGroups, status_quo: np.ndarray) -> None:
        self.population = population
        self.status_quo = np.asarray(status_quo, dtype=float)
        self.decay = 0.5 ** (1.0 / spec.half_life_days)
        self.cap = spec.full_share * population.weight
        self.base_sd = spec.base_sd
        g, t = population.pref.shape
        # Topic-major: what a petition or a bill adds to or reads is one contiguous row per topic.
        self.by_topic = np.zeros((t, g))
        self.topic_attention = np.zeros(t)  # extra attention per topic (appeals), faded like voice
        self.quiet = True
        self._bases: dict[str, np.ndarray] = {}
        # (topics x groups) squared distance of each group's view from the law in force: the first
        # term of every signal's gain, computed once.
        self._from_status_quo = (population.pref_by_topic - self.status_quo[:, None]) ** 2

    @property
    def people(self) -> np.ndarray:
        """(groups x topics) people who recently voiced a view (a view of ``by_topic``)."""
        return self.by_topic.T

    def fade(self) -> None:
        if not self.quiet:
            self.by_topic *= self.decay
            self.topic_attention *= self.decay

    def add(self, groups: np.ndarray, topic: np.ndarray | int, people: np.ndarray | float) -> None:
        """``people`` of each group voiced on ``topic`` (one topic, or one per group); the (group,
        topic) pairs of one call are distinct (one day's demands, one petition's signers)."""
        self.by_topic[topic, groups] += people
        self.quiet = False

    def add_in_turn(self, groups: np.ndarray, topic: int, parts: list[np.ndarray]) -> None:
        """Several additions to the same groups on ``topic``, in turn (the sums of adding them one
        call at a time, with one gather and one write of the groups' row)."""
        run = self.by_topic[topic, groups]
        for people in parts:
            run += people
        self.by_topic[topic, groups] = run
        self.quiet = False

    def level(self) -> np.ndarray:
        """(groups x topics) voice level in [0, 1], group-major (the sums over groups that read it
        keep their order)."""
        return np.ascontiguousarray(np.minimum(self.by_topic / self.cap, 1.0).T)

    def party_base(self, party_position: np.ndarray) -> np.ndarray:
        """(parties x groups) weights of each party's base, rows summing to 1."""
        pop = self.population
        d = pop.ideal[None, :] - np.asarray(party_position, dtype=float)[:, None]
        w = pop.weight[None, :] * np.exp(-0.5 * (d / self.base_sd) ** 2)
        return w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)

    def base_of(self, deputies: Deputies) -> np.ndarray:
        """(parties x groups) weights of the chamber's parties' bases (a deputy listens to the party's)."""
        w = self._bases.get(deputies.chamber)
        if w is None:
            w = self._bases[deputies.chamber] = self.party_base(deputies.party_position)
        return w

    def signal(self, deputies: Deputies, position: np.ndarray, topic: np.ndarray) -> np.ndarray | None:
        """(deputies x bills) citizen pressure for the bills; ``None`` while nobody has spoken."""
        if self.quiet:
            return None
        # In place, with ``take`` for the rows of the bills' topics: the same operations as
        # ``sq_gap[topic] - (pref[topic] - position) ** 2`` and ``minimum(voice / cap, 1) * gain``.
        gap = self.population.pref_by_topic.take(topic, axis=0)  # (bills x groups)
        gap -= position[:, None]
        gap *= gap
        gain = self._from_status_quo.take(topic, axis=0)
        gain -= gap
        voiced = self.by_topic.take(topic, axis=0)
        voiced /= self.cap
        np.minimum(voiced, 1.0, out=voiced)  # level on these topics
        voiced *= gain
        # (groups x bills) in memory, as the product has always read it: the same sums.
        voiced = np.ascontiguousarray(voiced.T)
        per_party = self.base_of(deputies) @ voiced
        per_party *= 1.0 + self.topic_attention.take(topic)
        return per_party.take(deputies.party, axis=0)

    def strongest(self, weights: np.ndarray) -> tuple[int, float, np.ndarray, float]:
        """The (topic, side) with most voice among groups weighted by ``weights`` (summing to 1).

        Returns (topic, level, groups on that side, their voice-weighted preferred position).
        """
        pop = self.population
        level = self.level()
        side = pop.pref > self.status_quo[None, :]
        weighted = weights[:, None] * level
        up, down = (weighted * side).sum(axis=0), (weighted * ~side).sum(axis=0)
        both = np.concatenate([up, down])
        k = int(np.argmax(both))
        t, upward = k % up.size, k < up.size
        groups = (side[:, t] == upward).nonzero()[0]
        w = weighted[groups, t]
        pos = float(w @ pop.pref[groups, t] / w.sum()) if w.sum() > 0 else float(self.status_quo[t])
        return t, float(both[k]), groups, pos

    def consume(self, groups: np.ndarray, topic: int) -> None:
        """A bill took this voice up: it no longer presses for another."""
        self.by_topic[topic, groups] = 0.0
