"""The parameters of a ``compare`` experiment (``experiment.*``), checked before anything runs."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from configs import CONFIGS
from experiments.params import check, distinct_names, options, positive_int, workers
from experiments.pool import BACKENDS, PoolSpec
from scenarios.allowlist import check_instantiable

KIND = "compare"
#: Who runs a sweep's replications: one pool once every job is done, or each job its own.
POOLS = ("sweep", "job")
#: The reform comparison's scenarios (configs/scenario/), the rules in force (its baseline) first.
REFORM = ("kz_bicameral_2023", "kz_bicameral_2023_digital", "kz_kurultai_2026", "kz_kurultai_2026_digital")
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
    workers: int = 0  # worker processes; 0: one per core
    baseline: str | None = None
    metrics: tuple[str, ...] = HEADLINE
    title: str = "Scenario comparison"
    ledger: bool = True
    backend: str = "local"  # where replications run: local processes, or a Dask cluster
    scheduler: str | None = None  # dask: address of a running scheduler; none: a local cluster
    pool: str = "sweep"  # sweep: one pool for every job's replications; job: each job runs its own
    robustness: str | None = None  # a folder of `experiment=robustness` whose findings the report cites

    @property
    def pool_spec(self) -> PoolSpec:
        return PoolSpec(self.backend, self.workers, self.scheduler)


def scheduler_at(address: str) -> tuple[str, int] | None:
    """The host and port of a Dask scheduler's address (``tcp://`` or ``tls://``, a host name or
    IP address, IPv6 in brackets, a port); None if it is not one."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:  # a port that is not a number in 0-65535
        return None
    tail = parts.path or parts.query or parts.fragment or parts.username
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not port or tail:
        return None
    return parts.hostname, port


def compare_spec(node: Any) -> CompareSpec:
    """Check the ``experiment`` node of a ``compare`` run; ``ConfigError`` names the first problem."""
    if isinstance(node, DictConfig):
        check_instantiable(node, "experiment")
    s = options(node, {**asdict(CompareSpec()), "metrics": list(HEADLINE)})
    positive_int(s, "replications")
    workers(s)
    check(s, "backend", s["backend"] in BACKENDS, f"one of {', '.join(BACKENDS)}")
    check(
        s,
        "scheduler",
        s["scheduler"] is None
        or (isinstance(s["scheduler"], str) and s["backend"] == "dask" and scheduler_at(s["scheduler"])),
        "null, or with experiment.backend=dask the address of a Dask scheduler (e.g. tcp://host:8786)",
    )
    check(s, "pool", s["pool"] in POOLS, f"one of {', '.join(POOLS)}")
    check(
        s,
        "baseline",
        s["baseline"] is None or isinstance(s["baseline"], str),
        "a scenario name, or null for the first",
    )
    metrics = distinct_names(s, "metrics", "metric names")
    check(s, "title", isinstance(s["title"], str), "a string")
    check(s, "ledger", isinstance(s["ledger"], bool), "true or false")
    rob = s["robustness"]
    check(
        s,
        "robustness",
        rob is None or (isinstance(rob, str) and robustness_table(Path(rob) / "robustness.csv")),
        "null, or a folder written by `parltwin experiment=robustness` (holding its robustness.csv, "
        f"with the columns {', '.join(ROBUSTNESS_COLUMNS)})",
    )
    check(
        s,
        "robustness",
        rob is None or robustness_table(Path(rob) / "assumptions.csv", ASSUMPTIONS_COLUMNS, optional=True),
        f"a robustness run's folder, whose assumptions.csv has the columns {', '.join(ASSUMPTIONS_COLUMNS)}",
    )
    return CompareSpec(**{**s, "metrics": tuple(metrics)})


#: What the report reads of a robustness run's ``robustness.csv`` (before anything runs).
ROBUSTNESS_COLUMNS = (
    "metric", "scenario", "worlds", "holds_at", "share_better", "share_worse", "share_higher",
    "share_lower", "deciding_assumptions", "top_assumption", "top_rank_correlation",
)  # fmt: skip


#: What the report reads of a robustness run's ``assumptions.csv``, where there is one.
ASSUMPTIONS_COLUMNS = ("path", "low", "high", "deciding_in", "top_in")


def robustness_table(
    path: Path, columns: tuple[str, ...] = ROBUSTNESS_COLUMNS, optional: bool = False
) -> bool:
    """Whether ``path`` is a robustness run's table the report can read: a regular file, not a link,
    of a sane size, whose header has ``columns`` (a table of another shape failed the comparison
    after its runs, with a traceback); with ``optional``, no file at all will do too."""
    import csv

    from experiments.files import linked, regular_file

    if optional and not os.path.lexists(path):
        return True
    if linked(path) or regular_file(path) is not None:
        return False
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        header = next(csv.reader(f), [])
    return set(columns) <= set(header)


def main_job() -> tuple[int, float]:
    """The replications and the years of the main job (``make run``), as its presets set them: what
    a short run's note measures itself against, in the report and on the explorer's page."""
    from omegaconf import OmegaConf

    replications = OmegaConf.load(CONFIGS / "experiment" / "compare.yaml").experiment.replications
    return int(replications), float(OmegaConf.load(CONFIGS / "config.yaml").years)
