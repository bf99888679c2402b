"""The explorer's page (Streamlit): choose presets and levers, see the comparison with its intervals.

Streamlit runs this script from the top on every change; runs are on disk, keyed by fingerprint
(:mod:`experiments.explorer.scenario`), and figures are cached by the runs they show, so a change
reruns only what it changed. Served by ``parltwin-app`` on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from experiments import plots
from experiments.drawing import figures
from experiments.errors import InputError
from experiments.explorer.address import (
    DRAWN,
    NUMBER_LABELS,
    NUMBERS,
    PICKER_LABELS,
    RAN,
    WRITTEN,
    ask_before_running,
    code_text,
    follow_address,
    keep_choices,
    lever_key,
    lever_range,
    offered,
    refused_text,
    write_address,
)
from experiments.explorer.export import (
    baseline_file_name,
    command,
    comparison_command,
    file_name,
    moved_levers,
    run_settings,
    scenario_yaml,
    with_settings,
)
from experiments.explorer.scenario import (
    Scenario,
    cache_dir,
    cache_limit,
    compare,
    description,
    draw_aside,
    levers,
    main_job,
    run_together,
    same_world,
    scenario_presets,
    spans,
)
from experiments.figure import PLOTS, alt_text
from experiments.files import linked, read_json, regular_file
from experiments.i18n import LANGUAGES, N_, Translator, translator
from experiments.plotted import interval_numbers, plotted
from experiments.pool import side_processes
from experiments.preflight import robustness_run_differs
from experiments.report import (
    ADJUSTED,
    Numbers,
    arrivals_note,
    channel_rows,
    counted_notes,
    deadline_notes,
    pull_notes,
    robustness_note,
    robustness_verdict,
    short_run_note,
    within_year_note,
)
from experiments.run_folder import job_manifest
from experiments.table import CARRIED
from scenarios import ConfigError
from scenarios.diff import Difference, by_part, differences
from scenarios.parameters import LEVERS, PARAMETERS

#: The share of demands answered: the explorer's first figure.
ANSWERED = "demands_answered_within_365d"
ROBUSTNESS = "robustness.csv"
ROBUSTNESS_TAB = N_("Robustness of each finding")
LEVER_HEADS = {
    "procedure": N_("Procedure"),
    "channels": N_("Channels"),
    "assumptions": N_("Assumptions, within their plausible ranges"),
}


#: Where ``parltwin`` writes its runs unless told otherwise (``hydra.run.dir``, ``hydra.sweep.dir``).
RUN_ROOTS = ("outputs", "multirun")


def robustness_runs(roots: Sequence[str] = RUN_ROOTS, most: int = 20) -> list[Path]:
    """Run folders under ``roots`` (as ``parltwin`` names them: DATE/TIME) that hold a
    ``robustness.csv``, the newest first: what a planner can open without typing a path."""
    found = [p for root in roots for p in Path(root).glob(f"*/*/{ROBUSTNESS}") if not linked(p)]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [p.parent for p in found[:most]]


def named(scenario: str) -> str:
    """A robustness run's scenario as the page names its sides (``kz_kurultai_2026_digital`` is
    ``kz_kurultai_2026 + kz_digital``); a name that is no shipped scenario as it is."""
    chosen = scenario_presets(scenario)
    return scenario if chosen is None else Scenario(*chosen).name


#: The columns of ``robustness.csv`` the page reads its verdicts from.
ROBUSTNESS_COLUMNS = frozenset(
    (
        "metric",
        "scenario",
        "share_unclear",
        "share_higher",
        "share_lower",
        "finding",
        "finding_share",
        "holds",
    )
)


def robustness_table(
    table: pd.DataFrame, tr: Translator, measures: dict[str, str] | None = None
) -> pd.DataFrame:
    """``robustness.csv`` for people: per measure (by its name in ``measures``) and scenario, the
    shares of worlds (%), the verdict and the deciding assumptions; a file of another shape is shown
    as it is."""
    if not set(table.columns) >= ROBUSTNESS_COLUMNS:
        return table
    _ = tr.gettext
    # one pair of columns for both kinds of measure: separate ones left every other row's empty
    up, down = f"{_('better')} / {_('higher')} (%)", f"{_('worse')} / {_('lower')} (%)"
    rows = []
    for r in table.to_dict(orient="records"):
        directed = not pd.isna(r.get("share_better"))
        first, last = ("better", "worse") if directed else ("higher", "lower")
        deciding = r.get("deciding_assumptions")
        rows.append({
            _("measure"): (measures or {}).get(r["metric"], r["metric"]),
            _("scenario"): named(str(r["scenario"])),
            up: tr.number(100 * r[f"share_{first}"]),  # better, or higher for a measure without
            f"{_('indistinguishable')} (%)": tr.number(100 * r["share_unclear"]),  # a better side
            down: tr.number(100 * r[f"share_{last}"]),
            _("verdict"): robustness_verdict(
                r["holds"], r["finding"], r["finding_share"], tr,
                int(r.get("worlds_undefined") or 0), int(r.get("worlds") or 0), r.get("replications"),
            ),
            _("deciding assumptions"): deciding if isinstance(deciding, str) and deciding else "–",
        })  # fmt: skip
    return pd.DataFrame(rows)


def compared_here(ran: set[str], bases: set[str], base: Scenario, scen: Scenario) -> bool:
    """Whether a robustness run compared the page's scenario against the page's baseline: by the
    presets its scenarios choose (``kz_kurultai_2026_digital`` is the page's ``kz_kurultai_2026 +
    kz_digital``), or by the page's names. A run that shared only the baseline was taken for the
    page's own."""

    def sides(names: set[str]) -> set[object]:
        return {side(n) for n in names}

    return bool(sides(ran) & as_side(scen)) and (not bases or bool(sides(bases) & as_side(base)))


