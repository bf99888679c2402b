"""Rules checked against answers worked out by hand: each case is small enough to compute on paper,
and each guards a rule that the golden digests would only see as a changed number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agents.committees import Committee, CommitteeConf, CommitteeRulesConf
from agents.deputies import Deputies, PartyConf, apportion
from experiments.stats import paired_differences
from scenarios.diff import differences


def free_members(ideal: list[float]) -> Deputies:
    """Members who vote their own ideal point (no party line, no noise), all present."""
    n = len(ideal)
    parties = {"a": PartyConf(position=0.0)}
    return Deputies("c", parties, np.zeros(n, int), np.array(ideal), np.zeros(n), np.zeros(n), 1.0, 0.0)


@pytest.mark.parametrize(
    ("ideal", "decision"),
    [
        ([-0.9, -0.9, 0.9, 0.9], "hold"),  # 2 of 4 for: no majority of the committee
        ([-0.9, 0.9, 0.9, 0.9], "report"),  # 3 of 4
        ([-0.9, 0.9, 0.9], "report"),  # 2 of 3
        ([-0.9, -0.9, 0.9], "hold"),  # 1 of 3
    ],
)
def test_a_committee_reports_a_bill_only_with_a_majority_of_its_members(
    ideal: list[float], decision: str
) -> None:
    # a bill at 0.8 replacing 0.0: a member at 0.9 gains (0.81 - 0.01), one at -0.9 loses (0.81 - 2.89)
    d = free_members(ideal)
    committee = Committee("c", "c", ["t"], np.arange(len(ideal)), 8, 0, d, CommitteeRulesConf())
    got = committee.decide(0.8, 0.0, False, None, np.random.default_rng(0))
    assert (got.outcome, got.position) == (decision, 0.8)


@pytest.mark.parametrize(
    ("seats", "weights", "want"),
    [
        (7, [50, 30, 20], [4, 2, 1]),  # quotas 3.5, 2.1, 1.4: the seat left goes to the largest remainder
        (6, [47, 33, 20], [3, 2, 1]),  # quotas 2.82, 1.98, 1.2: two left, to 0.98 then 0.82
        (10, [1, 1, 1], [4, 3, 3]),  # equal remainders: in the parties' order
        (5, [0, 0], [3, 2]),  # no weight: shared equally
    ],
)
def test_seats_are_shared_by_the_largest_remainder(seats: int, weights: list[int], want: list[int]) -> None:
    assert apportion(seats, np.array(weights)).tolist() == want


def test_a_relative_difference_keeps_the_sign_of_the_change_against_a_negative_baseline() -> None:
    """``diff_pct`` is the change relative to the baseline's size: from -2 to -1 is +50%, not -50%."""
    rows = [
        {"scenario": s, "seed": seed, "x": v}
        for s, values in (("base", [-2.0, -2.0]), ("new", [-1.0, -1.0]))
        for seed, v in enumerate(values)
    ]
    d = paired_differences(pd.DataFrame(rows), ["x"], "base")
    assert d.loc[0, "diff"] == 1.0 and d.loc[0, "diff_pct"] == 50.0


def test_a_declared_change_covers_its_own_settings_not_those_whose_names_begin_alike() -> None:
    base = {"a": {"b": 1, "bc": 1, "list": [1, 2]}}
    new = {"a": {"b": 2, "bc": 2, "list": [1, 3]}}
    found = {d.path: d.declared for d in differences(base, new, {"a.b": "reform", "a.list": "reform"})}
    assert found == {"a.b": "a.b", "a.bc": None, "a.list[1]": "a.list"}


def test_a_well_consulted_draft_is_returned_and_fails_less_often() -> None:
    """A consultation of quality q widens the head of state's tolerance by ``veto_gain * q`` and cuts
    a work stage's failures by ``fail_cut * q``: a law just outside the tolerance (0.55 from the head
    of state, tolerance 0.5) is signed once consulted at q = 0.9 (0.5 x 1.18 = 0.59)."""
    from types import SimpleNamespace

    from agents.head_of_state import HeadOfState, HeadOfStateConf
    from sim.channels.consultation import ConsultationChannel, ConsultationConf

    channel = ConsultationChannel.__new__(ConsultationChannel)  # its effects read the spec and qualities
    channel.spec, channel.quality = ConsultationConf(fail_cut=0.3, veto_gain=0.2), {1: 0.9}
    consulted, not_consulted = SimpleNamespace(id=1), SimpleNamespace(id=2)
    head, rng = (
        HeadOfState(HeadOfStateConf(position=0.0, veto_tolerance=0.5, noise_sd=0.0)),
        np.random.default_rng(0),
    )
    assert head.returns(0.55, channel.veto_factor(not_consulted), rng)
    assert not head.returns(0.55, channel.veto_factor(consulted), rng)
    assert channel.fail_factor(None, consulted) == pytest.approx(1 - 0.3 * 0.9)  # type: ignore[arg-type]
    assert channel.fail_factor(None, not_consulted) == 1.0  # type: ignore[arg-type]


