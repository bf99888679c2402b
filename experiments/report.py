"""The one-page HTML report of a comparison: self-contained (figures embedded), autoescaped.

Written for a planner: what was compared, the key numbers with their uncertainty, the differences
from the baseline in words, every figure with a plain caption, and how to reproduce the run.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from jinja2 import Environment

from experiments.catalog import Catalog
from experiments.plots import Figure
from scenarios.diff import Difference

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 980px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid #e3e3e3; text-align: right; vertical-align: top; }
th:first-child, td:first-child, th.text { text-align: left; }
thead th { background: #f4f6f8; }
.ci { color: #666; font-size: .85em; white-space: nowrap; }
td.text { text-align: left; }
.clear { font-weight: 600; color: #123e6b; } .same { color: #777; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: .92rem; margin-top: .4rem; }
ul.findings li { margin: .3rem 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; font-size: .9rem; }
dt { color: #555; } dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="lead">{{ scenarios | length }} scenario{{ "s" if scenarios | length != 1 }},
{{ replications }} replication{{ "s" if replications != 1 }} each, {{ years }} simulated
year{{ "s" if years != "1" }} per replication. Generated {{ created }}.</p>

<h2>What was compared</h2>
<table>
<thead><tr><th>scenario</th><th class="text">parliament</th><th class="text">digital channels</th>
<th>replications</th></tr></thead>
<tbody>
{% for s in scenarios %}<tr><td><b>{{ s.label }}</b>{% if s.label == baseline %} (baseline){% endif %}</td>
<td class="text">{{ s.description }}</td><td class="text">{{ s.channels }}</td>
<td>{{ s.replications }}</td></tr>
{% endfor %}</tbody>
</table>
<p>Every scenario was run with the same list of random seeds, so replication <i>i</i> of each scenario
sees the same bills arriving and the same chance events wherever the scenarios have them in common
(common random numbers). Differences are therefore measured replication by replication, which makes
them more precise than comparing two averages.</p>

{% if changes %}<h3>What each scenario changes against {{ baseline }}</h3>
<p>Every setting in which a scenario's configuration differs from the baseline's, grouped by the
change its reform declares. A setting that differs without being declared is marked: a difference
found there may come from it rather than from the reform.</p>
{% for c in changes %}<p><b>{{ c.scenario }}</b></p>
<table>
<thead><tr><th>declared change</th><th class="text">why</th><th>settings that differ</th></tr></thead>
<tbody>
{% for g in c.groups %}<tr><td>{{ g.path }}</td><td class="text">{{ g.reason }}</td>
<td class="text">{{ g.count }}: {{ g.examples }}</td></tr>
{% endfor %}{% for d in c.undeclared %}<tr class="warn"><td><b>{{ d.path }} (not declared)</b></td>
<td class="text">baseline {{ d.baseline }}, here {{ d.value }}</td><td></td></tr>
{% endfor %}</tbody>
</table>
{% endfor %}{% endif %}

{% if findings %}<h2>Main findings</h2>
<p>Compared with <b>{{ baseline }}</b>, differences whose 95% confidence interval excludes zero:</p>
{% for f in findings %}<h3>{{ f.scenario }}</h3>
<ul class="findings">
{% for t in f.found %}<li>{{ t }}</li>
{% else %}<li class="same">No clear difference in any of the measures below.</li>
{% endfor %}{% if f.found and f.unclear_in %}
<li class="same">No clear difference in: {{ f.unclear_in | join("; ") }}.</li>
{% endif %}</ul>
{% endfor %}{% endif %}

<h2>Key numbers</h2>
<p>Average over replications, with the 95% confidence interval of the average in brackets.</p>
<table>
<thead><tr><th>measure</th>{% for s in scenarios %}<th>{{ s.label }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in table %}<tr><td>{{ row.label }}
{%- if row.unit %} <span class="ci">({{ row.unit }})</span>{% endif %}</td>
{% for c in row.cells %}<td>{{ c.mean }}<br><span class="ci">{{ c.ci }}</span></td>
{% endfor %}</tr>
{% endfor %}</tbody>
</table>

{% if diff_table %}<h2>Differences from the baseline ({{ baseline }})</h2>
<p>Average of (scenario &minus; baseline) over replications that share a seed, with its 95% confidence
interval. Bold marks differences whose interval excludes zero.</p>
<table>
<thead><tr><th>measure</th>{% for s in others %}<th>{{ s }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in diff_table %}<tr><td>{{ row.label }}
{%- if row.unit %} <span class="ci">({{ row.unit }})</span>{% endif %}</td>
{% for c in row.cells %}<td class="{{ c.css }}">{{ c.diff }}<br><span class="ci">{{ c.ci }}</span></td>
{% endfor %}</tr>
{% endfor %}</tbody>
</table>{% endif %}

<h2>Figures</h2>
{% for f in figures %}<figure id="fig-{{ f.name }}">
<img src="data:image/png;base64,{{ f.b64 }}" alt="{{ f.title }}">
<figcaption><b>{{ f.title }}.</b> {{ f.caption }}</figcaption>
</figure>
{% endfor %}

<h2>How to reproduce</h2>
<dl>
<dt>command</dt><dd>{{ manifest.command }}</dd>
<dt>base seed</dt><dd>{{ manifest.seed }}</dd>
<dt>replication seeds</dt><dd>{{ manifest.seeds }}</dd>
<dt>source revision</dt><dd>{{ manifest.revision }}</dd>
<dt>software</dt><dd>{{ manifest.versions }}</dd>
<dt>data</dt><dd>summary.csv (one row per scenario and replication), comparison.csv, manifest.json
(resolved configuration of every scenario), ledger/ (Parquet)</dd>
</dl>
</body>
</html>
"""

