"""Responsiveness, congruence and inclusion: how well the legislature answers its citizens.

Computed from the ``demands`` and ``bills`` tables and the citizen groups:
- ``demand_to_bill_median_days`` / ``demand_to_law_median_days``: median days from a demand's emergence
  to the first bill (law) that answers it, over the demands that got one;
- ``demands_answered_within_365d``: population-weighted share of demands answered within 365 days
  by a bill introduced after they emerged or by a law (one already before parliament when the demand
  emerged answers it when enacted), over demands that emerged at least 365 days before the horizon
  (so none is cut short);
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

from agents.citizens import KAZAKH, RUSSIAN, CitizenGroups
from sim.engine.ledger import Table
from sim.metrics import Metric, registry

#: Days within which a demand counts as answered.
WINDOW = 365.0

METRICS = registry(
    [
        Metric("demands_per_year", "Citizens' demands per year", "demands / year", "none", "responsiveness"),
        Metric(
            "demand_to_bill_median_days",
            "Median days from a citizens' demand to a bill",
            "days",
            "lower",
            "responsiveness",
        ),
        Metric(
            "demand_to_law_median_days",
            "Median days from a citizens' demand to a law",
            "days",
            "lower",
            "responsiveness",
        ),
        Metric(
            "demands_answered_within_365d",
            "Share of citizens' demands answered by a bill or a law within a year",
            "share",
            "higher",
            "responsiveness",
        ),
        Metric(
            "congruence",
            "Distance of laws from public opinion",
            "on the -1 to 1 policy scale",
            "lower",
            "inclusion",
        ),
        Metric(
            "inclusion_rural_urban", "Answered share, rural / urban (1 = equal)", "ratio", "none", "inclusion"
        ),
        Metric(
            "inclusion_kazakh_russian",
            "Answered share, Kazakh / Russian speakers (1 = equal)",
            "ratio",
            "none",
            "inclusion",
        ),
        Metric(
            "inclusion_oldest_youngest",
            "Answered share, oldest / youngest (1 = equal)",
            "ratio",
            "none",
            "inclusion",
        ),
    ]
)


def answered_by(dimension: str, value: str) -> Metric:
    """The answered share within one kind of citizen group (e.g. settlement: rural)."""
    return Metric(
        f"responsiveness_{dimension}_{value}",
        "Demands answered within a year, {dimension}: {value}",
        "share",
        "higher",
        "responsiveness",
        "population-weighted share of the group's demands answered by a bill or a law within 365 days",
        (("dimension", dimension), ("value", value)),
    )


def _median(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else None


def responsiveness(
    demands: Table, bills: Table, groups: CitizenGroups, horizon: float
) -> tuple[dict[str, Any], dict[str, Metric]]:
    """The responsiveness metrics of one run (``None`` where undefined) and their descriptions."""
    emerged = demands["emerged_at"]
    to_bill = demands["bill_at"] - emerged
    to_law = demands["law_at"] - emerged
    who = demands["group"]
    weight = groups.weight[who]
    seen = emerged <= horizon - WINDOW
    # a law answers a demand too: a bill already before parliament when the demand emerged is not
    # its "first bill", but its enactment closes the demand
    answered = np.fmin(to_bill, to_law) <= WINDOW

    def share(mask: np.ndarray) -> float | None:
        m = seen & mask
        w = weight[m].sum()
        return float(weight[m & answered].sum() / w) if w > 0 else None

    def ratio(a: np.ndarray, b: np.ndarray) -> float | None:
        ra, rb = share(a[who]), share(b[who])
        return ra / rb if ra is not None and rb else None

    out: dict[str, Any] = {
        "demands_per_year": len(emerged) / (horizon / 365.0),
        "demand_to_bill_median_days": _median(to_bill),
        "demand_to_law_median_days": _median(to_law),
        "demands_answered_within_365d": share(np.ones(len(emerged), dtype=bool)),
        "congruence": congruence(bills, groups),
        "inclusion_rural_urban": ratio(~groups.urban, groups.urban),
        "inclusion_kazakh_russian": ratio(groups.language == KAZAKH, groups.language == RUSSIAN),
        "inclusion_oldest_youngest": ratio(groups.age == groups.age.max(), groups.age == 0),
    }
    metrics = dict(METRICS)
    for dim, categories in _categories(groups).items():
        for value, members in categories.items():
            m = answered_by(dim, value)
            out[m.name] = share(members[who])
            metrics[m.name] = m
    return out, metrics


def _categories(groups: CitizenGroups) -> dict[str, dict[str, np.ndarray]]:
    """Group masks per dimension that responsiveness is broken down by (for the report)."""
    return {
        "settlement": {"urban": groups.urban, "rural": ~groups.urban},
        "language": {"kazakh": groups.language == KAZAKH, "russian": groups.language == RUSSIAN},
        "age_band": {name: groups.age == i for i, name in enumerate(groups.band_names)},
    }


def congruence(bills: Table, groups: CitizenGroups) -> float | None:
    """Mean |law - population-weighted mean preference| over enacted laws on topics citizens hold views on."""
    laws = bills["state"] == "enacted"
    index = {t: i for i, t in enumerate(groups.topic_names)}
    topic = np.array([index[t] for t in bills["topic"][laws]], dtype=np.int64)
    keep = groups.active[topic]
    if not keep.any():
        return None
    target = groups.mean_pref()[topic[keep]]
    return float(np.abs(bills["position"][laws][keep] - target).mean())
