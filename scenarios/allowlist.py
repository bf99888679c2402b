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
from collections.abc import Iterable, Iterator
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
#: The keys of a logging configuration (``logging.config.dictConfig``'s schema).
LOG_KEYS = (
    "version",
    "formatters",
    "filters",
    "handlers",
    "loggers",
    "root",
    "incremental",
    "disable_existing_loggers",
)
#: Keys that make Hydra (``_target_``) or logging (``()``, ``.``) call code.
CODE_KEYS = ("_target_", "()", ".")
#: Hydra's own folder in a run's (``hydra.output_subdir``): one hidden name, never a path out of it,
#: and never one of the run's own files (``config.yaml``, ``replications``: a name the run writes
#: became Hydra's folder, and the run, and every rerun, failed over it or refused to resume).
SUBDIR = re.compile(r"(?!\.\.?$)\.[\w.-]+")
#: The settings of Hydra's submitit launchers (``SlurmQueueConf``, ``LocalQueueConf``) a config may
#: give: the job's resources, name, queue and retries. Not ``setup``, nor keys of its own that
#: submitit would take (``teardown``, ``srun_args``): shell lines and ``srun`` options of a job's
#: script run what a config says, on every node.
SUBMITIT = frozenset(
    {
        "_target_", "submitit_folder", "timeout_min", "cpus_per_task", "gpus_per_node", "tasks_per_node",
        "mem_gb", "nodes", "name", "stderr_to_stdout", "partition", "qos", "comment", "constraint",
        "exclude", "gres", "cpus_per_gpu", "gpus_per_task", "mem_per_gpu", "mem_per_cpu", "account",
        "signal_delay_s", "max_num_timeout", "additional_parameters", "array_parallelism",
    }
)  # fmt: skip
#: The ``#SBATCH`` options ``additional_parameters`` may add (``_`` or ``-``): scheduling and mail,
#: none that names a file, a folder, an environment or a command (``export``, ``chdir``, ``output``,
#: ``wrap``...), which would change what the job runs or where it writes.
SBATCH_EXTRA = frozenset(
    {
        "begin", "clusters", "cores-per-socket", "deadline", "dependency", "exclusive", "hint",
        "licenses", "mail-type", "mail-user", "mem", "mincpus", "nice", "no-requeue", "ntasks",
        "ntasks-per-node", "priority", "requeue", "reservation", "sockets-per-node", "switches",
        "threads-per-core", "time", "time-min", "tmp", "wckey",
    }
)  # fmt: skip
#: Environment variables a job may set: thread counts of numerical libraries.
ENV_NAMES = re.compile(r"[A-Z][A-Z0-9_]*_NUM_THREADS")
#: A thread count, as a job may set one.
THREADS = re.compile(r"[1-9][0-9]{0,2}|10[01][0-9]|102[0-4]")
#: Where Hydra records the command's words (checked where they apply, not as its record of them).
COMMAND_WORDS = frozenset(
    {("hydra", "overrides", "task"), ("hydra", "overrides", "hydra"), ("hydra", "job", "override_dirname")}
)
#: The variable an ``oc.env`` interpolation reads (its first argument, as written).
ENV_READ = re.compile(r"oc\.env\s*:([^,}]*)")
#: Resolvers an interpolation may call; ``oc.create`` and ``oc.decode`` would make containers (and
#: so ``_target_`` keys) out of a string, past this check.
RESOLVERS = frozenset(
    {"now", "hydra", "python_version", "oc.env", "oc.select", "oc.dict.keys", "oc.dict.values"}
)
#: Where a value is read as code, as a logging handler or as a launcher's setting (Hydra's
#: callbacks, launcher and sweeper, the two logging configurations): values there are written out,
#: never interpolated, since what an interpolation gives is not what the text says (a reference to
#: a node elsewhere, a resolver's default, an environment variable made handlers, streams, targets).
SENSITIVE = (("hydra", "callbacks"), ("hydra", "launcher"), ("hydra", "sweeper"), *LOGGING)
#: The interpolations allowed there: those of Hydra's own submitit launcher, a job's name and the
#: sweep's folder (under which its files must stay).
INTERPOLATED = {
    ("hydra", "launcher", "name"): re.compile(r"\$\{hydra\.job\.name\}"),
    ("hydra", "launcher", "submitit_folder"): re.compile(r"\$\{hydra\.sweep\.dir\}/(?!.*\.\.)[^$]*"),
}
_NAME = re.compile(r"[A-Za-z_][\w.]*")
#: A node's path (``..x``: relative): a name, then ``[N]`` indexes and ``.name`` parts once the first
#: index is met. Each character has one place in it (possessive, no two ways to split a part), so a
#: text that is not one is refused in linear time: an ambiguous pattern took minutes on an
#: interpolation of 100,000 ``.a``.
_PATH = re.compile(r"\.*+[A-Za-z_][\w.\-]*+(?:(?:\[\d++\])++(?:\.[\w\-]++(?:\[\d++\])*+)*+)?+")


