"""The one-page HTML report of a comparison: self-contained (figures embedded), autoescaped, in the
run's language (``lang``).

Written for a planner: what was compared, the key numbers with their uncertainty, the differences
from the baseline in words, what became of the demands each channel carried, every figure with a
plain caption, and how to reproduce the run. The page is ``templates/report.html.j2``; every text on
it comes from the message catalog (:mod:`experiments.i18n`).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader

from experiments.catalog import Catalog
from experiments.compare_spec import REFORM
from experiments.figure import Figure, alt_text
from experiments.i18n import DASH, FRACTION, N_, Translator, translator
from experiments.table import CARRIED, CHANNEL_HEADS
from scenarios.diff import Difference
from sim.citizens.responsiveness import WINDOW
from sim.metrics import WARMUP_DAYS

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    trim_blocks=False,
    lstrip_blocks=False,
)

#: The columns of the channel table: the channel measures a planner reads first.
CHANNEL_COLUMNS = (
    "submissions",
    "threshold_reached",
    "answered",
    "answer_median_days",
    "became_bill",
    "became_law",
    "law_median_days",
)


def num(x: Any, signed: bool = False, lang: str = "en") -> str:
    """A number for people: a few significant digits; a dash when undefined."""
    return translator(lang).number(x, signed)


def undefined(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pvalue(p: float) -> str:
    """A p-value as people read it: ``p = `` two significant digits, ``p < 0.001`` below."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def changes_of(label: str, diffs: Sequence[Difference]) -> dict[str, Any]:
    """A scenario's differences from the baseline for the report: grouped by declared change (with a
    few of the settings as examples), and the undeclared ones one by one."""
    groups: dict[str, list[Difference]] = {}
    for d in diffs:
        if d.declared is not None:
            groups.setdefault(d.declared, []).append(d)
    return {
        "scenario": label,
        "groups": [
            {
                "path": path,
                "reason": ds[0].reason,
                "count": len(ds),
                "examples": ", ".join(d.path.removeprefix(f"{path}.") for d in ds[:4])
                + (", …" if len(ds) > 4 else ""),
            }
            for path, ds in groups.items()
        ],
        "undeclared": [d for d in diffs if d.declared is None],
    }


class Numbers:
    """A run's metric values for people, in one language: shares as percentages (differences of
    shares in percentage points), the rest with a few significant digits, each with its unit."""

    def __init__(self, described: Catalog, tr: Translator | None = None) -> None:
        self.described = described
        self.tr = tr or translator()

    def label(self, metric: str) -> str:
        return self.tr.label(self.described.describe(metric))

    def value(self, metric: str, x: Any, signed: bool = False) -> str:
        return self.tr.value(self.described.describe(metric), x, signed)

    def unit(self, metric: str, diff: bool = False, after: str | None = None) -> str:
        return self.tr.unit(self.described.describe(metric), diff, after)

    def ci(self, metric: str, lo: Any, hi: Any, signed: bool = False) -> str:
        if undefined(lo):
            return ""
        low, high = self.value(metric, lo, signed), self.value(metric, hi, signed)
        return self.tr.gettext("[{low} to {high}]", low=low, high=high)

    def difference(self, metric: str, row: Any | None) -> dict[str, str]:
        """A scenario's paired difference from its baseline (``row``: its line of the comparison,
        None where it has none), as the tables show it: the value and its interval, whether it is a
        finding (``css``: ``clear`` or ``same``), the Holm-adjusted p-value, and the verdict
        (better, worse, higher, lower, or indistinguishable where it is no finding)."""
        if row is None or pd.isna(row["diff"]):
            return {"diff": DASH, "ci": "", "css": "same", "p": "", "verdict": "indistinguishable"}
        found, p_adj = clear(row), row.get("p_holm")
        meta = self.described.describe(metric)
        verdict = outcome(meta, float(row["diff"])) if found else "indistinguishable"
        p_raw = row.get("p_value")
        if not found and not undefined(p_adj) and not undefined(p_raw) and p_raw < ALPHA:
            verdict = ADJUSTED  # clear by its own test, not among the measures: say why it is no finding
        return {
            "diff": self.value(metric, row["diff"], True),
            "ci": self.ci(metric, row["diff_ci_low"], row["diff_ci_high"], True),
            "css": "clear" if found else "same",
            "p": "" if undefined(p_adj) else pvalue(p_adj),
            "verdict": verdict,
        }

    def possible(self, metric: str, row: Any) -> str:
        """A measure with no clear difference, and the differences its runs leave possible (the
        paired difference's 95% interval): "no clear difference" is not "no difference"."""
        if undefined(row["diff_ci_low"]):
            return self.label(metric)
        low, high = (self.value(metric, row[k], True) for k in ("diff_ci_low", "diff_ci_high"))
        unit = self.unit(metric, diff=True, after=high)
        fields = {"measure": self.label(metric), "low": low, "high": high, "unit": unit}
        if row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0:  # clear by its own test only
            return self.tr.gettext(
                "{measure} ({low} to {high} {unit}: clear by its own test, not once adjusted for the "
                "other measures compared)",
                **fields,
            )
        return self.tr.gettext("{measure} ({low} to {high} {unit})", **fields)

    def finding(self, metric: str, row: Any) -> str:
        size = self.value(metric, abs(row["diff"]))
        fields = {
            "measure": self.label(metric),
            "size": size,
            "unit": self.unit(metric, diff=True, after=size),
            "low": self.value(metric, row["diff_ci_low"], True),
            "high": self.value(metric, row["diff_ci_high"], True),
        }
        if row["diff"] > 0:
            text = self.tr.gettext("{measure}: higher by {size} {unit} (95% CI {low} to {high}).", **fields)
        else:
            text = self.tr.gettext("{measure}: lower by {size} {unit} (95% CI {low} to {high}).", **fields)
        verdict = outcome(self.described.describe(metric), float(row["diff"]))
        if verdict == "better":
            return f"{text} {self.tr.gettext('That is better.')}"
        if verdict == "worse":
            return f"{text} {self.tr.gettext('That is worse.')}"
        return text


