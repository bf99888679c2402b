"""``experiment=calibrate``: fit named parameters to target moments by the simulated method of moments.

Moments are measured in a window after a warm-up (a parliament does not start empty, the model
does): ``laws_per_year`` (laws enacted in the window per year), ``passage_rate`` (enacted over
decided in the window), ``lead_time_median_days`` (introduction to enactment of the window's laws),
``bills_introduced_per_year``. For a candidate theta, m(theta) is the mean over R replications whose
seeds are the same for every candidate (common random numbers), and the fit minimises

    J(theta) = (m(theta) - m_data)' W (m(theta) - m_data),   W = diag(1 / Var of each moment),

first on a grid over the ranges, then by Nelder-Mead from the best grid point. Uncertainty is the
SMM asymptotic covariance (Gourieroux & Monfort; McFadden 1989), treating the targets as one
observed window with the model's own variance Omega at the fit:

    V = (1 + 1/R) (G'WG)^-1 G'W Omega W G (G'WG)^-1,   G = dm/dtheta (central differences, CRN).

Writes ``calibration.csv``, ``moments.csv``, ``evaluations.csv`` and the fitted values as a preset,
``parliament/<name>.yaml``, which extends the base preset (``parltwin --config-dir RUN_DIR
parliament=<name>``).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from scipy import optimize, stats

from experiments.files import write_text
from experiments.params import check, options, positive_int
from experiments.progress import Ticker
from experiments.sensitivity import bounds, run_point
from experiments.table import render
from scenarios import Config
from scenarios.errors import ConfigError
from scenarios.parameters import PARAMETERS, apply, targets
from sim.engine.streams import replication_seeds
from sim.metrics import MOMENTS, window_moments

DEFAULTS: dict[str, Any] = {
    "parameters": {"arrival_rate": [0.5, 1.5]},
    "targets": {"laws_per_year": 92},
    "replications": 20,
    "warmup_years": 1.0,
    "window_years": 1.0,
    "grid": 9,
    "max_evals": 40,
    "preset": None,
    "note": "",
}


@dataclass
class Problem:
    """What is fitted: the base scenario, the parameters' ranges, the targets and the budget."""

    conf: Config
    ranges: dict[str, tuple[float, float]]
    target: dict[str, float]
    seeds: list[int]
    warmup_years: float = 1.0
    window_years: float = 1.0
    grid: int = 9
    max_evals: int = 40
    trace: list[dict[str, float]] = field(default_factory=list)
    on_candidate: Callable[[], None] | None = None  # called after each candidate (progress)

    @property
    def names(self) -> list[str]:
        return list(self.ranges)

    @property
    def lo(self) -> np.ndarray:
        return np.array([r[0] for r in self.ranges.values()])

    @property
    def hi(self) -> np.ndarray:
        return np.array([r[1] for r in self.ranges.values()])

    def simulate(self, theta: Sequence[float]) -> np.ndarray:
        """(replications x moments) at ``theta``; every candidate sees the same seeds."""
        start = self.warmup_years * 365.0
        end = start + self.window_years * 365.0
        values = dict(zip(self.names, (float(t) for t in theta), strict=True))
        runs = run_point(self.conf, values, self.seeds, self.warmup_years + self.window_years)
        rows = [window_moments(r.tables, start, end) for r in runs]
        if self.on_candidate is not None:
            self.on_candidate()
        return np.array([[row[k] for k in self.target] for row in rows])


@dataclass
class Fit:
    theta: np.ndarray
    se: np.ndarray
    simulated: np.ndarray
    simulated_sd: np.ndarray
    objective: float
    j_stat: float | None
    j_pvalue: float | None


