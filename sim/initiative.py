"""Deputies' own bills follow the voice of their party base.

When a bill of a deputies' initiator is introduced, with probability ``share`` its author (a deputy of
a party drawn by seat share in the largest chamber) takes up the strongest voiced demand of the
party's base instead: the bill gets that topic and the base's voiced position, and that voice is
spent. With nothing voiced (no channels), bills are left as drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.channels import Channels
    from sim.ledger import Bill


class Initiative:
    def __init__(self, spec: Any, layer: Channels) -> None:
        self.layer = layer
        self.share = float(spec.share)
        self.min_level = float(spec.min_level)
        self.initiators = set(spec.initiators) & set(layer.model.spec.initiators)
        chamber = max(layer.model.chambers.values(), key=lambda c: c.seats)
        self.bases = layer.voice.base_of(chamber)
        seats = np.bincount(chamber.party, minlength=len(chamber.party_names)).astype(float)
        self.seat_share = seats / seats.sum()
        self.rng = layer.streams["channels/initiative"]
        self.taken = 0

    def on_introduce(self, bill: Bill) -> None:
        voice = self.layer.voice
        if bill.initiator not in self.initiators or voice.quiet or self.share <= 0:
            return
        rng = self.rng
        if rng.random() >= self.share:
            return
        party = int(rng.choice(self.seat_share.size, p=self.seat_share))
        topic, level, groups, position = voice.strongest(self.bases[party])
        if level < self.min_level:
            return
        bill.topic = topic
        bill.topic_name = self.layer.model.topic_names[topic]
        bill.position = position
        voice.consume(groups, topic)
        self.taken += 1
