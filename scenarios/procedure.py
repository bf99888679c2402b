"""Checks of a procedure: every stage's settings, and the graph the stages make.

Transitions must name a stage or a terminal outcome, every stage must be reachable from where bills
start, and every cycle (a navette, a return after a veto) must pass through a stage whose
``max_rounds`` bounds it. The first problem raises ``ConfigError`` naming the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from agents.majority import RULE_FORMS, parse_rule
from scenarios.errors import ConfigError
from scenarios.nodes import get, put
from sim.engine.parliament import (
    DISTRIBUTIONS,
    QUESTIONS,
    STAGE_KINDS,
    TERMINALS,
    TRANSITIONS,
    ChamberConf,
    StageConf,
)

#: The most times a bill may enter a stage on a cycle (navette rounds: the presets have 2 and 3).
MAX_ROUNDS = 10
#: The most readings a vote may have (parliaments hold up to three or four; each expands into stages,
#: so a count of 100,000 had the check build and search that many before any refusal).
MAX_READINGS = 10
READINGS = f"an integer from 1 to {MAX_READINGS}"


def expand_readings(stages: Mapping[str, StageConf], prefix: str = "parliament") -> dict[str, StageConf]:
    """The procedure with every vote of ``readings: n`` held n times: stages ``<name>`` (the first
    reading), ``<name>_amendments_<k>`` (committee work of ``between`` days after reading k) and
    ``<name>_<k>`` (reading k); the last reading takes the stage's transitions."""
    out: dict[str, StageConf] = {}
    for name, s in stages.items():
        at = f"{prefix}.stages.{name}"
        if s.kind == "vote" and not 1 <= s.readings <= MAX_READINGS:
            raise ConfigError(f"{at}.readings", s.readings, READINGS)
        if s.kind != "vote" or s.readings <= 1:
            out[name] = s
            continue
        if s.between is None:
            raise ConfigError(f"{at}.between", None, "the committee work between readings (a duration)")
        n = s.readings
        readings = [name] + [f"{name}_{k}" for k in range(2, n + 1)]
        for k, reading in enumerate(readings, 1):
            last = k == n
            work = f"{name}_amendments_{k}"
            for new in (reading, work) if not last else (reading,):
                if new != name and new in stages:
                    raise ConfigError(
                        f"{at}.readings", n, f"a count whose stages do not clash with the stage {new}"
                    )
            out[reading] = dataclasses.replace(
                s,
                label=f"{s.label or name}, reading {k}",
                readings=1,
                between=None,
                on_pass=s.on_pass if last else work,
            )
            if not last:
                out[work] = StageConf(
                    kind="work",
                    label=f"{s.label or name}, amendments after reading {k}",
                    duration=s.between,
                    committee=True,
                    decides=False,
                    chamber=s.chamber,
                    on_pass=readings[k],
                    on_fail=s.on_fail,
                )
    return out


#: The narrowest spread (sd / mean) of a lognormal or gamma duration; the widest is its inverse.
MIN_CV = 1e-3


#: The settings each kind of stage reads, besides ``kind``, ``label``, ``max_rounds``, ``on_pass`` and
#: ``on_fail`` (all kinds). A setting another kind reads is refused: it would be ignored.
USES = {
    "work": (
        "duration",
        "scale_by_complexity",
        "capacity",
        "committee",
        "decides",
        "fail_prob",
        "chamber",
        "on_amend",
    ),
    "vote": (
        "chamber",
        "rule",
        "reject_rule",
        "question",
        "quorum",
        "override",
        "readings",
        "between",
        "on_return",
    ),
    "review": (
        "duration",
        "scale_by_complexity",
        "chamber",
        "rule",
        "quorum",
        "deadline_days",
        "deemed",
        "on_return",
        "on_amend",
    ),
    "sign": ("duration", "scale_by_complexity", "deadline_days", "deemed", "on_return"),
}
_DEFAULT = StageConf()
#: Every setting some kind of stage reads (the others are all kinds').
_KIND_SETTINGS = frozenset(k for used in USES.values() for k in used)


