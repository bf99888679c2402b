"""Range checks shared by the config validators. Each raises ``ConfigError`` naming the field, the
value and what is allowed."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
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


def leaves(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar under ``obj`` (dataclasses, mappings, lists) with its config path."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from leaves(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name)
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, obj


#: The largest magnitude of a number in a scenario (people, days, rates, signatures all fit): past
#: it, products overflow or lose all precision.
MAX_MAGNITUDE = 1e12
#: Fields exempt from :data:`MAX_MAGNITUDE` (checked on their own).
UNBOUNDED = ("seed",)


def finite_numbers(obj: Any, path: str = "") -> None:
    """Refuse ``inf``, ``nan`` and numbers larger than :data:`MAX_MAGNITUDE` anywhere under ``obj``:
    no field of a scenario takes them (a rate of ``inf`` never ends a run, a duration of ``inf``
    silently stops every bill, ``1e300`` overflows)."""
    for at, v in leaves(obj, path):
        if isinstance(v, bool) or not isinstance(v, int | float) or at in UNBOUNDED:
            continue
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(at, v, "a finite number")
        if abs(v) > MAX_MAGNITUDE:
            raise ConfigError(at, v, f"a number of magnitude at most {MAX_MAGNITUDE:.0e}")
