"""The docs' claims of speed and memory say where they were measured and how to measure them again,
and the commands they show pass the command's own check."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

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


#: A word that stands for the reader's own value in a documented command (their folder, file or name).
PLACEHOLDER = re.compile(r"DATE|DIR|NAME|BASE|ADDRESS|my_configs|\bN\b")


def commands(doc: str) -> list[str]:
    """The ``parltwin`` commands in ``doc``'s code blocks, without their comments (an output folder
    written as a placeholder is given one); those with another placeholder for the reader's own
    value are left out."""
    out = []
    # every fenced block is paired, whatever its language: a ```yaml block read as no fence shifted
    # the pairs after it, and the commands of the README's later blocks were never checked
    for lang, block in re.findall(r"```(\w*)\n(.*?)```", (ROOT / doc).read_text(encoding="utf-8"), re.S):
        if lang not in ("", "sh", "bash"):
            continue
        for line in re.sub(r"\\\n\s*", "", block).splitlines():  # a line continued with \ is one
            line = line.split(" #")[0].strip()
            line = re.sub(r"(hydra\.(?:run|sweep)\.dir=)\S*DIR\S*", r"\1out", line)  # a folder: any will do
            if re.match(r"(\.venv/bin/)?parltwin ", line) and not PLACEHOLDER.search(line):
                out.append(line)
    return out


def checked(line: str, where: Path) -> None:
    """``parltwin``'s own check of the whole command (every job of a sweep), run in ``where``."""
    from experiments.preflight import plan

    os.chdir(where)
    plan(shlex.split(line)[1:])


def test_the_override_that_help_and_the_main_config_give_as_an_example_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments.help import text

    monkeypatch.chdir(tmp_path)
    preset = re.search(r"a preset, e\.g\. (\S+=\S+);", text())
    experiment = re.search(r"an experiment's too, e\.g\. (experiment=\S+ \S+=\S+)", text())
    config = re.search(r"e\.g\. `parltwin (\S+)`", (ROOT / "configs" / "config.yaml").read_text())
    assert preset and experiment and config
    for shown in (preset, experiment, config):
        checked(f"parltwin {shown.group(1)}", tmp_path)


DOCS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]


@pytest.mark.slow
@pytest.mark.parametrize("line", [line for doc in DOCS for line in commands(doc)])
def test_every_command_the_docs_show_passes_the_commands_own_check(
    line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").symlink_to(ROOT / "data")  # as from the project's folder: data/... is there
    monkeypatch.chdir(tmp_path)
    checked(line, tmp_path)


def test_a_shell_block_after_a_block_of_another_language_is_read_for_its_commands(tmp_path: Path) -> None:
    """A ```yaml block shifted the fences after it: the commands of the README's later shell blocks
    (18 of them) were read as prose and never checked; a command continued with \\ was cut."""
    doc = "```yaml\nyears: 1\n```\n\ntext\n\n```sh\nparltwin years=2 \\\n    seed=3\n```\n"
    (tmp_path / "doc.md").write_text(doc)
    assert commands(str(tmp_path / "doc.md")) == ["parltwin years=2 seed=3"]


@pytest.mark.parametrize("package", ["agents", "sim", "scenarios", "experiments"])
def test_every_module_is_in_the_architecture_table(package: str) -> None:
    """docs/architecture.md says where each module sits and what it is for: a module added without a
    line there (as two of the experiments' once were) is named here."""
    table = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:[\w/]+/)?(\w+\.py)`", table))
    modules = sorted((ROOT / package).rglob("*.py"))
    unnamed = [str(p.relative_to(ROOT)) for p in modules if p.name != "__init__.py" and p.name not in named]
    assert modules and not unnamed


def _cells(row: str) -> list[str]:
    """A Markdown table row's cells: split at each ``|`` outside code spans and not escaped."""
    out, cell, code, i = [], "", "", 0
    text = row.strip().removeprefix("|").removesuffix("|")
    while i < len(text):
        if text[i] == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            ticks = text[i : i + run]
            code = "" if code == ticks else code or ticks
            cell, i = cell + ticks, i + run
            continue
        if text[i] == "|" and not code and not cell.endswith("\\"):
            out.append(cell)
            cell = ""
        else:
            cell += text[i]
        i += 1
    return [*out, cell]


@pytest.mark.parametrize("doc", ["README.md", *sorted(p.name for p in (ROOT / "docs").glob("*.md"))])
def test_every_row_of_a_docs_table_has_its_headers_cells(doc: str) -> None:
    """Four of docs/performance.md's tables of older runs had a newer run's figures inserted as an
    extra column under the older run's name (run I's replication read "12.4" beside its "16.8")."""
    path = ROOT / doc if doc == "README.md" else ROOT / "docs" / doc
    lines, header = path.read_text(encoding="utf-8").splitlines(), None
    for number, line in enumerate(lines, 1):
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = len(_cells(line))
        else:
            assert len(_cells(line)) == header, (
                f"{doc}, line {number}: {len(_cells(line))} cells, not {header}"
            )
