"""Who a channel reaches: per citizen group, the share online (for a digital channel) and able to
read one of the channel's languages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agents.citizens import GROUP_LANGUAGES, CitizenGroups


@dataclass
class AudienceConf:
    """Whom a channel can reach: its languages, and how much groups whose language it lacks use it."""

    languages: list[str] = field(default_factory=lambda: list(GROUP_LANGUAGES))
    unsupported_language_use: float = 0.2  # use by groups whose language the channel lacks, relative


@dataclass(frozen=True)
class Audience:
    """``able[g]``: share of group ``g`` that can use the channel (groups whose language it lacks use
    it at ``unsupported_language_use`` the rate); ``people[g]``: how many people that is."""

    able: np.ndarray
    people: np.ndarray

    @classmethod
    def of(cls, groups: CitizenGroups, conf: AudienceConf) -> Audience:
        able = groups.able(conf.languages, conf.unsupported_language_use)
        return cls(able, groups.weight * able)
