"""Responsiveness metrics on a hand-made population, where every share is known."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.responsiveness import responsiveness


def _population() -> SimpleNamespace:
    return SimpleNamespace(
        weight=np.array([100.0, 10.0, 30.0]),
        urban=np.array([True, False, False]),
        language=np.array([0, 1, 1]),
        age=np.array([0, 0, 2]),
        band_names=["age_under_30", "age_30_to_59", "age_60_plus"],
        topic_names=["law"],
        active=np.array([True]),
        mean_pref=lambda: np.array([0.0]),
    )


def test_answered_shares_are_weighted_by_population_per_group() -> None:
    demands = pd.DataFrame(
        {
            "group": [0, 1, 2, 2, 0],
            "emerged_at": [0.0, 10.0, 20.0, 30.0, 400.0],  # the last one is too late to count
            "bill_at": [100.0, np.nan, 200.0, 500.0, np.nan],  # answered within 365 days: 1st, 3rd
            "law_at": [np.nan] * 5,
        }
    )
    bills = pd.DataFrame({"state": ["enacted"], "topic": ["law"], "position": [0.25]})
    out = responsiveness(demands, bills, _population(), horizon=700.0)
    # rural: demands of weight 10 (unanswered), 30 (answered), 30 (answered after 470 days)
    assert out["responsiveness_settlement_urban"] == 1.0
    assert out["responsiveness_settlement_rural"] == pytest.approx(30.0 / 70.0)
    assert out["responsiveness_language_russian"] == pytest.approx(30.0 / 70.0)
    assert out["responsiveness_age_band_age_under_30"] == pytest.approx(100.0 / 110.0)
    assert out["responsiveness_age_band_age_30_to_59"] is None  # nobody in that band
    assert out["inclusion_rural_urban"] == pytest.approx(30.0 / 70.0)
    assert out["demands_answered_within_365d"] == pytest.approx(130.0 / 170.0)
    assert out["congruence"] == pytest.approx(0.25)
