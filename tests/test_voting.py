"""Votes: majority rules, quorum, absence, and the deputies' vectorised decision rule."""

from __future__ import annotations

import numpy as np
import pytest

from agents.deputies import Deputies, PartyConf, median_of, rewrite, spatial_gain
from agents.majority import RULES, Rule, passes, reached, reaches, tally


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
    assert bool(tally(y, p, 100, RULES[rule], 0.5).passed[0]) is passed


def test_simple_majority_counts_those_voting_absolute_counts_members() -> None:
    y, p = _votes(100, 40, present=60)  # 40 of 60 present say yes
    assert tally(y, p, 100, RULES["simple"], 0.5).passed[0]
    assert not tally(y, p, 100, RULES["absolute"], 0.5).passed[0]


def test_quorum_blocks_a_vote_with_too_few_present() -> None:
    y, p = _votes(100, 49, present=49)
    t = tally(y, p, 100, RULES["simple"], 0.5)
    assert not t.quorate[0] and not t.passed[0]
    y, p = _votes(100, 50, present=50)
    assert tally(y, p, 100, RULES["simple"], 0.5).passed[0]


def test_absent_yes_votes_do_not_count() -> None:
    y = np.ones((10, 1), dtype=bool)
    p = np.zeros((10, 1), dtype=bool)
    p[:3] = True
    t = tally(y, p, 10, RULES["simple"], 0.1)
    assert t.yes[0] == 3 and t.present[0] == 3


def deputies(ideal: list[float], party: list[int], loyalty: float, parties: dict[str, PartyConf]) -> Deputies:
    n = len(ideal)
    return Deputies(
        "test",
        parties,
        np.array(party),
        np.array(ideal),
        np.full(n, loyalty),
        np.zeros(n),
        attendance=1.0,
        noise_sd=0.0,
    )


def test_loyal_deputies_follow_the_whip_and_free_ones_their_ideal() -> None:
    parties = {"a": PartyConf(position=0.9), "b": PartyConf(position=-0.9)}
    pos, sq = np.array([0.8]), np.array([0.0])
    loyal, free = (
        deputies([-0.9, -0.9, 0.9, 0.9], [0, 0, 1, 1], w, parties).support(
            pos, sq, np.array([False]), None, np.random.default_rng(0)
        )
        for w in (1.0, 0.0)
    )
    assert loyal[:, 0].tolist() == [True, True, False, False]  # party 0 sits at +0.9
    assert free[:, 0].tolist() == [False, False, True, True]


def test_government_parties_back_government_bills() -> None:
    parties = {"gov": PartyConf(position=-0.5, government=True), "opp": PartyConf(position=0.5)}
    d = deputies([0.0, 0.0], [0, 1], 1.0, parties)
    assert [d.backs(0, 0.9, 0.0, gov) for gov in (True, False)] == [True, False]
    assert [d.backs(1, 0.9, 0.0, gov) for gov in (True, False)] == [True, True]
    # every member loyal (weight 1): the members vote their party's line, the matrix form agrees
    yes = d.support(np.array([0.9, 0.9]), np.array([0.0, 0.0]), np.array([True, False]), None,
                    np.random.default_rng(0))  # fmt: skip
    assert yes.tolist() == [[True, False], [True, True]]


def test_attention_weighs_the_citizen_signal_against_the_party_line() -> None:
    parties = {"a": PartyConf(position=0.0)}
    d = deputies([0.0, 0.0], [0, 0], 0.0, parties)
    d.attention = np.array([0.0, 2.0])
    pos, sq = np.array([0.5]), np.array([0.0])
    signal = np.array([[1.0], [1.0]])  # citizens press for the bill
    yes = d.support(pos, sq, np.array([False]), signal, np.random.default_rng(0))
    assert yes[:, 0].tolist() == [False, True]  # only the deputy who listens is moved


def test_fraction_rules_of_members_and_of_those_present() -> None:
    y, p = _votes(100, 60, present=80)  # 60 of the 80 present say yes
    assert tally(y, p, 100, Rule.of(3, 5, "members"), 0.5).passed[0]  # 60 >= 3/5 x 100
    assert not tally(y, p, 100, Rule.of(2, 3, "members"), 0.5).passed[0]  # 60 < 66.7
    assert tally(y, p, 100, Rule.of(2, 3, "present"), 0.5).passed[0]  # 60 >= 2/3 x 80
    assert not tally(y, p, 100, Rule.of(4, 5, "present"), 0.5).passed[0]  # 60 < 64


