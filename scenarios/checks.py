"""Range checks shared by the config validators. Each raises ``ConfigError`` naming the field, the
value and what is allowed."""

from __future__ import annotations

from typing import Any

from scenarios.errors import ConfigError


def need(path: str, value: Any, ok: bool, allowed: str) -> None:
    if not ok:
        raise ConfigError(path, value, allowed)


def in_range(path: str, value: Any, lo: float, hi: float, allowed: str | None = None) -> None:
    need(path, value, value is not None and lo <= value <= hi, allowed or f"a number in [{lo}, {hi}]")


def positive(path: str, value: Any, integer: bool = False) -> None:
    need(
        path, value, value is not None and value > 0, "a positive integer" if integer else "a positive number"
    )


def non_negative(path: str, value: Any) -> None:
    need(path, value, value is not None and value >= 0, "a number >= 0")
