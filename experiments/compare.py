"""The ``compare`` experiment: scenarios replicated with common random numbers, then compared.

Each Hydra job runs one scenario for a batch of replications (:mod:`experiments.replicate`) into its
own folder. The comparison - ``summary.csv``, ``comparison.csv``, ``figures/``, ``manifest.json`` and
``report.html`` - is then built from the data on disk alone (:func:`finish`):

- a single run (``parltwin experiment=compare``) finishes its own folder;
- a multirun (``experiment=reform_comparison`` sets ``hydra.mode: MULTIRUN`` and sweeps the
  ``scenario`` group) runs one job per scenario on any launcher (basic, joblib, submitit, ray), and
  :class:`CompareCallback` finishes the sweep folder when every job is done;
- ``parltwin-report DIR`` finishes a folder again from its data, e.g. after a crash.

The outputs are removed when a run starts and written again at the end, ``report.html`` last, so a
run that is stopped half-way never leaves a report that looks complete and is not.
"""

from __future__ import annotations

import copy
import json
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from experiments.errors import fail
from experiments.files import write_json, write_text, write_with
from experiments.manifest import command_line, config_hash, git_revision, now, resolved, versions
from experiments.params import check, options, positive_int
from experiments.replicate import SCENARIO, finished, lead_times, load_records, run_replications
from experiments.stats import comparison, metric_columns
from experiments.table import render
from scenarios import ConfigError, validate
from scenarios.validate import refuse_targets
from sim.streams import replication_seeds

KIND = "compare"
#: Metrics shown in the report's tables and the differences figure, unless the preset names others.
HEADLINE = (
    "laws_per_year",
    "passage_rate",
    "lead_time_median_days",
    "mean_time_in_system_days",
    "backlog_end",
)
#: Files :func:`finish` writes; removed first (report first) when a run starts.
OUTPUTS = ("report.html", "comparison.csv", "summary.csv", "manifest.json")
FIGURES = "figures"


@dataclass(frozen=True)
class CompareSpec:
    """The ``experiment:`` parameters of a ``compare`` run."""

    replications: int = 30
    workers: int = 1
    baseline: str | None = None
    metrics: tuple[str, ...] = HEADLINE
    title: str = "Scenario comparison"
    ledger: bool = True


def compare_spec(node: Any) -> CompareSpec:
    """Check the ``experiment`` node of a ``compare`` run; ``ConfigError`` names the first problem."""
    if isinstance(node, DictConfig):
        refuse_targets(node, "experiment")
    s = options(node, {**asdict(CompareSpec()), "metrics": list(HEADLINE)})
    positive_int(s, "replications")
    positive_int(s, "workers")
    check(
        s,
        "baseline",
        s["baseline"] is None or isinstance(s["baseline"], str),
        "a scenario name, or null for the first",
    )
    metrics = s["metrics"]
    check(
        s,
        "metrics",
        isinstance(metrics, list) and all(isinstance(m, str) for m in metrics),
        "a list of metric names",
    )
    check(s, "title", isinstance(s["title"], str), "a string")
    check(s, "ledger", isinstance(s["ledger"], bool), "true or false")
    return CompareSpec(**{**s, "metrics": tuple(metrics)})


def fingerprint(cfg: DictConfig) -> str:
    """What makes replications of this scenario the same: the config minus the experiment's own knobs."""
    data = resolved(cfg)
    for k in ("experiment", "quiet"):
        data.pop(k, None)
    return config_hash(data)


def _job() -> dict[str, Any]:
    """This Hydra job: its number in a sweep, overrides, group choices and command line."""
    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    choices = {k: v for k, v in hc.runtime.choices.items() if not k.startswith("hydra")}
    task, hyd = list(hc.overrides.task), list(hc.overrides.hydra)
    return {
        "multirun": multirun,
        "num": int(hc.job.num) if multirun else 0,
        "overrides": task,
        "choices": choices,
        "command": command_line(task, [o for o in hyd if not o.startswith("hydra.mode=")]),
    }


def scenario_name(parliament: str, choices: dict[str, Any]) -> str:
    """``parliament`` plus its digital channels, e.g. ``kz_kurultai_2026 + kz_digital``."""
    ch = choices.get("channels")
    return f"{parliament} + {ch}" if ch not in (None, "none", "null") else parliament


def clear_outputs(run_dir: Path) -> None:
    """Remove a previous comparison (report first): what remains cannot pass for a finished run."""
    for name in OUTPUTS:
        (run_dir / name).unlink(missing_ok=True)
    for png in (run_dir / FIGURES).glob("*.png"):
        png.unlink()


def run(cfg: DictConfig, out: Path) -> dict[str, Any]:
    """Run this job's scenario for ``experiment.replications``; in a single run, also compare."""
    spec = compare_spec(cfg.experiment)
    conf = validate(cfg)
    job = _job()
    seeds = replication_seeds(conf.seed, spec.replications)
    fp = fingerprint(cfg)
    finished(out, seeds, fp)  # refuses a folder holding another scenario before writing anything
    if not job["multirun"]:
        clear_outputs(out)
    p = conf.parliament
    write_json(
        out / SCENARIO,
        {
            "name": scenario_name(p.name, job["choices"]),
            "parliament": p.name,
            "description": p.description,
            "job": job["num"],
            "overrides": job["overrides"],
            "choices": job["choices"],
            "command": job["command"],
            "fingerprint": fp,
            "seed": conf.seed,
            "years": conf.years,
            "replications": spec.replications,
            "seeds": seeds,
            "config": resolved(cfg),
            "versions": versions(),
            "git": git_revision(),
            "created": now(),
        },
    )
    ran = run_replications(
        conf,
        seeds,
        out,
        fp,
        workers=spec.workers,
        ledger=spec.ledger,
        desc=scenario_name(p.name, job["choices"]),
        quiet=conf.quiet,
    )
    result: dict[str, Any] = {"folder": str(out), "replications": spec.replications, "ran": ran}
    if not job["multirun"]:
        result["report"] = str(finish(out, command=job["command"], quiet=conf.quiet))
        print(f"report: {result['report']}")
    return result


