"""The comparison of a run's scenarios, built from the data on disk alone.

:func:`finish` reads every scenario folder of a run (the folder itself, or the jobs of a sweep) and
writes ``summary.csv``, ``comparison.csv``, ``figures/``, ``manifest.json`` and ``report.html``. A
single run finishes its own folder, a sweep's callback finishes the sweep folder, and
``parltwin-report DIR`` finishes a folder again from its data (e.g. after a crash). The outputs are
removed first and written again, ``report.html`` last, so that a run stopped half-way never leaves a
report that looks complete and is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import omegaconf._utils as omegaconf_yaml
import pandas as pd
import yaml

from experiments import catalog
from experiments.catalog import Catalog
from experiments.compare_spec import KIND, CompareSpec, compare_spec, main_job
from experiments.drawing import figures
from experiments.figure import PLOTS, FigureData
from experiments.files import (
    MAX_JSON_BYTES,
    as_text_cells,
    read_json,
    regular_file,
    write_figures,
    write_json,
    write_tables,
    write_text,
)
from experiments.i18n import check_lang, translator
from experiments.labels import baseline_label, channels_chosen, like, scenario_labels
from experiments.manifest import command_line, now
from experiments.plotted import plotted
from experiments.pool import side_processes
from experiments.replicate import SCENARIO, lead_times, load_records, record_path
from experiments.run_folder import FIGURES, OUTPUTS, clear_cut_short, scenario_folders
from experiments.stats import comparison, describe, metric_columns
from experiments.table import render
from scenarios.diff import differences
from scenarios.errors import ConfigError

if TYPE_CHECKING:
    from experiments.report import Numbers


def _terminal_table(comp: pd.DataFrame, metrics: list[str], order: list[str], numbers: Numbers) -> str:
    tr = numbers.tr
    by = comp.set_index(["metric", "scenario"])
    rows = []
    for m in metrics:
        cells = []
        for s in order:
            r = by.loc[(m, s)]
            ci = f" {numbers.ci(m, r['ci_low'], r['ci_high'])}" if pd.notna(r["ci_low"]) else ""
            cells.append(f"{numbers.value(m, r['mean'])}{ci}")
        unit = numbers.unit(m)
        rows.append([numbers.label(m) + (f" ({unit})" if unit else ""), *cells])
    return render(rows, header=[tr.gettext("mean [95% CI]"), *order])


def strata(
    labels: list[str], manifests: list[dict[str, Any]], baseline: str
) -> list[tuple[list[str], str | None]]:
    """The scenarios grouped by horizon, each group with its baseline: the job that ran the baseline's
    scenario over that horizon (None when the sweep has none). One horizon: one group."""
    base = manifests[labels.index(baseline)]
    horizons = list(dict.fromkeys(float(m["years"]) for m in manifests))
    if len(horizons) == 1:
        return [(labels, baseline)]
    out = []
    for h in horizons:
        members = [(lab, m) for lab, m in zip(labels, manifests, strict=True) if float(m["years"]) == h]
        same = [lab for lab, m in members if like(m, base, ignore=("years",))]
        out.append(([lab for lab, _ in members], same[0] if same else None))
    return out


def compare_by_horizon(
    summary: pd.DataFrame,
    metrics: list[str],
    groups: list[tuple[list[str], str | None]],
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """:func:`experiments.stats.comparison` within each horizon: never a scenario against a baseline
    run for another horizon (the procedure's warm-up would pass for a finding). Each metric's
    interval is cut to its ``bounds``."""
    parts = []
    for members, base in groups:
        part = summary[summary["scenario"].isin(members)]
        if base is None:
            d = describe(part, metrics, bounds)
            d.insert(1, "baseline", None)
            parts.append(d)
        else:
            parts.append(comparison(part, metrics, base, bounds))
    return pd.concat(parts, ignore_index=True)


def adjusted(comp: pd.DataFrame, headline: Sequence[str]) -> pd.DataFrame:
    """``p_holm``: the paired p-values of the report's comparisons (headline metrics x scenarios
    other than the baseline) adjusted together by Holm's method, and ``holm_tests``, how many were
    adjusted together (a comparison of more scenarios adjusts more: the same difference may be clear
    in one and not in another); NaN for every other row."""
    from experiments.stats import holm

    comp = comp.copy()
    if "p_value" not in comp.columns:
        comp["p_value"] = float("nan")
    family = comp["metric"].isin(list(headline)) & comp["p_value"].notna()
    comp["p_holm"] = float("nan")
    comp.loc[family, "p_holm"] = holm(comp.loc[family, "p_value"].to_numpy())
    comp["holm_tests"] = pd.array([int(family.sum()) if f else None for f in family], dtype="Int64")
    return comp


def channel_table(comp: pd.DataFrame, described: Catalog) -> pd.DataFrame:
    """``channels.csv``: per scenario, channel and measure, the mean over replications and its interval."""
    rows = []
    for r in comp.itertuples(index=False):
        m = described.describe(r.metric)
        if m.group == "channels":
            rows.append(
                (r.scenario, m.param("channel"), m.param("measure"), m.unit, r.n, r.mean, r.ci_low, r.ci_high)
            )
    cols = ["scenario", "channel", "measure", "unit", "n", "mean", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=cols)


def sweep_command(run_dir: Path) -> str | None:
    """The command of a sweep, from the ``multirun.yaml`` Hydra leaves in its folder."""
    from experiments.errors import InputError, long_integer

    path = Path(run_dir) / "multirun.yaml"
    if not path.is_file() and not path.is_symlink():
        return None
    if path.is_symlink():  # read where the sweep wrote it, not where a link points
        raise InputError(
            f"{path}: not a sweep's multirun.yaml (a symbolic link, not a file of the sweep's own)"
        )
    why = regular_file(path, MAX_JSON_BYTES)
    if why is not None:
        raise InputError(f"{path}: not a sweep's multirun.yaml ({why})")
    # Read as OmegaConf reads it, without building its (large) config: only two lists are used.
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=omegaconf_yaml.get_yaml_loader())
    except RecursionError:  # lists within lists, deeper than the reader goes
        raise InputError(f"{path}: not a sweep's multirun.yaml (nested too deeply)") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not a sweep's multirun.yaml (not UTF-8 text: {e.reason})") from None
    except ValueError as e:
        why = long_integer(e)
        if why is None:
            raise
        raise InputError(f"{path}: not a sweep's multirun.yaml ({why})") from None
    hydra = data.get("hydra") if isinstance(data, dict) else None
    hydra = hydra if isinstance(hydra, dict) else {}
    overrides = hydra.get("overrides")
    lists = [overrides.get(k) if isinstance(overrides, dict) else None for k in ("task", "hydra")]
    if not all(isinstance(v, list) and all(isinstance(o, str) for o in v) for v in lists):
        raise InputError(
            f"{path}: not a sweep's multirun.yaml (hydra.overrides.task and .hydra: lists of overrides)"
        )
    runtime = hydra.get("runtime")
    sources = runtime.get("config_sources") if isinstance(runtime, dict) else None
    return command_line(*lists, sources if isinstance(sources, list) else ())


@dataclass
class Compared:
    """The comparison of a run's scenarios, in memory: what :func:`finish` writes and the app shows."""

    labels: list[str]
    manifests: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    summary: pd.DataFrame
    leads: pd.DataFrame
    comparison: pd.DataFrame
    described: Catalog
    baseline: str
    headline: list[str]
    undefined: list[str]  # headline metrics that every replication left undefined
    groups: list[tuple[list[str], str | None]]  # the scenarios by horizon, each with its baseline

    def baseline_of(self, label: str) -> str | None:
        """The job ``label`` is compared with: the baseline run over its horizon (None: none ran)."""
        return next(base for members, base in self.groups if label in members)

    @property
    def figure_data(self) -> FigureData:
        """What the comparison's figures are drawn from (:func:`experiments.drawing.figures`)."""
        s = self
        return FigureData(s.summary, s.leads, s.comparison, s.headline, s.labels, s.described)