def side(name: str) -> object:
    """A robustness run's scenario as the presets it chooses (the page's side it is), or its name
    where it is no shipped scenario."""
    return scenario_presets(name) or name


def as_side(s: Scenario) -> set[object]:
    """What a robustness run's scenario may be called where it is the page's side ``s``: its presets
    or the page's name for it."""
    return {(s.parliament, s.channels), s.name}


#: Why a lever may leave every number as it was: its mechanism is not at work in these presets.
INERT = N_(
    "A lever changes the numbers only where its mechanism is at work. With the presets' numbers the "
    "governing parties carry the floor votes whatever the party discipline and the noise in votes "
    "within their plausible ranges (the sensitivity analysis ranked them over wider ones), so those "
    "levers may change nothing; the Channels tab says when a channel's petitions never reach their "
    "threshold."
)


#: A lever whose values are shares, labelled as such: 0.15 read as 0.15%, or as a count, otherwise.
SHARE_LEVER = N_("{label}: share, 0 to 1")

#: Where both sides are the same scenario: every difference is nought, whatever the replications.
SAME_SCENARIO = N_(
    "The baseline and the scenario are the same scenario (the same presets and levers): every "
    "difference is nought by construction, and more replications would not show one. Choose other "
    "presets or move a lever to compare."
)


#: A robustness run's column of the worlds in which a finding of the page's kind came out the same.
SAME_OUTCOME = {"indistinguishable": "unclear", ADJUSTED: "unclear"}


def page_findings(
    table: pd.DataFrame,
    scen: Scenario,
    verdicts: Mapping[str, str],
    measures: Mapping[str, str],
    tr: Translator,
) -> pd.DataFrame:
    """What a robustness run says of this page's own findings (the report's reading of it): per key
    number, the page's verdict and the share of the run's worlds with that outcome for the page's
    scenario, holding or depending on named assumptions. Empty where the run has no such row."""
    _ = tr.gettext
    mine = as_side(scen)
    rows: list[dict[str, str]] = []
    if not {"metric", "scenario", "worlds"} <= set(table.columns):  # not a robustness run's table
        return pd.DataFrame(rows)
    for r in table.to_dict(orient="records"):
        if side(str(r.get("scenario"))) not in mine or r.get("metric") not in verdicts:
            continue
        found = verdicts[r["metric"]]
        column = SAME_OUTCOME.get(found, found)
        if f"share_{column}" not in r or pd.isna(r.get(f"share_{column}")):
            continue
        rows.append({
            _("measure"): measures.get(r["metric"], r["metric"]),
            _("this page's finding"): _(found),
            _("what the robustness run says of it"): robustness_note(r, column, tr)["text"],
        })  # fmt: skip
    return pd.DataFrame(rows)


