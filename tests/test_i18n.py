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
from tests.conftest import compose_config, run_cli
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