_ENV = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)


def num(x: Any, signed: bool = False) -> str:
    """A number for people: a few significant digits; a dash when undefined."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    a = abs(x)
    spec = ",.0f" if a >= 100 else ".1f" if a >= 10 else ".2f" if a >= 0.995 or a == 0 else ".3f"
    return format(x, ("+" if signed else "") + spec)


def changes_of(label: str, diffs: Sequence[Difference]) -> dict[str, Any]:
    """A scenario's differences from the baseline for the report: grouped by declared change (with a
    few of the settings as examples), and the undeclared ones one by one."""
    groups: dict[str, list[Difference]] = {}
    for d in diffs:
        if d.declared is not None:
            groups.setdefault(d.declared, []).append(d)
    return {
        "scenario": label,
        "groups": [
            {
                "path": path,
                "reason": ds[0].reason,
                "count": len(ds),
                "examples": ", ".join(d.path.removeprefix(f"{path}.") for d in ds[:4])
                + (", …" if len(ds) > 4 else ""),
            }
            for path, ds in groups.items()
        ],
        "undeclared": [d for d in diffs if d.declared is None],
    }


class Numbers:
    """A run's metric values for people: shares as percentages (differences of shares in percentage
    points), the rest as :func:`num`, each with its unit from the metric's description."""

    def __init__(self, described: Catalog) -> None:
        self.described = described

    def value(self, metric: str, x: Any, signed: bool = False) -> str:
        if self.described.share(metric) and x is not None and not (isinstance(x, float) and math.isnan(x)):
            return num(100.0 * float(x), signed)
        return num(x, signed)

    def unit(self, metric: str, diff: bool = False) -> str:
        if self.described.share(metric):
            return "percentage points" if diff else "%"
        return self.described.unit(metric)

    def ci(self, metric: str, lo: Any, hi: Any, signed: bool = False) -> str:
        if lo is None or (isinstance(lo, float) and math.isnan(lo)):
            return ""
        return f"[{self.value(metric, lo, signed)} to {self.value(metric, hi, signed)}]"

    def finding(self, metric: str, row: Any) -> str:
        unit = self.unit(metric, diff=True)
        word = "higher" if row["diff"] > 0 else "lower"
        low, high = (
            self.value(metric, row["diff_ci_low"], True),
            self.value(metric, row["diff_ci_high"], True),
        )
        size = self.value(metric, abs(row["diff"]))
        return f"{self.described.label(metric)}: {word} by {size} {unit} (95% CI {low} to {high})."