#: The question the reform comparison asks; the report opens with it and its answer.
QUESTION = N_(
    "Does replacing the bicameral Parliament by the Kurultai, and/or adding digital channels, make the "
    "parliament faster and more responsive?"
)
#: The reform comparison (``experiment=reform_comparison``): its baseline and the scenarios it holds
#: against it, by their names in ``configs/scenario/``.
REFORM_BASELINE, *REFORMED = REFORM
#: The question of any other comparison (one scenario, several), and of scenarios without a baseline.
QUESTION_ONE = N_("How does {scenarios} differ from {baseline} in speed, throughput and responsiveness?")
QUESTION_MANY = N_("How do {scenarios} differ from {baseline} in speed, throughput and responsiveness?")
QUESTION_ALONE = N_("How fast and how responsive is the parliament in {scenarios}?")
#: The answer where one scenario ran: nothing is compared.
ALONE = N_(
    "One scenario ran, so nothing is compared: its numbers, each with its 95% interval over the "
    "replications, are under Key numbers. To compare it, run it beside others: parltwin -m "
    "experiment=compare +scenario=A,B."
)
#: The verdict on a difference whose own p-value is below the level but whose Holm-adjusted one is
#: not: clear by itself, not among the measures compared together.
ADJUSTED = N_("indistinguishable once adjusted for the other measures")
#: Level of the family-wise error rate of the report's findings (Holm-adjusted p-values).
ALPHA = 0.05
#: The groups of metrics the question asks about: faster (speed, throughput), more responsive.
ASPECTS = {"speed": "fast", "throughput": "fast", "responsiveness": "responsive"}
#: Metrics the question asks about outside those groups: how close laws come to what citizens want
#: is responsiveness too, though the tables list it with inclusion.
METRIC_ASPECTS = {"congruence": "responsive"}


def clear(row: Any) -> bool:
    """Whether a difference is a finding: its Holm-adjusted p-value is below :data:`ALPHA` (where
    the comparison has one), else its own p-value (a measure outside the adjusted family, such as
    the bills a scenario is given: the t-test, or the sign test where every pair differs alike, so
    that three equal differences are not clear), else its interval excludes zero."""
    get = row.get if hasattr(row, "get") else lambda _: None
    for key in ("p_holm", "p_value"):
        p = get(key)
        if p is not None and not undefined(p):
            return bool(p < ALPHA)
    return bool(row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0)


#: Measures that count what a parliament is given as well as what it does with it: a finding on one
#: of them says so where the scenario is given more (or fewer) bills than its baseline.
COUNTS_ARRIVALS = ("laws_per_year",)
ARRIVALS = "bills_introduced_per_year"


def arrivals_note(numbers: Numbers, metric: str, by: pd.DataFrame, scenario: str) -> str:
    """Where a scenario is given clearly more or fewer bills a year than its baseline (a body fed
    by its channels tables some), a finding on its laws a year is partly those bills: say how many,
    so that more laws is not read as a faster parliament. Empty otherwise."""
    if metric not in COUNTS_ARRIVALS or (ARRIVALS, scenario) not in by.index:
        return ""
    r = by.loc[(ARRIVALS, scenario)]
    if undefined(r["diff"]) or not clear(r):
        return ""
    size = numbers.value(ARRIVALS, abs(r["diff"]))
    fields = {
        "size": size,
        "unit": numbers.unit(ARRIVALS, diff=True, after=size),
        "low": numbers.value(ARRIVALS, r["diff_ci_low"], True),
        "high": numbers.value(ARRIVALS, r["diff_ci_high"], True),
    }
    if r["diff"] > 0:
        return numbers.tr.gettext(
            "It is also given more bills than the baseline, {size} {unit} more (95% CI {low} to {high}): "
            "laws a year count the bills a parliament is given as well as what it does with them.",
            **fields,
        )
    return numbers.tr.gettext(
        "It is also given fewer bills than the baseline, {size} {unit} fewer (95% CI {low} to {high}): "
        "laws a year count the bills a parliament is given as well as what it does with them.",
        **fields,
    )


