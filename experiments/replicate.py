"""One scenario, a batch of replications, into one folder that a re-run can resume.

Replication ``i`` runs with ``replication_seeds(seed, n)[i]``: the same seed list for every scenario
of an experiment, so scenarios share common random numbers. Each replication writes its ledger
(Parquet) and then its record ``replications/rNNNN.json`` (summary metrics, seed, fingerprint of the
scenario), each atomically; the record is written last, so a replication counts as finished only when
everything it produced is on disk. Running again on the same folder skips finished replications, and
refuses a folder that holds results of a different scenario.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import catalog, parquet
from experiments.files import write_text
from experiments.progress import progress
from scenarios import Config, simulate
from scenarios.errors import ConfigError
from sim.engine.model import RunResult

RECORDS = "replications"
LEDGER = "ledger"
SCENARIO = "scenario.json"  # the job's manifest: resolved config, seeds, overrides


def record_path(folder: Path, index: int) -> Path:
    return Path(folder) / RECORDS / f"r{index:04d}.json"


def ledger_path(folder: Path, index: int, table: str) -> Path:
    return Path(folder) / LEDGER / f"r{index:04d}_{table}.parquet"


def flat_metrics(summary: Mapping[str, Any], prefix: str = "") -> dict[str, float | int | bool | None]:
    """Summary metrics as flat JSON scalars (nested mappings become ``outer_inner`` keys)."""
    out: dict[str, float | int | bool | None] = {}
    for k, v in summary.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flat_metrics(v, f"{key}_"))
        elif v is None or isinstance(v, bool):
            out[key] = v
        elif isinstance(v, numbers.Integral):
            out[key] = int(v)
        elif isinstance(v, numbers.Real):
            out[key] = None if math.isnan(float(v)) else float(v)
    return out


def load_records(folder: Path) -> list[dict[str, Any]]:
    """The finished replications in ``folder``, by index."""
    paths = sorted((Path(folder) / RECORDS).glob("r[0-9]*.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def finished(folder: Path, seeds: list[int], fingerprint: str) -> set[int]:
    """Indices of the replications already done in ``folder``.

    Raises ``ConfigError`` when a record belongs to another scenario or another seed list: mixing
    them would silently corrupt the comparison.
    """
    done = set()
    for rec in load_records(folder):
        i = int(rec["replication"])
        if rec.get("fingerprint") != fingerprint or (i < len(seeds) and rec.get("seed") != seeds[i]):
            raise ConfigError(
                "run folder",
                str(folder),
                "an empty folder, or one holding replications of this same scenario and seed",
            )
        done.add(i)
    return done


def scenario_of(folder: Path) -> str:
    """The scenario's name, from the job's ``scenario.json`` (empty outside a ``compare`` job)."""
    path = Path(folder) / SCENARIO
    return str(json.loads(path.read_text(encoding="utf-8")).get("name", "")) if path.is_file() else ""


def _run(conf: Config, index: int, seed: int) -> tuple[int, RunResult]:
    return index, simulate(conf, seed=seed)


def _store(
    folder: Path,
    index: int,
    seed: int,
    result: RunResult,
    fingerprint: str,
    ledger: bool,
) -> dict[str, Any]:
    rows = {}
    if ledger:
        scenario = scenario_of(folder)
        for name, table in result.tables.items():
            schema = result.schemas[name]
            parquet.write(
                ledger_path(folder, index, name),
                table,
                schema,
                scenario=scenario,
                replication=index,
                seed=seed,
            )
            rows[name] = len(table[schema[0].name])
    rec = {
        "replication": index,
        "seed": seed,
        "fingerprint": fingerprint,
        "events": int(result.events),
        "summary": flat_metrics(result.summary),
        "rows": rows,  # rows of each ledger file, to check a folder read as a dataset
    }
    # Metrics keep the engine's order (stages in procedure order), so no sorted keys here.
    write_text(record_path(folder, index), json.dumps(rec, indent=1) + "\n")
    return rec


def _results(conf: Config, todo: list[tuple[int, int]], workers: int) -> Iterator[tuple[Any, ...]]:
    if workers <= 1 or len(todo) <= 1:
        return (_run(conf, i, s) for i, s in todo)
    from joblib import Parallel, delayed

    par = Parallel(n_jobs=min(workers, len(todo)), return_as="generator_unordered")
    return par(delayed(_run)(conf, i, s) for i, s in todo)


def run_replications(
    conf: Config,
    seeds: list[int],
    folder: Path,
    fingerprint: str,
    *,
    workers: int = 1,
    ledger: bool = True,
    desc: str = "",
    quiet: bool = False,
) -> int:
    """Run the replications of ``seeds`` not yet finished in ``folder``; return how many ran.

    ``workers`` > 1 runs them in that many processes; the files are the same either way.
    """
    done = finished(folder, seeds, fingerprint)
    todo = [(i, s) for i, s in enumerate(seeds) if i not in done]
    for sub in (RECORDS, LEDGER):  # leftovers of a killed run: never results, only clutter
        for tmp in (Path(folder) / sub).glob(".tmp-*"):
            tmp.unlink(missing_ok=True)
    described = catalog.load([folder])  # the metrics of the replications finished before
    for i, result in progress(_results(conf, todo, workers), len(todo), desc, quiet):
        if result.metrics.keys() - described.keys():  # e.g. a stage no bill reached before
            described.update(result.metrics)
            catalog.dump(folder, described)
        _store(folder, i, seeds[i], result, fingerprint, ledger)
    return len(todo)


def lead_times(folder: Path, indices: list[int]) -> pd.DataFrame:
    """Days from introduction to enactment of every enacted bill in the given replications' ledgers."""
    parts = []
    for i in indices:
        path = ledger_path(folder, i, "bills")
        if not path.exists():
            continue
        bills = pd.read_parquet(path, columns=["state", "introduced", "finished"])
        enacted = bills[bills["state"] == "enacted"]
        days = (enacted["finished"] - enacted["introduced"]).to_numpy()
        parts.append(pd.DataFrame({"replication": i, "lead_time_days": days}))
    if not parts:
        return pd.DataFrame({"replication": pd.Series(dtype=int), "lead_time_days": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)
