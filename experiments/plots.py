"""Seaborn figures of a comparison, each with a caption a planner can read.

Figures are drawn on matplotlib's Agg backend into PNG bytes; nothing here touches the disk or
pyplot's global state, so figures can be drawn in any process and in any order.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator, PercentFormatter, ScalarFormatter

from experiments.catalog import Catalog
from experiments.figure import Figure, FigureData, group_label, offscreen, responsiveness_columns
from experiments.i18n import N_, Translator, translator
from experiments.stats import t_interval

offscreen()

DPI = 110
#: Characters of a scenario label on one line of a legend or an axis.
WRAP = 34

#: Title and plain-language caption of each figure (message ids; translated when drawn).
CAPTIONS: dict[str, tuple[str, str]] = {
    "laws_per_year": (
        N_("Laws enacted per year"),
        N_(
            "Each coloured dot is one simulated term (one replication); the black diamond is the average "
            "over replications and its bar the 95% confidence interval of that average. Further right "
            "means more laws passed per year. The axis starts at zero."
        ),
    ),
    "lead_time_ecdf": (
        N_("Time from introduction to law"),
        N_(
            "For each number of days on the horizontal axis, the share of laws that were enacted within "
            "that many days of being introduced, over all replications' laws pooled. A curve further left "
            "means faster law-making; where a curve crosses the dashed line is the median time, of the "
            "pooled laws: it may differ by a day or two from the median days in the tables, the mean of "
            "each replication's median, and, pooled, it has no confidence interval."
        ),
    ),
    "stage_time": (
        N_("Time spent in each stage"),
        N_(
            "Average number of days a bill spends in each stage of the procedure each time it passes "
            "through it, with 95% confidence intervals, one panel per scenario: a scenario shows only "
            "the stages of its own procedure (a single-chamber parliament has no Senate review)."
        ),
    ),
    "responsiveness": (
        N_("Responsiveness by citizen group"),
        N_(
            "Of the demands that citizens raise (a topic becoming pressing for a group), the share that a "
            "bill or a law answered within a year, weighted by the number of people behind each demand, for "
            "citizens in towns and villages, by language and by age. Average over replications with its "
            "95% confidence interval; further right means Parliament answers that group more often. The "
            "axis runs from 0 to 100%."
        ),
    ),
    "differences": (
        N_("Differences from the baseline"),
        N_(
            "How much each scenario differs from its baseline, comparing runs that share the same random "
            "seeds (the same bills arriving; later draws match in part). The diamond is the average "
            "difference and its bar "
            "the 95% confidence interval of that measure alone: the report counts a difference as a "
            "finding only where its Holm-adjusted p-value over all the measures it tests is below 0.05, "
            "so a bar clear of the dashed zero line may still be no clear difference."
        ),
    ),
}


def _figure(name: str, drawn: tuple[MplFigure, bytes], tr: Translator) -> Figure:
    title, caption = CAPTIONS[name]
    return Figure(name, tr.gettext(title), tr.gettext(caption), drawn[1], drawn[0])


def wrap(label: str, width: int = WRAP) -> str:
    """A long scenario label on several lines, so that legends and axes keep inside the figure."""
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=False)) or label


def _legend_below(fig: MplFigure, ax: Axes, order: Sequence[str]) -> None:
    """The scenarios' legend under the plot, as many columns as fit the figure's width."""
    legend = ax.get_legend()
    if legend is None:
        return
    handles, names = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    legend.remove()
    longest = max(len(line) for s in order for line in wrap(s).splitlines())
    fits = max(1, int(fig.get_figwidth() * 72 / (7.2 * longest + 40)))
    fig.legend(handles, [wrap(s) for s in names], loc="outside lower center", ncol=min(len(names), fits),
               frameon=False)  # fmt: skip


def _ci(within: tuple[float, float]) -> Callable[[Sequence[float]], tuple[float, float]]:
    """Seaborn ``errorbar`` callable: the t-interval of :mod:`experiments.stats`, cut to the values
    the measure can take (days from 0, shares from 0 to 1)."""

    def interval(x: Sequence[float]) -> tuple[float, float]:
        _, lo, hi = t_interval(x, within=within)
        return (lo, hi)

    return interval


#: Line styles that tell scenarios apart where colour alone would (the first solid).
DASHES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))


class _Decimal(ScalarFormatter):
    """Matplotlib's tick labels with the language's decimal symbol (``0,5`` in Russian and Kazakh)."""

    def __init__(self, symbol: str) -> None:
        super().__init__()
        self.symbol = symbol

    def __call__(self, x: float, pos: int | None = None) -> str:
        return super().__call__(x, pos).replace(".", self.symbol)


def _local_decimals(fig: MplFigure, tr: Translator) -> None:
    """Plain numeric ticks of every axis written with the language's decimal symbol."""
    symbol = tr.decimal_symbol()
    if symbol == ".":
        return
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(_Decimal(symbol))


