"""The default bicameral preset against the recorded session statistics (data/), over 30
replications of a term: what the issue of plausible defaults asks, checked as docs/validation.md
states it."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.observed import held_to_records, recorded_range, rows
from experiments.stats import t_interval
from scenarios import simulate, validate
from sim.engine.streams import replication_seeds
from tests.conftest import compose_config


@pytest.fixture(scope="module")
def runs() -> list[dict]:
    conf = validate(compose_config(["~citizens", "~channels"]))  # the legislature alone: faster, same ledger
    return [simulate(conf, seed=s).summary for s in replication_seeds(0, 30)]


def interval(runs: list[dict], key: str) -> tuple[float, float, float]:
    return t_interval(np.array([r[key] for r in runs], dtype=float))


def test_laws_per_year_fall_in_the_recorded_range(runs: list[dict]) -> None:
    _, low, high = interval(runs, "laws_per_year")
    assert low >= 60 and high <= 110  # 2023: 92 laws; 2023-24: 100 by the Mazhilis


def test_the_share_of_bills_on_the_books_adopted_is_the_recorded_one_in_each_period_and_body() -> None:
    """Like with like: each recorded share (of the Mazhilis's books or Parliament's, over the period's
    own days) against the same count on the model's ledger over the same days, within the range of 95%
    of single runs. The run's own share over whole half-year periods (about 0.43) was compared with
    the lowest and highest recorded share of any body and any window (0.305 to 0.487)."""
    table = held_to_records(validate(compose_config(["~citizens", "~channels"])), replications=30)
    shares = table[table["measure"] == "adopted_share"]
    assert set(shares["body"]) == {"mazhilis", "parliament"} and len(shares) == 4
    assert shares["plausible"].all(), shares[["period", "body", "recorded", "runs_low", "runs_high"]]


def test_deputies_initiate_about_a_quarter_of_the_bills_on_the_books(runs: list[dict]) -> None:
    """The recorded share is one period's (20 of the 82 bills on the books in spring 2023): the
    model's share of the bills it introduces lies within two of that count's binomial standard errors
    of it. The deputies' share of the laws (about a third in 2023-24) is another figure, which the
    model misses (8%, docs/validation.md): it was read as this one's upper end."""
    recorded, same = recorded_range("deputy_share_of_bills")
    assert recorded == same
    period = next(r for r in rows() if r["measure"] == "deputy_initiated_bills")["period"]
    books = next(r for r in rows() if r["period"] == period and r["measure"] == "bills_considered")
    mean, _, _ = interval(runs, "deputy_share_of_bills")
    assert abs(mean - recorded) <= 2 * np.sqrt(mean * (1 - mean) / float(books["value"]))


def test_the_senate_sends_laws_back(runs: list[dict]) -> None:
    _, low, _ = interval(runs, "senate_returns_per_year")
    assert low > 0  # the interval excludes zero: the Senate is a veto player, not a copy of the majority
    amended, _, _ = interval(runs, "senate_amendments_per_year")
    assert amended > 0
