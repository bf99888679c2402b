"""What the presets of a run must state, and a composed config as the engine's description objects.

The engine's description types (``sim.engine.parliament``, ``agents.citizens``,
``sim.citizens.feedback``) have defaults, so that a config made in code (a test's, a world of
``experiment=robustness``) states only what it needs. A run composed from presets must not lean on
them: the seats of a chamber, its parties, the calendar, the initiators' rates, a stage's kind and
duration, a platform's deadlines describe the parliament, the citizens or the channel being
modelled, and a value no preset gave would be a number nobody chose. :data:`MUST` lists those
fields; the Hydra schema (:func:`schema_of`, registered by ``scenarios.schema``) leaves them ``???``
so that a composition in which no preset and no override gave one is refused by :func:`typed`
(``NotGiven``: the field's path and what it takes). Generic mechanics keep their neutral defaults
(no special sessions, no introduction deadline, bills carried over, a chamber that does not rewrite
bills, committees that do not hold bills back, no second petition threshold, ...). Some fields are
needed only where they are read (a vote stage's rule, the head of state of a procedure that has a
signature): elsewhere the default is kept, and :func:`complete` writes it into the resolved config
that a run records and fingerprints.

The schema also lets a derived preset remove what it inherits: an entry of a mapping keyed by name
(a chamber, party, committee, topic, initiator, stage, channel, region, range) set to ``null`` is
left out, with the plausible ranges of its numbers (``ranges`` paths under it). The composed config
cannot tell a removal from a ``null`` for a name the base never had: that removes nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Any

from agents.citizens import AgeBandConf, CitizensConf, RegionConf, SalienceConf, TopicViewConf
from agents.committees import CommitteeConf, CommitteeRulesConf
from agents.council import CouncilConf
from agents.deputies import AmendmentConf, PartyConf
from agents.head_of_state import HeadOfStateConf
from agents.initiative import InitiativeConf
from agents.majority import RULE_FORMS
from agents.voice import VoiceConf
from scenarios.errors import ConfigError, NotGiven
from sim.channels.analytics import AnalyticsConf
from sim.channels.appeal import AppealConf
from sim.channels.audience import AudienceConf
from sim.channels.consultation import ConsultationConf
from sim.channels.offline import OfflineConf
from sim.channels.petition import PetitionConf
from sim.citizens.feedback import ChannelsConf
from sim.engine.parliament import (
    CalendarConf,
    ChamberConf,
    DurationConf,
    InitiatorConf,
    ParliamentConf,
    PriorityConf,
    SessionConf,
    SpecialSessionConf,
    StageConf,
    TopicConf,
)

#: OmegaConf's mark of a value not given.
UNSET = "???"


@dataclass(frozen=True)
class Must:
    """A field a preset must state: what it takes, and, for a field read only in some places, when
    it is needed (given the plain data of the node that holds it)."""

    allowed: str
    needed: Callable[[Mapping[str, Any]], bool] | None = None

    def read_in(self, node: Mapping[str, Any]) -> bool:
        """Whether the model reads the field in ``node`` (always, unless ``needed`` says otherwise)."""
        return self.needed is None or self.needed(node)


def _kind(*kinds: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda stage: stage.get("kind") in kinds


def _chamber_needed(stage: Mapping[str, Any]) -> bool:
    return stage.get("kind") in ("vote", "review") or (
        stage.get("kind") == "work" and stage.get("committee") is True
    )


def _has_chambers(p: Mapping[str, Any]) -> bool:
    return bool(p.get("chambers")) and p.get("chambers") != UNSET


def _signs(p: Mapping[str, Any]) -> bool:
    stages = p.get("stages")
    return isinstance(stages, Mapping) and any(
        isinstance(s, Mapping) and s.get("kind") == "sign" for s in stages.values()
    )


def _priority_bills(p: Mapping[str, Any]) -> bool:
    initiators = p.get("initiators")
    return isinstance(initiators, Mapping) and any(
        isinstance(i, Mapping)
        and isinstance(i.get("priority_share"), int | float)
        and i["priority_share"] > 0
        for i in initiators.values()
    )


def _poisson(initiator: Mapping[str, Any]) -> bool:
    return initiator.get("from_demands") is not True


def _rewrites(threshold: str) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a chamber's or the committees' rules rewrite bills: their ``threshold`` is above 0
    (0, the default, never rewrites, and then how far a rewrite moves a bill is not read)."""

    def needed(node: Mapping[str, Any]) -> bool:
        t = node.get(threshold)
        return isinstance(t, int | float) and not isinstance(t, bool) and t > 0

    return needed


