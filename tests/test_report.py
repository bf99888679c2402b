"""The report: every figure embedded, nothing fetched from outside, escaped text, rebuilt from data."""

from __future__ import annotations

import base64
import html as markup
import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.catalog import Catalog
from experiments.cli import report_main
from experiments.comparison import adjusted, compare_by_horizon, strata
from experiments.i18n import translator
from experiments.labels import scenario_labels
from experiments.report import QUESTION, num, render
from experiments.stats import comparison
from sim.citizens.responsiveness import METRICS, answered_by
from sim.metrics import ENGINE, stage_time
from tests.conftest import PARLTWIN
from tests.conftest import drawn_figures as figures
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
    assert f"<b>{QUESTION}</b>" in html  # the main job asks the reform's question
    # the figure of differences reads its bars by the report's own rule, not as findings of their own
    assert "may still be no clear difference" in html and "unlikely to be due to chance alone" not in html


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


def test_a_rebuilt_report_keeps_when_the_run_was_made(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The rebuild's time is added, the run's kept (it was replaced: the record of when the run
    happened was lost); a file a cut-short write left is removed."""
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    (copy / ".tmp-comparison.csv.abc123").write_text("half a table")
    report_main(["-q", str(copy)])
    capsys.readouterr()
    old, new = (json.loads((d / "manifest.json").read_text()) for d in (run, copy))
    assert new["created"] == old["created"] and new["rebuilt"] > old["created"]
    assert "dask" in new["versions"] and "hydra-joblib-launcher" in new["versions"]
    assert not list(copy.glob(".tmp-*"))
    # the report points to the jobs' ledgers where they are
    assert "N/ledger/" in (copy / "report.html").read_text()


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
    assert re.search(r"Laws enacted per year: higher by [^<]*\. That is better\.", html)
    pending = comp[(comp["metric"] == "backlog_end") & (comp["scenario"] == labels[1])].iloc[0]
    # what the runs leave possible, not only that nothing was found
    said = re.search(
        r"No clear difference in: Bills still pending at the end \(([-+][\d.]+) to ([-+][\d.]+) bills\)\.",
        html,
    )
    assert said is not None
    assert [float(x) for x in said.groups()] == pytest.approx(
        [pending["diff_ci_low"], pending["diff_ci_high"]], abs=0.01
    )
    assert "“No clear difference” is not “no difference”" in html


def _rendered(comp: pd.DataFrame, metrics: list[str], labels: tuple[str, ...], lang: str) -> str:
    """The report of a synthetic comparison of ``labels`` (10 replications each), in ``lang``."""
    return render(
        title="T",
        comparison=comp,
        metrics=metrics,
        described=Catalog(ENGINE),
        scenarios=[{"label": x, "description": x, "channels": "none", "replications": 10} for x in labels],
        figures=[],
        manifest={"command": "parltwin", "seeds": list(range(10))},
        tr=translator(lang),
    )


def test_more_laws_from_more_bills_given_are_said_to_be_so() -> None:
    """A scenario given more bills (a body its channels feed tables some) passes more laws a year
    without processing them faster: the finding says how many more bills it was given, and says
    nothing where both were given the same bills."""
    labels = ("base", "fed")
    s = _synthetic(labels)
    metrics = ["laws_per_year", "backlog_end", "bills_introduced_per_year"]
    for given, said in ((0.0, False), (1.1, True)):
        s["bills_introduced_per_year"] = (
            130.0 + np.where(s["scenario"] == "fed", given, 0.0) + s["seed"] % 3 * given
        )
        comp = comparison(s, metrics, "base")
        for lang, text in (
            ("en", "It is also given more bills than the baseline, "),
            ("ru", "Он также получает больше законопроектов"),
        ):
            html = _rendered(comp, metrics, labels, lang)
            assert (text in html) is said, (lang, given)
    row = comp[(comp["metric"] == "bills_introduced_per_year") & (comp["scenario"] == "fed")].iloc[0]
    assert row["diff_ci_low"] > 0  # the case said is one whose interval leaves out zero
    assert "на 1,10 " in html  # the last page drawn: the Russian one, with the bills given more


def test_with_no_clear_difference_the_report_gives_the_differences_left_possible() -> None:
    """ "No clear difference" read alone is taken for "no difference": each measure is followed by the
    interval of differences the runs leave possible, in the report's language."""
    labels = ("base", "other")
    s = _synthetic(labels)
    s.loc[s["scenario"] == "other", "laws_per_year"] -= 10  # the same level as the baseline
    comp = comparison(s, ["laws_per_year", "backlog_end"], "base")
    assert not comp["diff"].isna().all()
    for lang, said in (
        ("en", "No clear difference in any measure: "),
        ("ru", "Ни в одном показателе нет явного отличия: "),
    ):
        html = _rendered(comp, ["laws_per_year", "backlog_end"], labels, lang)
        line = html[html.index(said) :].split("\n")[0]
        assert line.count("(") == 2 and line.count(" to " if lang == "en" else " до ") == 2, line


def test_a_difference_is_a_finding_by_its_holm_adjusted_p_value_and_says_so_when_adjustment_decides() -> None:
    """The raw p-value 0.01 and an interval that leaves out zero, but a Holm-adjusted p-value of
    0.08: no finding, and the verdict says that the adjustment made it so (the page showed '+6.91
    [+2.81 to +11.0] — indistinguishable' with no word why)."""
    from experiments.report import ADJUSTED, Numbers, clear

    row = pd.Series({"diff": 6.9, "diff_ci_low": 2.8, "diff_ci_high": 11.0, "p_value": 0.01, "p_holm": 0.08})
    numbers = Numbers(Catalog(ENGINE), translator("en"))
    assert not clear(row) and numbers.difference("laws_per_year", row)["verdict"] == ADJUSTED
    assert clear(row.copy().replace({0.08: 0.04}))
    assert numbers.difference("laws_per_year", row.copy().replace({0.08: 0.04}))["verdict"] == "better"
    wide = row.copy().replace({2.8: -1.0, 0.01: 0.2, 0.08: 0.6})
    assert numbers.difference("laws_per_year", wide)["verdict"] == "indistinguishable"
    # a constant difference in three pairs: an interval of no width, but the sign test's p is 0.25
    same = pd.Series({"diff": 1.0, "diff_ci_low": 1.0, "diff_ci_high": 1.0, "p_value": 0.25, "p_holm": 1.0})
    assert numbers.difference("laws_per_year", same)["verdict"] == "indistinguishable"


def test_an_interval_clear_of_zero_among_no_clear_differences_says_why_it_is_none() -> None:
    """Listed as "no clear difference" beside an interval that left out zero (-0.133 to -0.015
    points, Holm p 0.098), the page told a reader zero was possible where its own test said not."""
    from experiments.report import Numbers

    numbers = Numbers(Catalog(ENGINE), translator("en"))
    row = pd.Series(
        {"diff": -0.07, "diff_ci_low": -0.133, "diff_ci_high": -0.015, "p_value": 0.016, "p_holm": 0.098}
    )
    said = numbers.possible("passage_rate", row)
    assert "clear by its own test, not once adjusted for the other measures compared" in said
    across = row.copy().replace({-0.015: 0.02, 0.016: 0.2, 0.098: 0.9})
    assert "clear by its own test" not in numbers.possible("passage_rate", across)
    ru = Numbers(Catalog(ENGINE), translator("ru")).possible("passage_rate", row)
    assert "не с поправкой на другие сравниваемые показатели" in ru


def test_a_measure_outside_the_adjusted_family_is_judged_by_its_own_test() -> None:
    """Without a Holm p-value (the bills a scenario is given), a finding was an interval clear of
    zero: three equal differences, an interval of no width, made one, where the sign test's p is 0.25."""
    from experiments.report import clear

    same = pd.Series(
        {"diff": 1.0, "diff_ci_low": 1.0, "diff_ci_high": 1.0, "p_value": 0.25, "p_holm": np.nan}
    )
    assert not clear(same)
    assert clear(same.copy().replace({0.25: 2 * 0.5**8}))  # eight pairs alike: p 0.0078
    assert clear(pd.Series({"diff": 1.0, "diff_ci_low": 0.5, "diff_ci_high": 1.5}))  # no test: the interval


def test_a_headline_measure_no_replication_defines_is_named_as_not_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In runs too short for a year to pass after the warm-up, the demands answered within a year
    are undefined in every replication: the measure vanished from every table and from the answer's
    counts, unsaid."""
    from tests.parltwin_cli import parltwin

    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    html = markup.unescape((tmp_path / "run" / "report.html").read_text())
    summary = pd.read_csv(tmp_path / "run" / "summary.csv")
    assert summary["demands_answered_within_365d"].isna().all()
    label = Catalog(METRICS).describe("demands_answered_within_365d").label
    note = html[html.index("Not compared: ") :].split("</p>")[0]
    assert label in note and "not among the measures adjusted together" in note
    # a measure some replication defines is not named there
    assert Catalog(ENGINE).describe("laws_per_year").label not in note


def test_a_measure_no_pair_of_a_scenario_defines_is_named_for_that_scenario() -> None:
    """A sweep over 1 and 5 years: the 1-year pair had no value of a measure the 5-year pair had;
    it was missing from that scenario's findings and from its answer's counts, unsaid."""
    labels = ("base", "short")
    s = _synthetic(labels)
    s.loc[s["scenario"] == "short", "backlog_end"] = np.nan
    comp = comparison(s, ["laws_per_year", "backlog_end"], "base")
    html = markup.unescape(_rendered(comp, ["laws_per_year", "backlog_end"], labels, "en"))
    label = Catalog(ENGINE).describe("backlog_end").label
    said = html[html.index("Not compared, as no pair of replications gives them a value") :].split("</li>")[0]
    assert label in said
    assert f"Not compared, having no value in any pair of replications: {label}." in html  # in the answer


def test_the_answer_counts_the_distance_of_laws_from_opinion_as_responsiveness() -> None:
    """Congruence is listed with inclusion; the answer left it out of responsiveness, and a
    scenario whose laws lay clearly further from opinion read 'responsiveness 0 worse'."""
    s = _synthetic(("base", "reform"))
    noise = np.random.default_rng(1).normal(0, 0.01, len(s))
    s["congruence"] = np.where(s.scenario == "reform", 0.40, 0.30) + noise
    labels = ("base", "reform")
    html = render(
        title="T",
        comparison=comparison(s, ["laws_per_year", "congruence"], "base"),
        metrics=["laws_per_year", "congruence"],
        described=Catalog({**ENGINE, **METRICS}),
        scenarios=[{"label": x, "description": x, "channels": "none", "replications": 10} for x in labels],
        figures=[],
        manifest={"command": "parltwin", "seeds": list(range(10))},
    )
    assert "public opinion among them), 0 better, 1 worse" in markup.unescape(html)
    assert re.search(r"Distance of laws from public opinion: higher by [^<]*\. That is worse\.", html)


def test_the_answer_names_a_measure_it_does_not_count() -> None:
    """A measure without a better side (the passage share) was left out of the answer's counts
    unsaid: four counted of the five measures the tables list."""
    s = _synthetic(("base", "reform"))
    s["passage_rate"] = np.where(s.scenario == "reform", 0.8, 0.7) + np.random.default_rng(2).normal(
        0, 0.01, len(s)
    )
    labels = ("base", "reform")
    html = markup.unescape(
        render(
            title="T",
            comparison=comparison(s, ["laws_per_year", "passage_rate"], "base"),
            metrics=["laws_per_year", "passage_rate"],
            described=Catalog({**ENGINE, **METRICS}),
            scenarios=[
                {"label": x, "description": x, "channels": "none", "replications": 10} for x in labels
            ],
            figures=[],
            manifest={"command": "parltwin", "seeds": list(range(10))},
        )
    )
    assert "speed and throughput, 1 better, 0 worse, 0 without a clear difference" in html
    assert "Not counted, having no better or worse side: Share of decided bills that became law." in html


def _question(labels: tuple[str, ...], names: dict[str, str] | None = None, lang: str = "en") -> str:
    """The question the report of ``labels`` (the first the baseline) opens with."""
    s = pd.concat([_synthetic((labels[0], x)) for x in labels[1:] or ["-"]], ignore_index=True)
    s = s[s.scenario.isin(labels)].drop_duplicates(["scenario", "seed"])
    html = render(
        title="T",
        comparison=comparison(s, ["laws_per_year"], labels[0]),
        metrics=["laws_per_year"],
        described=Catalog(ENGINE),
        scenarios=[{"label": x, "description": x, "channels": "none", "replications": 10} for x in labels],
        figures=[],
        manifest={"command": "parltwin", "seeds": list(range(10))},
        names=names,
        lang=lang,
    )
    head = translator(lang).gettext("The question")
    return markup.unescape(re.search(rf"<h2>{head}</h2>\s*<p><b>(.*?)</b></p>", html, re.S).group(1))


def test_the_report_asks_the_reform_question_only_of_the_reform() -> None:
    shipped = {  # label -> scenario file, as the main job names them
        "kz_bicameral_2023": "kz_bicameral_2023",
        "kz_bicameral_2023 + kz_digital": "kz_bicameral_2023_digital",
        "kz_kurultai_2026": "kz_kurultai_2026",
        "kz_kurultai_2026 + kz_digital": "kz_kurultai_2026_digital",
    }
    labels = list(shipped)
    assert _question(tuple(labels), shipped) == QUESTION
    assert _question((labels[0], labels[3]), shipped) == QUESTION  # a part of the reform
    mine = ("my_uni", "my_uni_pet (my_uni + my_petitions)", "my_uni_undeclared (my_uni)")
    for compared, names in (
        (mine, {x: x.split()[0] for x in mine}),
        (mine[:2], None),  # no scenario files known
        ((labels[0], "mine"), {**shipped, "mine": "mine"}),  # a user's scenario against the reform's base
        ((labels[2], labels[3]), shipped),  # the reform's scenarios against another baseline
    ):
        asked = _question(compared, names)
        assert asked != QUESTION and "Kurultai" not in asked
        assert asked.startswith("How do " if len(compared) > 2 else "How does ")
        assert all(x in asked for x in compared)
        assert asked.index(compared[1]) < asked.index(f"from {compared[0]}")  # against the baseline
    asked = _question(mine, lang="ru")
    assert all(x in asked for x in mine) and asked.startswith("Чем ")
    assert _question(("my_uni",)) == "How fast and how responsive is the parliament in my_uni?"


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


# -- the rough edges a new user met (issue: planners) -------------------------------------------------
def _with_groups(labels: tuple[str, ...]) -> tuple[pd.DataFrame, Catalog]:
    s = pd.concat([_synthetic(("a", "b"))] * 1, ignore_index=True)
    s = pd.concat([s[s.scenario == "a"].assign(scenario=label) for label in labels], ignore_index=True)
    described = Catalog(ENGINE)
    rng = np.random.default_rng(1)
    for dim, value in (("settlement", "rural"), ("settlement", "urban"), ("language", "kazakh")):
        m = answered_by(dim, value)
        described[m.name] = m
        s[m.name] = rng.uniform(0.6, 0.68, len(s))
    for stage in ("committee", "senate_review", "signature"):
        m = stage_time(stage)
        described[m.name] = m
        s[m.name] = rng.uniform(5, 60, len(s))
    s.loc[s.scenario == labels[-1], stage_time("senate_review").name] = np.nan  # one chamber: no Senate
    return s, described


def test_one_scenario_draws_every_figure_without_dividing_by_zero() -> None:
    s, described = _with_groups(("only",))
    comp = comparison(s, ["laws_per_year"], "only")
    leads = pd.DataFrame(
        {"scenario": ["only"] * 3, "replication": [0, 0, 1], "lead_time_days": [10.0, 20.0, 5]}
    )
    drawn = {f.name for f in figures(s, leads, comp, ["laws_per_year"], ["only"], described)}
    assert {"laws_per_year", "lead_time_ecdf", "stage_time", "responsiveness"} <= drawn


def test_axes_start_at_zero_and_shares_span_the_whole_scale() -> None:
    s, described = _with_groups(("a", "b"))
    comp = comparison(s, ["laws_per_year"], "a")
    figs = {
        f.name: f for f in figures(s, s.head(0).assign(lead_time_days=[]), comp, [], ["a", "b"], described)
    }
    assert figs["laws_per_year"].drawn.axes[0].get_xlim()[0] == 0
    assert figs["responsiveness"].drawn.axes[0].get_xlim() == (0.0, 1.0)  # not 60-68%
    for ax in figs["stage_time"].drawn.axes:
        assert ax.get_xlim()[0] == 0


def test_every_stage_bar_sits_on_its_own_label() -> None:
    s, described = _with_groups(("bicameral", "unicameral"))
    comp = comparison(s, ["laws_per_year"], "bicameral")
    fig = next(
        f
        for f in figures(s, s.head(0), comp, [], ["bicameral", "unicameral"], described)
        if f.name == "stage_time"
    )
    for ax in fig.drawn.axes:
        ticks = set(np.round(ax.get_yticks(), 6))
        bars = [p for p in ax.patches if p.get_width() > 0]
        assert bars and {round(p.get_y() + p.get_height() / 2, 6) for p in bars} <= ticks
    assert [len(ax.get_yticks()) for ax in fig.drawn.axes] == [3, 2]  # no empty slot for the Senate


def test_legends_titles_and_labels_of_a_four_scenario_sweep_fit_in_the_figure() -> None:
    labels = tuple(
        f"kz_bicameral_2023, mazhilis.seats={n}, committee_capacity=4" for n in (80, 100, 120, 140)
    )
    s, described = _with_groups(labels)
    # Long titles and small differences with long tick labels (as the main job's last panels).
    rng = np.random.default_rng(2)
    for m, centre, spread in (("demands_answered_within_365d", 0.6, 0.02), ("congruence", 0.3, 0.01)):
        described[m] = METRICS[m]
        shift = s.scenario.map({label: i for i, label in enumerate(labels)}).to_numpy() * spread
        s[m] = centre + rng.normal(0, spread, len(s)) + shift
    headline = ["laws_per_year", "demands_answered_within_365d", "congruence"]
    comp = comparison(s, headline, labels[0])
    leads = pd.DataFrame({"scenario": list(labels), "replication": 0, "lead_time_days": [10.0, 20, 30, 40]})
    drawn = figures(s, leads, comp, headline, list(labels), described)
    assert "differences" in {f.name for f in drawn}
    for f in drawn:
        fig = f.drawn
        box = fig.bbox
        renderer = fig.canvas.get_renderer()
        for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]:
            ext = legend.get_window_extent(renderer)
            assert box.x0 - 1 <= ext.x0 and ext.x1 <= box.x1 + 1 and box.y0 - 1 <= ext.y0, f.name
        for ax in fig.axes:
            titles = [ax.title, ax._left_title, ax._right_title]
            for label in [*ax.get_yticklabels(), ax.xaxis.label, ax.yaxis.label, *titles]:
                if label.get_text():
                    ext = label.get_window_extent(renderer)
                    assert box.x0 - 1 <= ext.x0 and ext.x1 <= box.x1 + 1, (f.name, label.get_text())
            ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
            ticks = sorted((t for t in ticks if t.width > 0), key=lambda t: t.x0)
            assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(ticks)), (f.name, "x ticks overlap")


@pytest.mark.parametrize("n", [1, 2])
def test_figures_drawn_in_other_processes_are_the_same_pngs(n: int) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    labels = ("a", "b", "c")
    s, described = _with_groups(labels)
    headline = ["laws_per_year"]
    comp = comparison(s, headline, "a")
    leads = pd.DataFrame({"scenario": list(labels), "replication": 0, "lead_time_days": [10.0, 20, 30]})
    here = figures(s, leads, comp, headline, list(labels), described, translator("ru"))
    sides = [ProcessPoolExecutor(1, mp_context=get_context("spawn")) for _ in range(n)]
    try:
        beside = figures(s, leads, comp, headline, list(labels), described, translator("ru"), sides)
        pids = {side.submit(os.getpid).result() for side in sides}
    finally:
        for side in sides:
            side.shutdown()
    assert len(pids) == n and os.getpid() not in pids
    assert [(f.name, f.title, f.caption, f.png) for f in beside] == [
        (f.name, f.title, f.caption, f.png) for f in here
    ]
    assert len(here) == 5 and all(f.drawn is not None for f in here)  # every figure, drawn here
    assert all(f.drawn is None for f in beside)  # their matplotlib figures stayed where drawn


def test_a_sweep_labels_each_scenario_by_the_values_it_changed() -> None:
    seats = [f"parliament.chambers.mazhilis.seats={n}" for n in range(80, 161, 20)]
    manifests = [
        {"name": "kz_bicameral_2023", "job": i, "overrides": ["experiment=compare", o]}
        for i, o in enumerate(seats)
    ]
    labels = scenario_labels(manifests)
    assert labels == [f"kz_bicameral_2023, seats={n}" for n in range(80, 161, 20)]
    two = [
        {
            "name": "x",
            "overrides": ["parliament.chambers.mazhilis.seats=80", "parliament.chambers.senate.seats=40"],
        },
        {
            "name": "x",
            "overrides": ["parliament.chambers.mazhilis.seats=90", "parliament.chambers.senate.seats=50"],
        },
    ]
    assert scenario_labels(two) == [
        "x, mazhilis.seats=80, senate.seats=40",
        "x, mazhilis.seats=90, senate.seats=50",
    ]
    same = [{"name": "x", "overrides": ["parliament=kz_bicameral_2023", "channels=none"]}] * 2
    assert scenario_labels(same) == ["x #0", "x #1"]  # nothing but the name to tell them apart


def test_a_sweep_over_horizons_compares_only_like_with_like() -> None:
    rng = np.random.default_rng(2)
    rows, manifests, labels = [], [], []
    for years in (1, 5):
        for name in ("bicameral", "kurultai"):
            label = f"{name}, years={years}"
            labels.append(label)
            manifests.append(
                {"name": name, "years": years, "overrides": [f"+scenario={name}", f"years={years}"]}
            )
            level = 40 if years == 1 else 90  # the warm-up: a 1-year run passes fewer laws a year
            rows.append(
                pd.DataFrame(
                    {
                        "scenario": label,
                        "replication": range(6),
                        "seed": range(6),
                        "laws_per_year": level + (5 if name == "kurultai" else 0) + rng.normal(0, 1, 6),
                    }
                )
            )
    summary = pd.concat(rows, ignore_index=True)
    groups = strata(labels, manifests, labels[0])
    assert groups == [(labels[:2], labels[0]), (labels[2:], labels[2])]
    comp = compare_by_horizon(summary, ["laws_per_year"], groups).set_index("scenario")
    assert comp.loc["kurultai, years=5", "baseline"] == "bicameral, years=5"
    assert comp.loc["kurultai, years=5", "diff"] == pytest.approx(5, abs=2)  # not 55: no warm-up finding
    assert np.isnan(comp.loc["bicameral, years=5", "diff"])  # a baseline, not a difference


def test_the_report_has_a_channel_table_with_what_became_of_the_demands(run: Path) -> None:
    html = (run / "report.html").read_text()
    section = html[html.index('id="channels"') :]
    for head in (
        "submitted",
        "reached the threshold",
        "answered",
        "answered by a bill (any)",
        "answered by a law (any)",
        "median days to law",
    ):
        assert f"<th>{head}<br>" in section, head
    assert '<th>median days to law<br><span class="ci">days</span></th>' in section  # each with its unit
    assert "e-petitions (epetition.kz)" in section and "offline (receptions, letters, press)" in section
    assert "counts as answered by any bill or law that meets it, not only one the channel led to" in section
    channels = pd.read_csv(run / "channels.csv")
    digital = channels[
        (channels.scenario == "kz_kurultai_2026 + kz_digital") & (channels.channel == "epetition_kz")
    ]
    assert set(digital.measure) >= {
        "submissions",
        "threshold_reached",
        "became_bill",
        "became_law",
        "law_median_days",
    }
    by = digital.set_index("measure")["mean"]
    assert 0 <= by["became_law"] <= by["became_bill"] <= by["submissions"]


def test_the_answer_leaves_out_responsiveness_where_no_citizens_are() -> None:
    """Without citizens the answer counted 'on responsiveness 0 better, 0 worse, 0 without a clear
    difference', as if responsiveness had been measured and found unchanged."""
    from experiments.i18n import translator
    from experiments.report import answer

    fast = {"aspect": "fast", "class": "worse"}
    responsive = {"aspect": "responsive", "class": "better"}
    base = {"scenario": "B", "baseline": "A", "found": []}
    tr = translator("en")
    without = answer([{**base, "all": [fast]}], False, tr)[0]
    assert "responsiveness is not measured" in without and "of responsiveness" not in without
    with_ = answer([{**base, "all": [fast, responsive]}], False, tr)[0]
    assert "public opinion among them), 1 better, 0 worse" in with_
    # one measure is not "1 measures": the counts follow the noun, in every language
    assert "1 measures" not in with_ and "speed and throughput, 0 better, 1 worse" in with_
    assert "лучше — 0, хуже — 1" in answer([{**base, "all": [fast]}], False, translator("ru"))[0]
    assert "нет граждан" in answer([{**base, "all": [fast]}], False, translator("ru"))[0]


def test_a_small_p_value_reads_p_below_a_thousandth() -> None:
    """The report printed "p = < 0.001"."""
    from experiments.report import pvalue

    shown = [pvalue(p) for p in (0.0004, 0.001, 0.0123, 1.0)]
    assert shown == ["p < 0.001", "p = 0.001", "p = 0.012", "p = 1"]


@pytest.mark.parametrize(("lang", "symbol"), [("en", "."), ("ru", ","), ("kk", ",")])
def test_tick_labels_write_decimals_as_the_language_does(lang: str, symbol: str) -> None:
    s, described = _with_groups(("a", "b"))
    comp = comparison(s, ["laws_per_year"], "a")
    figs = {f.name: f for f in figures(s, s.head(0), comp, ["laws_per_year"], ["a", "b"], described,
                                       translator(lang))}  # fmt: skip
    ax = figs["differences"].drawn.axes[0]
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    with_decimals = [t for t in ticks if re.search(r"\d[.,]\d", t)]
    assert with_decimals, ticks
    assert all(symbol in t and ({".", ","} - {symbol}).isdisjoint(t) for t in with_decimals), ticks


def test_the_time_to_law_curves_differ_in_dashes_not_only_in_colour() -> None:
    s, described = _with_groups(("a", "b", "c"))
    leads = pd.DataFrame({"scenario": ["a"] * 3 + ["c"] * 3, "lead_time_days": [5.0, 9, 30, 7, 8, 40]})
    comp = comparison(s, ["laws_per_year"], "a")
    fig = {f.name: f for f in figures(s, leads, comp, [], ["a", "b", "c"], described)}["lead_time_ecdf"]
    lines = [ln for ln in fig.drawn.axes[0].lines if ln.get_label() in ("a", "c")]
    assert len({ln.get_linestyle() for ln in lines}) == 2
    # a scenario without laws draws no curve, and the legend names the curves drawn, in order
    assert [t.get_text() for t in fig.drawn.legends[0].get_texts()] == ["a", "c"]


def test_a_deadline_that_decides_for_a_silent_chamber_is_said_with_the_scenarios_that_have_it() -> None:
    """The bicameral preset's Senate is deemed to approve after 60 days, counted through recesses: an
    assumption that carried the Kurultai's "worse" throughput, and the report did not name it."""
    from experiments.report import deadline_notes

    review = {"kind": "review", "deadline_days": 60, "deemed": "pass"}
    scenarios = [
        {"label": "two", "config": {"parliament": {"stages": {"senate_review": review, "x": {}}}}},
        {"label": "two + e", "config": {"parliament": {"stages": {"senate_review": review}}}},
        {"label": "one", "config": {"parliament": {"stages": {"x": {"kind": "vote", "deadline_days": 9}}}}},
    ]
    (note,) = deadline_notes(scenarios, translator())
    assert note.startswith("In two, two + e, a bill whose Senate review has seen no vote within 60 days is "
                           "deemed approved, and the days run through recesses")  # fmt: skip
    assert "robustness run does not vary" in note and "docs/odd.md" in note
    assert deadline_notes(scenarios[2:], translator()) == []
    ru = deadline_notes(scenarios[:1], translator("ru"))[0]
    assert "считается одобренным" in ru and "60" in ru


def test_the_consultations_assumed_pull_is_said_with_the_scenarios_that_have_it() -> None:
    """The channels' laws closer to public opinion rest on the consultation's assumed pull on each
    draft (with none, no difference): the report gave the finding and not what it rests on."""
    from experiments.report import pull_notes

    def with_pull(label: str, x: float) -> dict:
        return {
            "label": label,
            "config": {"channels": {"consultations": {"portal": {"position_pull": x}}}},
        }

    (note,) = pull_notes([with_pull("a", 0.3), with_pull("b", 0.3), with_pull("c", 0.0)], translator())
    assert note.startswith("In a, b, the consultation portal moves each draft 0.3 of the way")
    assert pull_notes([with_pull("c", 0.0), {"label": "d", "config": {"channels": None}}], translator()) == []


def test_other_seats_than_the_baselines_are_said_as_an_assumption_with_the_scenarios_that_hold_them(
    run: Path,
) -> None:
    """The report called the Kurultai's laws further from public opinion "worse" and named neither
    its assumed seats nor that the robustness run holds them fixed (with the Mazhilis's parties
    scaled to its seats, its laws are closer)."""
    from experiments.report import seat_notes

    def chamber(**seats: int) -> dict:
        parties = {p: {"seats": n} for p, n in seats.items()}
        return {"parliament": {"chambers": {"c": {"seats": sum(seats.values()), "parties": parties}}}}

    scenarios = [
        {"label": "base", "config": chamber(a=60, b=40)},
        {"label": "base + e", "config": chamber(a=60, b=40)},
        {"label": "one", "config": chamber(a=70, b=30)},
        {"label": "one + e", "config": chamber(a=70, b=30)},
    ]
    (note,) = seat_notes(scenarios, "base", translator())
    assert note.startswith("In one, one + e, the parties hold other seats than in the baseline")
    assert "robustness run holds fixed" in note and "docs/robustness.md" in note
    assert seat_notes(scenarios[:2], "base", translator()) == []
    assert seat_notes(scenarios, None, translator()) == []  # no baseline ran: nothing to set against
    assert "парти" in seat_notes(scenarios, "base", translator("ru"))[0]
    html = (run / "report.html").read_text()
    assumptions = html[html.index("the parties hold other seats") - 300 :]
    assert "kz_kurultai_2026, kz_kurultai_2026 + kz_digital, the parties hold" in markup.unescape(assumptions)


def test_holms_family_counts_only_the_comparisons_with_a_p_value() -> None:
    """A headline comparison with no p-value (too few pairs) is no test: counting it in the family
    overstated ``holm_tests`` and gave the untested row a count."""
    comp = pd.DataFrame(
        {
            "scenario": ["B", "B", "B", "B"],
            "metric": ["laws_per_year", "passage_rate", "backlog_end", "lapsed_per_year"],
            "p_value": [0.01, np.nan, 0.04, 0.2],
        }
    )
    got = adjusted(comp, ["laws_per_year", "passage_rate", "backlog_end"])
    assert got["holm_tests"].tolist() == [2, pd.NA, 2, pd.NA]
    assert got["p_holm"].iloc[[0, 2]].tolist() == pytest.approx([0.01 * 2, 0.04])
    assert got["p_holm"].iloc[[1, 3]].isna().all()


@pytest.mark.parametrize("years", [1.5, 3.0])
def test_a_short_runs_report_says_its_numbers_are_partly_the_warm_up(
    years: float, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The explorer said a short run's numbers are partly the warm-up year, the command's report did
    not: a clear difference at one year that three and five years do not show read as a finding."""
    from experiments import report
    from experiments.compare_spec import main_job
    from tests.parltwin_cli import parltwin

    args = ["experiment=compare", f"years={years}", "experiment.replications=2", "quiet=true"]
    ended = parltwin([*args, "hydra.run.dir=run", "lang=ru"], tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    note = report.short_run_note(years, main_job()[1], translator("ru"))
    assert (years < report.SHORT_YEARS) == bool(note)
    if note:
        assert markup.escape(note) in html and "Короткий запуск" in note
    else:
        assert "Короткий запуск" not in html
    # What the within-a-year share counts, as the explorer says it: over 1.5 years, half a year's
    # demands (the compare runner's headline has the share).
    within = report.within_year_note([years], translator("ru"))
    assert markup.escape(within) in html and ("0,5" in within) == (years == 1.5)


def test_the_within_a_year_note_speaks_of_each_horizon_that_gives_the_share() -> None:
    from experiments.report import within_year_note

    tr = translator("en")
    assert within_year_note([0.5, 1.0], tr) == ""  # no demand has had its whole year
    both = within_year_note([5.0, 1.5, 5.0], tr)
    assert both.count("whole year") == 2
    assert both.index("over 1.5 years, those of the first 0.5 years") < both.index(
        "over 5 years, those of the first 4 years"
    )


def test_a_rate_a_year_is_said_to_count_the_first_year_where_one_is_reported() -> None:
    """The laws a year over a run counted its first year, in which the model fills an empty
    parliament, and no report said so: a planner read a five-year rate about a tenth below what the
    procedure enacts once full as the parliament's pace. The note's claim is checked on the default
    parliament (its ledger is the main job's baseline's: the offline path draws nothing from it)."""
    from experiments import report
    from scenarios import simulate, validate
    from sim.engine.streams import replication_seeds
    from sim.metrics import WARMUP_DAYS, window_moments
    from tests.conftest import compose_config

    tr = translator("en")
    rates = tr.gettext(report.RATES)
    assert rates in report.counted_notes(["laws_per_year", "passage_rate"], tr)
    assert rates in report.counted_notes(["senate_returns_per_year"], tr)
    assert rates not in report.counted_notes(["passage_rate", "mean_time_in_system_days"], tr)
    assert "половины законов" in report.counted_notes(["laws_per_year"], translator("ru"))
    conf = validate(compose_config(["~citizens", "~channels"]))
    horizon = conf.years * 365.0
    first, later, whole = [], [], []
    for seed in replication_seeds(0, 6):
        run = simulate(conf, seed=seed)
        first.append(window_moments(run.tables, 0.0, WARMUP_DAYS)["laws_per_year"])
        later.append(window_moments(run.tables, WARMUP_DAYS, horizon)["laws_per_year"])
        whole.append(run.summary["laws_per_year"])
    half, tenth = np.mean(first) / np.mean(later), np.mean(whole) / np.mean(later)
    assert 0.4 <= half <= 0.7, half  # "about half the laws of a later one"
    assert 0.85 <= tenth <= 0.95, tenth  # "about a tenth below"


def test_a_sweep_over_horizons_says_what_each_scenario_changes_from_its_own_horizons_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The numbers of a sweep over horizons were compared within each horizon, but what each scenario
    changes was read against the first horizon's baseline: a longer horizon was listed as a change
    nobody declared, even for the baseline itself run over it."""
    from tests.parltwin_cli import parltwin

    args = [
        "-m",
        "experiment=compare",
        "+scenario=kz_bicameral_2023,kz_kurultai_2026",
        "years=1,2",
        "experiment.replications=2",
        "quiet=true",
        "hydra.sweep.dir=sweep",
    ]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    changes = json.loads((tmp_path / "sweep" / "manifest.json").read_text())["changes"]
    assert sorted(changes) == ["kz_kurultai_2026, years=1", "kz_kurultai_2026, years=2"]
    assert all("years" not in paths for paths in changes.values()), changes
    assert changes["kz_kurultai_2026, years=1"] == changes["kz_kurultai_2026, years=2"]


def test_the_medians_from_a_demand_to_its_law_are_said_to_count_only_the_demands_answered(run: Path) -> None:
    """The median days from a demand to a law left out the three in five demands no law answered,
    and no report said so: a scenario answering more demands, more slowly, read as slower. The
    note's shares are checked on the main job's ledgers."""
    from experiments import report

    tr = translator("en")
    note = tr.gettext(report.MEDIAN_ANSWERED)
    assert note in report.counted_notes(["demand_to_law_median_days"], tr)
    assert note in report.counted_notes(["demand_to_bill_median_days"], tr)
    assert note not in report.counted_notes(["demands_answered_within_365d", "laws_per_year"], tr)
    assert note in markup.unescape((run / "report.html").read_text())
    from scenarios import simulate, validate
    from sim.engine.streams import replication_seeds
    from tests.conftest import compose_config

    main = ("kz_bicameral_2023", "kz_bicameral_2023_digital", "kz_kurultai_2026", "kz_kurultai_2026_digital")
    for scenario in main:
        conf = validate(compose_config([f"+scenario={scenario}"]))  # the main job's horizon: 5 years
        runs = [simulate(conf, seed=s).tables["demands"] for s in replication_seeds(0, 6)]  # 0.38-0.50 each
        bill = np.mean([(d["bill"] >= 0).mean() for d in runs])
        law = np.mean([(d["law"] >= 0).mean() for d in runs])
        assert 0.6 <= bill <= 0.8 and 0.35 <= law <= 0.5, (scenario, bill, law)  # seven in ten, two in five


def test_a_report_of_one_scenario_says_that_nothing_is_compared() -> None:
    """A comparison of one scenario had an empty answer and said its differences were measured
    replication by replication: it read as a broken comparison."""
    from experiments import report

    s = _synthetic(("only", "other"))
    only = s[s["scenario"] == "only"]
    html = _rendered(comparison(only, ["laws_per_year"], "only"), ["laws_per_year"], ("only",), "en")
    answer = html.split("The answer from these runs")[1].split("</p>")[0]
    assert "One scenario ran, so nothing is compared" in answer
    assert "replication by replication" not in html
    two = _rendered(comparison(s, ["laws_per_year"], "only"), ["laws_per_year"], ("only", "other"), "en")
    assert "replication by replication" in two and report.ALONE not in two