def _draw(
    width: float, height: float, paint: Callable[[MplFigure], None], tr: Translator
) -> tuple[MplFigure, bytes]:
    """A figure painted by ``paint`` and its PNG, laid out and rendered once, in the style's context,
    its ticks' decimals as ``tr``'s language writes them."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.95):
        fig = MplFigure(figsize=(width, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        paint(fig)
        _local_decimals(fig, tr)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        return fig, buf.getvalue()


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


def laws_per_year(summary: pd.DataFrame, order: Sequence[str], tr: Translator | None = None) -> Figure:
    tr = tr or translator()
    metric = "laws_per_year"

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        jitter = np.random.default_rng(0)  # the dots' vertical spread only; fixed, so figures repeat
        pal = _palette(order)
        for k, s in enumerate(order):
            x = summary.loc[summary["scenario"] == s, metric].to_numpy(dtype=float)
            ax.scatter(x, k + jitter.uniform(-0.2, 0.2, x.size), s=22, alpha=0.55, color=pal[s], lw=0)
        est = [t_interval(summary.loc[summary["scenario"] == s, metric], within=(0.0, np.inf)) for s in order]
        m, lo, hi = (np.array(v, dtype=float) for v in zip(*est, strict=True))
        _mean_ci(ax, m, np.arange(len(order)), lo, hi)
        ax.set_yticks(np.arange(len(order)), [wrap(s) for s in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set_xlim(left=0)  # counts start at zero: a narrow axis would exaggerate differences
        ax.set(
            xlabel=tr.gettext("laws enacted per year"), ylabel="", title=tr.gettext("Laws enacted per year")
        )

    return _figure("laws_per_year", _draw(8, 1.2 + 0.8 * len(order), paint, tr), tr)


def lead_time_ecdf(leads: pd.DataFrame, order: Sequence[str], tr: Translator | None = None) -> Figure:
    tr = tr or translator()

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        pal = _palette(order)
        for k, s in enumerate(order):  # one curve a scenario, told apart by its dashes as by its colour
            days = leads.loc[leads["scenario"] == s, "lead_time_days"]
            if len(days):
                sns.ecdfplot(x=days, color=pal[s], ls=DASHES[k % len(DASHES)], lw=2, label=s, ax=ax)
        if ax.lines:
            ax.legend()
        ax.axhline(0.5, ls="--", lw=1, color="grey")
        right = float(np.percentile(leads["lead_time_days"], 99.5)) if len(leads) else None
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set(
            xlabel=tr.gettext("days from introduction to enactment"),
            ylabel=tr.gettext("share of laws enacted within"),
            title=tr.gettext("How long laws take"),
            xlim=(0, right),
            ylim=(0, 1),
        )
        _legend_below(fig, ax, order)

    return _figure("lead_time_ecdf", _draw(8, 5 + 0.25 * len(order), paint, tr), tr)


def stage_time(
    summary: pd.DataFrame, order: Sequence[str], described: Catalog, tr: Translator | None = None
) -> Figure | None:
    """Mean days per visit of each stage, one panel per scenario, each bar on its own stage's label."""
    tr = tr or translator()
    cols = described.in_group("stages", summary.columns)
    if not cols:
        return None
    long, _ = _long(
        summary, cols, "stage", lambda c: tr.name("stage", str(described.describe(c).param("stage")))
    )
    panels = [(s, list(dict.fromkeys(long.loc[long["scenario"] == s, "stage"]))) for s in order]
    panels = [(s, stages) for s, stages in panels if stages]
    pal = _palette(order)

    def paint(fig: MplFigure) -> None:
        axes = np.atleast_1d(
            fig.subplots(len(panels), 1, sharex=True, height_ratios=[len(p) + 1 for _, p in panels])
        )
        for ax, (s, stages) in zip(axes, panels, strict=True):
            sns.barplot(
                data=long[long["scenario"] == s], y="stage", x="value", order=stages, color=pal[s],
                errorbar=_ci((0.0, np.inf)), capsize=0.2, err_kws={"linewidth": 1.2}, ax=ax,
            )  # fmt: skip
            ax.set_title(wrap(s, 80), fontsize="medium", loc="left")
            ax.set(xlabel="", ylabel="")
        axes[-1].set_xlabel(tr.gettext("mean days per visit"))
        axes[0].set_xlim(left=0)
        fig.suptitle(tr.gettext("Time spent in each stage"))

    rows = sum(len(p) + 1 for _, p in panels)
    return _figure("stage_time", _draw(8, 1.0 + 0.32 * rows, paint, tr), tr)


