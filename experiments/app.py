"""The Hydra application: one job runs one scenario and writes its results into the run folder.

``parltwin`` (``experiments.cli``) has checked the whole command before Hydra calls this; the job
checks its config again (it is cheap) and ends a problem it still meets with one line and its exit
code, leaving the folders to the process that launched it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.composition import take, validated
from experiments.errors import describe, exit_for
from experiments.files import json_text, write_text
from experiments.i18n import translator
from experiments.labels import own_name, scenario_name
from experiments.manifest import run_config_text
from experiments.preflight import RUN_CONFIG, SUMMARY
from experiments.registry import runner
from experiments.table import run_title, sectioned_table
from scenarios import ConfigError, register, simulate, validate

log = logging.getLogger(__name__)
register()


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    """Write a single run's ``summary.json``; where one is there already, it must be this very run's
    (the same scenario and seed give the same bytes): another run's is not written over."""
    _write_own(path, json_text(summary))


def _write_own(path: Path, text: str, write: bool = True) -> None:
    """Write ``text`` to ``path`` unless another run's is there (``write=False``: check only)."""
    if path.is_file() and path.read_text(encoding="utf-8") != text:
        allowed = f"a new or empty folder, or one holding this same run (its {path.name} is another's)"
        raise ConfigError("run folder", str(path.parent), allowed)
    if write:
        write_text(path, text)


def run_job(cfg: DictConfig) -> dict[str, Any]:
    """Validate, run one replication, write ``summary.json`` and print the summary table."""
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        conf = take(validated(out)) or validate(cfg)  # checked before Hydra started, or now
        if cfg.get("experiment") is not None:
            return runner(cfg.experiment.kind)(cfg, conf, out)
        config = run_config_text(cfg)
        _write_own(out / RUN_CONFIG, config, write=False)  # another run's is refused before this one runs
        result = simulate(conf)
        _write_own(out / RUN_CONFIG, config)  # first: a summary.json without it is not a run's
        write_summary(out / SUMMARY, result.summary)
    except Exception as e:  # Hydra would report it on more lines than one
        if describe(e) is None:
            raise
        exit_for(e)
    if not conf.quiet:
        tr = translator(conf.lang)
        choices = {k: v for k, v in HydraConfig.get().runtime.choices.items() if not k.startswith("hydra")}
        name = scenario_name(conf.parliament.name, choices, own_name(conf.channels))
        title = run_title(name, conf.seed, conf.years, tr)
        try:
            print(sectioned_table(result.summary, result.metrics, title, tr), flush=True)
        except BrokenPipeError as e:  # e.g. | head: the summary is written
            exit_for(e)
    print(f"summary: {out / SUMMARY}", file=sys.stderr)  # quiet too, as an experiment says its report
    return result.summary


@hydra.main(version_base="1.3", config_path="../configs", config_name="config")
def app(cfg: DictConfig) -> dict[str, Any]:
    return run_job(cfg)
