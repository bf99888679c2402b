"""Plausible ranges of a preset's assumed numbers, declared next to them in the preset.

A parliament, citizens or channels preset lists, under ``ranges``, the config path (within the
preset's node) of each number it assumes, with the range within which the number is plausible.
``experiment=robustness`` samples these ranges; the checks here make sure each path names a number
of the preset and its range holds the preset's value.
"""

from __future__ import annotations

from typing import Any

from scenarios.checks import need
from scenarios.errors import ConfigError


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


def assign(node: Any, path: str, value: Any) -> None:
    """Set the value at dotted ``path`` in ``node`` (dataclasses and mappings); KeyError if the
    parent of ``path`` is absent."""
    *head, last = path.split(".")
    parent = lookup(node, ".".join(head)) if head else node
    if isinstance(parent, dict):
        parent[last] = value
    else:
        setattr(parent, last, value)


def _unread_spread(p: Any, path: str) -> bool:
    """Whether ``path`` is the sd of a duration without a spread of its own (exponential, fixed):
    a preset fitted with such a family keeps its base's range of the sd, which bounds nothing."""
    head, _, last = path.rpartition(".")
    return last == "sd" and bool(head) and getattr(lookup(p, head), "dist", None) in ("exponential", "fixed")


def _absent(p: Any, path: str, prefix: str) -> str:
    """Why a range's path names nothing, when it names an entry that a mapping keyed by name lacks
    (removed by '~', which leaves its ranges; ``null`` removes them with it)."""
    head, _, rest = path.partition(".")
    entry = rest.split(".", 1)[0]
    items = getattr(p, head, None) if head != "ranges" else None
    if not isinstance(items, dict) or not entry or entry in items:
        return ""
    gone = f"{prefix}.{head}.{entry}=null"
    return f" (no {entry} in {head}: an entry removed with null takes its ranges with it, '{gone}')"


def check_ranges(p: Any, prefix: str = "parliament") -> None:
    """Each path under ``p.ranges`` names a number of ``p`` (a parliament, citizens or channels
    preset, at ``prefix`` in the config), and its [low, high] holds that number."""
    noun = "parliament" if prefix.startswith("parliament") else f"{prefix} preset"
    what = f"a path to a number of this {noun}"
    for path, bounds in (getattr(p, "ranges", None) or {}).items():
        at = f"{prefix}.ranges.{path}"
        try:
            value = lookup(p, path)
        except KeyError:
            raise ConfigError(at, path, what + _absent(p, path, prefix)) from None
        need(at, path, isinstance(value, int | float) and not isinstance(value, bool), what)
        ok = (
            isinstance(bounds, list | tuple)
            and len(bounds) == 2
            and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
            and bounds[0] <= bounds[1]
        )
        need(at, list(bounds), ok, "[low, high] with low <= high")
        if _unread_spread(p, path):
            continue  # an exponential or fixed duration's sd, which the model does not read
        need(  # named by the value's own path, which an override sets more often than its range
            f"{prefix}.{path}",
            value,
            bounds[0] <= value <= bounds[1],
            f"a value within its plausible range {list(bounds)} ({at}); to run one outside it, widen "
            f"the range in the same command: '{prefix}.ranges={{{path}: [LOW, HIGH]}}'",
        )