def _closing(s: str, start: int) -> int:
    """The index of the brace that closes the ``{`` at ``start`` (-1: none), as OmegaConf's grammar
    reads it: braces inside a quoted string (``'...'``, ``"..."``, with backslash escapes) are text."""
    depth, i, quote = 0, start, ""
    while i < len(s):
        c = s[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _unquoted(s: str) -> str:
    """``s`` with its quoted strings emptied (``'a{b'`` -> ``''``): what the grammar reads as syntax."""
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", s)


def _outside(s: str) -> tuple[str, list[str]]:
    """``s`` without its ``${...}`` (each left as ``$``), and their insides."""
    rest, inner, i = [], [], 0
    while (j := s.find("${", i)) >= 0:
        if j > 0 and s[j - 1] == "\\" and not (j > 1 and s[j - 2] == "\\"):  # \${: text, not one
            rest.append(s[i : j + 2])
            i = j + 2
            continue
        end = _closing(s, j + 1)
        if end < 0:
            raise ValueError("an interpolation that is not closed")
        rest.append(s[i:j] + "$")
        inner.append(s[j + 2 : end])
        i = end + 1
    rest.append(s[i:])
    return "".join(rest), inner


def resolvers(s: str) -> list[str]:
    """The resolvers the interpolations of a value call, nested ones too, read as OmegaConf reads
    them, strictly: a resolver's name and a node's path are written out (``${oc.${x}:...}`` names
    no resolver one can check), and a call's arguments are plain values or interpolations (a mapping
    or list in them becomes a node, as ``oc.select``'s default did). ``ValueError`` for anything
    else."""
    _, inner = _outside(s)
    out = []
    for text in inner:
        head, colon, args = text.partition(":")
        if colon:
            name = head.strip()
            if not _NAME.fullmatch(name):
                raise ValueError("a resolver's name written out")
            plain, nested = _outside(args)
            if "{" in _unquoted(plain) or "[" in _unquoted(plain):
                raise ValueError("a resolver's arguments as plain values, not mappings or lists")
            out += [name, *(r for n in nested for r in resolvers("${" + n + "}"))]
        elif "${" in text:  # a key made by another interpolation (``${a.${b}}``): check that one
            out += resolvers(text)
        elif not _PATH.fullmatch(text.strip()):
            raise ValueError("a reference to a node written out as its path")
    return out


def references(s: str) -> list[str]:
    """The nodes the interpolations of a value name, as written (``.a``, ``a.b``), nested ones too;
    a key made by another interpolation counts as one reference of its own (``?``)."""
    _, inner = _outside(s)
    out: list[str] = []
    for text in inner:
        head, colon, args = text.partition(":")
        if colon and _NAME.fullmatch(head.strip()):  # a resolver: what its arguments interpolate
            out += [r for n in _outside(args)[1] for r in references("${" + n + "}")]
        elif "${" in text:
            out += ["?", *references(text)]
        else:
            out.append(text.strip())
    return out


#: The most nodes a config's interpolations may resolve, one counted each time it is resolved: a
#: chain of values each naming the one before twice (``l2: ${.l1}${.l1}``) takes 2**n resolutions,
#: hours of CPU for 30 lines.
MOST_RESOLVED = 100_000


def _check_resolution_cost(data: Any) -> None:
    """Refuse a config whose interpolations would resolve more than :data:`MOST_RESOLVED` nodes."""
    values = {path: v for path, v in _items(data, ()) if isinstance(v, str) and "${" in v}
    cost: dict[tuple[str, ...], int] = {}

    def of(path: tuple[str, ...], seen: frozenset[tuple[str, ...]]) -> int:
        if path in cost:
            return cost[path]
        total = 1
        try:
            named = references(values[path])
        except ValueError:  # refused where its resolvers are checked
            named = []
        for ref in named:
            target = _absolute(path, ref)
            if target in values and target not in seen:  # a cycle OmegaConf refuses itself
                total += of(target, seen | {target})
            else:
                total += 1
            if total > MOST_RESOLVED:
                break
        cost[path] = total
        return total

    for path in values:
        if of(path, frozenset({path})) > MOST_RESOLVED:
            raise ConfigError(
                _dotted(path),
                values[path],
                f"interpolations that resolve at most {MOST_RESOLVED:,} values in all (these name "
                "each other over and over)",
            )


def _absolute(at: tuple[str, ...], ref: str) -> tuple[str, ...]:
    """The path a reference names from the node at ``at`` (``.x``: a sibling; ``..x``: the parent's)."""
    if not ref.startswith("."):
        return tuple(ref.split("."))
    dots = len(ref) - len(ref.lstrip("."))
    base = at[: max(len(at) - dots, 0)]
    rest = ref[dots:]
    return (*base, *rest.split(".")) if rest else base


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
    """A logging configuration names only console handlers and std streams, and known levels: the
    keys ``dictConfig`` reads, handlers as mappings, no ``cfg://`` (it makes a handler of any
    mapping the configuration holds)."""
    for key in node:
        if key not in LOG_KEYS:
            raise ConfigError(_dotted((*base, str(key))), node[key], f"one of {', '.join(LOG_KEYS)}")
    if node and not (_whole(node.get("version")) and node.get("version") == 1):
        raise ConfigError(
            _dotted((*base, "version")), node.get("version"), "1 (the one version logging reads)"
        )
    for name, handler in (node.get("handlers") or {}).items():
        if not isinstance(handler, dict):
            raise ConfigError(
                _dotted((*base, "handlers", str(name))), handler, "a handler's settings, written out"
            )
    for path, value in _items(node, base):
        rel = path[len(base) :]
        if isinstance(value, str) and value.startswith("cfg://"):
            raise ConfigError(_dotted(path), value, "a value written out, not a cfg:// reference")
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


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


PRE_DISPATCH = re.compile(r"all|[1-9][0-9]{0,5}|([1-9][0-9]{0,3}\s*\*\s*)?n_jobs")
NBYTES = re.compile(r"[0-9]{1,12}[KMG]?")
#: The joblib launcher's settings joblib refuses only once the sweep has started (a traceback): what
#: each may be.
JOBLIB = {
    "n_jobs": (lambda v: _whole(v) and v != 0, "a whole number of processes, not 0 (-1: every core)"),
    "backend": (lambda v: v in (None, "loky", "multiprocessing", "threading", "sequential"),
                "null, loky, multiprocessing, threading or sequential"),
    "prefer": (lambda v: v in (None, "processes", "threads"), "null, processes or threads"),
    "require": (lambda v: v in (None, "sharedmem"), "null or sharedmem"),
    "verbose": (lambda v: _whole(v) and v >= 0, "a whole number, 0 or more"),
    "timeout": (lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool) and v > 0),
                "null or a positive number of seconds"),
    "batch_size": (lambda v: v == "auto" or (_whole(v) and v > 0) or (str(v).isascii() and str(v).isdigit()
                   and int(str(v)) > 0), "auto or a positive whole number"),
    "mmap_mode": (lambda v: v in (None, "r+", "r", "w+", "c"), "null, r+, r, w+ or c"),
    "pre_dispatch": (lambda v: (_whole(v) and v > 0) or bool(PRE_DISPATCH.fullmatch(str(v))),
                     "all, a positive whole number or a multiple of n_jobs (2*n_jobs)"),
    "max_nbytes": (lambda v: v is None or (_whole(v) and v >= 0) or bool(NBYTES.fullmatch(str(v))),
                   "null or a size in bytes (1000000, 1M, 10K, 1G)"),
    "temp_folder": (lambda v: v is None,
                    "null: joblib keeps its memory maps in the system's temporary folder, not a config's"),
}  # fmt: skip


