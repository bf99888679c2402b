"""The page's settings and its address: the numbers, presets and levers a planner sets (each with
the values allowed), what a link's address gives the page and what it refuses, and the address the
page writes back (a link to share; the browser's Back and Forward).

The address is text anyone can write into a link: nothing from it is used but a shipped preset's
name, a language, or a number within its range; every value refused is said on the page.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from experiments.explorer.scenario import (
    BASELINE,
    PROPOSAL,
    Scenario,
    changed,
    exact,
    levers,
    presets,
    spans,
)
from experiments.i18n import LANGUAGES, N_, Translator
from scenarios.parameters import PARAMETERS

#: The page's settings other than the levers (its widgets' keys), which its address gives back.
SETTINGS = (
    "lang", "years", "replications", "seed",
    "base_parliament", "base_channels", "scen_parliament", "scen_channels",
)  # fmt: skip
#: The page's numbers: their lowest and highest values, and the step of their inputs.
NUMBERS = {"years": (1.0, 30.0, 0.5), "replications": (2, 200, 1), "seed": (0, 2**31, 1)}
#: The labels of the page's numbers.
NUMBER_LABELS = {"years": N_("Years simulated"), "replications": N_("Replications"), "seed": N_("Seed")}
#: The session's record of the address the page last wrote, and of the settings it stands for.
WRITTEN, SETTLED = "address_written", "address_settled"


#: The characters that Markdown reads as marks (escaped with a backslash, they are text).
MARKDOWN_MARKS = frozenset("\\`*_{}[]()#+-.!<>|~")


def one_line(text: str) -> str:
    """``text`` on one line: a line break or another character that does not print written as its
    escape (``\\n``), so that text from an address or a file cannot end the paragraph or the code span
    it is shown in and start Markdown of its own (a blank line, then an image to fetch)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def plain_text(text: object) -> str:
    """``text`` from a file, shown as text: on one line, Markdown's marks escaped, so that a cell
    cannot make the browser fetch an image or follow a link of the file's."""
    return "".join("\\" + c if c in MARKDOWN_MARKS else c for c in one_line(str(text)))


def offered(group: str) -> list[str]:
    """The presets of ``group`` a planner may choose (not the single-queue reference model)."""
    return [p for p in presets(group) if p != "single_queue"]


def lever_key(key: str, name: str, s: Scenario) -> str:
    """A lever's slider, for one pair of presets (other presets start from their own values)."""
    return f"{key}_lever_{name}_{s.parliament}_{s.channels}"


def _step(width: float) -> float:
    """The largest 1, 2 or 5 times a power of ten that is at most ``width``: a slider's step."""
    unit = 10.0 ** math.floor(math.log10(width))
    return max(round(m * unit, 12) for m in (1, 2, 5) if m * unit <= width)


def lever_range(name: str, preset: float, span: tuple[float, float]) -> tuple[type, Any, Any, Any]:
    """A lever's slider: the type of its values, its range and its step. The range is what the
    presets' plausible ranges allow (``span``: a scenario outside them is refused), the preset's
    value always in it and on a step, so that the slider can come back to it."""
    p = PARAMETERS[name]
    lo, hi = min(span[0], preset), max(span[1], preset)
    if p.integer and p.mode != "scale":
        return int, math.ceil(lo - 1e-9), math.floor(hi + 1e-9), 1
    step = _step((p.high - p.low) / 100)
    below, above = math.floor((preset - lo) / step + 1e-9), math.floor((hi - preset) / step + 1e-9)
    return float, round(preset - below * step, 10), round(preset + above * step, 10), step


@dataclass(frozen=True)
class Refused:
    """A value of the address that the page does not take: the setting (its address name and its
    label's message id), the value as given, the range allowed and the value used instead."""

    key: str
    label: str
    value: str
    low: float
    high: float
    used: float | str
    whole: bool
    choices: tuple[str, ...] = ()  # a name's: the names allowed (then low and high are unused)
    absent_from: str = ""  # a lever the scenario's presets lack: their names (then nothing is used)
    more: int = 0  # the unknown names beyond those named one by one: their count (nothing else is used)

    @property
    def known(self) -> bool:
        """Whether the address named a setting of the page (else a misspelt one, or a lever that
        these presets lack: it has no label)."""
        return bool(self.label)


