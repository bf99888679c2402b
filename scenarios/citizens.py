"""Validation of the ``citizens`` and ``channels`` config nodes.

A citizens preset (``agents.citizens.CitizensConf``) describes the population by factors (regions,
settlement, age bands, main language) and per-topic preferences; the citizen groups cross the
factors into groups. A channels preset (``sim.citizens.feedback.ChannelsConf``) lists the feedback
mechanisms by kind (petitions, appeals, consultations, analytics), each keyed by the channel's name,
so that presets combine by merging (``kz_digital`` = the Kazakh ones).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agents.citizens import GROUP_LANGUAGES, CitizensConf
from scenarios.checks import in_range, need, non_negative
from scenarios.checks import positive as positive_number
from sim.citizens.feedback import ChannelsConf
from sim.engine.parliament import ParliamentConf

#: Languages a channel may list.
LANGUAGES = (*GROUP_LANGUAGES, "english")


# -- resolution ----------------------------------------------------------------------------------
def tabling_initiator(parliament: ParliamentConf) -> str:
    """Who tables a petition's bill where its preset says ``auto``: the parliament's first initiator
    fed by citizens' demands (the People's Council), else its first government initiator, else its
    first."""
    inits = parliament.initiators
    for pick in (lambda c: c.from_demands, lambda c: c.government, lambda c: True):
        for name, c in inits.items():
            if pick(c):
                return str(name)
    raise ValueError("the parliament has no initiator")


def channels_of(ch: ChannelsConf, parliament: ParliamentConf) -> ChannelsConf:
    """The channels the engine runs: every petition's ``auto`` initiator named (the description is
    resolved once, here, and the simulation takes it as it is)."""
    named = {
        n: dataclasses.replace(p, initiator=tabling_initiator(parliament))
        for n, p in ch.petitions.items()
        if p.initiator == "auto"
    }
    return dataclasses.replace(ch, petitions={**ch.petitions, **named}) if named else ch


# -- validation ----------------------------------------------------------------------------------
def _share(path: str, value: Any) -> None:
    in_range(path, value, 0.0, 1.0, "a share in [0, 1]")


def _position(path: str, value: Any) -> None:
    in_range(path, value, -1.0, 1.0, "a number in [-1, 1]")


def _languages(path: str, values: list[str]) -> None:
    need(
        path,
        list(values),
        bool(values) and all(v in LANGUAGES for v in values),
        f"a non-empty list among {', '.join(LANGUAGES)}",
    )


def _positive_total(path: str, items: dict[str, Any], attr: str, what: str) -> None:
    """At least one item, and a positive total of ``attr`` (negative items are refused after)."""
    total = sum(getattr(x, attr) for x in items.values())
    need(path, attr, bool(items) and total > 0, f"{what} with a positive total {attr}")


def _fields(
    at: str, conf: Any, shares: tuple[str, ...], nonneg: tuple[str, ...], positive: tuple[str, ...]
) -> None:
    """A channel's languages and the ranges of its numeric fields, by kind of range."""
    _languages(f"{at}.languages", conf.languages)
    for checks, names in ((_share, shares), (non_negative, nonneg), (positive_number, positive)):
        for f in names:
            checks(f"{at}.{f}", getattr(conf, f))


def check_citizens(c: CitizensConf, parliament: Any, prefix: str = "citizens") -> None:
    """Ranges of a citizens preset; its topics must be the parliament's (others are refused)."""
    _positive_total(f"{prefix}.regions", c.regions, "population", "regions")
    for r, rc in c.regions.items():
        at = f"{prefix}.regions.{r}"
        non_negative(f"{at}.population", rc.population)
        _share(f"{at}.urban", rc.urban)
        _share(f"{at}.kazakh", rc.kazakh)
    _share(f"{prefix}.urban_access", c.urban_access)
    _share(f"{prefix}.rural_access", c.rural_access)
    _share(f"{prefix}.urban_russian_shift", c.urban_russian_shift)
    _positive_total(f"{prefix}.age_bands", c.age_bands, "share", "age bands")
    for a, ac in c.age_bands.items():
        non_negative(f"{prefix}.age_bands.{a}.share", ac.share)
        _share(f"{prefix}.age_bands.{a}.access", ac.access)
    non_negative(f"{prefix}.region_sd", c.region_sd)
    need(
        f"{prefix}.subgroups",
        c.subgroups,
        isinstance(c.subgroups, int) and not isinstance(c.subgroups, bool) and c.subgroups >= 1,
        "an integer >= 1 (groups per cell)",
    )
    known = set(parliament.topics)
    # A preset written for other topics (e.g. the single-queue check) leaves citizens out; one that
    # shares some topics must name only the parliament's (a typo is refused).
    shared = bool(known & set(c.topics))
    for t, tv in c.topics.items():
        at = f"{prefix}.topics.{t}"
        need(at, t, t in known or not shared, f"a topic of the parliament: {', '.join(sorted(known))}")
        _position(f"{at}.mean", tv.mean)
        non_negative(f"{at}.sd", tv.sd)
        _share(f"{at}.salience", tv.salience)
    s = c.salience
    at = f"{prefix}.salience"
    _share(f"{at}.reversion", s.reversion)
    in_range(f"{at}.volatility", s.volatility, 0.0, 1.0, "a daily sd of salience in [0, 1]")
    _share(f"{at}.shock_prob", s.shock_prob)
    non_negative(f"{at}.shock_size", s.shock_size)
    need(f"{at}.threshold", s.threshold, 0 < s.threshold <= 1, "a number in (0, 1]")
    non_negative(f"{at}.refractory_days", s.refractory_days)
    positive_number(f"{at}.lifetime_days", s.lifetime_days)
    _share(f"{at}.satisfaction", s.satisfaction)
    non_negative(f"{at}.answer_radius", s.answer_radius)


