"""The docs' claims of speed and memory say where they were measured and how to measure them again."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

#: A figure of time or memory: "25 s", "about 50 s", "318 MB", "1.3 GB", "2.9 s".
FIGURE = re.compile(r"\b\d[\d.,]*\s?(?:s|ms|MB|GB|minutes?)\b")


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a Markdown file, code blocks and tables left out."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [p for p in re.split(r"\n\s*\n", text) if p.strip() and not p.lstrip().startswith("|")]


@pytest.mark.parametrize("doc", ["README.md"])
def test_every_speed_claim_names_its_machine_load_and_command(doc: str) -> None:
    for p in paragraphs((ROOT / doc).read_text(encoding="utf-8")):
        if FIGURE.search(p):
            assert "measured" in p, p
            assert re.search(r"\d-core|cores?\b", p), p  # the machine
            assert "load" in p, p  # how busy it was
            assert re.search(r"`(make bench|\.venv/bin/\S+|parltwin|/usr/bin/time)[^`]*`", p), (
                p
            )  # how to redo it
