"""Scenario discovery (PRIM): it finds a planted deciding assumption, and none in noise."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from experiments.discovery import prim

NAMES = [f"a{i}" for i in range(30)]


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


def test_nothing_to_explain(worlds: np.ndarray) -> None:
    assert prim(worlds, np.zeros(len(worlds), bool), NAMES) is None
    assert prim(worlds, np.ones(len(worlds), bool), NAMES) is None
