"""A figure of a report (its PNG and its texts), and what a comparison's figures are drawn from.

Nothing here imports matplotlib: a process that only reads figures (the report, a comparison whose
figures other processes draw, :mod:`experiments.drawing`) need not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from experiments.catalog import Catalog
    from experiments.i18n import Translator
    from sim.metrics import Metric

#: The module that draws a comparison's figures (what side processes must have imported).
PLOTS = "experiments.plots"
#: A comparison's figures, in reading order.
ORDER = ("laws_per_year", "lead_time_ecdf", "stage_time", "responsiveness", "differences")


@dataclass(frozen=True)
class Figure:
    """One figure of the report: file name (without ``.png``), title, caption and the PNG itself;
    ``drawn`` is the matplotlib figure it was rendered from (for checks of its layout), where it was
    drawn in this process."""

    name: str
    title: str
    caption: str
    png: bytes
    drawn: Any = field(default=None, repr=False, compare=False)


def alt_text(title: str, tr: Translator) -> str:
    """A figure's text alternative where a table of its numbers follows it (the report's and the
    explorer's): what it shows, and where its numbers are written out."""
    return tr.gettext("{title}: a figure; the numbers it plots are in the table below it.", title=title)


@dataclass(frozen=True)
class FigureData:
    """What a comparison's figures are drawn from."""

    summary: pd.DataFrame
    leads: pd.DataFrame
    comparison: pd.DataFrame
    metrics: Sequence[str]
    order: Sequence[str]
    described: Catalog


def responsiveness_columns(summary: pd.DataFrame, described: Catalog) -> list[str]:
    """The responsiveness measures of ``summary`` that its figure plots: one per citizen group
    (those broken down by a dimension) with a value in some replication."""
    return [
        c
        for c in described.in_group("responsiveness", summary.columns)
        if described.describe(c).param("dimension") and summary[c].notna().any()
    ]


def group_label(metric: Metric, tr: Translator | None = None) -> str:
    """The citizen group a responsiveness metric is about, e.g. ``age band: 60 plus``."""
    from experiments.i18n import translator

    tr = tr or translator()
    dimension, value = metric.param("dimension") or "", metric.param("value") or ""
    return f"{tr.name('dimension', dimension)}: {tr.name('value', value)}"


def offscreen() -> None:
    """matplotlib draws into files (Agg), and reads no text as mathtext: a scenario's label or a
    title a user wrote with ``$...$`` in it ended a finished sweep's report in a parse error."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False
