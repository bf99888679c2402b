"""A stage's duration as the model needs it, found by simulation (indirect inference).

The records' fit of a duration (:mod:`experiments.durations`) already looks through the spread of
bills' complexity and priority bills' speed; the recorded time in a stage still holds what the
engine adds around the duration: the wait for a desk or for a sitting, a deadline that cuts a visit
short. So the preset's duration is the one with which the model, replayed over the records' window,
reproduces the records' fit, both sides fitted alike; its interval is the records' carried through
that map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from experiments import durations
from experiments.durations import FamilyFit, Sample
from experiments.estimation import DurationFit, Fitted, apply_fit, parameter_values, stage_sample
from experiments.replay import replayed_ledgers
from scenarios import Config
from scenarios.build import parliament_of


def _free(d: DurationFit) -> int:
    """Free parameters of a duration's family: the log mean, and the log sd for a two-parameter one."""
    return 2 if d.chosen.family in ("lognormal", "gamma") else 1


def _log_cov(c: FamilyFit) -> np.ndarray | None:
    """The covariance of a records' fit in the free log parameters."""
    if c.cov is None:
        return None
    if c.family == "fixed":
        return np.array([[c.cov[0, 0] / c.mean**2]])
    return c.cov[:1, :1] if c.family == "exponential" else c.cov


def _at(fitted: Fitted, x: dict[str, np.ndarray]) -> list[DurationFit]:
    """Set the durations named in ``x`` to its free log parameters; return them."""
    moved = [d for d in fitted.durations if d.timed.path in x]
    for d in moved:
        d.mean = math.exp(x[d.timed.path][0])
        d.sd = math.exp(x[d.timed.path][1]) if _free(d) == 2 else d.sd
    return moved


def _replayed_fits(
    conf: Config, fitted: Fitted, x: dict[str, np.ndarray], seeds: Sequence[int]
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """The replay of the preset with the durations' free log parameters ``x``: each duration's
    family fitted to the replayed visits, as log parameters, and how many visits."""
    window = fitted.window
    moved = _at(fitted, x)
    point = apply_fit(conf, parameter_values(fitted), window.start, window.years)
    runs = replayed_ledgers(point, seeds, window.start, parliament_of(point))
    got, n = {}, {}
    for d in moved:
        parts = [stage_sample(t, d.timed.stages, window.days, d.mix) for t in runs]
        sample = Sample(
            *(np.concatenate([getattr(p, k) for p in parts]) for k in ("days", "censored", "open")),
            spread=d.mix,
        )
        again = durations.fit_family(d.chosen.family, sample) if sample.days.size else None
        ok = again is not None and math.isfinite(again.mean) and again.mean > 0
        logs = (
            [math.log(again.mean), math.log(again.sd) if again.sd > 0 else math.nan] if ok else [math.nan] * 2
        )
        got[d.timed.path], n[d.timed.path] = np.array(logs[: _free(d)]), sample.n
    return got, n


def _inverse_slopes(points: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """J^-1 from the replays so far: J is the least-squares slope of the replayed log parameters y on
    the preset's x over every point tried (with an intercept); the identity where it is singular."""
    k = points[0][0].size
    xs = np.array([np.r_[1.0, x] for x, _ in points])
    ys = np.array([y for _, y in points])
    ok = np.all(np.isfinite(ys), axis=1)
    if ok.sum() > k:
        coef, *_ = np.linalg.lstsq(xs[ok], ys[ok], rcond=None)
        jac = coef[1:].T
        if np.all(np.isfinite(jac)) and abs(float(np.linalg.det(jac))) > 1e-6:
            return np.linalg.inv(jac)
    return np.eye(k)


def indirect(
    conf: Config, fitted: Fitted, seeds: Sequence[int], rounds: int, level: float = 0.95, on_round: Any = None
) -> None:
    """Find each duration's mean and sd with which the replayed time in the stage, fitted with the
    same family, matches the records' fit (indirect inference).

    The free log parameters x start at the records' fit y*. Replays at x and with every mean, then
    every sd, 10% higher (common random numbers) give the slopes J = dy/dx; then up to ``rounds``
    Newton steps x += J^-1 (y* - y), each followed by a replay, with J refitted by least squares over
    every point tried, until each gap is within a quarter of the records' own standard error (or 1%).
    The interval is the records' (sandwich) covariance carried through the map, J^-1 Sigma J^-T, inflated
    by (1 + visits recorded / visits replayed) for the replay's own noise."""
    for d in fitted.durations:  # a fixed duration is the records' (its stage is not scaled by complexity)
        d.mean, d.sd = d.chosen.mean, d.chosen.sd
        d.mean_ci, d.sd_ci = d.chosen.interval("mean", level), (0.0, 0.0)
    moved = [d for d in fitted.durations if d.chosen.family != "fixed"]
    if not moved:
        return
    target = {d.timed.path: np.log([d.chosen.mean, d.chosen.sd][: _free(d)]) for d in moved}
    sigma = {d.timed.path: _log_cov(d.chosen) for d in moved}
    tol = {
        p: np.maximum(0.01, 0.25 * np.sqrt(np.abs(np.diag(c))))
        if c is not None
        else np.full(target[p].size, 0.01)
        for p, c in sigma.items()
    }
    x = {k: v.copy() for k, v in target.items()}
    points: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {p: [] for p in x}

    def replay(at: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        y, n = _replayed_fits(conf, fitted, at, seeds)
        for p in at:
            points[p].append((at[p].copy(), y[p]))
        return y, n

    y, n_sim = replay(x)
    h = math.log(1.1)
    for j in range(max(v.size for v in x.values())):
        replay({p: v + h * (np.arange(v.size) == j) for p, v in x.items()})
    _at(fitted, x)
    for k in range(rounds + 1):
        gaps = {p: np.abs(np.nan_to_num(target[p] - y[p], nan=np.inf)) for p in x}
        for d in moved:
            d.gap = float(gaps[d.timed.path].max())
        if on_round is not None:
            on_round(k, max(float(g.max()) for g in gaps.values()))
        if all(np.all(gaps[p] <= tol[p]) for p in x) or k == rounds:
            break
        for p in x:
            step = _inverse_slopes(points[p]) @ np.nan_to_num(target[p] - y[p])
            x[p] = x[p] + np.clip(step, -0.5, 0.5)
        y, n_sim = replay(x)
    z = float(stats.norm.ppf(0.5 + level / 2))
    _at(fitted, x)
    for d in moved:
        p = d.timed.path
        if d.chosen.family == "exponential":
            d.sd = d.mean
        if sigma[p] is None:
            continue
        jinv = _inverse_slopes(points[p])
        cov = jinv @ sigma[p] @ jinv.T * (1 + d.n / max(n_sim[p], 1))
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        d.mean_ci = (d.mean * math.exp(-z * se[0]), d.mean * math.exp(z * se[0]))
        d.sd_ci = (d.sd * math.exp(-z * se[1]), d.sd * math.exp(z * se[1])) if _free(d) == 2 else d.mean_ci
