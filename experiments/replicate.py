"""Replications as tasks: each writes its ledger and record into its scenario's folder, resumably.

Replication ``i`` runs with ``replication_seeds(seed, n)[i]``: the same seed list for every scenario
of an experiment, so scenarios share common random numbers. Each replication writes its ledger
(Parquet) and then its record ``replications/rNNNN.json`` (summary metrics, seed, fingerprint of the
scenario), each atomically; the record is written last, so a replication counts as finished only when
everything it produced is on disk. Running again on the same folder skips finished replications, and
refuses a folder that holds results of a different scenario.

A replication is a :class:`Task` (a validated scenario config, a seed, its folder); :func:`run_tasks`
runs any list of them, of one scenario or many, in one pool (:mod:`experiments.pool`): the worker
writes the ledger, this process writes the record.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments import catalog, parquet
from experiments.files import MAX_SUMMARY_NUMBER, numbers_only, read_json, whole, write_text
from experiments.manifest import model_code
from experiments.pool import SERIAL, PoolSpec, imap
from experiments.progress import progress
from scenarios import Config, simulate
from scenarios.errors import ConfigError
from sim.metrics import Metric

if TYPE_CHECKING:
    import pandas as pd

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


# The model's code as this process loaded it, read at import: workers forked later from a server
# that imported this module carry the digest of the code they run, not that of the files on disk
# when their first replication ends (an explorer left running while the code was edited filed the
# new digest under the old one's folder).
model_code()

#: What every record of a finished replication holds (a file without them is not one).
RECORD_KEYS = ("replication", "seed", "fingerprint", "summary")
#: What a comparison relies on in a record's values.
RECORD_KINDS = {
    "replication": (lambda x: whole(x) and x >= 0, "a whole number >= 0"),
    "seed": (whole, "a whole number"),
    "summary": (
        lambda x: isinstance(x, dict) and numbers_only(x),
        f"an object of numbers (each at most {MAX_SUMMARY_NUMBER:g} in size)",
    ),
}


def load_records(folder: Path) -> list[dict[str, Any]]:
    """The finished replications in ``folder``, by index; an ``InputError`` naming a file that is
    not a record (not JSON, or without a record's keys, or a link: a record is read where the run
    wrote it), which no comparison should read."""
    return [
        read_json(p, RECORD_KEYS, "a replication's record", RECORD_KINDS)
        for p in sorted((Path(folder) / RECORDS).glob("r[0-9]*.json"))
    ]


def finished(folder: Path, seeds: list[int], fingerprint: str) -> set[int]:
    """Indices of the replications already done in ``folder``.

    Raises ``ConfigError`` when a record belongs to another scenario, another seed list or another
    version of the model's code: mixing them would silently corrupt the comparison.
    """
    done = set()
    for rec in load_records(folder):
        i = int(rec["replication"])
        if rec.get("model") != model_code():
            raise ConfigError(
                "run folder",
                str(folder),
                "an empty folder, or one holding replications made by this version of the model "
                f"(model code {model_code()}; these were made by {rec.get('model') or 'an earlier one'})",
            )
        if rec.get("fingerprint") != fingerprint or (i < len(seeds) and rec.get("seed") != seeds[i]):
            raise ConfigError(
                "run folder",
                str(folder),
                "an empty folder, or one holding replications of this same scenario and seed",
            )
        done.add(i)
    return done


@dataclass(frozen=True)
class Task:
    """One replication to run: a validated scenario, its seed, and the folder its results go to
    (``None``: only return its record)."""

    config: Config
    seed: int
    index: int = 0  # the replication's number in its scenario (its files are named after it)
    folder: Path | None = None
    fingerprint: str = ""
    ledger: bool = True  # write its ledger (Parquet) into ``folder``
    scenario: str = ""  # its name, a key column of every ledger file


@dataclass(frozen=True)
class Outcome:
    """What a worker hands back: the replication's record and its metrics' descriptions."""

    record: dict[str, Any]
    metrics: dict[str, Metric]


def replicate(task: Task) -> Outcome:
    """Run one replication and write its ledger (in the worker that runs it); return its record."""
    result = simulate(task.config, seed=task.seed)
    rows = {}
    if task.folder is not None and task.ledger:
        for name, table in result.tables.items():
            schema = result.schemas[name]
            parquet.write(
                ledger_path(task.folder, task.index, name),
                table,
                schema,
                scenario=task.scenario,
                replication=task.index,
                seed=task.seed,
            )
            rows[name] = len(table[schema[0].name])
    record = {
        "replication": task.index,
        "seed": task.seed,
        "fingerprint": task.fingerprint,
        "model": model_code(),  # the model's code that made it (resumed only by the same)
        "events": int(result.events),
        "summary": flat_metrics(result.summary),
        "rows": rows,  # rows of each ledger file, to check a folder read as a dataset
    }
    return Outcome(record, result.metrics)


def run_tasks(
    tasks: list[Task],
    spec: PoolSpec = SERIAL,
    desc: str = "",
    quiet: bool = False,
    step: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run replications of any scenarios in one pool; return their records in the order of ``tasks``.

    A task with a folder gets its record written there, after its ledger and the descriptions of
    any metric new to the folder (``metrics.json``), so that a record on disk means a finished
    replication. The records are written in the order of the tasks on every backend; ``step(k, n)``
    is called after the ``k``-th of the ``n`` (a page's progress bar).
    """
    described = {t.folder: catalog.load([t.folder]) for t in tasks if t.folder is not None}
    records = []
    with closing(imap(replicate, tasks, spec)) as outcomes:  # closed (workers stopped) on any exit
        for task, done in zip(tasks, progress(outcomes, len(tasks), desc, quiet), strict=True):
            if task.folder is not None:
                known = described[task.folder]
                if done.metrics.keys() - known.keys():  # e.g. a stage no bill reached before
                    known.update(done.metrics)
                    catalog.dump(task.folder, known)
                # Metrics keep the engine's order (stages in procedure order): no sorted keys here.
                write_text(record_path(task.folder, task.index), json.dumps(done.record, indent=1) + "\n")
            records.append(done.record)
            if step is not None:
                step(len(records), len(tasks))
    return records


