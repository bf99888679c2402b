"""Shared fixtures: compose configs exactly as the ``parltwin`` command does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from scenarios import register

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
PARLTWIN = Path(sys.executable).with_name("parltwin")

register()
# Processes the tests start (the installed ``parltwin``, workers) import this tree's code, whichever
# tree the environment's editable install points to (a copy tested with another copy's .venv).
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)


def compose_config(overrides: Sequence[str] = (), config_dir: Path = CONFIGS) -> DictConfig:
    """The composed config for ``overrides``, as ``parltwin`` would build it."""
    with initialize_config_dir(version_base="1.3", config_dir=str(config_dir)):
        return compose("config", overrides=list(overrides))


@pytest.fixture
def make_config() -> Callable[..., DictConfig]:
    return lambda *overrides: compose_config(overrides)


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``parltwin`` command."""
    full_env = {**os.environ, "CI": "true", **(env or {})}
    return subprocess.run(
        [str(PARLTWIN), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600
    )


def is_worker(p: psutil.Process, parent: int) -> bool:
    """Whether ``p``, a descendant of the process ``parent``, does its work: not multiprocessing's
    resource tracker or forkserver, but a process forked from it (or a Dask cluster's worker)."""
    try:
        cmd = " ".join(p.cmdline())
        return "resource_tracker" not in cmd and not (p.ppid() == parent and "forkserver" in cmd)
    except psutil.NoSuchProcess:
        return False


def drawn_figures(
    summary: Any, leads: Any, comp: Any, metrics: Sequence[str], order: Sequence[str], described: Any,
    tr: Any = None, sides: Sequence[Any] = (),
) -> list[Any]:  # fmt: skip
    """A comparison's figures, drawn in this process (or by ``sides``), in English by default."""
    from experiments.drawing import figures
    from experiments.figure import FigureData
    from experiments.i18n import translator

    return figures(FigureData(summary, leads, comp, metrics, order, described), tr or translator(), sides)