def _spread(d: Mapping[str, Any]) -> bool:
    return d.get("dist") in ("lognormal", "gamma")


_SHARE = "a share in [0, 1]"
_POSITION = "a position in [-1, 1] on the left-right axis"
_DAYS = "a number of days > 0"
#: The fields that describe what is modelled, by the engine's type that holds them.
MUST: dict[type, dict[str, Must]] = {
    ParliamentConf: {
        "name": Must("a name of letters, digits, '_' and '-'"),
        "description": Must("free text: what the preset describes"),
        "chambers": Must(
            "the chambers by name, each with its seats and parties; {} for none, a procedure without votes"
        ),
        "committees": Must("the standing committees by name; {} for none"),
        "calendar": Must("the sitting calendar: start and sessions"),
        "topics": Must("the policy topics by name, each with its weight and status quo"),
        "initiators": Must("the sources of bills by name, each with its rate and first stage"),
        "stages": Must("the stages of the procedure by name"),
        "complexity_sd": Must("the sd >= 0 of bills' complexity (0: every bill alike)"),
        "vote_noise": Must(
            "the sd >= 0 of the noise in a deputy's vote; a parliament with chambers needs it", _has_chambers
        ),
        "loyalty_sd": Must(
            "the sd in [0, 1] of a member's loyalty around the party's discipline; a parliament with "
            "chambers needs it",
            _has_chambers,
        ),
        "head_of_state": Must(
            "position, veto_tolerance and noise_sd of the head of state; a procedure with a sign stage "
            "needs them",
            _signs,
        ),
        "priority": Must(
            "deadline_days of priority bills; an initiator with a priority_share > 0 needs it",
            _priority_bills,
        ),
    },
    ChamberConf: {
        "seats": Must("a whole number of members >= 1"),
        "parties": Must(
            "the parties by name with their seats, adding up to the chamber's; {} for independents"
        ),
        "quorum": Must("a share of members in (0, 1] present for a valid vote"),
        "attendance": Must("the probability in [0, 1] that a member is present at a vote"),
        "sitting_weekdays": Must("a non-empty list of weekdays 0 (Monday) .. 6 (Sunday)"),
        "agenda_capacity": Must("a whole number of bills >= 1 voted at one sitting"),
        "attention": Must("the weight >= 0 deputies give the citizen signal in a vote (0: none)"),
    },
    PartyConf: {
        "seats": Must("a whole number of seats >= 0"),
        "position": Must(_POSITION),
        "spread": Must("the sd >= 0 of members' ideal points around the party's position"),
        "discipline": Must("the mean loyalty to the party line, a share in [0, 1]"),
    },
    AmendmentConf: {
        "pull": Must(
            f"the share of the way a rewrite moves a bill towards the chamber's median member, {_SHARE}; "
            "a chamber that rewrites bills (threshold > 0) needs it",
            _rewrites("threshold"),
        ),
    },
    CommitteeRulesConf: {
        "amend_pull": Must(
            f"the share of the way a rewrite moves a bill towards the committee's median member, {_SHARE}; "
            "committees that rewrite bills (amend_threshold > 0) need it",
            _rewrites("amend_threshold"),
        ),
    },
    CommitteeConf: {
        "chamber": Must("the chamber it belongs to"),
        "topics": Must("a list of the policy topics it examines"),
        "capacity": Must("a whole number of bills >= 1 examined at once"),
        "size": Must("a whole number of members >= 1"),
    },
    CalendarConf: {
        "start": Must("a date YYYY-MM-DD: day 0 of the run"),
        "sessions": Must(
            "a list of regular sessions {opens: MM-DD, closes: MM-DD}; [] for special sessions only"
        ),
    },
    SessionConf: {"opens": Must("a day MM-DD"), "closes": Must("a day MM-DD")},
    SpecialSessionConf: {"opens": Must("a date YYYY-MM-DD"), "closes": Must("a date YYYY-MM-DD")},
    TopicConf: {
        "weight": Must("a share of bills >= 0 (the weights are normalised)"),
        "status_quo": Must(f"where policy stands, {_POSITION}"),
    },
    InitiatorConf: {
        "rate_per_year": Must("bills a year >= 0"),
        "start": Must("the stage its bills start at"),
        "position": Must(
            f"the mean position of its bills, {_POSITION}; a Poisson initiator needs it", _poisson
        ),
        "position_sd": Must("the sd >= 0 of its bills' positions; a Poisson initiator needs it", _poisson),
    },
    StageConf: {
        "kind": Must("one of work, vote, review, sign"),
        "duration": Must(
            "a duration {dist, mean, sd} in days; a work, review or sign stage needs it",
            _kind("work", "review", "sign"),
        ),
        "chamber": Must("the chamber that acts; a vote, review or committee stage needs it", _chamber_needed),
        "rule": Must(
            f"the majority rule, {RULE_FORMS}; a vote or review stage needs it", _kind("vote", "review")
        ),
        "deemed": Must(
            "pass or fail: what silence at the deadline counts as; a review or sign stage needs it",
            _kind("review", "sign"),
        ),
        "on_pass": Must("the stage a bill goes to when it passes, or enacted / rejected"),
    },
    DurationConf: {
        "dist": Must("one of fixed, exponential, lognormal, gamma"),
        "mean": Must("a number of days >= 0"),
        "sd": Must("a positive sd in days; a lognormal or gamma duration needs it", _spread),
    },
    HeadOfStateConf: {
        "position": Must(_POSITION),
        "veto_tolerance": Must("the distance >= 0 from their position past which a law is returned"),
        "noise_sd": Must("the sd >= 0 of the noise in that judgement"),
    },
    PriorityConf: {"deadline_days": Must("the days > 0 within which a priority bill is due")},
    CitizensConf: {
        "name": Must("a name of letters, digits, '_' and '-'"),
        "description": Must("free text: what the preset describes"),
        "regions": Must("the regions by name, each with its population, urban share and language share"),
        "urban_access": Must(f"the share of urban residents online, {_SHARE}"),
        "rural_access": Must(f"the share of rural residents online, {_SHARE}"),
        "age_bands": Must("the age bands by name from the youngest, each with its share"),
        "region_sd": Must("the sd >= 0 of a region's shift of position, per topic"),
        "topics": Must("what the population wants on each topic: mean, sd, salience"),
        "salience": Must("how salience moves and when a demand emerges"),
    },
    RegionConf: {
        "population": Must("residents >= 0"),
        "urban": Must(f"the share living in towns, {_SHARE}"),
        "kazakh": Must(f"the share whose main language is Kazakh, {_SHARE}"),
    },
    AgeBandConf: {"share": Must("its share >= 0 of the population")},
    TopicViewConf: {
        "mean": Must(f"the population's mean preferred position, {_POSITION}"),
        "sd": Must("the sd >= 0 of group positions around the mean"),
        "salience": Must(f"the long-run mean salience, {_SHARE}"),
    },
    SalienceConf: {
        "reversion": Must(f"the pull per day towards the long-run mean, {_SHARE}"),
        "volatility": Must("the daily sd of a group's salience, in [0, 1]"),
        "shock_prob": Must(f"the chance per topic per day of a nationwide news shock, {_SHARE}"),
        "shock_size": Must("the mean size >= 0 of a shock"),
        "threshold": Must("the salience in (0, 1] at which a demand emerges"),
        "refractory_days": Must("days >= 0 before a group raises the same demand again"),
        "lifetime_days": Must("days > 0 after which an unanswered demand lapses"),
        "satisfaction": Must(f"the factor on salience when a law answers a demand, {_SHARE}"),
        "answer_radius": Must("the distance >= 0 within which a bill answers a demand"),
    },
    ChannelsConf: {
        "name": Must("a name of letters, digits, '_' and '-'"),
        "description": Must("free text: what the preset describes"),
        "offline": Must("the offline path: reach and delay_days"),
        "voice": Must("how voiced demand becomes a signal: half_life_days, full_share, base_sd"),
        "initiative": Must("deputies' bills that follow their base's voice: initiators, share, min_level"),
        "council": Must("min_level, the voice a demand-fed initiator needs to table a bill"),
    },
    OfflineConf: {
        "reach": Must(f"the share of demands raised with a deputy, {_SHARE}"),
        "delay_days": Must("the mean delay in days >= 0"),
    },
    VoiceConf: {
        "half_life_days": Must(_DAYS),
        "full_share": Must("the share in (0, 1] of a group whose voice makes its signal full"),
        "base_sd": Must("the width > 0 of a party's base on the left-right axis"),
    },
    InitiativeConf: {
        "initiators": Must("a list of the parliament's initiators whose bills follow their base"),
        "share": Must(f"the chance that such a bill takes up a voiced demand, {_SHARE}"),
        "min_level": Must("the voice level >= 0 below which deputies do not take a demand up"),
    },
    CouncilConf: {"min_level": Must("the population-weighted voice level >= 0 needed for an initiative")},
    AudienceConf: {
        "languages": Must("a non-empty list of the languages it works in"),
        "unsupported_language_use": Must(f"its use by groups whose language it lacks, relative, {_SHARE}"),
    },
    PetitionConf: {
        "uptake": Must(f"the chance that an online group's demand becomes a petition, {_SHARE}"),
        "moderation_days": Must("working days >= 0 allowed for moderation"),
        "moderation_capacity": Must("petitions > 0 moderated per working day"),
        "reject_share": Must(f"the share refused at moderation, {_SHARE}"),
        "listing_votes": Must("votes >= 0 needed to be listed publicly"),
        "open_days": Must("days > 0 a petition gathers signatures"),
        "signatures_median": Must("the median final signatures > 0 at full reach"),
        "signatures_sigma": Must("the sd > 0 of log final signatures"),
        "growth_days": Must("the time scale > 0 in days of the signature curve"),
        "growth_shape": Must("the shape > 0 of the signature curve (> 1: S-shaped)"),
        "threshold": Must("signatures > 0 for consideration or a response"),
        "answer_days": Must("working days >= 0 allowed for the answer"),
        "answer_capacity": Must("petitions > 0 answered per working day"),
        "bill_share": Must(f"the chance that an answered petition leads to a bill, {_SHARE}"),
    },
    AppealConf: {
        "uptake": Must(f"the chance that an online group's demand produces appeals, {_SHARE}"),
        "writers_share": Must(f"the share of the group's online people who write, {_SHARE}"),
        "answer_days": Must("working days >= 0 allowed for the answer"),
        "max_days": Must("calendar days > 0 at most, with an extension"),
        "capacity": Must("appeal batches > 0 answered per working day"),
        "misdirected_share": Must(f"the share sent to the wrong body first, {_SHARE}"),
        "forward_days": Must("working days >= 0 to forward a misdirected appeal"),
        "attention_gain": Must("the extra attention >= 0 to a topic at full appeal voice"),
    },
    ConsultationConf: {
        "window_days": Must("working days >= 0 open for comments"),
        "comment_rate": Must("comments >= 0 per working day per million salient online people"),
        "half_quality_comments": Must("comments > 0 that take a draft halfway to its best"),
        "fail_cut": Must(f"the cut of failures at work stages at full quality, {_SHARE}"),
        "veto_gain": Must("the widening >= 0 of the head of state's tolerance at full quality"),
        "position_pull": Must(f"how far a draft moves towards commenters' view at full quality, {_SHARE}"),
    },
    AnalyticsConf: {
        "review_cut": Must("the cut of committee review time, a share in [0, 1)"),
        "defect_cut": Must(f"the cut of failures at work stages, {_SHARE}"),
    },
}