def pending(
    conf: Config, seeds: list[int], folder: Path, fingerprint: str, ledger: bool = True
) -> list[Task]:
    """The replications of ``seeds`` not yet finished in ``folder``, as tasks.

    Refuses a folder holding another scenario's results (``ConfigError``) and clears what a killed
    write left behind (``.tmp-*`` files, never results).
    """
    done = finished(folder, seeds, fingerprint)
    for sub in (RECORDS, LEDGER):
        for tmp in (Path(folder) / sub).glob(".tmp-*"):
            tmp.unlink(missing_ok=True)
    name = scenario_of(folder)
    return [
        Task(conf, s, i, Path(folder), fingerprint, ledger, name)
        for i, s in enumerate(seeds)
        if i not in done
    ]


def scenario_of(folder: Path) -> str:
    """The scenario's name, from the job's ``scenario.json`` (empty outside a ``compare`` job)."""
    path = Path(folder) / SCENARIO
    return str(read_json(path, (), "a job's manifest").get("name", "")) if path.is_file() else ""


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
    backend: str = "local",
    scheduler: str | None = None,
) -> int:
    """Run the replications of ``seeds`` not yet finished in ``folder``; return how many ran.

    ``workers`` > 1 (or 0: every core) runs them in that many processes, ``backend="dask"`` on a
    Dask cluster; the files are the same either way.
    """
    todo = pending(conf, seeds, folder, fingerprint, ledger)
    run_tasks(todo, PoolSpec(backend, workers, scheduler), desc, quiet)
    return len(todo)


def lead_times(folder: Path, indices: list[int]) -> pd.DataFrame:
    """Days from introduction to enactment of every enacted bill in the given replications' ledgers
    (read with pyarrow alone: a few columns of many small files)."""
    import numpy as np
    import pandas as pd  # only where a comparison is built, not in the processes that run replications
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    reps, days = [], []
    for i in indices:
        path = ledger_path(folder, i, "bills")
        if not path.exists():
            continue
        bills = pq.read_table(path, columns=["state", "introduced", "finished"])
        enacted = bills.filter(pc.equal(bills["state"], "enacted"))
        days.append(pc.subtract(enacted["finished"], enacted["introduced"]).to_numpy())
        reps.append(np.full(len(days[-1]), i, dtype=np.int64))
    if not days:
        return pd.DataFrame({"replication": pd.Series(dtype=int), "lead_time_days": pd.Series(dtype=float)})
    return pd.DataFrame({"replication": np.concatenate(reps), "lead_time_days": np.concatenate(days)})
