"""``experiment=calibrate``: fit named parameters to the recorded session statistics by the simulated
method of moments, and refuse a fit that the data do not identify.

**Moments.** Every figure of the observed table (``data/kz_session_statistics.csv``, read by
:mod:`experiments.observed`) given as it was (not only a lower bound) is a moment, counted on the
model's ledger the way its source counted it (bills on the books, not introduced) over the same days
of the year; the
periods keep their recorded gaps, so one run gives one draw of the whole vector of moments
(:func:`experiments.observed.windows`). A figure that is only a lower bound (one recorded case, not
a count) is checked, not fitted. m(theta) is the mean over R replications whose seeds are the same
for every candidate (common random numbers).

**Objective.** J(theta) = (m(theta) - y)' W (m(theta) - y), W = diag(1 / Var of each moment in one
run, from a pilot at the centre of the ranges); a Latin hypercube of start points over the ranges
(and the preset's own values), then Nelder-Mead from the best.

**Uncertainty.** The record y is one draw of the process the model describes; the SMM covariance
(Gourieroux & Monfort 1996; McFadden 1989) with the model's own covariance Omega of the moments at
the fit is

    V = (1 + 1/R) (G'WG)^-1 G'W Omega W G (G'WG)^-1,   G = dm/dtheta (central differences, CRN).

With more moments than parameters, J = sum of (m_i - y_i)^2 / ((1 + 1/R) Omega_ii) over the moments
says whether the model can match them all at once; its reference distribution is the weighted sum of
chi-square(1) variables that the moments' correlations and the fit give it (:func:`over_identification`),
not chi-square with (moments - parameters) degrees of freedom, which holds only for independent
moments weighted optimally.

**Identification.** A fit is refused — one line naming the parameter, exit code 4
(:data:`experiments.errors.EXIT_NOT_IDENTIFIED`), no preset written — when an estimate lies within
``bound_tolerance`` (a share of its range) of a bound, when its standard error is not finite, or
when its 95% interval is wider than its whole range (the objective is flat along it). The singular
values of the scaled Jacobian W^1/2 G diag(high - low) are reported with their condition number: a
small one is a flat direction, a combination of parameters the moments cannot tell apart.

Writes ``calibration.csv`` (estimates, intervals, identification), ``moments.csv`` (recorded and
simulated moments), ``evaluations.csv`` (every candidate), ``identification.json`` and, when the
fit is identified, the fitted values as a preset, ``parliament/<name>.yaml``, which extends the
base preset (``parltwin --config-dir RUN_DIR parliament=<name>``).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from scipy import optimize, stats

from experiments import observed
from experiments.errors import EXIT_NOT_IDENTIFIED, InputError, fail
from experiments.files import as_text_cells, mark_kind, regular_file, write_json, write_text
from experiments.params import check, options, positive_int
from experiments.presets import PresetText, fmt
from experiments.sensitivity import bounds, run_point
from experiments.table import render
from scenarios import Config
from scenarios.build import parliament_of
from scenarios.errors import ConfigError, counted
from scenarios.parameters import PARAMETERS, apply, current, targets
from scenarios.validate import MAX_YEARS
from sim.engine.model import RunResult
from sim.engine.streams import replication_seeds

DEFAULTS: dict[str, Any] = {
    "parameters": ["government_rate", "deputies_rate", "gatekeeping"],
    "observed": None,
    "moments": None,
    "replications": 16,
    "warmup_years": 1.0,
    "start_points": 24,
    "max_evals": 40,
    "bound_tolerance": 0.01,
    "preset": None,
}
Z = 1.96


@dataclass
class Problem:
    """What is fitted: the base scenario, the parameters' ranges, the moments (a function of one
    run), their recorded values, the seeds and the horizon, and the search budget."""

    conf: Config
    ranges: dict[str, tuple[float, float]]
    moments: list[str]
    target: np.ndarray
    measure: Callable[[RunResult], np.ndarray]
    seeds: list[int]
    years: float
    start_points: int = 24
    max_evals: int = 40
    seed: int = 0
    #: Which of ``measure``'s values are moments (the others are only checked at the fit).
    fitted: np.ndarray | None = None
    on_candidate: Callable[[int, str, float, float], None] | None = None
    trace: list[dict[str, float]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(self.ranges)

    @property
    def lo(self) -> np.ndarray:
        return np.array([r[0] for r in self.ranges.values()])

    @property
    def hi(self) -> np.ndarray:
        return np.array([r[1] for r in self.ranges.values()])

    def measured(self, theta: Sequence[float]) -> np.ndarray:
        """(replications x measured values) at ``theta``; every candidate sees the same seeds."""
        values = dict(zip(self.names, (float(t) for t in theta), strict=True))
        return np.array([self.measure(r) for r in run_point(self.conf, values, self.seeds, self.years)])

    def simulate(self, theta: Sequence[float]) -> np.ndarray:
        """(replications x moments) at ``theta``."""
        m = self.measured(theta)
        return m if self.fitted is None else m[:, self.fitted]


@dataclass
class Fit:
    theta: np.ndarray
    se: np.ndarray
    simulated: np.ndarray  # moments at the fit (means over replications)
    simulated_sd: np.ndarray  # sd of each moment in one run
    runs: np.ndarray  # (replications x measured values) at the fit
    objective: float
    jacobian: np.ndarray  # d moment / d parameter at the fit
    weight: np.ndarray  # the diagonal of W
    j_stat: float | None
    j_pvalue: float | None


def _mean(m: np.ndarray) -> np.ndarray:
    """Mean over replications; a moment undefined in every replication is +inf (never a fit)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice"
        out = np.nanmean(m, axis=0)
    return np.where(np.isnan(out), np.inf, out)


