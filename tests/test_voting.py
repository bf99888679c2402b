"""Vote kernels: majority rules, quorum, absence, and the vectorised support rule."""

from __future__ import annotations

import numpy as np
import pytest

from sim.voting import party_whip, spatial_gain, support, tally


def _votes(n: int, yes: int, present: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    y = np.zeros((n, 1), dtype=bool)
    y[:yes] = True
    p = np.ones((n, 1), dtype=bool)
    if present is not None:
        p[present:] = False
    return y, p


@pytest.mark.parametrize(
    ("rule", "yes", "passed"),
    [
        ("simple", 50, False),  # a tie is not a majority
        ("simple", 51, True),
        ("absolute", 50, False),
        ("absolute", 51, True),
        ("two_thirds", 66, False),
        ("two_thirds", 67, True),
        ("three_quarters", 74, False),
        ("three_quarters", 75, True),
    ],
)
def test_rules_on_100_members_all_present(rule: str, yes: int, passed: bool) -> None:
    y, p = _votes(100, yes)
    assert bool(tally(y, p, 100, rule, 0.5).passed[0]) is passed


def test_simple_majority_counts_those_voting_absolute_counts_members() -> None:
    y, p = _votes(100, 40, present=60)  # 40 of 60 present say yes
    assert tally(y, p, 100, "simple", 0.5).passed[0]
    assert not tally(y, p, 100, "absolute", 0.5).passed[0]


def test_quorum_blocks_a_vote_with_too_few_present() -> None:
    y, p = _votes(100, 49, present=49)
    t = tally(y, p, 100, "simple", 0.5)
    assert not t.quorate[0] and not t.passed[0]
    y, p = _votes(100, 50, present=50)
    assert tally(y, p, 100, "simple", 0.5).passed[0]


def test_absent_yes_votes_do_not_count() -> None:
    y = np.ones((10, 1), dtype=bool)
    p = np.zeros((10, 1), dtype=bool)
    p[:3] = True
    t = tally(y, p, 10, "simple", 0.1)
    assert t.yes[0] == 3 and t.present[0] == 3


def test_loyal_deputies_follow_the_whip_and_free_ones_their_ideal() -> None:
    ideal = np.array([-0.9, -0.9, 0.9, 0.9])
    party = np.array([0, 0, 1, 1])
    pos, sq = np.array([0.8]), np.array([0.0])
    gain = spatial_gain(ideal, pos, sq)
    whip = party_whip(np.array([0.9, -0.9]), pos, sq, np.array([False]), np.array([False, False]))
    loyal, free = (
        support(
            ideal=ideal,
            loyalty=np.full(4, w),
            party=party,
            whip=whip,
            gain=gain,
            signal=None,
            attention=None,
            noise_sd=0.0,
            rng=np.random.default_rng(0),
        )
        for w in (1.0, 0.0)
    )
    assert loyal[:, 0].tolist() == [True, True, False, False]  # party 0 sits at +0.9
    assert free[:, 0].tolist() == [False, False, True, True]


def test_government_parties_back_government_bills() -> None:
    whip = party_whip(
        np.array([-0.5, 0.5]),
        np.array([0.9, 0.9]),
        np.array([0.0, 0.0]),
        np.array([True, False]),
        np.array([True, False]),
    )
    assert whip[0].tolist() == [1.0, -1.0]
    assert whip[1].tolist() == [1.0, 1.0]


def test_kernel_over_many_bills_matches_bill_by_bill() -> None:
    rng = np.random.default_rng(1)
    ideal = rng.uniform(-1, 1, 50)
    pos, sq = rng.uniform(-1, 1, 20), rng.uniform(-1, 1, 20)
    gain = spatial_gain(ideal, pos, sq)
    for j in range(20):
        col = spatial_gain(ideal, pos[j : j + 1], sq[j : j + 1])[:, 0]
        np.testing.assert_array_equal(gain[:, j], col)
