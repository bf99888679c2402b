"""Engine invariants on the real presets: conservation, Little's law, reproducibility, CRN."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from scenarios import simulate, validate
from sim.engine.effects import Effects
from sim.engine.ledger import Bill
from sim.engine.parliament import DurationConf, PriorityConf, StageConf
from sim.engine.stages import DRAWS, Duration
from sim.metrics import CORE_KEYS
from tests.conftest import compose_config

PRESETS = ["kz_bicameral_2023", "kz_kurultai_2026"]


def _run(preset: str, seed: int = 0, *extra: str):
    return simulate(validate(compose_config([f"parliament={preset}", f"seed={seed}", *extra])))


def _digest(result) -> str:
    h = hashlib.sha256()
    for name in sorted(result.frames):
        h.update(result.frames[name].to_csv(index=False).encode())
    h.update(json.dumps(result.summary, sort_keys=True).encode())
    return h.hexdigest()


@pytest.mark.parametrize("preset", PRESETS)
def test_every_bill_ends_in_exactly_one_state(preset: str) -> None:
    r = _run(preset)
    bills, stages = r.frames["bills"], r.frames["stages"]
    assert bills.bill.is_unique and set(bills.state) <= {"enacted", "rejected", "pending"}
    counts = bills.state.value_counts()
    assert counts.sum() == len(bills)
    assert r.summary["backlog_end"] == counts.get("pending", 0)
    assert r.summary["laws_per_year"] == pytest.approx(counts.get("enacted", 0) / 5)
    finished = bills[bills.state != "pending"]
    assert finished.finished.notna().all() and bills[bills.state == "pending"].finished.isna().all()
    # a finished bill's last stage ends when the bill does; every stage row belongs to a bill
    last = stages.groupby("bill").left.max()
    np.testing.assert_allclose(last.loc[finished.bill].to_numpy(), finished.finished.to_numpy())
    assert set(stages.bill) <= set(bills.bill)
    assert (stages.left >= stages.entered).all()


@pytest.mark.parametrize("preset", [*PRESETS, "single_queue"])
def test_littles_law_holds_on_the_ledger(preset: str) -> None:
    r = _run(preset)
    s, horizon = r.summary, 5 * 365.0
    arrival_rate = len(r.frames["bills"]) / horizon
    # L (integrated by the engine as bills enter and leave) = lambda x W (from the ledger)
    assert s["mean_bills_in_system"] == pytest.approx(arrival_rate * s["mean_time_in_system_days"], rel=1e-9)


def test_the_same_seed_gives_identical_ledger_and_summary() -> None:
    a, b = _run("kz_bicameral_2023", 11), _run("kz_bicameral_2023", 11)
    assert _digest(a) == _digest(b)
    for name in a.frames:
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name])


def test_another_seed_gives_another_ledger() -> None:
    assert _digest(_run("kz_bicameral_2023", 11)) != _digest(_run("kz_bicameral_2023", 12))


def test_two_scenarios_with_one_seed_see_the_same_bills() -> None:
    """Common random numbers: the bills (arrivals, topics, positions) are drawn from named streams
    that both presets share, so they coincide although the procedures differ."""
    cols = ["initiator", "topic", "complexity", "priority", "drafted", "introduced"]
    ra, rb = _run("kz_bicameral_2023", 5), _run("kz_kurultai_2026", 5)
    a, b = ra.frames["bills"], rb.frames["bills"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    # Positions too, as drafted: amendments later move some bills differently in the two parliaments.
    amended = set(ra.frames["amendments"].bill) | set(rb.frames["amendments"].bill)
    keep = ~a.bill.isin(amended)
    assert keep.sum() > 100 and (a.position[keep] == b.position[keep]).all()


def test_summary_has_the_documented_keys_and_per_stage_durations() -> None:
    r = _run("kz_bicameral_2023")
    assert set(CORE_KEYS) <= set(r.summary)
    assert {
        "stage_committee_mean_days",
        "stage_senate_review_mean_days",
        "stage_mazhilis_2_mean_days",
    } <= set(r.summary)


def test_default_preset_is_calibrated_to_the_observed_range() -> None:
    """kz_bicameral_2023 should pass about 60-110 laws a year (2021-2024 figures), averaged over seeds."""
    laws = [_run("kz_bicameral_2023", s).summary["laws_per_year"] for s in range(4)]
    assert 60 <= np.mean(laws) <= 110


def test_seats_override_reshapes_the_chamber() -> None:
    # 120 seats, each party given its own count (party seats must add up to the chamber's)
    shares = {"amanat": 76, "auyl": 10, "respublica": 7, "ak_zhol": 7, "peoples": 6, "nsdp": 5}
    parties = [f"parliament.chambers.mazhilis.parties.{p}.seats={s}" for p, s in shares.items()]
    conf = validate(
        compose_config(
            [
                "parliament.chambers.mazhilis.seats=120",
                *parties,
                "parliament.chambers.mazhilis.parties.self_nominated.seats=9",
            ]
        )
    )
    from scenarios import build

    model = build(conf)
    deputies = model.chambers["mazhilis"].deputies
    assert deputies.size == 120 == len(deputies.ideal)
    amanat = deputies.party_names.index("amanat")
    assert (deputies.party == amanat).sum() == round(62 / 98 * 120)  # proportional apportionment


@pytest.mark.parametrize(("dist", "sd"), [("exponential", 0.0), ("lognormal", 12.0), ("gamma", 4.0)])
def test_stage_durations_are_the_scalar_draws_of_their_stream(dist: str, sd: float) -> None:
    """A stage draws its standard variates in blocks and scales them bill by bill: each duration is
    the very number a scalar draw of the stage's distribution gives, in the same order."""
    stage = StageConf(kind="work", duration=DurationConf(dist=dist, mean=20.0, sd=sd))
    duration = Duration(stage, Effects(), np.random.default_rng(5), PriorityConf(duration_factor=0.5))
    rng = np.random.default_rng(5)
    cv = sd / 20.0
    cv2 = cv * cv
    for i in range(3 * DRAWS + 7):  # across several blocks
        bill = Bill(i, "x", 0, "t", 0.0, 0.2 + i % 5, False, 0.0, "s", priority=i % 3 == 0)
        mean = 20.0 * bill.complexity * (0.5 if bill.priority else 1.0)
        if dist == "exponential":
            expected = float(rng.exponential(mean))
        elif dist == "lognormal":
            expected = float(rng.lognormal(np.log(mean) - np.log1p(cv2) / 2, np.sqrt(np.log1p(cv2))))
        else:
            shape = 1.0 / cv2
            expected = float(rng.gamma(shape, mean / shape))
        assert duration.draw(bill) == expected


