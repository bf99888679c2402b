"""Parameters of an experiment (``experiment.*``): read over defaults, checked one by one.

A bad parameter raises ``ConfigError`` naming ``experiment.<key>``; the app turns it into one line
and exit code 2 before anything is written.
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments.files import whole
from scenarios.errors import ConfigError


def options(node: DictConfig | dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The ``experiment`` node as plain data over ``defaults``; unknown keys are refused."""
    given = OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else dict(node)
    if not isinstance(given, dict):
        raise ConfigError("experiment", given, "a mapping of the experiment's parameters")
    given.pop("kind", None)
    for key, value in given.items():
        if key not in defaults:
            raise ConfigError(f"experiment.{key}", value, f"one of {', '.join(defaults)}")
    return {**defaults, **given}


def check(s: dict[str, Any], key: str, ok: bool, allowed: str) -> None:
    if not ok:
        raise ConfigError(f"experiment.{key}", s[key], allowed)


def distinct_names(s: dict[str, Any], key: str, what: str, least: int = 1) -> list[str]:
    """``experiment.<key>``: a list of at least ``least`` distinct names (a name given twice would
    be reported, and counted among the compared, twice)."""
    v = s[key]
    ok = isinstance(v, list) and len(v) >= least and all(isinstance(n, str) and n for n in v)
    some = "a non-empty list of" if least == 1 else f"a list of at least {least}"
    check(s, key, ok and len(set(v)) == len(v), f"{some} distinct {what}")
    return v


#: Worker processes an experiment may ask for: more than a machine or a small cluster runs at once
#: only costs memory and start-up (each process holds the model's libraries).
MAX_WORKERS = 256


def workers(s: dict[str, Any]) -> None:
    """``workers``: 0 (one per core) up to :data:`MAX_WORKERS`."""
    v = s["workers"]
    ok = whole(v) and 0 <= v <= MAX_WORKERS
    check(s, "workers", ok, f"an integer from 0 (one per core) to {MAX_WORKERS}")


def positive_int(s: dict[str, Any], key: str, least: int = 1) -> None:
    v = s[key]
    check(s, key, whole(v) and v >= least, f"an integer >= {least}")
