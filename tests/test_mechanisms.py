"""The mechanisms that make a reform's effect come out of the model, each on a toy parliament where
its effect is known, and each test fails if the mechanism is taken away (the same toy without it
behaves differently)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agents.deputies import Deputies, PartyConf
from agents.majority import RULES
from scenarios import simulate
from sim.engine.chamber import Agenda, AgendaItem
from sim.engine.ledger import Bill
from tests.conftest import run_cli
from tests.toy import toy_config

GOV = {"position": 0.5, "spread": 0.0, "discipline": 1.0, "government": True}


def _path(stages: pd.DataFrame, bill: int) -> list[tuple[str, str]]:
    rows = stages[stages.bill == bill].sort_values(["entered", "left"], kind="stable")
    return list(zip(rows.stage, rows.outcome, strict=True))


# -- the second chamber: approve, amend or reject; the first accepts amendments or insists ----------
AMENDING = {
    "chambers.upper.parties": {"sen": {"seats": 10, "position": 0.2, "spread": 0.0, "discipline": 1.0}},
    "chambers.upper.amendment": {"threshold": 0.1, "pull": 0.5},
    "stages.upper_review.on_amend": "accept",
    "stages.upper_review.max_rounds": 2,
    "stages.accept": {
        "kind": "vote",
        "chamber": "lower",
        "question": "amendments",
        "rule": "absolute",
        "on_pass": "signature",
        "on_fail": "insist",
    },
    "stages.insist": {
        "kind": "vote",
        "chamber": "lower",
        "rule": "two_thirds",
        "override": True,
        "on_pass": "signature",
        "on_fail": "upper_review",
    },
}


def test_the_second_chamber_amends_and_the_first_accepts_its_amendments() -> None:
    # The lower chamber sits at 0.3: the Senate's rewrite (0.35) is closer to it than the bill (0.5).
    r = simulate(toy_config({**AMENDING, "chambers.lower.parties.gov.position": 0.3}))
    bills, stages, amendments = r.frames["bills"], r.frames["stages"], r.frames["amendments"]
    assert _path(stages, 0) == [
        ("first_reading", "pass"),
        ("upper_review", "amend"),
        ("accept", "pass"),
        ("signature", "pass"),
    ]
    laws = bills[bills.state == "enacted"]
    assert len(laws) > 10 and np.allclose(laws.position, 0.5 + 0.5 * (0.2 - 0.5))
    assert amendments.adopted.all() and set(amendments.by) == {"upper"}
    assert r.summary["senate_amendments_per_year"] == r.summary["senate_returns_per_year"] > 0
    assert r.summary["amendments_per_law"] == pytest.approx(1.0, abs=0.05)


def test_the_first_chamber_insists_on_its_version_with_two_thirds() -> None:
    # The lower chamber sits at 0.5, where the bill is: it refuses the rewrite and insists.
    r = simulate(toy_config(AMENDING))
    bills, stages, amendments = r.frames["bills"], r.frames["stages"], r.frames["amendments"]
    assert _path(stages, 0) == [
        ("first_reading", "pass"),
        ("upper_review", "amend"),
        ("accept", "fail"),
        ("insist", "pass"),
        ("signature", "pass"),
    ]
    assert np.allclose(bills[bills.state == "enacted"].position, 0.5)  # the bill as the lower chamber had it
    assert not amendments.adopted.any()
    assert r.summary["overrides_per_year"] > 0


def test_without_amendments_the_second_chamber_can_only_reject() -> None:
    r = simulate(toy_config({**AMENDING, "chambers.upper.amendment": {"threshold": 0.0, "pull": 0.5}}))
    review = r.frames["stages"].query("stage == 'upper_review'")
    assert set(review.outcome) == {"return"} and r.summary["senate_amendments_per_year"] == 0


def test_accepting_amendments_adopts_only_the_latest_record_of_that_bill() -> None:
    """Accepting the other chamber's amendments marked every earlier, superseded record of the bill
    adopted too (or another bill's)."""
    from types import SimpleNamespace

    from sim.engine.chamber import Chamber
    from sim.engine.ledger import Amendment

    records = [
        Amendment(1, "upper_review", "upper", 10.0, 0.5, 0.35, False),  # superseded by the next round
        Amendment(1, "upper_review", "upper", 20.0, 0.5, 0.4, False),  # the text the first chamber accepts
        Amendment(2, "upper_review", "upper", 25.0, 0.6, 0.3, False),  # another bill's, still pending
    ]
    bill = SimpleNamespace(id=1, position=0.5, amended=0.4)
    Chamber._adopt_amendment(SimpleNamespace(_amendments=records), bill)  # type: ignore[arg-type]
    assert [a.adopted for a in records] == [False, True, False]
    assert bill.position == records[1].after and np.isnan(bill.amended)


# -- committees that decide ------------------------------------------------------------------------
def _committee(chair: str, gatekeeping: float, parties: dict, amend_threshold: float = 0.0) -> dict:
    return {
        "chambers.lower.parties": parties,
        "committees": {
            "only": {"chamber": "lower", "topics": ["any"], "capacity": 5, "size": 10, "chair": chair}
        },
        "committee_rules": {
            "gatekeeping": gatekeeping,
            "amend_threshold": amend_threshold,
            "amend_pull": 0.5,
        },
        "initiators.gov.start": "committee",
        "stages.committee": {
            "kind": "work",
            "committee": True,
            "chamber": "lower",
            "duration": {"dist": "fixed", "mean": 3},
            "on_pass": "first_reading",
        },
        "stages.upper_review.rule": "simple",
        "chambers.upper.parties.opp.position": 0.5,
    }


MINORITY_CHAIR = {
    "gov": {**GOV, "seats": 6},
    "opp": {"seats": 4, "position": -0.5, "spread": 0.0, "discipline": 1.0},
}


def test_a_chair_keeps_bills_its_party_opposes_off_the_agenda() -> None:
    held = simulate(toy_config(_committee("opp", 1.0, MINORITY_CHAIR)))
    free = simulate(toy_config(_committee("opp", 0.0, MINORITY_CHAIR)))
    assert held.summary["committee_kill_rate"] == 1.0 and held.summary["laws_per_year"] == 0
    assert set(held.frames["stages"].query("stage == 'committee'").outcome) == {"hold"}
    assert free.summary["committee_kill_rate"] == 0.0 and free.summary["laws_per_year"] > 10


def test_a_committee_without_a_majority_for_the_bill_holds_it() -> None:
    opposed = {
        "gov": {**GOV, "seats": 4},
        "opp": {"seats": 6, "position": -0.5, "spread": 0.0, "discipline": 1.0},
    }
    r = simulate(toy_config(_committee("gov", 0.0, opposed)))
    assert r.summary["committee_kill_rate"] == 1.0


def test_committee_amendments_move_the_bill_towards_its_median() -> None:
    parties = {"gov": {**GOV, "seats": 5}, "mid": {**GOV, "seats": 5, "position": 0.2}}
    r = simulate(toy_config(_committee("gov", 0.0, parties, amend_threshold=0.1)))
    laws = r.frames["bills"].query("state == 'enacted'")
    median = (0.2 + 0.5) / 2
    assert len(laws) > 10 and np.allclose(laws.position, 0.5 + 0.5 * (median - 0.5))
    plain = simulate(toy_config(_committee("gov", 0.0, parties)))
    assert np.allclose(plain.frames["bills"].query("state == 'enacted'").position, 0.5)
    assert r.summary["amendments_per_law"] == pytest.approx(1.0) and plain.summary["amendments_per_law"] == 0


def test_a_committee_amendment_records_the_bill_before_and_after_it() -> None:
    """The amendments table had a committee's ``before`` and ``after`` swapped: the record must say
    the bill moved from where it was to the committee's rewrite, the position the law then has."""
    from agents.deputies import rewrite

    parties = {"gov": {**GOV, "seats": 5}, "mid": {**GOV, "seats": 5, "position": 0.2}}
    r = simulate(toy_config(_committee("gov", 0.0, parties, amend_threshold=0.1)))
    amendments, bills = r.frames["amendments"], r.frames["bills"]
    median = (0.2 + 0.5) / 2
    assert len(amendments) > 10 and set(amendments.by) == {"only"} and amendments.adopted.all()
    assert np.allclose(amendments.before, 0.5)  # the government's bills, unspread
    assert np.allclose(amendments.after, rewrite(0.5, median, 0.1, 0.5))
    last = amendments.sort_values("time", kind="stable").groupby("bill").after.last()
    laws = bills.query("state == 'enacted'").set_index("bill").position
    assert np.allclose(laws, last.loc[laws.index])


def test_the_committee_kill_rate_counts_failed_bills_among_the_decisions() -> None:
    """A bill withdrawn at a deciding committee (``fail_prob``) is one of its decisions: leaving
    fails out of the denominator overstated the share of bills the committee held."""
    r = simulate(toy_config({**_committee("opp", 0.5, MINORITY_CHAIR), "stages.committee.fail_prob": 0.3}))
    outcome = r.frames["stages"].query("stage == 'committee'").outcome
    counts = outcome.value_counts()
    assert counts.get("hold", 0) > 0 and counts.get("fail", 0) > 0
    decisions = sum(counts.get(k, 0) for k in ("pass", "amend", "hold", "fail"))
    assert r.summary["committee_kill_rate"] == pytest.approx(counts["hold"] / decisions)


# -- rejection by a majority of all members ---------------------------------------------------------
def test_a_bill_that_fails_without_a_majority_against_it_goes_back_for_more_work() -> None:
    base = {
        "chambers.lower.attendance": 0.45,  # a majority of all members is rarely present
        "initiators.gov.start": "drafting",
        "stages.drafting": {
            "kind": "work",
            "duration": {"dist": "fixed", "mean": 2},
            "max_rounds": 3,
            "on_pass": "first_reading",
        },
    }
    returned = simulate(
        toy_config(
            {
                **base,
                "stages.first_reading.reject_rule": "absolute",
                "stages.first_reading.on_return": "drafting",
            }
        )
    )
    rejected = simulate(toy_config(base))
    first = returned.frames["stages"].query("stage == 'first_reading'")
    assert "return" in set(first.outcome) and "fail" not in set(first.outcome)
    assert set(rejected.frames["stages"].query("stage == 'first_reading'").outcome) <= {"pass", "fail"}
    assert (rejected.frames["stages"].outcome == "fail").any()
    exhausted = returned.frames["stages"].query("outcome == 'exhausted'")
    assert len(exhausted) > 0 and set(exhausted.stage) == {"drafting"}  # three rounds, then dropped


# -- agenda control ------------------------------------------------------------------------------------
def _item(rank_bill: Bill, stage: str = "s") -> AgendaItem:
    return AgendaItem(rank_bill, stage, "bill", RULES["simple"], None, event=None)  # type: ignore[arg-type]


def test_the_agenda_puts_priority_bills_first_then_the_governments() -> None:
    def bill(i: int, priority: bool, government: bool) -> Bill:
        return Bill(i, "x", 0, "t", 0.0, 1.0, government, 0.0, "s", priority=priority)

    bills = [bill(0, False, False), bill(1, False, True), bill(2, True, True), bill(3, False, False)]
    ranked, fifo = Agenda(by_rank=True), Agenda(by_rank=False)
    for b in bills:
        ranked.append(_item(b))
        fifo.append(_item(b))
    assert [it.bill.id for it in ranked.take(4)] == [2, 1, 0, 3]
    assert [it.bill.id for it in fifo.take(4)] == [0, 1, 2, 3]


def test_a_sitting_takes_no_more_items_than_the_agenda_capacity() -> None:
    """A sitting took one item more than ``agenda_capacity``."""
    bills = [Bill(i, "x", 0, "t", 0.0, 1.0, False, 0.0, "s") for i in range(4)]
    for by_rank in (True, False):
        agenda = Agenda(by_rank=by_rank)
        for b in bills:
            agenda.append(_item(b))
        assert [it.bill.id for it in agenda.take(2)] == [0, 1] and agenda.waiting() == 2
    busy = {
        "chambers.lower.agenda_capacity": 1,
        "chambers.lower.sitting_weekdays": [2],
        "initiators.gov.rate_per_year": 45,
    }
    votes = simulate(toy_config(busy)).frames["votes"].query("chamber == 'lower'")
    per_sitting = votes.groupby("time").size()
    assert len(per_sitting) > 10 and per_sitting.max() == 1  # each vote is one item of the sitting


def test_priority_bills_wait_less_for_the_floor() -> None:
    busy = {
        "chambers.lower.agenda_capacity": 1,
        "chambers.lower.sitting_weekdays": [2],
        "initiators.gov.rate_per_year": 45,
        "initiators.gov.priority_share": 0.3,
    }

    def waits(agenda_priority: bool) -> tuple[float, float]:
        r = simulate(toy_config({**busy, "chambers.lower.agenda_priority": agenda_priority}, years=2))
        bills, stages = r.frames["bills"], r.frames["stages"]
        first = stages.query("stage == 'first_reading'").merge(bills[["bill", "priority"]], on="bill")
        wait = first.left - first.entered
        return float(wait[first.priority].mean()), float(wait[~first.priority].mean())

    prio, other = waits(True)
    prio_fifo, other_fifo = waits(False)
    assert prio < 0.5 * other  # priority bills jump the queue
    assert prio_fifo > 0.7 * other_fifo  # without agenda control they wait like the others


# -- sessions, lapse and readings -------------------------------------------------------------------
SHORT_SESSION = {
    "calendar": {
        "start": "2024-01-01",
        "sessions": [{"opens": "01-08", "closes": "04-06"}],  # 90 days
        "introduction_deadline_days": 50,
        "introduce_in_recess": False,
        "at_session_end": "lapse",
    },
    "initiators.gov.rate_per_year": 60,
    "stages.upper_review.duration.mean": 50,  # bills introduced late in the session are not adopted in time
}


def test_a_short_session_with_an_introduction_deadline_and_lapse_at_sine_die() -> None:
    r = simulate(toy_config(SHORT_SESSION, years=3))
    bills, sessions = r.frames["bills"], r.frames["sessions"]
    regular = sessions[sessions.kind == "regular"]
    opens = regular.opens.to_numpy()
    introduced = bills.introduced.to_numpy()
    offset = introduced[:, None] - opens[None, :]
    assert ((offset >= 0) & (offset <= 50)).any(axis=1).all()  # introduced only in the first 50 days
    assert (bills.introduced > bills.drafted).any()  # drafts made after the deadline waited
    lapsed = bills[bills.state == "lapsed"]
    assert len(lapsed) > 0 and np.isin(lapsed.finished, regular.closes).all()
    assert (bills.state == "pending").sum() == 0 or bills.introduced.max() > regular.closes.max()
    assert 0 < r.summary["session_length_days"] <= 90
    assert r.summary["lapsed_per_year"] > 0 and r.summary["laws_per_year"] > 0
    carried = simulate(toy_config({**SHORT_SESSION, "calendar.at_session_end": "carry_over"}, years=3))
    assert carried.summary["lapsed_per_year"] == 0


def test_bills_lapsed_at_the_end_of_a_session_count_in_that_session() -> None:
    """A bill lapses when its session closes, so it finishes at the session's ``closes``: the
    sessions table left those out of the session's ``lapsed``."""
    r = simulate(toy_config(SHORT_SESSION, years=3))
    bills, sessions = r.frames["bills"], r.frames["sessions"]
    lapsed = bills[bills.state == "lapsed"]
    assert len(lapsed) > 0
    for s in sessions.itertuples():
        assert s.lapsed == (lapsed.finished == s.closes).sum()
    assert sessions.lapsed.sum() == len(lapsed)


#: The toy's laws forwarded to the head of state within a fixed 10 days (as the Kurultai's).
FORWARDED = {
    "stages.upper_review.on_pass": "transmission",
    "stages.override.on_pass": "transmission",
    "stages.transmission": {
        "kind": "work",
        "duration": {"dist": "fixed", "mean": 10},
        "scale_by_complexity": False,
        "on_pass": "signature",
    },
}


def test_a_law_forwarded_to_the_head_of_state_is_adopted_at_its_last_vote() -> None:
    """Parliament is done with a law when its last vote passes: the days it then takes to reach the
    head of state count towards the time to law, not towards the time to adoption."""
    plain, forwarded = simulate(toy_config(years=1)), simulate(toy_config(FORWARDED, years=1))
    sent = forwarded.frames["stages"].query("stage == 'transmission'")
    adopted = forwarded.frames["bills"].set_index("bill").adopted
    assert len(sent) > 0
    np.testing.assert_array_equal(adopted[sent.bill].to_numpy(), sent.entered.to_numpy())
    # The same bills are adopted on the same days with the transmission as without it; their laws
    # are signed 10 days later.
    a, b = (r.frames["bills"].set_index("bill") for r in (plain, forwarded))
    both = a.index[a.state.eq("enacted") & b.state.eq("enacted")]
    assert len(both) > 10
    np.testing.assert_array_equal(a.adopted[both], b.adopted[both])
    np.testing.assert_array_equal(b.finished[both] - a.finished[both], 10.0)


def test_bills_not_yet_adopted_lapse_at_the_end_of_a_convocation() -> None:
    r = simulate(
        toy_config(
            {
                "calendar.convocation_years": 1,
                "calendar.at_convocation_end": "lapse",
                "stages.upper_review.duration.mean": 40,
            },
            years=2,
        )
    )
    lapsed = r.frames["bills"].query("state == 'lapsed'")
    assert len(lapsed) > 0 and set(lapsed.finished) == {365.0}
    assert lapsed.adopted.isna().all()  # a law awaiting signature does not lapse


def test_readings_expand_into_votes_with_committee_work_between() -> None:
    r = simulate(
        toy_config(
            {
                "stages.first_reading.readings": 3,
                "stages.first_reading.between": {"dist": "fixed", "mean": 4},
                "committees": {"only": {"chamber": "lower", "topics": ["any"], "capacity": 50, "size": 5}},
            }
        )
    )
    path = [s for s, _ in _path(r.frames["stages"], 0)]
    assert path[:5] == [
        "first_reading",
        "first_reading_amendments_1",
        "first_reading_2",
        "first_reading_amendments_2",
        "first_reading_3",
    ]
    assert (r.frames["votes"].stage == "first_reading_3").sum() > 0


def test_a_user_writes_a_short_session_legislature_in_yaml_alone(tmp_path: Path) -> None:
    """The parltwin command on a user's YAML: a 90-day session, introduction closes on day 50, bills
    lapse at sine die; the summary has the session's length and the laws passed."""
    mine = tmp_path / "mine" / "parliament"
    mine.mkdir(parents=True)
    (mine / "short.yaml").write_text(SHORT_YAML)
    out = tmp_path / "run"
    res = run_cli("--config-dir", str(tmp_path / "mine"), "parliament=short", "~citizens", "~channels",
                  "years=3", f"hydra.run.dir={out}", cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert 0 < summary["session_length_days"] <= 90
    assert summary["laws_per_year"] > 0 and summary["lapsed_per_year"] > 0


SHORT_YAML = """\
# A legislature with one 90-day session a year; no bill is introduced after day 50; what is not
# adopted by the end of the session dies (sine die).
name: short
description: one 90-day session a year, bills lapse at its end
calendar:
  start: "2025-01-01"
  sessions: [{opens: "01-13", closes: "04-12"}]
  introduction_deadline_days: 50
  introduce_in_recess: false
  at_session_end: lapse
chambers:
  house:
    seats: 100
    quorum: 0.5
    attendance: 0.95
    attention: 0.0
    sitting_weekdays: [1, 3]
    agenda_capacity: 20
    parties:
      blue: {seats: 55, position: 0.3, spread: 0.1, discipline: 0.8, government: true}
      red: {seats: 45, position: -0.3, spread: 0.1, discipline: 0.8}
topics:
  all: {weight: 1.0, status_quo: 0.0}
committees:
  main: {chamber: house, topics: [all], capacity: 10, size: 15}
initiators:
  members: {rate_per_year: 300, start: committee, position: 0.2, position_sd: 0.3}
complexity_sd: 0.5
vote_noise: 0.3
loyalty_sd: 0.05
stages:
  committee:
    {kind: work, committee: true, chamber: house, duration: {dist: gamma, mean: 15, sd: 8}, on_pass: floor}
  floor: {kind: vote, chamber: house, rule: "majority of present", on_pass: enacted}
"""


def test_deputies_author_in_proportion_to_seats() -> None:
    d = Deputies(
        "x",
        {"a": PartyConf(), "b": PartyConf()},
        np.array([0] * 75 + [1] * 25),
        np.zeros(100),
        np.zeros(100),
        np.zeros(100),
        attendance=1.0,
        noise_sd=0.0,
    )
    rng = np.random.default_rng(0)
    share = np.mean([d.author(rng) == 0 for _ in range(4000)])
    assert share == pytest.approx(0.75, abs=0.03)


def test_a_bill_is_rejected_only_by_a_quorate_sitting() -> None:
    """A reject_rule decides like any rule, with a quorum present: an inquorate sitting sends the
    bill back (``return``), however few of those present voted for it."""
    opposed = {
        "chambers.lower.attendance": 0.3,  # 3 of 10 present at most sittings; the quorum is 5
        "chambers.lower.parties.gov": {**GOV, "seats": 10, "position": -1.0, "government": False},
        "stages.first_reading.rule": "simple",
        "stages.first_reading.reject_rule": "simple",
        "stages.first_reading.on_return": "first_reading",
        "stages.first_reading.max_rounds": 3,
    }
    r = simulate(toy_config(opposed, years=1))
    votes = r.frames["votes"].query("stage == 'first_reading'")
    visits = r.frames["stages"].query("stage == 'first_reading' and outcome != 'exhausted'")
    decided = votes.merge(visits, left_on=["bill", "time"], right_on=["bill", "left"])
    assert len(decided) == len(votes) and (votes.no == votes.present).all()  # every one against
    inquorate = decided.present < 5
    assert inquorate.sum() > 10 and (~inquorate).sum() > 3
    assert (decided.outcome[inquorate] == "return").all()
    assert (decided.outcome[~inquorate] == "fail").all()