def check_channels(ch: ChannelsConf, parliament: Any, prefix: str = "channels") -> None:
    """Ranges of a channels preset, unique channel names, and the initiators it names."""
    _share(f"{prefix}.offline.reach", ch.offline.reach)
    non_negative(f"{prefix}.offline.delay_days", ch.offline.delay_days)
    positive_number(f"{prefix}.voice.half_life_days", ch.voice.half_life_days)
    need(f"{prefix}.voice.full_share", ch.voice.full_share, 0 < ch.voice.full_share <= 1, "a share in (0, 1]")
    positive_number(f"{prefix}.voice.base_sd", ch.voice.base_sd)
    _share(f"{prefix}.initiative.share", ch.initiative.share)
    non_negative(f"{prefix}.initiative.min_level", ch.initiative.min_level)
    non_negative(f"{prefix}.council.min_level", ch.council.min_level)
    # Names whose random streams the layer's own mechanisms draw from (channels/<name>): a channel
    # so named would share them, and its draws would move with the mechanism's.
    seen: dict[str, str] = {"offline": "offline", "initiative": "the deputies' initiative"}
    kinds = {
        "petitions": ch.petitions,
        "appeals": ch.appeals,
        "consultations": ch.consultations,
        "analytics": ch.analytics,
    }
    for kind, items in kinds.items():
        for name in items:
            at = f"{prefix}.{kind}.{name}"
            need(at, name, name not in seen, f"a channel name not already used (by {seen.get(name)})")
            seen[name] = kind
    for name, p in ch.petitions.items():
        at = f"{prefix}.petitions.{name}"
        _fields(
            at,
            p,
            shares=("unsupported_language_use", "uptake", "reject_share", "bill_share"),
            nonneg=("moderation_days", "answer_days", "listing_votes"),
            positive=(
                "moderation_capacity",
                "answer_capacity",
                "open_days",
                "signatures_median",
                "signatures_sigma",
                "growth_days",
                "growth_shape",
                "threshold",
            ),
        )
        need(
            f"{at}.second_threshold",
            p.second_threshold,
            p.second_threshold == 0 or p.second_threshold >= p.threshold,
            f"0 (none) or at least threshold ({p.threshold})",
        )
        names = sorted(parliament.initiators)
        need(
            f"{at}.initiator",
            p.initiator,
            p.initiator == "auto" or p.initiator in names,
            f"auto or one of {names}",
        )
    for name, a in ch.appeals.items():
        at = f"{prefix}.appeals.{name}"
        _fields(
            at,
            a,
            shares=("unsupported_language_use", "uptake", "writers_share", "misdirected_share"),
            nonneg=("answer_days", "forward_days", "attention_gain"),
            positive=("capacity", "max_days"),
        )
    for name, c in ch.consultations.items():
        _fields(
            f"{prefix}.consultations.{name}",
            c,
            shares=("unsupported_language_use", "fail_cut", "position_pull"),
            nonneg=("window_days", "comment_rate", "veto_gain"),
            positive=("half_quality_comments",),
        )
    for name, a in ch.analytics.items():
        at = f"{prefix}.analytics.{name}"
        need(f"{at}.review_cut", a.review_cut, 0 <= a.review_cut < 1, "a share in [0, 1)")
        _share(f"{at}.defect_cut", a.defect_cut)