def responsiveness(
    summary: pd.DataFrame, order: Sequence[str], described: Catalog, tr: Translator | None = None
) -> Figure | None:
    tr = tr or translator()
    cols = responsiveness_columns(summary, described)
    if not cols:
        return None
    long, groups = _long(summary, cols, "group", lambda c: group_label(described.describe(c), tr))

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        sns.pointplot(
            data=long, y="group", x="value", order=groups, hue="scenario", hue_order=order,
            palette=_palette(order), errorbar=_ci((0.0, 1.0)), dodge=0.5 if len(order) > 1 else False,
            linestyle="none", capsize=0.15, markers="D", ax=ax,
        )  # fmt: skip
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlim(0, 1)  # a share: the whole axis, so that small differences look small
        ax.set(
            xlabel=tr.gettext("demands answered by a bill or a law within a year"),
            ylabel="",
            title=tr.gettext("Responsiveness by citizen group"),
        )
        _legend_below(fig, ax, order)

    height = 2.4 + 0.45 * len(groups) * max(1, len(order)) ** 0.5 + 0.25 * len(order)
    return _figure("responsiveness", _draw(8, height, paint, tr), tr)


def differences(
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    order: Sequence[str],
    described: Catalog,
    tr: Translator | None = None,
) -> Figure | None:
    """Each scenario minus its baseline (the baseline of its horizon when horizons differ)."""
    tr = tr or translator()
    diff = comparison[comparison["diff"].notna() & comparison["metric"].isin(metrics)]
    metrics = [m for m in metrics if m in set(diff["metric"])]
    others = [s for s in order if s in set(diff["scenario"])]
    if not metrics or not others:
        return None
    versus = diff.drop_duplicates("scenario").set_index("scenario")["baseline"]
    names = [
        wrap(tr.gettext("{scenario} minus {baseline}", scenario=s, baseline=versus[s]), 40) for s in others
    ]
    pal = _palette(order)

    def paint(fig: MplFigure) -> None:
        axes = np.atleast_1d(fig.subplots(len(metrics), 1))
        for ax, m in zip(axes, metrics, strict=True):
            d = diff[diff["metric"] == m].set_index("scenario").reindex(others)
            y = np.arange(len(others))
            metric = described.describe(m)
            scale = 100.0 if metric.share else 1.0
            x = scale * d["diff"].to_numpy(dtype=float)
            lo, hi = (scale * d[c].to_numpy(dtype=float) for c in ("diff_ci_low", "diff_ci_high"))
            for k, s in enumerate(others):
                ax.errorbar(x[k], y[k], xerr=[[x[k] - lo[k]], [hi[k] - x[k]]], fmt="D", ms=7,
                            capsize=5, lw=2, color=pal[s])  # fmt: skip
            ax.axvline(0, ls="--", lw=1, color="grey")
            ax.set_yticks(y, names)
            ax.set_ylim(len(others) - 0.3, -0.7)  # first scenario on top
            unit = tr.unit(metric, diff=True)
            title = tr.label(metric) + (f" ({unit})" if unit else "")
            ax.set_title(textwrap.fill(title, 48), fontsize="medium")  # within the panel's width
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # tick labels apart at any scale
        fig.suptitle(tr.gettext("Difference from the baseline"))

    height = 0.6 + (0.8 + 0.45 * sum(n.count("\n") + 1 for n in names)) * len(metrics)
    return _figure("differences", _draw(8, height, paint, tr), tr)