#: The pickers' labels (message ids), by config group.
#: Each side's pickers by their keys: the baseline's and the scenario's have names of their own, for
#: a screen reader reads a picker by its label alone, not the column's heading above it.
PICKER_LABELS = {
    "base_parliament": N_("Parliament of the baseline"),
    "base_channels": N_("Digital channels of the baseline"),
    "scen_parliament": N_("Parliament of the scenario"),
    "scen_channels": N_("Digital channels of the scenario"),
}


#: The longest part of a refused value that a warning quotes (an address may hold anything).
QUOTED = 40


#: Settings of a link the page does not know that it names one by one; more are counted.
MOST_UNKNOWN = 5
#: What a number in a link is written with: decimal digits, a sign, a point, an exponent.
NUMBER_CHARACTERS = frozenset("0123456789+-.eE")


def link_number(text: str) -> float:
    """A number of a link, written in ASCII decimal notation (``5``, ``1.5``, ``2e-3``); else NaN
    (refused). Python's ``float`` also reads ``1_5`` as 15, other scripts' digits (``５``), spaces
    around it, ``inf`` and ``nan``, none of which the page writes into a link."""
    if not text or not set(text) <= NUMBER_CHARACTERS:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def read_address(address: Mapping[str, str]) -> tuple[dict[str, Any], list[Refused]]:
    """The page's settings that ``address`` gives (see :func:`settings`), and its numbers that the
    page refused: each said on the page, so that a shared link's value is not dropped unseen."""
    refused: list[Refused] = []

    def number(key: str, label: str, default: float, low: float, high: float, whole: bool) -> float:
        if key not in address:
            return default
        value = link_number(address[key])
        if low <= value <= high and (not whole or value.is_integer()):
            return value
        refused.append(Refused(key, label, str(address[key]), low, high, default, whole))
        return default

    def choice(key: str, label: str, default: str, allowed: Sequence[str]) -> str:
        value = address.get(key)
        if value is None or value in allowed:
            return default if value is None else value
        refused.append(Refused(key, label, str(value), 0.0, 0.0, default, False, tuple(allowed)))
        return default

    out: dict[str, Any] = {"lang": choice("lang", "Language / Тіл / Язык", "en", list(LANGUAGES))}
    for name, (low, high, step) in NUMBERS.items():
        default = getattr(BASELINE, name)
        out[name] = type(step)(number(name, NUMBER_LABELS[name], default, low, high, type(step) is int))
    for key, default in (("base", BASELINE), ("scen", PROPOSAL)):
        for group in ("parliament", "channels"):
            picker = f"{key}_{group}"
            out[picker] = choice(picker, PICKER_LABELS[picker], getattr(default, group), offered(group))
    named = Scenario(out["scen_parliament"], out["scen_channels"])
    allowed = spans(named)
    for n, preset in levers(named):
        kind, lo, hi, _grid = lever_range(n, preset, allowed[n])
        out[lever_key("scen", n, named)] = kind(number(n, PARAMETERS[n].label, preset, lo, hi, kind is int))
    known = {*SETTINGS, *(n for n, _v in levers(named))}
    unknown = sorted(set(address) - known)
    if len(unknown) > MOST_UNKNOWN:  # one warning each, up to a few: an address may hold thousands
        refused.append(Refused("", "", "", 0.0, 0.0, "", False, more=len(unknown) - MOST_UNKNOWN))
        unknown = unknown[:MOST_UNKNOWN]
    for key in unknown:  # a misspelt setting, or a lever these presets lack
        lever = PARAMETERS[key].label if key in PARAMETERS and PARAMETERS[key].lever else ""
        presets = f"{named.parliament}, {named.channels}" if lever else ""
        refused.append(Refused(key, lever, str(address[key]), 0.0, 0.0, "", False, absent_from=presets))
    return out, refused


