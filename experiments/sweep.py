"""A ``compare`` sweep: its jobs checked before any starts; when all are done, the replications they
declared run in one pool and the jobs are compared."""

from __future__ import annotations

import copy
import sys
import traceback
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, open_dict, read_write

from experiments.compare import run_sweep
from experiments.compare_spec import KIND, compare_spec
from experiments.comparison import clear_outputs, finish
from experiments.errors import fail
from scenarios import ConfigError, validate


class CompareCallback(Callback):
    """Checks a ``compare`` sweep before any job starts; when all are done, runs the replications
    its jobs declared (one pool across scenarios) and compares the jobs."""

    @staticmethod
    def _ours(config: DictConfig) -> bool:
        exp = config.get("experiment")
        return exp is not None and exp.get("kind") == KIND

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._ours(config):
            return
        task = copy.deepcopy(config)
        with read_write(task), open_dict(task):
            del task["hydra"]
        try:
            compare_spec(task.experiment)
            validate(task)
        except ConfigError as e:  # Hydra would turn an exception here into a warning and go on
            fail(str(e))
        sweep = Path(config.hydra.sweep.dir)
        if sweep.is_dir():
            clear_outputs(sweep)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._ours(config):
            return
        sweep = Path(config.hydra.sweep.dir)
        try:
            run_sweep(sweep, compare_spec(config.experiment).pool_spec, quiet=bool(config.quiet))
            path = finish(sweep, quiet=bool(config.quiet))
        except ConfigError as e:
            fail(str(e))
        except Exception:  # Hydra would turn it into a warning and exit 0 without a report
            traceback.print_exc()
            sys.exit(1)
        print(f"report: {path}")
