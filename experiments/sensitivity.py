"""``experiment=sensitivity``: which model parameters move which outputs (SALib).

Parameters are chosen by name from :data:`scenarios.parameters.PARAMETERS` (typed, with their
default ranges and units); a run may narrow or widen the range. Outputs are chosen by name among
the summary keys of a run. Morris elementary effects screen by default (cheap: r (k + 1) runs);
``method: sobol`` gives
first-order and total Sobol indices (N (k + 2) runs). Each point is the mean of ``replications``
runs with the same seeds at every point (common random numbers), so that differences between points
come from the parameters, not from the draws. The outputs a window can measure (laws and bills a
year, the passage rate, the median lead time: ``sim.metrics.window_moments``) are measured after a
warm-up (``warmup`` years, the first by default): a parliament that starts with no bill on its books
fills during its first year, and a parameter that only changes how fast it fills would otherwise
read as one that changes its throughput.

Writes ``indices.csv`` (output, parameter, indices), ``samples.csv`` (the design as run, integers
rounded, and the outputs) and ``figures/sensitivity.png``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from experiments.files import mark_kind, write_text, write_with
from experiments.params import check, distinct_names, options, positive_int
from experiments.progress import Ticker
from experiments.table import render
from scenarios import Config, simulate
from scenarios.errors import ConfigError, counted
from scenarios.parameters import PARAMETERS, apply, targets
from sim.engine.model import RunResult
from sim.engine.streams import replication_seeds
from sim.metrics import WARMUP_DAYS, WINDOW_MOMENTS, window_moments

METHODS = ("morris", "sobol")
DEFAULTS: dict[str, Any] = {
    "method": "morris",
    "parameters": ["committee_capacity", "party_discipline", "vote_noise", "arrival_rate"],
    "outputs": ["laws_per_year", "passage_rate", "lead_time_median_days"],
    "replications": 2,
    "years": 3.0,
    "warmup": WARMUP_DAYS / 365.0,
    "trajectories": 10,
    "levels": 4,
    "samples": 64,
}


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
    distinct_names(s, "outputs", "summary keys")
    positive_int(s, "replications")
    positive_int(s, "trajectories", 2)  # one gives no spread of the effects, nor an interval
    positive_int(s, "levels", 2)
    positive_int(s, "samples", 2)
    check(s, "samples", s["samples"] & (s["samples"] - 1) == 0, "a power of 2 (Sobol sequences)")
    check(s, "years", isinstance(s["years"], int | float) and s["years"] > 0, "a positive number")
    check(
        s,
        "warmup",
        isinstance(s["warmup"], int | float) and 0 <= s["warmup"] < s["years"],
        f"a number of years from 0 to below experiment.years ({s['years']:g})",
    )
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


def bootstrap_seed(seed: int) -> int:
    """The seed of Sobol's bootstrap intervals: SALib's ``sobol.analyze`` takes a seed of 0 for none
    and draws them unseeded (two runs of seed 0 gave other intervals), so 0 is moved off 0."""
    return seed + 1


def ran(names: list[str], x: np.ndarray) -> np.ndarray:
    """The design ``x`` as the model runs it: an integer set by a point is rounded (``runs_at``)."""
    out = np.array(x, dtype=float)
    for j, name in enumerate(names):
        out[:, j] = [PARAMETERS[name].runs_at(v) for v in x[:, j]]
    return out


def steps(design: np.ndarray, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each step of each Morris trajectory of ``design``: the parameter it moves (each moves once a
    trajectory), and by how much the points ran with (``runs``, see :func:`ran`); both (trajectory x
    step)."""
    k = design.shape[1]
    moved = np.abs(np.diff(design.reshape(-1, k + 1, k), axis=1)).argmax(axis=2)
    ran_step = np.diff(runs.reshape(-1, k + 1, k), axis=1)
    return moved, np.take_along_axis(ran_step, moved[..., None], axis=2)[..., 0]


