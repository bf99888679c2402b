"""Validate a composed config before anything runs.

Hydra has already checked types against the schema; here we check that no key lies outside the
schema (a misspelled ``+yeras=5`` would otherwise run with the defaults), that a preset stated
every setting of what is modelled (``scenarios.stated``: none runs on a default nobody chose), that
every number is finite, ranges, names that refer to other names (an entry a preset removed with
``null`` is named where it is missed), and the procedure graph. The first problem raises
``ConfigError`` naming the field, the value and what is allowed. A ``_target_`` (or any other way to
name code) is refused: components are chosen by name from registries in code, never instantiated
from a user's file (``scenarios.allowlist``).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Collection, Iterable
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from scenarios.allowlist import check_instantiable
from scenarios.calendar import check_calendar
from scenarios.checks import finite_numbers, in_range, need, non_negative, positive
from scenarios.citizens import check_channels, check_citizens
from scenarios.decisions import check_decisions
from scenarios.errors import ConfigError, counted
from scenarios.procedure import check_procedure, expand_readings
from scenarios.ranges import check_ranges
from scenarios.schema import LANGUAGES, Config
from scenarios.stated import NAME, NAMED, typed, without_removed_ranges
from sim.engine.calendar import meets, sessions, sitting_days, special_span
from sim.engine.parliament import TERMINALS, TRANSITIONS, ParliamentConf

#: The longest horizon a run may have, in years (a bound on days simulated; ``scenarios.cost``
#: bounds the work in them).
MAX_YEARS = 1000.0


def _subset(path: str, values: Iterable[int], allowed: range, what: str) -> None:
    vals = list(values)
    need(path, vals, bool(vals) and all(v in allowed for v in vals), what)


def _close(key: str, known: Iterable[str]) -> str:
    near = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {near[0]}?)" if near else ""


def schema_keys(kind: Any, key: str) -> str:
    """What a mapping typed by the dataclass ``kind`` allows in place of ``key``: its fields."""
    fields = [f.name for f in dataclasses.fields(kind)]
    return f"a key of the schema: one of {', '.join(fields)}" + _close(key, fields)


def check_schema_keys(node: Any, path: str = "") -> None:
    """Refuse a key the schema does not have (e.g. ``+yeras=5``, ``+parliament.chambers.x.seat=5``):
    every mapping typed by a dataclass holds only its fields. ``experiment`` (checked by its runner)
    and ``hydra`` (Hydra's own) are not described by the schema."""
    if isinstance(node, DictConfig):
        if node._is_missing() or node._is_none() or node._is_interpolation():
            return
        kind = OmegaConf.get_type(node)
        fields = [f.name for f in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) else None
        for k in node:
            key = str(k)
            sub = f"{path}.{key}" if path else key
            if fields is not None and key not in fields:
                raise ConfigError(sub, node._get_node(k)._value(), schema_keys(kind, key))
            if not path and key in ("experiment", "hydra"):
                continue
            check_schema_keys(node._get_node(k), sub)
    elif isinstance(node, ListConfig) and not (node._is_missing() or node._is_none()):
        for i in range(len(node)):
            check_schema_keys(node._get_node(i), f"{path}[{i}]")


def check_finite(node: Any, path: str = "") -> None:
    """Refuse ``inf`` or ``nan`` where it is written (the experiment's parameters included); a value
    it reaches by interpolation is refused on the typed config (``finite_numbers``)."""
    if isinstance(node, DictConfig | ListConfig):
        if node._is_missing() or node._is_none() or node._is_interpolation():
            return
        keys = node.keys() if isinstance(node, DictConfig) else range(len(node))
        for k in keys:
            sub = (f"{path}.{k}" if path else str(k)) if isinstance(node, DictConfig) else f"{path}[{k}]"
            check_finite(node._get_node(k), sub)
    elif not node._is_interpolation():
        finite_numbers(node._value(), path)


def typed_config(cfg: DictConfig) -> tuple[Config, list[str]]:
    """The typed ``Config`` of a composed DictConfig (interpolations resolved), and the paths of the
    entries a preset removed (``null``). A field that describes what is modelled and that no preset
    stated is refused (``scenarios.stated``)."""
    check_instantiable(cfg)
    check_schema_keys(cfg)
    check_finite(cfg)
    kind = OmegaConf.get_type(cfg)
    if not (isinstance(kind, type) and issubclass(kind, Config)):  # composed without the schema
        raise ConfigError("defaults", "schema", "the config must build on the 'schema' config")
    data = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    removed: list[str] = []
    conf = typed(Config, data, removed=removed)  # type: ignore[arg-type]
    for part in ("parliament", "citizens", "channels"):
        if getattr(conf, part) is not None:
            without_removed_ranges(getattr(conf, part), part, removed)
    return conf, removed


def validate(cfg: DictConfig) -> Config:
    """Check a composed config; return its typed form. Raises ``ConfigError`` on the first problem."""
    conf, removed = typed_config(cfg)
    try:
        return check_config(conf, removed)
    except ConfigError as e:
        raise _naming_removed(e, removed) from None


def _naming_removed(e: ConfigError, removed: list[str]) -> ConfigError:
    """``e``, saying so when the name it refuses is one that a preset removed (``null``): a stage
    whose transition names a removed stage, a petition whose initiator was removed."""
    names = {r.rsplit(".", 1)[-1]: r for r in removed if ".ranges." not in r}
    values = e.value if isinstance(e.value, list) else [e.value]
    gone = [names[v] for v in values if isinstance(v, str) and v in names]
    if type(e) is not ConfigError or not gone:
        return e
    return ConfigError(e.field, e.value, f"{e.allowed} ({gone[0]} was removed: null)")


def check_config(conf: Config, removed: Collection[str] = ()) -> Config:
    """Check a typed config (e.g. a validated one with some numbers changed); return it. ``removed``:
    the paths of the entries its presets removed, named where a check misses one."""
    finite_numbers(conf)
    need("seed", conf.seed, 0 <= conf.seed < 2**63, "an integer >= 0 (below 2**63)")
    in_range("years", conf.years, 0.0, MAX_YEARS, f"a positive number of years, at most {MAX_YEARS:g}")
    positive("years", conf.years)
    need("lang", conf.lang, conf.lang in LANGUAGES, f"one of {', '.join(LANGUAGES)}")
    check_parliament(conf.parliament, removed=removed)
    check_sittings(conf.parliament, conf.years)
    if conf.citizens is not None:
        check_citizens(conf.citizens, conf.parliament)
        check_ranges(conf.citizens, "citizens")
    if conf.channels is not None:
        need("channels", conf.channels.name, conf.citizens is not None, "channels need a citizens preset")
        check_channels(conf.channels, conf.parliament)
        check_ranges(conf.channels, "channels")
    if conf.reform is not None:
        for path in conf.reform.changes:  # a misspelt part ('chanels') covered nothing, silently
            need("reform.changes", path, str(path).split(".")[0] in SCENARIO_PARTS,
                 f"a path of the scenario, under {', '.join(SCENARIO_PARTS)}")  # fmt: skip
    return conf


#: The parts of a config a reform may change (what ``reform.changes`` paths start with).
SCENARIO_PARTS = (
    "parliament",
    "citizens",
    "channels",
    "years",
    "seed",
    "data",
)  # what scenarios.diff compares


def _origin(generated: str, p: ParliamentConf) -> str:
    """The stage of several readings that ``generated`` was expanded from."""
    return max((n for n in p.stages if generated.startswith(f"{n}_")), key=len, default=generated)


def check_sittings(p: ParliamentConf, years: float) -> None:
    """Every special session meets the run, and every chamber that votes sits at least once in a
    year of its sessions (or in the run, when longer): one that never sits never votes, and the run
    ended with no law and no word why."""
    for i, special in enumerate(p.calendar.special_sessions):
        need(
            f"parliament.calendar.special_sessions[{i}]",
            f"{special.opens} .. {special.closes}",
            meets(*special_span(p.calendar, special), years * 365.0),
            f"dates that meet the run's {counted(years, 'year', 'g')} from {p.calendar.start} "
            "(it would never open)",
        )
    horizon = max(366.0, years * 365.0)
    spans = sessions(p.calendar, horizon)
    voting = {s.chamber for s in p.stages.values() if s.kind in ("vote", "review")}
    for name in sorted(c for c in voting if c in p.chambers):
        weekdays = p.chambers[name].sitting_weekdays
        need(
            f"parliament.chambers.{name}.sitting_weekdays",
            list(weekdays),
            len(sitting_days(p.calendar.start, horizon, spans, weekdays)) > 0,
            "weekdays on which the chamber sits while a session is open (it would never vote)",
        )


def check_parliament(p: ParliamentConf, prefix: str = "parliament", removed: Collection[str] = ()) -> None:
    """Check one parliament config: ranges, names that refer to other names, the procedure.
    ``removed``: the paths of the entries its presets removed (a committee a stage misses is named)."""
    need(
        f"{prefix}.name",
        p.name,
        bool(NAME.fullmatch(str(p.name))),
        f"a name of {NAMED}",
    )
    for name, ch in p.chambers.items():
        at = f"{prefix}.chambers.{name}"
        positive(f"{at}.seats", ch.seats, integer=True)
        in_range(f"{at}.quorum", ch.quorum, 0.0, 1.0)
        need(f"{at}.quorum", ch.quorum, ch.quorum > 0, "a share in (0, 1]")
        in_range(f"{at}.attendance", ch.attendance, 0.0, 1.0)
        positive(f"{at}.agenda_capacity", ch.agenda_capacity, integer=True)
        non_negative(f"{at}.attention", ch.attention)
        _subset(
            f"{at}.sitting_weekdays",
            ch.sitting_weekdays,
            range(7),
            "a non-empty list of weekdays 0 (Monday) .. 6 (Sunday)",
        )
        for pname, party in ch.parties.items():
            pat = f"{at}.parties.{pname}"
            non_negative(f"{pat}.seats", party.seats)
            in_range(f"{pat}.position", party.position, -1.0, 1.0)
            non_negative(f"{pat}.spread", party.spread)
            in_range(f"{pat}.discipline", party.discipline, 0.0, 1.0)
        if ch.parties:
            total = sum(pt.seats for pt in ch.parties.values())
            need(
                f"{at}.parties",
                total,
                total == ch.seats,
                f"party seats adding up to the chamber's {ch.seats} seats (they add up to {total})",
            )
    check_calendar(p.calendar, f"{prefix}.calendar")
    need(f"{prefix}.topics", {}, bool(p.topics), "at least one policy topic")
    for t, tc in p.topics.items():
        non_negative(f"{prefix}.topics.{t}.weight", tc.weight)
        in_range(f"{prefix}.topics.{t}.status_quo", tc.status_quo, -1.0, 1.0)
    need(
        f"{prefix}.topics",
        "weights",
        sum(t.weight for t in p.topics.values()) > 0,
        "topic weights with a positive sum",
    )
    served: dict[tuple[str | None, str], str] = {}  # (chamber, topic) -> the committee serving it
    for c, cc in p.committees.items():
        at = f"{prefix}.committees.{c}"
        need(f"{at}.chamber", cc.chamber, cc.chamber in p.chambers, f"one of {sorted(p.chambers)}")
        positive(f"{at}.capacity", cc.capacity, integer=True)
        positive(f"{at}.size", cc.size, integer=True)
        if cc.chamber in p.chambers:  # it was cut to the chamber's size without a word
            seats = p.chambers[cc.chamber].seats
            most = f"at most the {counted(seats, 'member')} of {cc.chamber}"
            need(f"{at}.size", cc.size, cc.size <= seats, most)
        for t in cc.topics:
            need(f"{at}.topics", t, t in p.topics, f"topics among {sorted(p.topics)}")
            # one committee a topic in a chamber: the bills of a topic go to one (the other idled)
            other = served.setdefault((cc.chamber, t), c)
            need(
                f"{at}.topics",
                t,
                other == c,
                f"topics no other committee of {cc.chamber} has ({other} has {t})",
            )
    for w, ic in p.initiators.items():
        at = f"{prefix}.initiators.{w}"
        non_negative(f"{at}.rate_per_year", ic.rate_per_year)
        in_range(f"{at}.position", ic.position, -1.0, 1.0)
        non_negative(f"{at}.position_sd", ic.position_sd)
    non_negative(f"{prefix}.complexity_sd", p.complexity_sd)
    non_negative(f"{prefix}.vote_noise", p.vote_noise)
    in_range(f"{prefix}.loyalty_sd", p.loyalty_sd, 0.0, 1.0)
    in_range(f"{prefix}.head_of_state.position", p.head_of_state.position, -1.0, 1.0)
    non_negative(f"{prefix}.head_of_state.veto_tolerance", p.head_of_state.veto_tolerance)
    non_negative(f"{prefix}.head_of_state.noise_sd", p.head_of_state.noise_sd)
    if p.arrival_rate is not None:
        positive(f"{prefix}.arrival_rate", p.arrival_rate)
        total = sum(i.rate_per_year for i in p.initiators.values() if not i.from_demands)
        need(
            f"{prefix}.initiators",
            total,
            total > 0,
            "an initiator of Poisson bills (not from_demands) with a positive rate_per_year to scale",
        )
    # the single queue's settings, which its stage takes by interpolation: named as the user set them
    if p.servers is not None:
        positive(f"{prefix}.servers", p.servers, integer=True)
    if p.service_mean is not None:
        non_negative(f"{prefix}.service_mean", p.service_mean)
    check_decisions(p, prefix)
    stages = expand_readings(p.stages, prefix)
    # A reading's own stages are the procedure's, not a target or a start.
    targets = [(f"stages.{n}.{key}", getattr(st, key)) for n, st in p.stages.items() for key in TRANSITIONS]
    targets += [(f"initiators.{w}.start", i.start) for w, i in p.initiators.items()]
    for at, t in targets:
        need(
            f"{prefix}.{at}",
            t,
            t is None or t in p.stages or t not in stages,
            f"a stage of the procedure ({', '.join(p.stages)}) or {' / '.join(TERMINALS)}: "
            f"{t} is one of the stages a vote's readings expand into",
        )
    check_procedure(stages, {w: i.start for w, i in p.initiators.items()}, p.chambers, prefix)
    for name, s in stages.items():
        if s.kind == "work" and s.committee:
            covered = {t for c in p.committees.values() if c.chamber == s.chamber for t in c.topics}
            missing = sorted(set(p.topics) - covered)
            # work between readings is the vote's own (``between``); name the stage the user wrote
            at = (
                f"{prefix}.stages.{name}.committee"
                if name in p.stages
                else f"{prefix}.stages.{_origin(name, p)}.between"
            )
            gone = sorted(r for r in removed if r.startswith(f"{prefix}.committees."))
            if missing and gone:  # the removal the user made is what the line names
                other = next((n for n, c in p.committees.items() if c.chamber == s.chamber), "NAME")
                topics = ", ".join(missing)
                raise ConfigError(
                    gone[0],
                    None,
                    f"a removal that leaves committees of {s.chamber} covering every topic ({topics} "
                    f"left to none): give {'them' if len(missing) > 1 else 'it'} to another committee "
                    f"as well, e.g. '{prefix}.committees.{other}.topics=[...,{topics}]'",
                )
            if missing:  # a committee deleted with ~ leaves its ranges: their line says to use null
                check_ranges(p, prefix)
            need(
                at,
                True,
                not missing,
                f"committees of {s.chamber} covering every topic (missing: {', '.join(missing)})",
            )
    check_ranges(p, prefix)  # after the structure: a range of a removed committee names it second
