"""``parltwin`` run in the test's own process (no new interpreter): its exit code, stdout, stderr, and
what a folder holds byte for byte."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from experiments import cli


@dataclass
class Ended:
    code: int
    out: str
    err: str

    @property
    def one_line(self) -> str:
        """The single line on stderr (the test fails if there are more, or a traceback)."""
        lines = self.err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in self.err, self.err
        assert lines[0].startswith("parltwin: error: "), lines[0]
        return lines[0]


def parltwin(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Ended:
    """``parltwin *args`` run from ``cwd``, in this process."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["parltwin", *args])
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")  # main() sets it; restored after the test
    capsys.readouterr()
    code = 0
    try:
        cli.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out, err = capsys.readouterr()
    return Ended(code, out, err)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(Path(folder).rglob("*"))
    }


def refused(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """``parltwin *args`` run from ``cwd``, which must end with exit code 2 and leave ``cwd`` as it
    was, byte for byte: its one line."""
    from experiments.errors import EXIT_BAD_INPUT

    before = snapshot(cwd)
    ended = parltwin(args, cwd, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT, ended.err
    assert snapshot(cwd) == before
    return ended.one_line
