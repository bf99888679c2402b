"""Plain-text tables for the terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from experiments.i18n import N_, Translator, translator
from sim.channels.base import MEASURES
from sim.metrics import Metric

#: A channel measure's short name in tables (message ids), in the order tables show them.
CHANNEL_HEADS: dict[str, str] = {
    "submissions": N_("submitted"),
    "listed": N_("listed"),
    "threshold_reached": N_("reached the threshold"),
    "second_threshold": N_("reached the second threshold"),
    "answered": N_("answered"),
    "answer_median_days": N_("median days to an answer"),
    "answered_late": N_("answered late"),
    "overdue": N_("overdue"),
    "became_bill": N_("answered by a bill (any)"),
    "became_law": N_("answered by a law (any)"),
    "law_median_days": N_("median days to law"),
    "mean_quality": N_("draft quality"),
}
assert set(CHANNEL_HEADS) == set(MEASURES), "every channel measure needs a short name"
#: What a channel's counts of answers mean, wherever they are shown: a reader took "became a bill"
#: for the channel's own bills (e-petitions that reached no threshold "became" 272 bills).
CARRIED = N_(
    "A demand a channel carried counts as answered by any bill or law that meets it, not only one the "
    "channel led to; an item is answered the day the channel's staff reach it (no time for drafting an "
    "answer is modelled)."
)


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


def printable(text: str) -> str:
    """``text`` with its control and format characters written out (``\\x1b``): a name read from a
    run folder is printed, and escape sequences in it set the terminal's title, cleared the screen
    or changed its colours."""
    if text.isprintable():
        return text
    # repr writes out each such character (\x1b, \u202e) and keeps every other one as it is
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def render(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    """Left-aligned first column, right-aligned others; what cannot be shown as it is, written out."""
    cells = [[printable(fmt(c)) for c in r] for r in rows]
    if header:
        cells.insert(0, [printable(str(h)) for h in header])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for k, r in enumerate(cells):
        parts = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        lines.append("  ".join(parts))
        if header and k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


#: Sections of a single run's table (message ids) and the metric groups each shows.
SECTIONS = (
    (N_("Throughput and speed"), ("throughput", "speed", "procedure", "other")),
    (N_("Time in each stage"), ("stages",)),
    (N_("Responsiveness to citizens"), ("responsiveness",)),
    (N_("Inclusion"), ("inclusion",)),
)


def sectioned_table(
    summary: Mapping[str, Any], metrics: Mapping[str, Metric], title: str, tr: Translator | None = None
) -> str:
    """One run's results for people: each metric by its label, value and unit (shares as
    percentages), in sections; then one row per channel with its counts."""
    tr = tr or translator()

    def describe(k: str) -> Metric:
        return metrics.get(k) or Metric(k, k.replace("_", " "), "", "none", "other")

    lines = [title]
    for head, groups in SECTIONS:
        rows = []
        for k, v in summary.items():
            m = describe(k)
            if m.group in groups:
                value = tr.value(m, v)
                rows.append((tr.label(m), value, tr.unit(m, after=value)))
        if rows:
            lines += ["", tr.gettext(head), _rows(rows)]
    per_channel: dict[str, dict[str, str]] = {}
    for k, v in summary.items():
        m = describe(k)
        if m.group == "channels":
            channel = tr.name("channel", str(m.param("channel")))
            per_channel.setdefault(channel, {})[str(m.param("measure"))] = tr.value(m, v)
    measures = [x for x in CHANNEL_HEADS if any(x in counts for counts in per_channel.values())]
    if per_channel:  # a row per measure, a column per channel: a few channels fit a terminal's width
        rows = [
            [tr.gettext(CHANNEL_HEADS[x]), *(c.get(x, "-") for c in per_channel.values())] for x in measures
        ]
        lines += ["", tr.gettext("Channels"), render(rows, header=("", *per_channel)), tr.gettext(CARRIED)]
    return "\n".join(lines)


def run_title(parliament: str, seed: int, years: float, tr: Translator | None = None) -> str:
    """The heading of a single run's table."""
    tr = tr or translator()
    return tr.ngettext(
        "{parliament}, seed {seed}, {years} year",
        "{parliament}, seed {seed}, {years} years",
        years,
        parliament=parliament,
        seed=seed,
        years=tr.short(years),
    )


def _rows(rows: Sequence[tuple[str, str, str]]) -> str:
    """``label  value unit`` lines, labels padded and values aligned on the right."""
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    return "\n".join(f"  {label:<{w}}  {value:>{v}} {unit}".rstrip() for label, value, unit in rows)