def clear(row: Any) -> bool:
    """Whether the interval of a difference excludes zero."""
    return bool(row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0)


def _created(stamp: str) -> str:
    return stamp.replace("T", " ")[:16] + " UTC" if stamp else ""


def render(
    *,
    title: str,
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    described: Catalog,
    scenarios: Sequence[dict[str, Any]],
    figures: Sequence[Figure],
    manifest: dict[str, Any],
    changes: Sequence[dict[str, Any]] = (),
) -> str:
    """The report as one HTML string.

    ``comparison`` is :func:`experiments.stats.comparison`; ``metrics`` the headline metrics shown
    in the tables; ``scenarios`` dicts with ``label``, ``description``, ``channels``, ``replications``;
    ``manifest`` the run's manifest (``command``, ``seed``, ``seeds``, ``git``, ``versions``, ...);
    ``changes`` per compared scenario, its differences from the baseline (:func:`changes_of`).
    """
    numbers = Numbers(described)
    value, ci_text = numbers.value, numbers.ci
    order = [s["label"] for s in scenarios]
    baseline = str(comparison["baseline"].iloc[0]) if len(comparison) else order[0]
    others = [s for s in order if s != baseline]
    by = comparison.set_index(["metric", "scenario"])
    shown = [m for m in metrics if m in set(comparison["metric"])]
    table, diff_table = [], []
    findings = [{"scenario": s, "found": [], "unclear_in": []} for s in others]
    for m in shown:
        cells = []
        for s in order:
            r = by.loc[(m, s)] if (m, s) in by.index else None
            mean = value(m, r["mean"]) if r is not None else "–"
            cells.append({"mean": mean, "ci": ci_text(m, r["ci_low"], r["ci_high"]) if r is not None else ""})
        table.append({"label": described.label(m), "unit": numbers.unit(m), "cells": cells})
        if not others:
            continue
        dcells = []
        for s, f in zip(others, findings, strict=True):
            r = by.loc[(m, s)] if (m, s) in by.index else None
            if r is None or pd.isna(r["diff"]):
                dcells.append({"diff": "–", "ci": "", "css": "same"})
                continue
            ci = ci_text(m, r["diff_ci_low"], r["diff_ci_high"], True)
            dcells.append(
                {"diff": value(m, r["diff"], True), "ci": ci, "css": "clear" if clear(r) else "same"}
            )
            if clear(r):
                f["found"].append(numbers.finding(m, r))
            else:
                f["unclear_in"].append(described.label(m).lower())
        diff_table.append({"label": described.label(m), "unit": numbers.unit(m, diff=True), "cells": dcells})
    seeds = [int(s) for s in manifest.get("seeds", [])]
    seeds_txt = ", ".join(map(str, seeds[:5])) + (f", … ({len(seeds)} in all)" if len(seeds) > 5 else "")
    git = manifest.get("git") or {}
    revision = git.get("revision") or "unknown (not a git checkout)"
    if git.get("dirty"):
        revision += " (with uncommitted changes)"
    vers = manifest.get("versions") or {}
    versions_txt = ", ".join(f"{k} {v}" for k, v in vers.items() if v and k != "platform")
    years = manifest.get("years")
    return _ENV.from_string(TEMPLATE).render(
        changes=changes,
        title=title,
        created=_created(manifest.get("created", "")),
        scenarios=scenarios,
        replications=max((int(s["replications"]) for s in scenarios), default=0),
        years=num(years).rstrip("0").rstrip(".") if years is not None else "?",
        baseline=baseline,
        others=others,
        table=table,
        diff_table=diff_table,
        findings=findings,
        figures=[
            {"name": f.name, "title": f.title, "caption": f.caption, "b64": base64.b64encode(f.png).decode()}
            for f in figures
        ],
        manifest={
            "command": manifest.get("command", ""),
            "seed": manifest.get("seed", ""),
            "seeds": seeds_txt,
            "revision": revision,
            "versions": versions_txt,
        },
    )
