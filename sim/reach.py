"""What every citizen-facing channel shares: its name, whom it reaches, its own random stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.channels import Channels


class DigitalChannel:
    """A digital channel: ``able[g]`` is the share of group ``g`` online and reading one of its
    languages (groups whose language it lacks use it at ``unsupported_language_use`` the rate)."""

    def __init__(self, name: str, spec: Any, layer: Channels) -> None:
        self.name, self.spec, self.layer = name, spec, layer
        self.able = layer.population.able(spec.languages, spec.unsupported_language_use)
        self.able_people = layer.population.weight * self.able  # per group, people able to use it
        self.rng = layer.streams[f"channels/{name}"]

    def named_topics(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with topic indices replaced by the topics' names."""
        names = np.asarray(self.layer.population.topic_names, dtype=object)
        df["topic"] = names[df["topic"].to_numpy(int)]
        return df
