"""Each transition of a procedure, on a noiseless toy parliament where every outcome is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios import simulate
from scenarios.errors import ConfigError
from tests.toy import toy_config


def _path(stages: pd.DataFrame, bill: int) -> list[tuple[str, str]]:
    rows = stages[stages.bill == bill].sort_values(["entered", "left"], kind="stable")
    return list(zip(rows.stage, rows.outcome, strict=True))


def test_upper_chamber_rejection_returns_the_bill_and_two_thirds_overrides() -> None:
    r = simulate(toy_config())
    bills, stages = r.frames["bills"], r.frames["stages"]
    done = bills[bills.state != "pending"]
    assert len(done) > 10 and (done.state == "enacted").all()
    assert _path(stages, 0) == [
        ("first_reading", "pass"),
        ("upper_review", "return"),
        ("override", "pass"),
        ("signature", "pass"),
    ]
    assert r.summary["returns"] == r.summary["overrides"] == (stages.stage == "override").sum()
    assert r.summary["vetoes"] == 0


def test_an_override_short_of_two_thirds_rejects_the_bill() -> None:
    conf = toy_config(
        {
            "chambers.lower.parties": {
                "gov": {"seats": 6, "position": 0.5, "spread": 0.0, "discipline": 1.0, "government": True},
                "opp": {"seats": 4, "position": -1.0, "spread": 0.0, "discipline": 1.0},
            }
        }
    )
    r = simulate(conf)
    bills, stages, votes = r.frames["bills"], r.frames["stages"], r.frames["votes"]
    assert (bills[bills.state != "pending"].state == "rejected").all()
    assert _path(stages, 0) == [
        ("first_reading", "pass"),
        ("upper_review", "return"),
        ("override", "fail"),
    ]
    ov = votes[votes.stage == "override"]
    assert (ov.yes == 6).all() and (~ov.passed).all()
    assert r.summary["overrides"] == 0 and r.summary["laws_per_year"] == 0


@pytest.mark.parametrize(("deemed", "state"), [("pass", "enacted"), ("fail", "rejected")])
def test_a_silent_reviewer_is_deemed_to_decide_at_the_deadline(deemed: str, state: str) -> None:
    conf = toy_config({"stages.upper_review.duration.mean": 100, "stages.upper_review.deemed": deemed})
    r = simulate(conf)
    stages = r.frames["stages"]
    review = stages[stages.stage == "upper_review"]
    assert (review.outcome == f"deemed_{deemed}").all()
    assert ((review.left - review.entered) == 60).all()
    decided = r.frames["bills"][r.frames["bills"].state != "pending"]
    assert len(decided) > 0 and (decided.state == state).all()
    assert not (r.frames["votes"].stage == "upper_review").any()


def test_head_of_state_veto_and_parliament_override() -> None:
    conf = toy_config(
        {
            "head_of_state.position": -0.5,  # far from every bill (at +0.5)
            "head_of_state.veto_tolerance": 0.5,
            "chambers.upper.parties.opp.position": 0.5,  # the upper chamber now approves
        }
    )
    r = simulate(conf)
    stages = r.frames["stages"]
    assert _path(stages, 0) == [
        ("first_reading", "pass"),
        ("upper_review", "pass"),
        ("signature", "return"),
        ("veto_override", "pass"),
    ]
    enacted = (r.frames["bills"].state == "enacted").sum()
    assert enacted > 0 and r.summary["vetoes"] == r.summary["overrides"] == enacted
    assert r.summary["returns"] == 0


def test_a_navette_is_bounded_by_max_rounds() -> None:
    conf = toy_config(
        {
            "stages.upper_review.on_return": "first_reading",
            "stages.upper_review.max_rounds": 3,
            "stages.upper_review.on_fail": "rejected",
            "stages.override": None,
        }
    )
    r = simulate(conf)
    stages = r.frames["stages"]
    path = _path(stages, 0)
    assert path == [("first_reading", "pass"), ("upper_review", "return")] * 3 + [
        ("first_reading", "pass"),
        ("upper_review", "exhausted"),
    ]
    assert stages[stages.stage == "upper_review"].visit.max() == 4
    assert (r.frames["bills"].query("state != 'pending'").state == "rejected").all()


def test_an_unbounded_navette_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"stages\.\w+\.max_rounds.*cycle"):
        toy_config({"stages.upper_review.on_return": "first_reading", "stages.override": None})


def test_a_bill_past_a_bound_leaves_the_cycle_and_a_bound_is_at_most_ten_rounds() -> None:
    navette = {"stages.upper_review.on_return": "first_reading", "stages.override": None}
    with pytest.raises(
        ConfigError, match=r"stages\.upper_review\.on_fail='first_reading'.*outside the cycle"
    ):
        toy_config(
            {**navette, "stages.upper_review.max_rounds": 3, "stages.upper_review.on_fail": "first_reading"}
        )
    with pytest.raises(ConfigError, match=r"max_rounds=11 .*from 1 to 10"):
        toy_config(
            {**navette, "stages.upper_review.max_rounds": 11, "stages.upper_review.on_fail": "rejected"}
        )


@pytest.mark.parametrize("rounds", [1, 3])
def test_no_bill_makes_more_stage_visits_than_the_bound_the_cost_check_uses(rounds: int) -> None:
    from scenarios.procedure import visits_per_bill

    navette = {"stages.upper_review.on_return": "first_reading", "stages.override": None}
    bound = {"stages.upper_review.max_rounds": rounds, "stages.upper_review.on_fail": "rejected"}
    conf = toy_config({**navette, **bound}, years=3)
    stages = simulate(conf).frames["stages"]
    most = stages.groupby("bill").size().max()
    # some bill goes round the navette as often as it may (both stages entered rounds + 1 times)
    assert 2 * (rounds + 1) <= most <= visits_per_bill(conf.parliament.stages)


def test_votes_happen_only_at_sittings() -> None:
    conf = toy_config({"chambers.lower.sitting_weekdays": [2], "chambers.upper.sitting_weekdays": [3]})
    r = simulate(conf)
    votes = r.frames["votes"]
    day = (pd.Timestamp("2024-01-01") + pd.to_timedelta(votes.time.astype(int), unit="D")).dt.day_of_week
    assert (day[votes.chamber == "lower"] == 2).all() and (day[votes.chamber == "upper"] == 3).all()
    assert (votes.time % 1 == 0.5).all()


def test_a_work_stage_that_always_fails_rejects_every_bill() -> None:
    conf = toy_config(
        {
            "stages.drafting": {
                "kind": "work",
                "duration": {"dist": "fixed", "mean": 3},
                "fail_prob": 1.0,
                "on_pass": "first_reading",
            },
            "initiators.gov.start": "drafting",
        }
    )
    r = simulate(conf)
    bills = r.frames["bills"]
    done = bills[bills.state != "pending"]
    assert len(done) > 0 and (done.state == "rejected").all()
    assert np.allclose(done.finished - done.introduced, 3.0)


def test_a_runs_memory_check_counts_every_visit_a_bill_can_make() -> None:
    from scenarios import cost as costs
    from scenarios import validate
    from scenarios.errors import CostError
    from tests.conftest import compose_config

    loop = ["parliament.stages.service.on_pass=service", "parliament.stages.service.on_fail=enacted"]
    conf = validate(
        compose_config(["parliament=single_queue", *loop, "parliament.stages.service.max_rounds=10"])
    )
    years = costs.MAX_RUN_VISITS / costs.bills_per_year(conf) / 2  # half the limit, a visit a bill
    with pytest.raises(CostError, match=r"up to 11 visits each"):  # ten rounds and the exhausted one
        costs.check_run(conf, years)
    costs.check_run(validate(compose_config(["parliament=single_queue"])), years)  # one visit: fine


def test_a_commands_estimate_counts_every_reading_once() -> None:
    """The Kurultai's three readings are five stages of its ten (the estimate counted its six stages
    as written, against the run check's count with readings)."""
    from scenarios import cost, validate
    from scenarios.procedure import expand_readings
    from tests.conftest import compose_config

    conf = validate(compose_config(["parliament=kz_kurultai_2026", "~citizens", "~channels"]))
    stages = expand_readings(conf.parliament.stages)
    assert len(conf.parliament.stages) == 6 and len(stages) == 10
    bills = cost.bills_per_year(conf) * conf.years
    assert cost.estimate(conf, 3).visits == pytest.approx(3 * bills * 10)


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"stages.upper_review.duration.mean": 0}, r"review\.duration\.mean=0 .*positive number of days"),
        ({"stages.upper_review.duration.sd": 0}, r"upper_review\.duration\.sd=0 .*positive sd for gamma"),
    ],
)
def test_a_durations_error_names_the_value_at_fault(changed: dict, field: str) -> None:
    """A gamma duration's mean of 0 was refused as its sd (a value the user had not changed)."""
    base = {"stages.upper_review.duration.dist": "gamma", "stages.upper_review.duration.sd": 10}
    with pytest.raises(ConfigError, match=field):
        toy_config({**base, **changed})