def compare_jobs(
    jobs: list[tuple[Path, dict[str, Any]]],
    baseline: str | None,
    wanted: Sequence[str],
    root: Path | None = None,
) -> Compared:
    """Read the finished replications of ``jobs`` (scenario folders and their manifests) and compare
    them with :mod:`experiments.stats`: intervals, and paired differences within each horizon."""
    manifests = [m for _, m in jobs]
    labels = scenario_labels(manifests)
    rows, leads, scenarios = [], [], []
    for (folder, m), label in zip(jobs, labels, strict=True):
        recs = [r for r in load_records(folder) if r["replication"] < m["replications"]]
        rows += [
            {"scenario": label, "replication": r["replication"], "seed": r["seed"], **r["summary"]}
            for r in recs
        ]
        leads.append(lead_times(folder, [r["replication"] for r in recs]).assign(scenario=label))
        ch = channels_chosen(
            m.get("choices") or {}, ((m.get("config") or {}).get("channels") or {}).get("name")
        )
        scenarios.append(
            {
                "label": label,
                "description": m.get("description") or m["parliament"],
                "channels": ch,
                "replications": len(recs),
                "planned": m["replications"],
                "years": m["years"],
                "folder": str(folder.relative_to(root)) if root is not None and folder != root else ".",
                "overrides": m.get("overrides", []),
                "fingerprint": m["fingerprint"],
                "command": m.get("command"),
                "config": m["config"],
            }
        )
    if not rows:
        where = str(root) if root is not None else ", ".join(str(f) for f, _ in jobs)
        raise ConfigError("run folder", where, "a folder with at least one finished replication")
    summary = pd.DataFrame(rows)
    base = baseline_label(baseline, labels, manifests)
    metrics = metric_columns(summary)
    described = catalog.load(folder for folder, _ in jobs)
    groups = strata(labels, manifests, base)
    return Compared(
        labels=labels,
        manifests=manifests,
        scenarios=scenarios,
        summary=summary,
        leads=pd.concat(leads, ignore_index=True),
        comparison=adjusted(
            compare_by_horizon(summary, metrics, groups, described.bounds(metrics)),
            [m for m in wanted if m in metrics],
        ),
        described=described,
        baseline=base,
        headline=[m for m in wanted if m in metrics],
        undefined=[m for m in wanted if m in summary.columns and m not in metrics],
        groups=groups,
    )


