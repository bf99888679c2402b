"""Scenario discovery: which assumptions decide whether a finding holds (PRIM).

The Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in high-dimensional data",
Statistics and Computing 9: 123-143), as used for scenario discovery by Bryant & Lempert (2010,
Technological Forecasting and Social Change 77: 34-49): starting from the whole space of plausible
worlds, peel off, one side of one assumption at a time, the ``alpha`` share of the remaining worlds
whose removal most raises the share of cases of interest (here: worlds where a finding does not
hold) inside the box. Each step trades coverage (the share of all cases of interest that the box
holds) for density (the share of the box's worlds that are cases of interest); the chosen box is the
densest with coverage at least ``min_coverage``. The assumptions a box restricts are chosen one at a
time (at most ``max_dims``), each kept only when it is needed: its quasi-p-value (the hypergeometric
chance of as many cases in the box if the restriction were lifted, Bryant & Lempert 2010) is below
what the best of all assumptions reaches in ``alpha_p`` of the shuffles of the cases among the worlds
(a permutation test): with many assumptions and few worlds, one of them always separates a few cases
by chance.

PRIM rather than a decision tree: a box reads as "the finding fails when review_cut < 0.1", with its
coverage and density saying how much of the failure it explains and how pure it is; a tree's splits
are greedy on impurity and say neither. Peeling and the quasi-p-values are a few lines of numpy, so
no dependency is added (the EMA Workbench implements the same method).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

#: Share of the box's worlds peeled at each step (Friedman & Fisher's alpha; 0.05-0.1 usual).
PEEL = 0.05
#: The smallest box, as a share of all worlds.
MIN_MASS = 0.05
#: The chosen box holds at least this share of the cases of interest.
MIN_COVERAGE = 0.5
#: No box is sought with fewer cases of interest (or fewer other worlds) than this.
MIN_CASES = 3
#: At most this many assumptions in a box (a box of more is rarely read, and rarely real with few worlds).
MAX_DIMS = 3
#: Level of the test that an assumption is needed (the share of shuffles in which one beats it).
ALPHA_P = 0.05
#: Shuffles of the cases among the worlds that calibrate that test, at most: enough for the smallest
#: p-value (1 / 1000) to pass once a run's findings are told from chance together (24 of them at 5%
#: ask 0.05 / 24 of the strongest). Drawn :data:`BATCH` at a time, they stop once so many reach the
#: box that its p-value cannot be :data:`ALPHA_P`, which a box of noise does within a few hundred.
PERMUTATIONS = 999
BATCH = 100


@dataclass
class Box:
    """A box over the assumptions: ``limits[name] = (low, high)`` for each restricted one."""

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float
    quasi_p: dict[str, float] = field(default_factory=dict)
    #: The peeling trajectory: (coverage, density, mass) of every box, the whole space first.
    trajectory: list[tuple[float, float, float]] = field(default_factory=list)

    def describe(self, digits: int = 3) -> str:
        """The box as text, e.g. ``a < 0.12; 0.3 < b`` (the most significant restriction first)."""
        parts = []
        for name in sorted(self.limits, key=lambda n: self.quasi_p.get(n, 1.0)):
            lo, hi = self.limits[name]
            lo_txt = f"{lo:.{digits}g} <= " if np.isfinite(lo) else ""
            hi_txt = f" <= {hi:.{digits}g}" if np.isfinite(hi) else ""
            parts.append(f"{lo_txt}{name}{hi_txt}")
        return "; ".join(parts)


def _inside(x: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    return np.all((x >= lows) & (x <= highs), axis=1)


def _quasi_p(x: np.ndarray, y: np.ndarray, lows: np.ndarray, highs: np.ndarray, j: int) -> float:
    """Chance of at least the box's cases of interest if restriction ``j`` were lifted."""
    box = _inside(x, lows, highs)
    lo, hi = lows.copy(), highs.copy()
    lo[j], hi[j] = -np.inf, np.inf
    wider = _inside(x, lo, hi)
    n, k, draws, got = int(wider.sum()), int(y[wider].sum()), int(box.sum()), int(y[box].sum())
    return float(stats.hypergeom.sf(got - 1, n, k, draws))