@functools.cache
def rules(cls: type) -> dict[str, Must]:
    """The fields of ``cls`` (or of an engine type it extends) that a preset must state."""
    out: dict[str, Must] = {}
    for base in reversed(cls.__mro__):
        out.update(MUST.get(base, {}))
    return out


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _arm(hint: Any) -> Any:
    """The type of an optional ``X | None`` (else ``hint``)."""
    if typing.get_origin(hint) in (typing.Union, UnionType):
        arms = [a for a in typing.get_args(hint) if a is not NoneType]
        return arms[0] if len(arms) == 1 else hint
    return hint


def _named(hint: Any) -> Any:
    """The item type of a mapping keyed by name whose items are description objects, else None."""
    if typing.get_origin(hint) is dict:
        item = typing.get_args(hint)[1]
        return item if dataclasses.is_dataclass(item) else None
    return None


#: A name of a preset or of an entry of one (a chamber, party, committee, topic, initiator, stage,
#: channel, region...): it becomes a column, a file's name, a key of a path and a CSV cell, so it
#: holds no dot, no separator and cannot start as a spreadsheet formula does.
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
NAMED = "letters, digits, '_' and '-' (not first): they name columns, files and paths"


# -- the Hydra schema ----------------------------------------------------------------------------
@functools.cache
def schema_of(cls: type) -> type:
    """The schema type of the description type ``cls``, for what presets compose: a subclass whose
    fields in :data:`MUST` are ``???`` until a preset states them, whose description objects are
    schema types too, and whose mappings keyed by name take ``null`` (an inherited entry removed)."""
    own = rules(cls)
    specs: list[tuple[str, Any, Any]] = []
    for f in dataclasses.fields(cls):
        hint = _hints(cls)[f.name]
        typed = _schema_hint(hint)
        if f.name in own:
            specs.append((f.name, typed, dataclasses.field(default=UNSET)))
        elif typed is not hint:
            specs.append((f.name, typed, _schema_default(f)))
    name = f"{cls.__name__}Schema"
    made = dataclasses.make_dataclass(name, specs, bases=(cls,), module=__name__)
    made.__doc__ = f"{cls.__name__} as presets compose it (``scenarios.stated``)."
    here = sys.modules[__name__]
    assert getattr(here, name, made) is made, name  # one schema type a name: pickled by reference
    setattr(here, name, made)
    return made


