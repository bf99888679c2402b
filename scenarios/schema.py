"""The structured config schema, registered in Hydra's ConfigStore.

A run is a parliament (``sim.engine.parliament``), citizen groups (``agents.citizens``) and feedback
channels (``sim.citizens.feedback``): the engine's own description types are the schema. A config
made in code (:class:`Config`) takes their defaults; what presets compose takes the schema types of
``scenarios.stated`` (:data:`Schema`, registered as ``schema``), in which the fields that describe
what is modelled (seats, parties, the calendar, rates, stages, a platform's numbers) are ``???``
until a preset or an override states them, and an inherited entry of a mapping keyed by name may be
removed with ``null``. The YAML presets under ``configs/`` fill them in; Hydra checks types when it
composes a config, and ``scenarios.validate`` then refuses a field no preset stated and checks every
value before anything runs. Mappings are keyed by name (chambers, parties, committees, topics,
initiators, stages) so that any value can be overridden from the command line, e.g.
``parliament.chambers.mazhilis.agenda_capacity=12``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from agents.citizens import CitizensConf
from scenarios.stated import schema_of
from sim.citizens.feedback import ChannelsConf
from sim.engine.parliament import ParliamentConf

#: Languages of what a run shows people (report, figures, terminal): Kazakh, Russian, English.
LANGUAGES = ("en", "kk", "ru")


@dataclass
class CitizensPreset(CitizensConf):
    """A citizens preset: the population, and the plausible ranges of its assumed numbers (by path
    within ``citizens``, checked by ``scenarios.ranges``; sampled by ``experiment=robustness``)."""

    ranges: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChannelsPreset(ChannelsConf):
    """A channels preset: its channels, and the plausible ranges of its assumed numbers (by path
    within ``channels``; presets that combine others merge their ranges too)."""

    ranges: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReformConf:
    """What a compared scenario changes against the baseline: config paths (each covers everything
    below it) and why. ``scenarios.diff`` checks that nothing else differs, and the report lists it."""

    label: str = ""
    changes: dict[str, str] = field(default_factory=dict)


@dataclass
class Config:
    """One run: a parliament, a seed and a horizon."""

    parliament: ParliamentConf = MISSING
    citizens: CitizensPreset | None = None  # a citizens/ preset; none: no citizen groups
    channels: ChannelsPreset | None = None  # a channels/ preset; needs citizens
    experiment: Any = None  # an experiment/ preset: ``kind`` names its runner (experiments.registry)
    reform: ReformConf | None = None  # set by a scenario/ preset: what it changes against the baseline
    seed: int = 0
    years: float = 5.0
    quiet: bool = False
    lang: str = "en"  # language of the report, figures and terminal output (LANGUAGES)
    data: str | None = None  # a file of bill records for experiment=fit (docs/records.md)


#: The schema of a config composed from presets (``configs/config.yaml`` builds on it), and of one
#: read back from a run's ``config.yaml``: :class:`Config` with the fields presets must state left
#: ``???``. ``scenarios.validate`` makes the :class:`Config` of either.
Schema = schema_of(Config)


def register() -> None:
    """Register the schema so that ``configs/config.yaml`` can build on it."""
    cs = ConfigStore.instance()
    cs.store(name="schema", node=Schema)