def elementary_effects(design: np.ndarray, runs: np.ndarray, y: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """(parameters x trajectories) Morris elementary effects: each step's change of ``y`` over its
    parameter's change as a share of the parameter's range (``spans``), the change the points ran
    with (``runs``, see :func:`ran`). Where nothing is rounded, every step is the design's nominal
    one and these are SALib's (tested); an integer's levels fall between whole numbers, so its
    steps run a little shorter or longer than nominal, and dividing by the nominal step, as SALib
    does, misreads its effects by as much (committee capacity 2-16 on 4 levels: steps of 9, not
    9.33). A step that rounding makes no step at all is refused before anything runs
    (:func:`check_steps`)."""
    moved, step = steps(design, runs)
    r, k = moved.shape
    ee = np.empty((k, r))
    ee[moved, np.arange(r)[:, None]] = np.diff(y.reshape(r, k + 1), axis=1) / (step / spans[moved])
    return ee


def check_steps(names: list[str], design: np.ndarray, bounds: dict[str, tuple[float, float]]) -> None:
    """Refuse an integer parameter whose range is too narrow for the levels: a step of the design
    that rounds to no change has no elementary effect."""
    moved, step = steps(design, ran(names, design))
    still = moved[step == 0]
    if still.size:
        j = int(still.min())  # the first such parameter, in the order given
        raise ConfigError(
            f"experiment.parameters.{names[j]}",
            [int(v) if float(v).is_integer() else v for v in bounds[names[j]]],
            "a range whose design steps stay apart once rounded to whole numbers (widen it, or use "
            "fewer experiment.levels)",
        )


def morris_indices(ee: np.ndarray, seed: int, resamples: int = 100, level: float = 0.95) -> dict:
    """μ*, its bootstrap half-interval, μ and σ of each parameter's elementary effects, as SALib's
    ``morris.analyze`` gives them from the same effects and seed (the same resamples), and how many
    effects each averages (``effects``): an effect left undefined (NaN: a step to or from a point
    whose output is undefined) is left out, and a parameter with fewer than two has no indices."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    out = {k: np.full(len(ee), np.nan) for k in ("mu_star", "mu_star_conf", "mu", "sigma")}
    out["effects"] = np.zeros(len(ee), dtype=np.int64)
    for j, row in enumerate(ee):
        row = row[~np.isnan(row)]
        out["effects"][j] = n = len(row)
        if n < 2:
            continue
        resampled = np.abs(row[rng.integers(n, size=(resamples, n))]).mean(axis=1)
        out["mu_star_conf"][j] = norm.ppf(0.5 + level / 2) * resampled.std(ddof=1)
        out["mu_star"][j], out["mu"][j], out["sigma"][j] = np.abs(row).mean(), row.mean(), row.std(ddof=1)
    return out


def indices(s: dict[str, Any], problem: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    """The method's indices of ``y`` over the design ``x`` (as sampled; Morris reads the steps the
    points ran with)."""
    if s["method"] == "morris":
        spans = np.array([hi - lo for lo, hi in problem["bounds"]], dtype=float)
        return morris_indices(elementary_effects(x, ran(problem["names"], x), y, spans), seed)
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=False, seed=bootstrap_seed(seed))
    return {k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}


def measured(run: RunResult, warmup: float, years: float) -> dict[str, Any]:
    """A run's outputs: its summary, with those a window measures taken after the warm-up (years)."""
    if warmup <= 0:
        return run.summary
    return {**run.summary, **window_moments(run.tables, warmup * 365.0, years * 365.0)}


def evaluate(
    conf: Config,
    names: list[str],
    x: np.ndarray,
    outputs: list[str],
    seeds: Sequence[int],
    years: float,
    on_point: Callable[[int], None] | None = None,
    warmup: float = 0.0,
) -> np.ndarray:
    """(points x outputs): each output's mean over the seeds at each design point (NaN if undefined),
    those a window measures taken after ``warmup`` years."""
    y = np.full((len(x), len(outputs)), np.nan)
    for i, row in enumerate(x):
        runs = run_point(conf, dict(zip(names, row, strict=True)), seeds, years)
        outs = [measured(r, warmup, years) for r in runs]
        for j, key in enumerate(outputs):
            vals = [o.get(key) for o in outs]
            vals = [v for v in vals if v is not None and not math.isnan(v)]
            y[i, j] = float(np.mean(vals)) if vals else np.nan
        if on_point is not None:
            on_point(i)
    return y


