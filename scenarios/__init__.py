"""Scenario configs: the schema, validation, and building a model from a config."""

import agents  # noqa: F401  # first: numpy is set to give the same numbers on every machine
from scenarios.build import build, simulate
from scenarios.errors import ConfigError
from scenarios.schema import Config, register
from scenarios.validate import validate

__all__ = ["Config", "ConfigError", "build", "register", "simulate", "validate"]