def _best_peel(
    cols: np.ndarray, ys: np.ndarray, dims: Sequence[int], peel: float, least: int
) -> tuple[float, int, int, str, float] | None:
    """The next peel of a box holding the worlds ``cols`` (their values of the assumptions ``dims``)
    and cases ``ys``: (density, worlds kept, assumption, side, cut), or ``None`` when none is left.
    The densest; on a tie, the larger box; on a tie again, the first assumption, its low side first."""
    m = len(ys)
    # The peel quantiles of every column at once: ``np.quantile(col, peel, method="lower")`` and
    # ``np.quantile(col, 1 - peel, method="higher")`` are these order statistics.
    ordered = np.sort(cols, axis=0)
    lows_at = ordered[int(np.floor((m - 1) * peel))].tolist()
    highs_at = ordered[int(np.ceil((m - 1) * (1 - peel)))].tolist()
    best: tuple[float, int, int, str, float] | None = None
    for i, j in enumerate(dims):
        col = cols[:, i]
        for side, cut in (("low", lows_at[i]), ("high", highs_at[i])):
            keep = col > cut if side == "low" else col < cut
            kept = int(np.count_nonzero(keep))
            if kept < least or kept == m:
                continue
            cand = (int(np.count_nonzero(ys & keep)) / kept, kept, j, side, cut)
            if best is None or cand[:2] > best[:2]:
                best = cand
    return best


def _peel(
    x: np.ndarray, y: np.ndarray, dims: Sequence[int], peel: float, least: int
) -> list[tuple[np.ndarray, np.ndarray, float, float, float]]:
    """Friedman & Fisher's peeling over the assumptions ``dims``: every box of the trajectory as
    (lows, highs, coverage, density, mass), the whole space first."""
    n, d = x.shape
    total = int(y.sum())
    lows, highs = np.full(d, -np.inf), np.full(d, np.inf)
    inside = np.ones(n, dtype=bool)
    path = [(lows.copy(), highs.copy(), 1.0, total / n, 1.0)]
    dims = list(dims)
    while inside.sum() > least:
        best = _best_peel(x[inside][:, dims], y[inside], dims, peel, least)
        if best is None:
            break
        _, _, j, side, cut = best
        col = x[:, j]
        if side == "low":
            lows[j] = np.min(col[inside & (col > cut)])
        else:
            highs[j] = np.max(col[inside & (col < cut)])
        inside = _inside(x, lows, highs)
        got = int(y[inside].sum())
        path.append((lows.copy(), highs.copy(), got / total, got / int(inside.sum()), float(inside.mean())))
    return path


def _chosen(path: list[tuple[np.ndarray, np.ndarray, float, float, float]], min_coverage: float) -> int:
    """The densest box with at least ``min_coverage`` (on a tie, the larger coverage)."""
    eligible = [i for i, p in enumerate(path) if p[2] >= min_coverage]
    return max(eligible, key=lambda i: (round(path[i][3], 12), path[i][2]))


