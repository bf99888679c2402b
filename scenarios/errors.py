"""The one error a bad scenario raises: it names the field, the value and what is allowed."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A configuration value that cannot be used. ``str(err)`` is one line for the user."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(f"{field}={value!r} is not allowed: {allowed}")
