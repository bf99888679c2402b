"""The report: every figure embedded, nothing fetched from outside, escaped text, rebuilt from data."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.catalog import Catalog
from experiments.cli import report_main
from experiments.plots import figures
from experiments.report import num, render
from experiments.stats import comparison
from sim.citizens.responsiveness import answered_by
from sim.metrics import ENGINE
from tests.conftest import PARLTWIN
from tests.test_experiments import main_job

FIGURES = {"laws_per_year", "lead_time_ecdf", "stage_time", "responsiveness", "differences"}
OUTPUTS = ("summary.csv", "comparison.csv", "manifest.json", "report.html")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return main_job(tmp_path_factory)


def test_the_report_embeds_every_figure(run: Path) -> None:
    html = (run / "report.html").read_text()
    pngs = sorted((run / "figures").glob("*.png"))
    assert {p.stem for p in pngs} == FIGURES
    for p in pngs:
        assert base64.b64encode(p.read_bytes()).decode() in html, p.name
    assert html.count("<img ") == len(pngs) == html.count("<figcaption>")
    assert json.loads((run / "manifest.json").read_text())["figures"] == [
        f"figures/{name}.png" for name in re.findall(r'<figure id="fig-([a-z_]+)"', html)
    ]
    assert re.findall(r'(?:src|href)="(?!data:)', html) == []  # self-contained
    assert "<link" not in html and "<script" not in html


def test_the_report_shows_the_scenarios_with_uncertainty(run: Path) -> None:
    html = (run / "report.html").read_text()
    for label in (
        "kz_bicameral_2023",
        "kz_bicameral_2023 + kz_digital",
        "kz_kurultai_2026",
        "kz_kurultai_2026 + kz_digital",
    ):
        assert f"<b>{label}</b>" in html
    comp = pd.read_csv(run / "comparison.csv")
    laws = comp[(comp.metric == "laws_per_year") & (comp.scenario == "kz_kurultai_2026")].iloc[0]
    assert f"{num(laws['mean'])}<br>" in html and f"[{num(laws['ci_low'])} to {num(laws['ci_high'])}]" in html
    assert "<h2>Differences from the baseline</h2>" in html and "minus kz_bicameral_2023" in html


def test_parltwin_report_rebuilds_everything_from_the_data_alone(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    for name in OUTPUTS:
        (copy / name).unlink()
    shutil.rmtree(copy / "figures")
    report_main(["-q", str(copy)])
    assert capsys.readouterr().out.strip() == f"report: {(copy / 'report.html').resolve()}"
    for name in ("summary.csv", "comparison.csv"):
        assert (copy / name).read_bytes() == (run / name).read_bytes(), name
    for png in (run / "figures").glob("*.png"):
        assert (copy / "figures" / png.name).read_bytes() == png.read_bytes(), png.name
    old, new = (json.loads((d / "manifest.json").read_text()) for d in (run, copy))
    new.pop("created"), old.pop("created")
    assert new == old


def test_parltwin_report_refuses_a_folder_without_runs(tmp_path: Path) -> None:
    report = PARLTWIN.with_name("parltwin-report")
    res = subprocess.run([str(report), str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "run folder" in res.stderr
    assert list(tmp_path.iterdir()) == []


def _synthetic(labels: tuple[str, str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    seeds = np.arange(10)
    common = rng.normal(0, 1, 10)
    rows = [
        pd.DataFrame(
            {
                "scenario": label,
                "replication": seeds,
                "seed": seeds,
                "laws_per_year": level + common,
                "backlog_end": 40 + rng.normal(0, 3, 10),
            }
        )
        for label, level in zip(labels, (80, 90), strict=True)
    ]
    return pd.concat(rows, ignore_index=True)


def test_text_is_escaped_and_findings_are_worded() -> None:
    labels = ("base", "<script>alert(1)</script>")
    s = _synthetic(labels)
    comp = comparison(s, ["laws_per_year", "backlog_end"], "base")
    html = render(
        title="T & <b>",
        comparison=comp,
        metrics=["laws_per_year", "backlog_end"],
        described=Catalog(ENGINE),
        scenarios=[{"label": x, "description": x, "channels": "none", "replications": 10} for x in labels],
        figures=[],
        manifest={"command": "parltwin <x>", "seeds": list(range(10)), "versions": {"numpy": "2"}},
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "T &amp; &lt;b&gt;" in html and "parltwin &lt;x&gt;" in html
    assert "Laws enacted per year: higher by 10.0 laws / year" in html
    assert "No clear difference in: Bills still pending at the end." in html


def test_the_responsiveness_figure_appears_only_with_group_metrics() -> None:
    s = _synthetic(("a", "b"))
    comp = comparison(s, ["laws_per_year"], "a")
    leads = pd.DataFrame({"scenario": ["a", "b"], "replication": [0, 0], "lead_time_days": [10.0, 20.0]})
    described = Catalog(ENGINE)

    def drawn() -> set[str]:
        return {f.name for f in figures(s, leads, comp, ["laws_per_year"], ["a", "b"], described)}

    assert "responsiveness" not in drawn()
    s["responsiveness_settlement_rural"] = 0.5
    assert "responsiveness" not in drawn()  # a column alone says nothing: its description does
    m = answered_by("settlement", "rural")
    described[m.name] = m
    assert "responsiveness" in drawn()
