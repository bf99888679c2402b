"""From a validated config to a ready model, and one run of it."""

from __future__ import annotations

from omegaconf import DictConfig

from scenarios.schema import Config
from scenarios.validate import check_parliament, validate
from sim.channels import Channels
from sim.model import ParliamentModel, RunResult


def build(conf: Config | DictConfig, seed: int | None = None) -> ParliamentModel:
    """A ``ParliamentModel`` for ``conf`` (a composed DictConfig is validated first)."""
    if isinstance(conf, DictConfig):
        conf = validate(conf)
    procedure = check_parliament(conf.parliament)
    model = ParliamentModel(
        conf.parliament, procedure, seed=conf.seed if seed is None else seed, years=conf.years
    )
    if conf.citizens is not None and set(conf.citizens.topics) & set(conf.parliament.topics):
        Channels(model, conf.citizens, conf.channels).attach()
    return model


def simulate(conf: Config | DictConfig, seed: int | None = None) -> RunResult:
    """Build and run one replication."""
    return build(conf, seed).run()
