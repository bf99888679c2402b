"""``experiment=sensitivity``: which model parameters move which outputs (SALib).

Parameters are chosen by name from :data:`PARAMETERS`, a registry in code that maps a name to the
config paths it sets (``*`` stands for every key of a mapping, e.g. every committee) and its default
range; a run may narrow or widen the range. Outputs are chosen by name among the summary keys of a
run. Morris elementary effects screen by default (cheap: r (k + 1) runs); ``method: sobol`` gives
first-order and total Sobol indices (N (k + 2) runs). Each point is the mean of ``replications``
runs with the same seeds at every point (common random numbers), so that differences between points
come from the parameters, not from the draws.

Writes ``indices.csv`` (output, parameter, indices), ``samples.csv`` (the design and the outputs) and
``figures/sensitivity.png``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from experiments.files import write_text, write_with
from experiments.params import check, options, positive_int
from experiments.table import render
from scenarios import Config, simulate, validate
from sim.errors import ConfigError
from sim.model import RunResult
from sim.streams import replication_seeds


@dataclass(frozen=True)
class Parameter:
    """A named knob: the config paths it acts on, how, and its default range.

    ``mode`` is ``set`` (every path takes the value) or ``scale`` (every path is the preset's value
    times the factor). ``clip`` bounds the resulting values; ``integer`` rounds them.
    """

    paths: tuple[str, ...]
    mode: str
    low: float
    high: float
    doc: str
    integer: bool = False
    clip: tuple[float, float] | None = None


#: name -> Parameter. Ranges are assumptions of ours around the presets' values.
PARAMETERS: dict[str, Parameter] = {
    "committee_capacity": Parameter(
        ("parliament.committees.*.capacity",), "set", 2, 16, "bills each committee examines at once", True
    ),
    "party_discipline": Parameter(
        ("parliament.chambers.*.parties.*.discipline",),
        "scale",
        0.5,
        1.1,
        "factor on every party's discipline (loyalty to the party line)",
        clip=(0.0, 1.0),
    ),
    "vote_noise": Parameter(("parliament.vote_noise",), "set", 0.05, 1.0, "sd of the noise in a vote"),
    "arrival_rate": Parameter(
        ("parliament.initiators.*.rate_per_year", "parliament.arrival_rate"),
        "scale",
        0.5,
        1.5,
        "factor on every initiator's rate of bills",
    ),
    "attendance": Parameter(
        ("parliament.chambers.*.attendance",), "set", 0.7, 1.0, "share of members present at a vote"
    ),
    "agenda_capacity": Parameter(
        ("parliament.chambers.*.agenda_capacity",), "set", 3, 20, "bills voted at one sitting", True
    ),
    "work_time": Parameter(
        ("parliament.stages.*.duration.mean",), "scale", 0.5, 1.5, "factor on every stage's mean duration"
    ),
    "complexity_sd": Parameter(("parliament.complexity_sd",), "set", 0.0, 1.0, "spread of bills' complexity"),
    "veto_tolerance": Parameter(
        ("parliament.head_of_state.veto_tolerance",),
        "set",
        0.3,
        1.2,
        "how far a law may be from the head of state before a return",
    ),
    # Citizens and channels: present only when the scenario has a citizens/ and channels/ preset.
    "digital_access": Parameter(
        ("citizens.urban_access", "citizens.rural_access"),
        "scale",
        0.5,
        1.2,
        "factor on the share of urban and rural residents online",
        clip=(0.0, 1.0),
    ),
    "petition_threshold": Parameter(
        ("channels.petitions.*.threshold",),
        "scale",
        0.2,
        2.0,
        "factor on every e-petition platform's signature threshold",
        True,
    ),
}

METHODS = ("morris", "sobol")
DEFAULTS: dict[str, Any] = {
    "method": "morris",
    "parameters": ["committee_capacity", "party_discipline", "vote_noise", "arrival_rate"],
    "outputs": ["laws_per_year", "passage_rate", "lead_time_median_days"],
    "replications": 2,
    "years": 2.0,
    "trajectories": 10,
    "levels": 4,
    "samples": 64,
}


# -- the registry at work -----------------------------------------------------------------------
def _children(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, dict):
        yield from node.items()
    else:
        yield from ((f, getattr(node, f)) for f in vars(node))


def _get(node: Any, key: Any) -> Any:
    return node.get(key) if isinstance(node, dict) else getattr(node, key, None)


def _set(node: Any, key: Any, value: Any) -> None:
    if isinstance(node, dict):
        node[key] = value
    else:
        setattr(node, key, value)


def leaves(conf: Any, path: str) -> list[tuple[str, Any, Any]]:
    """Every ``(concrete path, container, key)`` that ``path`` names and that holds a number."""
    found: list[tuple[str, Any, Any]] = []

    def walk(node: Any, parts: Sequence[str], at: str) -> None:
        if node is None:
            return
        head, rest = parts[0], parts[1:]
        keys = [k for k, _ in _children(node)] if head == "*" else [head]
        for k in keys:
            sub = f"{at}.{k}" if at else str(k)
            if not rest:
                v = _get(node, k)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    found.append((sub, node, k))
            else:
                walk(_get(node, k), rest, sub)

    walk(conf, path.split("."), "")
    return found


def targets(conf: Config, name: str) -> list[tuple[str, Any, Any]]:
    """The leaves a registered parameter acts on in ``conf``; a ConfigError if there are none."""
    found = [leaf for path in PARAMETERS[name].paths for leaf in leaves(conf, path)]
    if not found:
        where = ", ".join(PARAMETERS[name].paths)
        raise ConfigError("experiment.parameters", name, f"a parameter present in this scenario ({where})")
    return found


def apply(conf: Config, values: dict[str, float]) -> Config:
    """A copy of ``conf`` with each named parameter set to (or scaled by) its value."""
    out = copy.deepcopy(conf)
    for name, value in values.items():
        par = PARAMETERS[name]
        for _, node, key in targets(out, name):
            v = float(value) if par.mode == "set" else _get(node, key) * float(value)
            if par.clip is not None:
                v = min(max(v, par.clip[0]), par.clip[1])
            _set(node, key, round(v) if par.integer else v)
    return out


def run_point(conf: Config, values: dict[str, float], seeds: Sequence[int], years: float) -> list[RunResult]:
    """One run per seed of ``conf`` with ``values`` applied, over ``years``."""
    point = apply(conf, values)
    point.years = years
    return [simulate(point, seed=s) for s in seeds]


# -- settings -----------------------------------------------------------------------------------
def bounds(s: dict[str, Any], key: str = "parameters") -> dict[str, tuple[float, float]]:
    """Named parameters with their ranges: a list of names, or a mapping name -> [low, high] / null."""
    given = s[key]
    if isinstance(given, list):
        given = dict.fromkeys(given)
    check(s, key, isinstance(given, dict) and bool(given), "a list of parameter names or a mapping")
    out: dict[str, tuple[float, float]] = {}
    for name, rng in given.items():
        if name not in PARAMETERS:
            raise ConfigError(f"experiment.{key}", name, f"one of {', '.join(PARAMETERS)}")
        if isinstance(rng, dict):
            rng = [rng.get("low"), rng.get("high")]
        if rng is None:
            rng = [PARAMETERS[name].low, PARAMETERS[name].high]
        ok = isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int | float) for v in rng)
        if not ok or not rng[0] < rng[1]:
            raise ConfigError(f"experiment.{key}.{name}", rng, "null or [low, high] with low < high")
        out[name] = (float(rng[0]), float(rng[1]))
    return out


def settings(cfg: DictConfig, conf: Config) -> dict[str, Any]:
    s = options(cfg.experiment, DEFAULTS)
    check(s, "method", s["method"] in METHODS, f"one of {', '.join(METHODS)}")
    s["bounds"] = bounds(s)
    for name in s["bounds"]:
        targets(conf, name)
    check(s, "outputs", isinstance(s["outputs"], list) and bool(s["outputs"]), "a list of summary keys")
    for key in ("replications", "trajectories"):
        positive_int(s, key)
    positive_int(s, "levels", 2)
    positive_int(s, "samples", 2)
    check(s, "samples", s["samples"] & (s["samples"] - 1) == 0, "a power of 2 (Sobol sequences)")
    check(s, "years", isinstance(s["years"], int | float) and s["years"] > 0, "a positive number")
    check(s, "parameters", s["method"] != "sobol" or len(s["bounds"]) >= 2, "at least 2 for sobol")
    return s


def pilot_outputs(conf: Config, names: list[str], years: float) -> None:
    """Refuse an output that a run's summary does not have (checked on one short run)."""
    keys = set(run_point(conf, {}, [0], years)[0].summary)
    for name in names:
        if name not in keys:
            raise ConfigError("experiment.outputs", name, f"summary keys: {', '.join(sorted(keys))}")


