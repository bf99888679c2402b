"""Metrics of one run, computed from the ledger alone (plus the occupancy integral).

Definitions (``T`` is the horizon in days, years = T / 365):
- ``laws_per_year``: bills enacted / years; ``bills_introduced_per_year`` likewise;
- ``passage_rate``: enacted / (enacted + rejected), over bills whose fate was decided;
- ``lead_time_*``: days from introduction to enactment, over enacted bills;
- ``backlog_end``: bills still in the procedure at the horizon;
- ``vetoes``: laws returned by the head of state; ``overrides``: override votes won;
  ``returns``: bills a reviewing chamber rejected back to the first chamber;
- ``mean_time_in_system_days``: mean over all bills of time in the procedure, truncated at T;
- ``mean_bills_in_system``: the time average of the number of bills in the procedure, integrated
  by the engine as bills enter and leave. Little's law says it equals arrival rate x mean time.
- ``stage_<name>_mean_days``: mean time a bill spends in each stage per visit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CORE_KEYS = (
    "laws_per_year",
    "bills_introduced_per_year",
    "passage_rate",
    "lead_time_median_days",
    "lead_time_p90_days",
    "backlog_end",
    "vetoes",
    "overrides",
    "returns",
    "mean_time_in_system_days",
    "mean_bills_in_system",
)


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def summarize(
    frames: dict[str, pd.DataFrame],
    horizon: float,
    occupancy_area: float,
    override_stages: set[str] | frozenset[str] = frozenset(),
) -> dict[str, float | None]:
    """The summary metrics of one run (``None`` where a metric is undefined, e.g. no law)."""
    bills, stages = frames["bills"], frames["stages"]
    years = horizon / 365.0
    state = bills["state"].to_numpy()
    enacted = state == "enacted"
    decided = enacted | (state == "rejected")
    lead = (bills["finished"].to_numpy() - bills["introduced"].to_numpy())[enacted]
    stay = np.minimum(np.nan_to_num(bills["finished"].to_numpy(), nan=horizon), horizon)
    stay = stay - bills["introduced"].to_numpy()
    kind, outcome = stages["kind"].to_numpy(), stages["outcome"].to_numpy()
    is_override = stages["stage"].isin(list(override_stages)).to_numpy()
    out: dict[str, float | None] = {
        "laws_per_year": enacted.sum() / years,
        "bills_introduced_per_year": len(bills) / years,
        "passage_rate": _num(enacted.sum() / decided.sum()) if decided.any() else None,
        "lead_time_median_days": _num(np.median(lead)) if lead.size else None,
        "lead_time_p90_days": _num(np.percentile(lead, 90)) if lead.size else None,
        "backlog_end": int((state == "pending").sum()),
        "vetoes": int(((kind == "sign") & (outcome == "return")).sum()),
        "overrides": int((is_override & (outcome == "pass")).sum()),
        "returns": int(((kind == "review") & (outcome == "return")).sum()),
        "mean_time_in_system_days": _num(stay.mean()) if stay.size else None,
        "mean_bills_in_system": float(occupancy_area / horizon),
    }
    out["laws_per_year"] = float(out["laws_per_year"])
    out["bills_introduced_per_year"] = float(out["bills_introduced_per_year"])
    if len(stages):
        spent = (stages["left"] - stages["entered"]).groupby(stages["stage"], sort=False).mean()
        for name, v in spent.items():
            out[f"stage_{name}_mean_days"] = _num(v)
    return out
