"""Seaborn figures of a comparison, each with a caption a planner can read.

Figures are drawn on matplotlib's Agg backend into PNG bytes; nothing here touches the disk or
pyplot's global state, so figures can be drawn in any process and in any order.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import PercentFormatter

from experiments.catalog import Catalog
from experiments.stats import t_interval
from sim.metrics import Metric

DPI = 110

#: Title and plain-language caption of each figure.
CAPTIONS: dict[str, tuple[str, str]] = {
    "laws_per_year": (
        "Laws enacted per year",
        "Each coloured dot is one simulated term (one replication); the black diamond is the average "
        "over replications and its bar the 95% confidence interval of that average. Further right "
        "means more laws passed per year.",
    ),
    "lead_time_ecdf": (
        "Time from introduction to law",
        "For each number of days on the horizontal axis, the share of laws that were enacted within "
        "that many days of being introduced, over all replications. A curve further left means faster "
        "law-making; where a curve crosses the dashed line is the median time.",
    ),
    "stage_time": (
        "Time spent in each stage",
        "Average number of days a bill spends in each stage of the procedure each time it passes "
        "through it, with 95% confidence intervals. A stage with no bar for a scenario does not exist "
        "in that scenario's procedure (for example the Senate's review in a single-chamber parliament).",
    ),
    "responsiveness": (
        "Responsiveness by citizen group",
        "Of the demands that citizens raise (a topic becoming pressing for a group), the share that a "
        "bill answered within a year, weighted by the number of people behind each demand, for "
        "citizens in towns and villages, by language and by age. Average over replications with its "
        "95% confidence interval; further right means Parliament answers that group more often.",
    ),
}


@dataclass(frozen=True)
class Figure:
    """One figure of the report: file name (without ``.png``), title, caption and the PNG itself."""

    name: str
    title: str
    caption: str
    png: bytes


def _figure(name: str, png: bytes) -> Figure:
    title, caption = CAPTIONS[name]
    return Figure(name, title, caption, png)


def _legend_below(ax: Axes, n: int) -> None:
    if ax.get_legend() is not None:
        sns.move_legend(
            ax, "upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(n, 3), title=None, frameon=False
        )


def _ci(x: Sequence[float]) -> tuple[float, float]:
    """Seaborn ``errorbar`` callable: the t-interval of :mod:`experiments.stats`."""
    _, lo, hi = t_interval(x)
    return (lo, hi)


def _png(fig: MplFigure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _draw(width: float, height: float, paint: Callable[[MplFigure], None]) -> bytes:
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.95):
        fig = MplFigure(figsize=(width, height), layout="constrained")
        paint(fig)
        return _png(fig)


def _palette(order: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    return dict(zip(order, sns.color_palette("colorblind", len(order)), strict=True))


def _mean_ci(ax: Axes, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    ax.errorbar(x, y, xerr=[x - lo, hi - x], fmt="D", color="black", ms=6, capsize=5, lw=1.5, zorder=5)


def _long(
    summary: pd.DataFrame, columns: list[str], name: str, label: Callable[[str], str]
) -> tuple[pd.DataFrame, list[str]]:
    """``columns`` in long form (scenario, ``name``, value) with readable labels, and the labels in
    their order of appearance."""
    long = summary.melt(id_vars=["scenario"], value_vars=columns, var_name=name, value_name="value")
    long = long.dropna(subset=["value"])
    long[name] = long[name].map(label)
    return long, list(dict.fromkeys(long[name]))


def laws_per_year(summary: pd.DataFrame, order: Sequence[str]) -> Figure:
    metric = "laws_per_year"

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        jitter = np.random.default_rng(0)  # the dots' vertical spread only; fixed, so figures repeat
        pal = _palette(order)
        for k, s in enumerate(order):
            x = summary.loc[summary["scenario"] == s, metric].to_numpy(dtype=float)
            ax.scatter(x, k + jitter.uniform(-0.2, 0.2, x.size), s=22, alpha=0.55, color=pal[s], lw=0)
        est = [t_interval(summary.loc[summary["scenario"] == s, metric]) for s in order]
        m, lo, hi = (np.array(v, dtype=float) for v in zip(*est, strict=True))
        _mean_ci(ax, m, np.arange(len(order)), lo, hi)
        ax.set_yticks(np.arange(len(order)), order)
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set(xlabel="laws enacted per year", ylabel="", title="Laws enacted per year")

    png = _draw(8, 1.2 + 0.8 * len(order), paint)
    return _figure("laws_per_year", png)


def lead_time_ecdf(leads: pd.DataFrame, order: Sequence[str]) -> Figure:
    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        sns.ecdfplot(
            data=leads, x="lead_time_days", hue="scenario", hue_order=order, palette=_palette(order),
            lw=2, ax=ax,
        )  # fmt: skip
        ax.axhline(0.5, ls="--", lw=1, color="grey")
        right = float(np.percentile(leads["lead_time_days"], 99.5)) if len(leads) else None
        ax.set(
            xlabel="days from introduction to enactment",
            ylabel="share of laws enacted within",
            title="How long laws take",
            xlim=(0, right),
        )
        _legend_below(ax, len(order))

    png = _draw(8, 5, paint)
    return _figure("lead_time_ecdf", png)


def stage_time(summary: pd.DataFrame, order: Sequence[str], described: Catalog) -> Figure | None:
    cols = described.in_group("stages", summary.columns)
    if not cols:
        return None
    long, stages = _long(
        summary, cols, "stage", lambda c: str(described.describe(c).param("stage")).replace("_", " ")
    )

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        sns.barplot(
            data=long, y="stage", x="value", order=stages, hue="scenario", hue_order=order,
            palette=_palette(order), errorbar=_ci, capsize=0.2, err_kws={"linewidth": 1.2}, ax=ax,
        )  # fmt: skip
        ax.set(xlabel="mean days per visit", ylabel="", title="Time spent in each stage")
        ax.set_xlim(left=0)  # an interval from a rarely visited stage may reach below zero
        _legend_below(ax, len(order))

    png = _draw(8, 2 + 0.35 * len(stages) * max(1, len(order)) ** 0.5, paint)
    return _figure("stage_time", png)


def group_label(metric: Metric) -> str:
    """The citizen group a responsiveness metric is about, e.g. ``age band: 60 plus``."""
    dimension, value = metric.param("dimension") or "", metric.param("value") or ""
    value = value.removeprefix(f"{dimension.split('_')[0]}_")  # age_band: age_60_plus -> 60_plus
    return f"{dimension.replace('_', ' ')}: {value.replace('_', ' ')}"


def responsiveness(summary: pd.DataFrame, order: Sequence[str], described: Catalog) -> Figure | None:
    cols = [
        c
        for c in described.in_group("responsiveness", summary.columns)
        if described.describe(c).param("dimension") and summary[c].notna().any()
    ]
    if not cols:
        return None
    long, groups = _long(summary, cols, "group", lambda c: group_label(described.describe(c)))

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        sns.pointplot(
            data=long, y="group", x="value", order=groups, hue="scenario", hue_order=order,
            palette=_palette(order), errorbar=_ci, dodge=0.5, linestyle="none", capsize=0.15,
            markers="D", ax=ax,
        )  # fmt: skip
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set(
            xlabel="demands answered by a bill within a year",
            ylabel="",
            title="Responsiveness by citizen group",
        )
        _legend_below(ax, len(order))

    png = _draw(8, 2 + 0.45 * len(groups) * max(1, len(order)) ** 0.5, paint)
    return _figure("responsiveness", png)


def differences(
    comparison: pd.DataFrame, metrics: Sequence[str], order: Sequence[str], described: Catalog
) -> Figure | None:
    diff = comparison[comparison["diff"].notna() & comparison["metric"].isin(metrics)]
    metrics = [m for m in metrics if m in set(diff["metric"])]
    others = [s for s in order if s in set(diff["scenario"])]
    if not metrics or not others:
        return None
    baseline = str(comparison["baseline"].iloc[0])
    pal = _palette(order)

    def paint(fig: MplFigure) -> None:
        axes = np.atleast_1d(fig.subplots(len(metrics), 1))
        for ax, m in zip(axes, metrics, strict=True):
            d = diff[diff["metric"] == m].set_index("scenario").reindex(others)
            y = np.arange(len(others))
            share = described.share(m)
            scale = 100.0 if share else 1.0
            x = scale * d["diff"].to_numpy(dtype=float)
            lo, hi = (scale * d[c].to_numpy(dtype=float) for c in ("diff_ci_low", "diff_ci_high"))
            for k, s in enumerate(others):
                ax.errorbar(x[k], y[k], xerr=[[x[k] - lo[k]], [hi[k] - x[k]]], fmt="D", ms=7,
                            capsize=5, lw=2, color=pal[s])  # fmt: skip
            ax.axvline(0, ls="--", lw=1, color="grey")
            ax.set_yticks(y, others)
            ax.set_ylim(len(others) - 0.3, -0.7)  # first scenario on top
            unit = "percentage points" if share else described.unit(m)
            title = described.label(m) + (f" ({unit})" if unit else "")
            ax.set_title(textwrap.fill(title, 75), fontsize="medium")
        fig.suptitle(f"Difference from the baseline: {baseline}")

    png = _draw(8, 0.6 + (0.8 + 0.45 * len(others)) * len(metrics), paint)
    caption = (
        f"How much each scenario differs from the baseline ({baseline}), comparing runs that share the "
        "same random draws (same bills, same votes' noise). The diamond is the average difference and "
        "its bar the 95% confidence interval. A bar that does not cross the dashed zero line is a "
        "difference unlikely to be due to chance alone."
    )
    return Figure("differences", "Differences from the baseline", caption, png)


def figures(
    summary: pd.DataFrame,
    leads: pd.DataFrame,
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    order: Sequence[str],
    described: Catalog,
) -> list[Figure]:
    """Every figure the data allows, in reading order."""
    drawn = [
        laws_per_year(summary, order),
        lead_time_ecdf(leads, order) if len(leads) else None,
        stage_time(summary, order, described),
        responsiveness(summary, order, described),
        differences(comparison, metrics, order, described),
    ]
    return [f for f in drawn if f is not None]