def intervals(
    comparison: pd.DataFrame,
    metric: str,
    order: Sequence[str],
    described: Catalog,
    tr: Translator | None = None,
) -> Figure | None:
    """One metric's mean and 95% interval per scenario, on an axis from zero (shares: 0-100%)."""
    tr = tr or translator()
    rows = comparison[comparison["metric"] == metric].set_index("scenario").reindex(order)
    if rows["mean"].isna().all():
        return None
    m = described.describe(metric)
    scale = 100.0 if m.share else 1.0
    mean, lo, hi = (scale * rows[c].to_numpy(dtype=float) for c in ("mean", "ci_low", "ci_high"))
    lo, hi = np.where(np.isnan(lo), mean, lo), np.where(np.isnan(hi), mean, hi)
    pal = _palette(order)
    unit = tr.unit(m)

    def paint(fig: MplFigure) -> None:
        ax = fig.subplots()
        y = np.arange(len(order))
        for k, s in enumerate(order):
            if not np.isnan(mean[k]):
                ax.errorbar(mean[k], y[k], xerr=[[mean[k] - lo[k]], [hi[k] - mean[k]]], fmt="D", ms=8,
                            capsize=6, lw=2, color=pal[s])  # fmt: skip
        ax.set_yticks(y, [wrap(s) for s in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        if m.share:
            ax.xaxis.set_major_formatter(PercentFormatter(100.0))
            ax.set_xlim(0, 100)
        else:
            ax.set_xlim(left=0, right=max(1.0, float(np.nanmax(hi)) * 1.1))
        ax.set(xlabel=unit, ylabel="", title=textwrap.fill(tr.label(m), 70))

    drawn, png = _draw(8, 1.4 + 0.7 * len(order), paint, tr)
    caption = tr.gettext(
        "Average over replications (diamond) with its 95% confidence interval (bar); the axis starts at zero."
    )
    return Figure(f"intervals_{metric}", tr.label(m), caption, png, drawn)


def drawn(names: Sequence[str], data: FigureData, tr: Translator) -> list[Figure | None]:
    """The figures ``names`` of a comparison (:data:`experiments.figure.ORDER`), in that order;
    None where the data does not allow one."""
    d = data
    makers: dict[str, Callable[[], Figure | None]] = {
        "laws_per_year": lambda: laws_per_year(d.summary, d.order, tr),
        "lead_time_ecdf": lambda: lead_time_ecdf(d.leads, d.order, tr) if len(d.leads) else None,
        "stage_time": lambda: stage_time(d.summary, d.order, d.described, tr),
        "responsiveness": lambda: responsiveness(d.summary, d.order, d.described, tr),
        "differences": lambda: differences(d.comparison, d.metrics, d.order, d.described, tr),
    }
    return [makers[n]() for n in names]
