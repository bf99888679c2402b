"""The one-page HTML report of a comparison: self-contained (figures embedded), autoescaped, in the
run's language (``lang``).

Written for a planner: what was compared, the key numbers with their uncertainty, the differences
from the baseline in words, what became of the demands each channel carried, every figure with a
plain caption, and how to reproduce the run. The page is ``templates/report.html.j2``; every text on
it comes from the message catalog (:mod:`experiments.i18n`).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader

from experiments.catalog import Catalog
from experiments.i18n import DASH, Translator, translator
from experiments.plots import Figure
from experiments.table import CHANNEL_HEADS
from scenarios.diff import Difference

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    trim_blocks=False,
    lstrip_blocks=False,
)

#: The columns of the channel table: the channel measures a planner reads first.
CHANNEL_COLUMNS = (
    "submissions",
    "threshold_reached",
    "answered",
    "answer_median_days",
    "became_bill",
    "became_law",
    "law_median_days",
)


def num(x: Any, signed: bool = False, lang: str = "en") -> str:
    """A number for people: a few significant digits; a dash when undefined."""
    return translator(lang).number(x, signed)


def undefined(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


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
    """A run's metric values for people, in one language: shares as percentages (differences of
    shares in percentage points), the rest with a few significant digits, each with its unit."""

    def __init__(self, described: Catalog, tr: Translator | None = None) -> None:
        self.described = described
        self.tr = tr or translator()

    def label(self, metric: str) -> str:
        return self.tr.label(self.described.describe(metric))

    def value(self, metric: str, x: Any, signed: bool = False) -> str:
        return self.tr.value(self.described.describe(metric), x, signed)

    def unit(self, metric: str, diff: bool = False) -> str:
        return self.tr.unit(self.described.describe(metric), diff)

    def ci(self, metric: str, lo: Any, hi: Any, signed: bool = False) -> str:
        if undefined(lo):
            return ""
        low, high = self.value(metric, lo, signed), self.value(metric, hi, signed)
        return self.tr.gettext("[{low} to {high}]", low=low, high=high)

    def finding(self, metric: str, row: Any) -> str:
        fields = {
            "measure": self.label(metric),
            "size": self.value(metric, abs(row["diff"])),
            "unit": self.unit(metric, diff=True),
            "low": self.value(metric, row["diff_ci_low"], True),
            "high": self.value(metric, row["diff_ci_high"], True),
        }
        if row["diff"] > 0:
            return self.tr.gettext("{measure}: higher by {size} {unit} (95% CI {low} to {high}).", **fields)
        return self.tr.gettext("{measure}: lower by {size} {unit} (95% CI {low} to {high}).", **fields)


def clear(row: Any) -> bool:
    """Whether the interval of a difference excludes zero."""
    return bool(row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0)


def channel_rows(
    comparison: pd.DataFrame, order: Sequence[str], described: Catalog, numbers: Numbers
) -> dict[str, Any] | None:
    """The channel table: per scenario and channel, the mean (and interval) of each channel measure."""
    tr = numbers.tr
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in comparison.itertuples(index=False):
        m = described.describe(r.metric)
        if m.group != "channels" or m.param("measure") not in CHANNEL_COLUMNS:
            continue
        cells.setdefault((r.scenario, str(m.param("channel"))), {})[str(m.param("measure"))] = r
    if not cells:
        return None
    shown = [c for c in CHANNEL_COLUMNS if any(c in v for v in cells.values())]
    rows = []
    for s in order:
        for (scenario, channel), measures in cells.items():
            if scenario != s:
                continue
            row = []
            for c in shown:
                r = measures.get(c)
                if r is None or undefined(r.mean):
                    row.append({"mean": DASH, "ci": ""})
                    continue
                name = r.metric
                row.append({"mean": numbers.value(name, r.mean), "ci": numbers.ci(name, r.ci_low, r.ci_high)})
            if any(c["mean"] != DASH for c in row):  # a channel the scenario does not have: no row
                rows.append({"scenario": s, "channel": tr.name("channel", channel), "cells": row})
    return {"header": [tr.gettext(CHANNEL_HEADS[c]) for c in shown], "rows": rows}


def _revision(git: dict[str, Any], tr: Translator) -> tuple[str, bool]:
    return (git.get("revision") or tr.gettext("unknown (not a git checkout)"), bool(git.get("dirty")))


def render(
    *,
    title: str,
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    described: Catalog,
    scenarios: Sequence[dict[str, Any]],
    figures: Sequence[Figure],
    manifest: dict[str, Any],
    lang: str = "en",
    tr: Translator | None = None,
    changes: Sequence[dict[str, Any]] = (),
) -> str:
    """The report as one HTML string.

    ``comparison`` is :func:`experiments.stats.comparison` (its ``baseline`` column may differ by
    scenario when they ran over different horizons); ``metrics`` the headline metrics shown in the
    tables; ``scenarios`` dicts with ``label``, ``description``, ``channels``, ``replications`` and
    ``years``; ``manifest`` the run's manifest (``command``, ``seed``, ``seeds``, ``git``,
    ``versions``, ...). ``tr`` (default: the translator of ``lang``) speaks the report's language.
    ``changes``: per compared scenario, its differences from the baseline (:func:`changes_of`).
    """
    tr = tr or translator(lang)
    numbers = Numbers(described, tr)
    value, ci_text = numbers.value, numbers.ci
    order = [s["label"] for s in scenarios]
    versus = comparison.dropna(subset=["diff"]).drop_duplicates("scenario").set_index("scenario")["baseline"]
    baselines = set(comparison["baseline"].dropna()) if len(comparison) else {order[0]}
    others = [{"label": s, "baseline": versus[s]} for s in order if s in versus.index]
    by = comparison.set_index(["metric", "scenario"])
    shown = [m for m in metrics if m in set(comparison["metric"])]
    table, diff_table = [], []
    findings = [
        {"scenario": o["label"], "baseline": o["baseline"], "found": [], "unclear_in": []} for o in others
    ]
    for m in shown:
        cells = []
        for s in order:
            r = by.loc[(m, s)] if (m, s) in by.index else None
            mean = value(m, r["mean"]) if r is not None else DASH
            cells.append({"mean": mean, "ci": ci_text(m, r["ci_low"], r["ci_high"]) if r is not None else ""})
        table.append({"label": numbers.label(m), "unit": numbers.unit(m), "cells": cells})
        if not others:
            continue
        dcells = []
        for o, f in zip(others, findings, strict=True):
            r = by.loc[(m, o["label"])] if (m, o["label"]) in by.index else None
            if r is None or pd.isna(r["diff"]):
                dcells.append({"diff": DASH, "ci": "", "css": "same"})
                continue
            ci = ci_text(m, r["diff_ci_low"], r["diff_ci_high"], True)
            dcells.append(
                {"diff": value(m, r["diff"], True), "ci": ci, "css": "clear" if clear(r) else "same"}
            )
            if clear(r):
                f["found"].append(numbers.finding(m, r))
            else:
                f["unclear_in"].append(numbers.label(m))
        diff_table.append({"label": numbers.label(m), "unit": numbers.unit(m, diff=True), "cells": dcells})
    seeds = [int(s) for s in manifest.get("seeds", [])]
    seeds_txt = ", ".join(map(str, seeds[:5]))
    if len(seeds) > 5:
        seeds_txt += ", … " + tr.gettext("({n} in all)", n=len(seeds))
    revision, dirty = _revision(manifest.get("git") or {}, tr)
    vers = manifest.get("versions") or {}
    versions_txt = ", ".join(f"{k} {v}" for k, v in vers.items() if v and k != "platform")
    horizons = sorted({float(s["years"]) for s in scenarios if s.get("years") is not None})
    years_txt = " / ".join(tr.short(y) for y in horizons) or "?"
    horizon = tr.ngettext(
        "{years} simulated year per replication",
        "{years} simulated years per replication",
        2 if len(horizons) != 1 or horizons[0] != 1 else 1,
        years=years_txt,
    )
    return _ENV.get_template("report.html.j2").render(
        changes=changes,
        _=tr.gettext,
        ngettext=tr.ngettext,
        lang=tr.lang,
        title=tr.gettext(title),
        created=tr.moment(manifest.get("created", "")),
        scenarios=[
            {
                **s,
                "description": tr.name("description", str(s["description"])),
                "channels": tr.name("channel", str(s["channels"])),
                "years": tr.short(s.get("years")),
                "replications": tr.integer(s["replications"]),
            }
            for s in scenarios
        ],
        replications=max((int(s["replications"]) for s in scenarios), default=0),
        horizon=horizon,
        strata=years_txt if len(horizons) > 1 else "",
        baselines=baselines,
        others=others,
        table=table,
        diff_table=diff_table,
        channels=channel_rows(comparison, order, described, numbers),
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
            "dirty": dirty,
            "versions": versions_txt,
        },
    )