def outcome(metric: Any, diff: float) -> str:
    """better / worse by the metric's direction; higher / lower for a metric without one."""
    direction = "higher" if diff > 0 else "lower"
    if metric.better in ("higher", "lower"):
        return "better" if direction == metric.better else "worse"
    return direction


#: An outcome of ``robustness.csv`` (a world's class, a finding) -> its word (message id).
OUTCOMES = {
    "better": N_("better"),
    "higher": N_("higher"),
    "unclear": N_("indistinguishable"),
    "worse": N_("worse"),
    "lower": N_("lower"),
}


def robustness_verdict(
    holds: bool,
    finding: str,
    share: float,
    tr: Translator,
    undefined_in: int = 0,
    worlds: int = 0,
    replications: Any = None,
) -> str:
    """A finding's verdict across the plausible worlds, as the robustness report, its terminal summary
    and the explorer say it (``robustness.csv``: ``holds``, ``finding``, ``finding_share``, and
    ``worlds_undefined`` of ``worlds``: a measure no world gives a value has no verdict). An
    "indistinguishable" that holds says, with the ``replications`` of a world, what it can mean."""
    if worlds and undefined_in >= worlds:
        return tr.gettext("not measured: no world gives it a value")
    word = tr.gettext(OUTCOMES.get(finding, finding))
    pct = tr.number(100 * float(share))
    if holds:
        said = tr.gettext("holds: {finding} in {share}% of worlds", finding=word, share=pct)
        clause = small_at_most(finding, replications, tr)
        return f"{said}; {clause}" if clause else said
    return tr.gettext("depends: {finding} in only {share}% of worlds", finding=word, share=pct)


def robustness_note(row: Any, found: str, tr: Translator) -> dict[str, Any]:
    """What the robustness run says of a finding: it holds across the plausible worlds, or depends
    on named assumptions (``row``: its line of robustness.csv; ``found``: the finding's outcome)."""
    share = row.get(f"share_{found}")
    worlds = int(row["worlds"])
    pct = tr.number(100 * float(share)) if not undefined(share) else DASH
    if not undefined(share) and float(share) >= float(row.get("holds_at", 0.9)):
        said = tr.ngettext(
            "Holds across the plausible worlds: the same outcome in {share}% of {n} world.",
            "Holds across the plausible worlds: the same outcome in {share}% of {n} worlds.",
            worlds,
            share=pct,
        )
        clause = small_at_most(found, row.get("replications"), tr)
        return {"holds": True, "text": f"{said} {clause[0].upper()}{clause[1:]}." if clause else said}
    deciding = row.get("deciding_assumptions")
    if isinstance(deciding, str) and deciding:
        why = tr.gettext("it is decided by {assumptions}", assumptions=deciding)
    elif undefined(row.get("top_beyond_chance")):  # a robustness.csv made before the test of chance
        why = tr.gettext(
            "no single assumption decides it; it moves most with {name}", name=row.get("top_assumption")
        )
    elif bool(row["top_beyond_chance"]):
        why = tr.gettext(
            "no single assumption decides it; it moves most with {name} (rank correlation {rho})",
            name=row.get("top_assumption"),
            rho=tr.number(float(row["top_rank_correlation"])),
        )
    else:
        why = tr.gettext("no single assumption decides it or moves it more than chance would")
    return {
        "holds": False,
        "text": tr.ngettext(
            "Depends on the assumptions: the same outcome in only {share}% of {n} world; {why}.",
            "Depends on the assumptions: the same outcome in only {share}% of {n} worlds; {why}.",
            worlds,
            share=pct,
            why=why,
        )
        + same_side(row, tr),
    }


def small_at_most(finding: str, replications: Any, tr: Translator) -> str:
    """What an "indistinguishable" verdict can mean with a world's ``replications`` (too few to tell
    a small effect from the noise); "" for another verdict, or where they are not known."""
    if finding != "unclear" or undefined(replications):
        return ""
    return tr.ngettext(
        "with {n} replication a world, this says that no effect is large beside the noise, not that "
        "there is none",
        "with {n} replications a world, this says that no effect is large beside the noise, not "
        "that there is none",
        int(replications),
    )


def same_side(row: Any, tr: Translator) -> str:
    """Where a world's few replications leave an effect unclear, its sign across worlds still
    says whether the assumptions change it or the replications are too few to see it."""
    side, replications = row.get("same_side"), row.get("replications")
    if undefined(side) or undefined(replications):
        return ""
    return " " + tr.ngettext(
        "The effect lies on the same side of zero in {share}% of the worlds: with {n} replication a "
        "world, an effect that is small beside the noise is often indistinguishable.",
        "The effect lies on the same side of zero in {share}% of the worlds: with {n} replications a "
        "world, an effect that is small beside the noise is often indistinguishable.",
        int(replications),
        share=tr.number(100 * float(side)),
    )


