"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.metrics import Metric


def fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:d}"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def render(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    """Left-aligned first column, right-aligned others."""
    cells = [[fmt(c) for c in r] for r in rows]
    if header:
        cells.insert(0, list(header))
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for k, r in enumerate(cells):
        parts = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        lines.append("  ".join(parts))
        if header and k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_table(summary: Mapping[str, Any], title: str = "") -> str:
    body = render([(k, v) for k, v in summary.items()], header=(title or "metric", "value"))
    return body


#: Sections of a single run's table: which metric groups each shows.
SECTIONS = (
    ("throughput", ("throughput", "speed", "procedure", "stages", "other")),
    ("responsiveness", ("responsiveness",)),
    ("inclusion", ("inclusion",)),
)


def sectioned_table(summary: dict[str, Any], metrics: Mapping[str, Metric], title: str) -> str:
    """Throughput, responsiveness and inclusion side by side, then one row per channel.

    Without citizen metrics (no citizens preset) this is the plain summary table.
    """
    group = {k: metrics[k].group if k in metrics else "other" for k in summary}
    sections = [(h, {k: v for k, v in summary.items() if group[k] in gs}) for h, gs in SECTIONS]
    if not sections[1][1]:
        return summary_table({k: v for k, v in summary.items() if group[k] != "channels"}, title)
    cols = [[(k, fmt(v)) for k, v in items.items()] for _, items in sections]
    widths = [
        (max(len(h), *(len(k) for k, _ in c)), max([0, *(len(v) for _, v in c)]))
        for c, (h, _) in zip(cols, sections, strict=True)
    ]
    head = "   ".join(f"{h:<{w + v + 2}}" for (h, _), (w, v) in zip(sections, widths, strict=True))
    lines = [title, head.rstrip()]
    lines.append("   ".join("-" * (w + v + 2) for w, v in widths))
    for i in range(max(len(c) for c in cols)):
        cells = [
            f"{c[i][0]:<{w}}  {c[i][1]:>{v}}" if i < len(c) else " " * (w + v + 2)
            for c, (w, v) in zip(cols, widths, strict=True)
        ]
        lines.append("   ".join(cells).rstrip())
    per_channel: dict[str, dict[str, Any]] = {}
    for k in summary:
        if group[k] == "channels":
            m = metrics[k]
            per_channel.setdefault(str(m.param("channel")), {})[str(m.param("measure"))] = summary[k]
    measures = list(dict.fromkeys(x for counts in per_channel.values() for x in counts))
    rows = [[name, *(counts.get(x) for x in measures)] for name, counts in per_channel.items()]
    if rows:
        lines += ["", render(rows, header=("channel", *measures))]
    return "\n".join(lines)