def test_a_sessions_books_hold_the_bills_still_pending() -> None:
    """On the books in a session: introduced before it closed and not finished before it opened,
    which a bill still pending (finished NaN) is; lapsed at its end; its last vote."""
    from sim.engine.calendar import Session
    from sim.metrics import session_table

    nan = float("nan")
    bills = {  # A pending; B done before the session; C introduced and adopted in it; D after it; E lapsed
        "introduced": np.array([10.0, 10.0, 150.0, 250.0, 90.0]),
        "finished": np.array([nan, 50.0, 180.0, 260.0, 120.0]),
        "adopted": np.array([nan, 40.0, 170.0, nan, nan]),
        "state": np.array(["pending", "enacted", "enacted", "rejected", "lapsed"]),
    }
    votes = {"time": np.array([150.0, 190.0, 210.0])}
    row = session_table({"bills": bills, "votes": votes}, [Session(1, "regular", 100.0, 200.0)], 300.0)
    got = {k: row[k][0] for k in ("on_books", "introduced", "adopted", "lapsed", "last_vote", "complete")}
    assert got == {
        "on_books": 3,
        "introduced": 1,
        "adopted": 1,
        "lapsed": 1,
        "last_vote": 190.0,
        "complete": True,
    }


#: A bill written by hand: (priority, introduced, adopted, state, finished), in days; NaN: not yet.
HandBill = tuple[bool, float, float, str, float]
NAN = float("nan")


def summary_of(bills: list[HandBill], horizon: float, deadline: float) -> dict[str, float | None]:
    """The engine's summary of bills written by hand, with no stage visit, vote or amendment."""
    from sim.engine.ledger import AMENDMENTS, BILLS, STAGES, VOTES, table
    from sim.engine.parliament import ParliamentConf, PriorityConf
    from sim.metrics import summarize

    rows = [  # each drafted on the day it was introduced
        (i, "government", "t", 0.0, 1.0, True, priority, intro, intro, adopted, state, finished)
        for i, (priority, intro, adopted, state, finished) in enumerate(bills)
    ]
    empty = {name: table(schema, []) for name, schema in (("stages", STAGES), ("votes", VOTES))}
    tables = {"bills": table(BILLS, rows), "amendments": table(AMENDMENTS, []), **empty}
    return summarize(tables, horizon, 0.0, ParliamentConf(priority=PriorityConf(deadline_days=deadline)))[0]


def test_the_90th_percentile_of_lead_times_is_over_laws_from_introduction_to_enactment() -> None:
    """Lead time runs from introduction to enactment (not to parliament's adoption), over the laws
    only: not the bills rejected (even one adopted, returned by the head of state and not
    overridden), lapsed or still pending at the horizon. The percentile interpolates linearly
    between the two laws around rank 0.9 x (n - 1), numpy's default."""
    bills: list[HandBill] = [
        (False, 0.0, 35.0, "enacted", 40.0),  # a law in 40 days (adopted in 35)
        (False, 100.0, 105.0, "enacted", 110.0),  # 10 (5)
        (False, 50.0, 130.0, "enacted", 140.0),  # 90 (80)
        (False, 200.0, 225.0, "enacted", 230.0),  # 30 (25)
        (False, 300.0, 318.0, "enacted", 320.0),  # 20 (18)
        (False, 10.0, NAN, "rejected", 310.0),  # 300 days to its rejection
        (False, 150.0, 160.0, "rejected", 250.0),  # 100 days, adopted and then returned
        (False, 20.0, NAN, "lapsed", 200.0),  # 180 days to its lapse
        (False, 5.0, NAN, "pending", NAN),  # 395 days at the horizon
    ]
    # laws' lead times sorted: 10, 20, 30, 40, 90; rank 0.9 x (5 - 1) = 3.6, between 40 and 90:
    # 40 + 0.6 x 50 = 70. The lower rank gives 40, the nearest or the higher 90, the midpoint 65; a
    # sixth bill moves the rank to 4.5 (with the one returned: 90 + 0.5 x 10 = 95); days to adoption
    # (5, 18, 25, 35, 80) give 35 + 0.6 x 45 = 62.
    assert summary_of(bills, 400.0, 45.0)["lead_time_p90_days"] == pytest.approx(40 + 0.6 * (90 - 40))