def _schema_hint(hint: Any) -> Any:
    arm = _arm(hint)
    if arm is not hint:  # X | None
        inner = _schema_hint(arm)
        return hint if inner is arm else typing.Optional[inner]  # noqa: UP045  # a type object, made here
    if dataclasses.is_dataclass(hint):
        return schema_of(hint)  # type: ignore[arg-type]
    item = _named(hint)
    if item is not None:
        return dict[str, typing.Optional[schema_of(item)]]  # type: ignore[misc]  # noqa: UP045
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        if dataclasses.is_dataclass(item):
            return list[schema_of(item)]  # type: ignore[misc]
    return hint


def _schema_default(f: dataclasses.Field) -> Any:
    """``f``'s default for its schema type: a description object's schema type in place of its own."""
    factory = f.default_factory
    if factory is not dataclasses.MISSING and dataclasses.is_dataclass(factory):
        return dataclasses.field(default_factory=schema_of(factory))  # type: ignore[arg-type]
    if factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=factory)
    return dataclasses.field(default=f.default)


# -- a composed config as data and as description objects -----------------------------------------
def complete(cls: type, data: Any) -> Any:
    """Resolved config data of the type ``cls`` (``OmegaConf.to_container(cfg, resolve=True)``) with
    each field that is left ``???`` where it is not read given its default, in place: what a run
    writes and fingerprints (``experiments.manifest.resolved``) holds the value the engine takes, as
    a config made in code does. A ``???`` that is needed stays, for :func:`typed` to refuse; keys
    that ``cls`` does not describe (``hydra``) are left as they are."""
    if not isinstance(data, dict):
        return data
    hints, own = _hints(cls), rules(cls)
    for f in dataclasses.fields(cls):
        value = data.get(f.name)
        if isinstance(value, str) and value == UNSET:
            must = own.get(f.name)
            if must is not None and not must.read_in(data):
                made = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
                data[f.name] = dataclasses.asdict(made) if dataclasses.is_dataclass(made) else made  # type: ignore[arg-type]
        elif value is not None:
            _complete(hints[f.name], value)
    return data


