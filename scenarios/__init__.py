"""Scenario configs: the schema, validation, and building a model from a config."""

from scenarios.build import build, simulate
from scenarios.errors import ConfigError
from scenarios.schema import Config, register
from scenarios.validate import validate

__all__ = ["Config", "ConfigError", "build", "register", "simulate", "validate"]
