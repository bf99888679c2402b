"""The figures and the one-page report of ``experiment=robustness``, in the run's language.

Two figures: the shares of worlds in which each scenario is better, indistinguishable from or worse
than the baseline on each metric; and, for the findings that depend most on an assumption, the
effect in each world against that assumption. The page (``templates/robustness.html.j2``) shares
the comparison report's style; every text comes from the message catalog.
"""

from __future__ import annotations

import base64
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch

from experiments.catalog import Catalog
from experiments.figure import Figure
from experiments.i18n import Translator
from experiments.plots import _draw, wrap
from experiments.report import _ENV, OUTCOMES, _revision, robustness_verdict

#: Outcome -> (message id, colour): better/higher blue, unclear grey, worse/lower orange.
BLUE, GREY, ORANGE = "#2b6cb0", "#bbbbbb", "#dd6b20"
COLOURS = {"better": BLUE, "higher": BLUE, "unclear": GREY, "worse": ORANGE, "lower": ORANGE}
CLASSES = {k: (OUTCOMES[k], colour) for k, colour in COLOURS.items()}
#: Panels of the effects figure, at most.
PANELS = 6


def wrap_path(path: str, width: int = 40) -> str:
    """A config path on lines of at most ``width`` characters, broken after its dots."""
    lines = [""]
    for part in path.split("."):
        piece = f".{part}" if lines[-1] else part
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += "."
            lines.append(part)
        else:
            lines[-1] += piece
    return "\n".join(lines)


def shares(robust: pd.DataFrame, labels: dict[str, str], described: Catalog, tr: Translator) -> Figure:
    """Stacked bars: per metric (a panel row) and scenario (a bar), the shares of worlds."""
    metrics = list(dict.fromkeys(robust["metric"]))
    scen = list(dict.fromkeys(robust["scenario"]))

    def paint(fig: MplFigure) -> None:
        axes = np.atleast_1d(fig.subplots(len(metrics), 1, sharex=True))
        for ax, m in zip(axes, metrics, strict=True):
            part = robust[robust["metric"] == m].set_index("scenario").reindex(scen)
            directed = described.describe(m).better in ("higher", "lower")
            keys = ("better", "unclear", "worse") if directed else ("higher", "unclear", "lower")
            left = np.zeros(len(scen))
            for k in keys:
                w = 100 * part[f"share_{k}"].to_numpy(dtype=float)
                ax.barh(
                    np.arange(len(scen)), w, left=left, color=CLASSES[k][1], label=tr.gettext(CLASSES[k][0])
                )
                left += np.nan_to_num(w)
            ax.set_yticks(np.arange(len(scen)), [wrap(labels.get(s, s), 40) for s in scen], fontsize="small")
            ax.set_ylim(len(scen) - 0.5, -0.5)
            ax.set_xlim(0, 100)
            ax.set_title(textwrap.fill(tr.label(described.describe(m)), 80), fontsize="medium")
        axes[-1].set_xlabel(tr.gettext("share of plausible worlds (%)"))
        word = {k: tr.gettext(text) for k, (text, _) in CLASSES.items()}
        better, worse = f"{word['better']} / {word['higher']}", f"{word['worse']} / {word['lower']}"
        names = (better, word["unclear"], worse)
        colours = (CLASSES["better"][1], CLASSES["unclear"][1], CLASSES["worse"][1])
        handles = [Patch(color=c, label=t) for t, c in zip(names, colours, strict=True)]
        fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)

    height = 1.2 + len(metrics) * (0.5 + 0.42 * len(scen))
    drawn, png = _draw(8.5, height, paint, tr)
    return Figure(
        "robustness_shares",
        tr.gettext("In how many plausible worlds each finding holds"),
        tr.gettext(
            "For each measure and scenario, the share of plausible worlds in which the scenario is better "
            "than the baseline, indistinguishable from it, or worse (for a measure without a better "
            "direction: higher, indistinguishable, lower), judged in each world by the 95% interval of "
            "the paired difference over its replications."
        ),
        png,
        drawn,
    )