def _check_launcher(cfg: dict[str, Any]) -> None:
    """A joblib launcher's settings are ones joblib takes; a submitit launcher's job has a positive
    time limit, keeps its files in the sweep's folder and runs no shell lines of a config's own."""
    launcher = (cfg.get("hydra") or {}).get("launcher") or {}
    if isinstance(launcher, dict) and "joblib" in str(launcher.get("_target_", "")):
        for key in launcher:
            if key == "_target_":  # checked with every target (TARGETS)
                continue
            if key not in JOBLIB:
                raise ConfigError(
                    f"hydra.launcher.{key}",
                    launcher[key],
                    f"none: the joblib launcher takes {', '.join(JOBLIB)}",
                )
            ok, allowed = JOBLIB[key]
            if not ok(launcher[key]):
                raise ConfigError(f"hydra.launcher.{key}", launcher[key], allowed)
        return
    if not isinstance(launcher, dict) or "submitit" not in str(launcher.get("_target_", "")):
        return
    minutes = launcher.get("timeout_min")
    if not (isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0):
        raise ConfigError("hydra.launcher.timeout_min", minutes, "a positive number of minutes")
    folder = launcher.get("submitit_folder")
    if not (
        isinstance(folder, str) and INTERPOLATED["hydra", "launcher", "submitit_folder"].fullmatch(folder)
    ):
        raise ConfigError(
            "hydra.launcher.submitit_folder",
            folder,
            "a folder inside the sweep's, '${hydra.sweep.dir}/...' (its jobs' pickles are read back from it)",
        )
    if launcher.get("setup"):
        raise ConfigError(
            "hydra.launcher.setup",
            launcher["setup"],
            "none: shell lines in a job's script would run what a config says",
        )
    for key in launcher:
        if key not in SUBMITIT and launcher[key] not in (None, [], {}):
            raise ConfigError(
                f"hydra.launcher.{key}",
                launcher[key],
                f"none: a submitit launcher takes {', '.join(sorted(SUBMITIT - {'_target_'}))}",
            )
    # submitit writes the other fields into the job's script as ``#SBATCH --key='value'``: a line
    # break in a value, or a key of its own, would start a shell line of the config's
    for path, value in _items(launcher, ("hydra", "launcher")):
        if isinstance(value, str) and _control(value):
            raise ConfigError(_dotted(path), value, "a value on one line, without control characters")
    extra = launcher.get("additional_parameters") or {}
    for key in extra if isinstance(extra, dict) else ():
        if str(key).replace("_", "-") not in SBATCH_EXTRA:
            raise ConfigError(
                f"hydra.launcher.additional_parameters[{str(key)!r}]",
                extra[key],
                f"one of the scheduling options {', '.join(sorted(SBATCH_EXTRA))}",
            )


