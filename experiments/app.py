"""The Hydra application: one job runs one scenario and writes its results into the run folder."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.errors import fail
from experiments.files import remove_empty_dirs, write_json
from experiments.i18n import translator
from experiments.registry import runner
from experiments.table import run_title, sectioned_table
from scenarios import ConfigError, register, simulate, validate

log = logging.getLogger(__name__)
register()


def run_job(cfg: DictConfig) -> dict[str, Any]:
    """Validate, run one replication, write ``summary.json`` and print the summary table."""
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        conf = validate(cfg)
        if cfg.get("experiment") is not None:
            return runner(cfg.experiment.kind)(cfg, conf, out)
    except ConfigError as e:
        remove_empty_dirs(out, Path.cwd())  # nothing half-written: not even the empty run folder
        fail(str(e))
    result = simulate(conf)
    write_json(out / "summary.json", result.summary)
    if not conf.quiet:
        tr = translator(conf.lang)
        title = run_title(conf.parliament.name, conf.seed, conf.years, tr)
        print(sectioned_table(result.summary, result.metrics, title, tr))
        print(f"summary: {out / 'summary.json'}", file=sys.stderr)
    return result.summary


@hydra.main(version_base="1.3", config_path="../configs", config_name="config")
def app(cfg: DictConfig) -> dict[str, Any]:
    return run_job(cfg)
