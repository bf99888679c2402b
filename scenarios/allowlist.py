"""What Hydra may instantiate or import from a composed config: an allow-list, checked on the whole
config (the ``hydra`` node included) before Hydra acts on it.

Hydra instantiates the ``_target_`` of its callbacks, launcher and sweeper, and Python's logging
imports and calls the ``class`` and ``()`` of every handler, formatter and filter, and resolves
``ext://`` names, before a job runs. A user's preset (``# @package _global_``), an override
(``+hydra.callbacks.x._target_=...``) or a logging file (``hydra/job_logging=...``) could otherwise
make the program call any importable function. Only the entries below pass; anything else that names
code is refused with a ``ConfigError`` naming its path. Environment variables a job sets
(``hydra.job.env_set``) pass only when they are thread counts: others (``PYTHONPATH``, ``LD_PRELOAD``)
would change the code that worker processes load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from scenarios.errors import ConfigError

#: The sweep callback of ``experiment=compare`` (configs/experiment/compare.yaml).
CALLBACKS = frozenset({"experiments.sweep.CompareCallback"})
#: The launchers the README documents: basic, joblib and submitit (local, SLURM). Not Ray's: the
#: project has no Ray launcher (README, "Experiments and launchers"), so nothing of it may be named.
LAUNCHERS = frozenset(
    {
        "hydra._internal.core_plugins.basic_launcher.BasicLauncher",
        "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher",
        "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher",
        "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
    }
)
SWEEPERS = frozenset({"hydra._internal.core_plugins.basic_sweeper.BasicSweeper"})
#: Where Hydra instantiates a ``_target_`` (``*``: any key), and what it may name there.
TARGETS: dict[tuple[str, ...], frozenset[str]] = {
    ("hydra", "callbacks", "*"): CALLBACKS,
    ("hydra", "launcher"): LAUNCHERS,
    ("hydra", "sweeper"): SWEEPERS,
}
#: Logging configurations (``logging.config.dictConfig``) Hydra applies before a job runs.
LOGGING = (("hydra", "job_logging"), ("hydra", "hydra_logging"))
#: What a logging configuration may name: console handlers, on stdout/stderr (a formatter is given
#: by its ``format``, never by a class: Hydra's own policy refuses even ``logging.Formatter``).
LOG_CLASSES = {"handlers": frozenset({"logging.StreamHandler", "logging.NullHandler"})}
#: The levels a logger or handler may have (or a number).
LOG_LEVELS = ("CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET")
LOG_STREAMS = frozenset({"ext://sys.stderr", "ext://sys.stdout"})
#: Keys that make Hydra (``_target_``) or logging (``()``, ``.``) call code.
CODE_KEYS = ("_target_", "()", ".")
#: Environment variables a job may set: thread counts of numerical libraries.
ENV_NAMES = re.compile(r"[A-Z][A-Z0-9_]*_NUM_THREADS")
#: Resolvers an interpolation may call; ``oc.create`` and ``oc.decode`` would make containers (and
#: so ``_target_`` keys) out of a string, past this check.
RESOLVERS = frozenset(
    {"now", "hydra", "python_version", "oc.env", "oc.select", "oc.dict.keys", "oc.dict.values"}
)
_RESOLVER_CALL = re.compile(r"\$\{\s*([A-Za-z_][\w.]*)\s*:")


def _plain(node: Any) -> Any:
    """A config as plain data, values as written (interpolations unresolved: nothing is evaluated)."""
    if isinstance(node, DictConfig | ListConfig):
        return OmegaConf.to_container(node, resolve=False)
    return node


def _items(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) under plain ``node``, depth first."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _items(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _items(v, (*path, f"[{i}]"))


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path).replace(".[", "[")


def _matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p == "*" or p == k for k, p in zip(path, pattern, strict=True))


def _allowed_target(where: tuple[str, ...]) -> frozenset[str]:
    for pattern, names in TARGETS.items():
        if _matches(where, pattern):
            return names
    return frozenset()


def _check_target(where: tuple[str, ...], parent: Any, value: Any) -> None:
    names = _allowed_target(where)
    field = _dotted((*where, "_target_"))
    if not names:
        raise ConfigError(field, value, "no _target_ here: components are chosen by name, never instantiated")
    if not isinstance(value, str) or value not in names:
        raise ConfigError(field, value, f"one of {', '.join(sorted(names))}")
    if where[:2] == ("hydra", "callbacks") and len(parent) != 1:
        extra = sorted(str(k) for k in parent if k != "_target_")
        raise ConfigError(_dotted((*where, extra[0])), parent[extra[0]], "no parameters")


def _check_logging(base: tuple[str, ...], node: Any) -> None:
    """A logging configuration names only console handlers and std streams, and known levels."""
    for path, value in _items(node, base):
        rel = path[len(base) :]
        if isinstance(value, str) and value.startswith("ext://") and value not in LOG_STREAMS:
            raise ConfigError(_dotted(path), value, f"one of {', '.join(sorted(LOG_STREAMS))}")
        if (
            rel
            and rel[-1] == "level"
            and not (value in LOG_LEVELS or (isinstance(value, int) and not isinstance(value, bool)))
        ):
            raise ConfigError(_dotted(path), value, f"a number or one of {', '.join(LOG_LEVELS)}")
        if len(rel) == 3 and rel[2] == "class":
            allowed = LOG_CLASSES.get(rel[0], frozenset())
            if value not in allowed:
                what = f"one of {', '.join(sorted(allowed))}" if allowed else "no class here"
                raise ConfigError(_dotted(path), value, what)


def _check_launcher(cfg: dict[str, Any]) -> None:
    """A submitit launcher's job has a positive time limit and no shell lines of a config's own."""
    launcher = (cfg.get("hydra") or {}).get("launcher") or {}
    if not isinstance(launcher, dict) or "submitit" not in str(launcher.get("_target_", "")):
        return
    minutes = launcher.get("timeout_min")
    if not (isinstance(minutes, str) and minutes.startswith("${")) and not (
        isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0
    ):
        raise ConfigError("hydra.launcher.timeout_min", minutes, "a positive number of minutes")
    if launcher.get("setup"):
        raise ConfigError(
            "hydra.launcher.setup",
            launcher["setup"],
            "none: shell lines in a job's script would run what a config says",
        )


def _check_env(cfg: dict[str, Any]) -> None:
    job = (cfg.get("hydra") or {}).get("job") or {}
    if job.get("chdir") not in (None, False):  # the paths given (data=, robustness=) are the user's
        raise ConfigError(
            "hydra.job.chdir",
            job.get("chdir"),
            "false: a run writes into its folder without moving there, and reads the paths it is "
            "given from where it was started",
        )
    env = job.get("env_set") or {}
    for name, value in env.items() if isinstance(env, dict) else ():
        if not ENV_NAMES.fullmatch(str(name)):
            raise ConfigError(
                f"hydra.job.env_set.{name}", value, "only thread counts (names ending in _NUM_THREADS)"
            )


def check_instantiable(node: Any, prefix: str = "") -> None:
    """Refuse anything in ``node`` that would make Hydra or logging import or call code not on the
    allow-list. ``prefix`` is the path of ``node`` in the whole config (empty: the root)."""
    base = tuple(prefix.split(".")) if prefix else ()
    data = _plain(node)
    for path, value in _items(data, base):
        if isinstance(value, str):
            for name in _RESOLVER_CALL.findall(value):
                if name not in RESOLVERS:
                    raise ConfigError(
                        _dotted(path), value, f"interpolations calling only {', '.join(sorted(RESOLVERS))}"
                    )
        if not isinstance(value, dict):
            continue
        for key in CODE_KEYS:
            if key in value:
                if key == "_target_":
                    _check_target(path, value, value[key])
                else:
                    raise ConfigError(
                        _dotted((*path, key)), value[key], "no factory: nothing is instantiated"
                    )
        if path in LOGGING:
            _check_logging(path, value)
    if not base and isinstance(data, dict):
        _check_env(data)
        _check_launcher(data)
