"""The errors a bad scenario raises: each is one line that names the field, the value and what is
allowed (for a command too costly to run, the estimate and the limit; for a setting that no preset
states, what it takes)."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A configuration value that cannot be used. ``str(err)`` is one line for the user."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(f"{field}={value!r} is not allowed: {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:  # rebuilt whole in the process that launched a job
        return (type(self), (self.field, self.value, self.allowed))


class CostError(ConfigError):
    """A command whose estimated cost is over a documented limit (``scenarios.cost``)."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        ValueError.__init__(self, f"{field}: {value} is over the limit: {allowed}")


class NotGiven(ConfigError):
    """A field that describes what is modelled and that no preset and no override of a composed
    config states (``scenarios.stated``)."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        ValueError.__init__(self, f"{field}: not given; a preset must state it ({allowed})")