def test_the_priority_share_is_of_bills_due_by_the_horizon_adopted_within_the_deadline() -> None:
    """A priority bill is due if introduced at least the deadline before the horizon; it counts as on
    time if parliament adopted it within the deadline, the last day included, whatever became of it
    afterwards (the head of state's signature is not parliament's to meet). The deadline, 45 days, is
    not the default 60, so that a rule reading the default is seen."""
    bills: list[HandBill] = [  # horizon 400, deadline 45: due if introduced by day 400 - 45 = 355
        (True, 10.0, 55.0, "enacted", 65.0),  # adopted in exactly 45 days: on time (enacted in 55)
        (True, 100.0, 130.0, "enacted", 135.0),  # 30: on time
        (True, 20.0, 50.0, "rejected", 90.0),  # 30: on time, then returned and not overridden
        (True, 200.0, 290.0, "enacted", 300.0),  # 90: late
        (True, 150.0, NAN, "rejected", 250.0),  # never adopted
        (True, 250.0, NAN, "pending", NAN),  # pending, introduced 150 days before the horizon
        (True, 355.0, NAN, "pending", NAN),  # pending, introduced exactly 45 days before it: due
        (True, 360.0, 380.0, "enacted", 390.0),  # adopted in 20 days, but introduced too late: not due
        (True, 390.0, NAN, "pending", NAN),  # introduced too late: not due
        (False, 0.0, 10.0, "enacted", 15.0),  # not a priority, adopted in 10 days
        (False, 30.0, NAN, "pending", NAN),  # not a priority
    ]
    # due: the first seven; on time: the first three. The last day excluded gives 2/7, days to
    # enactment 1/7, a 60-day deadline 3/6, the bill introduced on day 355 left out 3/6, all
    # priority bills 4/9, all bills 3/11, the adopted priority bills 3/4, any bill adopted in 45 days
    # 5/7, the bills never adopted counted on time 6/7, only the laws on time 2/7.
    assert summary_of(bills, 400.0, 45.0)["priority_within_deadline"] == pytest.approx(3 / 7)


@pytest.mark.parametrize(
    "bills",
    [
        [(False, 0.0, NAN, "rejected", 100.0), (False, 50.0, NAN, "pending", NAN)],  # no law, no priority
        [(True, 360.0, 380.0, "rejected", 395.0), (True, 390.0, NAN, "pending", NAN)],  # none due yet
    ],
)
def test_with_no_law_or_no_priority_bill_due_the_metrics_are_undefined(bills: list[HandBill]) -> None:
    """None, not 0: a run without a law has no lead time, and one without a priority bill
    introduced at least the deadline before the horizon has no share of them on time (in the second
    case, a bill adopted in 20 of the 45 days that was introduced too late to be due)."""
    got = summary_of(bills, 400.0, 45.0)
    assert (got["lead_time_p90_days"], got["priority_within_deadline"]) == (None, None)


def test_a_committee_without_a_named_chair_is_chaired_by_the_largest_party() -> None:
    """``chair: ""`` means the chamber's largest party (CommitteeConf), not its smallest."""
    parties = {"a": PartyConf(seats=3), "b": PartyConf(seats=5), "c": PartyConf(seats=2)}
    party = np.repeat([0, 1, 2], [3, 5, 2])
    n = party.size
    d = Deputies("c", parties, party, np.zeros(n), np.ones(n), np.zeros(n), 1.0, 0.0)
    rng = np.random.default_rng(0)
    default = Committee.appoint(
        "x", CommitteeConf(chamber="c", topics=["t"], size=5), d, CommitteeRulesConf(), rng
    )
    assert default.chair == 1  # b, 5 of the 10 seats
    named = CommitteeConf(chamber="c", topics=["t"], size=5, chair="c")
    assert Committee.appoint("y", named, d, CommitteeRulesConf(), rng).chair == 2