def _mean(m: np.ndarray) -> np.ndarray:
    """Mean over replications; a moment undefined in every replication is +inf (never a fit)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice"
        out = np.nanmean(m, axis=0)
    return np.where(np.isnan(out), np.inf, out)


def fit(problem: Problem) -> Fit:
    """Grid, then Nelder-Mead, then the asymptotic covariance at the optimum."""
    target = np.array(list(problem.target.values()), dtype=float)
    lo, hi = problem.lo, problem.hi
    mid = (lo + hi) / 2
    pilot = problem.simulate(mid)
    var = np.nanvar(pilot, axis=0, ddof=1)
    weight = 1.0 / np.where((var > 0) & np.isfinite(var), var, np.maximum(np.abs(target), 1.0) ** 2)

    def objective(theta: np.ndarray) -> float:
        theta = np.clip(theta, lo, hi)
        d = _mean(problem.simulate(theta)) - target
        value = float(d @ (weight * d)) if np.all(np.isfinite(d)) else math.inf
        problem.trace.append({**dict(zip(problem.names, theta, strict=True)), "objective": value})
        return value

    axes = [np.linspace(a, b, problem.grid) for a, b in zip(lo, hi, strict=True)]
    grid = [np.array(p) for p in itertools.product(*axes)]
    best = min(grid, key=objective)
    step = (hi - lo) / (problem.grid - 1) / 2
    simplex = np.vstack([best] + [best + np.eye(len(best))[i] * step[i] for i in range(len(best))])
    simplex = np.clip(simplex, lo, hi)
    res = optimize.minimize(
        objective,
        best,
        method="Nelder-Mead",
        bounds=list(zip(lo, hi, strict=True)),
        options={"initial_simplex": simplex, "maxfev": problem.max_evals, "xatol": 1e-3 * (hi - lo).max()},
    )
    theta = np.clip(res.x if res.fun <= objective(best) else best, lo, hi)
    at_fit = problem.simulate(theta)
    omega = np.atleast_2d(np.cov(at_fit, rowvar=False, ddof=1))
    jac = np.empty((len(target), len(theta)))
    for i in range(len(theta)):
        h = 0.05 * (hi[i] - lo[i])
        up, down = theta.copy(), theta.copy()
        up[i], down[i] = min(theta[i] + h, hi[i]), max(theta[i] - h, lo[i])
        jac[:, i] = (_mean(problem.simulate(up)) - _mean(problem.simulate(down))) / (up[i] - down[i])
    r = len(problem.seeds)
    w = np.diag(weight)
    se = np.full(len(theta), math.nan)
    j_stat = j_p = None
    try:
        bread = np.linalg.inv(jac.T @ w @ jac)
        cov = (1 + 1 / r) * bread @ jac.T @ w @ omega @ w @ jac @ bread
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        if len(target) > len(theta):
            d = _mean(at_fit) - target
            j_stat = float(d @ np.linalg.solve((1 + 1 / r) * omega, d))
            j_p = float(stats.chi2.sf(j_stat, len(target) - len(theta)))
    except np.linalg.LinAlgError:
        pass  # a flat moment: the parameter is not identified by these targets (se stays NaN)
    return Fit(
        theta=theta,
        se=se,
        simulated=_mean(at_fit),
        simulated_sd=np.sqrt(np.diag(omega)),
        objective=float(min(res.fun, objective(theta))),
        j_stat=j_stat,
        j_pvalue=j_p,
    )


# -- the preset ---------------------------------------------------------------------------------
def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"


def preset_yaml(base: str, name: str, conf: Config, problem: Problem, result: Fit, note: str = "") -> str:
    """A preset that extends ``base`` and sets the fitted values, each with its provenance."""
    fitted = dict(zip(problem.names, result.theta, strict=True))
    new = apply(conf, fitted)
    aims = ", ".join(f"{k} = {_fmt(v)}" for k, v in problem.target.items())
    lines = [
        f"# {name}: {base} calibrated by the simulated method of moments (parltwin experiment=calibrate).",
        f"# Targets: {aims}" + (f" ({note})" if note else "") + ".",
        f"# Moments measured over {problem.window_years:g} year(s) after a "
        f"{problem.warmup_years:g}-year warm-up, {len(problem.seeds)} replications per candidate.",
    ]
    for (par, t), se in zip(fitted.items(), result.se, strict=True):
        lines.append(
            f"# Fitted {par} ({PARAMETERS[par].mode}) = {t:.4g}, se {se:.2g}, "
            f"95% CI [{t - 1.96 * se:.4g}, {t + 1.96 * se:.4g}]."
        )
    lines += [
        f"# Every other value is {base}'s, with its sources there.",
        f"# Use: parltwin --config-dir <this run folder> parliament={name}",
        "defaults:",
        f"  - {base}",
        "  - _self_",
        "",
        f"name: {name}",
    ]
    tree: dict[str, Any] = {}
    for par in problem.names:
        for path, node, key in targets(new, par):
            if not path.startswith("parliament."):
                continue
            parts = path.split(".")[1:]
            at = tree
            for p in parts[:-1]:
                at = at.setdefault(p, {})
            how = f"x {fitted[par]:.4g}" if PARAMETERS[par].mode == "scale" else "set"
            comment = f"calibrated ({par} {how}) to {aims}"
            at[parts[-1]] = (getattr(node, key) if not isinstance(node, dict) else node[key], comment)

    def emit(node: dict[str, Any], depth: int) -> None:
        for k, v in node.items():
            if isinstance(v, dict):
                lines.append("  " * depth + f"{k}:")
                emit(v, depth + 1)
            else:
                lines.append("  " * depth + f"{k}: {_fmt(v[0])}   # {v[1]}")

    emit(tree, 0)
    return "\n".join(lines) + "\n"


# -- the runner ---------------------------------------------------------------------------------
def settings(cfg: DictConfig, conf: Config) -> dict[str, Any]:
    s = options(cfg.experiment, DEFAULTS)
    s["ranges"] = bounds(s)
    for name in s["ranges"]:
        leaves = targets(conf, name)
        if not all(p.startswith("parliament.") for p, _, _ in leaves):
            raise ConfigError("experiment.parameters", name, "a parameter of the parliament preset")
    tg = s["targets"]
    check(s, "targets", isinstance(tg, dict) and bool(tg), f"a mapping of moments: {', '.join(MOMENTS)}")
    for k, v in tg.items():
        if k not in MOMENTS:
            raise ConfigError("experiment.targets", k, f"one of {', '.join(MOMENTS)}")
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise ConfigError(f"experiment.targets.{k}", v, "a number")
    check(s, "targets", len(tg) >= len(s["ranges"]), "at least as many moments as parameters")
    positive_int(s, "replications", 2)
    positive_int(s, "grid", 2)
    positive_int(s, "max_evals", 1)
    check(s, "grid", s["grid"] ** len(s["ranges"]) <= 400, "at most 400 grid points in all")
    for key in ("warmup_years", "window_years"):
        v = s[key]
        check(s, key, isinstance(v, int | float) and v >= (0 if key == "warmup_years" else 1e-9), "years")
    check(s, "preset", s["preset"] is None or str(s["preset"]).isidentifier(), "null or a name")
    return s


def base_preset(cfg: DictConfig) -> str:
    """The parliament preset this run composed (its name when run outside Hydra)."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return str(HydraConfig.get().runtime.choices["parliament"])
    except (ValueError, KeyError):
        return str(cfg.parliament.name)


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Fit, write the tables and the preset, print the fit with its uncertainty."""
    s = settings(cfg, conf)
    problem = Problem(
        conf=conf,
        ranges=s["ranges"],
        target={k: float(v) for k, v in s["targets"].items()},
        seeds=replication_seeds(int(cfg.seed), s["replications"]),
        warmup_years=float(s["warmup_years"]),
        window_years=float(s["window_years"]),
        grid=s["grid"],
        max_evals=s["max_evals"],
    )
    # At most: the pilot, the grid, Nelder-Mead's budget (and a last check), the fit and its derivatives.
    k = len(problem.names)
    most = 1 + problem.grid**k + problem.max_evals + 2 + 2 * k
    with Ticker(most, "calibrate", "candidates", quiet=bool(cfg.get("quiet", False))) as ticker:
        problem.on_candidate = ticker.update
        result = fit(problem)
    z = 1.96
    est = pd.DataFrame(
        {
            "parameter": problem.names,
            "estimate": result.theta,
            "se": result.se,
            "ci_low": result.theta - z * result.se,
            "ci_high": result.theta + z * result.se,
            "low": problem.lo,
            "high": problem.hi,
        }
    )
    mom = pd.DataFrame(
        {
            "moment": list(problem.target),
            "target": list(problem.target.values()),
            "simulated": result.simulated,
            "simulated_sd": result.simulated_sd,
        }
    )
    base = base_preset(cfg)
    name = s["preset"] or f"{conf.parliament.name}_calibrated"
    write_text(out / "calibration.csv", est.to_csv(index=False))
    write_text(out / "moments.csv", mom.to_csv(index=False))
    write_text(out / "evaluations.csv", pd.DataFrame(problem.trace).to_csv(index=False))
    preset = out / "parliament" / f"{name}.yaml"
    write_text(preset, preset_yaml(base, name, conf, problem, result, str(s["note"] or "")))
    if not cfg.get("quiet", False):
        print(f"SMM calibration of {base}: {len(problem.trace)} candidates x {len(problem.seeds)} runs")
        print(render(est.drop(columns=["low", "high"]).values.tolist(), header=list(est.columns[:5])))
        print(render(mom.values.tolist(), header=list(mom.columns)))
        if result.j_stat is not None:
            print(f"over-identification J = {result.j_stat:.3f} (p = {result.j_pvalue:.3f})")
        print(f"preset: {preset}")
    return {
        "estimates": dict(zip(problem.names, result.theta.tolist(), strict=True)),
        "se": dict(zip(problem.names, result.se.tolist(), strict=True)),
        "simulated": dict(zip(problem.target, result.simulated.tolist(), strict=True)),
        "objective": result.objective,
        "preset": str(preset),
    }