def _complete(hint: Any, value: Any) -> None:
    hint = _arm(hint)
    if dataclasses.is_dataclass(hint):
        complete(hint, value)  # type: ignore[arg-type]
    elif typing.get_origin(hint) is dict and isinstance(value, dict):
        for v in value.values():
            if v is not None:
                _complete(typing.get_args(hint)[1], v)
    elif typing.get_origin(hint) is list and isinstance(value, list):
        for v in value:
            _complete(typing.get_args(hint)[0], v)


def typed[T](cls: type[T], data: Mapping[str, Any], path: str = "", removed: list[str] | None = None) -> T:
    """The description object ``cls`` (an engine type, not its schema type) of resolved config data
    (``OmegaConf.to_container(cfg, resolve=True)``): a field left ``???`` that is needed is refused
    (``NotGiven``), one not needed where it is takes its default, and an entry of a mapping keyed by
    name that is ``null`` is left out (its path added to ``removed``)."""
    removed = [] if removed is None else removed
    hints, own = _hints(cls), rules(cls)
    given: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:  # made in code: the default
            continue
        value, at = data[f.name], f"{path}.{f.name}" if path else f.name
        if isinstance(value, str) and value == UNSET:
            must = own.get(f.name)
            if must is None:
                raise ConfigError(at, UNSET, "a value is required here")
            if must.read_in(data):
                raise NotGiven(at, UNSET, must.allowed)
            continue  # not read where it is: the default
        given[f.name] = _value(hints[f.name], value, at, removed)
    return cls(**given)