# -- the analysis -------------------------------------------------------------------------------
def design(s: dict[str, Any], problem: dict[str, Any], seed: int) -> np.ndarray:
    if s["method"] == "morris":
        from SALib.sample import morris

        return morris.sample(problem, s["trajectories"], num_levels=s["levels"], seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, s["samples"], calc_second_order=False, seed=seed)


def indices(s: dict[str, Any], problem: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    if s["method"] == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=s["levels"], seed=seed)
        return {k: res[k] for k in ("mu_star", "mu_star_conf", "mu", "sigma")}
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
    return {k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}


def evaluate(
    conf: Config,
    names: list[str],
    x: np.ndarray,
    outputs: list[str],
    seeds: Sequence[int],
    years: float,
    on_point: Callable[[int], None] | None = None,
) -> np.ndarray:
    """(points x outputs): each output's mean over the seeds at each design point (NaN if undefined)."""
    y = np.full((len(x), len(outputs)), np.nan)
    for i, row in enumerate(x):
        runs = run_point(conf, dict(zip(names, row, strict=True)), seeds, years)
        for j, key in enumerate(outputs):
            vals = [r.summary.get(key) for r in runs]
            vals = [v for v in vals if v is not None and not math.isnan(v)]
            y[i, j] = float(np.mean(vals)) if vals else np.nan
        if on_point is not None:
            on_point(i)
    return y