def run_label(folder: str) -> str:
    """A robustness run as the tab lists it: its folder and the scenarios it compared (from its
    manifest; the folder alone where there is none to read)."""
    path = Path(folder) / "manifest.json"
    kinds = {"scenarios": (lambda v: isinstance(v, list), "a list")}
    try:
        names = read_json(path, ("scenarios",), "a robustness run's manifest", kinds)["scenarios"]
    except InputError:  # none, a link, or not one a robustness run wrote
        return folder
    return f"{folder} — {', '.join(str(s) for s in names)}" if names else folder


def changed_settings(parts: dict[str, list[Difference]], tr: Translator) -> None:
    """The settings in which the scenario differs from the baseline (the presets' and the levers
    moved here), part by part of the configuration, with a few as examples; a part with few
    differences shows their values."""
    _ = tr.gettext
    if not parts:
        st.info(_("The scenario's settings are the baseline's."))
        return
    st.caption(
        _(
            "Every setting in which the scenario's configuration differs from the baseline's, by part "
            "of the configuration (the levers moved here among them)."
        )
    )

    def values(d: Difference) -> str:
        def said(x: object) -> object:  # a preset's description, in the page's language where known
            return tr.name("description", x) if d.path.endswith(".description") and isinstance(x, str) else x

        return _("baseline {baseline}, here {value}", baseline=said(d.baseline), value=said(d.value))

    def shown(part: str, ds: list[Difference]) -> str:
        names = [d.path.removeprefix(part).lstrip(".") or part for d in ds]
        if len({(repr(d.baseline), repr(d.value)) for d in ds}) == 1:  # one change, in every setting
            return ", ".join(names[:4]) + (", …" if len(ds) > 4 else "") + ": " + values(ds[0])
        if len(ds) <= 3:
            return "; ".join(f"{n}: {values(d)}" for n, d in zip(names, ds, strict=True))
        return ", ".join(names[:4]) + ", …"

    rows = [[part, len(ds), shown(part, ds)] for part, ds in parts.items()]
    st.table(pd.DataFrame(rows, columns=[_("part of the configuration"), _("settings that differ"), ""]))


def preset_label(group: str, preset: str, tr: Translator) -> str:
    """A preset as its picker shows it: its id (by which the address, the exported files and the
    results name it), then what it is in the page's language: a channels preset's name, another's
    description (a planner should not have to know what ``kz_kurultai_2026`` stands for)."""
    if group == "channels":
        return f"{preset}: {tr.name('channel', preset)}"
    text = description(group, preset)
    return f"{preset}: {tr.name('description', text)}" if text else preset


def scenario_inputs(tr: Translator, key: str, with_levers: bool) -> Scenario:
    """Preset and channel pickers (and levers) for one scenario, under the prefix ``key``; their
    values are in the session's state (see :func:`follow_address`)."""
    _ = tr.gettext
    parliament = st.selectbox(
        _(PICKER_LABELS[f"{key}_parliament"]),
        offered("parliament"),
        format_func=lambda p: preset_label("parliament", p, tr),
        key=f"{key}_parliament",
    )
    chosen = st.selectbox(
        _(PICKER_LABELS[f"{key}_channels"]),
        offered("channels"),
        format_func=lambda c: preset_label("channels", c, tr),
        key=f"{key}_channels",
    )
    s = Scenario(parliament, chosen, {}, years=st.session_state.years, seed=st.session_state.seed,
                 replications=st.session_state.replications)  # fmt: skip
    if not with_levers:
        return s
    values: dict[str, float] = {}
    present, allowed = dict(levers(s)), spans(s)
    moved = st.session_state.setdefault(f"{key}_moved", {})  # levers moved, kept when presets change
    for group in LEVERS:
        names = [n for n in present if PARAMETERS[n].lever == group]
        if not names:
            continue
        with st.expander(_(LEVER_HEADS[group]), expanded=group == "procedure"):
            for n in names:
                p, preset = PARAMETERS[n], present[n]
                kind, lo, hi, step = lever_range(n, preset, allowed[n])
                widget = lever_key(key, n, s)
                if widget not in st.session_state:  # new presets: a lever moved before, else theirs
                    kept = moved.get(n)
                    st.session_state[widget] = kind(kept if kept is not None and lo <= kept <= hi else preset)
                label = _(SHARE_LEVER, label=_(p.label)) if p.unit == "share" else _(p.label)
                value = st.slider(
                    label, lo, hi, step=step,
                    help=_(
                        "{doc}; preset: {value}",
                        doc=_(p.doc),
                        value=tr.integer(int(preset)) if kind is int else tr.number(preset),
                    ),
                    key=widget,
                )  # fmt: skip
                values[n] = value if kind is int else round(value, 10)  # a step's sum, not its float error
                if values[n] != preset:
                    moved[n] = values[n]
                else:
                    moved.pop(n, None)
            if group != "procedure":
                st.caption(_(INERT))
    return Scenario(parliament, chosen, values, s.years, s.seed, s.replications)


