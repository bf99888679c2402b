"""The parameters of a ``compare`` experiment (``experiment.*``), checked before anything runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from omegaconf import DictConfig

from experiments.params import check, options, positive_int
from scenarios.validate import refuse_targets

KIND = "compare"
#: Metrics shown in the report's tables and the differences figure, unless the preset names others:
#: throughput and speed, and how well citizens are answered (shown when the scenario has citizens).
HEADLINE = (
    "laws_per_year",
    "passage_rate",
    "lead_time_median_days",
    "mean_time_in_system_days",
    "backlog_end",
    "demands_answered_within_365d",
    "demand_to_law_median_days",
    "congruence",
)


@dataclass(frozen=True)
class CompareSpec:
    """The ``experiment:`` parameters of a ``compare`` run."""

    replications: int = 30
    workers: int = 1
    baseline: str | None = None
    metrics: tuple[str, ...] = HEADLINE
    title: str = "Scenario comparison"
    ledger: bool = True


def compare_spec(node: Any) -> CompareSpec:
    """Check the ``experiment`` node of a ``compare`` run; ``ConfigError`` names the first problem."""
    if isinstance(node, DictConfig):
        refuse_targets(node, "experiment")
    s = options(node, {**asdict(CompareSpec()), "metrics": list(HEADLINE)})
    positive_int(s, "replications")
    positive_int(s, "workers")
    check(
        s,
        "baseline",
        s["baseline"] is None or isinstance(s["baseline"], str),
        "a scenario name, or null for the first",
    )
    metrics = s["metrics"]
    check(
        s,
        "metrics",
        isinstance(metrics, list) and all(isinstance(m, str) for m in metrics),
        "a list of metric names",
    )
    check(s, "title", isinstance(s["title"], str), "a string")
    check(s, "ledger", isinstance(s["ledger"], bool), "true or false")
    return CompareSpec(**{**s, "metrics": tuple(metrics)})