def _cov(m: np.ndarray) -> np.ndarray:
    """Covariance of the moments across replications (pairwise over the replications where both
    are defined)."""
    return np.atleast_2d(pd.DataFrame(m).cov().to_numpy(dtype=float))


def design(problem: Problem, start: np.ndarray | None) -> list[np.ndarray]:
    """Start points: ``start`` (the preset's own values, when inside the ranges), then a Latin
    hypercube over the ranges."""
    lo, hi = problem.lo, problem.hi
    cube = stats.qmc.LatinHypercube(d=len(lo), seed=problem.seed).random(problem.start_points)
    points = [lo + u * (hi - lo) for u in cube]
    if start is not None and np.all((start >= lo) & (start <= hi)):
        points.insert(0, start)
    return points


def fit(problem: Problem, start: np.ndarray | None = None) -> Fit:
    """Start points, then Nelder-Mead from the best, then the asymptotic covariance at the optimum."""
    lo, hi = problem.lo, problem.hi
    target = problem.target
    pilot = problem.simulate((lo + hi) / 2)
    var = np.nanvar(pilot, axis=0, ddof=1)
    weight = 1.0 / np.where((var > 0) & np.isfinite(var), var, np.maximum(np.abs(target), 1.0) ** 2)
    best = [math.inf]
    seen: dict[tuple[float, ...], float] = {}

    def objective(theta: np.ndarray, phase: str = "search") -> float:
        theta = np.clip(theta, lo, hi)
        key = tuple(float(t) for t in theta)
        if key in seen:  # Nelder-Mead clipped at a bound asks again for the same point
            return seen[key]
        d = _mean(problem.simulate(theta)) - target
        value = seen[key] = float(d @ (weight * d)) if np.all(np.isfinite(d)) else math.inf
        best[0] = min(best[0], value)
        problem.trace.append({**dict(zip(problem.names, theta, strict=True)), "objective": value})
        if problem.on_candidate is not None:
            problem.on_candidate(len(problem.trace), phase, value, best[0])
        return value

    points = design(problem, start)
    scores = [objective(p, "start points") for p in points]
    x0 = points[int(np.argmin(scores))]
    step = 0.1 * (hi - lo)
    simplex = [x0] + [np.where(x0 + s <= hi, x0 + s, x0 - s) for s in np.diag(step)]
    res = optimize.minimize(
        lambda t: objective(t, "refine"),
        x0,
        method="Nelder-Mead",
        bounds=list(zip(lo, hi, strict=True)),
        options={"initial_simplex": np.array(simplex), "maxfev": problem.max_evals, "xatol": 1e-3},
    )
    theta = np.clip(res.x, lo, hi) if res.fun <= min(scores) else x0
    runs = problem.measured(theta)
    at_fit = runs if problem.fitted is None else runs[:, problem.fitted]
    omega = _cov(at_fit)
    jac = np.empty((len(target), len(theta)))
    for i in range(len(theta)):
        h = 0.05 * (hi[i] - lo[i])
        up, down = theta.copy(), theta.copy()
        up[i], down[i] = min(theta[i] + h, hi[i]), max(theta[i] - h, lo[i])
        jac[:, i] = (_mean(problem.simulate(up)) - _mean(problem.simulate(down))) / (up[i] - down[i])
        if problem.on_candidate is not None:
            problem.on_candidate(len(problem.trace), f"slope of {problem.names[i]}", math.nan, best[0])
    r = len(problem.seeds)
    d = _mean(at_fit) - target
    se = sandwich_se(jac, weight, omega, r)
    j_stat = j_p = None
    if len(target) > len(theta) and np.all(np.isfinite(d)):
        j_stat, j_p = over_identification(d, omega, jac, weight, r)
    return Fit(
        theta=theta,
        se=se,
        simulated=_mean(at_fit),
        simulated_sd=np.sqrt(np.clip(np.diag(omega), 0, None)),
        runs=runs,
        objective=float(d @ (weight * d)) if np.all(np.isfinite(d)) else math.inf,
        jacobian=jac,
        weight=weight,
        j_stat=j_stat,
        j_pvalue=j_p,
    )


