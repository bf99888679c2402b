"""Kazakh, Russian and English: complete catalogs, metric labels from the registry, no English that
escapes the catalog, numbers and dates for the locale, and reports in the language asked for."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.messages.pofile import read_po

from experiments import messages
from experiments.catalog import Catalog
from experiments.i18n import LANGUAGES, LOCALE_DIR, Translator
from experiments.report import render
from experiments.stats import comparison
from experiments.table import sectioned_table
from scenarios import simulate, validate
from sim.channels.base import channel_metric
from sim.citizens.responsiveness import METRICS, answered_by
from sim.metrics import ENGINE, stage_time
from tests.conftest import ROOT, compose_config, run_cli
from tests.conftest import drawn_figures as figures

#: Runs whose metrics cover every family: both parliaments, every channel.
RUNS = (
    ["parliament=kz_kurultai_2026", "channels=kz_digital", "years=1.2"],
    ["channels=uk_petitions", "years=1.2"],
    ["channels=analytics", "years=0.5"],
)
KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def test_every_message_has_all_three_translations_and_the_mo_files_are_compiled() -> None:
    assert messages.problems() == []
    assert set(LANGUAGES) == {"en", "kk", "ru"}


def _po(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "parltwin.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def test_every_metric_a_run_reports_is_in_the_catalog_with_its_names() -> None:
    """Labels come from the metric registry: a new metric without a translation fails here."""
    seen = {}
    for overrides in RUNS:
        seen.update(simulate(validate(compose_config(overrides)), seed=0).metrics)
    assert {m.group for m in seen.values()} >= {"throughput", "stages", "responsiveness", "channels"}
    for lang in ("kk", "ru"):
        po = _po(lang)
        for m in seen.values():
            found = po.get(m.label)
            assert found is not None and found.string, (lang, m.label)
            if m.unit and m.unit != "share":
                assert po.get(m.unit) is not None, (lang, m.unit)
            for key, value in m.params:
                if key == "stage" and po.get(value, context=key) is None:
                    # a stage a vote of several readings expanded into is named after that vote
                    vote = value.rpartition("_")[0].partition("_amendments")[0]
                    assert po.get(vote, context=key) is not None, (lang, key, value)
                    assert vote not in Translator(lang).name(key, value), (lang, value)
                elif key != "measure":  # the measure is in the label itself
                    assert po.get(value, context=key) is not None, (lang, key, value)


def test_metric_labels_are_filled_with_translated_names() -> None:
    kk, ru, en = Translator("kk"), Translator("ru"), Translator("en")
    m = stage_time("senate_review")
    assert en.label(m) == "Days in stage Senate review"
    assert "Сенаттың қарауы" in kk.label(m) and "Рассмотрение в Сенате" in ru.label(m)
    g = answered_by("settlement", "rural")
    assert ru.label(g) == "Требования с ответом в течение года, тип поселения: село"
    c = channel_metric("epetition_kz", "threshold_reached")
    assert "epetition.kz" in kk.label(c) and KAZAKH.search(kk.label(c))
    unknown = stage_time("my_own_stage")  # a user's stage: its name as it is, the sentence translated
    assert ru.label(unknown) == "Дней на стадии «my own stage»"


def test_numbers_and_dates_follow_the_locale() -> None:
    en, kk, ru = Translator("en"), Translator("kk"), Translator("ru")
    assert en.number(12345.678) == "12,346" and en.number(3.14159) == "3.14"
    assert ru.number(3.14159) == "3,14" and kk.number(3.14159) == "3,14"
    assert ru.number(12345.678).replace("\u00a0", " ") == "12 346"
    assert ru.value(ENGINE["passage_rate"], 0.6342) == "63,4"
    assert en.value(ENGINE["backlog_end"], 47) == "47"  # a count stays an integer
    assert en.number(-0.0001) == "0.000" and en.number(2.5, signed=True) == "+2.50"
    assert "мая" in ru.moment("2026-05-03T14:05:00+00:00")
    assert "мамыр" in kk.moment("2026-05-03T14:05:00+00:00")
    assert "May" in en.moment("2026-05-03T14:05:00+00:00")
    assert ru.ngettext("{n} scenario", "{n} scenarios", 5) == "5 сценариев"
    assert ru.ngettext("{n} scenario", "{n} scenarios", 2) == "2 сценария"


class Marked(gettext.NullTranslations):
    """Every text through the catalog comes back marked, so that whatever is left unmarked on a page
    did not go through it."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟦{message}⟧"

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


