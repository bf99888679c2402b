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
from experiments.files import write_json
from experiments.i18n import translator
from experiments.registry import runner
from experiments.table import run_title, sectioned_table
from scenarios import register, simulate, validate

log = logging.getLogger(__name__)
register()


def run_job(cfg: DictConfig) -> dict[str, Any]:
    """Validate, run one replication, write ``summary.json`` and print the summary table."""
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        conf = take(validated(out)) or validate(cfg)  # checked before Hydra started, or now
        if cfg.get("experiment") is not None:
            return runner(cfg.experiment.kind)(cfg, conf, out)
        result = simulate(conf)
        write_json(out / "summary.json", result.summary)
    except Exception as e:  # Hydra would report it on more lines than one
        if describe(e) is None:
            raise
        exit_for(e)
    if not conf.quiet:
        tr = translator(conf.lang)
        title = run_title(conf.parliament.name, conf.seed, conf.years, tr)
        print(sectioned_table(result.summary, result.metrics, title, tr))
        print(f"summary: {out / 'summary.json'}", file=sys.stderr)
    return result.summary


@hydra.main(version_base="1.3", config_path="../configs", config_name="config")
def app(cfg: DictConfig) -> dict[str, Any]:
    return run_job(cfg)