def moving(jac: np.ndarray, weight: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Which parameters move any moment at the fit: a column of the weighted Jacobian scaled to the
    ranges that is not (numerically) zero."""
    scaled = np.sqrt(weight)[:, None] * jac * span[None, :]
    norm = np.linalg.norm(np.nan_to_num(scaled), axis=0)
    return np.isfinite(scaled).all(axis=0) & (norm > 1e-9 * max(float(norm.max(initial=0.0)), 1e-300))


#: Draws of the over-identification statistic's reference distribution (seeded: a report repeats).
J_DRAWS = 200_000


def over_identification(
    d: np.ndarray, omega: np.ndarray, jac: np.ndarray, weight: np.ndarray, r: int
) -> tuple[float, float]:
    """J = sum of gap_i^2 / ((1 + 1/R) Omega_ii), the gaps in units of the model's own sd, and its
    p-value. The moments are correlated (periods overlap) and W is not the optimal weighting, so J
    is not chi-square with (moments - parameters) degrees of freedom: under the model, the gaps are
    (I - P) times a draw of covariance (1 + 1/R) Omega, P = G (G'WG)^-1 G'W the part the fit takes
    out, and J is a sum of chi-square(1) variables weighted by the eigenvalues of
    D^-1/2 (I - P) Omega (I - P)' D^-1/2, D = diag(Omega): its tail is drawn (``J_DRAWS``, seeded).
    Omega enters only through those eigenvalues: a full Omega estimated from about as many runs as
    moments need not be inverted."""
    sd = np.sqrt(np.clip(np.diag(omega), 0, None))
    varies = np.isfinite(sd) & (sd > 0)
    if np.any(~varies & (d != 0)):  # a moment no run moves, missed: impossible under the model
        return math.inf, 0.0
    d, sd = d[varies], sd[varies]
    j = float(np.sum(d**2 / ((1 + 1 / r) * sd**2)))
    w = np.diag(weight)
    proj = jac @ np.linalg.pinv(jac.T @ w @ jac) @ jac.T @ w
    keep = (np.eye(len(weight)) - proj)[varies]
    scaled = (keep @ np.nan_to_num(omega) @ keep.T) / np.outer(sd, sd)
    if not np.all(np.isfinite(scaled)):
        return j, math.nan
    lam = np.clip(np.linalg.eigvalsh((scaled + scaled.T) / 2), 0, None)
    rng = np.random.default_rng(0)
    tail = 0
    for _ in range(J_DRAWS // 20_000):
        tail += int(((rng.standard_normal((20_000, len(lam))) ** 2) @ lam >= j).sum())
    return j, (tail + 1) / (J_DRAWS + 1)


def sandwich_se(jac: np.ndarray, weight: np.ndarray, omega: np.ndarray, r: int) -> np.ndarray:
    """Standard errors from V = (1 + 1/R) (G'WG)^-1 G'W Omega W G (G'WG)^-1 over the parameters that
    move the moments (NaN for those that do not, and for all when G'WG is singular)."""
    se = np.full(jac.shape[1], math.nan)
    live = moving(jac, weight, np.ones(jac.shape[1]))
    if not live.any():
        return se
    g, w = jac[:, live], np.diag(weight)
    try:
        bread = np.linalg.inv(g.T @ w @ g)
    except np.linalg.LinAlgError:
        return se
    cov = (1 + 1 / r) * bread @ g.T @ w @ omega @ w @ g @ bread
    diag = np.diag(cov)
    se[live] = np.where(diag >= 0, np.sqrt(np.abs(diag)), math.nan)
    return se


# -- identification -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """Whether one parameter is identified, and if not, why (one line)."""

    parameter: str
    identified: bool
    reason: str
    rank: int = 4  # how serious: 0 moves no moment, 1 no finite se, 2 on a bound, 3 too wide, 4 fine


def verdicts(problem: Problem, result: Fit, tolerance: float) -> list[Verdict]:
    """Each parameter's identification (in the order of the parameters): it moves no moment at the fit; its
    standard error is not finite (it moves the moments only as others do); its estimate lies
    within ``tolerance`` of its range from a bound; its 95% interval is wider than its range."""
    live = moving(result.jacobian, result.weight, problem.hi - problem.lo)
    out = []
    for i, (name, t, se, a, b) in enumerate(
        zip(problem.names, result.theta, result.se, problem.lo, problem.hi, strict=True)
    ):
        width = b - a
        if not live[i]:
            rank, why = 0, f"{name} = {t:.4g} moves none of the moments (the objective is flat along it)"
        elif not math.isfinite(se):
            rank, why = (
                1,
                f"{name} = {t:.4g} has no finite standard error (it moves the moments only as others do)",
            )
        elif t - a <= tolerance * width:
            rank, why = (
                2,
                f"{name} = {t:.4g} is on its lower bound {a:g} (within {tolerance:.0%} of the range)",
            )
        elif b - t <= tolerance * width:
            rank, why = (
                2,
                f"{name} = {t:.4g} is on its upper bound {b:g} (within {tolerance:.0%} of the range)",
            )
        elif 2 * Z * se > width:
            rank, why = (
                3,
                (
                    f"{name} = {t:.4g} has a 95% interval ±{Z * se:.3g} wider than its range [{a:g}, {b:g}]"
                    " (the objective is nearly flat along it)"
                ),
            )
        else:
            rank, why = 4, ""
        out.append(Verdict(name, rank == 4, why, rank))
    return out


def flatness(problem: Problem, result: Fit) -> dict[str, Any]:
    """Singular values of the Jacobian scaled to the ranges and weighted, W^1/2 G diag(high - low):
    the smallest is the flattest direction of the objective; their ratio the condition number."""
    scaled = np.sqrt(result.weight)[:, None] * result.jacobian * (problem.hi - problem.lo)[None, :]
    if not np.all(np.isfinite(scaled)):
        return {"singular_values": [], "condition_number": math.inf, "flattest": {}}
    _, sv, vt = np.linalg.svd(scaled, full_matrices=False)
    cond = float(sv[0] / sv[-1]) if sv[-1] > 0 else math.inf
    flattest = dict(zip(problem.names, (float(v) for v in vt[-1]), strict=True))
    return {"singular_values": [float(s) for s in sv], "condition_number": cond, "flattest": flattest}


# -- the preset ---------------------------------------------------------------------------------
def fitted_leaves(conf: Config, names: Sequence[str], values: Sequence[float]) -> dict[str, float]:
    """The parliament's values (path within the parliament -> value) that the parameters set at
    ``values``."""
    new = apply(conf, dict(zip(names, values, strict=True)))
    out: dict[str, float] = {}
    for name in names:
        for path, node, key in targets(new, name):
            if path.startswith("parliament."):
                out[path.removeprefix("parliament.")] = (
                    node[key] if isinstance(node, dict) else getattr(node, key)
                )
    return out


def preset_yaml(
    base: str, name: str, conf: Config, problem: Problem, result: Fit, aims: Sequence[str], data: str = ""
) -> str:
    """A preset that extends ``base`` and sets the fitted values, each with what it was fitted to and
    its interval; the interval is also the value's plausible range under ``ranges``."""
    names = problem.names
    low = np.clip(result.theta - Z * result.se, problem.lo, problem.hi)
    high = np.clip(result.theta + Z * result.se, problem.lo, problem.hi)
    at, at_low, at_high = (fitted_leaves(conf, names, v) for v in (result.theta, low, high))
    header = [
        f"{name}: {base} calibrated by the simulated method of moments (parltwin experiment=calibrate)",
        f"to {len(aims)} recorded moments{f' of {data}' if data else ''}, "
        f"{counted(len(problem.seeds), 'replication')} per candidate:",
        *(f"  {a}" for a in aims),
    ]
    header += [
        f"Fitted {par} ({PARAMETERS[par].mode}) = {t:.4g}, se {se:.2g}, "
        f"95% CI [{t - Z * se:.4g}, {t + Z * se:.4g}]."
        for par, t, se in zip(names, result.theta, result.se, strict=True)
    ]
    header += [
        f"Every other value is {base}'s, with its sources there.",
        f"Use: parltwin --config-dir <this run folder> parliament={name}",
    ]
    text = PresetText(base, name, header)
    owner = {p: par for par in names for p in fitted_leaves(conf, [par], [1.0])}
    aim = f"the {len(aims)} recorded moments above"
    for path, value in at.items():
        lo_v, hi_v = sorted((at_low[path], at_high[path]))
        text.set(path, fmt(value), f"fitted ({owner[path]}, SMM) to {aim}: 95% CI [{lo_v:.4g}, {hi_v:.4g}]")
        text.range(path, lo_v, hi_v)
    return text.text("a calibrated value's plausible range is its 95% interval")


# -- the runner ---------------------------------------------------------------------------------
def settings(cfg: DictConfig, conf: Config) -> dict[str, Any]:
    s = options(cfg.experiment, DEFAULTS)
    s["ranges"] = bounds(s)
    for name in s["ranges"]:
        if not all(p.startswith("parliament.") for p, _, _ in targets(conf, name)):
            raise ConfigError("experiment.parameters", name, "a parameter of the parliament preset")
    path = Path(s["observed"]) if s["observed"] is not None else observed.DATA
    why = regular_file(path)
    if why is not None:
        raise ConfigError("experiment.observed", str(path), f"a table like {observed.DATA.name} ({why})")
    try:  # every row checked here, before any run: a bad value ended a calibration, or crashed it
        obs = observed.observations(path)
    except InputError as e:
        raise InputError(f"experiment.observed: {e}") from None
    except OSError as e:
        raise ConfigError(
            "experiment.observed", str(path), f"a readable table like {observed.DATA.name} ({e})"
        ) from None
    chosen = s["moments"]
    if chosen is not None:
        known = sorted({o.measure for o in obs})
        check(
            s, "moments", isinstance(chosen, list) and bool(chosen), f"null or a list of: {', '.join(known)}"
        )
        for m in chosen:
            if m not in known:
                raise ConfigError("experiment.moments", m, f"one of {', '.join(known)}")
        obs = [o for o in obs if o.measure in chosen]
    s["observations"] = obs
    fitted = [o for o in obs if o.bound == "equal"]
    check(s, "moments", len(fitted) >= len(s["ranges"]), "at least as many recorded counts as parameters")
    positive_int(s, "replications", 2)
    positive_int(s, "start_points", 1)
    positive_int(s, "max_evals", 1)
    v = s["warmup_years"]
    check(s, "warmup_years", isinstance(v, int | float) and 0 <= v <= 100, "years from 0 to 100")
    v = s["bound_tolerance"]
    check(
        s, "bound_tolerance", isinstance(v, int | float) and 0 <= v < 0.5, "a share of the range in [0, 0.5)"
    )
    check(s, "preset", s["preset"] is None or str(s["preset"]).isidentifier(), "null or a name")
    return s


def most_candidates(s: dict[str, Any]) -> int:
    """At most how many candidates a fit runs: the pilot, the start points, Nelder-Mead's budget,
    the fit itself and the two sides of each parameter's derivative."""
    return 1 + s["start_points"] + s["max_evals"] + 1 + 2 * len(s["ranges"])


def run_years(conf: Config, s: dict[str, Any]) -> float:
    """How long each run lasts: until the last recorded window closes (at most a run's longest)."""
    win = observed.windows(
        s["observations"], conf.parliament.calendar.start, float(s["warmup_years"]) * 365.0
    )
    years = observed.run_years(win)
    if years <= MAX_YEARS:
        return years
    longest = f"{MAX_YEARS:,.0f} years, a run's longest (with it a run lasts {years:,.1f})"
    bare = observed.run_years(observed.windows(s["observations"], conf.parliament.calendar.start, 0.0))
    if bare > MAX_YEARS:  # no warm-up helps: the periods themselves, set on the calendar, are too long
        raise ConfigError(
            "experiment.observed",
            s["observed"] if s["observed"] is not None else str(observed.DATA),
            f"recorded periods that, set on the calendar from {conf.parliament.calendar.start}, fit in "
            f"{MAX_YEARS:,.0f} years, a run's longest (these need {bare:,.1f})",
        )
    check(s, "warmup_years", False, f"a warm-up that keeps a run within {longest}")
    return years


def base_preset(cfg: DictConfig) -> str:
    """The parliament preset this run composed (its name when run outside Hydra)."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return str(HydraConfig.get().runtime.choices["parliament"])
    except (ValueError, KeyError):
        return str(cfg.parliament.name)


def observed_problem(conf: Config, s: dict[str, Any], seed: int) -> Problem:
    """The calibration problem of the recorded observations ``s["observations"]``: the counts are
    its moments; the lower bounds are measured on the same runs, to be checked at the fit."""
    obs = s["observations"]
    win = observed.windows(obs, conf.parliament.calendar.start, float(s["warmup_years"]) * 365.0)
    parliament = parliament_of(conf)
    fitted = np.array([o.bound == "equal" for o in obs])
    return Problem(
        conf=conf,
        ranges=s["ranges"],
        moments=[o.name for o in obs if o.bound == "equal"],
        target=np.array([o.value for o in obs if o.bound == "equal"], dtype=float),
        measure=lambda run: observed.measure(observed.Counts(run.tables, parliament), obs, win),
        seeds=replication_seeds(seed, s["replications"]),
        years=run_years(conf, s),
        start_points=s["start_points"],
        max_evals=s["max_evals"],
        seed=seed,
        fitted=fitted,
    )


def preset_values(conf: Config, names: Sequence[str]) -> np.ndarray:
    """The preset's own value of each parameter, as the registry reads it (1 for a factor; NaN for
    one the scenario lacks, which :func:`design` then leaves out as a start point)."""
    return np.array([current(conf, name) for name in names], dtype=float)


def _progress(quiet: bool) -> Callable[[int, str, float, float], None] | None:
    if quiet:
        return None

    def line(k: int, phase: str, value: float, best: float) -> None:
        now = "" if math.isnan(value) else f"objective {value:.3g}, "
        print(
            f"parltwin: calibrate: candidate {k} ({phase}): {now}best {best:.3g}", file=sys.stderr, flush=True
        )

    return line


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Fit, write the tables, check identification; write the preset only when identified."""
    s = settings(cfg, conf)
    quiet = bool(cfg.get("quiet", False))
    obs = s["observations"]
    problem = observed_problem(conf, s, int(cfg.seed))
    problem.on_candidate = _progress(quiet)
    result = fit(problem, preset_values(conf, problem.names))
    verdict = verdicts(problem, result, float(s["bound_tolerance"]))
    flat = flatness(problem, result)
    est = pd.DataFrame(
        {
            "parameter": problem.names,
            "estimate": result.theta,
            "se": result.se,
            "ci_low": result.theta - Z * result.se,
            "ci_high": result.theta + Z * result.se,
            "low": problem.lo,
            "high": problem.hi,
            "identified": [v.identified for v in verdict],
            "reason": [v.reason for v in verdict],
        }
    )
    rows = []
    for j, o in enumerate(obs):
        col = result.runs[:, j]
        rows.append(
            {
                "moment": o.name,
                "measure": o.measure,
                "body": o.body,
                "period": o.period,
                "recorded": o.value,
                "bound": o.bound,
                "simulated": float(np.nanmean(col)),
                "simulated_sd": float(np.nanstd(col, ddof=1)),
                "share_of_runs_at_least": float(np.mean(col >= o.value))
                if o.bound == "at_least"
                else math.nan,
                "source": o.source,
            }
        )
    mom = pd.DataFrame(rows)
    mom["source"] = as_text_cells(mom["source"])  # the observed table's words, maybe a user's
    base = base_preset(cfg)
    name = s["preset"] or f"{conf.parliament.name}_calibrated"
    mark_kind(out, "calibrate")
    write_text(out / "calibration.csv", est.to_csv(index=False))
    write_text(out / "moments.csv", mom.to_csv(index=False))
    write_text(out / "evaluations.csv", pd.DataFrame(problem.trace).to_csv(index=False))
    summary = {
        "estimates": dict(zip(problem.names, result.theta.tolist(), strict=True)),
        "se": dict(zip(problem.names, result.se.tolist(), strict=True)),
        "objective": result.objective,
        "j_stat": result.j_stat,
        "j_pvalue": result.j_pvalue,
        **flat,
        "identified": all(v.identified for v in verdict),
        "reasons": [v.reason for v in verdict if not v.identified],
        "candidates": len(problem.trace),
        "replications": len(problem.seeds),
    }
    write_json(out / "identification.json", summary)
    if not quiet:
        runs = f"{counted(len(problem.trace), 'candidate')} x {counted(len(problem.seeds), 'run')}"
        print(f"SMM calibration of {base}: {runs}")
        print(
            render(
                est[["parameter", "estimate", "se", "ci_low", "ci_high"]].values.tolist(),
                header=list(est.columns[:5]),
            )
        )
        print(
            render(
                mom[["moment", "recorded", "simulated", "simulated_sd"]].values.tolist(),
                header=["moment", "recorded", "simulated", "sd"],
            )
        )
        if result.j_stat is not None:
            print(f"over-identification J = {result.j_stat:.3f} (p = {result.j_pvalue:.3g})")
        print(f"condition number of the scaled Jacobian: {flat['condition_number']:.3g}")
    refused = sorted((v for v in verdict if not v.identified), key=lambda v: v.rank)
    if refused:
        fail(f"calibration not identified: {refused[0].reason}; no preset written", EXIT_NOT_IDENTIFIED)
    aims = [f"{o.name} = {fmt(round(o.value, 4))} ({o.source})" for o in obs if o.bound == "equal"]
    preset = out / "parliament" / f"{name}.yaml"
    write_text(preset, preset_yaml(base, name, conf, problem, result, aims))
    if not quiet:
        print(f"preset: {preset}")
    return {**summary, "preset": str(preset)}