def _value(hint: Any, value: Any, at: str, removed: list[str]) -> Any:
    if value is None:
        return None
    hint = _arm(hint)
    if dataclasses.is_dataclass(hint):
        return typed(hint, value, at, removed)  # type: ignore[arg-type]
    origin = typing.get_origin(hint)
    if origin is dict:
        item = typing.get_args(hint)[1]
        named = _named(hint) is not None  # a mapping keyed by name, of description objects
        out = {}
        for k, v in value.items():
            if named and not NAME.fullmatch(str(k)):
                raise ConfigError(at, str(k), f"names of {NAMED}")
            if v is None and (named or item is Any):  # removed by a derived preset
                removed.append(f"{at}.{k}")
                continue
            out[k] = _value(item, v, f"{at}.{k}", removed)
        return out
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_value(item, v, f"{at}[{i}]", removed) for i, v in enumerate(value)]
    _given(value, at)
    return value


def _given(value: Any, at: str) -> None:
    """Refuse a ``???`` anywhere in free-form data (an experiment's settings)."""
    if isinstance(value, str) and value == UNSET:
        raise ConfigError(at, UNSET, "a value is required here")
    if isinstance(value, dict):
        for k, v in value.items():
            _given(v, f"{at}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _given(v, f"{at}[{i}]")


#: What a value of each of the schema's plain types must be, as a refusal says it.
_PLAIN = {bool: "true or false", int: "a whole number", float: "a number", str: "a text"}


def mistyped(hint: Any, value: Any, at: str = "") -> tuple[str, str] | None:
    """The first place where resolved config data (``value``, of the type ``hint``) is not of the
    schema's types, and what it must be there; None where it is. OmegaConf typed a run's config as it
    was composed, but what a run folder holds is read back as JSON, typed by nothing: a mapping given
    as a text ended its report in a traceback. Only types are checked, not values, nor keys the schema
    does not have (nothing reads them); a null is taken where :func:`typed` takes one."""
    if value is None or hint is Any:
        return None
    if typing.get_origin(hint) in (typing.Union, UnionType):
        found = [mistyped(arm, value, at) for arm in typing.get_args(hint) if arm is not NoneType]
        return None if None in found else found[0]
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            return at, "a mapping of settings"
        hints = _hints(hint)  # type: ignore[arg-type]
        for f in dataclasses.fields(hint):
            if f.name in value:
                found_in = mistyped(hints[f.name], value[f.name], f"{at}.{f.name}" if at else f.name)
                if found_in is not None:
                    return found_in
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict:
        if not isinstance(value, Mapping):
            return at, "a mapping"
        items = [(f"{at}.{k}", args[1], v) for k, v in value.items()]
    elif origin is list:
        if not isinstance(value, list):
            return at, "a list"
        items = [(f"{at}[{i}]", args[0], v) for i, v in enumerate(value)]
    else:
        return None if hint not in _PLAIN or _plain(hint, value) else (at, _PLAIN[hint])
    for where, item, v in items:
        found_in = mistyped(item, v, where)
        if found_in is not None:
            return found_in
    return None


def _plain(kind: type, value: Any) -> bool:
    """Whether ``value`` is of the plain type ``kind`` as JSON gives it: a whole number is a number
    too, and true is no number."""
    if kind is bool:
        return isinstance(value, bool)
    numbers = int | float if kind is float else kind
    return isinstance(value, numbers) and not isinstance(value, bool)


def without_removed_ranges(preset: Any, part: str, removed: list[str]) -> None:
    """Leave out of ``preset.ranges`` (a preset at ``part`` of the config) the ranges of the numbers
    of what ``removed`` names: they went with it (in place, on a new object)."""
    gone = [r.removeprefix(f"{part}.") for r in removed if r.startswith(f"{part}.")]
    ranges = getattr(preset, "ranges", None)
    if gone and ranges:
        preset.ranges = {k: v for k, v in ranges.items() if not any(k.startswith(f"{g}.") for g in gone)}
