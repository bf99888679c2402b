"""Feedback channels: thresholds, deadlines, the digital divide, common random numbers, calibration."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from scenarios import ConfigError, simulate, validate
from scenarios.build import build, compose
from sim.channels.petition import (
    Petition,
    PetitionChannel,
    PetitionConf,
    _Support,
    final_signatures,
    signature_time,
)
from sim.channels.service import Desk
from sim.citizens.feedback import Feedback
from sim.engine.calendar import WorkDays
from tests.conftest import compose_config, run_cli

KURULTAI = ["parliament=kz_kurultai_2026"]
LEGISLATIVE = ("bills", "stages", "votes")
#: Yasseri, Hale, Margetts (EPJ Data Science 2017): over 99% of UK petitions never reach 10,000
#: signatures, about 0.1% reach 100,000. Our stated ranges, over published petitions:
UK_10K = (0.001, 0.01)
UK_100K_MAX = 0.003


def _run(*overrides: str, seed: int = 1):
    conf = validate(compose_config([*KURULTAI, *overrides]))
    return conf, simulate(conf, seed)


@pytest.fixture(scope="module")
def digital():
    return _run("channels=kz_digital", "years=3")


@pytest.mark.parametrize("parliament", ["kz_kurultai_2026", "kz_bicameral_2023"])
def test_no_channels_keeps_the_legislative_ledger(parliament: str) -> None:
    """Common random numbers: the offline baseline leaves every legislative draw as the engine's
    own (the layer detached), while a digital channel does change the ledger."""
    runs = {
        name: simulate(validate(compose_config([f"parliament={parliament}", *ov, "years=2"])), 11)
        for name, ov in (
            ("detached", ["~citizens", "~channels"]),
            ("none", ["channels=none"]),
            ("digital", ["channels=kz_digital"]),
        )
    }
    assert "demands" in runs["none"].frames and "demands" not in runs["detached"].frames
    for frame in LEGISLATIVE:
        pd.testing.assert_frame_equal(runs["none"].frames[frame], runs["detached"].frames[frame])
    assert not all(runs["digital"].frames[f].equals(runs["detached"].frames[f]) for f in LEGISLATIVE)


def test_petition_thresholds_and_deadlines() -> None:
    """At the platform's 50,000 signatures no petition of a run reaches its threshold (a documented
    miss: docs/validation.md), so the checks of what follows it held over empty tables: here the
    threshold is low enough for some to reach it, be answered and become bills."""
    conf, run = _run("channels=kz_digital", "years=3", "channels.petitions.epetition_kz.threshold=200")
    spec = conf.channels.petitions["epetition_kz"]
    p = run.frames["petitions"]
    assert len(p) > 0
    assert p["threshold_at"].notna().sum() > 0 and p["answered"].notna().sum() > 0 and (p["bill"] >= 0).any()
    moderated = p[p["moderated"].notna()]
    assert (moderated["moderated"] >= moderated["submitted"]).all()
    assert not p.loc[p["rejected"], "listed"].any()
    assert (p["listed"] == (p["signatures"] >= spec.listing_votes)).all()
    reached = p[p["threshold_at"].notna()]
    assert (reached["signatures"] > spec.threshold).all()
    assert (reached["threshold_at"] >= reached["moderated"]).all()
    assert (reached["threshold_at"] <= reached["moderated"] + spec.open_days).all()
    answered = p[p["answered"].notna()]
    assert answered["threshold_at"].notna().all()  # nothing answered before its threshold
    assert (answered["answered"] >= answered["threshold_at"]).all()
    assert (p.loc[p["bill"] >= 0, "answered"].notna()).all()
    assert run.summary["channel_epetition_kz_submissions"] == len(p)


@pytest.mark.parametrize(
    ("parliament", "tabler"), [("kz_kurultai_2026", "peoples_council"), ("kz_bicameral_2023", "government")]
)
def test_a_petitions_auto_initiator_is_named_before_the_run(parliament: str, tabler: str) -> None:
    """``initiator: auto`` is resolved once, from the description (the demand-fed initiator, else the
    government): the engine is handed a named initiator, tables the petitions' bills under it, and
    refuses a description left unresolved."""
    low = "channels.petitions.epetition_kz.threshold=200"  # low enough for petitions to become bills
    conf = validate(compose_config([f"parliament={parliament}", "channels=kz_digital", "years=3", low]))
    assert conf.channels.petitions["epetition_kz"].initiator == "auto"  # the user's file, as written
    model, layer = compose(conf, 1)
    assert layer is not None and layer.intakes[0].initiator == tabler
    run = model.run()
    p = run.frames["petitions"]
    bills = run.frames["bills"].set_index("bill").loc[p.loc[p["bill"] >= 0, "bill"], "initiator"]
    assert len(bills) > 0 and (bills == tabler).all()
    with pytest.raises(ValueError, match="initiator 'auto'"):
        Feedback(build(conf, 1), conf.citizens, conf.channels)


def test_appeals_answered_on_time_unless_the_desk_overloads() -> None:
    ok_conf, ok = _run("channels=eotinish_kz", "years=2")
    overload = [
        "channels.appeals.eotinish_kz.capacity=0.3",
        "channels.ranges={appeals.eotinish_kz.capacity: [0.3, 40]}",
    ]
    _, slow = _run("channels=eotinish_kz", "years=2", *overload)
    a, b = ok.frames["appeals"], slow.frames["appeals"]
    assert len(a) == len(b) > 50  # the same appeals, served at another pace
    assert ok.summary["channel_eotinish_kz_answered_late"] < slow.summary["channel_eotinish_kz_answered_late"]
    days = WorkDays(ok_conf.parliament.calendar.start)
    for df in (a, b):
        done = df[df["answered"].notna()]
        due = np.array([days.after(s, 15) for s in done["submitted"]])
        assert (done["late"].to_numpy() == (done["answered"].to_numpy() > due)).all()
        assert (done["answered"] >= done["submitted"]).all()


def test_moderation_lateness_is_recorded_when_the_queue_overloads() -> None:
    _, run = _run(
        "channels=epetition_kz",
        "years=2",
        "channels.petitions.epetition_kz.moderation_capacity=0.1",
        "channels.ranges={petitions.epetition_kz.moderation_capacity: [0.1, 20]}",
    )
    p = run.frames["petitions"]
    done = p[p["moderated"].notna()]
    assert done["moderation_late"].any()
    late = done[done["moderation_late"]]
    assert ((late["moderated"] - late["submitted"]) > 20).all()  # 20 working days are more than 20 days


def test_desk_serves_first_come_first_served_at_its_capacity() -> None:
    desk = Desk(capacity=1.5)
    for i in range(5):
        desk.put(i)
    assert [desk.serve(), desk.serve(), desk.serve()] == [[0], [1, 2], [3]]
    assert WorkDays("2026-09-04").after(0, 1) == 3.0  # a Friday: one working day later is Monday
    days, start = WorkDays("2026-09-01", horizon=30), np.datetime64("2026-09-01")
    for day in (0, 4.5, 5, 6, 200, 900):  # also beyond the horizon it was built for
        for n in (0, 1, 15, 40):
            ref = np.busday_offset(start + np.timedelta64(int(day), "D"), n, roll="forward") - start
            assert days.after(day, n) == float(ref.astype(np.int64))


def test_a_group_without_digital_access_never_uses_a_digital_channel() -> None:
    offline = [
        "citizens.age_bands.age_60_plus.access=0",
        "citizens.ranges={age_bands.age_60_plus.access: [0, 0.8]}",
    ]
    _, run = _run("channels=kz_digital", "years=2", *offline)
    groups = run.frames["citizen_groups"]
    oldest = set(groups.loc[groups["age_band"] == "age_60_plus", "group"])
    demands = run.frames["demands"]
    assert demands["group"].isin(oldest).sum() > 20  # they still have demands ...
    for frame in ("petitions", "appeals"):
        used = run.frames[frame]
        assert len(used) > 0 and not used["group"].isin(oldest).any()  # ... but no digital voice
    assert run.frames["offline"]["group"].isin(oldest).any()  # the offline path is still theirs


def test_an_unsupported_language_lowers_use() -> None:
    def use_rate(*overrides: str) -> tuple[float, float]:
        _, run = _run("channels=eotinish_kz", "years=3", *overrides)
        lang = run.frames["citizen_groups"].set_index("group")["language"]
        demands = run.frames["demands"]["group"].map(lang).value_counts()
        appeals = run.frames["appeals"]["group"].map(lang).value_counts()
        return appeals["russian"] / demands["russian"], appeals["kazakh"] / demands["kazakh"]

    ru_both, _ = use_rate()
    ru_only_kz, kz_only_kz = use_rate("channels.appeals.eotinish_kz.languages=[kazakh]")
    assert ru_only_kz < 0.5 * ru_both
    assert ru_only_kz < 0.5 * kz_only_kz


def test_peoples_council_tables_bills_only_from_voiced_demands(digital) -> None:
    _, quiet = _run("channels=none", "years=3")
    assert (quiet.frames["bills"]["initiator"] != "peoples_council").all()
    _, run = digital
    council = run.frames["bills"]["initiator"] == "peoples_council"
    assert council.sum() == run.summary["council_bills"] > 0
    assert council.sum() <= 12 * 3  # at most rate_per_year a year


def test_deputies_hear_the_voice_of_their_base() -> None:
    conf = validate(compose_config([*KURULTAI, "channels=kz_digital"]))
    model, layer = compose(conf, 0)
    deputies = model.chambers["kurultai"].deputies
    topic = np.array([model.topic_index["social"]])
    signal = model.effects.signal
    assert signal(deputies, np.array([0.0]), topic) is None  # nobody has spoken yet
    pop = layer.groups
    g = int(np.argmax(pop.weight))
    want = pop.pref[g, topic[0]]
    layer.voice.add(np.array([g]), int(topic[0]), pop.weight[g])
    towards = signal(deputies, np.array([want]), topic)
    away = signal(deputies, np.array([2 * model.status_quo[topic[0]] - want]), topic)
    assert towards.shape == (deputies.size, 1)
    assert (towards > 0).all() and (away < 0).all()


def test_analytics_shortens_committee_review() -> None:
    _, base = _run("channels=none", "years=2")
    _, fast = _run("channels=analytics", "years=2")
    assert fast.summary["stage_committee_mean_days"] < 0.9 * base.summary["stage_committee_mean_days"]
    assert fast.summary["channel_analytics_submissions"] > 0


def test_consultation_moves_drafts_and_scores_them(digital) -> None:
    _, run = digital
    c = run.frames["consultations"]
    assert len(c) == len(run.frames["bills"])  # every draft is published
    assert ((c["quality"] >= 0) & (c["quality"] < 1)).all()
    assert (c.loc[c["comments"] == 0, "moved"] == 0).all()
    assert (c["quality"] == c["comments"] / (c["comments"] + 5)).all()


def test_signature_curve_reaches_targets_in_order() -> None:
    t = [signature_time(n, x, 2.0, 1.5) for n, x in [(100.0, 50), (1e5, 1e4), (1e5, 5e4), (50.0, 50)]]
    assert np.isinf(t[3])  # a petition with 50 never passes 50
    assert 0 < t[1] < t[2] < 2.0 * 3  # fate set within days, bigger targets later
    assert t[0] == pytest.approx(2.0 * np.log(2.0) ** (1 / 1.5))


def test_uk_petition_shares_match_the_sources() -> None:
    """Final signatures of UK-rule petitions, at the reach of those a run published, in the ranges
    Yasseri et al. (2017) report (many draws per published petition)."""
    conf, run = _run("channels=uk_petitions", "years=3")
    p = run.frames["petitions"]
    reach = p.loc[~p["rejected"] & p["moderated"].notna(), "reach"].to_numpy()
    assert reach.size > 30
    spec = conf.channels.petitions["uk_petitions"]
    r = np.repeat(reach, 4000)
    rng = np.random.default_rng(0)
    n = np.array([final_signatures(spec, x, 1e9, rng) for x in r.tolist()])
    published = n >= spec.listing_votes
    share_10k = (n[published] >= 1e4).mean()
    assert UK_10K[0] <= share_10k < UK_10K[1]
    assert (n[published] >= 1e5).mean() <= UK_100K_MAX


@pytest.mark.slow
def test_uk_petition_shares_end_to_end() -> None:
    """The same ranges from whole runs: petitions published, and those that reached 10,000."""
    conf = validate(compose_config([*KURULTAI, "channels=uk_petitions"]))
    frames = [simulate(conf, s).frames["petitions"] for s in range(40)]
    p = pd.concat(frames)
    listed = p[p["listed"]]
    assert len(listed) > 1000
    share = listed["threshold_at"].notna().mean()
    assert UK_10K[0] <= share < UK_10K[1]
    assert listed["second_threshold_at"].notna().mean() <= UK_100K_MAX


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("channels.petitions.epetition_kz.uptake=2", "channels.petitions.epetition_kz.uptake"),
        ("channels.petitions.epetition_kz.languages=[klingon]", "channels.petitions.epetition_kz.languages"),
        ("channels.petitions.epetition_kz.initiator=nobody", "channels.petitions.epetition_kz.initiator"),
        (
            "channels.petitions.epetition_kz.second_threshold=10",
            "channels.petitions.epetition_kz.second_threshold",
        ),
    ],
)
def test_bad_channel_values_are_refused(override: str, field: str) -> None:
    with pytest.raises(ConfigError) as e:
        validate(compose_config([*KURULTAI, "channels=epetition_kz", override]))
    assert e.value.field == field


def test_cli_prints_throughput_responsiveness_inclusion_and_channels(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run_cli(*KURULTAI, "channels=kz_digital", "years=1", f"hydra.run.dir={out}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert {"Throughput and speed", "Responsiveness to citizens", "Inclusion", "Channels"} <= set(lines)
    assert "e-petitions (epetition.kz)" in res.stdout
    # what the counts of answers mean is said under them: any bill, not the channel's own
    assert lines[-1].startswith("A demand a channel carried counts as answered by any bill or law")
    assert any(line.startswith("answered by a bill (any)") for line in lines)
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "demand_to_bill_median_days",
        "demand_to_law_median_days",
        "demands_answered_within_365d",
        "congruence",
        "inclusion_rural_urban",
        "inclusion_kazakh_russian",
        "inclusion_oldest_youngest",
        "channel_epetition_kz_submissions",
        "channel_eotinish_kz_answered_late",
        "channel_open_legal_acts_kz_listed",
    ):
        assert key in summary
    bad = run_cli("channels=bogus", f"hydra.run.dir={tmp_path / 'bad'}", cwd=tmp_path)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "channels" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_analytics_cuts_the_failures_of_assessed_bills_only() -> None:
    """A draft is assessed at its first committee stage: before it (the Government's conclusion)
    it fails as often as without the channel."""
    from sim.channels.analytics import AnalyticsChannel, AnalyticsConf
    from sim.engine.parliament import StageConf

    ch = AnalyticsChannel("analytics", AnalyticsConf(review_cut=0.2, defect_cut=0.3))
    bill = SimpleNamespace(id=7)
    conclusion, committee = StageConf(kind="work"), StageConf(kind="work", committee=True)
    assert ch.fail_factor(conclusion, bill) == 1.0
    assert ch.duration_factor(committee, bill) == pytest.approx(0.8)  # assessed here
    assert ch.fail_factor(committee, bill) == pytest.approx(0.7)
    assert ch.fail_factor(conclusion, SimpleNamespace(id=8)) == 1.0


def test_a_channel_cannot_take_a_mechanisms_name() -> None:
    """A channel named ``initiative`` drew from the deputies' initiative's stream (``channels/<name>``):
    switching the initiative on moved the channel's draws, and common random numbers with it."""
    from scenarios.citizens import check_channels

    conf = validate(compose_config(["channels=eotinish_kz"]))
    conf.channels.appeals["initiative"] = conf.channels.appeals.pop("eotinish_kz")
    with pytest.raises(ConfigError, match=r"channels\.appeals\.initiative=.*the deputies' initiative"):
        check_channels(conf.channels, conf.parliament)


def test_a_petition_gathers_at_most_its_supporters_signatures() -> None:
    """Final signatures are at most the supporters (``final_signatures``), however large the
    lognormal draw."""
    spec = PetitionConf(signatures_median=1e6)
    n = [final_signatures(spec, 1.0, 10.0, np.random.default_rng(seed)) for seed in range(200)]
    assert max(n) <= 10 and n.count(10.0) > 0


def test_a_petition_with_exactly_the_listing_votes_is_listed() -> None:
    """It is listed once it *has* ``listing_votes`` (module docstring): at exactly that many too."""
    spec = PetitionConf(reject_share=0.0, signatures_median=1e9, listing_votes=50)
    channel = SimpleNamespace(
        spec=spec,
        citizens=SimpleNamespace(workdays=WorkDays("2024-01-01")),
        rng=np.random.default_rng(0),
        _people=1000.0,
        _pending=[],
    )
    row = Petition("p", 0, 0, 0, 0, 0.5, 3.0)
    support = _Support(50.0, np.array([0]), np.array([50.0]))  # its supporters cap it at 50
    PetitionChannel._moderate(channel, row, 3.0, support)  # type: ignore[arg-type]
    assert (row.signatures, row.listed) == (50.0, True)
