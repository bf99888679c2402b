"""A fitted preset as YAML: it extends a base preset and sets values, each with a comment saying
where it comes from, and gives each fitted number's plausible range (its interval) under ``ranges``.

Written as text, not dumped, so that every value keeps its comment (the project's rule: every number
in a preset carries its source).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def fmt(v: float) -> str:
    """A number for YAML: an integer as one, others to 6 significant digits."""
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"


def _one_line(text: str) -> str:
    """A comment's text on its line: a records file named with a line break (or a source cell with
    one) wrote a line of YAML of its own into the fitted preset (``vote_noise: 0.99``)."""
    return "".join(c if c.isprintable() else " " for c in text)


class PresetText:
    """The lines of a preset named ``name`` that extends ``base``, after ``header`` comment lines."""

    def __init__(self, base: str, name: str, header: Sequence[str]) -> None:
        self.base, self.name, self.header = base, name, list(header)
        self.tree: dict[str, Any] = {}
        self.ranges: dict[str, tuple[float, float]] = {}

    def set(self, path: str, value: str, comment: str) -> None:
        """Set ``path`` (within the parliament) to the YAML text ``value``, with ``comment``."""
        *parts, last = path.split(".")
        node = self.tree
        for p in parts:
            node = node.setdefault(p, {})
        node[last] = f"{value}   # {_one_line(comment)}"

    def range(self, path: str, low: float, high: float) -> None:
        """The plausible range of the number at ``path`` (left out when undefined)."""
        if math.isfinite(low) and math.isfinite(high):
            self.ranges[path] = (min(low, high), max(low, high))

    def text(self, ranges_comment: str) -> str:
        lines = [f"# {_one_line(h)}" for h in self.header]
        lines += ["defaults:", f"  - {self.base}", "  - _self_", ""]
        lines.append(f"name: {self.name}")

        def emit(node: dict[str, Any], depth: int) -> None:
            for k, v in node.items():
                if isinstance(v, dict):
                    lines.append("  " * depth + f"{k}:")
                    emit(v, depth + 1)
                else:
                    lines.append("  " * depth + f"{k}: {v}")

        emit(self.tree, 0)
        if self.ranges:
            lines.append(f"ranges:   # {_one_line(ranges_comment)}")
            for p, (lo, hi) in self.ranges.items():
                lines.append(f"  {p}: [{fmt(round(lo, 6))}, {fmt(round(hi, 6))}]")
        return "\n".join(lines) + "\n"
