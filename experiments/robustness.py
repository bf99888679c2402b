"""``experiment=robustness``: does each finding hold across the plausible worlds?

A world gives every assumed number of the compared scenarios' presets one value from its declared
range (:mod:`experiments.worlds`); world 0 is the presets themselves. In each world every scenario
runs ``replications`` replications with the same seeds (common random numbers, also the same in
every world), all worlds x scenarios x replications in one pool (:func:`experiments.replicate.run_tasks`).

Per world, metric and scenario other than the baseline, the paired difference from the baseline over
the replications is classified (:func:`classify`): a Student-t interval at level ``1 - alpha`` that
lies above zero means higher, below zero lower, otherwise indistinguishable; higher or lower is
better or worse by the metric's ``better`` direction (metrics without one stay higher/lower). The
shares of worlds in each class, the effect's median and range across worlds, and the assumptions that
decide where the commonest class fails (:func:`experiments.discovery.prim`) make ``robustness.csv``.

Each world's replications are kept in ``worlds/wNNNN/<scenario>/`` (records only, no ledger): the
same command on the same folder resumes, and refuses a folder holding another design.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from omegaconf import DictConfig, OmegaConf

from configs import CONFIGS
from experiments.compare import fingerprint_of
from experiments.compare_spec import HEADLINE, REFORM
from experiments.files import own_folder
from experiments.manifest import resolved
from experiments.params import check, distinct_names, options, positive_int, workers
from experiments.pool import BACKENDS, PoolSpec
from experiments.replicate import Task, pending
from experiments.worlds import (
    SAMPLERS,
    Assumption,
    apply,
    apply_typed,
    design,
    held_paths,
    space,
    taken,
    values,
)
from scenarios import Config, ConfigError, validate
from scenarios.allowlist import check_instantiable
from sim.engine.streams import replication_seeds

KIND = "robustness"
#: The reform comparison's scenarios, the rules in force first (its baseline).
SCENARIOS = REFORM
#: The experiment's preset: its ``same:`` ties are the defaults (:data:`SAME`).
PRESET = CONFIGS / "experiment" / "robustness.yaml"
#: The default ties: the Kurultai's numbers "as the Mazhilis" and the committees' capacities (one
#: assumption in the presets), each at the quantile of the number it names. Read from the preset,
#: the one place they are written; each applies only where both numbers are declared.
SAME: dict[str, str] = OmegaConf.to_container(OmegaConf.load(PRESET))["same"]  # type: ignore[index,assignment]
#: Files the analysis writes (``report.html`` last); removed first when a run starts.
OUTPUTS = ("report.html", "robustness.csv", "effects.csv", "worlds.csv", "assumptions.csv", "manifest.json")
FIGURES = "figures"
WORLDS = "worlds"
#: The outcomes of a world's comparison.
BETTER, WORSE, HIGHER, LOWER, UNCLEAR = "better", "worse", "higher", "lower", "unclear"


@dataclass(frozen=True)
class RobustnessSpec:
    """The ``experiment:`` parameters of a robustness run."""

    worlds: int = 64
    replications: int = 5
    sampler: str = "lhs"
    scenarios: tuple[str, ...] = SCENARIOS
    baseline: str = "kz_bicameral_2023"
    metrics: tuple[str, ...] = HEADLINE
    same: tuple[tuple[str, str], ...] = tuple(SAME.items())
    alpha: float = 0.05  # 1 - level of each world's paired interval
    holds: float = 0.9  # a finding holds across worlds when its class has at least this share
    workers: int = 0
    backend: str = "local"
    scheduler: str | None = None
    title: str = "Robustness of the reform comparison across plausible worlds"

    @property
    def pool_spec(self) -> PoolSpec:
        return PoolSpec(self.backend, self.workers, self.scheduler)


def robustness_spec(node: Any) -> RobustnessSpec:
    """Check the ``experiment`` node of a robustness run; ``ConfigError`` names the first problem."""
    if isinstance(node, DictConfig):
        check_instantiable(node, "experiment")
    defaults = {**asdict(RobustnessSpec()), "scenarios": list(SCENARIOS), "metrics": list(HEADLINE)}
    defaults["same"] = dict(SAME)
    s = options(node, defaults)
    positive_int(s, "worlds", 2)
    positive_int(s, "replications", 2)
    workers(s)
    check(s, "sampler", s["sampler"] in SAMPLERS, f"one of {', '.join(SAMPLERS)}")
    check(s, "backend", s["backend"] in BACKENDS, f"one of {', '.join(BACKENDS)}")
    check(
        s,
        "scheduler",
        s["scheduler"] is None or (isinstance(s["scheduler"], str) and s["backend"] == "dask"),
        "null, or with experiment.backend=dask the address of a Dask scheduler",
    )
    names = distinct_names(s, "scenarios", "scenario names", 2)
    check(s, "baseline", s["baseline"] in names, f"one of the scenarios ({', '.join(names)})")
    metrics = distinct_names(s, "metrics", "metric names")
    same = s["same"] if s["same"] is not None else {}
    ok = isinstance(same, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in same.items())
    check(s, "same", ok, "a mapping of config paths to the path whose quantile each takes")
    for key, lo, hi in (("alpha", 0.0, 0.5), ("holds", 0.5, 1.0)):
        v = s[key]
        ok = isinstance(v, int | float) and not isinstance(v, bool) and lo < v <= hi
        check(
            s,
            key,
            ok and (key != "alpha" or v < hi),
            f"a number in ({lo}, {hi}{')' if key == 'alpha' else ']'}",
        )
    check(s, "title", isinstance(s["title"], str), "a string")
    return RobustnessSpec(
        **{**s, "scenarios": tuple(names), "metrics": tuple(metrics), "same": tuple(same.items())}
    )


# -- the scenarios and their worlds --------------------------------------------------------------
Composer = Callable[[list[str]], DictConfig]


def scenario_options() -> list[str]:
    """The scenario configs Hydra can find (ours and a ``--config-dir``'s)."""
    from hydra.core.global_hydra import GlobalHydra

    return GlobalHydra.instance().hydra.config_loader.get_group_options("scenario")  # type: ignore[union-attr]


def compose_scenarios(
    spec: RobustnessSpec, overrides: Sequence[str], compose: Composer
) -> dict[str, DictConfig]:
    """Each compared scenario's config: the command's overrides with ``+scenario=<name>``."""
    from hydra.errors import MissingConfigException

    given = [o for o in overrides if o.split("=", 1)[0].lstrip("+~") != "scenario"]
    out = {}
    for name in spec.scenarios:
        # Composed first: a scenario of the user's --config-dir is found where Hydra finds it.
        try:
            cfg = compose([*given, f"+scenario={name}"])
        except MissingConfigException:
            known = ", ".join(scenario_options())
            raise ConfigError(
                "experiment.scenarios", name, f"a scenario config: one of {known}, or one in --config-dir"
            ) from None
        if "hydra" in cfg:
            from omegaconf import open_dict, read_write

            from experiments.composition import check_scenario_choices

            check_scenario_choices(cfg)  # parliament=X beside the scenarios ran each under X

            with read_write(cfg), open_dict(cfg):
                del cfg["hydra"]
        out[name] = cfg
    return out


@dataclass
class Design:
    """What a robustness run does: the scenarios, the assumed numbers, every world's values, the
    seeds, and one task per world x scenario x replication."""

    spec: RobustnessSpec
    configs: dict[str, Config]
    assumptions: list[Assumption]
    worlds: list[dict[str, Any]]
    seeds: list[int]
    tasks: list[Task]
    #: Every world's checked config of every scenario (world 0: the presets').
    typed: list[dict[str, Config]] = field(default_factory=list)


def world_folder(out: Path, world: int, scenario: str) -> Path:
    return Path(out) / WORLDS / f"w{world:04d}" / scenario


def plan(
    spec: RobustnessSpec,
    cfgs: dict[str, DictConfig],
    seed: int,
    out: Path | None,
    checked: Design | None = None,
) -> Design:
    """Check every world of every scenario and make its tasks (``out``: None makes none).

    ``checked``: the same design already checked (by the check before the run, from the same
    compositions and seed): its worlds' configs are taken as they are, not sampled and checked again.
    """
    from scenarios import cost as costs

    costs.check_points("experiment.worlds", spec.worlds * len(cfgs), "worlds x scenarios")
    # before the seeds are drawn: 10 million replications' seeds ran out of memory before any refusal
    costs.check_points(
        "experiment.replications",
        spec.worlds * len(cfgs) * spec.replications,
        "runs (worlds x scenarios x replications)",
    )
    seeds = replication_seeds(seed, spec.replications)
    data = {n: resolved(c) for n, c in cfgs.items()}
    reused = checked if checked is not None and checked.spec == spec and checked.seeds == seeds else None
    if reused is not None:
        configs, assumptions, worlds = reused.configs, reused.assumptions, reused.worlds
    else:
        configs = {n: validate(c) for n, c in cfgs.items()}
        assumptions = space(configs, data, dict(spec.same), optional=SAME.items(), baseline=spec.baseline)
        worlds = values(assumptions, design(assumptions, spec.worlds, spec.sampler, seed))
    held = {n: held_paths(assumptions, n) for n in spec.scenarios}
    # every world's config checked, with a folder or without
    typed = (
        reused.typed
        if reused is not None
        else [
            {n: apply_typed(configs[n], taken(world, held[n])) if w else configs[n] for n in spec.scenarios}
            for w, world in enumerate(worlds)
        ]
    )
    tasks: list[Task] = []
    for w, world in enumerate(worlds if out is not None else []):
        for name in spec.scenarios:
            fp = fingerprint_of(apply(data[name], taken(world, held[name])) if w else data[name])
            tasks += [
                Task(t.config, t.seed, t.index, t.folder, t.fingerprint, False, name)
                for t in pending(typed[w][name], seeds, world_folder(out, w, name), fp, ledger=False)
            ]
    return Design(spec, configs, assumptions, worlds, seeds, tasks, typed)


class Checked(NamedTuple):
    """What the check before a run made of a robustness command, for the job to take: the
    command's task overrides, the scenarios' compositions and the checked design."""

    overrides: list[str]
    scenarios: dict[str, DictConfig]
    design: Design


def estimate(design: Design) -> Any:
    """The cost of the run: every scenario's runs in every world, each at its world's sizes (a range
    on a rate or on the citizens' subgroups makes some worlds costlier than the presets)."""
    from scenarios import cost as costs

    spec, total = design.spec, costs.Estimate()
    what = [f"{spec.worlds} worlds x {spec.replications} runs"]
    for name in spec.scenarios:
        part = costs.Estimate()
        for world in design.typed:
            part = part + costs.estimate(world[name], spec.replications)
        total = total + replace(part, what=what)
    return total


# -- the classification ---------------------------------------------------------------------------
def classify(
    diffs: Sequence[float] | np.ndarray, better: str, alpha: float = 0.05, p_value: float | None = None
) -> dict[str, Any]:
    """A world's paired differences (scenario minus baseline, one per shared seed; NaN dropped):
    mean, its Student-t interval at ``1 - alpha``, the paired t-test's p-value and the outcome.

    The interval above zero: higher; below: lower; containing zero, or fewer than two pairs:
    unclear. Higher is better when ``better == "higher"``, worse when ``"lower"``; with ``"none"``
    the outcome stays higher or lower. Zero spread: the interval is the mean itself, and the exact
    sign test decides (:func:`experiments.stats.paired_p`: five equal pairs are not enough at 5%).
    ``p_value``: the test's, computed already (:func:`p_values`).
    """
    from experiments.stats import paired_p, t_interval

    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    mean, low, high = t_interval(d, 1.0 - alpha)
    constant = d.size >= 2 and float(np.ptp(d)) == 0.0
    p = p_value if p_value is not None and not constant else paired_p(d)
    direction = HIGHER if low > 0 else LOWER if high < 0 else UNCLEAR
    if constant and not p < alpha:  # the same difference in a few pairs: the sign test decides
        direction = UNCLEAR
    outcome = direction
    if direction != UNCLEAR and better in (HIGHER, LOWER):
        outcome = BETTER if direction == better else WORSE
    return {
        "pairs": int(d.size),
        "effect": mean,
        "low": low,
        "high": high,
        "p_value": p,
        "direction": direction,
        "outcome": outcome,
    }


def p_values(diffs: np.ndarray) -> list[float | None]:
    """The paired t-tests' p-values of many worlds' differences (rows) in one call, the same numbers
    as one call a row (``None`` for a row with a missing value or no spread: :func:`classify` sees
    to those)."""
    from scipy import stats as st

    out: list[float | None] = [None] * len(diffs)
    if diffs.ndim != 2 or diffs.shape[1] < 2:
        return out
    ok = ~np.isnan(diffs).any(axis=1) & (np.ptp(diffs, axis=1) > 0)
    if ok.any():
        tested = st.ttest_1samp(diffs[ok], 0.0, axis=1).pvalue.tolist()
        for i, p in zip(np.flatnonzero(ok).tolist(), tested, strict=True):
            out[i] = p
    return out


# -- the analysis -----------------------------------------------------------------------------------
def records(out: Path, d: Design) -> Any:
    """Every finished replication of every world and scenario: world, scenario, replication, seed
    and the summary metrics."""
    import pandas as pd

    from experiments.replicate import load_records

    rows = []
    for w in range(len(d.worlds)):
        for name in d.spec.scenarios:
            for r in load_records(world_folder(out, w, name)):
                if r["replication"] < len(d.seeds):
                    rows.append(
                        {
                            "world": w,
                            "scenario": name,
                            "replication": r["replication"],
                            "seed": r["seed"],
                            **r["summary"],
                        }
                    )
    return pd.DataFrame(rows)


def effects(runs: Any, d: Design, described: Any) -> Any:
    """``effects.csv``: per world, metric and scenario other than the baseline, the classified
    paired difference from the baseline (:func:`classify`)."""
    import pandas as pd

    spec = d.spec
    metrics = [m for m in spec.metrics if m in runs.columns]
    # Each scenario's runs beside the baseline's of the same world and seed, in the runs' order.
    by = {name: g for name, g in runs.groupby("scenario", sort=False)}
    base = by[spec.baseline][["world", "seed", *metrics]]
    blocks = []
    for name in spec.scenarios:
        if name == spec.baseline or name not in by:
            continue
        both = by[name][["world", "seed", *metrics]].merge(base, on=["world", "seed"], suffixes=("", " base"))
        worlds = both["world"].to_numpy()
        starts = np.flatnonzero(np.r_[True, worlds[1:] != worlds[:-1]])
        ends = np.r_[starts[1:], len(worlds)]
        for m in metrics:
            better = described.describe(m).better
            av, bv = both[m].to_numpy(dtype=float), both[f"{m} base"].to_numpy(dtype=float)
            diffs = av - bv
            rows = [diffs[i:j] for i, j in zip(starts, ends, strict=True)]
            even = len({len(r) for r in rows}) == 1 and rows
            ps = p_values(np.vstack(rows)) if even else [None] * len(rows)
            for w, i, j, row, p in zip(worlds[starts].tolist(), starts, ends, rows, ps, strict=True):
                bw = bv[i:j]
                blocks.append(
                    {
                        "world": int(w),
                        "metric": m,
                        "scenario": name,
                        "baseline": spec.baseline,
                        "baseline_mean": float(np.nanmean(bw)) if np.isfinite(bw).any() else np.nan,
                        **classify(row, better, spec.alpha, p),
                    }
                )
    order = {(m, n): k for k, (n, m) in enumerate((n, m) for n in spec.scenarios for m in metrics)}
    blocks.sort(key=lambda r: (r["world"], order[(r["metric"], r["scenario"])]))
    return pd.DataFrame(blocks)


def _x(d: Design) -> tuple[np.ndarray, list[str]]:
    """The worlds' values of the assumptions that move on their own (followers, and numbers no
    scenario takes from a world, left out)."""
    free = [a for a in d.assumptions if a.follows is None and a.varied]
    x = np.array([[np.nan if w[a.path] is None else float(w[a.path]) for a in free] for w in d.worlds])
    for j, a in enumerate(free):  # world 0 where the presets differ: the middle of the range
        x[np.isnan(x[:, j]), j] = (a.low + a.high) / 2
    return x, [a.path for a in free]


#: Shuffles of the effects among the worlds that tell a top rank correlation from chance: enough for
#: the smallest permutation p-value (1 / 1000) to pass once the run's findings are told from chance
#: together (24 of them at 5% ask 0.05 / 24 of the strongest).
SHUFFLES = 999
#: The level at which the assumptions the findings name are told from chance, over all of them.
ALPHA_TOP = 0.05


def _spearman(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, float]:
    """Rank correlation of ``y`` with each column of ``x`` (NaN in ``y`` dropped), and the
    permutation p-value of the largest in size: how often the largest over every column reaches it
    when ``y`` is shuffled among the worlds (:data:`SHUFFLES` times). Over 166 assumptions the
    largest of chance correlations is about 0.36 with 64 worlds, so the top one alone means little."""
    from scipy.stats import rankdata

    ok = ~np.isnan(y)
    if ok.sum() < 3 or np.ptp(y[ok]) == 0 or x.shape[1] == 0:
        return np.zeros(x.shape[1]), 1.0
    rx = rankdata(x[ok], axis=0)
    rx -= rx.mean(axis=0)
    ry = rankdata(y[ok])
    ry -= ry.mean()
    norm_x = np.sqrt((rx**2).sum(axis=0))
    rng = np.random.default_rng(seed)
    ys = np.vstack([ry, [rng.permutation(ry) for _ in range(SHUFFLES)]])
    den = norm_x * np.sqrt((ry**2).sum())
    rho = np.where(den > 0, (ys @ rx) / np.where(den > 0, den, 1), 0.0)
    top = np.abs(rho).max(axis=1)
    return rho[0], float((1 + np.count_nonzero(top[1:] >= top[0] - 1e-12)) / (SHUFFLES + 1))


def table(eff: Any, d: Design, described: Any, seed: int) -> Any:
    """``robustness.csv``: per metric and scenario, the shares of worlds in each class, the effect
    across worlds, the commonest class (the finding) and the assumptions that decide where it fails."""
    import pandas as pd

    from experiments.discovery import prim

    x, names = _x(d)
    rows = []
    for (m, name), g in eff.groupby(["metric", "scenario"], sort=False):
        g = g.sort_values("world")
        meta = described.describe(m)
        n = len(g)
        share = {k: float((g["outcome"] == k).mean()) for k in (BETTER, WORSE, HIGHER, LOWER, UNCLEAR)}
        directions = {k: float((g["direction"] == k).mean()) for k in (HIGHER, LOWER)}
        counts = g["outcome"].value_counts()
        finding = max(counts.index, key=lambda k: (counts[k], k == UNCLEAR, k))
        fails = (g["outcome"] != finding).to_numpy()
        box, box_p = (None, np.nan)
        if fails.any():
            box, box_p = prim(x[g["world"].to_numpy()], fails, names, seed=seed)
        y = g["effect"].to_numpy(dtype=float)
        rho, top_p = _spearman(x[g["world"].to_numpy()], y, seed)
        top = int(np.argmax(np.abs(rho))) if len(rho) else 0
        defined = y[~np.isnan(y)]
        preset = g[g["world"] == 0]
        has_dir = meta.better in (HIGHER, LOWER)
        rows.append(
            {
                "metric": m,
                "scenario": name,
                "baseline": d.spec.baseline,
                "unit": meta.unit,
                "better": meta.better,
                "worlds": n,
                "replications": d.spec.replications,
                "worlds_undefined": int(n - defined.size),
                "share_better": share[BETTER] if has_dir else np.nan,
                "share_worse": share[WORSE] if has_dir else np.nan,
                "share_unclear": share[UNCLEAR],
                "share_higher": directions[HIGHER],
                "share_lower": directions[LOWER],
                "finding": finding,
                "finding_share": float(counts[finding] / n),
                # a measure no world gives a value (too short a run) is "indistinguishable"
                # everywhere by the rule, and holds nowhere: there is nothing to hold
                "holds": bool(defined.size and counts[finding] / n >= d.spec.holds),
                "holds_at": d.spec.holds,
                "preset_outcome": preset["outcome"].iloc[0] if len(preset) else UNCLEAR,
                "preset_effect": float(preset["effect"].iloc[0]) if len(preset) else np.nan,
                "effect_median": float(np.median(defined)) if defined.size else np.nan,
                "same_side": float(max(np.mean(defined > 0), np.mean(defined < 0)))
                if defined.size
                else np.nan,
                "effect_min": float(defined.min()) if defined.size else np.nan,
                "effect_max": float(defined.max()) if defined.size else np.nan,
                "effect_q05": float(np.quantile(defined, 0.05)) if defined.size else np.nan,
                "effect_q95": float(np.quantile(defined, 0.95)) if defined.size else np.nan,
                "deciding_assumptions": box.describe() if box is not None else "",
                "deciding_paths": "; ".join(sorted(box.limits, key=lambda k: box.quasi_p[k])) if box else "",
                "box_coverage": box.coverage if box is not None else np.nan,
                "box_density": box.density if box is not None else np.nan,
                "box_p_value": box_p,
                "top_assumption": names[top] if names and defined.size else "",
                "top_rank_correlation": float(rho[top]) if len(rho) else np.nan,
                "top_p_value": top_p if len(rho) and defined.size else np.nan,
            }
        )
    return beyond_chance(pd.DataFrame(rows))


#: What a box names when it does not beat chance over the run's findings.
NO_BOX = {"deciding_assumptions": "", "deciding_paths": "", "box_coverage": np.nan, "box_density": np.nan}


def beyond_chance(robust: Any) -> Any:
    """The assumptions the findings name, told from chance over all of the run's findings together:
    each finding's permutation p-values (its PRIM box's, its top rank correlation's) turned into
    Benjamini & Hochberg's q-values over every finding of the run that has one (``box_q_value``,
    ``top_q_value``). A box whose q-value is above :data:`ALPHA_TOP` is dropped, and a top
    correlation is named only where ``top_beyond_chance``. Tested one by one at 5%, about one of 24
    findings would name an assumption by chance alone when none matters; among the names kept,
    about one in 20 at most is chance's."""
    from experiments.stats import fdr

    if not len(robust):
        return robust
    for name in ("box", "top"):
        p = robust[f"{name}_p_value"].to_numpy(dtype=float)
        robust.insert(robust.columns.get_loc(f"{name}_p_value") + 1, f"{name}_q_value", fdr(p))
    chance = ~(robust["box_q_value"].to_numpy(dtype=float) <= ALPHA_TOP)
    for column, value in NO_BOX.items():
        robust.loc[chance, column] = value
    robust["top_beyond_chance"] = robust["top_q_value"].to_numpy(dtype=float) <= ALPHA_TOP
    return robust


def assumptions_table(d: Design, robust: Any) -> Any:
    """``assumptions.csv``: every assumed number, its range, its preset value per scenario, the path
    it follows, and in how many findings it decides or moves the effect most."""
    import pandas as pd

    tops = list(robust["top_assumption"][robust["top_beyond_chance"]]) if len(robust) else []
    deciding = [p for b in (robust["deciding_paths"] if len(robust) else []) for p in b.split("; ") if p]
    rows = []
    for a in d.assumptions:
        rows.append(
            {
                "path": a.path,
                "low": a.low,
                "high": a.high,
                "integer": a.integer,
                "presets": json.dumps(a.presets, sort_keys=True),
                "scenarios": len(a.presets),
                "follows": a.follows or "",
                "held_in": "; ".join(a.held),
                "varied": a.varied,
                "deciding_in": deciding.count(a.path),
                "top_in": tops.count(a.path),
            }
        )
    return pd.DataFrame(rows)


# -- the run ----------------------------------------------------------------------------------------
def clear_outputs(out: Path) -> None:
    """Remove a previous analysis (report first); the worlds' replications stay (resumed). A
    ``figures`` that is a link is refused before anything is removed: its files are not the run's."""
    own_folder(Path(out) / FIGURES)
    for name in OUTPUTS:
        (Path(out) / name).unlink(missing_ok=True)
    for png in (Path(out) / FIGURES).glob("robustness_*.png"):
        png.unlink()


def labels_of(cfgs: dict[str, DictConfig]) -> dict[str, str]:
    """A scenario's label: its reform's, else its name."""
    out = {}
    for name, cfg in cfgs.items():
        reform = cfg.get("reform")
        out[name] = str(reform.get("label") or name) if reform is not None else name
    return out


def analyse(
    out: Path, d: Design, cfgs: dict[str, DictConfig], manifest: dict[str, Any], lang: str
) -> tuple[Path, str]:
    """Read the worlds' replications, classify, discover, draw and write every output, the report
    last: its path, and the findings for the terminal in the run's language."""
    import pandas as pd

    from experiments import catalog
    from experiments.files import write_figures, write_json, write_tables, write_text
    from experiments.i18n import translator
    from experiments.robustness_report import effects_figure, render, shares, summary

    tr = translator(lang)
    described = catalog.load(world_folder(out, 0, n) for n in d.spec.scenarios)
    runs = records(out, d)
    missing = [m for m in d.spec.metrics if m not in runs.columns and m not in HEADLINE]
    if missing:
        raise ConfigError("experiment.metrics", missing[0], "a metric these scenarios report")
    shown = tuple(m for m in d.spec.metrics if m in runs.columns)  # a headline one where reported
    if shown != d.spec.metrics:
        d = replace(d, spec=replace(d.spec, metrics=shown))
    eff = effects(runs, d, described)
    robust = table(eff, d, described, int(manifest["seed"]))
    assumptions = assumptions_table(d, robust)
    worlds = pd.DataFrame([{"world": w, **v} for w, v in enumerate(d.worlds)])
    labels = {name: tr.name("label", label) for name, label in labels_of(cfgs).items()}
    figs = [shares(robust, labels, described, tr)]
    extra = effects_figure(robust, eff, worlds, labels, described, tr)
    figs += [extra] if extra is not None else []
    html = render(
        title=d.spec.title,
        robust=robust,
        assumptions=assumptions,
        labels=labels,
        described=described,
        figures=figs,
        manifest=manifest,
        tr=tr,
    )
    (out / "report.html").unlink(missing_ok=True)
    tables = {
        "robustness.csv": robust,
        "effects.csv": eff,
        "worlds.csv": worlds,
        "assumptions.csv": assumptions,
    }
    write_tables(out, tables)
    write_figures(out / FIGURES, figs)
    write_json(out / "manifest.json", {**manifest, "figures": [f"{FIGURES}/{f.name}.png" for f in figs]})
    path = write_text(out / "report.html", html).resolve()
    return path, summary(robust, labels, described, d.spec.title, tr)


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Check, sample the worlds, run every replication in one pool, analyse and report."""
    from hydra import compose
    from hydra.core.hydra_config import HydraConfig

    from experiments.composition import take
    from experiments.manifest import command_line, git_revision, model_code, now, versions
    from experiments.replicate import run_tasks

    spec = robustness_spec(cfg.experiment)
    hc = HydraConfig.get()
    task = list(hc.overrides.task)
    made: Checked | None = take(KIND)  # the check's compositions and worlds
    if made is not None and made.overrides == task:  # made from the same command line
        cfgs, checked = made.scenarios, made.design
    else:
        cfgs, checked = compose_scenarios(spec, task, lambda ov: compose("config", overrides=ov)), None
    # every world checked (here, or by the check), folders refused, before anything is written
    d = plan(spec, cfgs, int(conf.seed), out, checked)
    clear_outputs(out)
    run_tasks(d.tasks, spec.pool_spec, desc=f"{spec.worlds} worlds x {len(cfgs)} scenarios", quiet=conf.quiet)
    manifest = {
        "kind": KIND,
        "title": spec.title,
        "created": now(),
        "command": command_line(task, [], hc.runtime.config_sources),
        "seed": int(conf.seed),
        "years": conf.years,
        "worlds": spec.worlds,
        "replications": spec.replications,
        "sampler": spec.sampler,
        "scenarios": list(spec.scenarios),
        "baseline": spec.baseline,
        "metrics": list(spec.metrics),
        "alpha": spec.alpha,
        "holds": spec.holds,
        "same": dict(spec.same),
        "seeds": d.seeds,
        "git": git_revision(),
        "model_code": model_code(),
        "versions": versions(),
    }
    path, findings = analyse(out, d, cfgs, manifest, conf.lang)
    if not conf.quiet:
        print(findings)
        print(f"report: {path}")
    return {"worlds": spec.worlds, "ran": len(d.tasks), "report": str(path)}