def figure(table: pd.DataFrame, s: dict[str, Any]) -> Any:
    """The indices as bars, one panel per output; laid out so that no label is cut."""
    from experiments.figure import offscreen

    offscreen()
    import seaborn as sns
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    value, err = ("mu_star", "mu_star_conf") if s["method"] == "morris" else ("ST", "ST_conf")
    outs = list(dict.fromkeys(table["output"]))
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(4.4 * len(outs), 0.5 * len(s["bounds"]) + 2.4), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(outs))
        for ax, out in zip(np.atleast_1d(axes), outs, strict=True):
            part = table[table["output"] == out].sort_values(value)
            ax.barh(part["parameter"], part[value], xerr=part[err], color="C0", alpha=0.8)
            ax.set_title(textwrap.fill(out, 28))
            ax.set_xlim(left=0)
            # two short lines: a long label would run past the panel and be cut
            ax.set_xlabel(
                "Morris μ*\n(mean abs. elementary effect)" if value == "mu_star" else "total Sobol index"
            )
        fig.suptitle(f"Sensitivity ({s['method']})")
        fig.canvas.draw()
    return fig


def plot(table: pd.DataFrame, s: dict[str, Any], path: Path) -> None:
    fig = figure(table, s)
    write_with(path, lambda p: fig.savefig(p, format="png", dpi=120))


def analyse(
    conf: Config, s: dict[str, Any], seed: int, quiet: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indices table (a row per output x parameter) and the evaluated design."""
    names = list(s["bounds"])
    problem = {"num_vars": len(names), "names": names, "bounds": [list(s["bounds"][n]) for n in names]}
    x = design(s, problem, seed)
    if s["method"] == "morris":
        check_steps(names, x, s["bounds"])
    seeds = replication_seeds(seed, s["replications"])
    with Ticker(len(x), f"sensitivity ({s['method']})", "points", quiet) as ticker:
        y = evaluate(
            conf,
            names,
            x,
            s["outputs"],
            seeds,
            float(s["years"]),
            lambda _: ticker.update(),
            float(s["warmup"]),
        )
    rows = []
    for j, out in enumerate(s["outputs"]):
        col = y[:, j]
        undefined = int(np.isnan(col).sum())
        if undefined == len(col):
            raise ConfigError("experiment.outputs", out, "an output defined in at least one run")
        if s["method"] == "sobol":  # its estimator needs every point: an undefined one takes the mean
            col = np.where(np.isnan(col), np.nanmean(col), col)
        res = indices(s, problem, x, col, seed)
        for k, name in enumerate(names):
            row = {"output": out, "parameter": name, **{m: v[k].item() for m, v in res.items()}}
            rows.append({**row, "undefined_points": undefined})
    outputs = {o: y[:, j] for j, o in enumerate(s["outputs"])}
    samples = pd.DataFrame(ran(names, x), columns=names).assign(**outputs)
    return pd.DataFrame(rows), samples


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Sample, run, analyse; write the indices, the design and the plot."""
    s = settings(cfg, conf)
    pilot_outputs(conf, s["outputs"], float(s["years"]))
    table, samples = analyse(conf, s, int(cfg.seed), quiet=bool(cfg.get("quiet", False)))
    mark_kind(out, "sensitivity")
    write_text(out / "indices.csv", table.to_csv(index=False))
    write_text(out / "samples.csv", samples.to_csv(index=False))
    plot(table, s, out / "figures" / "sensitivity.png")
    if not cfg.get("quiet", False):
        cols = [c for c in table.columns if c not in ("output", "parameter", "undefined_points")]
        rows = [[f"{r.output} / {r.parameter}", *(getattr(r, c) for c in cols)] for r in table.itertuples()]
        points = f"{counted(len(samples), 'point')} x {counted(s['replications'], 'replication')}"
        after = [o for o in s["outputs"] if o in WINDOW_MOMENTS]
        late = (
            f"; {', '.join(after)} after a warm-up of {s['warmup']:g} of {s['years']:g} years"
            if after
            else ""
        )
        print(f"{s['method']} sensitivity, {points}{late}")
        print(render(rows, header=["output / parameter", *cols]))
        print(f"indices: {out / 'indices.csv'}")
    return {"method": s["method"], "points": len(samples), "indices": table.to_dict(orient="records")}
