"""Bad configs are refused before anything runs, naming the field, the value and what is allowed."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from scenarios import validate
from scenarios.errors import ConfigError
from tests.conftest import compose_config
from tests.toy import toy_config


@pytest.mark.parametrize(
    ("override", "field", "allowed"),
    [
        ("parliament.chambers.mazhilis.seats=-5", "parliament.chambers.mazhilis.seats", "positive"),
        ("parliament.chambers.senate.quorum=1.5", "parliament.chambers.senate.quorum", "[0.0, 1.0]"),
        ("parliament.chambers.senate.quorum=0", "parliament.chambers.senate.quorum", "a share in (0, 1]"),
        ("parliament.head_of_state.veto_tolerance=-1", "parliament.head_of_state.veto_tolerance", ">= 0"),
        ("parliament.stages.senate_review.rule=unanimity", "parliament.stages.senate_review.rule", "simple"),
        (
            "parliament.stages.committee.duration.dist=weibull",
            "parliament.stages.committee.duration.dist",
            "lognormal",
        ),
        ("parliament.stages.signature.on_return=nowhere", "parliament.stages.signature.on_return", "enacted"),
        (
            "parliament.initiators.government.start=nowhere",
            "parliament.initiators.government.start",
            "senate_review",
        ),
        (
            "parliament.calendar.sessions=[{opens: '13-01', closes: '06-30'}]",
            "parliament.calendar.sessions[0].opens",
            "MM-DD",
        ),
        (  # a day some years lack (the run's calendar failed on the first of them)
            "parliament.calendar.sessions=[{opens: '09-01', closes: '02-29'}]",
            "parliament.calendar.sessions[0].closes",
            "not 02-29",
        ),
        (  # reporting periods are checked with the sessions (a bad one failed after the run)
            "parliament.calendar.reporting=[{opens: '09-01', closes: '13-45'}]",
            "parliament.calendar.reporting[0].closes",
            "MM-DD",
        ),
        (
            "parliament.stages.mazhilis.rule=4/3 of members",
            "parliament.stages.mazhilis.rule",
            "N/D of members",
        ),
        (
            "parliament.stages.mazhilis.readings=0",
            "parliament.stages.mazhilis.readings",
            "integer from 1 to 10",
        ),
        # expanded into its stages before any count was checked: 1,000 readings was a traceback, and
        # 100,000 a minute of checking and a growing gigabyte of memory before any refusal
        (
            "parliament.stages.mazhilis.readings=100000",
            "parliament.stages.mazhilis.readings",
            "integer from 1 to 10",
        ),
        # Settings a stage would ignore (a committee's deadline, a vote's duration, a committee
        # stage's own capacity): each ran as if it were not there.
        (
            "parliament.stages.committee.deadline_days=10",
            "parliament.stages.committee.deadline_days",
            "a work stage does not use it (a review or sign stage does)",
        ),
        (
            "+parliament.stages.mazhilis.duration={dist: fixed, mean: 5}",
            "parliament.stages.mazhilis.duration",
            "a vote stage does not use it",
        ),
        (
            "parliament.stages.committee.capacity=1",
            "parliament.stages.committee.capacity",
            "the committee's own capacity",
        ),
        (  # failing without being rejected led to on_fail: rejected after all
            "parliament.stages.mazhilis.reject_rule=absolute",
            "parliament.stages.mazhilis.on_return",
            "fails without being rejected",
        ),
        (  # a vote on amendments no review made: every bill was rejected
            "parliament.stages.mazhilis.question=amendments",
            "parliament.stages.mazhilis.question",
            "a review's on_amend leads to",
        ),
        (
            "parliament.ranges.vote_noise=[0.5, 0.9]",
            "parliament.vote_noise",  # the value's own path, its range's in the line too
            "parliament.vote_noise=0.3 is not allowed: a value within its plausible range [0.5, 0.9] "
            "(parliament.ranges.vote_noise)",
        ),
        ("parliament.committee_rules.gatekeeping=1.5", "parliament.committee_rules.gatekeeping", "[0, 1]"),
        (
            "parliament.calendar.at_session_end=vanish",
            "parliament.calendar.at_session_end",
            "carry_over, lapse",
        ),
        (
            "parliament.committees.economy.topics=[space]",
            "parliament.committees.economy.topics",
            "topics among",
        ),
        (  # a reading's own stage as a target: the readings looped and a later stage was "unreachable"
            "parliament.stages.mazhilis.on_pass=mazhilis_2",
            "parliament.stages.mazhilis.on_pass",
            "mazhilis_2 is one of the stages a vote's readings expand into",
        ),
        (
            "parliament.initiators.government.start=mazhilis_2",
            "parliament.initiators.government.start",
            "mazhilis_2 is one of the stages a vote's readings expand into",
        ),
        (  # cut to the chamber's size without a word
            "parliament.committees.economy.size=500",
            "parliament.committees.economy.size",
            "at most the 98 members of mazhilis",
        ),
        (  # a one-day session, never a Thursday in the run's 5 years: the Senate never voted
            "parliament.calendar.sessions=[{opens: '09-01', closes: '09-01'}]",
            "parliament.chambers.senate.sitting_weekdays",
            "weekdays on which the chamber sits while a session is open",
        ),
        (  # the second committee of a topic was appointed and never given a bill
            "parliament.committees.economy.topics=[economy,law]",
            "parliament.committees.economy.topics",
            "topics no other committee of mazhilis has (legislation has law)",
        ),
        ("seed=-1", "seed", ">= 0"),
        ("years=0", "years", "positive"),
    ],
)
def test_a_bad_value_names_field_value_and_what_is_allowed(override: str, field: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate(compose_config([override]))
    assert err.value.field == field
    msg = str(err.value)
    assert msg.startswith(field + "=") and allowed in msg and "\n" not in msg


def test_unreachable_stage_is_refused() -> None:
    with pytest.raises(ConfigError, match="unreachable"):
        toy_config({"stages.orphan": {"kind": "work", "on_pass": "enacted"}})


def test_review_without_deadline_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"upper_review\.deadline_days"):
        toy_config({"stages.upper_review.deadline_days": None})


def test_a_committee_stage_needs_committees_for_every_topic() -> None:
    with pytest.raises(
        ConfigError, match=r"parliament\.committees\.ecology=null .*\(environment left to none\)"
    ):
        validate(compose_config(["parliament.committees.ecology=null"]))
    with pytest.raises(ConfigError, match="missing: environment"):  # its topics taken away, not the committee
        validate(compose_config(["parliament.committees.ecology.topics=[]"]))


def test_a_target_anywhere_is_refused() -> None:
    """Typed nodes reject unknown keys already; free-form nodes (an experiment's parameters) are
    searched too, so nothing in a user's file is ever instantiated."""
    cfg = compose_config([])
    cfg.experiment = OmegaConf.create({"kind": "compare", "launcher": {"_target_": "os.system"}})
    with pytest.raises(ConfigError, match=r"experiment\.launcher\._target_"):
        validate(cfg)


def test_every_shipped_preset_validates() -> None:
    for preset in ("kz_bicameral_2023", "kz_kurultai_2026", "single_queue"):
        assert validate(compose_config([f"parliament={preset}"])).parliament.name == preset