def effects_figure(
    robust: pd.DataFrame,
    eff: pd.DataFrame,
    worlds: pd.DataFrame,
    labels: dict[str, str],
    described: Catalog,
    tr: Translator,
) -> Figure | None:
    """Per finding (those that depend on an assumption first, then the most correlated), the effect
    in each world with its interval, against the deciding (or most correlated) assumption."""
    r = robust.copy()
    r["key"] = (
        r["deciding_paths"]
        .str.split("; ")
        .str[0]
        .where(r["deciding_paths"] != "", r["top_assumption"].where(r["top_beyond_chance"], ""))
    )
    r["order"] = (~r["holds"]).astype(int) * 10 + r["top_rank_correlation"].abs().fillna(0)
    r = r[r["key"] != ""].sort_values("order", ascending=False).head(PANELS)
    if not len(r):
        return None
    cols = min(3, len(r))
    rows = int(np.ceil(len(r) / cols))

    def paint(fig: MplFigure) -> None:
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax, row in zip(axes, r.itertuples(index=False), strict=False):
            g = eff[(eff["metric"] == row.metric) & (eff["scenario"] == row.scenario)].sort_values("world")
            x = worlds.set_index("world").loc[g["world"], row.key].to_numpy(dtype=float)
            meta = described.describe(row.metric)
            scale = 100.0 if meta.share else 1.0
            y, lo, hi = (scale * g[c].to_numpy(dtype=float) for c in ("effect", "low", "high"))
            for k, (_, colour) in CLASSES.items():
                sel = (g["outcome"] == k).to_numpy()
                if sel.any():
                    ax.errorbar(
                        x[sel],
                        y[sel],
                        yerr=[
                            y[sel] - np.nan_to_num(lo[sel], nan=y[sel]),
                            np.nan_to_num(hi[sel], nan=y[sel]) - y[sel],
                        ],
                        fmt="o",
                        ms=4,
                        lw=0.8,
                        color=colour,
                        alpha=0.85,
                    )
            ax.axhline(0, ls="--", lw=1, color="grey")
            unit = tr.unit(meta, diff=True)
            ax.set_xlabel(wrap_path(row.key), fontsize="small")
            ax.set_ylabel(unit, fontsize="small")
            title = f"{tr.label(meta)}\n{labels.get(row.scenario, row.scenario)}"
            ax.set_title(textwrap.fill(title, 42), fontsize="small")
        for ax in axes[len(r) :]:
            ax.set_visible(False)

    drawn, png = _draw(4.2 * cols, 3.6 * rows, paint, tr)
    return Figure(
        "robustness_effects",
        tr.gettext("The effect in each world against the assumption that decides it"),
        tr.gettext(
            "Each dot is one plausible world: the scenario minus the baseline, averaged over its "
            "replications, with the 95% interval of that average (simulation noise only). Blue: better "
            "(or higher), grey: indistinguishable, orange: worse (or lower). The horizontal axis is the "
            "assumption that decides the finding, or else the one the effect moves with most."
        ),
        png,
        drawn,
    )


