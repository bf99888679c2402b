"""The ``compare`` experiment: scenarios replicated with common random numbers, each into a folder.

Each Hydra job is one scenario: it checks it and writes its manifest (``scenario.json``: resolved
config, seeds, fingerprint) into its own folder. A single run (``parltwin experiment=compare``) then
runs its replications (:mod:`experiments.replicate`) and compares them on its own
(:func:`experiments.comparison.finish`). In a multirun (``experiment=reform_comparison`` sets
``hydra.mode: MULTIRUN`` and sweeps the ``scenario`` group) the jobs only declare their work, on any
launcher; once all are done, :class:`experiments.sweep.CompareCallback` runs the replications of
every job in one pool (:func:`run_sweep`) and compares the jobs. With ``experiment.pool=job`` each
job runs its own replications instead (one cluster job per scenario).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from experiments.compare_spec import KIND, compare_spec
from experiments.composition import hand_over, of_folder, take
from experiments.files import write_json, write_text
from experiments.labels import own_name, scenario_name
from experiments.manifest import (
    command_line,
    config_hash,
    config_yaml,
    git_revision,
    model_code,
    now,
    resolved,
    versions,
)
from experiments.pool import PoolSpec
from experiments.prefetch import imports_ahead
from experiments.replicate import SCENARIO, finished, pending, run_replications, run_tasks
from experiments.run_folder import CONFIG, clear_outputs, scenario_folders
from scenarios import Config, ConfigError, validate
from scenarios.diff import NOT_SCENARIO
from scenarios.errors import counted
from scenarios.schema import Schema
from sim.engine.streams import replication_seeds


def fingerprint_of(data: dict[str, Any]) -> str:
    """What makes replications of a scenario the same: its resolved config minus what is not the
    scenario (``scenarios.diff.NOT_SCENARIO``: the experiment's knobs, the reform's own description,
    how results are shown), so that editing a reform's label does not make its runs another's."""
    return config_hash({k: v for k, v in data.items() if k not in NOT_SCENARIO})


def fingerprint(cfg: DictConfig) -> str:
    return fingerprint_of(resolved(cfg))


def scenario_config(folder: Path, manifest: dict[str, Any]) -> Config:
    """The validated config of a job, rebuilt from the ``config.yaml`` it wrote (in its order: the
    order of topics, stages and groups is part of the model), checked against its fingerprint."""
    path = Path(folder) / CONFIG
    try:
        data = OmegaConf.to_container(OmegaConf.load(path)) if path.is_file() else None
    except (RecursionError, ValueError, yaml.YAMLError, OmegaConfBaseException):  # not as the job wrote it
        data = None
    if not isinstance(data, dict) or fingerprint_of(data) != manifest.get("fingerprint"):
        raise ConfigError("run folder", str(folder), f"a {CONFIG} and {SCENARIO} as the job wrote them")
    return validate(OmegaConf.merge(OmegaConf.structured(Schema), data))  # a removed entry is null


def job_config(folder: Path, manifest: dict[str, Any]) -> Config:
    """A job's validated config: the one the job handed over when it ran in this process (Hydra's
    basic launcher), else rebuilt from its folder (:func:`scenario_config`)."""
    made = take(of_folder(KIND, folder))
    if made is not None and made[0] == manifest.get("fingerprint"):
        return made[1]
    return scenario_config(folder, manifest)


def run_sweep(run_dir: Path, spec: PoolSpec, quiet: bool = False) -> int:
    """Run the replications that the jobs of a sweep declared and have not finished, all in one pool
    (across scenarios); return how many ran."""
    tasks = []
    jobs = scenario_folders(run_dir)
    for folder, manifest in jobs:
        job = compare_spec(manifest["config"].get("experiment") or {})
        conf = job_config(folder, manifest)
        tasks += pending(conf, manifest["seeds"], folder, manifest["fingerprint"], job.ledger)
    with imports_ahead(when=spec.elsewhere(len(tasks))):
        run_tasks(tasks, spec, desc=counted(len(jobs), "scenario"), quiet=quiet)
    return len(tasks)


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
        "command": command_line(
            task, [o for o in hyd if not o.startswith("hydra.mode=")], hc.runtime.config_sources
        ),
    }


def _in_launcher_worker() -> bool:
    """Whether this job runs in a worker of the joblib launcher (loky), which runs the jobs side by
    side already: a pool started there cannot start its processes (multiprocessing has no 'loky'
    context for them), so the job runs its replications in its own process."""
    import multiprocessing

    return multiprocessing.get_start_method(allow_none=True) == "loky"


def scenario_manifest(
    conf: Config,
    data: dict[str, Any],
    fp: str,
    seeds: list[int],
    name: str,
    job: int,
    overrides: list[str],
    choices: dict[str, str],
    command: str | None,
) -> dict[str, Any]:
    """A scenario's ``scenario.json``, as a ``compare`` job declares it (the explorer writes the same
    for its runs): who it is, its resolved config (``data``) and its fingerprint (``fp``, of
    ``data``: :func:`fingerprint_of`), its seeds, and what made it."""
    return {
        "name": name,
        "parliament": conf.parliament.name,
        "description": conf.parliament.description,
        "job": job,
        "overrides": overrides,
        "choices": choices,
        "command": command,
        "fingerprint": fp,
        "seed": conf.seed,
        "years": conf.years,
        "replications": len(seeds),
        "seeds": seeds,
        "config": data,
        "versions": versions(),
        "git": git_revision(),
        "model_code": model_code(),
        "created": now(),
    }


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Declare this job's scenario and its ``experiment.replications``; in a single run (or with
    ``experiment.pool=job``) run them, and in a single run compare them."""
    spec = compare_spec(cfg.experiment)
    job = _job()
    seeds = replication_seeds(conf.seed, spec.replications)
    data = resolved(cfg)
    fp = fingerprint_of(data)
    finished(out, seeds, fp)  # refuses a folder holding another scenario before writing anything
    if not job["multirun"]:
        clear_outputs(out)
    name = scenario_name(conf.parliament.name, job["choices"], own_name(conf.channels))
    # The manifest first: a folder without one holds nothing of a job's (see preflight.check_resume).
    write_json(
        out / SCENARIO,
        scenario_manifest(
            conf, data, fp, seeds, name, job["num"], job["overrides"], job["choices"], job["command"]
        ),
    )
    write_text(out / CONFIG, config_yaml(data))
    result: dict[str, Any] = {"folder": str(out), "replications": spec.replications}
    if job["multirun"] and spec.pool == "sweep":  # the sweep's pool runs them (experiments.sweep)
        result["declared"] = len(pending(conf, seeds, out, fp, spec.ledger))
        hand_over(of_folder(KIND, out), (fp, conf))
        return result
    workers = 1 if spec.backend == "local" and _in_launcher_worker() else spec.workers
    with imports_ahead(when=not job["multirun"] and spec.pool_spec.elsewhere(len(seeds))):
        result["ran"] = run_replications(
            conf,
            seeds,
            out,
            fp,
            workers=workers,
            ledger=spec.ledger,
            desc=name,
            quiet=conf.quiet,
            backend=spec.backend,
            scheduler=spec.scheduler,
        )
    if not job["multirun"]:
        from experiments.comparison import finish  # pandas, figures: not in a job that only declares

        result["report"] = str(finish(out, command=job["command"], quiet=conf.quiet))
        print(f"report: {result['report']}")
    return result
