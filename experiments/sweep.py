"""A ``compare`` sweep: its jobs checked before any starts; when all are done, the replications they
declared run in one pool and the jobs are compared.

``parltwin`` has checked the whole sweep before Hydra started it (``experiments.preflight``); a
sweep started without it has its common config checked by the callback; only then is a previous
comparison removed. Hydra turns an exception in a callback into a warning and goes on,
so every problem here ends the process itself: one line and its exit code.
"""

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
from experiments.composition import checked_sweep, take
from experiments.errors import EXIT_BUG, describe, exit_for
from experiments.run_folder import clear_outputs
from scenarios import validate


class CompareCallback(Callback):
    """Checks a ``compare`` sweep before any job starts; when all are done, runs the replications
    its jobs declared (one pool across scenarios) and compares the jobs."""

    @staticmethod
    def _ours(config: DictConfig) -> bool:
        exp = config.get("experiment")
        return exp is not None and exp.get("kind") == KIND

    @staticmethod
    def _end(exc: Exception) -> None:
        if describe(exc) is not None:
            exit_for(exc)
        traceback.print_exc()  # a bug: Hydra would print a warning and exit 0 without a report
        sys.exit(EXIT_BUG)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._ours(config):
            return
        sweep = Path(config.hydra.sweep.dir)
        try:
            if not take(checked_sweep(sweep)):  # a sweep started without ``parltwin``: check it here
                task = copy.deepcopy(config)
                with read_write(task), open_dict(task):
                    del task["hydra"]
                compare_spec(task.experiment)
                validate(task)
            if sweep.is_dir():
                clear_outputs(sweep)
        except Exception as e:
            self._end(e)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._ours(config):
            return
        sweep = Path(config.hydra.sweep.dir)
        try:
            run_sweep(sweep, compare_spec(config.experiment).pool_spec, quiet=bool(config.quiet))
            from experiments.comparison import finish  # pandas, figures: imported while the pool ran

            path = finish(sweep, quiet=bool(config.quiet))
        except Exception as e:
            self._end(e)
        print(f"report: {path}")