def question(
    others: Sequence[dict[str, Any]], order: Sequence[str], names: dict[str, Any], tr: Translator
) -> str:
    """The question the report opens with: :data:`QUESTION` where scenarios of the reform are held
    against the bicameral baseline (``names``: label -> scenario file), else one that names the
    compared scenarios and their baseline, so that a user's own scenarios are not asked about the
    Kurultai."""
    if not others:
        return tr.gettext(QUESTION_ALONE, scenarios=format_list(list(order), locale=tr.lang))
    bases = [s for s in order if s in {o["baseline"] for o in others}]
    if all(names.get(b) == REFORM_BASELINE for b in bases) and all(
        names.get(o["label"]) in REFORMED for o in others
    ):
        return tr.gettext(QUESTION)
    return tr.gettext(
        QUESTION_ONE if len(others) == 1 else QUESTION_MANY,
        scenarios=format_list([o["label"] for o in others], locale=tr.lang),
        baseline=format_list(bases, locale=tr.lang),
    )


#: A compared scenario's answer, and the same where no measure of responsiveness is reported.
ANSWER = N_(
    "{scenario}, against {baseline}: of the measures of speed and throughput, {fb} better, {fw} "
    "worse, {fu} without a clear difference; of the measures of responsiveness (the distance of laws "
    "from public opinion among them), {rb} better, {rw} worse, {ru} without a clear difference."
)
ANSWER_NO_CITIZENS = N_(
    "{scenario}, against {baseline}: of the measures of speed and throughput, {fb} better, {fw} "
    "worse, {fu} without a clear difference (responsiveness is not measured: the scenarios have no "
    "citizens)."
)


#: Under the channel table: petition channels that never reached their threshold.
IDLE = N_(
    "No petition of {channels} reached its signature threshold in any replication of any scenario: "
    "none was answered or led to a bill through it, so its levers on answers and bills cannot act here "
    "(its signatures still count as voice)."
)
#: The channel whose record ``IDLE_RECORD`` speaks of.
RECORDED_PETITIONS = "epetition_kz"
IDLE_RECORD = N_(
    "The record differs: four petitions reached epetition.kz's 50,000 signatures in its first three "
    "months (docs/validation.md)."
)


#: Headline measures without a value in any replication (e.g. demands answered within a year, in runs
#: too short for a year to pass after the warm-up): neither shown nor counted among the findings.
UNDEFINED = N_(
    "Not compared: {measures}. No replication of any scenario gives these measures a value (too short "
    "a run, or nothing that they measure happened), so they are in no table and no finding, and not "
    "among the measures adjusted together."
)


#: A finding of a scenario or measure the robustness run read did not assess.
NOT_COVERED = N_(
    "Robustness not assessed: the robustness run read has no verdict on this measure for this scenario."
)


def answer(findings: Sequence[dict[str, Any]], robust: bool, tr: Translator) -> list[str]:
    """The short answer to the report's :func:`question`, a sentence per compared scenario, from its
    findings."""
    out = []
    for f in findings:
        counts = {a: {"better": 0, "worse": 0, "unclear": 0} for a in ("fast", "responsive")}
        for item in f["all"]:
            if item["aspect"] in counts:
                counts[item["aspect"]][item["class"]] += 1
        # responsiveness is measured only where the scenarios have citizens
        message = ANSWER if any(counts["responsive"].values()) else ANSWER_NO_CITIZENS
        text = tr.gettext(
            message,
            scenario=f["scenario"],
            baseline=f["baseline"],
            fb=counts["fast"]["better"],
            fw=counts["fast"]["worse"],
            fu=counts["fast"]["unclear"],
            rb=counts["responsive"]["better"],
            rw=counts["responsive"]["worse"],
            ru=counts["responsive"]["unclear"],
        )
        if f.get("undefined"):
            text += " " + tr.gettext(
                "Not compared, having no value in any pair of replications: {measures}.",
                measures="; ".join(f["undefined"]),
            )
        if f.get("uncounted"):
            text += " " + tr.gettext(
                "Not counted, having no better or worse side: {measures}.", measures="; ".join(f["uncounted"])
            )
        notes = [t["robust"] for t in f["found"] if t.get("robust") and t["robust"].get("covered", True)]
        if robust and notes:
            held = sum(1 for n in notes if n["holds"])
            text += " " + tr.ngettext(
                "{held} of its {n} finding holds across the plausible worlds.",
                "{held} of its {n} findings hold across the plausible worlds.",
                len(notes),
                held=held,
            )
        elif robust and f["found"]:
            text += " " + tr.gettext("The robustness run read did not assess its findings.")
        out.append(text)
    return out