def _control(value: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in value)


#: Hydra's settings that name a job or a folder: a job's name and the sweep's folder are written into
#: a SLURM job's script (``#SBATCH --job-name``, ``--error``).
NAMED = (
    ("hydra", "job", "name"),
    ("hydra", "run", "dir"),
    ("hydra", "sweep", "dir"),
    ("hydra", "sweep", "subdir"),
)


def _check_hydra_text(cfg: dict[str, Any]) -> None:
    """No job's name or folder holds a control character: in a SLURM job's script a line break
    starts a shell line of the config's."""
    hydra = cfg.get("hydra") or {}
    for path in NAMED:
        value = _at(hydra, path[1:])
        if isinstance(value, str) and _control(value):
            raise ConfigError(_dotted(path), value, "a value on one line, without control characters")


def _at(node: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` under plain ``node`` (None: none there)."""
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


#: Hydra's settings of a run's and a sweep's folders (``hydra.run``, ``hydra.sweep``), and what each
#: may hold: its folder (and a sweep's jobs' subfolders). Not a ``mode``, which Hydra's submitit
#: launcher gives the sweep's folder (``chmod``): one writable by anyone let another user replace
#: the pickles the command reads back.
FOLDERS = {"run": ("dir",), "sweep": ("dir", "subdir")}


def _check_folders(cfg: dict[str, Any]) -> None:
    hydra = cfg.get("hydra") or {}
    for node, keys in FOLDERS.items():
        given = hydra.get(node) or {}
        for key in given if isinstance(given, dict) else ():
            if key not in keys:
                raise ConfigError(
                    f"hydra.{node}.{key}", given[key], f"none: hydra.{node} takes {' and '.join(keys)}"
                )
    verbose = hydra.get("verbose")
    names = verbose if isinstance(verbose, list) else [verbose]
    if not (
        verbose is None
        or isinstance(verbose, bool)
        or all(isinstance(n, str) and _NAME.fullmatch(n) for n in names)
    ):
        raise ConfigError(
            "hydra.verbose", verbose, "true, false, or the names of loggers to show at DEBUG level"
        )


def _check_sweep(cfg: dict[str, Any]) -> None:
    """A sweep's parameters vary the scenario and the experiment, never Hydra's own settings: Hydra
    applies them to each job as it composes it, after every check of the command (a search path
    there imports a package; a job's folder there writes where no check looked)."""
    sweeper = (cfg.get("hydra") or {}).get("sweeper") or {}
    batch = sweeper.get("max_batch_size") if isinstance(sweeper, dict) else None
    if batch is not None and not (_whole(batch) and batch > 0):  # the basic sweeper asserts it
        raise ConfigError("hydra.sweeper.max_batch_size", batch, "null or a positive whole number of jobs")
    params = sweeper.get("params") or {} if isinstance(sweeper, dict) else {}
    for key in params if isinstance(params, dict) else ():
        if str(key).lstrip("+~").split(".")[0].split("/")[0] == "hydra":
            raise ConfigError(
                f"hydra.sweeper.params.{key}",
                params[key],
                "a setting of the scenario or the experiment: Hydra's own settings are not swept",
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
    subdir = (cfg.get("hydra") or {}).get("output_subdir")
    if subdir is not None and not (isinstance(subdir, str) and SUBDIR.fullmatch(subdir)):
        raise ConfigError(
            "hydra.output_subdir",
            subdir,
            "null or a hidden folder name inside the run's folder ('.' then letters, digits, '.', '_', '-'; "
            "e.g. .hydra), apart from the run's own files",
        )
    copied = job.get("env_copy") or []
    for name in copied if isinstance(copied, list) else [copied]:
        if not (isinstance(name, str) and ENV_NAMES.fullmatch(name)):
            raise ConfigError("hydra.job.env_copy", name, "only thread counts (names ending in _NUM_THREADS)")
    env = job.get("env_set") or {}
    for name, value in env.items() if isinstance(env, dict) else ():
        if not ENV_NAMES.fullmatch(str(name)):
            raise ConfigError(
                f"hydra.job.env_set.{name}", value, "only thread counts (names ending in _NUM_THREADS)"
            )
        if isinstance(value, bool) or not THREADS.fullmatch(str(value)):
            raise ConfigError(f"hydra.job.env_set.{name}", value, "a thread count written out: 1 to 1024")
    if isinstance(env, dict) and env:
        _check_env_read(cfg, set(map(str, env)))


def _check_env_read(cfg: dict[str, Any], set_by_job: set[str]) -> None:
    """No value reads a variable the job sets (``${oc.env:X}`` with ``X`` in ``hydra.job.env_set``):
    Hydra sets it around the job only, so the checks before the run read another value than the job
    (a scheduler's address, a horizon past the cost limit)."""
    for path, value in _items(cfg, ()):
        if not isinstance(value, str) or "oc.env" not in value or path[:3] in COMMAND_WORDS:
            continue
        for read in ENV_READ.findall(value):
            name = read.strip().strip("'\"")
            if "$" in name or name in set_by_job:
                named = ", ".join(sorted(set_by_job))
                raise ConfigError(
                    _dotted(path),
                    value,
                    f"no value read from a variable the job sets (hydra.job.env_set: {named}): the checks "
                    "before the run would read another value than the job",
                )


def _check_value(path: tuple[str, ...], value: str) -> None:
    """An interpolated value calls only allowed resolvers; where Hydra or logging reads code or a
    launcher's setting (:data:`SENSITIVE`), there is none, but Hydra's own (:data:`INTERPOLATED`)."""
    if any(path[: len(s)] == s for s in SENSITIVE):
        own = INTERPOLATED.get(path)
        if own is None or not own.fullmatch(value):
            raise ConfigError(
                _dotted(path),
                value,
                "a value written out: no interpolation where Hydra or logging reads code or a launcher's "
                "setting",
            )
        return
    try:
        called = resolvers(value)
    except ValueError as e:
        raise ConfigError(_dotted(path), value, f"interpolations with {e}") from None
    if not set(called) <= RESOLVERS:
        raise ConfigError(_dotted(path), value, f"interpolations calling only {', '.join(sorted(RESOLVERS))}")


def check_search_paths(overrides: Iterable[Any]) -> None:
    """Parsed overrides (Hydra's ``Override``) add only folders to the search path: a config source
    named by a package (``pkg://``) is imported while Hydra composes."""
    for o in overrides:
        if o.key_or_group == "hydra.searchpath":
            paths = o.value() if isinstance(o.value(), list) else [o.value()]
            for p in paths:
                if not isinstance(p, str) or ("://" in p and not p.startswith("file://")):
                    raise ConfigError("hydra.searchpath", p, "folders (file://DIR or DIR); use --config-dir")


def check_instantiable(node: Any, prefix: str = "") -> None:
    """Refuse anything in ``node`` that would make Hydra or logging import or call code not on the
    allow-list. ``prefix`` is the path of ``node`` in the whole config (empty: the root)."""
    base = tuple(prefix.split(".")) if prefix else ()
    data = _plain(node)
    for path, value in _items(data, base):
        if isinstance(value, str) and "${" in value:
            _check_value(path, value)
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
        _check_hydra_text(data)
        _check_folders(data)
        _check_env(data)
        _check_launcher(data)
        _check_sweep(data)
        _check_resolution_cost(data)
