"""Plausible ranges of a preset's assumed numbers, declared next to them in the preset.

A parliament preset lists, under ``ranges``, the config path (within the parliament) of each number
it assumes, with the range within which the number is plausible. ``experiment=robustness`` samples
these ranges; the checks here make sure each path names a number of the preset and its range holds
the preset's value.
"""

from __future__ import annotations

from typing import Any

from scenarios.checks import need
from scenarios.errors import ConfigError
from sim.engine.parliament import ParliamentConf


def lookup(node: Any, path: str) -> Any:
    """The value at dotted ``path`` in ``node`` (dataclasses and mappings); KeyError if absent."""
    for part in path.split("."):
        if isinstance(node, dict):
            node = node[part]
        elif hasattr(node, "__dataclass_fields__") and part in node.__dataclass_fields__:
            node = getattr(node, part)
        else:
            raise KeyError(part)
    return node


def check_ranges(p: ParliamentConf, prefix: str = "parliament") -> None:
    for path, bounds in p.ranges.items():
        at = f"{prefix}.ranges.{path}"
        try:
            value = lookup(p, path)
        except KeyError:
            raise ConfigError(at, path, "a path to a number of this parliament") from None
        need(
            at,
            path,
            isinstance(value, int | float) and not isinstance(value, bool),
            "a path to a number of this parliament",
        )
        ok = len(bounds) == 2 and all(isinstance(b, int | float) for b in bounds) and bounds[0] <= bounds[1]
        need(at, list(bounds), ok, "[low, high] with low <= high")
        need(
            at,
            list(bounds),
            bounds[0] <= value <= bounds[1],
            f"a range that holds the preset's value {value}",
        )
