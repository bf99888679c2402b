"""Scenario discovery (PRIM): it finds a planted deciding assumption, and none in noise."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from experiments import discovery
from experiments.discovery import Box, _best_peel, _chosen, _peel, _quasi_p, _screen

NAMES = [f"a{i}" for i in range(30)]


def prim(x: np.ndarray, y: np.ndarray, names: list[str]) -> Box | None:
    """The box alone (its test's p-value is the run's, :mod:`tests.test_robustness`)."""
    return discovery.prim(x, y, names)[0]


@pytest.fixture
def worlds() -> np.ndarray:
    return np.random.default_rng(1).random((64, len(NAMES)))


def test_finds_the_planted_assumption(worlds: np.ndarray) -> None:
    y = worlds[:, 7] < 0.3
    box = prim(worlds, y, NAMES)
    assert box is not None and list(box.limits) == ["a7"]
    low, high = box.limits["a7"]
    assert low == -np.inf and 0.25 <= high <= 0.35
    assert box.coverage >= 0.9 and box.density >= 0.9
    assert "a7 <= 0." in box.describe()
    covs = [c for c, _, _ in box.trajectory]  # peeling trades coverage for density
    assert covs[0] == 1.0 and all(b <= a + 1e-12 for a, b in itertools.pairwise(covs))


def test_finds_it_through_noise(worlds: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    y = (worlds[:, 12] > 0.6) ^ (rng.random(len(worlds)) < 0.08)
    box = prim(worlds, y, NAMES)
    assert box is not None and "a12" in box.limits and box.limits["a12"][0] > 0.5


def test_two_assumptions_together(worlds: np.ndarray) -> None:
    y = (worlds[:, 3] > 0.5) & (worlds[:, 10] > 0.4)
    box = prim(worlds, y, NAMES)
    assert box is not None and set(box.limits) == {"a3", "a10"}
    assert box.density >= 0.9


def test_no_box_in_noise(worlds: np.ndarray) -> None:
    found = 0
    for seed in range(8):
        y = np.random.default_rng(100 + seed).random(len(worlds)) < 0.3
        found += prim(worlds, y, NAMES) is not None
    assert found <= 1  # the permutation test holds its 5% level, give or take one


@pytest.mark.parametrize("n", [16, 64])
def test_no_box_for_a_few_cases_in_noise(n: int) -> None:
    """With 3-4 cases many shuffles reach the smallest attainable quasi-p-value: taken as the level,
    a tie passed, and a box was found for 17 of 40 random sets of cases among 16 worlds."""
    worlds = np.random.default_rng(1).random((n, len(NAMES)))
    found = 0
    for seed, k in itertools.product(range(20), (3, 4)):
        y = np.zeros(n, bool)
        y[np.random.default_rng(200 + seed).choice(n, k, replace=False)] = True
        found += prim(worlds, y, NAMES) is not None
    assert found <= 4  # 5% of 40, give or take two


def test_a_boxs_p_value_counts_its_shuffles_and_noise_stops_them_early(worlds: np.ndarray) -> None:
    """A planted box beats all 999 shuffles (p = 1 / 1000, small enough to pass among a run's
    findings); a box of noise stops the shuffles once it cannot pass, on the same shuffles as all."""
    from experiments.discovery import ALPHA_P, MIN_COVERAGE, PEEL, PERMUTATIONS, chance_minima, chance_p

    box, p = discovery.prim(worlds, worlds[:, 7] < 0.3, NAMES)
    assert box is not None and p == 1 / (PERMUTATIONS + 1)
    y = np.random.default_rng(100).random(len(worlds)) < 0.3
    box, p = discovery.prim(worlds, y, NAMES)
    assert box is None and p > ALPHA_P
    least = int(np.ceil(0.05 * len(worlds)))
    best = float(_screen(worlds, y, PEEL, least, MIN_COVERAGE)[0].min())
    every = chance_minima(worlds, y, PERMUTATIONS, 0, PEEL, least, MIN_COVERAGE)
    early = chance_minima(worlds, y, PERMUTATIONS, 0, PEEL, least, MIN_COVERAGE, beat=best)
    assert len(early) < len(every) == PERMUTATIONS and np.array_equal(early, every[: len(early)])
    assert chance_p(best, every) > ALPHA_P and p == chance_p(best, early)
    assert np.isnan(discovery.prim(worlds, np.zeros(len(worlds), bool), NAMES)[1])


def test_nothing_to_explain(worlds: np.ndarray) -> None:
    assert prim(worlds, np.zeros(len(worlds), bool), NAMES) is None
    assert prim(worlds, np.ones(len(worlds), bool), NAMES) is None


# The plain forms of peeling and screening (a quantile per column and side; four lookups a step),
# against which the faster ones are checked: the same boxes, the same numbers.
def reference_best_peel(
    cols: np.ndarray, ys: np.ndarray, dims: Sequence[int], peel: float, least: int
) -> tuple[float, int, int, str, float] | None:
    best = None
    for i, j in enumerate(dims):
        col = cols[:, i]
        for side in ("low", "high"):
            if side == "low":
                cut = float(np.quantile(col, peel, method="lower"))
                keep = col > cut
            else:
                cut = float(np.quantile(col, 1 - peel, method="higher"))
                keep = col < cut
            if least <= keep.sum() < len(col):
                cand = (float(ys[keep].mean()), int(keep.sum()), j, side, cut)
                best = cand if best is None or cand[:2] > best[:2] else best
    return best


def reference_screen(
    x: np.ndarray, ys: np.ndarray, peel: float, least: int, min_coverage: float
) -> np.ndarray:
    """One case vector and one assumption at a time: PRIM's own peeling over that assumption alone,
    its chosen box, and that box's quasi-p-value."""
    out = np.ones((len(ys), x.shape[1]))
    for r, y in enumerate(ys.astype(bool)):
        for j in range(x.shape[1]):
            path = _peel(x, y, [j], peel, least)
            chosen = _chosen(path, min_coverage)
            if chosen:
                lows, highs = path[chosen][:2]
                out[r, j] = _quasi_p(x, y, lows, highs, j)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_fast_peeling_and_screening_are_the_plain_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random((64, 12))
    x[:, 5] = np.round(x[:, 5] * 4)  # an integer assumption: ties at the cut
    y = (x[:, 2] > 0.5) ^ (rng.random(64) < 0.15)
    for dims in ([2], [2, 5], [0, 5, 9]):
        inside = np.ones(len(x), dtype=bool)
        for _ in range(30):  # along a peeling trajectory: boxes ever smaller
            cols = x[inside][:, dims]
            fast = _best_peel(cols, y[inside], dims, 0.05, 4)
            assert fast == reference_best_peel(cols, y[inside], dims, 0.05, 4)
            if fast is None:
                break
            col = x[:, fast[2]]
            inside &= col > fast[4] if fast[3] == "low" else col < fast[4]
    x[:, 7] = np.round(x[:, 7] * 2)  # three values: long runs of ties
    x[:, 9] = np.floor(x[:, 9] * 10)  # a whole number that decides some of the cases below
    ys = np.array([rng.permutation(y) for _ in range(20)] + [y, x[:, 9] <= 2, (x[:, 7] == 0) | (x[:, 9] > 7)])
    fast, plain = _screen(x, ys, 0.05, 4, 0.5), reference_screen(x, ys, 0.05, 4, 0.5)
    assert np.allclose(fast, plain, rtol=1e-12, atol=0) and (fast < 1).any()