def channel_rows(
    comparison: pd.DataFrame, order: Sequence[str], described: Catalog, numbers: Numbers
) -> dict[str, Any] | None:
    """The channel table: per scenario and channel, the mean (and interval) of each channel measure."""
    tr = numbers.tr
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in comparison.itertuples(index=False):
        m = described.describe(r.metric)
        if m.group != "channels" or m.param("measure") not in CHANNEL_COLUMNS:
            continue
        cells.setdefault((r.scenario, str(m.param("channel"))), {})[str(m.param("measure"))] = r
    if not cells:
        return None
    shown = [c for c in CHANNEL_COLUMNS if any(c in v for v in cells.values())]
    units = [next(numbers.unit(v[c].metric) for v in cells.values() if c in v) for c in shown]
    rows = []
    # a channel of petitions none of which reached its threshold in any replication: its answers and
    # bills never happen, so its levers cannot act (said under the table, not left to be inferred)
    reached: dict[str, list[bool]] = {}  # per petition channel: whether each scenario's ever reached it
    for (_s, channel), measures in cells.items():
        r = measures.get("threshold_reached")
        if r is not None and not undefined(r.mean):
            reached.setdefault(channel, []).append(float(r.mean) > 0 or float(r.ci_high) > 0)
    idle = sorted(c for c, ever in reached.items() if not any(ever))  # in no scenario that has it
    for s in order:
        for (scenario, channel), measures in cells.items():
            if scenario != s:
                continue
            row = []
            for c in shown:
                r = measures.get(c)
                if r is None or undefined(r.mean):
                    row.append({"mean": DASH, "ci": ""})
                    continue
                name = r.metric
                row.append({"mean": numbers.value(name, r.mean), "ci": numbers.ci(name, r.ci_low, r.ci_high)})
            if any(c["mean"] != DASH for c in row):  # a channel the scenario does not have: no row
                rows.append({"scenario": s, "channel": tr.name("channel", channel), "cells": row})
    return {
        "header": [tr.gettext(CHANNEL_HEADS[c]) for c in shown],
        "units": units,
        "rows": rows,
        "idle": " ".join(
            [tr.gettext(IDLE, channels=format_list([tr.name("channel", c) for c in idle], locale=tr.lang))]
            + ([tr.gettext(IDLE_RECORD)] if RECORDED_PETITIONS in idle else [])
        )
        if idle
        else "",
    }


def _revision(git: dict[str, Any], tr: Translator) -> tuple[str, bool]:
    return (git.get("revision") or tr.gettext("unknown (not a git checkout)"), bool(git.get("dirty")))


def _figure(f: Figure, numbers: pd.DataFrame | None, alt: str) -> dict[str, Any]:
    """A figure as the template lays it out, with the table of the numbers it plots (``numbers``,
    its columns and rows of text; none for a figure without one) and its text alternative ``alt``,
    which names that table where there is one."""
    table = None
    if numbers is not None and len(numbers):
        table = {
            "columns": [str(c) for c in numbers.columns],
            "rows": numbers.astype(str).to_numpy().tolist(),
        }
    return {
        "name": f.name,
        "title": f.title,
        "alt": alt if table else f.title,
        "caption": f.caption,
        "b64": base64.b64encode(f.png).decode(),
        "numbers": table,
    }


#: What a review stage's deadline decides when its chamber has not voted (message ids).
DEEMED = {"pass": N_("deemed approved"), "fail": N_("deemed rejected")}


def _held_by(
    scenarios: Sequence[dict[str, Any]], found: Callable[[dict[str, Any]], Iterator[tuple[Any, ...]]]
) -> dict[tuple[Any, ...], str]:
    """Each setting that ``found`` finds in the scenarios' configs, with the scenarios' labels that
    have it, in order."""
    held: dict[tuple[Any, ...], list[str]] = {}
    for s in scenarios:
        for key in found(s.get("config") or {}):
            held.setdefault(key, []).append(str(s["label"]))
    return {key: ", ".join(labels) for key, labels in held.items()}


def _deadlines(config: dict[str, Any]) -> Iterator[tuple[str, float, str]]:
    """A config's review stages whose deadline decides for a chamber that has not voted."""
    for name, st in ((config.get("parliament") or {}).get("stages") or {}).items():
        if isinstance(st, Mapping) and st.get("kind") == "review" and st.get("deadline_days"):
            yield str(name), float(st["deadline_days"]), str(st.get("deemed", "pass"))


def _pulls(config: dict[str, Any]) -> Iterator[tuple[str, float]]:
    """A config's consultations that move drafts towards their commenters."""
    for name, c in ((config.get("channels") or {}).get("consultations") or {}).items():
        if isinstance(c, Mapping) and float(c.get("position_pull") or 0) > 0:
            yield str(name), float(c["position_pull"])


def deadline_notes(scenarios: Sequence[dict[str, Any]], tr: Translator) -> list[str]:
    """One sentence per review stage whose deadline decides for a chamber that has not voted (the
    scenarios that have it named): an assumption of the preset that no robustness run varies, on
    which how fast such a parliament passes its laws depends."""
    text = N_(
        "In {scenarios}, a bill whose {stage} has seen no vote within {days} days is "
        "{decided}, and the days run through recesses, when no sitting is held: an assumption that "
        "the robustness run does not vary. How fast such a parliament passes its laws depends on it: "
        "at the shipped presets, the Kurultai's fewer laws, more pending bills and longer mean time "
        "in Parliament than the bicameral Parliament's are gone when the Senate must vote "
        '(docs/odd.md, "Review stage").'
    )
    said = {
        "stage": lambda v: tr.name("stage", v),
        "days": tr.short,
        "decided": lambda v: tr.gettext(DEEMED.get(v, v)),
    }
    return _notes(text, _held_by(scenarios, _deadlines), said, tr)


