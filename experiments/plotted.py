"""The numbers each figure plots, as a table: the figures' text alternative.

A screen reader gets from an image its text alternative or caption at most: what the figure shows,
not what it found. The explorer's page and the report give each figure a table of what it plots,
computed from the data the figure is drawn from as :mod:`experiments.plots` computes it: each mean
with its 95% confidence interval, and the quantiles of the lead times' curve. Nothing here imports matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from experiments.figure import FigureData, group_label, responsiveness_columns
from experiments.i18n import N_, Translator
from experiments.report import Numbers
from experiments.stats import t_interval

#: The shares of laws at which the lead times' curve is read.
QUANTILES = (0.25, 0.5, 0.75, 0.9)
MEAN, INTERVAL = N_("average over replications"), N_("95% confidence interval")


def _named(numbers: Numbers, metric: str, name: str) -> str:
    """A row's name with the unit of its numbers, as the page's key numbers show it."""
    unit = numbers.unit(metric)
    return f"{name} ({unit})" if unit else name


def _means(
    summary: pd.DataFrame, names: Mapping[str, str], order: Sequence[str], numbers: Numbers
) -> list[list[str]]:
    """Per measure of ``summary`` (named for people by ``names``) and scenario: its name, the
    scenario, the mean over replications and its 95% interval (what the figure's marks show)."""
    rows = []
    for m, name in names.items():
        within = numbers.described.describe(m).bounds
        for s in order:
            mean, lo, hi = t_interval(summary.loc[summary["scenario"] == s, m], within=within)
            if not np.isnan(mean):
                rows.append([_named(numbers, m, name), s, numbers.value(m, mean), numbers.ci(m, lo, hi)])
    return rows


def _table(head: str, rows: list[list[str]], tr: Translator, value: str = MEAN) -> pd.DataFrame:
    _ = tr.gettext
    return pd.DataFrame(rows, columns=[_(head), _("scenario"), _(value), _(INTERVAL)])


def _laws(d: FigureData, numbers: Numbers, tr: Translator) -> pd.DataFrame:
    names = {"laws_per_year": numbers.label("laws_per_year")}
    return _table(N_("measure"), _means(d.summary, names, d.order, numbers), tr)


def _stages(d: FigureData, numbers: Numbers, tr: Translator) -> pd.DataFrame:
    stages = d.described.in_group("stages", d.summary.columns)
    names = {c: tr.name("stage", str(d.described.describe(c).param("stage"))) for c in stages}
    return _table(N_("stage"), _means(d.summary, names, d.order, numbers), tr)


def _groups(d: FigureData, numbers: Numbers, tr: Translator) -> pd.DataFrame:
    cols = responsiveness_columns(d.summary, d.described)
    names = {c: group_label(d.described.describe(c), tr) for c in cols}
    return _table(N_("citizen group"), _means(d.summary, names, d.order, numbers), tr)


def _lead_times(d: FigureData, numbers: Numbers, tr: Translator) -> pd.DataFrame:
    """Per scenario, the days within which a quarter, half, three quarters and nine in ten of the
    laws were enacted (the curve's crossings of those shares)."""
    heads = [tr.gettext("{share}% of laws enacted within (days)", share=round(100 * q)) for q in QUANTILES]
    rows = []
    for s in d.order:
        days = d.leads.loc[d.leads["scenario"] == s, "lead_time_days"].to_numpy(dtype=float)
        if days.size:
            rows.append([s, *(tr.number(x) for x in np.quantile(days, QUANTILES, method="inverted_cdf"))])
    return pd.DataFrame(rows, columns=[tr.gettext("scenario"), *heads])


def _differences(d: FigureData, numbers: Numbers, tr: Translator) -> pd.DataFrame:
    c = d.comparison
    diff = c[c["diff"].notna() & c["metric"].isin(d.metrics)]
    rows = []
    for m in (m for m in d.metrics if m in set(diff["metric"])):
        unit = numbers.unit(m, diff=True)
        name = numbers.label(m) + (f" ({unit})" if unit else "")
        for r in diff[diff["metric"] == m].to_dict(orient="records"):
            versus = tr.gettext("{scenario} minus {baseline}", scenario=r["scenario"], baseline=r["baseline"])
            ci = numbers.ci(m, r["diff_ci_low"], r["diff_ci_high"], signed=True)
            rows.append([name, versus, numbers.value(m, r["diff"], signed=True), ci])
    return _table(N_("measure"), rows, tr, N_("Difference from the baseline"))


#: Each figure's table, by the figure's name (:data:`experiments.figure.ORDER`).
TABLES: dict[str, Callable[[FigureData, Numbers, Translator], pd.DataFrame]] = {
    "laws_per_year": _laws,
    "lead_time_ecdf": _lead_times,
    "stage_time": _stages,
    "responsiveness": _groups,
    "differences": _differences,
}


def plotted(name: str, data: FigureData, tr: Translator) -> pd.DataFrame | None:
    """The numbers the figure ``name`` plots (None for a figure without a table)."""
    make = TABLES.get(name)
    return None if make is None else make(data, Numbers(data.described, tr), tr)


def interval_numbers(
    comparison: pd.DataFrame, metric: str, order: Sequence[str], numbers: Numbers
) -> pd.DataFrame:
    """The numbers of one measure's intervals figure (:func:`experiments.plots.intervals`): per
    scenario, its mean and 95% interval."""
    tr = numbers.tr
    rows = comparison[comparison["metric"] == metric].set_index("scenario")
    table = [
        [_named(numbers, metric, numbers.label(metric)), s, numbers.value(metric, rows.loc[s, "mean"]),
         numbers.ci(metric, rows.loc[s, "ci_low"], rows.loc[s, "ci_high"])]
        for s in order
        if s in rows.index
    ]  # fmt: skip
    return _table(N_("measure"), table, tr)