def settings(address: Mapping[str, str]) -> dict[str, Any]:
    """The page's settings that ``address`` gives (its widgets' values, by key; see :func:`link`):
    the language, horizon, replications, seed, both sides' presets and the scenario's levers. What
    the address does not name, or names with a value not allowed, is the page's default: nothing
    from it is used but a shipped preset's name, a language, or a number within its range."""
    return read_address(address)[0]


def code_text(text: str) -> str:
    """``text`` from the address as a Markdown code span, fenced by more backticks than it holds:
    shown as it is. Escaped as plain text, a value was still made a link (``https://...``, an
    address with ``@``), a formula (``$...$``) or an icon (``:material/...:``) by the steps Streamlit
    runs on text after Markdown's escapes; none of them runs inside code. On one line
    (:func:`one_line`): a line break would end the span."""
    text = one_line(text)
    run = max((len(list(g)) for c, g in itertools.groupby(text) if c == "`"), default=0)
    fence = "`" * (run + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or not text.strip(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _quoted(text: str) -> str:
    """At most :data:`QUOTED` characters of a text from the address (it may hold anything)."""
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def refused_text(r: Refused, tr: Translator) -> str:
    """One line for a refused value: the setting, the value given (its Markdown marks escaped: an
    address may hold anything), what is allowed and what is used."""
    _ = tr.gettext
    shown = _quoted(r.value)
    if r.more:
        return tr.ngettext(
            "The link names {n} more setting that is not this page's: it is left out.",
            "The link names {n} more settings that are not this page's: they are left out.",
            r.more,
        )
    if not r.known:
        return _(
            "The link's `{key}` is not a setting of this page (or of its presets): it is left out.",
            key=one_line(_quoted(r.key)).replace("`", "ˋ"),  # within the message's code span
        )
    if r.absent_from:
        return _(
            "The link's {name} (`{key}`) is not part of the scenario's presets ({presets}): it is left out.",
            name=_(r.label), key=r.key, presets=plain_text(r.absent_from),
        )  # fmt: skip
    if r.choices:
        return _(
            "The link's {name} (`{key}`) is {value}, which is not one of its choices: the page uses {used} "
            "instead.",
            name=_(r.label), key=r.key, value=code_text(shown), used=r.used,
        )  # fmt: skip
    low, high, used = (tr.integer(x) if r.whole else tr.exact(x) for x in (r.low, r.high, r.used))
    allowed = (
        _("a whole number from {low} to {high}", low=low, high=high)
        if r.whole
        else _("from {low} to {high}", low=low, high=high)
    )
    return _(
        "The link's {name} (`{key}`) is {value}, which is not allowed ({allowed}): the page uses "
        "{used} instead.",
        name=_(r.label), key=r.key, value=code_text(shown), allowed=allowed, used=used,
    )  # fmt: skip


def _setting_values() -> dict[str, Any]:
    """The page's settings as they stand (the widgets' values, the levers of the scenario's presets),
    to tell a planner's change from the browser's Back and Forward, which change the address alone."""
    state = st.session_state
    keys = list(SETTINGS)
    if "scen_parliament" in state and "scen_channels" in state:
        named = Scenario(state["scen_parliament"], state["scen_channels"])
        keys += [lever_key("scen", n, named) for n, _v in levers(named)]
    return {k: state.get(k) for k in keys}


#: Replication-years a scenario may cost before a link's horizon and replications run without a
#: click: a link (any web page may open one) asked for 200 replications of 30 years as the page
#: opened, minutes of every core and a gigabyte of runs kept (the page's own are 5 x 3).
LINK_BUDGET = 60.0
#: The horizon and replications a link asked for, until the planner runs them or changes them.
ASKED = "asked_by_link"
#: The horizons and replications this session has run: Back and Forward to one of them ask nothing.
RAN = "sizes_run"


def _asked(address: Mapping[str, str]) -> None:
    """Note the horizon and replications the address gave, when they cost more than the budget and
    this session has not run them (the planner's own, given back by Back and Forward)."""
    state = st.session_state
    asked = (state["years"], state["replications"])
    fresh = asked not in state.get(RAN, set())
    if {"years", "replications"} & set(address) and asked[0] * asked[1] > LINK_BUDGET and fresh:
        state[ASKED] = asked
    else:
        state.pop(ASKED, None)


def follow_address() -> tuple[bool, list[Refused]]:
    """Give the page the settings its address names: those not yet set when a page opens (a shared
    link), and all of them when the browser went Back or Forward (the address is not the one the
    page wrote, and no setting was changed on the page since). Whether it gave them all, and the
    address's values it refused (to be said on the page)."""
    state, address = st.session_state, st.query_params.to_dict()
    if WRITTEN not in state:
        given, refused = read_address(address)
        for k, v in given.items():
            state.setdefault(k, v)
        _asked(address)
        return False, refused
    if address != state[WRITTEN] and _setting_values() == state[SETTLED]:
        given, refused = read_address(address)
        state.update(given)
        _asked(address)
        return True, refused
    return False, []


def ask_before_running(tr: Translator) -> None:
    """Stop the page, with a button to go on, while the horizon and replications cost more than
    :data:`LINK_BUDGET` and either is still the one a link asked for (the planner's own choice of
    both needs no click; changing one of them left the link's other running unasked)."""
    state = st.session_state
    asked, now = state.get(ASKED), (state["years"], state["replications"])
    linked = asked is not None and (now[0] == asked[0] or now[1] == asked[1])  # one still the link's
    if not linked or now[0] * now[1] <= LINK_BUDGET or state.get("run_asked"):
        state.pop(ASKED, None)  # not asked by a link, both changed since, within budget, or clicked
        return
    years, replications = now
    st.info(
        tr.gettext(
            "This link asks for {replications} of {years} for each scenario, more than the page runs "
            "without asking ({budget} replication-years).",
            replications=tr.ngettext("{n} replication", "{n} replications", replications),
            years=tr.years(years),
            budget=tr.short(LINK_BUDGET),
        )
    )  # fmt: skip
    st.button(tr.gettext("Run them"), key="run_asked")
    st.stop()


#: The page's choices as last drawn (the pickers' presets, the levers moved): the browser sends a
#: picker's choice back by its label, which a change of language changes.
DRAWN = "drawn"


def keep_choices(lang: str, followed: bool) -> None:
    """After a change of language, the pickers' choices as they were drawn: the browser sent the
    label of the old language, which no option has now, and the picker fell back to its first
    option (and the levers of the presets chosen with it)."""
    state = st.session_state
    drawn = state.get(DRAWN)
    if drawn is None or followed or drawn["lang"] == lang:
        return
    for key, value in drawn["pickers"].items():
        state[key] = value


def write_address(base: Scenario, scen: Scenario, lang: str) -> None:
    """Write the address that gives this page back (a link to share; a new entry in the browser's
    history when it changes), and remember it with the settings it stands for."""
    address = link(base, scen, lang)
    st.session_state[WRITTEN], st.session_state[SETTLED] = address, _setting_values()
    st.query_params.from_dict(address)


def link(base: Scenario, scen: Scenario, lang: str) -> dict[str, str]:
    """The address's settings that give this page back: each that differs from the page's default
    (horizon, replications, seed, presets, language) and every lever moved from its preset's value."""
    out = {}
    for name, value, default in (
        ("years", base.years, BASELINE.years),
        ("replications", base.replications, BASELINE.replications),
        ("seed", base.seed, BASELINE.seed),
        ("base_parliament", base.parliament, BASELINE.parliament),
        ("base_channels", base.channels, BASELINE.channels),
        ("scen_parliament", scen.parliament, PROPOSAL.parliament),
        ("scen_channels", scen.channels, PROPOSAL.channels),
        ("lang", lang, "en"),
    ):
        if value != default:
            out[name] = exact(value) if isinstance(value, float) else str(value)
    out.update({n: exact(v) for n, v in changed(scen).items()})
    return out
