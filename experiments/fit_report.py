"""The report of ``experiment=fit``: what the records say, the preset made of them, and how the
fitted preset's replay compares with the records (tests and ECDF figures). One self-contained HTML
page (figures embedded, autoescaped); the figures are also written as PNG files."""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import seaborn as sns
from jinja2 import Environment
from matplotlib.figure import Figure as MplFigure

from experiments.figure import Figure, offscreen
from experiments.files import write_text, write_with
from experiments.manifest import git_revision, now, versions
from experiments.report import num
from scenarios.errors import counted

offscreen()

if TYPE_CHECKING:
    from experiments.estimation import Fitted
    from experiments.replay import Comparison

COLORS = {"records": "#222222", "replay": "#1f77b4"}

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; color: #222; max-width: 980px; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid #e3e3e3; text-align: right; vertical-align: top; }
th:first-child, td:first-child, .text { text-align: left; }
thead th { background: #f4f6f8; }
.ci { color: #666; white-space: nowrap; }
.differs { font-weight: 600; color: #8a1c1c; } .consistent { color: #1d5e2c; }
figure img { max-width: 100%; border: 1px solid #eee; } figcaption { color: #444; font-size: .92rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; font-size: .9rem; }
dt { color: #555; } dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p>Records: <b>{{ data }}</b> — {{ bills }}, {{ visits }}, {{ first }} to {{ last }}
({{ days }}). Base preset: <b>{{ base }}</b>; fitted preset: <code>{{ preset }}</code>.
Generated {{ created }}.</p>

<h2>In short</h2>
<p>{{ verdict }}</p>

<h2>What the records set in the preset</h2>
<p>Each number with its {{ level }} interval (which is also its plausible range in the preset).
Arrival rates are Poisson maximum-likelihood estimates with exact (Garwood) intervals; shares have
Wilson intervals; durations are fitted on whole days by maximum likelihood through the spread that
bills' complexity and priority add (the base preset's), their family chosen by AIC, with sandwich
intervals. The recorded time in a stage also holds the wait for a desk or a sitting and deadlines:
rounds of simulation then move each duration until the model reproduces the records' fit (the
records' estimate is given where it moved).</p>
<table>
<thead><tr><th>preset path</th><th>estimate</th><th>interval</th><th class="text">from</th></tr></thead>
<tbody>
{% for r in fitted %}<tr><td>{{ r.path }}</td><td>{{ r.estimate }}</td><td class="ci">{{ r.ci }}</td>
<td class="text">{{ r.note }}</td></tr>
{% endfor %}</tbody>
</table>
{% if skipped %}<p>Kept from the base preset (too few visits to fit):
{{ skipped | join("; ") }}.</p>{% endif %}

<h3>Which distribution each duration follows</h3>
<p>AIC of each of the engine's families relative to the chosen one (0): a difference above 2 is
support for the chosen family, above 10 strong support; "–" marks a family that cannot produce the
recorded days (a fixed duration recorded on days more than one apart).</p>
<table>
<thead><tr><th>duration</th>{% for f in families %}<th>{{ f }}</th>{% endfor %}<th>chosen</th></tr></thead>
<tbody>
{% for r in aic %}<tr><td>{{ r.duration }}</td>{% for v in r.cells %}<td>{{ v }}</td>{% endfor %}
<td>{{ r.chosen }}</td></tr>
{% endfor %}</tbody>
</table>

<h2>What the records say that the agents decide</h2>
<p>A committee's holds, a second chamber's returns and amendments (the navette) and the votes come out
of the agents' decisions, not from a number of the preset: they are estimated here and compared in
the replay below.</p>
<table>
<thead><tr><th>stage</th><th class="text">measure</th><th>estimate</th><th>interval</th>
<th>visits</th></tr></thead>
<tbody>
{% for r in decided %}<tr><td>{{ r.subject }}</td><td class="text">{{ r.statistic }}</td>
<td>{{ r.estimate }}</td>
<td class="ci">{{ r.ci }}</td><td>{{ r.n }}</td></tr>
{% endfor %}</tbody>
</table>

<h2>Replay: the fitted preset against the records</h2>
<p>The fitted preset was run {{ replications }} over the records' window (the calendar starting
on its first day), and each run read through the records' format, as the records were. Distributions
of days: two-sample Kolmogorov-Smirnov test (Anderson-Darling beside it; its p-value is capped to
0.001-0.25 by scipy); shares: chi-square test of homogeneity, or a Monte Carlo exact test when an
expected count is below 5; the count of laws: where the records' count falls among the runs'. P-values
are adjusted for the {{ compared }} by Holm's method; "differs" marks an adjusted
p below 0.05.</p>
<table>
<thead><tr><th>comparison</th><th class="text">test</th><th>records</th><th>replay</th><th>statistic</th>
<th>p</th><th>p (Holm)</th><th class="text">verdict</th></tr></thead>
<tbody>
{% for r in tests %}<tr><td>{{ r.comparison }}</td><td class="text">{{ r.test }}</td><td>{{ r.records }}</td>
<td>{{ r.replay }}</td><td>{{ r.statistic }}</td><td>{{ r.p }}</td><td>{{ r.p_holm }}</td>
<td class="text {{ r.verdict }}">{{ r.verdict }}</td></tr>
{% endfor %}</tbody>
</table>

{% for f in figures %}<figure id="fig-{{ f.name }}">
<img src="data:image/png;base64,{{ f.b64 }}" alt="{{ f.title }}">
<figcaption><b>{{ f.title }}.</b> {{ f.caption }}</figcaption>
</figure>
{% endfor %}

<h2>How to reproduce</h2>
<dl>
<dt>command</dt><dd>{{ command }}</dd>
<dt>replication seeds</dt><dd>{{ seeds }}</dd>
<dt>source revision</dt><dd>{{ revision }}</dd>
<dt>software</dt><dd>{{ software }}</dd>
<dt>data</dt><dd>fit.csv (every estimate), families.csv (every family's fit), replay.csv (the tests),
figures/, parliament/ (the fitted preset)</dd>
</dl>
</body>
</html>
"""

_ENV = Environment(autoescape=True)


def _png(width: float, height: float, paint: Callable[[MplFigure], None]) -> bytes:
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = MplFigure(figsize=(width, height), layout="constrained")
        paint(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
        return buf.getvalue()


def _ecdf(ax: Any, a: np.ndarray, b: np.ndarray, title: str) -> None:
    data = pd.DataFrame(
        {"days": np.concatenate([a, b]), "source": ["records"] * a.size + ["replay"] * b.size}
    )
    sns.ecdfplot(
        data=data, x="days", hue="source", palette=COLORS, hue_order=["records", "replay"], ax=ax, lw=2
    )
    ax.set(title=textwrap.fill(title, 40), xlabel="days", ylabel="share within")
    if len(data):
        ax.set_xlim(0, float(np.percentile(data["days"], 99.5)) or None)


def figures(comparison: Comparison) -> list[Figure]:
    """ECDFs of the lead time and of each stage's time, records against replay, and outcome shares."""
    out = []
    c = comparison
    if c.lead_records.size:
        png = _png(
            8,
            4.5,
            lambda fig: _ecdf(fig.subplots(), c.lead_records, c.lead_replay, "Days from introduction to law"),
        )
        out.append(
            Figure(
                "fit_lead_time",
                "Time from introduction to law, records and replay",
                "For each number of days, the share of laws enacted within that many days of their "
                "introduction: in the records (black) and in the fitted preset's replay (blue). "
                "Curves that lie on each other mean the twin reproduces how long laws take.",
                png,
            )
        )
    paths = list(c.stage_records)
    if paths:
        cols = min(3, len(paths))
        rows = math.ceil(len(paths) / cols)

        def paint(fig: MplFigure) -> None:
            axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
            for ax, p in zip(axes, paths, strict=False):
                _ecdf(ax, c.stage_records[p], c.stage_replay[p], p.removeprefix("stages."))
            for ax in axes[len(paths) :]:
                ax.set_visible(False)

        out.append(
            Figure(
                "fit_stage_times",
                "Time in each stage, records and replay",
                "The same comparison for the days a bill spends in each stage whose duration was "
                "fitted (visits that ended there; a visit cut short by a deadline or a lapse is left "
                "out of both).",
                _png(4 * cols, 3.2 * rows, paint),
            )
        )
    shares = c.shares[c.shares.groupby("comparison")["category"].transform("size") > 1]
    if len(shares):
        groups = list(dict.fromkeys(shares["comparison"]))

        def paint_shares(fig: MplFigure) -> None:
            axes = np.atleast_1d(fig.subplots(len(groups), 1)).ravel()
            for ax, g in zip(axes, groups, strict=True):
                part = shares[shares["comparison"] == g].melt(
                    id_vars=["category"],
                    value_vars=["records", "replay"],
                    var_name="source",
                    value_name="share",
                )
                sns.barplot(data=part, y="category", x="share", hue="source", palette=COLORS, ax=ax)
                ax.set(title=g, xlabel="share", ylabel="", xlim=(0, 1))
                handles, labels = ax.get_legend_handles_labels()
                ax.get_legend().remove()
            fig.legend(handles, labels, loc="outside upper center", ncol=2, frameon=False)

        out.append(
            Figure(
                "fit_outcomes",
                "Outcome shares, records and replay",
                "How the visits to each stage ended, and the bills' final states, in the records and "
                "in the replay.",
                _png(8, 1.3 + 1.5 * len(groups), paint_shares),
            )
        )
    return out


def _ci(lo: Any, hi: Any) -> str:
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return ""
    return f"[{num(lo)} to {num(hi)}]"


def _p(p: Any) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _command() -> str:
    try:
        from hydra.core.hydra_config import HydraConfig

        from experiments.manifest import command_line

        hc = HydraConfig.get()
        return command_line(list(hc.overrides.task), list(hc.overrides.hydra), hc.runtime.config_sources)
    except ValueError:
        return "parltwin experiment=fit data=..."


#: What the replay's agreement is evidence of: the numbers were fitted to the same records.
IN_SAMPLE = (
    " These comparisons are in-sample: the durations and shares were fitted to these records, so "
    "agreement is expected and weak evidence; records the fit did not use are the stronger test."
)


def verdict_text(tests: pd.DataFrame) -> str:
    tested = tests[tests["verdict"] != "not tested"]
    bad = tested[tested["verdict"] == "differs"]
    if not len(bad):
        said = (
            "The fitted preset's replay is consistent with the records in "
            f"{'its one comparison' if len(tested) == 1 else f'all {len(tested)} comparisons'} "
            "(no adjusted p-value below 0.05)."
        )
    else:
        names = "; ".join(bad["comparison"])
        said = (
            f"The fitted preset's replay differs from the records in {len(bad)} of "
            f"{counted(len(tested), 'comparison')} "
            f"(adjusted p below 0.05): {names}. The other comparisons are consistent."
        )
    return said + IN_SAMPLE + _too_few_runs(tested)


def _too_few_runs(tested: pd.DataFrame) -> str:
    """What a Monte Carlo test over the replayed runs cannot find: with n runs, its smallest
    two-sided p-value is 2 / (n + 1), at least 0.05 below 39 runs."""
    carlo = tested[tested["test"].astype(str).str.startswith("Monte Carlo")]
    if not len(carlo):
        return ""
    n = int(carlo["n_replay"].min())
    least = 2 / (n + 1)
    if least < 0.05:
        return ""
    names = "; ".join(carlo["comparison"])
    return (
        f" With {counted(n, 'replayed run')}, a count compared by Monte Carlo ({names}) cannot differ: "
        f"its smallest p-value is {least:.3f} (39 runs or more, experiment.replications, let it go "
        "below 0.05)."
    )


def write(
    out: Path,
    *,
    fitted: Fitted,
    table: pd.DataFrame,
    comparison: Comparison,
    data: str,
    base: str,
    preset: Path,
    seeds: Sequence[int],
    skipped: Sequence[str],
) -> Path:
    """Write ``figures/*.png`` and ``report.html`` into ``out``; return the report's path."""
    import datetime as dt

    figs = figures(comparison)
    for f in figs:
        write_with(out / "figures" / f"{f.name}.png", lambda p, f=f: p.write_bytes(f.png))
    w = fitted.window
    set_rows = table[table["path"].notna()]
    decided = table[table["quantity"].isin(["outcome", "navette"])]
    fams = ["fixed", "exponential", "lognormal", "gamma"]
    aic = []
    for d in fitted.durations:
        by = {f.family: f for f in d.fits}
        vals = [num(by[f].aic - d.chosen.aic) if f in by and math.isfinite(by[f].aic) else "–" for f in fams]
        aic.append({"duration": d.timed.path, "cells": vals, "chosen": d.chosen.family})
    git = git_revision()
    revision = (git.get("revision") or "unknown (not a git checkout)") + (
        " (with uncommitted changes)" if git.get("dirty") else ""
    )
    soft = ", ".join(f"{k} {v}" for k, v in versions().items() if v and k != "platform")
    html = _ENV.from_string(TEMPLATE).render(
        title=f"A twin from records: {base} fitted to {Path(data).name}",
        data=data,
        bills=counted(fitted.bills, "bill"),
        visits=counted(fitted.visits, "stage visit"),
        first=w.start.isoformat(),
        last=(w.start + dt.timedelta(days=int(w.days) - 1)).isoformat(),
        days=counted(num(w.days), "day"),
        base=base,
        preset=str(preset),
        created=now().replace("T", " ")[:16] + " UTC",
        verdict=verdict_text(comparison.tests),
        level="95%",
        fitted=[
            {
                "path": r.path,
                "estimate": num(r.estimate),
                "ci": _ci(r.ci_low, r.ci_high),
                "note": f"{r.note} ({r.method})",
            }
            for r in set_rows.itertuples()
        ],
        skipped=list(skipped),
        families=fams,
        aic=aic,
        decided=[
            {
                "subject": r.subject,
                "statistic": r.statistic,
                "estimate": num(r.estimate),
                "ci": _ci(r.ci_low, r.ci_high),
                "n": r.n,
            }
            for r in decided.itertuples()
        ],
        replications=counted(len(seeds), "time"),
        compared=counted(len(comparison.tests), "comparison"),
        tests=[
            {
                "comparison": r.comparison,
                "test": r.test,
                "records": num(getattr(r, "records", None)),
                "replay": num(getattr(r, "replay", None)),
                "statistic": num(r.statistic),
                "p": _p(r.p_value),
                "p_holm": _p(r.p_holm),
                "verdict": r.verdict,
            }
            for r in comparison.tests.itertuples()
        ],
        figures=[
            {"name": f.name, "title": f.title, "caption": f.caption, "b64": base64.b64encode(f.png).decode()}
            for f in figs
        ],
        command=_command(),
        seeds=", ".join(map(str, list(seeds)[:5])) + (f", … ({len(seeds)} in all)" if len(seeds) > 5 else ""),
        revision=revision,
        software=soft,
    )
    path = out / "report.html"
    write_text(path, html)
    return path