@pytest.mark.parametrize("by_rank", [False, True])
def test_an_agenda_counts_only_the_items_still_waiting(by_rank: bool) -> None:
    """The monthly ``agenda_items`` counted a lapsed bill's or an expired review's item until a
    sitting dropped it."""
    from types import SimpleNamespace

    from sim.engine.chamber import Agenda, AgendaItem

    agenda = Agenda(by_rank)
    items = [
        AgendaItem(SimpleNamespace(rank=k % 3), "vote", "bill", None, None, None)  # type: ignore[arg-type]
        for k in range(5)
    ]
    for it in items:
        agenda.append(it)
    items[1].cancelled = items[4].cancelled = True
    assert agenda.waiting() == 3
    taken = agenda.take(10)
    assert len(taken) == 3 and not any(it.cancelled for it in taken) and agenda.waiting() == 0


def test_arrival_rate_scales_the_poisson_initiators_only() -> None:
    """An initiator fed by citizen demands (the People's Council) has no Poisson stream: counted in
    the total, it left the streams short of ``arrival_rate``."""
    conf = validate(compose_config(["parliament=kz_kurultai_2026", "+parliament.arrival_rate=0.5"]))
    rates = conf.parliament.rates_per_day()
    assert set(rates) == {"government", "deputies"}
    assert sum(rates.values()) == pytest.approx(0.5)
    assert rates["government"] / rates["deputies"] == pytest.approx(95 / 38)


def test_a_parliament_without_a_second_chamber_has_no_senate_returns() -> None:
    """Undefined, not zero: a unicameral run reported 'laws the Senate sent back: 0.00'."""
    uni = simulate(
        validate(compose_config(["parliament=kz_kurultai_2026", "~citizens", "~channels", "years=1"]))
    )
    bi = simulate(validate(compose_config(["~citizens", "~channels", "years=1"])))
    for key in ("senate_returns_per_year", "senate_amendments_per_year"):
        assert uni.summary[key] is None and isinstance(bi.summary[key], float)
