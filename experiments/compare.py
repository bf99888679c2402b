"""The ``compare`` experiment: one scenario replicated with common random numbers, into a folder.

Each Hydra job runs one scenario for a batch of replications (:mod:`experiments.replicate`) into its
own folder. A single run (``parltwin experiment=compare``) then compares it on its own
(:func:`experiments.comparison.finish`); in a multirun (``experiment=reform_comparison`` sets
``hydra.mode: MULTIRUN`` and sweeps the ``scenario`` group) every job is one scenario, on any
launcher, and :class:`experiments.sweep.CompareCallback` compares the jobs when all are done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from experiments.compare_spec import compare_spec
from experiments.comparison import clear_outputs, finish
from experiments.files import write_json
from experiments.labels import scenario_name
from experiments.manifest import command_line, config_hash, git_revision, now, resolved, versions
from experiments.replicate import SCENARIO, finished, run_replications
from scenarios import Config
from sim.engine.streams import replication_seeds


def fingerprint(cfg: DictConfig) -> str:
    """What makes replications of this scenario the same: the config minus the experiment's own knobs
    and how results are shown (quiet, lang)."""
    data = resolved(cfg)
    for k in ("experiment", "quiet", "lang"):
        data.pop(k, None)
    return config_hash(data)


def _job() -> dict[str, Any]:
    """This Hydra job: its number in a sweep, overrides, group choices and command line."""
    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    choices = {k: v for k, v in hc.runtime.choices.items() if not k.startswith("hydra")}
    task, hyd = list(hc.overrides.task), list(hc.overrides.hydra)
    return {
        "multirun": multirun,
        "num": int(hc.job.num) if multirun else 0,
        "overrides": task,
        "choices": choices,
        "command": command_line(task, [o for o in hyd if not o.startswith("hydra.mode=")]),
    }


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Run this job's scenario for ``experiment.replications``; in a single run, also compare."""
    spec = compare_spec(cfg.experiment)
    job = _job()
    seeds = replication_seeds(conf.seed, spec.replications)
    fp = fingerprint(cfg)
    finished(out, seeds, fp)  # refuses a folder holding another scenario before writing anything
    if not job["multirun"]:
        clear_outputs(out)
    p = conf.parliament
    write_json(
        out / SCENARIO,
        {
            "name": scenario_name(p.name, job["choices"]),
            "parliament": p.name,
            "description": p.description,
            "job": job["num"],
            "overrides": job["overrides"],
            "choices": job["choices"],
            "command": job["command"],
            "fingerprint": fp,
            "seed": conf.seed,
            "years": conf.years,
            "replications": spec.replications,
            "seeds": seeds,
            "config": resolved(cfg),
            "versions": versions(),
            "git": git_revision(),
            "created": now(),
        },
    )
    ran = run_replications(
        conf,
        seeds,
        out,
        fp,
        workers=spec.workers,
        ledger=spec.ledger,
        desc=scenario_name(p.name, job["choices"]),
        quiet=conf.quiet,
    )
    result: dict[str, Any] = {"folder": str(out), "replications": spec.replications, "ran": ran}
    if not job["multirun"]:
        result["report"] = str(finish(out, command=job["command"], quiet=conf.quiet))
        print(f"report: {result['report']}")
    return result