def plot(table: pd.DataFrame, s: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid")
    value, err = ("mu_star", "mu_star_conf") if s["method"] == "morris" else ("ST", "ST_conf")
    outs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(1, len(outs), figsize=(4.2 * len(outs), 0.5 * len(s["bounds"]) + 2.2))
    for ax, out in zip(np.atleast_1d(axes), outs, strict=True):
        part = table[table["output"] == out].sort_values(value)
        ax.barh(part["parameter"], part[value], xerr=part[err], color="C0", alpha=0.8)
        ax.set_title(out)
        ax.set_xlabel("Morris mu* (abs. elementary effect)" if value == "mu_star" else "total Sobol index")
    fig.suptitle(f"Sensitivity ({s['method']})")
    fig.tight_layout()
    write_with(path, lambda p: fig.savefig(p, format="png", dpi=120))
    plt.close(fig)


def analyse(conf: Config, s: dict[str, Any], seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indices table (a row per output x parameter) and the evaluated design."""
    names = list(s["bounds"])
    problem = {"num_vars": len(names), "names": names, "bounds": [list(s["bounds"][n]) for n in names]}
    x = design(s, problem, seed)
    seeds = replication_seeds(seed, s["replications"])
    y = evaluate(conf, names, x, s["outputs"], seeds, float(s["years"]))
    rows = []
    for j, out in enumerate(s["outputs"]):
        col = y[:, j]
        undefined = int(np.isnan(col).sum())
        if undefined == len(col):
            raise ConfigError("experiment.outputs", out, "an output defined in at least one run")
        col = np.where(np.isnan(col), np.nanmean(col), col)  # undefined (e.g. no law): the mean
        res = indices(s, problem, x, col, seed)
        for k, name in enumerate(names):
            row = {"output": out, "parameter": name, **{m: float(v[k]) for m, v in res.items()}}
            rows.append({**row, "undefined_points": undefined})
    samples = pd.DataFrame(x, columns=names).assign(**{o: y[:, j] for j, o in enumerate(s["outputs"])})
    return pd.DataFrame(rows), samples


def run(cfg: DictConfig, out: Path) -> dict[str, Any]:
    """Sample, run, analyse; write the indices, the design and the plot."""
    conf = validate(cfg)
    s = settings(cfg, conf)
    pilot_outputs(conf, s["outputs"], float(s["years"]))
    table, samples = analyse(conf, s, int(cfg.seed))
    write_text(out / "indices.csv", table.to_csv(index=False))
    write_text(out / "samples.csv", samples.to_csv(index=False))
    plot(table, s, out / "figures" / "sensitivity.png")
    if not cfg.get("quiet", False):
        cols = [c for c in table.columns if c not in ("output", "parameter", "undefined_points")]
        rows = [[f"{r.output} / {r.parameter}", *(getattr(r, c) for c in cols)] for r in table.itertuples()]
        print(f"{s['method']} sensitivity, {len(samples)} points x {s['replications']} replications")
        print(render(rows, header=["output / parameter", *cols]))
        print(f"indices: {out / 'indices.csv'}")
    return {"method": s["method"], "points": len(samples), "indices": table.to_dict(orient="records")}