def pull_notes(scenarios: Sequence[dict[str, Any]], tr: Translator) -> list[str]:
    """One sentence per consultation that pulls drafts towards its commenters (the scenarios that
    have it named): the assumption the channels' laws closer to public opinion rest on."""
    text = N_(
        "In {scenarios}, the consultation {channel} moves each draft {pull} of the way towards its "
        "commenters' view: an assumption of ours (position_pull). Laws closer to public opinion "
        "with the channels rest on it: with no pull, the shipped presets show no difference "
        '(docs/odd.md, "Consultation").'
    )
    said = {"channel": lambda v: tr.name("channel", v), "pull": tr.short}
    return _notes(text, _held_by(scenarios, _pulls), said, tr)


def _seats(config: dict[str, Any]) -> frozenset[tuple[str, str, int]]:
    """Who holds the seats of a config's chambers: (chamber, party, seats)."""
    chambers = (config.get("parliament") or {}).get("chambers") or {}
    return frozenset(
        (str(c), str(p), int(party.get("seats") or 0))
        for c, chamber in chambers.items()
        if isinstance(chamber, Mapping)
        for p, party in (chamber.get("parties") or {}).items()
        if isinstance(party, Mapping)
    )


def seat_notes(scenarios: Sequence[dict[str, Any]], baseline: str | None, tr: Translator) -> list[str]:
    """One sentence naming the scenarios whose parties hold other seats than the baseline's: an
    election result assumed, held fixed by the robustness run, on which the distance of laws from
    public opinion rests (its verdict there cannot speak of the seats)."""
    base = next((s for s in scenarios if s["label"] == baseline), None)
    if base is None:
        return []
    seats = _seats(base.get("config") or {})
    other = [str(s["label"]) for s in scenarios if s is not base and _seats(s.get("config") or {}) != seats]
    if not other:
        return []
    text = N_(
        "In {scenarios}, the parties hold other seats than in the baseline: an election result of "
        "ours (the Kurultai's: the 2023 list vote re-applied to its 145 seats), which the robustness "
        "run holds fixed. The distance of laws from public opinion rests on it: at the shipped presets "
        "the Kurultai's laws are further from public opinion than the bicameral Parliament's, and "
        "closer with the Mazhilis's parties scaled to its seats (docs/robustness.md)."
    )
    return [tr.gettext(text, scenarios=", ".join(other))]


def _notes(
    text: str, held: dict[tuple[Any, ...], str], said: dict[str, Callable[[Any], str]], tr: Translator
) -> list[str]:
    """``text`` for each setting held (its fields in the order of ``said``, each said its way)."""
    return [
        tr.gettext(
            text, scenarios=labels, **{f: say(v) for (f, say), v in zip(said.items(), key, strict=True)}
        )
        for key, labels in held.items()
    ]


#: What the mean days in Parliament count, said wherever it is reported (message id).
STAY = N_(
    "The mean days a bill spends in Parliament count every bill that left it, withdrawn and rejected "
    "ones too, and those still in it at the end up to then: a scenario in which fewer bills leave early "
    "shows a longer mean even where laws take no longer. The median days to law is the laws' own."
)

#: What the responsiveness measures count, said wherever they are reported (message id).
ANSWERED = N_(
    "A citizens' demand counts as answered by any bill or law that comes near it and moves policy its "
    "way, whether or not Parliament heard the demand, and a law already on its way when the demand "
    "arose answers it too: the share of demands answered is high without any channel, and the days "
    "from a demand to its law are fewer than a law's own days in Parliament (docs/odd.md, section 4)."
)

#: What the medians from a demand to its bill or law count, said wherever one is reported (message id).
MEDIAN_ANSWERED = N_(
    "The median days from a demand to a bill or a law count only the demands one answered (in the main "
    "job about seven in ten got a bill and two in five a law): the others, still waiting at the end, "
    "are left out, so a scenario that answers more demands, more slowly, can show a longer median, and "
    "a shorter run shows a longer one."
)

#: What a rate a year counts, said wherever one is reported (message id).
RATES = N_(
    "A rate a year (laws, bills) counts the whole run, its first year too, in which the model fills a "
    "parliament that starts with no bill on its books: in the main job that year enacts about half the "
    "laws of a later one, so a scenario's laws a year over five years are about a tenth below its rate "
    "once the procedure is full. Every scenario starts alike (docs/odd.md, section 3.1)."
)


#: Horizons (years) under which the warm-up year is more than a third of the run: said where the
#: numbers are shown.
SHORT_YEARS = 3 * WARMUP_DAYS / 365.0
#: Why a short run's numbers, and a clear difference among them, may be the warm-up's.
SHORT_RUN = N_(
    "A short run: over {years}, the first year warms the model up from an empty parliament, with no "
    "bill on its books, and it is counted with the rest. Its numbers, and the differences between "
    "the scenarios, are partly that warm-up: a difference that runs of three years or more do not "
    "show is no finding. The main job's report runs {main_years}."
)