@st.cache_data(show_spinner=False, max_entries=32)
def results(folders: tuple[str, ...], lang: str, made_by: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Figures and tables of a comparison of finished runs, in ``lang``, its CSV files with the
    settings that made it (``made_by``: :func:`run_settings`): cached by the runs and settings."""
    tr = translator(lang)
    runs = [(Path(f), job_manifest(Path(f))) for f in folders]
    with side_processes(PLOTS, 2) as sides:  # started while the runs are compared
        c = compare(runs)
        figs = figures(c.figure_data, tr, sides)
    numbers = Numbers(c.described, tr)
    by = c.comparison.set_index(["metric", "scenario"])

    def cell(m: str, s: str) -> str:
        r = by.loc[(m, s)]
        return f"{numbers.value(m, r['mean'])} {numbers.ci(m, r['ci_low'], r['ci_high'])}"

    # the scenario's paired difference from the baseline on each key number, its interval and verdict
    # (the report's rule: a finding where the Holm-adjusted p-value is below 0.05), worked out once
    differs = {
        m: numbers.difference(
            m, by.loc[(m, c.labels[-1])] if len(c.labels) > 1 and (m, c.labels[-1]) in by.index else None
        )
        for m in c.headline
    }

    def difference(m: str) -> str:
        d = differs[m]
        # a share's row is in %, its difference in percentage points: said, not to be read as %
        points = f" {numbers.unit(m, diff=True, after=d['diff'])}" if c.described.share(m) and d["ci"] else ""
        return d["diff"] if not d["ci"] else f"{d['diff']}{points} {d['ci']} — {tr.gettext(d['verdict'])}"

    columns = {s: [cell(m, s) for m in c.headline] for s in c.labels}
    columns[tr.gettext("Difference from the baseline")] = [difference(m) for m in c.headline]
    table = pd.DataFrame(
        columns,
        index=[numbers.label(m) + (f" ({numbers.unit(m)})" if numbers.unit(m) else "") for m in c.headline],
    )
    share = plots.intervals(c.comparison, ANSWERED, c.labels, c.described, tr)
    shares = (
        [
            (
                s,
                numbers.value(ANSWERED, by.loc[(ANSWERED, s), "mean"]),
                numbers.ci(ANSWERED, by.loc[(ANSWERED, s), "ci_low"], by.loc[(ANSWERED, s), "ci_high"]),
            )
            for s in c.labels
        ]
        if (ANSWERED, c.labels[0]) in by.index
        else []
    )
    return {
        "labels": c.labels,
        "table": table,
        "share": (share.title, share.caption, share.png) if share else None,
        "share_numbers": interval_numbers(c.comparison, ANSWERED, c.labels, numbers) if share else None,
        "shares": shares,
        "channels": channel_rows(c.comparison, c.labels, c.described, numbers),
        "measures": {m: numbers.label(m) for m in c.described},  # a measure's name for people
        # the page's finding on each key number: better, worse, higher, lower or indistinguishable
        "verdicts": {m: d["verdict"] for m, d in differs.items()},
        # the assumptions the numbers rest on and what they count, as the command's report says them
        "assumed": deadline_notes(c.scenarios, tr) + pull_notes(c.scenarios, tr),
        "counted": counted_notes(c.headline, tr),
        "arrivals": {  # beside a key number that counts the bills a parliament is given
            numbers.label(m): note
            for m in c.headline
            if len(c.labels) > 1 and (note := arrivals_note(numbers, m, by, c.labels[-1]))
        },
        "figures": [(f.title, f.caption, f.png) for f in figs],
        "figure_numbers": [plotted(f.name, c.figure_data, tr) for f in figs],  # their text alternative
        # what the scenario runs with; the presets' plausible ranges are no setting of a run
        "changes": by_part(
            [
                d
                for d in differences(c.scenarios[0]["config"], c.scenarios[-1]["config"])
                if ".ranges." not in f"{d.path}."
            ]
        ),
        # What ``parltwin`` writes as comparison.csv and summary.csv for the same runs, and what made them.
        "comparison_csv": with_settings(c.comparison, dict(made_by)),
        "summary_csv": with_settings(c.summary, dict(made_by)),
    }


def figure_numbers(table: pd.DataFrame | None, tr: Translator) -> None:
    """The numbers of the figure above, as a table under it to unfold: the figure's text
    alternative (a screen reader reads a table; of an image, its caption at most)."""
    if table is not None and len(table):
        with st.expander(tr.gettext("The figure's numbers")):
            st.table(table.set_index(table.columns[0]))


def speak(lang: str) -> None:
    """The page says which language it is in (``<html lang>``): a screen reader reads Kazakh and
    Russian text as such, not with English rules (Streamlit's own page says ``en``). ``lang`` is
    one of :data:`LANGUAGES`."""
    script = f"<script>document.documentElement.lang = {json.dumps(lang)};</script>"
    st.sidebar.html(script, unsafe_allow_javascript=True)


#: The text alternative of a robustness run's figure of shares.
SHARES_ALT = N_("The share of worlds in which each finding holds; its numbers are in the table above.")


def comparison_tab(shown: dict[str, Any], scen: Scenario, tr: Translator) -> None:
    """The comparison: what the scenario changes, the share answered, the key numbers and their
    differences, the figures and the downloads."""
    _ = tr.gettext
    same = not shown["changes"]  # no setting differs: the two sides are one scenario
    with st.expander(_("What the scenario changes")):
        changed_settings(shown["changes"], tr)
    if same:
        st.info(_(SAME_SCENARIO))
    if short := short_run_note(scen.years, main_job()[1], tr):
        st.info(short)
    if shown["share"]:
        title, caption, png = shown["share"]
        st.image(png, caption=caption, alt=alt_text(title, tr))
        values = "; ".join(f"{s}: {v} % {ci}" for s, v, ci in shown["shares"])  # with its interval
        st.markdown(f"**{title}** — {values}", help=_("the values plotted above"))
        st.caption(within_year_note([scen.years], tr))
        figure_numbers(shown["share_numbers"], tr)
    else:
        st.info(_("The share of demands answered within a year needs more than a year simulated."))
    st.subheader(_("Key numbers"))
    st.table(shown["table"])
    # what a verdict rests on, under the numbers: what they count, the bills each side is given, and
    # the presets' assumptions that no robustness run varies (the command's report says the same)
    for measure, note in shown["arrivals"].items():
        st.caption(f"{measure}: {note}")
    for note in [*shown["assumed"], shown["counted"]]:
        if note:
            st.caption(note)
    if not same and shown["verdicts"] and all(v in SAME_OUTCOME for v in shown["verdicts"].values()):
        st.info(
            _(
                "No key number differs clearly with {n} of {years}: with so few runs the noise may "
                "hide a difference that more replications (in the sidebar) would show; the main "
                "job's report runs {main} of {main_years}.",
                n=tr.ngettext("{n} replication", "{n} replications", scen.replications),
                years=tr.years(scen.years),
                main=tr.ngettext("{n} replication", "{n} replications", main_job()[0]),
                main_years=tr.years(main_job()[1]),
            )
        )
    st.caption(
        _(
            "Difference from the baseline: the scenario minus the baseline, replication by replication "
            "(they share their seeds), with its 95% confidence interval; better or worse where its "
            "Holm-adjusted p-value over these measures is below 0.05, indistinguishable otherwise. "
            "A report that compares several scenarios with one baseline adjusts over all of them "
            "together, so a difference clear here may be unclear there (the column holm_tests of "
            "the CSV says how many tests were adjusted together). An interval with no width is the "
            "same difference in every replication, which the sign test judges: once adjusted for "
            "the other measures, fewer than about ten replications are too few for it to be clear."
        )
    )
    st.caption(
        _(
            "The intervals cover simulation noise only, for the numbers the presets assume and the "
            "levers as set here; whether a verdict holds over the plausible values of those numbers "
            "is shown under “{tab}”.",
            tab=_(ROBUSTNESS_TAB),
        )
    )
    for (title, caption, png), numbers in zip(shown["figures"], shown["figure_numbers"], strict=True):
        st.image(png, caption=f"{title}. {caption}", alt=alt_text(title, tr))
        figure_numbers(numbers, tr)
    left, right = st.columns(2)
    with left:
        st.download_button(
            _("Download the comparison (CSV)"), shown["comparison_csv"], "comparison.csv", "text/csv"
        )
    with right:
        label = _("Download every replication's numbers (CSV)")
        st.download_button(label, shown["summary_csv"], "summary.csv", "text/csv")


def channels_tab(shown: dict[str, Any], tr: Translator) -> None:
    """What became of the demands each channel carried."""
    _ = tr.gettext
    ch = shown["channels"]
    if ch:
        st.caption(
            _(
                "Per scenario and channel, the average over replications per run: demands submitted "
                "through the channel, petitions that reached the signature threshold, items answered "
                "and the median days to an answer, the carried demands that a bill and that a law "
                "answered, and the median days from such a demand to its law. A dash: the channel "
                "does not have that step, or nothing reached it."
            )
            + " "
            + _(CARRIED)
        )
        rows = [
            [r["scenario"], r["channel"], *(f"{c['mean']} {c['ci']}".strip() for c in r["cells"])]
            for r in ch["rows"]
        ]
        heads = [f"{h} ({u})" if u else h for h, u in zip(ch["header"], ch["units"], strict=True)]
        st.table(pd.DataFrame(rows, columns=[_("scenario"), _("channel"), *heads]))
        if ch["idle"]:
            st.warning(ch["idle"])
    else:
        st.info(_("No channel in these scenarios."))


def robustness_tab(shown: dict[str, Any], base: Scenario, scen: Scenario, tr: Translator) -> None:
    """A robustness run's verdicts, read from a run folder the planner picks, and what they say of
    this page's."""
    _ = tr.gettext
    st.markdown(
        _(
            "How robust each finding is to the assumptions: read from {file} in a run folder, "
            "written by `parltwin experiment=robustness`.",
            file=ROBUSTNESS,
        )
    )
    found = robustness_runs()
    other = _("another folder…")
    picked = st.selectbox(
        _("Robustness run"), [*map(str, found), other], format_func=run_label, key="robustness_pick"
    )
    if picked == other:
        where = st.text_input(_("Run folder"), value="", key="robustness_dir")
    else:
        where = picked
    path = Path(where) / ROBUSTNESS
    why = regular_file(path) if path.exists() or path.is_symlink() else None
    if linked(path) or why is not None:
        why = why or "a symbolic link"
        st.warning(_("{path} could not be read: {reason}", path=code_text(str(path)), reason=why))
    elif where.strip() and not Path(where).is_dir():
        st.warning(_("There is no folder {path}.", path=code_text(str(where))))
    elif not path.is_file():
        st.info(_("Robustness not yet computed for this folder ({path}).", path=code_text(str(path))))
    else:
        try:
            found_table = pd.read_csv(path)
            shown_table = robustness_table(found_table, tr, shown["measures"])
        except (OSError, ValueError, TypeError) as e:  # empty, not CSV, not text: say so, go on
            why = str(e).splitlines()[0] if str(e) else type(e).__name__
            st.warning(
                _(
                    "{path} could not be read: {reason}",
                    path=code_text(str(path)),
                    reason=code_text(str(why)),
                )
            )
        else:
            missing = sorted(ROBUSTNESS_COLUMNS - set(found_table.columns))
            if missing:
                st.warning(
                    _(
                        "{path} is not a table that `parltwin experiment=robustness` writes (it has no "
                        "{columns}): no verdict can be read from it, and it is shown as it is.",
                        path=code_text(str(path)),
                        columns=", ".join(missing),
                    )
                )
            st.dataframe(shown_table, hide_index=True)  # cells as text: no Markdown of the file's
            ran = {str(x) for x in found_table["scenario"]} if "scenario" in found_table else set()
            bases = {str(x) for x in found_table.get("baseline", [])}
            moved = moved_levers(base), moved_levers(scen)
            if ran and not compared_here(ran, bases, base, scen):
                st.warning(
                    _(
                        "This run compared other scenarios ({scenarios}) than the two on this page: "
                        "its verdicts are theirs.",
                        scenarios=", ".join(code_text(str(r)) for r in sorted(ran)),
                    )
                )
            elif other_question := other_run(Path(where), base, scen, tr):
                st.warning(other_question)
            elif moved != ("none", "none"):
                st.warning(
                    _(
                        "This run assessed the presets' scenarios, not the levers moved on this page "
                        "(baseline: {base}; scenario: {scen}): its verdicts are for the presets' values.",
                        base=code_text(str(moved[0])),
                        scen=code_text(str(moved[1])),
                    )
                )
            else:
                try:  # a cell that is not what the robustness run writes (a share that is text)
                    own = page_findings(found_table, scen, shown["verdicts"], shown["measures"], tr)
                except (ValueError, TypeError, KeyError) as e:
                    own = pd.DataFrame()
                    why = str(e).splitlines()[0] if str(e) else type(e).__name__
                    st.warning(
                        _(
                            "{path} could not be read: {reason}",
                            path=code_text(str(path)),
                            reason=code_text(why),
                        )
                    )
                if len(own):
                    st.markdown(
                        _(
                            "What this run says of this page's verdicts: the share of its worlds "
                            "with the same outcome for this scenario (the report reads its clear "
                            "findings so):"
                        )
                    )
                    st.dataframe(own, hide_index=True)
            shares = Path(where) / "figures" / "robustness_shares.png"
            if shares.is_file() and not linked(shares) and regular_file(shares) is None:
                try:
                    st.image(shares.read_bytes(), alt=_(SHARES_ALT))
                except Exception:  # not an image: the table above says what the run found
                    st.warning(
                        _(
                            "{path} could not be read: {reason}",
                            path=code_text(str(shares)),
                            reason="not an image",
                        )
                    )


#: Why a robustness run's verdicts are not applied to the page's: it answers another question.
OTHER_HORIZON = N_(
    "This run is over {theirs} and this page over {ours}: across horizons the numbers differ by the "
    "warm-up of the procedure, not by the reform, so its verdicts are not applied to this page's."
)
OTHER_BASELINE = N_(
    "This run's baseline is {theirs}, not this page's ({ours}): its verdicts are not applied to this page's."
)
UNKNOWN_RUN = N_(
    "This run's horizon and baseline cannot be read ({reason}): its verdicts are not applied to this page's."
)


def other_run(folder: Path, base: Scenario, scen: Scenario, tr: Translator) -> str:
    """Why a robustness run's verdicts are not this page's, in one line: its horizon or baseline is
    another (the check by which the command refuses to cite it), or its manifest cannot be read;
    "" where it is about the page's question."""
    _ = tr.gettext
    try:
        made, differs = robustness_run_differs(folder, lambda b: side(b) in as_side(base), {scen.years})
    except (ConfigError, InputError) as e:
        return _(UNKNOWN_RUN, reason=code_text(e.allowed if isinstance(e, ConfigError) else str(e)))
    if differs == "baseline":
        return _(OTHER_BASELINE, theirs=code_text(str(made["baseline"])), ours=code_text(base.name))
    if differs == "years":
        return _(
            OTHER_HORIZON,
            theirs=tr.years(float(made["years"])),
            ours=tr.years(scen.years),
        )
    return ""


def export_tab(base: Scenario, scen: Scenario, tr: Translator) -> None:
    """The scenario and the whole comparison as files and the commands that run them."""
    _ = tr.gettext
    st.markdown(_("Save the file as `my_configs/scenario/{name}.yaml`, then run:", name=file_name(scen)))
    st.code(command(scen), language="bash")
    text = scenario_yaml(scen, against=base)
    st.download_button(_("Download the scenario (YAML)"), text, f"{file_name(scen)}.yaml", "text/yaml")
    st.code(text, language="yaml")
    st.markdown(
        _(
            "The whole comparison, with the command's report: save the baseline's file too, as "
            "`my_configs/scenario/{name}.yaml`, then run:",
            name=baseline_file_name(base, scen),
        )
    )
    st.code(comparison_command(base, scen), language="bash")
    mine = baseline_file_name(base, scen)
    st.download_button(
        _("Download the baseline (YAML)"), scenario_yaml(base, mine), f"{mine}.yaml", "text/yaml"
    )


def main() -> None:
    st.set_page_config(page_title="parltwin", layout="wide")
    draw_aside()  # once (``parltwin-app`` did it ahead): the workers' server, with the figures' module
    followed, refused = follow_address()  # a shared link, or the browser's Back and Forward
    lang = st.sidebar.selectbox(
        "Language / Тіл / Язык", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key="lang"
    )
    keep_choices(lang, followed)
    speak(lang)
    tr = translator(lang)
    _ = tr.gettext
    st.title(_("parltwin: scenario explorer"))
    st.caption(
        _(
            "Choose a baseline and a scenario, move the levers, and compare them: the same engine, "
            "seeds and statistics as the parltwin command, with 95% confidence intervals."
        )
    )
    for r in refused:
        st.warning(refused_text(r, tr))
    with st.sidebar:
        for name, label in NUMBER_LABELS.items():
            low, high, step = NUMBERS[name]
            # "%g" without a precision: the browser shows the number as it is (1.0000001, not 1.00).
            shown = "%g" if isinstance(step, float) else None
            st.number_input(_(label), low, high, step=step, key=name, format=shown)
        try:
            limit = cache_limit() // 1_000_000
        except InputError as e:
            st.error(str(e))
            st.stop()
        st.caption(
            _(
                "Runs are kept in {folder}, one folder per scenario and seed; past {limit} MB the least "
                "recently used are removed.",
                folder=str(cache_dir()), limit=tr.integer(limit),
            )
        )  # fmt: skip
    left, right = st.columns(2)
    with left:
        st.subheader(_("Baseline"))
        base = scenario_inputs(tr, "base", with_levers=False)
    with right:
        st.subheader(_("Scenario"))
        scen = scenario_inputs(tr, "scen", with_levers=True)
    base, left_out = same_world(base, scen)
    if base.levers:
        st.info(
            _(
                "The assumptions moved on the scenario hold for the baseline too (both run in the same "
                "world): {names}.",
                names=", ".join(_(PARAMETERS[n].label) for n in base.levers),
            )
        )
    if left_out:
        st.warning(
            _(
                "The baseline's presets cannot take these assumptions as moved, so the two run in "
                "different worlds and the difference is not the reform's alone: {names}.",
                names=", ".join(_(PARAMETERS[n].label) for n in left_out),
            )
        )

    write_address(base, scen, lang)
    pickers = [f"{k}_{g}" for k in ("base", "scen") for g in ("parliament", "channels")]
    st.session_state[DRAWN] = {"lang": lang, "pickers": {k: st.session_state[k] for k in pickers}}
    ask_before_running(tr)
    bar = st.progress(0.0, text=_("Running…"))
    part = [0.0, 0.0]  # each scenario's share of its replications done

    def step(i: int, k: int, n: int) -> None:
        part[i] = k / n
        text = _("{scenario}: replication {k} of {n}", scenario=(base, scen)[i].name, k=k, n=n)
        bar.progress(sum(part) / 2, text=text)

    try:
        runs = run_together((base, scen), step=step)  # in one pool: both scenarios' replications
        st.session_state.setdefault(RAN, set()).add((base.years, base.replications))
        address = "/?" + urlencode(st.session_state[WRITTEN]) if st.session_state[WRITTEN] else "/"
        made_by = tuple(run_settings(base, scen, address).items())
        shown = results(tuple(str(f) for f, _m in runs), lang, made_by)
    except (ConfigError, InputError) as e:  # e.g. the model's code changed, a record was damaged
        bar.empty()
        st.error(_("This comparison cannot run: {why}", why=str(e)))
        st.stop()
    bar.empty()

    tabs = st.tabs([_("Comparison"), _("Channels"), _(ROBUSTNESS_TAB), _("Export")])
    with tabs[0]:
        comparison_tab(shown, scen, tr)
    with tabs[1]:
        channels_tab(shown, tr)
    with tabs[2]:
        robustness_tab(shown, base, scen, tr)
    with tabs[3]:
        export_tab(base, scen, tr)


if __name__ == "__main__":  # as Streamlit runs it; not when a worker process imports it (``__mp_main__``)
    # One page, through Streamlit's navigation: so the browser's Back and Forward rerun it with the
    # address they went to (see ``follow_address``); a plain script is not rerun then.
    st.navigation([st.Page(main, title="parltwin", default=True)]).run()