def _screen(x: np.ndarray, ys: np.ndarray, peel: float, least: int, min_coverage: float) -> np.ndarray:
    """Per case vector (rows of ``ys``) and assumption, the quasi-p-value of the assumption's own
    chosen box: :func:`_peel` and :func:`_chosen` over that assumption alone, for all at once.

    In one dimension a box is a run of the worlds sorted by the assumption, and a peel drops the
    lowest or the highest of them, together with every world of the same value (a whole number
    ties many worlds: a box must be bounded by values, not by ranks). The denser side is dropped; on
    a tie the larger box is kept, then the low side dropped first, as :func:`_best_peel` does.
    """
    n, d = x.shape
    ys = np.atleast_2d(ys).astype(np.int64)
    r = len(ys)
    total = ys.sum(axis=1)[:, None].astype(float)
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    # For each sorted position of each assumption: the first position of its value and the one
    # after its last (its run of ties), read flat as ``j * n + position``.
    first = np.concatenate([np.searchsorted(xs[:, j], xs[:, j], side="left") for j in range(d)])
    after = np.concatenate([np.searchsorted(xs[:, j], xs[:, j], side="right") for j in range(d)])
    col = np.broadcast_to(np.arange(d)[None, :] * n, (r, d))
    # Cases counted up the sorted worlds: cum[row, j, k] over the k lowest, read flat.
    cum = np.zeros((r, d, n + 1))
    cum[:, :, 1:] = np.cumsum(ys[:, order.T], axis=2)
    flat = cum.ravel()
    origin = (np.arange(r)[:, None] * d + np.arange(d)[None, :]) * (n + 1)
    a, b = np.zeros((r, d), dtype=np.int64), np.full((r, d), n, dtype=np.int64)  # the box: [a, b)
    at_a, at_b = np.zeros((r, d)), np.take(flat, origin + n)
    best_den = np.broadcast_to(total / n, a.shape).copy()
    best_cov = np.ones(a.shape)
    best_got, best_size = np.broadcast_to(total, a.shape).copy(), np.full(a.shape, float(n))
    active = b - a > least
    while active.any():
        m = b - a
        cut = np.floor(peel * (m - 1)).astype(np.int64) + 1
        # 1 <= cut <= m: both peels read inside the box
        new_a = np.take(after, col + a + cut - 1)  # drop the lowest, and their ties
        new_b = np.take(first, col + b - cut)  # drop the highest, and their ties
        kept_low, kept_high = b - new_a, new_b - a
        at_new_a, at_new_b = np.take(flat, origin + new_a), np.take(flat, origin + new_b)
        low, high = at_b - at_new_a, at_new_b - at_a  # cases left on either peel
        ok_low, ok_high = active & (kept_low >= least), active & (kept_high >= least)
        with np.errstate(divide="ignore", invalid="ignore"):
            den_low, den_high = low / kept_low, high / kept_high
        drop_low = ok_low & (
            ~ok_high | (den_low > den_high) | ((den_low == den_high) & (kept_low >= kept_high))
        )
        drop_high = ok_high & ~drop_low
        a, at_a = np.where(drop_low, new_a, a), np.where(drop_low, at_new_a, at_a)
        b, at_b = np.where(drop_high, new_b, b), np.where(drop_high, at_new_b, at_b)
        moved = drop_low | drop_high
        got, size = at_b - at_a, b - a
        cov = got / total
        with np.errstate(divide="ignore", invalid="ignore"):
            den = got / size
        better = (
            moved
            & (cov >= min_coverage)
            & ((den > best_den + 1e-12) | ((abs(den - best_den) <= 1e-12) & (cov > best_cov)))
        )
        best_den = np.where(better, den, best_den)
        best_cov = np.where(better, cov, best_cov)
        best_got = np.where(better, got, best_got)
        best_size = np.where(better, size, best_size)
        active = moved & (size > least)
    p = stats.hypergeom.sf(best_got - 1, n, np.broadcast_to(total, a.shape), best_size)
    return np.where(best_size == n, 1.0, p)


def chance_minima(
    x: np.ndarray,
    y: np.ndarray,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    peel: float = PEEL,
    least: int = 2,
    min_coverage: float = MIN_COVERAGE,
    beat: float | None = None,
    alpha: float = ALPHA_P,
) -> np.ndarray:
    """The smallest quasi-p-value over all assumptions in each of ``permutations`` shuffles of the
    cases among the worlds (no assumption decides them): what a box chosen along a trajectory, among
    many assumptions, reaches by chance. With ``beat`` (a box's quasi-p-value), the shuffles stop
    once more of them reach it than a p-value of ``alpha`` allows: the same shuffles, fewer of them."""
    rng = np.random.default_rng(seed)
    allowed = alpha * (permutations + 1) - 1  # shuffles that may reach ``beat`` at p <= alpha
    minima: list[np.ndarray] = []
    drawn = reached = 0
    while drawn < permutations:
        n = min(BATCH, permutations - drawn)
        shuffled = np.array([rng.permutation(y) for _ in range(n)])
        minima.append(_screen(x, shuffled, peel, least, min_coverage).min(axis=1))
        drawn += n
        if beat is not None:
            reached += int(np.count_nonzero(minima[-1] <= beat))
            if reached > allowed:
                break
    return np.concatenate(minima) if minima else np.empty(0)


