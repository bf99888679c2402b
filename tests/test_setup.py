"""Set-up: the Makefile installs the lock with uv when it can, with pip otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_setup_finds_uv_beside_the_python_or_on_path(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    res = subprocess.run(
        ["sh", "tools/setup", "--uv", sys.executable, str(venv)], cwd=ROOT, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    uv = res.stdout.strip()
    assert os.access(uv, os.X_OK)
    assert subprocess.run([uv, "--version"], capture_output=True, text=True).stdout.startswith("uv ")


def test_the_readme_commands_set_up_through_the_script_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    script = (ROOT / "tools" / "setup").read_text()
    assert "$(STAMP): requirements.lock pyproject.toml" in makefile
    assert "sh tools/setup $(PYTHON) $(VENV)" in makefile
    assert "pip sync --quiet requirements.lock" in script  # the lock is the only list of versions
    assert "-r requirements.lock" in script  # pip installs the same lock
    assert "compileall" in script


def test_the_test_command_runs_on_every_core_with_a_plugin_the_lock_installs() -> None:
    """``make test`` hands pytest ``-n``: pytest-xdist must come from the lock, or a fresh set-up's
    test command fails before its first test."""
    env = {**os.environ, "MAKEFLAGS": ""}
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, env=env, capture_output=True, text=True)
    command = next(line for line in dry.stdout.splitlines() if "-m pytest" in line)
    assert " -n auto " in command and '-m "not slow"' in command
    pins = [
        line.split("==")[0] for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line
    ]
    assert "pytest-xdist" in pins and "execnet" in pins
    serial = subprocess.run(
        ["make", "-n", "test", "TEST_WORKERS=0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert " -n 0 " in serial.stdout  # one by one, in one process, when asked
