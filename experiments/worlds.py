"""Plausible worlds: one value for each assumed number of the compared scenarios' presets.

The assumed numbers are the union of the ``ranges`` that the parliament, citizens and channels
presets of the compared scenarios declare, by full config path (``parliament.vote_noise``,
``channels.analytics.analytics.review_cut``). A path holds one value in a world, applied to every
scenario that has that number; a path only one preset has (the Senate's, the Kurultai's) is applied
only there. A number that a compared scenario's presets set otherwise than the baseline's (where
the baseline's declare it), or than the presets that declare it, is part of what sets that scenario
apart (a lever, not an uncertainty): the scenario keeps its own value in every world, while the
others move (a world that moved both would undo the difference); where no value is the one to move
(presets that declare it differ, the baseline's not among them), no world moves it. ``same`` ties a
path to another's quantile within its own range (the Kurultai's attendance "as the Mazhilis"): the
two move together across worlds. World 0 is the presets as they are; the other worlds are a Latin
hypercube or a scrambled Sobol sequence over the ranges, seeded.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from scenarios import Config
from scenarios.errors import ConfigError
from scenarios.ranges import assign, lookup
from scenarios.validate import check_config

#: The sections of a config whose presets declare ranges.
SECTIONS = ("parliament", "citizens", "channels")
SAMPLERS = ("lhs", "sobol")


@dataclass(frozen=True)
class Assumption:
    """An assumed number: its full path, its plausible range, whether it is a whole number, its
    value in each scenario that has it, the path whose quantile it takes (``None``: its own), and
    the scenarios that set it otherwise (``held``: they keep their own value in every world)."""

    path: str
    low: float
    high: float
    integer: bool
    presets: dict[str, float] = field(default_factory=dict)
    follows: str | None = None
    held: tuple[str, ...] = ()

    @property
    def varied(self) -> bool:
        """Whether a world moves it in some scenario (not where every one keeps its own value)."""
        return not set(self.presets) <= set(self.held)

    def at(self, u: float) -> float | int:
        """The value at quantile ``u`` of the range; for a whole number, each of the range's whole
        numbers takes an equal share of the quantiles (rounding gave the ends half a share each:
        a range of 1 to 3 rounds gave 1 and 3 a quarter of the worlds each)."""
        if self.integer:
            first, last = math.ceil(self.low), math.floor(self.high)
            return int(min(first + math.floor(float(u) * (last - first + 1)), last))
        return self.low + float(u) * (self.high - self.low)


def get(data: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in nested mappings; ``KeyError`` if absent."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(part)
        node = node[part]
    return node


def has(data: Mapping[str, Any], path: str) -> bool:
    try:
        get(data, path)
    except KeyError:
        return False
    return True


def put(data: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    node = data
    for part in head:
        node = node[part]
    node[last] = value


def space(
    configs: Mapping[str, Any],
    resolved: Mapping[str, Mapping[str, Any]],
    same: Mapping[str, str],
    optional: Collection[tuple[str, str]] = (),
    baseline: str | None = None,
) -> list[Assumption]:
    """The assumed numbers of the scenarios (``configs``: name -> validated ``Config``;
    ``resolved``: name -> its resolved config as data), by path, in the order first declared.
    A path declared with different ranges in two presets is refused: it would not be one number.
    ``same`` ties a path to another's quantile. A tie in ``optional`` (the default ties, made for the
    reform's presets) applies only where both paths are declared; any other must name two declared
    paths, so that a misspelt one is refused. A path is ``held`` in the scenarios whose value
    differs from its reference (:func:`_reference`)."""
    found: dict[str, Assumption] = {}
    declared: dict[str, set[str]] = {}
    for name, conf in configs.items():
        for section in SECTIONS:
            node = getattr(conf, section, None)
            for inner, bounds in (getattr(node, "ranges", None) or {}).items():
                path = f"{section}.{inner}"
                lo, hi = float(bounds[0]), float(bounds[1])
                value = lookup(node, inner)
                prev = found.get(path)
                if prev is not None and (prev.low, prev.high) != (lo, hi):
                    raise ConfigError(
                        f"{section}.ranges.{inner}",
                        [lo, hi],
                        f"the same range in every compared preset ({[prev.low, prev.high]} elsewhere)",
                    )
                presets = dict(prev.presets) if prev is not None else {}
                integer = isinstance(value, int) and not isinstance(value, bool)
                found[path] = Assumption(path, lo, hi, integer, presets | {name: value})
                declared.setdefault(path, set()).add(name)
    for name, data in resolved.items():  # a scenario that has the number without declaring it
        for path, a in found.items():
            if name not in a.presets and has(data, path):
                a.presets[name] = get(data, path)
    for path, a in found.items():  # what a scenario sets otherwise than the value a world moves
        reference = _reference(a, declared[path], baseline)
        found[path] = replace(a, held=tuple(n for n, v in a.presets.items() if v != reference))
    ties = {
        follower: leader
        for follower, leader in same.items()
        if (follower, leader) not in optional or (follower in found and leader in found)
    }
    for follower, leader in ties.items():
        for key, path in (("same", follower), (f"same.{follower}", leader)):
            if path not in found:
                raise ConfigError(
                    f"experiment.{key}", path, "a path with a declared range in one of the compared presets"
                )
        if leader in ties:
            raise ConfigError(f"experiment.same.{follower}", leader, "a path that follows no other")
        found[follower] = replace(found[follower], follows=leader)
    return list(found.values())


#: The value a world moves where there is none: every scenario keeps its own.
_NO_VALUE = object()


def _reference(a: Assumption, declared: Collection[str], baseline: str | None) -> Any:
    """The value of ``a`` that a world moves: the baseline's where its presets declare the number,
    otherwise the one value of the presets that declare it (a scenario with another value keeps
    it). Declaring presets that differ, without the baseline among them, leave no such value: each
    of them sets the number its own way, so no world moves it (it is not varied in the run)."""
    if baseline in declared:
        return a.presets[baseline]
    own = {v for n, v in a.presets.items() if n in declared}
    return own.pop() if len(own) == 1 else _NO_VALUE


def design(assumptions: Sequence[Assumption], worlds: int, sampler: str, seed: int) -> np.ndarray:
    """Quantiles (worlds x assumptions) of every world but world 0; a follower takes its leader's."""
    from scipy.stats import qmc

    free = [a for a in assumptions if a.follows is None]
    n = worlds - 1
    if sampler == "lhs":
        u = qmc.LatinHypercube(d=len(free), seed=seed).random(n)
    else:  # the first n points of a scrambled Sobol sequence of 2^m >= n points
        u = qmc.Sobol(d=len(free), scramble=True, seed=seed).random_base2(max(1, math.ceil(math.log2(n))))[:n]
    col = {a.path: j for j, a in enumerate(free)}
    return np.column_stack([u[:, col[a.follows or a.path]] for a in assumptions])


