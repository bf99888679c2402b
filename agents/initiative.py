"""Deputies' own bills follow the voice of their party base.

When a bill of a deputies' initiator is introduced, with probability ``share`` its author (a deputy of
a party drawn by seat share in the largest chamber) takes up the strongest voiced demand of the
party's base instead: the bill gets that topic and the base's voiced position, and that voice is
spent. With nothing voiced (no channels), bills are left as drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from agents.deputies import Deputies
from agents.voice import Voice


class Draft(Protocol):
    """What the author of a bill may change in it when taking up a demand (a ledger's ``Bill``)."""

    initiator: str
    topic: int
    topic_name: str
    position: float


@dataclass
class InitiativeConf:
    """Deputies' own bills follow the voice of their party base."""

    initiators: list[str] = field(default_factory=lambda: ["deputies"])
    share: float = 0.0  # chance that such a bill takes up the base's strongest voiced demand
    min_level: float = 0.05  # voice level below which deputies do not take a demand up


class Initiative:
    def __init__(
        self,
        spec: InitiativeConf,
        initiators: set[str],
        deputies: Deputies,
        voice: Voice,
        topic_names: list[str],
        rng: np.random.Generator,
    ) -> None:
        self.share = float(spec.share)
        self.min_level = float(spec.min_level)
        self.initiators = initiators
        self.deputies, self.voice, self.topic_names, self.rng = deputies, voice, topic_names, rng
        self.bases = voice.base_of(deputies)
        self.taken = 0

    def introduced(self, bill: Draft) -> None:
        voice = self.voice
        if bill.initiator not in self.initiators or voice.quiet or self.share <= 0:
            return
        rng = self.rng
        if rng.random() >= self.share:
            return
        party = self.deputies.author(rng)
        topic, level, groups, position = voice.strongest(self.bases[party])
        if level < self.min_level:
            return
        bill.topic = topic
        bill.topic_name = self.topic_names[topic]
        bill.position = position
        voice.consume(groups, topic)
        self.taken += 1
