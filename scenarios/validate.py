"""Validate a composed config before anything runs.

Hydra has already checked types against the schema; here we check ranges, names that refer to other
names, and the procedure graph. The first problem raises ``ConfigError`` naming the field, the value
and what is allowed. A ``_target_`` anywhere is refused: components are chosen by name from
registries in code, never instantiated from a user's file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue

from scenarios.checks import in_range, need, non_negative, positive
from scenarios.citizens import check_channels, check_citizens
from scenarios.errors import ConfigError
from scenarios.procedure import check_procedure
from scenarios.schema import LANGUAGES, Config
from sim.engine.parliament import ParliamentConf


def _subset(path: str, values: Iterable[int], allowed: range, what: str) -> None:
    vals = list(values)
    need(path, vals, bool(vals) and all(v in allowed for v in vals), what)


def refuse_targets(node: Any, path: str = "") -> None:
    """Refuse any ``_target_`` key: nothing in a user's file is instantiated."""
    if isinstance(node, DictConfig):
        for k in node:
            sub = f"{path}.{k}" if path else str(k)
            if k == "_target_":
                raise ConfigError(
                    sub,
                    node._get_node(k)._value(),
                    "no _target_: components are chosen by name, never instantiated",
                )
            refuse_targets(node._get_node(k), sub)
    elif isinstance(node, ListConfig):
        for i, v in enumerate(node._iter_ex(resolve=False)):
            refuse_targets(v, f"{path}[{i}]")


def to_config(cfg: DictConfig) -> Config:
    """The typed ``Config`` object of a composed DictConfig (interpolations resolved)."""
    refuse_targets(cfg)
    try:
        obj = OmegaConf.to_object(cfg)
    except MissingMandatoryValue as e:
        raise ConfigError(e.full_key, "???", "a value is required here") from None
    if not isinstance(obj, Config):  # composed without the schema (e.g. a bare user config)
        raise ConfigError("defaults", "schema", "the config must build on the 'schema' config")
    return obj


def validate(cfg: DictConfig) -> Config:
    """Check a composed config; return its typed form. Raises ``ConfigError`` on the first problem."""
    conf = to_config(cfg)
    need("seed", conf.seed, conf.seed >= 0, "an integer >= 0")
    positive("years", conf.years)
    need("lang", conf.lang, conf.lang in LANGUAGES, f"one of {', '.join(LANGUAGES)}")
    check_parliament(conf.parliament)
    if conf.citizens is not None:
        check_citizens(conf.citizens, conf.parliament)
    if conf.channels is not None:
        need("channels", conf.channels.name, conf.citizens is not None, "channels need a citizens preset")
        check_channels(conf.channels, conf.parliament)
    return conf


def check_parliament(p: ParliamentConf, prefix: str = "parliament") -> None:
    """Check one parliament config: ranges, names that refer to other names, the procedure."""
    need(f"{prefix}.name", p.name, bool(p.name), "a name for the parliament")
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
            need(f"{at}.parties", total, total > 0, "parties holding at least one seat")
    cal = p.calendar
    try:
        date.fromisoformat(cal.start)
    except (TypeError, ValueError):
        raise ConfigError(f"{prefix}.calendar.start", cal.start, "a date YYYY-MM-DD") from None
    _subset(
        f"{prefix}.calendar.session_months",
        cal.session_months,
        range(1, 13),
        "a non-empty list of months 1 .. 12",
    )
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
    for c, cc in p.committees.items():
        at = f"{prefix}.committees.{c}"
        need(f"{at}.chamber", cc.chamber, cc.chamber in p.chambers, f"one of {sorted(p.chambers)}")
        positive(f"{at}.capacity", cc.capacity, integer=True)
        positive(f"{at}.size", cc.size, integer=True)
        for t in cc.topics:
            need(f"{at}.topics", t, t in p.topics, f"topics among {sorted(p.topics)}")
    for w, ic in p.initiators.items():
        at = f"{prefix}.initiators.{w}"
        non_negative(f"{at}.rate_per_year", ic.rate_per_year)
        in_range(f"{at}.position", ic.position, -1.0, 1.0)
        non_negative(f"{at}.position_sd", ic.position_sd)
    non_negative(f"{prefix}.complexity_sd", p.complexity_sd)
    non_negative(f"{prefix}.vote_noise", p.vote_noise)
    in_range(f"{prefix}.head_of_state.position", p.head_of_state.position, -1.0, 1.0)
    non_negative(f"{prefix}.head_of_state.veto_tolerance", p.head_of_state.veto_tolerance)
    non_negative(f"{prefix}.head_of_state.noise_sd", p.head_of_state.noise_sd)
    if p.arrival_rate is not None:
        positive(f"{prefix}.arrival_rate", p.arrival_rate)
        total = sum(i.rate_per_year for i in p.initiators.values())
        need(
            f"{prefix}.initiators",
            total,
            total > 0,
            "an initiator with a positive rate_per_year for arrival_rate to scale",
        )
    check_procedure(p.stages, {w: i.start for w, i in p.initiators.items()}, p.chambers, prefix)
    for name, s in p.stages.items():
        if s.kind == "work" and s.committee:
            covered = {t for c in p.committees.values() if c.chamber == s.chamber for t in c.topics}
            missing = sorted(set(p.topics) - covered)
            need(
                f"{prefix}.stages.{name}.committee",
                True,
                not missing,
                f"committees of {s.chamber} covering every topic (missing: {', '.join(missing)})",
            )