def _created(path: Path) -> str | None:
    """When the comparison in ``path`` (a ``manifest.json``) was first made; None without one."""
    from experiments.errors import InputError

    try:
        made = read_json(path, ("created",), "a comparison's manifest")["created"]
    except InputError:  # none, a link, or not one a comparison wrote: the rebuild is made now
        return None
    return made if isinstance(made, str) else None


def unfinished(jobs: list[tuple[Path, dict[str, Any]]], run_dir: Path) -> None:
    """Refuse a run stopped before every job's replications were done: its report would compare
    scenarios over different replications (or none) and look complete."""
    for folder, m in jobs:
        planned = int(m["replications"])
        done = sum(record_path(folder, i).is_file() for i in range(planned))
        if done < planned:
            raise ConfigError(
                "run folder",
                str(run_dir),
                f"a finished run (job {m.get('job', 0)}, {m['name']}, has {done} of {planned} replications: "
                "run its parltwin command again to finish it)",
            )


def robustness_of(folder: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The robustness run's tables a report cites from ``folder`` (its ``robustness.csv`` and, where
    there is one, its ``assumptions.csv``), checked as ``experiment.robustness`` is: regular files,
    not links, of a sane size, with the columns the report reads; (None, None) where there is none.
    A run folder's own table was read through a link, and a malformed one was a traceback."""
    import os

    from experiments.compare_spec import ASSUMPTIONS_COLUMNS, ROBUSTNESS_COLUMNS, robustness_table

    table, assumptions = folder / "robustness.csv", folder / "assumptions.csv"
    if not os.path.lexists(table):
        return None, None
    for path, columns, optional in (
        (table, ROBUSTNESS_COLUMNS, False),
        (assumptions, ASSUMPTIONS_COLUMNS, True),
    ):
        if not robustness_table(path, columns, optional):
            allowed = (
                f"a robustness run's table: a regular file, not a link, with the columns {', '.join(columns)}"
            )
            raise ConfigError(path.name, str(path), allowed)
    try:
        robust = pd.read_csv(table, keep_default_na=True)
        assumed = pd.read_csv(assumptions) if assumptions.is_file() else None
    except (ValueError, UnicodeDecodeError) as e:  # pandas' ParserError is a ValueError
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(table.name, str(table), f"a table pandas can read ({reason})") from None
    return robust, assumed


def experiment_of(folder: Path, manifest: dict[str, Any]) -> CompareSpec:
    """The comparison's parameters, from a job's manifest (its config's ``experiment``); a refusal
    names the manifest, not only the parameter (which is not on the command line)."""
    from experiments.errors import InputError

    try:
        return compare_spec(manifest["config"].get("experiment") or {})
    except ConfigError as e:
        raise InputError(f"{folder / SCENARIO}: not a job's manifest (config.{e})") from None


def own_outputs(run_dir: Path) -> None:
    """Refuse a run folder where the comparison's outputs cannot be replaced in place, before anything
    is removed or written: a ``figures`` that is a symbolic link (the removal of what a cut-short write
    left, and the figures, went where it pointed) or not a folder, an output that is a folder (the
    report was removed, the tables rewritten, before the write failed)."""
    from experiments.errors import InputError

    figs = run_dir / FIGURES
    if figs.is_symlink() or (figs.exists() and not figs.is_dir()):
        raise InputError(
            f"{figs}: not the run's figures folder (a folder of its own, not a link or a file: "
            "remove it, and parltwin-report draws the figures again)"
        )
    replaced = [
        *(run_dir / n for n in OUTPUTS),
        *run_dir.glob(".tmp-*"),
        *figs.glob("*.png"),
        *figs.glob(".tmp-*"),
    ]
    for path in replaced:
        if path.is_dir() and not path.is_symlink():
            raise InputError(f"{path}: a folder where the comparison writes a file (remove it)")