def _ignored(s: StageConf) -> tuple[str, str] | None:
    """A setting of ``s`` that its stage would ignore, and when it would apply; None if none."""
    for key in sorted(_KIND_SETTINGS.difference(USES[s.kind])):
        if getattr(s, key) != getattr(_DEFAULT, key):
            kinds = [k for k, used in USES.items() if key in used]
            return key, f"left out: a {s.kind} stage does not use it (a {' or '.join(kinds)} stage does)"
    if s.kind == "work" and not s.committee:
        for key in ("chamber", "decides", "on_amend"):
            if getattr(s, key) != getattr(_DEFAULT, key):
                return key, "left out: it applies to a committee stage (committee: true)"
    if s.kind == "work" and s.committee and s.capacity is not None:
        return "capacity", "left out: a committee stage is served at the committee's own capacity"
    if s.kind == "work" and s.on_amend is not None and not s.decides:
        return "on_amend", "left out: a committee that does not decide never amends (decides: true)"
    if s.kind == "vote" and s.on_return is not None and s.reject_rule is None:
        return "on_return", "left out: a vote sends a bill back only with a reject_rule"
    return None


def check_procedure(
    stages: Mapping[str, StageConf],
    starts: Mapping[str, str],
    chambers: Mapping[str, ChamberConf],
    prefix: str = "parliament",
) -> None:
    """Check ``stages`` given the start stage of each initiator."""
    if not stages:
        raise ConfigError(f"{prefix}.stages", {}, "a procedure needs at least one stage")
    for name, s in stages.items():
        _check_stage(name, f"{prefix}.stages.{name}", s, stages, chambers)
    for who, start in starts.items():
        if start not in stages:
            raise ConfigError(
                f"{prefix}.initiators.{who}.start", start, f"one of the stages {sorted(stages)}"
            )
    _check_reachable(stages, starts, prefix)
    _check_cycles_bounded(stages, prefix)


def _check_stage(
    name: str, path: str, s: StageConf, stages: Mapping[str, StageConf], chambers: Mapping[str, ChamberConf]
) -> None:
    if s.kind not in STAGE_KINDS:
        raise ConfigError(f"{path}.kind", s.kind, f"one of {', '.join(STAGE_KINDS)}")
    ignored = _ignored(s)
    if ignored is not None:
        key, allowed = ignored
        raise ConfigError(f"{path}.{key}", getattr(s, key), allowed)
    targets = f"a stage ({', '.join(stages)}) or {' / '.join(TERMINALS)}"
    for key in TRANSITIONS:
        t = getattr(s, key)
        if t is not None and t not in stages and t not in TERMINALS:
            raise ConfigError(f"{path}.{key}", t, targets)
    if not 0 <= s.max_rounds <= MAX_ROUNDS:
        raise ConfigError(
            f"{path}.max_rounds", s.max_rounds, f"0 (no bound) or an integer from 1 to {MAX_ROUNDS}"
        )
    d = s.duration
    if d.dist not in DISTRIBUTIONS:
        raise ConfigError(f"{path}.duration.dist", d.dist, f"one of {', '.join(DISTRIBUTIONS)}")
    if not d.mean >= 0:
        raise ConfigError(f"{path}.duration.mean", d.mean, "a number of days >= 0")
    if d.dist in ("lognormal", "gamma", "exponential") and not d.mean > 0:
        raise ConfigError(f"{path}.duration.mean", d.mean, f"a positive number of days for {d.dist}")
    if d.dist in ("lognormal", "gamma") and not d.sd > 0:
        raise ConfigError(f"{path}.duration.sd", d.sd, f"a positive sd for {d.dist}")
    if d.dist in ("lognormal", "gamma") and not MIN_CV <= d.sd / d.mean <= 1 / MIN_CV:
        raise ConfigError(
            f"{path}.duration.sd", d.sd, f"between {MIN_CV:g} and {1 / MIN_CV:g} times the mean ({d.mean:g})"
        )
    if s.kind == "work":
        if s.capacity is not None and s.capacity < 1:
            raise ConfigError(f"{path}.capacity", s.capacity, "null (unlimited) or an integer >= 1")
        if not 0.0 <= s.fail_prob <= 1.0:
            raise ConfigError(f"{path}.fail_prob", s.fail_prob, "a probability in [0, 1]")
        if s.committee and s.chamber not in chambers:
            raise ConfigError(
                f"{path}.chamber", s.chamber, f"a committee stage needs one of {sorted(chambers)}"
            )
    if s.kind in ("vote", "review"):
        if s.chamber not in chambers:
            raise ConfigError(f"{path}.chamber", s.chamber, f"one of {sorted(chambers)}")
        for key in ("rule", "reject_rule"):
            value = getattr(s, key)
            if value is None and key == "reject_rule":
                continue
            try:
                parse_rule(value)
            except ValueError:
                raise ConfigError(f"{path}.{key}", value, RULE_FORMS) from None
        if s.quorum is not None and not 0.0 < s.quorum <= 1.0:
            raise ConfigError(f"{path}.quorum", s.quorum, "null or a share in (0, 1]")
    if s.kind == "vote":
        if s.question not in QUESTIONS:
            raise ConfigError(f"{path}.question", s.question, f"one of {', '.join(QUESTIONS)}")
        if s.reject_rule is not None and s.on_return is None:
            raise ConfigError(
                f"{path}.on_return", None, "the stage a bill goes to when it fails without being rejected"
            )
        if s.question == "amendments" and not any(o.on_amend == name for o in stages.values()):
            raise ConfigError(
                f"{path}.question",
                s.question,
                "bill, or amendments for a vote that a review's on_amend leads to (else nothing is amended)",
            )
    if s.kind in ("review", "sign"):
        if s.deadline_days is None or not s.deadline_days > 0:
            raise ConfigError(f"{path}.deadline_days", s.deadline_days, "a positive number of days")
        if s.deemed not in ("pass", "fail"):
            raise ConfigError(f"{path}.deemed", s.deemed, "pass or fail")
        if s.kind == "sign" and s.on_return is None:
            raise ConfigError(f"{path}.on_return", None, "the stage a vetoed law goes to")