def values(assumptions: Sequence[Assumption], u: np.ndarray) -> list[dict[str, float | int | None]]:
    """Every world's value of every assumption: world 0 the presets' own (a path's single value, or
    ``None`` when the presets differ on it), then the quantiles ``u`` mapped into the ranges
    (``None`` for a number no scenario takes from a world)."""
    first: dict[str, float | int | None] = {}
    for a in assumptions:
        distinct = set(a.presets.values())
        first[a.path] = distinct.pop() if len(distinct) == 1 else None
    rows = [first]
    moved = [(a, a.varied) for a in assumptions]
    for row in u:
        rows.append({a.path: a.at(q) if varied else None for (a, varied), q in zip(moved, row, strict=True)})
    return rows


def held_paths(assumptions: Sequence[Assumption], scenario: str) -> frozenset[str]:
    """The numbers ``scenario`` keeps its own value of in every world (``held``)."""
    return frozenset(a.path for a in assumptions if scenario in a.held)


def taken(world: Mapping[str, Any], held: Collection[str]) -> dict[str, Any]:
    """``world`` as a scenario takes it: without the numbers it keeps its own value of (``held``)."""
    return {path: value for path, value in world.items() if path not in held}


def _copy[T](obj: T) -> T:
    """A deep copy of plain data (dicts, lists, numbers, dataclasses of them): a pickle round trip,
    several times faster than ``copy.deepcopy`` on a whole config (one per world and scenario)."""
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def apply(data: Mapping[str, Any], world: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a scenario's resolved config with the world's values where the scenario has the
    path (world 0's ``None``: the preset's own value kept)."""
    out = _copy(dict(data))
    for path, value in world.items():
        if value is not None and has(out, path):
            put(out, path, value)
    return out


def apply_typed(conf: Config, world: Mapping[str, Any]) -> Config:
    """The same on a validated ``Config`` (composing the config again from data is far slower),
    checked again: the world's values must pass every check a preset's do."""
    out = _copy(conf)
    for path, value in world.items():
        if value is None:
            continue
        section, inner = path.split(".", 1)
        node = getattr(out, section, None)
        try:
            lookup(node, inner)
        except KeyError:
            continue
        assign(node, inner, value)
    return check_config(out)