def render(
    *,
    title: str,
    robust: pd.DataFrame,
    assumptions: pd.DataFrame,
    labels: dict[str, str],
    described: Catalog,
    figures: list[Figure],
    manifest: dict[str, Any],
    tr: Translator,
) -> str:
    """The robustness report as one HTML string."""
    rows = []
    for r in robust.itertuples(index=False):
        meta = described.describe(r.metric)
        directed = meta.better in ("higher", "lower")
        first, last = ("better", "worse") if directed else ("higher", "lower")
        median = tr.value(meta, r.effect_median, True)
        rows.append(
            {
                "measure": tr.label(meta),
                "scenario": labels.get(r.scenario, r.scenario),
                "first": tr.number(100 * getattr(r, f"share_{first}")),
                "unclear": tr.number(100 * r.share_unclear),
                "last": tr.number(100 * getattr(r, f"share_{last}")),
                "first_name": tr.gettext(CLASSES[first][0]),
                "last_name": tr.gettext(CLASSES[last][0]),
                "median": median,
                "range": tr.gettext(
                    "[{low} to {high}]",
                    low=tr.value(meta, r.effect_min, True),
                    high=tr.value(meta, r.effect_max, True),
                ),
                "unit": tr.unit(meta, diff=True, after=median),
                "holds": bool(r.holds),
                "verdict": robustness_verdict(
                    r.holds, r.finding, r.finding_share, tr, r.worlds_undefined, r.worlds, r.replications
                ),
                "deciding": r.deciding_assumptions,
                "top": r.top_assumption if r.top_beyond_chance else "",
                "rho": tr.number(r.top_rank_correlation),
            }
        )
    held = [
        f"{a.path} ({', '.join(labels.get(n, n) for n in a.held_in.split('; '))})"
        for a in assumptions.itertuples(index=False)
        if a.held_in and a.varied
    ]
    fixed = [a.path for a in assumptions.itertuples(index=False) if a.held_in and not a.varied]
    important = assumptions[(assumptions["deciding_in"] > 0) | (assumptions["top_in"] > 0)]
    important = important.sort_values(["deciding_in", "top_in"], ascending=False)
    revision, dirty = _revision(manifest.get("git") or {}, tr)
    return _ENV.get_template("robustness.html.j2").render(
        _=tr.gettext,
        ngettext=tr.ngettext,
        lang=tr.lang,
        title=tr.gettext(title),
        created=tr.moment(manifest.get("created", "")),
        m=manifest,
        worlds=int(manifest["worlds"]),
        replications=int(manifest["replications"]),
        n_assumptions=int(assumptions["varied"].sum()) if len(assumptions) else 0,
        alpha=tr.short(100 * (1 - manifest["alpha"])),
        holds=tr.short(100 * manifest["holds"]),
        baseline=labels.get(manifest["baseline"], manifest["baseline"]),
        rows=rows,
        held="; ".join(held),
        fixed=", ".join(fixed),
        important=[
            {
                "path": a.path,
                "low": tr.number(a.low),
                "high": tr.number(a.high),
                "deciding": int(a.deciding_in),
                "top": int(a.top_in),
            }
            for a in important.itertuples(index=False)
        ],
        figures=[
            {"name": f.name, "title": f.title, "caption": f.caption, "b64": base64.b64encode(f.png).decode()}
            for f in figures
        ],
        revision=revision,
        dirty=dirty,
    )


def summary(
    robust: pd.DataFrame, labels: dict[str, str], described: Catalog, title: str, tr: Translator
) -> str:
    """The run's findings for the terminal, in the run's language: its title and baseline, then per
    measure (by its label, as the report names it) each scenario (by its label) with its verdict
    across the plausible worlds and the assumptions that decide it."""
    baseline = str(robust["baseline"].iloc[0]) if len(robust) else ""
    against = tr.gettext("compared with {baseline}", baseline=labels.get(baseline, baseline))
    lines = [f"{tr.gettext(title)} ({against})"]
    for m in dict.fromkeys(robust["metric"]):
        lines += ["", tr.label(described.describe(m))]
        for r in robust[robust["metric"] == m].itertuples(index=False):
            said = robustness_verdict(
                r.holds, r.finding, r.finding_share, tr, r.worlds_undefined, r.worlds, r.replications
            )
            line = f"  {labels.get(r.scenario, r.scenario)}: {said}"
            if isinstance(r.deciding_assumptions, str) and r.deciding_assumptions:
                line += "; " + tr.gettext("decided by {assumptions}", assumptions=r.deciding_assumptions)
            lines.append(line)
    return "\n".join(lines)
