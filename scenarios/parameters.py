"""Parameters of a scenario that experiments vary: typed, named, with a range and a unit.

Each ``Parameter`` maps a name to the config paths it acts on (``*`` stands for every key of a
mapping, e.g. every committee), how it acts (``set`` the value, or ``scale`` the preset's value by a
factor), its default range and unit. Sensitivity analysis, calibration, robustness experiments and
the app all choose parameters by name from :data:`PARAMETERS` (in the manner of the EMA Workbench's
parameters), never from a path typed by a user.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scenarios.errors import ConfigError
from scenarios.nodes import children, get, put
from scenarios.procedure import USES, readings, set_readings
from scenarios.schema import Config

#: How a parameter acts on its paths (see :class:`Parameter`).
MODES = ("set", "scale", "readings")
#: Where the app shows a lever: the procedure, the channels, or the assumptions with most influence.
LEVERS = ("procedure", "channels", "assumptions")


@dataclass(frozen=True)
class Parameter:
    """A named knob: the config paths it acts on, how, its default range and its unit.

    ``mode`` is ``set`` (every path takes the value), ``scale`` (every path is the preset's value
    times the factor) or ``readings`` (the number of readings of the procedure's votes of several
    readings, which changes the stages they expand into: :func:`scenarios.procedure.set_readings`).
    ``clip`` bounds the resulting values; ``integer`` rounds them. ``unless`` leaves out a number
    whose mapping has one of these (key, value) pairs (a fixed legal time is not work; a body fed
    by citizens' demands tables no bills at a rate). ``label`` names it for people (an English
    message id); ``lever`` is where a planner finds it in the app (one of :data:`LEVERS`; None: not
    there).
    """

    name: str
    paths: tuple[str, ...]
    mode: str
    low: float
    high: float
    unit: str
    doc: str
    integer: bool = False
    clip: tuple[float, float] | None = None
    label: str = ""
    lever: str | None = None
    unless: tuple[tuple[str, Any], ...] = ()

    def fit(self, value: float) -> float:
        """``value`` as a path takes it: clipped to ``clip`` and, for an integer, rounded."""
        if self.clip is not None:
            value = min(max(value, self.clip[0]), self.clip[1])
        return round(value) if self.integer else value

    def runs_at(self, value: float) -> float:
        """What a model runs with when an experiment gives the parameter ``value``: a value set, as
        fitted (an integer's value rounded); a factor, as given (what it scales is the presets')."""
        return float(value) if self.mode == "scale" else float(self.fit(float(value)))

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"parameter {self.name}: mode {self.mode!r}: allowed: {', '.join(MODES)}")
        if self.lever is not None and self.lever not in LEVERS:
            raise ValueError(f"parameter {self.name}: lever {self.lever!r}: allowed: {', '.join(LEVERS)}")


def _registry(*params: Parameter) -> dict[str, Parameter]:
    return {p.name: p for p in params}


#: The parameters experiments may vary. Ranges are assumptions of ours around the presets' values.
PARAMETERS: dict[str, Parameter] = _registry(
    Parameter(
        "committee_capacity",
        ("parliament.committees.*.capacity",),
        "set",
        2,
        16,
        "bills",
        "bills each committee examines at once",
        integer=True,
        label="Committee capacity (bills at once)",
        lever="procedure",
    ),
    Parameter(
        "party_discipline",
        ("parliament.chambers.*.parties.*.discipline",),
        "scale",
        0.5,
        1.1,
        "factor",
        "factor on every party's discipline (loyalty to the party line)",
        clip=(0.0, 1.0),
        label="Party discipline (factor)",
        lever="assumptions",
    ),
    Parameter(
        "vote_noise",
        ("parliament.vote_noise",),
        "set",
        0.05,
        1.0,
        "utility",
        "sd of the noise in a vote",
        label="Noise in votes",
        lever="assumptions",
    ),
    Parameter(
        "arrival_rate",
        ("parliament.initiators.*.rate_per_year", "parliament.arrival_rate"),
        "scale",
        0.5,
        1.5,
        "factor",
        "factor on every initiator's rate of bills",
        label="Bills tabled (factor on every initiator's rate)",
        lever="assumptions",
        unless=(("from_demands", True),),
    ),
    Parameter(
        "attendance",
        ("parliament.chambers.*.attendance",),
        "set",
        0.7,
        1.0,
        "share",
        "share of members present at a vote",
        label="Attendance at votes",
    ),
    Parameter(
        "agenda_capacity",
        ("parliament.chambers.*.agenda_capacity",),
        "set",
        3,
        20,
        "bills",
        "bills voted at one sitting",
        integer=True,
        label="Agenda capacity (bills per sitting)",
        lever="procedure",
    ),
    Parameter(
        "government_rate",
        ("parliament.initiators.government.rate_per_year",),
        "set",
        40,
        160,
        "bills / year",
        "the government's bills a year (its Poisson rate)",
    ),
    Parameter(
        "deputies_rate",
        ("parliament.initiators.deputies.rate_per_year",),
        "set",
        10,
        80,
        "bills / year",
        "deputies' own bills a year (their Poisson rate)",
    ),
    # A stage's duration is scaled as a whole: mean and sd together, so its shape (the coefficient of
    # variation) stays the preset's; the work between readings too.
    Parameter(
        "work_time",
        (
            "parliament.stages.*.duration.mean",
            "parliament.stages.*.duration.sd",
            "parliament.stages.*.between.mean",
            "parliament.stages.*.between.sd",
        ),
        "scale",
        0.5,
        1.5,
        "factor",
        "factor on every stage's drawn duration (mean and sd: the same shape, scaled)",
        label="Time of work stages (factor)",
        lever="assumptions",
        unless=(("dist", "fixed"),),
    ),
    Parameter(
        "complexity_sd",
        ("parliament.complexity_sd",),
        "set",
        0.0,
        1.0,
        "sd",
        "spread of bills' complexity",
        label="Spread of bills' complexity",
    ),
    Parameter(
        "veto_tolerance",
        ("parliament.head_of_state.veto_tolerance",),
        "set",
        0.3,
        1.2,
        "position",
        "how far a law may be from the head of state before a return",
        label="Head of state's tolerance before a return",
    ),
    # How the agents decide (committees, a second chamber, priority bills).
    Parameter(
        "gatekeeping",
        ("parliament.committee_rules.gatekeeping",),
        "set",
        0.0,
        1.0,
        "probability",
        "chance that a committee chair keeps a bill its party opposes off the agenda",
    ),
    Parameter(
        "committee_amendments",
        ("parliament.committee_rules.amend_threshold",),
        "set",
        0.05,
        0.4,
        "position",
        "distance from the committee's median beyond which a committee rewrites a bill",
    ),
    Parameter(
        "chamber_amendments",
        ("parliament.chambers.*.amendment.threshold",),
        "set",
        0.05,
        0.4,
        "position",
        "distance from a reviewing chamber's median beyond which it amends a law",
    ),
    Parameter(
        "priority_speed",
        ("parliament.priority.duration_factor",),
        "set",
        0.2,
        1.0,
        "factor",
        "factor on every stage's duration for a priority bill",
    ),
    # Citizens and channels: present only when the scenario has a citizens/ and channels/ preset.
    Parameter(
        "digital_access",
        ("citizens.urban_access", "citizens.rural_access"),
        "scale",
        0.5,
        1.2,
        "factor",
        "factor on the share of urban and rural residents online",
        clip=(0.0, 1.0),
        label="People online (factor)",
        lever="assumptions",
    ),
    Parameter(
        "petition_threshold",
        ("channels.petitions.*.threshold",),
        "scale",
        0.2,
        2.0,
        "factor",
        "factor on every e-petition platform's signature threshold",
        integer=True,
        label="E-petition signature threshold (factor)",
        lever="channels",
    ),
    Parameter(
        "senate_review_days",
        ("parliament.stages.senate_review.deadline_days",),
        "set",
        15,
        90,
        "days",
        "days the Senate has to review a law before silence counts as its decision",
        integer=True,
        label="Senate review deadline (days)",
        lever="procedure",
    ),
    Parameter(
        "readings",
        ("parliament.stages",),
        "readings",
        1,
        4,
        "readings",
        "readings of a bill in the chamber that adopts it first (the Mazhilis; the Kurultai, the only one)",
        integer=True,
        label="Readings of a bill",
        lever="procedure",
    ),
    Parameter(
        "petition_uptake",
        ("channels.petitions.*.uptake",),
        "set",
        0.0,
        0.5,
        "share",
        "chance that a demand of an online group becomes an e-petition",
        label="E-petition uptake",
        lever="channels",
    ),
    Parameter(
        "petition_bill_share",
        ("channels.petitions.*.bill_share",),
        "set",
        0.0,
        1.0,
        "share",
        "share of answered e-petitions that lead to a bill",
        label="E-petitions that lead to a bill",
        lever="channels",
    ),
    Parameter(
        "appeal_uptake",
        ("channels.appeals.*.uptake",),
        "set",
        0.0,
        1.0,
        "share",
        "chance that a demand of an online group produces appeals",
        label="Appeal uptake (e-Otinish)",
        lever="channels",
    ),
)


def leaves(conf: Any, path: str) -> list[tuple[str, Any, Any]]:
    """Every ``(concrete path, container, key)`` that ``path`` names and that holds a number."""
    found: list[tuple[str, Any, Any]] = []

    def walk(node: Any, parts: Sequence[str], at: str) -> None:
        if node is None:
            return
        head, rest = parts[0], parts[1:]
        keys = [k for k, _ in children(node)] if head == "*" else [head]
        for k in keys:
            sub = f"{at}.{k}" if at else str(k)
            if not rest:
                v = get(node, k)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    found.append((sub, node, k))
            else:
                walk(get(node, k), rest, sub)

    walk(conf, path.split("."), "")
    return found


def _read(conf: Any, path: str) -> bool:
    """Whether the model reads the number at ``path``: a stage's setting that its kind uses (a factor
    on every stage's duration leaves a vote's unused one alone), or anything else."""
    parts = path.split(".")
    if parts[:2] != ["parliament", "stages"] or len(parts) < 4:
        return True
    kind = get(get(_stages(conf), parts[2]), "kind") or "work"
    return parts[3] in USES.get(kind, ()) or parts[3] in ("max_rounds",)


def _stages(conf: Any) -> Any:
    return get(get(conf, "parliament"), "stages")


def acted_on(conf: Any, par: Parameter) -> list[tuple[str, Any, Any]]:
    """The leaves ``par`` acts on in ``conf``: those its paths name that the model reads, but for
    what it leaves out (``unless``)."""
    return [
        leaf
        for path in par.paths
        for leaf in leaves(conf, path)
        if _read(conf, leaf[0]) and not any(get(leaf[1], key) == value for key, value in par.unless)
    ]


def present(conf: Any, name: str) -> bool:
    """Whether a registered parameter acts on anything in ``conf`` (a Config or a resolved mapping)."""
    par = PARAMETERS[name]
    if par.mode == "readings":
        return bool(readings(_stages(conf) or {}))
    return bool(acted_on(conf, par))


def current(conf: Any, name: str) -> float | None:
    """The parameter's value in ``conf``: a ``set`` parameter's first value, 1 for a factor, the
    number of readings; None when it is not in ``conf``."""
    par = PARAMETERS[name]
    if not present(conf, name):
        return None
    if par.mode == "readings":
        stages = _stages(conf)
        return float(get(stages[readings(stages)[0]], "readings"))
    if par.mode == "scale":
        return 1.0
    _, node, key = acted_on(conf, par)[0]
    return float(get(node, key))


def plausible_span(conf: Any, name: str) -> tuple[float, float]:
    """The values of parameter ``name``, within its own range, that keep every number it acts on in
    ``conf`` (a Config or a resolved mapping) inside the plausible range its preset declares under
    ``ranges``: the values validation accepts. A number without a declared range bounds nothing."""
    par = PARAMETERS[name]
    lo, hi = float(par.low), float(par.high)
    if par.mode == "readings":
        return lo, hi
    c0, c1 = par.clip if par.clip is not None else (-math.inf, math.inf)
    for path, node, key in acted_on(conf, par):
        group, _, rest = path.partition(".")
        declared = get(get(conf, group), "ranges") or {}
        bounds = declared.get(rest) if hasattr(declared, "get") else None
        if not bounds:
            continue
        b_lo, b_hi, v = float(bounds[0]), float(bounds[1]), float(get(node, key))
        if par.mode == "set":
            lo, hi = max(lo, b_lo), min(hi, b_hi)
        elif v != 0:  # x * v, clipped to the parameter's clip, must lie in [b_lo, b_hi]
            low_x, high_x = sorted((b_lo / v, b_hi / v))
            if (c1 > b_hi) if v > 0 else (c0 < b_lo):  # no clip brings a large factor back
                hi = min(hi, high_x)
            if (c0 < b_lo) if v > 0 else (c1 > b_hi):
                lo = max(lo, low_x)
    return lo, hi


def targets(conf: Config, name: str) -> list[tuple[str, Any, Any]]:
    """The leaves a registered parameter acts on in ``conf``; a ConfigError if there are none."""
    if PARAMETERS[name].mode == "readings":
        raise ConfigError(
            "experiment.parameters", name, "a parameter with values (readings changes the procedure)"
        )
    found = acted_on(conf, PARAMETERS[name])
    if not found:
        where = ", ".join(PARAMETERS[name].paths)
        raise ConfigError("experiment.parameters", name, f"a parameter present in this scenario ({where})")
    return found


def apply[C](conf: C, values: dict[str, float]) -> C:
    """A copy of ``conf`` (a Config or a resolved mapping) with each named parameter set to (or
    scaled by) its value."""
    out = copy.deepcopy(conf)
    for name, value in values.items():
        par = PARAMETERS[name]
        if par.mode == "readings":
            if not present(out, name):
                raise ConfigError("experiment.parameters", name, "a procedure with a reading vote")
            set_readings(_stages(out), int(par.fit(float(value))))
            continue
        for _, node, key in targets(out, name):
            put(node, key, par.fit(float(value) if par.mode == "set" else get(node, key) * float(value)))
    return out