def _check_reachable(stages: Mapping[str, StageConf], starts: Mapping[str, str], prefix: str) -> None:
    seen: set[str] = set()
    todo = [s for s in starts.values() if s in stages]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(t for t in stages[n].transitions() if t in stages)
    for name in stages:
        if name not in seen:
            raise ConfigError(
                f"{prefix}.stages.{name}", "unreachable", "every stage reachable from a start stage"
            )


def components(stages: Mapping[str, StageConf]) -> list[list[str]]:
    """The procedure's strongly connected components that cycle (Tarjan): the stages a bill may
    come back to."""
    graph = {n: [t for t in s.transitions() if t in stages] for n, s in stages.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = [0]
    out: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strongconnect(v)
    return out


def _check_cycles_bounded(stages: Mapping[str, StageConf], prefix: str) -> None:
    """Every cycle must contain a stage with ``max_rounds`` > 0 (a component that cycles and has no
    bounded stage is refused)."""
    for comp in components(stages):
        if not any(stages[c].max_rounds > 0 for c in comp):
            raise ConfigError(
                f"{prefix}.stages.{comp[0]}.max_rounds",
                0,
                f"a cycle ({' -> '.join(comp)}) needs a stage with max_rounds > 0 to bound it",
            )
        for c in comp:  # a bill past a bound leaves the cycle: else it would go round for ever
            if stages[c].max_rounds > 0 and stages[c].on_fail in comp:
                raise ConfigError(
                    f"{prefix}.stages.{c}.on_fail",
                    stages[c].on_fail,
                    f"a stage outside the cycle its max_rounds bounds ({' -> '.join(comp)}), or an end",
                )


def visits_per_bill(stages: Mapping[str, StageConf]) -> int:
    """The most stage visits one bill can make: once per stage outside a cycle; in a cycle, once
    more than the rounds of its bounded stages (every way back passes one of them within its bound,
    and a bill past a bound leaves the cycle), and a bounded stage once more than its own rounds."""
    most = {n: 1 for n in stages}
    for comp in components(stages):
        back = 1 + sum(stages[c].max_rounds for c in comp)
        for c in comp:
            own = stages[c].max_rounds
            most[c] = min(own + 1, back) if own > 0 else back
    return sum(most.values())


def readings(stages: Mapping[str, Any]) -> list[str]:
    """The votes that give bills several readings (a vote with a ``between`` duration: committee work
    between its readings), in order. ``stages`` holds stage descriptions as objects or plain mappings
    (a resolved config)."""
    return [n for n, s in stages.items() if get(s, "kind") == "vote" and get(s, "between") is not None]


def set_readings(stages: Mapping[str, Any], n: int) -> None:
    """Give bills ``n`` readings wherever the procedure holds several (in place)."""
    names = readings(stages)
    if not names or not 1 <= n <= MAX_READINGS:
        raise ConfigError("readings", n, f"{READINGS}, for a procedure with a vote of several readings")
    for name in names:
        put(stages[name], "readings", int(n))
