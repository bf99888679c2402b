"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


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


#: Channel metrics shown per channel, in this order.
CHANNEL_METRICS = ("submissions", "listed", "threshold_reached", "answered", "answered_late")


def sectioned_table(summary: dict[str, Any], title: str) -> str:
    """Throughput, responsiveness and inclusion side by side, then one row per channel.

    Without citizen metrics (no citizens preset) this is the plain summary table.
    """
    channels = {k: v for k, v in summary.items() if k.startswith("channel_")}
    inclusion = {k: v for k, v in summary.items() if k.startswith("inclusion_") or k == "congruence"}
    respond = {
        k: v
        for k, v in summary.items()
        if k.startswith(("demand", "responsiveness_", "council_", "deputy_bills")) and k not in inclusion
    }
    if not respond:
        return summary_table(summary, title)
    rest = {k: v for k, v in summary.items() if k not in channels | inclusion | respond}
    sections = [("throughput", rest), ("responsiveness", respond), ("inclusion", inclusion)]
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
    names = [k[len("channel_") : -len("_submissions")] for k in channels if k.endswith("_submissions")]
    extra = list(
        dict.fromkeys(
            k[len(f"channel_{n}_") :]
            for n in names
            for k in channels
            if k.startswith(f"channel_{n}_") and k[len(f"channel_{n}_") :] not in CHANNEL_METRICS
        )
    )
    metrics = (*CHANNEL_METRICS, *extra)
    rows = [[n, *(summary.get(f"channel_{n}_{m}") for m in metrics)] for n in names]
    if rows:
        lines += ["", render(rows, header=("channel", *metrics))]
    return "\n".join(lines)