#: The measure :data:`WITHIN_YEAR` is about.
WITHIN_METRIC = "demands_answered_within_365d"
#: What the share of demands answered within a year counts, said wherever it is shown.
WITHIN_YEAR = N_(
    "The share answered within a year counts only the demands that arose at least a year before the "
    "run's end, so that each had its whole year: over {years}, those of the first {counted}."
)


def within_year_note(horizons: Sequence[float], tr: Translator) -> str:
    """What the within-a-year share counts over each of ``horizons`` (years) that gives it a value
    ("" where none does): a reader would otherwise take it for a share of every demand of the run."""
    return " ".join(
        tr.gettext(
            WITHIN_YEAR,
            years=tr.years(years),
            counted=tr.years(round(years - WINDOW / 365.0, 2)),
        )
        for years in sorted(set(horizons))
        if years > WINDOW / 365.0
    )


def short_run_note(years: float, main_years: float, tr: Translator) -> str:
    """The note of a run over ``years`` shorter than :data:`SHORT_YEARS` ("" otherwise): a clear
    difference at one year vanished at three and five, and read as a finding."""
    if years >= SHORT_YEARS:
        return ""
    year = tr.years(years)
    return tr.gettext(SHORT_RUN, years=year, main_years=tr.years(main_years))


def counted_notes(metrics: Sequence[str], tr: Translator) -> str:
    """What the key numbers among ``metrics`` count (:data:`STAY`, :data:`ANSWERED`,
    :data:`MEDIAN_ANSWERED`, :data:`RATES`),
    said wherever they are reported: the report's and the explorer's readers would otherwise take a
    longer mean stay for slower laws, the share answered for the channels' work, or the laws a year
    for a full parliament's."""
    return " ".join(
        tr.gettext(text)
        for text, shown in (
            (STAY, "mean_time_in_system_days" in metrics),
            (ANSWERED, any(str(m).startswith(("demands_answered", "demand_to_law")) for m in metrics)),
            (
                MEDIAN_ANSWERED,
                any(m in ("demand_to_law_median_days", "demand_to_bill_median_days") for m in metrics),
            ),
            (RATES, any(str(m).endswith("_per_year") for m in metrics)),
        )
        if shown
    )


