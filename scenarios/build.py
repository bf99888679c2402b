"""From a validated config to a ready model, and one run of it."""

from __future__ import annotations

import dataclasses

from omegaconf import DictConfig

from agents.deputies import PartyConf
from agents.numerics import warn_unless_portable
from scenarios.citizens import channels_of
from scenarios.procedure import expand_readings
from scenarios.schema import Config
from scenarios.validate import validate
from sim.citizens.feedback import ChannelsConf, Feedback
from sim.engine.model import ParliamentModel, RunResult
from sim.engine.parliament import ParliamentConf

#: The members of a chamber described without parties: independents spread around the centre.
INDEPENDENTS = PartyConf(seats=1, position=0.0, spread=0.5, discipline=0.0)


def parliament_of(conf: Config) -> ParliamentConf:
    """The parliament the engine runs: the config's, with every chamber's members described and
    every vote of several readings expanded into its stages."""
    p = conf.parliament
    chambers = {
        name: c if c.parties else dataclasses.replace(c, parties={"independents": INDEPENDENTS})
        for name, c in p.chambers.items()
    }
    return dataclasses.replace(p, chambers=chambers, stages=expand_readings(p.stages))


def compose(conf: Config | DictConfig, seed: int | None = None) -> tuple[ParliamentModel, Feedback | None]:
    """The model for ``conf`` and its citizens and channels layer (None without citizens on the
    parliament's topics). A composed DictConfig is validated first; a ``Config`` is taken as valid."""
    if isinstance(conf, DictConfig):
        conf = validate(conf)
    parliament = parliament_of(conf)
    model = ParliamentModel(parliament, seed=conf.seed if seed is None else seed, years=conf.years)
    layer = None
    if conf.citizens is not None and set(conf.citizens.topics) & set(conf.parliament.topics):
        channels = channels_of(conf.channels or ChannelsConf(), parliament)
        layer = Feedback(model, conf.citizens, channels).attach()
    return model, layer


def build(conf: Config | DictConfig, seed: int | None = None) -> ParliamentModel:
    """A ``ParliamentModel`` ready to run for ``conf``."""
    return compose(conf, seed)[0]


def simulate(conf: Config | DictConfig, seed: int | None = None) -> RunResult:
    """Build and run one replication."""
    warn_unless_portable()
    return build(conf, seed).run()
