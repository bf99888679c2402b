"""Checks of how the agents decide: a chamber's amendments, committees' chairs and rules, priority
bills."""

from __future__ import annotations

from scenarios.checks import in_range, need, non_negative, positive
from sim.engine.parliament import ParliamentConf


def _share(path: str, value: float) -> None:
    in_range(path, value, 0.0, 1.0, "a share in [0, 1]")


def check_decisions(p: ParliamentConf, prefix: str = "parliament") -> None:
    for name, ch in p.chambers.items():
        at = f"{prefix}.chambers.{name}.amendment"
        non_negative(f"{at}.threshold", ch.amendment.threshold)
        _share(f"{at}.pull", ch.amendment.pull)
    for name, c in p.committees.items():
        parties = list(p.chambers[c.chamber].parties) if c.chamber in p.chambers else []
        need(
            f"{prefix}.committees.{name}.chair",
            c.chair,
            not c.chair or c.chair in parties,
            f"empty (the largest party) or a party of {c.chamber}: {', '.join(parties)}",
        )
    r = p.committee_rules
    _share(f"{prefix}.committee_rules.gatekeeping", r.gatekeeping)
    non_negative(f"{prefix}.committee_rules.amend_threshold", r.amend_threshold)
    _share(f"{prefix}.committee_rules.amend_pull", r.amend_pull)
    for w, i in p.initiators.items():
        _share(f"{prefix}.initiators.{w}.priority_share", i.priority_share)
    positive(f"{prefix}.priority.deadline_days", p.priority.deadline_days)
    positive(f"{prefix}.priority.duration_factor", p.priority.duration_factor)
