"""Pluchino et al. (2011): the vectorised rule, the closed form, the hump, and the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.pluchino.model as pl
from agents.majority import RULES, tally
from sim.pluchino.model import Parliament, curve, draw, golden_rule, vote
from tests.conftest import run_cli


@pytest.mark.parametrize(("n", "p"), [(500, 0.6), (141, 0.6), (300, 0.75)])
def test_golden_rule_solves_majority_plus_a_quarter_of_independents(n: int, p: float) -> None:
    k = golden_rule(n, p)
    assert 0 < k < n
    assert p * (n - k) + k / 4 == pytest.approx(n / 2 + 1)
    assert golden_rule(n, 1 - p) == pytest.approx(k)  # the majority is whichever party is larger


def test_golden_rule_for_the_papers_case_and_an_even_split() -> None:
    assert golden_rule(500, 0.6) == pytest.approx(140.0)
    assert golden_rule(100, 0.5) == 0.0  # no majority party to dilute


def reference_votes(model: Parliament, d: pl.Draws, n_ind: int) -> tuple[np.ndarray, np.ndarray]:
    """The rules of the model written out act by act and deputy by deputy."""
    n_leg, acts = d.proposer.shape
    major, _ = model.seats(n_ind)
    passed = np.zeros((n_leg, acts), bool)
    ys = np.zeros((n_leg, acts))
    for leg in range(n_leg):
        party = [-1] * n_ind + [0] * major + [1] * (model.n - n_ind - major)
        place = []
        for k in range(model.n):
            if party[k] < 0:
                place.append(d.square[leg, k])
            else:
                place.append(d.centre[leg, party[k]] + d.disk[leg, k])
        for a in range(acts):
            author = d.proposer[leg, a]
            y = place[author][1]
            yes = 0
            for k in range(model.n):
                if party[k] >= 0 and party[k] == party[author]:
                    yes += 1
                    continue
                ref = place[k] if party[k] < 0 else d.centre[leg, party[k]]
                x_star = -1 + 2 * (int(d.u[k, leg, a]) + 0.5) / 65536
                yes += int(y >= ref[1] and x_star >= ref[0])
            passed[leg, a] = yes > model.n / 2
            ys[leg, a] = y
    return passed, ys


@pytest.mark.parametrize("n_ind", [0, 7, 20, 30])
def test_vectorised_votes_match_the_rules_written_out(n_ind: int) -> None:
    model = Parliament(n=30, p=0.6, r=0.3, acts=40)
    d = draw(model, seed=5, legislatures=[0, 1, 2])
    passed, y = vote(model, d, n_ind)
    ref_passed, ref_y = reference_votes(model, d, n_ind)
    np.testing.assert_array_equal(passed, ref_passed)
    np.testing.assert_allclose(y, ref_y, rtol=1e-6)
    assert 0 < passed.sum() < passed.size  # the comparison is not trivially all-or-nothing


def test_the_count_uses_the_projects_tally(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's votes are counted by the parliament's own count, with its rule: an act with
    half of the members for it fails (not more than half)."""
    yes = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 1]], bool)
    t = tally(yes, np.ones_like(yes), 4, RULES["absolute"], 0.0)
    assert t.passed.tolist() == [True, False, False]  # 2 of 4 is not more than half
    counted: list[tuple[int, object]] = []

    def spy(yes: np.ndarray, present: np.ndarray, members: int, rule: object, quorum: float) -> object:
        counted.append((members, rule))
        return tally(yes, present, members, rule, quorum)  # type: ignore[arg-type]

    monkeypatch.setattr(pl, "tally", spy)
    model = Parliament(n=30, p=0.6, r=0.3, acts=40)
    passed, _ = vote(model, draw(model, seed=5, legislatures=[0]), 7)
    assert counted and set(counted) == {(30, RULES[model.rule])}
    assert passed.size and 0 < passed.sum() < passed.size


def test_a_small_run_is_hump_shaped_with_its_peak_near_the_closed_form() -> None:
    model = Parliament(n=100, p=0.6, r=0.1, acts=300)
    grid = list(range(0, 101, 5))
    eff = curve(model, grid, legislatures=30, seed=1)["efficiency"].mean(axis=1)
    k = int(np.argmax(eff))
    assert 0 < k < len(grid) - 1
    assert eff[k] > eff[0] + 0.03 and eff[k] > eff[-1] + 0.03
    assert abs(grid[k] - golden_rule(100, 0.6)) <= 10


def test_results_do_not_depend_on_threads_or_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    model = Parliament(n=40, p=0.7, r=0.1, acts=60)
    grid = [0, 10, 25, 40]
    one = curve(model, grid, legislatures=7, seed=3, workers=1)
    monkeypatch.setattr(pl, "CHUNK_ELEMENTS", 40 * 60 * 2)
    two = curve(model, grid, legislatures=7, seed=3, workers=2)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key])
    other = curve(model, grid, legislatures=7, seed=4, workers=1)
    assert not np.array_equal(one["efficiency"], other["efficiency"])


def test_the_command_writes_the_curve_and_prints_peak_and_closed_form(tmp_path: Path) -> None:
    out = tmp_path / "run"
    small = ["experiment.N=60", "experiment.legislatures=6", "experiment.acts=80", "experiment.step=15"]
    r = run_cli("experiment=pluchino2011", *small, f"hydra.run.dir={out}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "efficiency.csv")
    assert list(table.columns) == ["n_independents", "efficiency_mean", "ci_low", "ci_high"]
    assert table["n_independents"].tolist() == [0, 15, 30, 45, 60]
    assert (table["ci_low"] <= table["efficiency_mean"]).all()
    assert (table["efficiency_mean"] <= table["ci_high"]).all()
    assert (out / "figures" / "efficiency.png").stat().st_size > 1000
    peak = int(table["n_independents"][table["efficiency_mean"].idxmax()])
    assert f"peaks at n_independents = {peak}" in r.stdout
    assert f"{golden_rule(60, 0.6):.1f}" in r.stdout


def test_a_bad_parameter_is_one_line_exit_2_and_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run_cli("experiment=pluchino2011", "experiment.p=1.5", f"hydra.run.dir={out}", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "parltwin: error: experiment.p=1.5 is not allowed: a share in [0, 1]"
    ]
    assert list(tmp_path.iterdir()) == []