def render(
    *,
    title: str,
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    described: Catalog,
    scenarios: Sequence[dict[str, Any]],
    figures: Sequence[Figure],
    manifest: dict[str, Any],
    lang: str = "en",
    tr: Translator | None = None,
    changes: Sequence[dict[str, Any]] = (),
    robustness: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | None = None,
    robustness_dir: str | None = None,
    names: dict[str, Any] | None = None,
    figure_numbers: Mapping[str, pd.DataFrame | None] | None = None,
    undefined: Sequence[str] = (),
    main_years: float | None = None,
) -> str:
    """The report as one HTML string.

    ``comparison`` is :func:`experiments.stats.comparison` (its ``baseline`` column may differ by
    scenario when they ran over different horizons); ``metrics`` the headline metrics shown in the
    tables; ``scenarios`` dicts with ``label``, ``description``, ``channels``, ``replications`` and
    ``years``; ``manifest`` the run's manifest (``command``, ``seed``, ``seeds``, ``git``,
    ``versions``, ...). ``tr`` (default: the translator of ``lang``) speaks the report's language.
    ``changes``: per compared scenario, its differences from the baseline (:func:`changes_of`).
    ``undefined``: headline measures that no replication gave a value (said, not left out unsaid).
    ``main_years``: the main job's horizon, which a short run's note names (no note without it).
    """
    tr = tr or translator(lang)
    numbered = figure_numbers or {}
    numbers = Numbers(described, tr)
    value, ci_text = numbers.value, numbers.ci
    order = [s["label"] for s in scenarios]
    versus = comparison.dropna(subset=["diff"]).drop_duplicates("scenario").set_index("scenario")["baseline"]
    baselines = set(comparison["baseline"].dropna()) if len(comparison) else {order[0]}
    others = [{"label": s, "baseline": versus[s]} for s in order if s in versus.index]
    by = comparison.set_index(["metric", "scenario"])
    shown = [m for m in metrics if m in set(comparison["metric"])]
    table, diff_table = [], []
    findings = [
        {"scenario": o["label"], "baseline": o["baseline"], "found": [], "unclear_in": [], "all": []}
        for o in others
    ]
    names = names or {}
    robust_rows: dict[tuple[str, str], Any] = {}
    if robustness is not None:
        for r in robustness.to_dict(orient="records"):
            robust_rows[(str(r["metric"]), str(r["scenario"]))] = r
    for m in shown:
        cells = []
        for s in order:
            r = by.loc[(m, s)] if (m, s) in by.index else None
            mean = value(m, r["mean"]) if r is not None else DASH
            cells.append({"mean": mean, "ci": ci_text(m, r["ci_low"], r["ci_high"]) if r is not None else ""})
        table.append({"label": numbers.label(m), "unit": numbers.unit(m), "cells": cells})
        if not others:
            continue
        dcells = []
        for o, f in zip(others, findings, strict=True):
            r = by.loc[(m, o["label"])] if (m, o["label"]) in by.index else None
            dcells.append(numbers.difference(m, r))
            if r is None or pd.isna(r["diff"]):
                if r is not None:  # no pair gives it a value: said, not dropped
                    f.setdefault("undefined", []).append(numbers.label(m))
                continue
            meta = described.describe(m)
            # the answer counts measures with a better direction only (a higher passage rate is neither)
            aspect = METRIC_ASPECTS.get(m, ASPECTS.get(meta.group, ""))
            aspect = aspect if meta.better in ("higher", "lower") else ""
            if meta.better not in ("higher", "lower"):  # said, not left out unsaid
                f.setdefault("uncounted", []).append(numbers.label(m))
            if clear(r):
                found = outcome(meta, float(r["diff"]))
                rob = robust_rows.get((m, str(names.get(o["label"]) or o["label"])))
                if rob is not None:
                    note: dict[str, Any] | None = robustness_note(rob, found, tr)
                elif robustness is not None:  # the run read compared other scenarios, or measures
                    note = {"holds": False, "covered": False, "text": tr.gettext(NOT_COVERED)}
                else:
                    note = None
                arrivals = arrivals_note(numbers, m, by, o["label"])
                f["found"].append({"text": numbers.finding(m, r), "robust": note, "arrivals": arrivals})
                f["all"].append({"aspect": aspect, "class": found})
            else:
                f["unclear_in"].append(numbers.possible(m, r))
                f["all"].append({"aspect": aspect, "class": "unclear"})
        diff_table.append({"label": numbers.label(m), "unit": numbers.unit(m, diff=True), "cells": dcells})
    seeds = [int(s) for s in manifest.get("seeds", [])]
    seeds_txt = ", ".join(map(str, seeds[:5]))
    if len(seeds) > 5:
        seeds_txt += ", … " + tr.gettext("({n} in all)", n=len(seeds))
    revision, dirty = _revision(manifest.get("git") or {}, tr)
    vers = manifest.get("versions") or {}
    versions_txt = ", ".join(f"{k} {v}" for k, v in vers.items() if v and k != "platform")
    horizons = sorted({float(s["years"]) for s in scenarios if s.get("years") is not None})
    years_txt = " / ".join(tr.short(y) for y in horizons) or "?"
    horizon = tr.ngettext(  # several horizons (1 / 5) take the form of the last
        "{years} simulated year per replication",
        "{years} simulated years per replication",
        horizons[-1] if horizons else FRACTION,
        years=years_txt,
    )
    important = []
    if assumptions is not None and len(assumptions):
        top = assumptions[(assumptions["deciding_in"] > 0) | (assumptions["top_in"] > 0)]
        for a in top.sort_values(["deciding_in", "top_in"], ascending=False).head(12).itertuples(index=False):
            important.append(
                {
                    "path": a.path,
                    "low": tr.number(a.low),
                    "high": tr.number(a.high),
                    "deciding": int(a.deciding_in),
                    "top": int(a.top_in),
                }
            )
    return _ENV.get_template("report.html.j2").render(
        carried=tr.gettext(CARRIED),
        question=question(others, order, names, tr),
        answer=answer(findings, robustness is not None, tr) or ([tr.gettext(ALONE)] if not others else []),
        robust=robustness is not None,
        robustness_dir=robustness_dir,
        important=important,
        # the assumptions of the compared presets that a finding rests on, and what key numbers count
        assumed=deadline_notes(scenarios, tr)
        + pull_notes(scenarios, tr)
        + seat_notes(scenarios, manifest.get("baseline"), tr),
        undefined=tr.gettext(UNDEFINED, measures="; ".join(numbers.label(m) for m in undefined))
        if undefined
        else "",
        counted=counted_notes(metrics, tr),
        within=within_year_note(horizons, tr) if WITHIN_METRIC in metrics else "",
        # a declared change's reason is the scenario preset's text: in the report's language where known
        changes=[
            {**c, "groups": [{**g, "reason": tr.name("reason", g["reason"])} for g in c["groups"]]}
            for c in changes
        ],
        _=tr.gettext,
        ngettext=tr.ngettext,
        lang=tr.lang,
        title=tr.gettext(title),
        created=tr.moment(manifest.get("created", "")),
        scenarios=[
            {
                **s,
                "description": tr.name("description", str(s["description"])),
                "channels": tr.name("channel", str(s["channels"])),
                "years": tr.short(s.get("years")),
                "replications": tr.integer(s["replications"]),
            }
            for s in scenarios
        ],
        replications=max((int(s["replications"]) for s in scenarios), default=0),
        horizon=horizon,
        short=short_run_note(horizons[0], main_years, tr) if horizons and main_years else "",
        strata=years_txt if len(horizons) > 1 else "",
        baselines=baselines,
        others=others,
        table=table,
        diff_table=diff_table,
        channels=channel_rows(comparison, order, described, numbers),
        findings=findings,
        figures=[_figure(f, numbered.get(f.name), alt_text(f.title, tr)) for f in figures],
        manifest={
            "command": manifest.get("command", ""),
            "seed": manifest.get("seed", ""),
            "seeds": seeds_txt,
            "revision": revision,
            "dirty": dirty,
            "versions": versions_txt,
        },
    )