def scenario_folders(run_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The scenario folders of a run (the folder itself, or the jobs of a sweep), in job order."""
    run_dir = Path(run_dir)
    if (run_dir / SCENARIO).is_file():
        folders = [run_dir]
    else:
        folders = [d for d in run_dir.iterdir() if (d / SCENARIO).is_file()] if run_dir.is_dir() else []
    found = [(d, json.loads((d / SCENARIO).read_text(encoding="utf-8"))) for d in folders]
    return sorted(found, key=lambda x: (x[1].get("job", 0), x[0].name))


def _pairs(overrides: list[str]) -> dict[str, str]:
    kv = (o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
    return {k: v for k, v in kv}


def scenario_labels(manifests: list[dict[str, Any]]) -> list[str]:
    """Short unique labels: the scenario's name, plus the overrides that set jobs of the same name apart."""
    names = [m["name"] for m in manifests]
    if len(set(names)) == len(names):
        return names
    pairs = [_pairs(m.get("overrides", [])) for m in manifests]
    named_by = ("experiment", "hydra", "scenario", "parliament", "channels")
    keys = [k for k in dict.fromkeys(k for p in pairs for k in p) if not k.startswith(named_by)]
    varying = [k for k in keys if len({p.get(k) for p in pairs}) > 1]
    labels = [
        ", ".join([n, *(f"{k}={p.get(k, '-')}" for k in varying)]) for n, p in zip(names, pairs, strict=True)
    ]
    if len(set(labels)) < len(labels):
        labels = [
            f"{lab} #{m.get('job', i)}" for i, (lab, m) in enumerate(zip(labels, manifests, strict=True))
        ]
    return labels


def _baseline(wanted: str | None, labels: list[str], manifests: list[dict[str, Any]]) -> str:
    if wanted is None:
        return labels[0]
    for label, m in zip(labels, manifests, strict=True):
        if wanted in (label, m["name"], m.get("choices", {}).get("scenario")):
            return label
    raise ConfigError("experiment.baseline", wanted, f"one of {', '.join(labels)}")


def _terminal_table(comp: pd.DataFrame, metrics: list[str], order: list[str]) -> str:
    from experiments.plots import is_share, metric_label
    from experiments.report import value

    by = comp.set_index(["metric", "scenario"])
    rows = []
    for m in metrics:
        cells = []
        for s in order:
            r = by.loc[(m, s)]
            ci = f" [{value(m, r['ci_low'])}, {value(m, r['ci_high'])}]" if pd.notna(r["ci_low"]) else ""
            cells.append(f"{value(m, r['mean'])}{ci}")
        rows.append([metric_label(m) + (" (%)" if is_share(m) else ""), *cells])
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
    baseline = _baseline(spec.baseline, labels, manifests)
    metrics = metric_columns(summary)
    headline = [m for m in spec.metrics if m in metrics]
    comp = comparison(summary, metrics, baseline)
    command = command or sweep_command(run_dir)
    clear_outputs(run_dir)
    write_with(run_dir / "summary.csv", lambda p: summary.to_csv(p, index=False))
    write_with(run_dir / "comparison.csv", lambda p: comp.to_csv(p, index=False))
    figs = plots.figures(summary, pd.concat(leads, ignore_index=True), comp, headline, labels)
    for f in figs:
        write_with(run_dir / FIGURES / f"{f.name}.png", lambda p, png=f.png: p.write_bytes(png))
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
    write_json(run_dir / "manifest.json", manifest)
    html = report.render(
        title=spec.title,
        comparison=comp,
        metrics=headline,
        scenarios=scenarios,
        figures=figs,
        manifest=manifest,
    )
    path = write_text(run_dir / "report.html", html)
    if not quiet:
        print(_terminal_table(comp, headline, labels))
    return path.resolve()


class CompareCallback(Callback):
    """Checks a ``compare`` sweep before any job starts and compares its jobs when all are done."""

    @staticmethod
    def _ours(config: DictConfig) -> bool:
        exp = config.get("experiment")
        return exp is not None and exp.get("kind") == KIND

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._ours(config):
            return
        task = copy.deepcopy(config)
        with read_write(task), open_dict(task):
            del task["hydra"]
        try:
            compare_spec(task.experiment)
            validate(task)
        except ConfigError as e:  # Hydra would turn an exception here into a warning and go on
            fail(str(e))
        sweep = Path(config.hydra.sweep.dir)
        if sweep.is_dir():
            clear_outputs(sweep)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._ours(config):
            return
        try:
            path = finish(Path(config.hydra.sweep.dir), quiet=bool(config.quiet))
        except ConfigError as e:
            fail(str(e))
        except Exception:  # Hydra would turn it into a warning and exit 0 without a report
            traceback.print_exc()
            sys.exit(1)
        print(f"report: {path}")