def _synthetic() -> tuple[pd.DataFrame, Catalog]:
    rng = np.random.default_rng(0)
    metrics = [
        ENGINE["laws_per_year"],
        ENGINE["passage_rate"],
        ENGINE["backlog_end"],
        METRICS["demands_answered_within_365d"],
        answered_by("settlement", "rural"),
        stage_time("senate_review"),
        channel_metric("epetition_kz", "submissions"),
        channel_metric("epetition_kz", "threshold_reached"),
        channel_metric("epetition_kz", "became_law"),
    ]
    frames = []
    for label, shift in (("base", 0.0), ("alt", 1.0)):
        data = {m.name: rng.uniform(0.3, 0.7, 8) + shift * (m.group == "throughput") for m in metrics}
        frames.append(pd.DataFrame({"scenario": label, "replication": range(8), "seed": range(8), **data}))
    return pd.concat(frames, ignore_index=True), Catalog({m.name: m for m in metrics})


def _words(html: str, allowed: set[str]) -> list[str]:
    text = re.sub(r"<style.*?</style>|<code>.*?</code>|<[^>]+>", " ", html, flags=re.S)
    while "⟦" in text:  # innermost first: a translated sentence holds translated names
        text, n = re.subn(r"⟦[^⟦⟧]*⟧", " ", text)
        assert n, text
    for a in allowed:
        text = text.replace(a, " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_no_user_visible_english_in_the_report_escapes_the_catalog() -> None:
    summary, described = _synthetic()
    names = [c for c in summary.columns if c not in ("scenario", "replication", "seed")]
    comp = comparison(summary, names, "base")
    tr = Translator("en", catalog=Marked())
    leads = pd.DataFrame({"scenario": ["base", "alt"], "replication": [0, 0], "lead_time_days": [10.0, 20.0]})
    figs = figures(summary, leads, comp, names, ["base", "alt"], described, tr)
    html = render(
        tr=tr,
        title="Scenario comparison",
        comparison=comp,
        metrics=names,
        described=described,
        scenarios=[
            {
                "label": s,
                "description": "Kazakhstan, unicameral Kurultai (2026 Constitution)",
                "channels": "kz_digital",
                "replications": 8,
                "years": 5.0,
            }
            for s in ("base", "alt")
        ],
        figures=figs,
        manifest={
            "command": "parltwin x",
            "seeds": list(range(8)),
            "versions": {"numpy": "2"},
            "created": "2026-05-03T14:05:00+00:00",
            "git": {"revision": "abc", "dirty": True},
        },
    )
    assert 'id="channels"' in html and len(figs) >= 4
    assert _words(html, {"base", "alt", "UTC"}) == []


def test_the_terminal_summary_goes_through_the_catalog() -> None:
    res = simulate(validate(compose_config(["channels=kz_digital", "years=1.2"])), seed=0)
    text = sectioned_table(res.summary, res.metrics, "", Translator("en", catalog=Marked()))
    assert _words(text, set()) == []


def _headings(path: Path) -> Iterator[str]:
    html = path.read_text(encoding="utf-8")
    yield from (re.sub("<[^>]+>", "", h) for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, re.S))


@pytest.fixture(scope="module")
def kazakh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kk") / "sweep"
    res = run_cli(
        "experiment=reform_comparison",
        "lang=kk",
        "experiment.replications=2",
        "years=1.5",
        "experiment.ledger=false",
        f"hydra.sweep.dir={out}",
        cwd=out.parent,
    )
    assert res.returncode == 0, res.stderr
    assert KAZAKH.search(res.stdout)  # the terminal table too
    return out


def test_reform_comparison_with_lang_kk_writes_a_kazakh_report(kazakh: Path) -> None:
    heads = list(_headings(kazakh / "report.html"))
    assert heads[0] == "Реформаларды салыстыру: екі палаталы Парламент пен бір палаталы Құрылтай"
    assert {"Негізгі сандар", "Суреттер", "Қалай қайталауға болады"} <= set(heads)
    assert all(KAZAKH.search(h) or re.search("[а-я]", h) for h in heads), heads
    html = (kazakh / "report.html").read_text(encoding="utf-8")
    assert '<html lang="kk">' in html and "Заң жобасының Парламентте болатын орташа күні" in html


def test_the_same_run_reported_in_russian(kazakh: Path, tmp_path: Path) -> None:
    from experiments.cli import report_main

    report_main(["-q", "--lang", "ru", str(kazakh)])
    heads = list(_headings(kazakh / "report.html"))
    assert heads[0] == "Сравнение реформ: двухпалатный Парламент и однопалатный Курултай"
    assert {"Ключевые показатели", "Рисунки", "Как воспроизвести"} <= set(heads)
    assert not any(KAZAKH.search(h) for h in heads)