def test_free_members_vote_the_spatial_gain_of_the_model_description() -> None:
    """Members who owe their party nothing (loyalty 0, no noise, no signal) vote yes exactly where
    the spatial gain of the module's formula (``spatial_gain``) is positive, in the chamber's matrix
    form over many bills and in a committee's form over one: the in-place arithmetic of
    ``support`` and ``support_one`` is the formula it describes."""
    rng = np.random.default_rng(1)
    ideal = rng.uniform(-1, 1, 50)
    d = deputies(ideal.tolist(), [0] * 50, 0.0, {"a": PartyConf(position=0.0)})
    pos, sq = rng.uniform(-1, 1, 20), rng.uniform(-1, 1, 20)
    gain = spatial_gain(ideal, pos, sq)
    assert 0 < (gain > 0).sum() < gain.size
    yes = d.support(pos, sq, np.zeros(20, dtype=bool), None, np.random.default_rng(0))
    np.testing.assert_array_equal(yes, gain > 0)
    for j in range(20):
        one = d.support_one(float(pos[j]), float(sq[j]), False, None, np.random.default_rng(0))
        np.testing.assert_array_equal(one, gain[:, j] > 0)


@pytest.mark.parametrize("rule", [*RULES.values(), Rule.of(3, 5, "present"), Rule.of(2, 3, "present")])
def test_counting_one_vote_agrees_with_the_vectorised_tally(rule: Rule) -> None:
    """A sitting counts its items one by one (``passes``, ``reaches``); the Pluchino model counts
    thousands at once (``tally``, ``reached``): the same outcome for every count, at the edges too."""
    rng = np.random.default_rng(3)
    members = 21
    yes = rng.random((members, 400)) < rng.random(400)
    present = rng.random((members, 400)) < rng.random(400)
    for quorum in (0.0, 0.5, 2 / 3, 1.0):
        t = tally(yes, present, members, rule, quorum)
        for j in range(yes.shape[1]):
            y, n = int(t.yes[j]), int(t.present[j])
            assert passes(y, n, members, rule, quorum) == bool(t.passed[j])
            against = reached(np.array([n - y]), np.array([n]), members, rule)[0]
            assert reaches(n - y, n, members, rule) == bool(against)


def test_a_committee_decides_on_one_bill_as_the_chamber_would_on_a_column() -> None:
    """``support_one`` (a committee's decision on one bill) gives what ``support`` gives for the
    same members and bill, from the same draws."""
    parties = {
        "a": PartyConf(position=-0.4, discipline=0.6),
        "b": PartyConf(position=0.3, government=True),
        "c": PartyConf(position=0.8, discipline=0.2),
    }
    d = Deputies.seat(
        "c",
        parties,
        60,
        attention=0.3,
        attendance=0.9,
        noise_sd=0.4,
        loyalty_sd=0.05,
        rng=np.random.default_rng(1),
    )
    rows = np.sort(np.random.default_rng(2).choice(60, 15, replace=False))
    signal = np.random.default_rng(4).normal(size=(60, 1))
    seen = set()
    for k, (pos, sq, gov) in enumerate([(0.5, 0.1, True), (-0.7, 0.0, False), (0.05, 0.2, False)]):
        for sig in (None, signal):
            sub, own = d.subset(rows), None if sig is None else sig[rows]
            whole = sub.support(
                np.array([pos]), np.array([sq]), np.array([gov]), own, np.random.default_rng(k)
            )[:, 0]
            one = sub.support_one(pos, sq, gov, None if own is None else own[:, 0], np.random.default_rng(k))
            assert one.tolist() == whole.tolist()
            seen.add(int(one.sum()))
    assert len(seen) > 1  # the cases differ: the comparison is not between two constant answers


@pytest.mark.parametrize("n", [1, 2, 7, 14, 98, 99])
def test_the_median_member_is_numpys_median(n: int) -> None:
    for seed in range(20):
        x = np.random.default_rng(seed).normal(size=n)
        assert median_of(x) == float(np.median(x))


def test_a_rewrite_moves_the_bill_pull_of_the_way_from_the_bill_towards_the_median() -> None:
    """A rewrite measured ``pull`` from the median instead of from the bill (the same only at 0.5)."""
    assert rewrite(0.8, 0.0, 0.1, 0.25) == pytest.approx(0.8 + 0.25 * (0.0 - 0.8))
    assert rewrite(-0.6, 0.2, 0.1, 0.75) == pytest.approx(-0.6 + 0.75 * (0.2 + 0.6))
    assert rewrite(0.8, 0.75, 0.1, 0.25) is None  # within the threshold: left as it is
    assert rewrite(0.8, 0.0, 0.0, 0.25) is None  # threshold 0: never rewritten
