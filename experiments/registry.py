"""Experiments chosen by name (``experiment.kind`` in the ``experiment/`` config group).

Runners are looked up here and imported lazily, never instantiated from a ``_target_`` in a user's
file. A runner is ``run(cfg: DictConfig, conf: Config, out: Path) -> dict`` (the composed config
and its validated form) and is the only code that writes into
the run folder ``out``; it raises ``ConfigError`` for a bad parameter before writing anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from scenarios import Config
from scenarios.errors import ConfigError

Runner = Callable[[DictConfig, Config, Path], dict[str, Any]]

#: name -> "module:function"
RUNNERS: dict[str, str] = {
    "compare": "experiments.compare:run",
    "pluchino": "experiments.pluchino:run",
    "sensitivity": "experiments.sensitivity:run",
    "calibrate": "experiments.calibrate:run",
    "fit": "experiments.fit:run",
    "robustness": "experiments.robustness:run",
}


def runner(kind: str) -> Runner:
    """The runner registered as ``kind``; a ConfigError names the known ones otherwise."""
    if kind not in RUNNERS:
        raise ConfigError("experiment.kind", kind, f"one of {', '.join(sorted(RUNNERS)) or '(none)'}")
    module, func = RUNNERS[kind].split(":")
    return getattr(importlib.import_module(module), func)