def test_an_unknown_language_is_one_line_exit_2(tmp_path: Path) -> None:
    r = run_cli("lang=fr", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "lang='fr'" in r.stderr and "en, kk, ru" in r.stderr
    assert not (tmp_path / "run").exists()


# -- numbers and the words that count them ---------------------------------------------------------
def test_russian_counts_take_the_form_of_their_number_and_kazakh_the_singular() -> None:
    """ "142 дней" (142 дня), "52,8 дней" (52,8 дня), "1 законопроектов": a unit after a number took
    its genitive plural whatever the number."""
    en, kk, ru = Translator("en"), Translator("kk"), Translator("ru")
    days = stage_time("committee")
    shown = [ru.integer(n) for n in (1, 2, 5, 21, 142)]
    assert [ru.unit(days, after=n) for n in shown] == ["день", "дня", "дней", "день", "дня"]
    assert [en.unit(days, after=n) for n in shown] == ["day", "days", "days", "days", "days"]
    assert {kk.unit(days, after=n) for n in shown} == {"күн"}  # a noun after a number stays singular
    # a number shown with decimals takes the genitive singular (1,5 дня); 142.4 shown as 142 reads as 142
    assert ru.unit(days, after=ru.value(days, 52.8)) == "дня" and ru.value(days, 142.4) == "142"
    assert en.unit(days, after=en.value(days, 1.0)) == "days"  # 1.00 days
    assert ru.unit(days, diff=True, after="+21") == "день"  # a sign is not part of the count
    assert ru.unit(ENGINE["laws_per_year"], after="92,6") == "закона / год"
    assert ru.unit(ENGINE["passage_rate"], diff=True, after="3,20") == "п. п."
    assert ru.unit(days) == "дней"  # a heading names the unit without a number
    assert ru.ngettext("{n} year", "{n} years", 1.5) == "1,5 года"
    assert [ru.ngettext("{n} year", "{n} years", n) for n in (1, 3, 5, 21)] == [
        "1 год",
        "3 года",
        "5 лет",
        "21 год",
    ]
    assert (
        en.ngettext("{n} year", "{n} years", 1) == "1 year"
        and en.ngettext("{n} year", "{n} years", 0.5) == "0.5 years"
    )
    # the catalogs' plural formulas: Russian's three forms, and Kazakh's two forms the same word
    assert _po("ru").plural_forms == (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 "
        ": 2);"
    )
    kazakh = [m for m in _po("kk") if m.pluralizable]
    assert kazakh and all(len(set(m.string)) == 1 for m in kazakh), [
        m.id for m in kazakh if len(set(m.string)) > 1
    ]


def test_every_unit_a_number_is_counted_in_has_its_forms() -> None:
    """A unit of the registry that names things counted (days, bills...) agrees with its number."""
    from experiments.i18n import UNITS

    units = {m.unit for m in ENGINE.values()} | {m.unit for m in METRICS.values()}
    units |= {
        channel_metric("epetition_kz", k).unit for k in ("submissions", "threshold_reached", "became_law")
    }
    assert units - {"share", "ratio", "on the -1 to 1 policy scale"} <= set(UNITS)


def test_the_terminal_table_counts_in_russian() -> None:
    days = {"lead_time_median_days": 142.0, "mean_time_in_system_days": 101.0, "lead_time_p90_days": 145.0}
    summary = {**days, "backlog_end": 1, "vetoes": 2, "overrides": 21, "returns": 5, "laws_per_year": 92.6}
    text = sectioned_table(summary, ENGINE, "", Translator("ru"))
    for shown in ("142 дня", "101 день", "145 дней", "1 законопроект", "2 закона", "21 голосование",
                  "5 отклонений", "92,6 закона / год"):  # fmt: skip
        assert f" {shown}\n" in text + "\n", (shown, text)
    english = sectioned_table(summary, ENGINE, "", Translator("en"))
    assert " 1 bill\n" in english and " 2 laws\n" in english and " 101 days\n" in english


def test_a_finding_and_the_robustness_notes_of_the_report_count_in_russian() -> None:
    from experiments.report import Numbers, robustness_note

    ru = Translator("ru")
    numbers = Numbers(
        Catalog({m.name: m for m in (ENGINE["lead_time_median_days"], ENGINE["passage_rate"])}), ru
    )
    row = {"diff": 2.5, "diff_ci_low": 0.5, "diff_ci_high": 4.5}
    assert "выше на 2,50 дня " in numbers.finding("lead_time_median_days", row)
    assert "выше на 2,50 п. п. " in numbers.finding("passage_rate", {k: v / 100 for k, v in row.items()})
    held = {"worlds": 21, "share_better": 1.0, "holds_at": 0.9}
    assert "в 100% из 21 мира." in robustness_note(held, "better", ru)["text"]
    failed = {**held, "worlds": 64, "share_better": 0.5, "top_beyond_chance": False, "same_side": 0.9,
              "replications": 1}  # fmt: skip
    text = robustness_note(failed, "better", ru)["text"]
    assert "из 64 миров;" in text and "при 1 повторении в мире" in text


def test_the_report_says_a_horizon_of_five_years_in_russian() -> None:
    """A horizon of 5 years read "5 года" (the form of 2 for any horizon but 1)."""
    summary, described = _synthetic()
    names = [c for c in summary.columns if c not in ("scenario", "replication", "seed")]
    html = render(
        tr=Translator("ru"),
        title="Scenario comparison",
        comparison=comparison(summary, names, "base"),
        metrics=names,
        described=described,
        scenarios=[
            {"label": s, "description": "", "channels": "none", "replications": 5, "years": 5.0}
            for s in ("base", "alt")
        ],
        figures=[],
        manifest={"command": "parltwin x", "seeds": list(range(5)), "created": "2026-05-03T14:05:00+00:00"},
    )
    assert "5 лет моделирования на репликацию" in html and "по 5 репликаций" in html


def test_the_robustness_run_tells_its_findings_in_russian_by_the_measures_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its terminal summary gave metric ids and scenario names in English: demands_answered_within_365d /
    kz_kurultai_2026: holds (unclear in 100% of worlds)."""
    from tests.parltwin_cli import parltwin

    args = ["experiment=robustness", "experiment.worlds=4", "experiment.replications=2", "years=0.25"]
    ran = parltwin([*args, "lang=ru", f"hydra.run.dir={tmp_path / 'rob'}"], tmp_path, monkeypatch, capsys)
    assert ran.code == 0, ran.err
    lines = ran.out.strip().splitlines()
    assert lines[0].startswith("Устойчивость сравнения реформ в правдоподобных мирах")
    assert Translator("ru").label(METRICS["demands_answered_within_365d"]) in lines
    assert Translator("ru").label(ENGINE["laws_per_year"]) in lines
    assert any(line.startswith("  Однопалатный Курултай (Конституция 2026 года): ") for line in lines)
    ids = ("demands_answered_within_365d", "laws_per_year", "kz_kurultai_2026", "holds", "unclear", "worlds")
    assert not [line for line in lines[:-1] if any(i in line for i in ids)]
    assert lines[-1] == f"report: {(tmp_path / 'rob' / 'report.html').resolve()}"
    html = (tmp_path / "rob" / "report.html").read_text(encoding="utf-8")
    assert "4 правдоподобных мира x 2 репликации на сценарий" in html


def test_a_count_of_one_is_said_in_the_singular_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m experiments.observed --replications 1`` printed "1 runs"; so did a cost's estimate."""
    from experiments import observed
    from scenarios import cost as costs
    from scenarios.errors import counted

    assert [counted(n, "run") for n in (0, 1, 2)] == ["0 runs", "1 run", "2 runs"]
    assert counted(1.0, "year", ".2f") == "1.00 years" and counted(1.0, "year", "g") == "1 year"
    assert costs.estimate(validate(compose_config(["years=1"])), 1).what == ["1 run of 1 year"]
    observed.main(["--replications", "1", "~citizens", "~channels"])
    assert capsys.readouterr().out.splitlines()[0] == "kz_bicameral_2023: 1 run, seed 0"


def test_a_scenarios_reasons_for_its_changes_are_translated() -> None:
    """The report's "why" column was English under kk and ru: the scenarios' reasons were no messages."""
    import yaml

    from experiments.i18n import translator

    reasons = {
        str(why)
        for path in (ROOT / "configs" / "scenario").glob("*.yaml")
        for why in ((yaml.safe_load(path.read_text()).get("reform") or {}).get("changes") or {}).values()
    }
    assert len(reasons) >= 5
    for lang in ("kk", "ru"):
        tr = translator(lang)
        assert all(tr.name("reason", r) != r for r in reasons), lang


def test_a_text_of_a_preset_keeps_its_ids_where_it_has_no_translation() -> None:
    """A reason or description unknown to the catalog (the user's own, an exported scenario's) lost
    its ids' underscores in English ("the kz kurultai 2026 preset"): a name falls back to words,
    a text stays as written."""
    from experiments.i18n import translator

    tr = translator("en")
    said = "the kz_kurultai_2026 preset in place of kz_bicameral_2023 (moved: committee_capacity=10)"
    assert tr.name("reason", said) == tr.name("description", said) == said
    assert tr.name("stage", "public_office") == "public office"  # a name without a translation