def chance_p(quasi_p: float, minima: np.ndarray) -> float:
    """A box's permutation p-value: (1 + the shuffles that reach its quasi-p-value) / (shuffles + 1).
    With few cases many shuffles reach the smallest attainable value, and a quantile of them as the
    level let a tie pass."""
    return (1 + int(np.count_nonzero(minima <= quasi_p))) / (len(minima) + 1)


def significant(quasi_p: float, minima: np.ndarray, alpha: float = ALPHA_P) -> bool:
    """Whether a box's quasi-p-value beats chance: its permutation p-value is at most ``alpha``."""
    return chance_p(quasi_p, minima) <= alpha


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    peel: float = PEEL,
    min_mass: float = MIN_MASS,
    min_coverage: float = MIN_COVERAGE,
    alpha_p: float = ALPHA_P,
    max_dims: int = MAX_DIMS,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
) -> tuple[Box | None, float]:
    """The chosen PRIM box of the cases ``y`` (bool, one per world) over assumptions ``x`` (worlds x
    assumptions), or ``None`` when there are no cases, or no assumption is needed to find them; and
    the permutation p-value of its first assumption (NaN where no box was sought: too few cases or
    other worlds). A run tells its findings' boxes from chance together with these p-values
    (:func:`experiments.stats.fdr`).

    The assumptions a box may restrict are chosen forward: the one whose own peeled box is the most
    significant, then, peeling over both, the next that adds a significant restriction, up to
    ``max_dims``; significant means a quasi-p-value that beats chance (:func:`significant`, over
    ``permutations`` shuffles seeded by ``seed``). Peeling over every assumption at once, with many
    assumptions and few worlds, restricts a dozen of them by a world or two each, and none then looks
    needed.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, d = x.shape
    total = int(y.sum())
    if min(total, n - total) < MIN_CASES or d == 0:
        return None, float("nan")
    least = max(2, int(np.ceil(min_mass * n)))
    first = _screen(x, y, peel, least, min_coverage)[0]
    best_p = float(first.min())
    minima = chance_minima(x, y, permutations, seed, peel, least, min_coverage, best_p, alpha_p)
    p_value = chance_p(best_p, minima)
    if p_value > alpha_p:
        return None, p_value
    dims = [int(np.argmin(first))]
    path = _peel(x, y, dims, peel, least)
    chosen = path[_chosen(path, min_coverage)]
    trajectory = [(c, den, m) for _, _, c, den, m in path]
    while len(dims) < min(max_dims, d):
        best: tuple[float, int, tuple, list] | None = None
        for k in range(d):
            if k in dims:
                continue
            kpath = _peel(x, y, [*dims, k], peel, least)
            box = kpath[_chosen(kpath, min_coverage)]
            if not (np.isfinite(box[0][k]) or np.isfinite(box[1][k])) or box[3] <= chosen[3]:
                continue  # the peel did not use it, or it is no denser with it
            p = _quasi_p(x, y, box[0], box[1], k)
            if best is None or p < best[0]:
                best = (p, k, box, kpath)
        if best is None or not significant(best[0], minima, alpha_p):
            break
        dims.append(best[1])
        chosen = best[2]
        trajectory = [(c, den, m) for _, _, c, den, m in best[3]]
    lows, highs = chosen[0], chosen[1]
    restricted = [j for j in dims if np.isfinite(lows[j]) or np.isfinite(highs[j])]
    box = _inside(x, lows, highs)
    got = int(y[box].sum())
    return Box(
        limits={names[j]: (float(lows[j]), float(highs[j])) for j in restricted},
        coverage=got / total,
        density=got / int(box.sum()),
        mass=float(box.mean()),
        quasi_p={names[j]: _quasi_p(x, y, lows, highs, j) for j in restricted},
        trajectory=trajectory,
    ), p_value
