"""Responsiveness, congruence and inclusion: how well the legislature answers its citizens.

Computed from the ``demands`` and ``bills`` frames and the population:
- ``demand_to_bill_median_days`` / ``demand_to_law_median_days``: median days from a demand's emergence
  to the first bill (law) that answers it, over the demands that got one;
- ``demands_answered_within_365d``: population-weighted share of demands answered by a bill within
  365 days, over demands that emerged at least 365 days before the horizon (so none is cut short);
- ``congruence``: mean absolute distance between an enacted law's position and the population-weighted
  mean preference on its topic (0 = laws sit where the population stands; lower is closer);
- inclusion ratios of that answered share: ``inclusion_rural_urban``, ``inclusion_kazakh_russian``,
  ``inclusion_oldest_youngest`` (1 = equal; below 1 the first group is answered less);
- ``responsiveness_<dimension>_<value>``: that answered share within each settlement, language and
  age band (e.g. ``responsiveness_settlement_rural``);
- ``demands_per_year``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Days within which a demand counts as answered.
WINDOW = 365.0


def _median(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else None


def responsiveness(
    demands: pd.DataFrame, bills: pd.DataFrame, population: Any, horizon: float
) -> dict[str, Any]:
    """The responsiveness metrics of one run (``None`` where undefined)."""
    emerged = demands["emerged_at"].to_numpy(float)
    to_bill = demands["bill_at"].to_numpy(float) - emerged
    to_law = demands["law_at"].to_numpy(float) - emerged
    groups = demands["group"].to_numpy(np.int64)
    weight = population.weight[groups]
    seen = emerged <= horizon - WINDOW
    answered = np.nan_to_num(to_bill, nan=np.inf) <= WINDOW

    def share(mask: np.ndarray) -> float | None:
        m = seen & mask
        w = weight[m].sum()
        return float(weight[m & answered].sum() / w) if w > 0 else None

    def ratio(a: np.ndarray, b: np.ndarray) -> float | None:
        ra, rb = share(a[groups]), share(b[groups])
        return ra / rb if ra is not None and rb else None

    out: dict[str, Any] = {
        "demands_per_year": len(demands) / (horizon / 365.0),
        "demand_to_bill_median_days": _median(to_bill),
        "demand_to_law_median_days": _median(to_law),
        "demands_answered_within_365d": share(np.ones(len(demands), dtype=bool)),
        "congruence": congruence(bills, population),
        "inclusion_rural_urban": ratio(~population.urban, population.urban),
        "inclusion_kazakh_russian": ratio(population.language == 0, population.language == 1),
        "inclusion_oldest_youngest": ratio(population.age == population.age.max(), population.age == 0),
    }
    for dim, categories in _categories(population).items():
        for value, members in categories.items():
            out[f"responsiveness_{dim}_{value}"] = share(members[groups])
    return out


def _categories(population: Any) -> dict[str, dict[str, np.ndarray]]:
    """Group masks per dimension that responsiveness is broken down by (for the report)."""
    return {
        "settlement": {"urban": population.urban, "rural": ~population.urban},
        "language": {"kazakh": population.language == 0, "russian": population.language == 1},
        "age_band": {name: population.age == i for i, name in enumerate(population.band_names)},
    }


def congruence(bills: pd.DataFrame, population: Any) -> float | None:
    """Mean |law - population-weighted mean preference| over enacted laws on topics citizens hold views on."""
    laws = bills[bills["state"] == "enacted"]
    index = {t: i for i, t in enumerate(population.topic_names)}
    topic = laws["topic"].map(index).to_numpy(np.int64)
    keep = population.active[topic]
    if not keep.any():
        return None
    target = population.mean_pref()[topic[keep]]
    return float(np.abs(laws["position"].to_numpy(float)[keep] - target).mean())
