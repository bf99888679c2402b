"""The comparison of a run's scenarios, built from the data on disk alone.

:func:`finish` reads every scenario folder of a run (the folder itself, or the jobs of a sweep) and
writes ``summary.csv``, ``comparison.csv``, ``figures/``, ``manifest.json`` and ``report.html``. A
single run finishes its own folder, a sweep's callback finishes the sweep folder, and
``parltwin-report DIR`` finishes a folder again from its data (e.g. after a crash). The outputs are
removed first and written again, ``report.html`` last, so that a run stopped half-way never leaves a
report that looks complete and is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from experiments import catalog
from experiments.catalog import Catalog
from experiments.compare_spec import KIND, compare_spec
from experiments.files import write_json, write_text, write_with
from experiments.labels import baseline_label, scenario_labels
from experiments.manifest import command_line, now
from experiments.replicate import SCENARIO, lead_times, load_records
from experiments.stats import comparison, metric_columns
from experiments.table import render
from scenarios.diff import differences
from scenarios.errors import ConfigError

#: Files :func:`finish` writes; removed first (report first) when a run starts.
OUTPUTS = ("report.html", "comparison.csv", "summary.csv", "manifest.json")
FIGURES = "figures"


def clear_outputs(run_dir: Path) -> None:
    """Remove a previous comparison (report first): what remains cannot pass for a finished run."""
    for name in OUTPUTS:
        (run_dir / name).unlink(missing_ok=True)
    for png in (run_dir / FIGURES).glob("*.png"):
        png.unlink()


def scenario_folders(run_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The scenario folders of a run (the folder itself, or the jobs of a sweep), in job order."""
    run_dir = Path(run_dir)
    if (run_dir / SCENARIO).is_file():
        folders = [run_dir]
    else:
        folders = [d for d in run_dir.iterdir() if (d / SCENARIO).is_file()] if run_dir.is_dir() else []
    found = [(d, json.loads((d / SCENARIO).read_text(encoding="utf-8"))) for d in folders]
    return sorted(found, key=lambda x: (x[1].get("job", 0), x[0].name))


def _terminal_table(comp: pd.DataFrame, metrics: list[str], order: list[str], described: Catalog) -> str:
    from experiments.report import Numbers

    value = Numbers(described).value
    by = comp.set_index(["metric", "scenario"])
    rows = []
    for m in metrics:
        cells = []
        for s in order:
            r = by.loc[(m, s)]
            ci = f" [{value(m, r['ci_low'])}, {value(m, r['ci_high'])}]" if pd.notna(r["ci_low"]) else ""
            cells.append(f"{value(m, r['mean'])}{ci}")
        rows.append([described.label(m) + (" (%)" if described.share(m) else ""), *cells])
    return render(rows, header=["mean [95% CI]", *order])


def sweep_command(run_dir: Path) -> str | None:
    """The command of a sweep, from the ``multirun.yaml`` Hydra leaves in its folder."""
    path = Path(run_dir) / "multirun.yaml"
    if not path.is_file():
        return None
    overrides = OmegaConf.load(path).hydra.overrides
    return command_line(list(overrides.task), list(overrides.hydra))


def finish(run_dir: Path, command: str | None = None, quiet: bool = False) -> Path:
    """Build the comparison of the finished replications in ``run_dir``; return the report's path."""
    from experiments import plots, report  # seaborn is slow to import: only where figures are drawn

    run_dir = Path(run_dir)
    jobs = scenario_folders(run_dir)
    if not jobs:
        raise ConfigError("run folder", str(run_dir), "a folder written by `parltwin experiment=...`")
    manifests = [m for _, m in jobs]
    spec = compare_spec(manifests[0]["config"].get("experiment") or {})
    labels = scenario_labels(manifests)
    rows, leads, scenarios = [], [], []
    for (folder, m), label in zip(jobs, labels, strict=True):
        recs = [r for r in load_records(folder) if r["replication"] < m["replications"]]
        rows += [
            {"scenario": label, "replication": r["replication"], "seed": r["seed"], **r["summary"]}
            for r in recs
        ]
        leads.append(lead_times(folder, [r["replication"] for r in recs]).assign(scenario=label))
        ch = m.get("choices", {}).get("channels")
        scenarios.append(
            {
                "label": label,
                "description": m.get("description") or m["parliament"],
                "channels": ch if ch not in (None, "none", "null") else "none",
                "replications": len(recs),
                "planned": m["replications"],
                "folder": str(folder.relative_to(run_dir)) if folder != run_dir else ".",
                "overrides": m.get("overrides", []),
                "fingerprint": m["fingerprint"],
                "command": m.get("command"),
                "config": m["config"],
            }
        )
    if not rows:
        raise ConfigError("run folder", str(run_dir), "a folder with at least one finished replication")
    summary = pd.DataFrame(rows)
    described = catalog.load(folder for folder, _ in jobs)
    baseline = baseline_label(spec.baseline, labels, manifests)
    metrics = metric_columns(summary)
    headline = [m for m in spec.metrics if m in metrics]
    comp = comparison(summary, metrics, baseline)
    command = command or sweep_command(run_dir)
    figs = plots.figures(summary, pd.concat(leads, ignore_index=True), comp, headline, labels, described)
    first = manifests[0]
    longest = max(manifests, key=lambda m: len(m["seeds"]))
    manifest = {
        "kind": KIND,
        "title": spec.title,
        "created": now(),
        "command": command or first.get("command"),
        "seed": first["seed"],
        "years": first["years"],
        "replications": longest["replications"],
        "seeds": longest["seeds"],
        "baseline": baseline,
        "git": first["git"],
        "versions": first["versions"],
        "figures": [f"{FIGURES}/{f.name}.png" for f in figs],
        "scenarios": scenarios,
    }
    base_config = next(s["config"] for s in scenarios if s["label"] == baseline)
    changes = [
        report.changes_of(
            s["label"],
            differences(base_config, s["config"], (s["config"].get("reform") or {}).get("changes")),
        )
        for s in scenarios
        if s["label"] != baseline
    ]
    manifest["changes"] = {
        c["scenario"]: {g["path"]: g["count"] for g in c["groups"]}
        | {d.path: "not declared" for d in c["undeclared"]}
        for c in changes
    }
    html = report.render(
        title=spec.title,
        comparison=comp,
        metrics=headline,
        described=described,
        scenarios=scenarios,
        figures=figs,
        manifest=manifest,
        changes=changes,
    )
    # Everything is computed: only now is each previous output replaced (atomically), the report
    # removed first and written last.
    (run_dir / "report.html").unlink(missing_ok=True)
    write_with(run_dir / "summary.csv", lambda p: summary.to_csv(p, index=False))
    write_with(run_dir / "comparison.csv", lambda p: comp.to_csv(p, index=False))
    for f in figs:
        write_with(run_dir / FIGURES / f"{f.name}.png", lambda p, png=f.png: p.write_bytes(png))
    for stale in set((run_dir / FIGURES).glob("*.png")) - {run_dir / FIGURES / f"{f.name}.png" for f in figs}:
        stale.unlink()
    write_json(run_dir / "manifest.json", manifest)
    path = write_text(run_dir / "report.html", html)
    if not quiet:
        print(_terminal_table(comp, headline, labels, described))
    return path.resolve()
