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