def text_cells(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with each text a spreadsheet would read as a formula (a header or a cell) written as
    text (:func:`~experiments.files.as_text_cells`): scenarios' and metrics' names are read from the
    run folder, which anyone may have written."""
    out = table.copy()
    out.columns = as_text_cells(out.columns)
    for col in out.select_dtypes(include=["object", "string"]).columns:
        out[col] = as_text_cells(out[col])
    return out


def finish(run_dir: Path, command: str | None = None, quiet: bool = False, lang: str | None = None) -> Path:
    """Build the comparison of the finished replications in ``run_dir``; return the report's path.

    ``lang`` (default: the run's ``lang``) is the language of the report, figures and terminal table.
    """
    from experiments import report

    run_dir = Path(run_dir)
    jobs = scenario_folders(run_dir)
    if not jobs:
        raise ConfigError(
            "run folder",
            str(run_dir),
            "a folder written by `parltwin experiment=compare` or `experiment=reform_comparison` "
            "(a robustness, sensitivity or calibration run writes its report as it ends)",
        )
    unfinished(jobs, run_dir)
    own_outputs(run_dir)
    manifests = [m for _, m in jobs]
    tr = translator(check_lang(lang or manifests[0]["config"].get("lang") or "en"))
    spec = experiment_of(*jobs[0])
    robust_dir = Path(spec.robustness) if spec.robustness else run_dir
    robust, assumed = robustness_of(robust_dir)  # before anything is written
    command = command or sweep_command(run_dir)
    # Where workers were started for this run, two processes forked from their server draw the
    # figures; they start now, while the replications are read and compared.
    with side_processes(PLOTS, 2) as sides:
        c = compare_jobs(jobs, spec.baseline, spec.metrics, run_dir)
        summary, comp, described, labels = c.summary, c.comparison, c.described, c.labels
        figs = figures(c.figure_data, tr, sides)
    headline, baseline, scenarios = c.headline, c.baseline, c.scenarios
    channels = channel_table(comp, described)
    first = manifests[0]
    longest = max(manifests, key=lambda m: len(m["seeds"]))
    made = _created(run_dir / "manifest.json")  # a rebuild keeps when the run was made
    manifest = {
        "kind": KIND,
        "title": spec.title,
        "created": made or now(),
        **({"rebuilt": now()} if made else {}),
        "command": command or first.get("command"),
        "seed": first["seed"],
        "years": first["years"]
        if len({m["years"] for m in manifests}) == 1
        else [m["years"] for m in manifests],
        "lang": tr.lang,
        "replications": longest["replications"],
        "seeds": longest["seeds"],
        "baseline": baseline,
        "git": first.get("git"),
        "model_code": first.get("model_code"),
        "versions": first.get("versions"),
        "figures": [f"{FIGURES}/{f.name}.png" for f in figs],
        "scenarios": scenarios,
    }
    # Each scenario against the baseline run over its own horizon, as its numbers are compared.
    config_of = {s["label"]: s["config"] for s in scenarios}
    changes = [
        report.changes_of(
            s["label"],
            differences(config_of[base], s["config"], (s["config"].get("reform") or {}).get("changes")),
        )
        for s in scenarios
        if (base := c.baseline_of(s["label"])) not in (None, s["label"])
    ]
    manifest["changes"] = {
        c["scenario"]: {g["path"]: g["count"] for g in c["groups"]}
        | {d.path: "not declared" for d in c["undeclared"]}
        for c in changes
    }
    if robust is not None:
        manifest["robustness"] = str(robust_dir)
    names = {
        s["label"]: (m.get("choices") or {}).get("scenario")
        for s, m in zip(scenarios, manifests, strict=True)
    }
    html = report.render(
        robustness=robust,
        assumptions=assumed,
        robustness_dir=str(robust_dir) if robust is not None else None,
        names=names,
        tr=tr,
        title=spec.title,
        comparison=comp,
        metrics=headline,
        described=described,
        scenarios=scenarios,
        figures=figs,
        manifest=manifest,
        changes=changes,
        figure_numbers={f.name: plotted(f.name, c.figure_data, tr) for f in figs},
        undefined=c.undefined,
        main_years=main_job()[1],
    )
    # Everything is computed: only now is each previous output replaced (atomically), the report
    # removed first and written last.
    clear_cut_short(run_dir)
    (run_dir / "report.html").unlink(missing_ok=True)
    tables = {"summary.csv": summary, "comparison.csv": comp, "channels.csv": channels}
    write_tables(run_dir, {name: text_cells(table) for name, table in tables.items()})
    write_figures(run_dir / FIGURES, figs)
    for stale in set((run_dir / FIGURES).glob("*.png")) - {run_dir / FIGURES / f"{f.name}.png" for f in figs}:
        stale.unlink()
    write_json(run_dir / "manifest.json", manifest)
    path = write_text(run_dir / "report.html", html)
    if not quiet:
        print(_terminal_table(comp, headline, labels, report.Numbers(described, tr)))
    return path.resolve()
