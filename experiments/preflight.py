"""The whole command, checked before Hydra acts on it.

Hydra instantiates a config's callbacks, launcher and sweeper and applies its logging configuration
before the job function runs, and a sweep writes ``multirun.yaml`` and clears a previous comparison
before its first job. So ``parltwin`` composes the config itself first (Hydra's Compose API, with
the ``hydra`` node), for every job of a sweep, and checks, in this order:

1. what Hydra and logging may instantiate (``scenarios.allowlist``), on the whole config;
2. every job's config: schema keys, finite numbers, ranges, names (``scenarios.validate``);
3. the experiment's parameters (its runner's own checks) and the cost of the whole command against
   the documented limits (``scenarios.cost``);
4. across the jobs of a comparison: the baseline names one of them, the metrics exist;
5. the output folders: a folder to resume holds this same scenario and seeds, and nothing but what
   a run of the experiment writes (no link out of it), and can be written.

Only then does it hand over to Hydra, which composes the same config again from the same files and
arguments. Nothing is created on disk before every check has passed.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import math
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any, Literal, NoReturn

from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, Override, RangeSweep
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from experiments.compare_spec import HEADLINE, compare_spec, scheduler_at
from experiments.compare_spec import KIND as COMPARE
from experiments.composition import check_scenario_choices, checked_sweep, choices_of
from experiments.config_files import check_user_files
from experiments.errors import InputError
from experiments.figure import PLOTS
from experiments.files import KIND_MARK, existing_ancestor, marked_kind, missing_dirs, own_folder, whole
from experiments.labels import baseline_label, own_name, scenario_labels, scenario_name
from experiments.manifest import run_config_text
from experiments.overrides import parse_overrides
from experiments.pool import PoolSpec
from scenarios import Config, ConfigError, register, simulate, validate
from scenarios import cost as costs
from scenarios.allowlist import check_instantiable
from scenarios.errors import counted
from scenarios.parameters import apply
from scenarios.validate import check_config
from sim.metrics import stage_time

CONFIG_NAME = "config"
#: What a single run writes in its folder.
SUMMARY = "summary.json"
#: A single run's resolved config, beside its summary (the name a comparison's job gives its own).
RUN_CONFIG = "config.yaml"
#: Days of the short run that lists the metrics a scenario reports (every metric but the stages').
PILOT_DAYS = 3.0
#: Characters a folder may have, besides letters and digits, to be handed to Hydra unquoted.
_PATH_MARKS = frozenset("_./@+-")


#: A command's pool of replications: where they run, how many, and what else its processes may be
#: handed (to start its workers ahead, see ``pool.start_ahead``).
Pool = tuple[PoolSpec, int, tuple[str, ...]]


@dataclass
class Job:
    """One Hydra job: its overrides, its whole config (``hydra`` node included), its checked form."""

    num: int
    overrides: list[str]
    cfg: DictConfig
    out: Path
    task: DictConfig = field(init=False)  # what the job function receives: no ``hydra`` node
    conf: Config = field(init=False)
    scenarios: dict[str, DictConfig] = field(default_factory=dict)  # a robustness run's, composed
    made: Any = None  # a robustness run's design, checked (the job can take it)
    instantiable: bool = False  # ``cfg`` already passed ``check_instantiable`` (it is the primary)

    def __post_init__(self) -> None:
        if not self.instantiable:
            check_instantiable(self.cfg)
        self.task = self.cfg.copy()
        with read_write(self.task), open_dict(self.task):
            del self.task["hydra"]
        self.conf = validate(self.task)


@dataclass
class Plan:
    """What the command will do, once every check has passed."""

    runs: bool  # False for --cfg, --help, --info: nothing runs
    multirun: bool = False
    jobs: list[Job] = field(default_factory=list)
    sweep_dir: Path | None = None
    estimate: costs.Estimate = field(default_factory=costs.Estimate)
    new_dirs: list[Path] = field(default_factory=list)  # folders it will create (none exist yet)
    pinned: list[str] = field(default_factory=list)  # overrides that fix timestamped folders
    # A single run's composition, or a sweep's master, which Hydra may take as its own (see
    # ``reusable``); else None.
    composed: DictConfig | None = None
    # With a sweep's ``composed``: its jobs' compositions (hydra overrides, job's overrides, config).
    composed_jobs: list[tuple[list[str], list[str], DictConfig]] = field(default_factory=list)
    # The pool the replications will run in and how many there are (None: no replications).
    pool: Pool | None = None
    # With ``composed``: what the check made for the job, by kind (see ``composition.hand_over``).
    prepared: dict[str, Any] = field(default_factory=dict)


def parser() -> argparse.ArgumentParser:
    """Hydra's own command-line parser (nothing public parses Hydra's command line), whose errors
    are one line."""
    from hydra._internal.utils import get_args_parser

    p = get_args_parser()

    def error(message: str) -> None:
        if message.startswith("unrecognized arguments") and "=" in message:  # an option after an override
            message += " (options such as --config-dir and -m come before the overrides)"
        raise InputError(message)

    p.error = error  # type: ignore[method-assign]
    return p


def _refuse_flags(args: argparse.Namespace) -> None:
    if args.experimental_rerun is not None:
        raise InputError("--experimental-rerun is not allowed: it loads a pickled file (code)")
    for flag, value in (("--config-path", args.config_path), ("--config-name", args.config_name)):
        if value is not None:
            raise InputError(f"{flag} is not allowed: add your presets with --config-dir DIR")
    if args.shell_completion:  # its queries compose whatever line the shell hands them, unchecked
        raise InputError("--shell-completion is not offered: --help lists the presets and settings")
    # Hydra's own refusals of these come after it has started, as tracebacks: said here in one line
    flags = (("--run", args.run), ("--multirun", args.multirun), ("--cfg", args.cfg), ("--info", args.info))
    modes = [f for f, on in flags if on]
    if len(modes) > 1:
        raise InputError(f"{' and '.join(modes)}: one of --run, --multirun, --cfg, --info")
    if args.resolve and not (args.cfg or args.help):
        raise InputError("--resolve goes with --cfg (or --help): it resolves the config shown")
    if args.package is not None and not args.cfg:
        raise InputError("--package goes with --cfg: it names the part of the config shown")


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Composer:
    """Composes configs as ``parltwin`` does: our configs, then the user's ``--config-dir`` (where
    Hydra puts it: after ours, before the structured configs), then ``hydra.searchpath``."""

    def __init__(self, config_dir: str | None, parsed: list[Override]) -> None:
        paths: list[str] = []
        if config_dir is not None:
            folder = os.path.abspath(config_dir)
            if not os.path.isdir(folder):
                raise InputError(f"--config-dir {config_dir}: no such folder")
            check_user_files(Path(folder))
            paths.append(f"file://{folder}")
        for o in parsed:
            if o.key_or_group == "hydra.searchpath":
                value = o.value()
                paths += [str(v) for v in (value if isinstance(value, list) else [value])]
        for p in paths[1 if config_dir is not None else 0 :]:  # read as a --config-dir is
            folder = os.path.abspath(p.removeprefix("file://"))
            if os.path.isdir(folder):
                check_user_files(Path(folder))
        self.search = [f"hydra.searchpath=[{','.join(_quoted(p) for p in paths)}]"] if paths else []
        self._ctx: Any = None

    def __enter__(self) -> Composer:
        self._hydra_config = HydraConfig.instance().cfg  # set while composing (see ``compose``)
        register()
        # As the app finds them (pkg://configs): the compositions Hydra takes are the ones it makes.
        self._ctx = initialize_config_module("configs", version_base="1.3", job_name="app")
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)
        HydraConfig.instance().cfg = self._hydra_config

    def compose(self, overrides: list[str]) -> DictConfig:
        given = [o for o in overrides if o.split("=", 1)[0].lstrip("+~") != "hydra.searchpath"]
        try:
            cfg = compose(CONFIG_NAME, overrides=given + self.search, return_hydra_config=True)
        except AssertionError:  # OmegaConf's, for a value set inside a setting that is null
            raise _inside_null(given, lambda o: compose(CONFIG_NAME, o + self.search)) from None
        except KeyError as e:  # Hydra copies each of hydra.job.env_copy from the environment
            (name,) = e.args
            if not isinstance(name, str) or name in os.environ:
                raise
            raise ConfigError(
                "hydra.job.env_copy", name, "names of variables set in this environment"
            ) from None
        except ValueError as e:  # a preset group given null or a number (parliament=null)
            if not str(e).startswith("Config group override must be"):
                raise
            raise InputError(f"{_group_given(given)}: a config group takes a preset's name") from None
        HydraConfig.instance().set_config(cfg)  # as in the job: ``${hydra:...}`` resolves the same
        OmegaConf.set_readonly(cfg.hydra, None)  # which it made read-only: the check pins folders
        return cfg

    def parser(self) -> OverridesParser:
        return OverridesParser.create(config_loader=GlobalHydra.instance().hydra.config_loader)  # type: ignore[union-attr]


def _group_given(overrides: list[str]) -> str:
    """The first override that gives a config group (``parliament``, ``hydra/launcher``, a name with
    no dot) something other than a name (null, a number); else all of them."""
    for o in OverridesParser.create().parse_overrides(overrides):
        key, value = o.key_or_group, o.value()
        if "." not in key and not isinstance(value, str | list):
            return o.input_line
    return " ".join(overrides)


def _inside_null(overrides: list[str], composes: Callable[[list[str]], Any]) -> Exception:
    """The error for the first override that sets a value inside a setting that is null in the
    config (``reform.changes=...`` where no scenario sets ``reform``: OmegaConf's AssertionError),
    found by composing the overrides one more at a time (only on this error's path)."""
    for i, override in enumerate(overrides):
        try:
            composes(overrides[: i + 1])
        except AssertionError:
            key, _, value = override.partition("=")
            parent = key.lstrip("+~").rsplit(".", 1)[0]
            top = parent.split(".")[0]
            return ConfigError(
                key.lstrip("+~"),
                value,
                f"a value inside {parent}, which is null here: choose a preset that sets it "
                f"({'+scenario' if top == 'reform' else top}=NAME)",
            )
        except Exception:
            continue
    return InputError("an override sets a value inside a setting that is null here")


#: Characters of a command-line override that Hydra reads the same from a shell as from a list.
_PLAIN_MARKS = frozenset("_./@+-=:~")


def reusable(overrides: list[str]) -> bool:
    """Whether Hydra, given ``overrides`` from the command line, composes what the check composed
    from them (no quoting, escapes, interpolations, lists or sweeps for a shell to read otherwise)."""
    return all(ch.isalnum() or ch in _PLAIN_MARKS for o in overrides for ch in o)


def _count(o: Override) -> float:
    """How many values the sweep ``o`` gives, from its parsed form: Hydra lists a shuffled range
    whole before giving its first value, and its sweeper lists every sweep whole, so a sweep is
    counted before anything lists it (``math.inf`` for a range without end)."""
    value = o.value()
    if isinstance(value, ChoiceSweep):  # a list as given, sorted or shuffled: its own length
        return len(value.list)
    if isinstance(value, list):
        return len(value)
    if not isinstance(value, RangeSweep):  # a glob: the config group's presets, a folder's files
        return sum(1 for _ in o.sweep_string_iterator())
    start, stop, step = value.start, value.stop, value.step
    if isinstance(start, int) and isinstance(stop, int) and isinstance(step, int):  # a Python range
        try:
            range(start, stop, step)
        except ValueError as e:  # range(0,3,0)
            raise InputError(f"{o.input_line}: {e}") from None
        return max(0, -((start - stop) // step))  # len(range(...)), which overflows past 2**63
    # Hydra's FloatRange: Decimals, from start while below stop (above it, for a negative step)
    try:
        first, end, by = (Decimal(x) for x in (start, stop, step))  # type: ignore[arg-type]
        if by == 0:
            raise InputError(f"{o.input_line}: range() arg 3 must not be zero")
        if not (first < end if by > 0 else first > end):
            return 0
    except InvalidOperation:  # nan, which no comparison takes
        raise InputError(f"{o.input_line}: a range of numbers (not nan)") from None
    if by.is_infinite():
        return 1
    if first.is_infinite() or end.is_infinite():
        return math.inf
    with localcontext() as exact:
        exact.prec = 60
        return max(1, math.ceil((end - first) / by))


def _shown(n: float) -> float:
    """A count a message can print as a float (past 1e300: inf)."""
    return n if n <= 1e300 else math.inf


def expand(parsed: list[Override]) -> list[list[str]]:
    """The overrides of every job of a sweep, as Hydra's basic sweeper makes them (a later override
    of the same key replaces an earlier one; sweeps multiply), refusing more than the job limit.

    Each sweep is counted before anything lists it: Hydra lists a shuffled range whole, and its
    sweeper every sweep, one that a later override replaces included (``range(0,10**12)`` would
    fill the memory before the job limit was reached).
    """
    counts: dict[str, float] = {}
    each: list[tuple[str, float]] = []
    for o in parsed:
        n: float = 1
        if o.is_sweep_override():
            if not o.is_discrete_sweep():
                raise InputError(f"{o.input_line}: the basic sweeper sweeps over lists and ranges only")
            n = _count(o)
            each.append((o.get_key_element(), n))
        counts[o.get_key_element()] = n
    costs.check_jobs(_shown(0 if 0 in counts.values() else math.prod(counts.values())))
    for key, n in each:  # one replaced by a later override, or beside a sweep of no values
        costs.check_values(key, _shown(n))
    final: dict[str, list[str]] = {}
    for o in parsed:
        key = o.get_key_element()
        if o.is_sweep_override():
            values = list(itertools.islice(o.sweep_string_iterator(), costs.MAX_JOBS + 1))
            final[key] = [f"{key}={v}" for v in values]
        else:
            final[key] = [f"{key}={o.get_value_element_as_str()}"]
    costs.check_jobs(math.prod(len(v) for v in final.values()))
    return [list(x) for x in itertools.product(*final.values())]


def _raw(cfg: DictConfig, key: str) -> str:
    """The text of ``key``'s value as composed, its interpolations unresolved."""
    node: Any = cfg
    for k in key.split("."):
        node = node._get_node(k)
    return str(node._value())


def _raw_has_interpolation(cfg: DictConfig, key: str) -> bool:
    return "${" in _raw(cfg, key)


#: What a sweep's job folder may be made of besides text: values that this check and every launcher
#: give a job alike. A job's ``id`` is the launcher's own (the joblib launcher's is its name and
#: number, a cluster's its scheduler's), so a folder made from it, or from a value selected by it,
#: would be checked here as one folder and written by the launcher as another.
JOB_FOLDER_FIELDS = ("${hydra.job.num}", "${hydra.job.override_dirname}", "${hydra.job.name}")


def check_job_folder_name(cfg: DictConfig) -> None:
    """``hydra.sweep.subdir`` names each job's folder from text and :data:`JOB_FOLDER_FIELDS` only."""
    raw = _raw(cfg, "hydra.sweep.subdir")
    rest = raw
    for name in JOB_FOLDER_FIELDS:
        rest = rest.replace(name, "")
    if "$" in rest:
        raise ConfigError(
            "hydra.sweep.subdir", raw, f"a folder name of text and {', '.join(JOB_FOLDER_FIELDS)}"
        )


def _pin(cfg: DictConfig, key: str, plan: Plan) -> Path:
    """The folder ``key`` names; a timestamped one is fixed for Hydra so that the folder it creates
    is the one checked here (and removed on an error)."""
    try:
        value = str(OmegaConf.select(cfg, key))
    except Exception as e:  # an interpolation that does not resolve
        raise ConfigError(key, "?", f"a folder ({type(e).__name__})") from None
    if not value or value == "None":
        raise ConfigError(key, value, "a folder")
    if _raw_has_interpolation(cfg, key):
        if all(ch.isalnum() or ch in _PATH_MARKS for ch in value):
            plan.pinned.append(f"{key}={value}")
        elif not any(ch in value for ch in "'\\$"):  # Hydra reads the rest quoted (a ':', a space)
            plan.pinned.append(f"{key}='{value}'")
        else:
            raise ConfigError(key, value, "a folder without quotes, backslashes or '$' once resolved")
    return Path(value)


# -- the experiment's own checks ------------------------------------------------------------------
def check_varied(conf: Config, bounds: dict[str, tuple[float, float]]) -> None:
    """Each varied parameter's range keeps the scenario valid at both its ends (a design point
    outside, e.g. attendance 5 or a negative rate, would run a model no run may): the presets'
    plausible ranges aside, since varying beyond them is what these experiments may do."""
    free = replace(conf, parliament=replace(conf.parliament, ranges={}))
    for part in ("citizens", "channels"):
        if getattr(free, part) is not None:
            free = replace(free, **{part: replace(getattr(free, part), ranges={})})
    for name, (low, high) in bounds.items():
        for value in (low, high):
            try:
                check_config(apply(free, {name: value}))
            except ConfigError as e:
                raise ConfigError(
                    f"experiment.parameters.{name}",
                    [low, high],
                    f"a range that keeps the scenario valid at both ends (at {value:g}: {e})",
                ) from None


def _worst_case(conf: Config, bounds: dict[str, tuple[float, float]]) -> Config:
    """``conf`` with every varied parameter at the top of its range (the costliest runs)."""
    return apply(conf, {name: high for name, (_, high) in bounds.items()}) if bounds else conf


def _metrics_of(conf: Config) -> set[str]:
    """The metrics a run of ``conf`` reports: a short run's, and every stage's time."""
    pilot = apply(conf, {})
    pilot.years = PILOT_DAYS / 365.0
    keys = set(simulate(pilot).summary)
    return keys | {stage_time(s).name for s in conf.parliament.stages}


def _close(name: str, known: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {near[0]}?)" if near else ""


def _pluchino(exp: Any) -> costs.Estimate:
    """The cost of a Pluchino curve, from the raw parameters (before its grid is built)."""
    from experiments.pluchino import DEFAULTS

    given = {**DEFAULTS, **(exp if isinstance(exp, dict) else {})}
    n, acts, legs, step, grid = (given[k] for k in ("N", "acts", "legislatures", "step", "n_independents"))
    ints = all(whole(v) and v >= 1 for v in (n, acts, legs, step))
    if not ints:
        return costs.Estimate()  # the runner's own check names the bad parameter
    points = len(grid) if isinstance(grid, list) else n // step + 2
    return costs.pluchino(n, acts, legs, points)


def experiment_cost(job: Job) -> costs.Estimate:
    """The runner's parameters checked, and the job's cost (its runs of the model)."""
    cfg, conf = job.task, job.conf
    exp = cfg.get("experiment")
    if exp is None:
        return costs.estimate(conf, 1, what=f"1 run of {counted(conf.years, 'year', 'g')}")
    kind = exp.get("kind")
    if kind == COMPARE:
        spec = compare_spec(exp)
        return costs.estimate(
            conf,
            spec.replications,
            what=f"{counted(spec.replications, 'replication')} of {counted(conf.years, 'year', 'g')}",
        )
    if kind == "pluchino":
        from experiments.pluchino import settings

        est = _pluchino(OmegaConf.to_container(exp, resolve=True))
        settings(cfg)
        return est
    if kind == "sensitivity":
        from experiments.sensitivity import settings

        s = settings(cfg, conf)
        check_varied(conf, s["bounds"])
        k = len(s["bounds"])
        points = s["trajectories"] * (k + 1) if s["method"] == "morris" else s["samples"] * (k + 2)
        costs.check_points("experiment", points, f"design points ({s['method']}, {counted(k, 'parameter')})")
        runs = points * s["replications"] + 1
        worst = _worst_case(conf, s["bounds"])
        what = f"{counted(points, 'point')} x {counted(s['replications'], 'run')}"
        est = costs.estimate(worst, runs, float(s["years"]), what)
        known = _metrics_of(conf)
        for name in s["outputs"]:
            if name not in known:
                raise ConfigError(
                    "experiment.outputs", name, f"a metric of this scenario{_close(name, known)}"
                )
        return est
    if kind == "robustness":
        from experiments.robustness import estimate, plan, robustness_spec

        spec = robustness_spec(exp)
        design = job.made = plan(spec, job.scenarios, int(conf.seed), None)
        known: set[str] = set()
        for c in design.configs.values():
            known |= _metrics_of(c)
        reported(spec.metrics, known)
        return estimate(design)
    if kind == "calibrate":
        from experiments.calibrate import most_candidates, run_years, settings

        s = settings(cfg, conf)
        check_varied(conf, s["ranges"])
        evals = most_candidates(s)
        costs.check_points("experiment", evals, "candidates (start points and Nelder-Mead)")
        years = run_years(conf, s)
        worst = _worst_case(conf, s["ranges"])
        return costs.estimate(
            worst,
            evals * s["replications"],
            years,
            f"{counted(evals, 'candidate')} x {counted(s['replications'], 'run')}",
        )
    if kind == "fit":
        from experiments import records
        from experiments.fit import settings, window_of

        s = settings(cfg, conf)
        window = window_of(records.read(conf.data), s)
        n = int(s["replications"])
        runs = n + int(s["rounds"]) * min(n, 8)  # the replay, and the rounds of indirect inference
        return costs.estimate(
            conf, runs, window.years, f"{counted(runs, 'run')} of the records' {window.years:.2f} years"
        )
    from experiments.registry import runner

    runner(str(kind))  # an unknown kind names the known ones
    return costs.estimate(conf, 1)


def reported(metrics: Collection[str], known: set[str]) -> None:
    """The metrics asked for, against those the scenarios report (``known``): a headline metric
    shows where a scenario reports it (the citizens' ones need a population), any other must be
    reported, and at least one must be (a report of none has no table)."""
    for name in metrics:
        if name not in known and name not in HEADLINE:
            raise ConfigError(
                "experiment.metrics", name, f"a metric these scenarios report{_close(name, known)}"
            )
    if not known.intersection(metrics):
        raise ConfigError("experiment.metrics", list(metrics), "at least one metric these scenarios report")


def check_comparison(jobs: list[Job]) -> None:
    """Across the jobs of a comparison: the baseline is one of them, every metric is reported."""
    spec = compare_spec(jobs[0].task.experiment)
    manifests = [
        {
            "name": scenario_name(j.conf.parliament.name, choices_of(j.cfg), own_name(j.conf.channels)),
            "overrides": j.overrides,
            "choices": choices_of(j.cfg),
            "job": j.num,
        }
        for j in jobs
    ]
    labels = scenario_labels(manifests)
    base = labels.index(baseline_label(spec.baseline, labels, manifests))
    known: set[str] = set()
    for j in jobs:
        known |= _metrics_of(j.conf)
    reported(spec.metrics, known)
    if spec.robustness is not None:
        ours = manifests[base]["choices"].get("scenario") or labels[base]
        check_robustness_run(Path(spec.robustness), ours, {float(j.conf.years) for j in jobs})


def check_robustness_run(folder: Path, baseline: str, years: set[float]) -> None:
    """A robustness run a comparison's report cites is about the same question: the same baseline,
    over the same horizon (a run over 2 years was cited for a comparison over 3, without a word)."""
    made, differs = robustness_run_differs(folder, lambda name: name == baseline, years)
    if differs == "baseline":
        raise ConfigError(
            "experiment.robustness",
            str(folder),
            f"a robustness run against this comparison's baseline, {baseline} "
            f"(that run's is {made['baseline']})",
        )
    if differs == "years":
        ours = ", ".join(f"{y:g}" for y in sorted(years))
        raise ConfigError(
            "experiment.robustness",
            str(folder),
            f"a robustness run over this comparison's horizon, years={ours} "
            f"(that run's years={made['years']:g})",
        )


def robustness_run_differs(
    folder: Path, baseline: Callable[[str], bool], years: set[float]
) -> tuple[dict[str, Any], Literal["baseline", "years"] | None]:
    """A robustness run's manifest (its ``years`` and ``baseline``) and what in it is not a
    comparison's (``baseline``: whether a name is the comparison's baseline; ``years``: its
    horizons): "baseline", "years", or None where neither. The command refuses to cite such a run and
    the explorer does not apply its verdicts to its own: across horizons the numbers differ by the
    procedure's warm-up. A folder without a readable manifest is a ``ConfigError`` or an
    ``InputError``."""
    from experiments.files import linked, read_json, regular_file

    path = folder / "manifest.json"
    why = "a link" if linked(path) else regular_file(path)
    if why is not None:
        raise ConfigError(
            "experiment.robustness", str(folder), f"a robustness run's folder (its manifest.json: {why})"
        )
    kinds = {
        "years": (lambda v: isinstance(v, int | float), "a number"),
        "baseline": (lambda v: isinstance(v, str), "a name"),
    }
    made = read_json(path, ("years", "baseline"), "a robustness run's manifest", kinds)
    if not baseline(made["baseline"]):
        return made, "baseline"
    if years != {float(made["years"])}:
        return made, "years"
    return made, None


def schedulers(jobs: list[Job]) -> list[str]:
    """The Dask schedulers the jobs name, each once, in job order."""
    found: list[str] = []
    for job in jobs:
        pool = _pool(job.task.get("experiment"), 1, False)
        if pool is not None and pool[0].scheduler and pool[0].scheduler not in found:
            found.append(pool[0].scheduler)
    return found


def pool_of(jobs: list[Job], multirun: bool) -> Pool | None:
    """The pool of a command's replications; None for a command without one."""
    return _pool(jobs[0].task.get("experiment") if jobs else None, len(jobs), multirun)


def _pool(exp: Any, jobs: int, multirun: bool) -> Pool | None:
    kind = exp.get("kind") if exp is not None else None
    if kind == COMPARE:  # the report's figures are drawn beside, by processes forked from its server
        spec = compare_spec(exp)
        n = spec.replications * (jobs if multirun and spec.pool == "sweep" else 1)
        return spec.pool_spec, n, (PLOTS,)
    if kind == "robustness":
        from experiments.robustness import robustness_spec

        r = robustness_spec(exp)
        return r.pool_spec, r.worlds * r.replications, ()
    return None


# -- the folders ----------------------------------------------------------------------------------
#: What an experiment writes in its run folder, by kind, besides Hydra's hidden files: its files, and
#: its folders with the ending of the files it writes in each (a folder of its own, anything else is
#: the user's). A run of ``compare`` or ``robustness`` is resumed, and its folder checked on its own.
WRITES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "pluchino": (("efficiency.csv", "components.csv"), {"figures": ".png"}),
    "sensitivity": (("indices.csv", "samples.csv"), {"figures": ".png"}),
    "calibrate": (
        ("calibration.csv", "moments.csv", "evaluations.csv", "identification.json"),
        {"parliament": ".yaml"},
    ),
    "fit": (
        ("fit.csv", "families.csv", "replay.csv", "report.html"),
        {"parliament": ".yaml", "figures": ".png"},
    ),
}


def check_resume(job: Job) -> None:
    """A folder that exists holds this same scenario and seeds (it is resumed), or nothing; an
    experiment's folder holds nothing but what a run of it writes, and no link, so that neither the
    files it clears nor those it writes over are the user's."""
    if job.out.is_symlink() or not job.out.is_dir():  # a link is refused with the folders to create
        return
    exp = job.task.get("experiment")
    kind = exp.get("kind") if exp is not None else None
    if kind == "robustness":
        from experiments.robustness import plan as robustness_plan
        from experiments.robustness import robustness_spec

        check_robustness_folder(job.out)
        robustness_plan(robustness_spec(exp), job.scenarios, int(job.conf.seed), job.out)
        return
    if kind in WRITES:
        files, folders = WRITES[str(kind)]
        listed = ", ".join([*files, *(f"{name}/" for name in folders)])
        allowed = f"a new or empty folder, or one holding only what a {kind} run writes ({listed})"
        _holds_own(job.out, [*files, KIND_MARK], folders, allowed)
        held = [name for name in (*files, *folders) if os.path.lexists(job.out / name)]
        if held and marked_kind(job.out) != kind:  # the names alone may be a user's files
            why = f"it holds {held[0]}, but no {KIND_MARK} of a {kind} run"
            raise ConfigError("run folder", str(job.out), f"{allowed} ({why})")
        return
    if exp is None:  # a single run: a folder of its own, or a run's summary.json (see ``app``)
        held = job.out / RUN_CONFIG  # another run's is refused before Hydra writes into the folder
        if held.is_file() and held.read_text(encoding="utf-8") != run_config_text(job.task):
            allowed = f"a new or empty folder, or one holding this same run (its {RUN_CONFIG} is another's)"
            raise ConfigError("run folder", str(job.out), allowed)
        # a run writes its config.yaml first: a summary.json without one is not a run's
        ours = {SUMMARY, RUN_CONFIG} if held.is_file() else {RUN_CONFIG}
        _holds_only(job.out, ours, "a new or empty folder, or one holding a run's own files")
        return
    if exp.get("kind") != COMPARE:
        return
    from experiments.compare import fingerprint
    from experiments.files import read_json
    from experiments.replicate import SCENARIO, finished
    from experiments.run_folder import JOB_FILES, MANIFEST_KEYS
    from sim.engine.streams import replication_seeds

    spec = compare_spec(exp)
    fp = fingerprint(job.task)
    allowed = "an empty folder, or one holding replications of this same scenario and seed"
    manifest = job.out / SCENARIO
    # A job writes its manifest before anything else: without one, the files are not a job's (a
    # user's summary.csv or report.html was taken for a run's and written over).
    _holds_only(job.out, JOB_FILES if manifest.is_file() else (), allowed)
    if manifest.is_file() and read_json(manifest, MANIFEST_KEYS, "a job's manifest")["fingerprint"] != fp:
        raise ConfigError("run folder", str(job.out), allowed)
    finished(job.out, replication_seeds(job.conf.seed, spec.replications), fp)


def check_robustness_folder(folder: Path) -> None:
    """A robustness run's folder holds its worlds' replications, which a run writes first, and with
    them its analysis (a manifest of its kind): a user's report.html or figures/ beside other files
    were cleared before the run, through a link out of the folder too."""
    from experiments.files import read_json
    from experiments.robustness import FIGURES, KIND, OUTPUTS, WORLDS

    allowed = (
        f"a new or empty folder, or one holding only what a {KIND} run writes ({WORLDS}/, and with it "
        f"{', '.join(OUTPUTS)}, {FIGURES}/)"
    )
    _holds_own(folder, OUTPUTS, {WORLDS: "", FIGURES: ".png"}, allowed)
    early = [name for name in (*OUTPUTS, FIGURES) if (folder / name).exists()]
    if early and not (folder / WORLDS).is_dir():  # a link is refused above
        raise ConfigError(
            "run folder",
            str(folder),
            f"{allowed} (it holds {early[0]} without the {WORLDS}/ a run writes first)",
        )
    manifest = folder / "manifest.json"
    if manifest.is_file() and read_json(manifest, ("kind",), f"a {KIND} run's manifest")["kind"] != KIND:
        raise ConfigError("run folder", str(folder), f"{allowed} (its manifest.json is not a {KIND} run's)")


def _holds_own(folder: Path, files: Collection[str], folders: dict[str, str], allowed: str) -> None:
    """``folder`` holds nothing but ``files``, ``folders`` and hidden entries (:func:`_holds_only`),
    and no link at any depth of its ``folders``: each file is a file, each folder a folder holding
    files whose names end as it says ("": anything, at any depth) besides hidden ones (a write cut
    short). A link is refused before anything is removed or written through it."""

    def refuse(what: str) -> NoReturn:
        raise ConfigError("run folder", str(folder), f"{allowed} (it holds {what})")

    _holds_only(folder, {*files, *folders}, allowed)
    for name in files:
        if (folder / name).exists() and not (folder / name).is_file():
            refuse(f"{name}, which is not a file")
    for name, ending in folders.items():
        top = folder / name
        if not top.exists():
            continue
        if not top.is_dir():
            refuse(f"{name}, which is not a folder")
        for root, dirs, names in os.walk(top):
            for entry in sorted([*dirs, *names]):
                path = Path(root) / entry
                shown = path.relative_to(folder).as_posix()
                if path.is_symlink():
                    refuse(f"{shown}, a symbolic link")
                if ending and not entry.startswith(".") and (path.is_dir() or not entry.endswith(ending)):
                    refuse(shown)
            if ending:  # the files of a folder of figures or presets: its folders are refused above
                dirs.clear()


#: What Hydra writes into a run's ``hydra.output_subdir``.
HYDRA_OUTPUT = frozenset({"config.yaml", "hydra.yaml", "overrides.yaml"})


def check_output_subdir(job: Job) -> None:
    """Hydra writes its config files into ``hydra.output_subdir`` of the run's folder, over what is
    there: a folder that exists holds Hydra's files of an earlier run, nothing of the user's (a
    hidden ``.settings/config.yaml`` of the user's was written over)."""
    sub = OmegaConf.select(job.cfg, "hydra.output_subdir")
    if sub is None or not os.path.lexists(job.out / str(sub)):
        return
    folder = job.out / str(sub)
    names = {e.name for e in folder.iterdir()} if folder.is_dir() and not folder.is_symlink() else None
    if names is None or not names <= HYDRA_OUTPUT or "hydra.yaml" not in names:
        held = "a link or a file" if names is None else ", ".join(sorted(names)) or "nothing of Hydra's"
        raise ConfigError(
            "hydra.output_subdir",
            str(sub),
            f"a folder of the run's own, new or holding Hydra's {', '.join(sorted(HYDRA_OUTPUT))} "
            f"({folder} holds {held})",
        )


def _holds_only(folder: Path, names: Collection[str], allowed: str) -> None:
    """``folder`` holds nothing but ``names`` and hidden entries (the temporary files of a write cut
    short, Hydra's ``.hydra`` where ``hydra.output_subdir`` is set, a launcher's own): a run never
    writes over what is not its own."""
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():  # a run writes into its own folders, never where a link points
            raise ConfigError(
                "run folder", str(folder), f"{allowed} (it holds {entry.name}, a symbolic link)"
            )
        if entry.name not in names and not entry.name.startswith("."):
            raise ConfigError("run folder", str(folder), f"{allowed} (it holds {entry.name})")


#: What Hydra writes at the top of a sweep's folder.
MULTIRUN = "multirun.yaml"


def check_sweep_folder(sweep: Path, jobs: list[Job]) -> None:
    """A sweep folder to resume holds this sweep's jobs and what the sweep writes, nothing else: no
    job that this sweep does not run, and no file of the user's (a folder of the user's holding a
    ``summary.csv`` or a ``report.html`` had them written over)."""
    if not sweep.is_dir():
        return
    from experiments.replicate import SCENARIO
    from experiments.run_folder import FIGURES, OUTPUTS

    ours = {j.out.resolve() for j in jobs}
    entries = [d for d in sorted(sweep.iterdir()) if not d.name.startswith(".")]  # hidden: temporary files
    resumed = any(d.resolve() in ours and (d / SCENARIO).is_file() for d in entries)
    hydras = resumed or _hydras(sweep / MULTIRUN)
    for d in entries:
        if d.is_symlink():
            raise ConfigError(
                "hydra.sweep.dir", str(sweep), f"a folder without symbolic links (it holds {d.name}, one)"
            )
        if (
            d.resolve() in ours
            or (d.name == MULTIRUN and hydras)
            or (resumed and d.name in {*OUTPUTS, FIGURES})
        ):
            continue
        what = f"{d.name}/, a job this sweep does not run" if (d / SCENARIO).is_file() else d.name
        raise ConfigError(
            "hydra.sweep.dir",
            str(sweep),
            f"a new folder, or one holding only this sweep's jobs and outputs (it holds {what})",
        )


def _hydras(path: Path) -> bool:
    """Whether ``path`` is a ``multirun.yaml`` as Hydra writes it (a mapping with its ``hydra``
    node), not a user's file of that name, which Hydra would write over."""
    import yaml

    if not path.is_file() or path.is_symlink() or path.stat().st_size > 1_000_000:
        return False
    try:  # composed, not constructed: its top-level keys only, no alias of the file's is expanded
        root = yaml.compose(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):  # not Hydra's
        return False
    return isinstance(root, yaml.MappingNode) and any(k.value == "hydra" for k, _v in root.value)


def check_job_folders(sweep: Path, jobs: list[Job]) -> None:
    """Each job of a sweep writes its own folder, inside the sweep's: two jobs in one folder would
    write over each other's results, and a job outside would leave files where no error removes them."""
    inside, seen = sweep.resolve(), set()
    for job in jobs:
        mine = job.out.resolve()
        if mine in seen or mine == inside or not mine.is_relative_to(inside):
            raise ConfigError(
                "hydra.sweep.subdir",
                str(job.out.relative_to(sweep)) if job.out.is_relative_to(sweep) else str(job.out),
                "a folder of its own for each job, inside hydra.sweep.dir (e.g. ${hydra.job.num})",
            )
        seen.add(mine)


def check_scheduler(address: str, timeout: float = 10.0) -> None:
    """A Dask scheduler answers at ``address``, before anything is written (a client would wait
    30 s for it during the run, then fail half-way; something else listening there can answer
    anything): a connection, then Dask's handshake, read without unpickling anything (a scheduler's
    handshake holds plain values; one that sends a pickle is refused, its code not run)."""
    import asyncio
    import socket
    from types import SimpleNamespace

    from distributed.comm import connect
    from distributed.protocol import core
    from distributed.protocol.serialize import Serialized

    def refuse(*_: Any, **__: Any) -> Any:
        raise ValueError("its handshake holds a pickled value, which a scheduler's does not")

    async def handshake() -> None:
        comm = await connect(address, timeout=timeout, deserialize=False)
        await comm.close()
        if any(isinstance(v, Serialized) for v in comm.remote_info.values()):
            refuse()

    host, port = scheduler_at(address) or ("", 0)
    unpickle = core.pickle
    core.pickle = SimpleNamespace(loads=refuse, dumps=unpickle.dumps)  # type: ignore[assignment]
    try:
        socket.create_connection((host, port), timeout=timeout).close()  # refused: at once
        asyncio.run(handshake())
    except Exception as e:
        why = (str(e).splitlines() or [""])[0] or type(e).__name__
        raise ConfigError(
            "experiment.scheduler", address, f"the address of a running Dask scheduler ({why})"
        ) from None
    finally:
        core.pickle = unpickle


def check_launcher_here(cfg: DictConfig) -> None:
    """A SLURM launcher runs where SLURM does: submitit looks for ``srun`` (else a traceback)."""
    import shutil

    target = str(OmegaConf.select(cfg, "hydra.launcher._target_", default="") or "")
    if target.endswith("SlurmLauncher") and shutil.which("srun") is None:
        raise InputError("hydra/launcher=slurm: SLURM's srun is not on PATH here; run it on the cluster")


def check_writable(folder: Path) -> list[Path]:
    """The folders to create for ``folder``; an ``OSError`` if it cannot be made or written, or
    is a symbolic link (refused where its files are written, after the run: here, before)."""
    own_folder(folder)
    base = existing_ancestor(folder)
    if not base.is_dir():
        raise OSError(20, "Not a directory", str(base))
    if not os.access(base, os.W_OK | os.X_OK):
        raise OSError(13, "Permission denied (cannot write here)", str(base))
    return missing_dirs(folder)


# -- the plan -------------------------------------------------------------------------------------
def _early_pool(primary: DictConfig, multirun: bool) -> Pool | None:
    """The pool the first composition asks for (a sweep's jobs not yet counted: one), or None where
    it asks for none or its experiment is not valid (the checks that follow say why)."""
    try:
        return _pool(primary.get("experiment"), 1, multirun)
    except Exception:
        return None


def plan(argv: list[str], ahead: Callable[[Pool], object] | None = None) -> Plan:
    """Check the command ``parltwin *argv``; the ``Plan`` of what it will do, or the first problem
    (``ConfigError``, ``InputError``, an error of Hydra's composition, ``OSError``).

    ``ahead`` is called with the pool of replications as soon as the first composition tells it,
    before the sweep's jobs are composed and checked (the command's workers can get ready
    meanwhile); if a later check fails, the caller stops what it started.
    """
    args = parser().parse_args(argv)
    _refuse_flags(args)
    from experiments.progress import every_seconds

    every_seconds()  # the environment's setting, checked before anything runs
    overrides = list(args.overrides)
    parsed = parse_overrides(overrides)
    sweeps = [o for o in parsed if o.is_sweep_override()]
    plain = [o.input_line for o in parsed if not o.is_sweep_override()]
    with Composer(args.config_dir, parsed) as composer:
        primary = composer.compose(plain)  # what Hydra composes first (a sweep's own values left out)
        check_instantiable(primary)
        runs = not (args.help or args.hydra_help or args.cfg or args.info)
        if args.cfg and args.package and args.package != "_global_":  # Hydra: exit code 1
            in_hydra = args.package.split(".")[0] == "hydra"
            shown = args.cfg == "all" or in_hydra == (args.cfg == "hydra")
            if not shown or OmegaConf.select(primary, args.package, default=None) is None:
                raise InputError(
                    f"--package {args.package}: no such part of the config --cfg {args.cfg} shows"
                )
        if not runs:
            return Plan(runs=False)
        check_launcher_here(primary)
        mode = OmegaConf.select(primary, "hydra.mode")
        multirun = bool(args.multirun) or str(mode) in ("MULTIRUN", "RunMode.MULTIRUN")
        out = Plan(runs=True, multirun=multirun)
        if ahead is not None and (early := _early_pool(primary, multirun)) is not None:
            ahead(early)
        # Hydra may take the check's compositions as its own (it reads the same overrides alike).
        reuse = reusable(overrides) and not composer.search
        if not multirun:
            cfg = composer.compose(overrides) if sweeps else primary  # Hydra's "use --multirun" error
            task = [o.input_line for o in parsed if not o.is_hydra_override()]
            folder = _pin(cfg, "hydra.run.dir", out)
            out.jobs = [Job(0, task, cfg, folder, instantiable=cfg is primary)]
            if reuse:
                out.composed = cfg
            exp = out.jobs[0].task.get("experiment")
            if exp is not None and exp.get("kind") == "robustness":
                from experiments.robustness import compose_scenarios, robustness_spec

                out.jobs[0].scenarios = compose_scenarios(robustness_spec(exp), task, composer.compose)
        else:
            out.sweep_dir = _pin(primary, "hydra.sweep.dir", out)
            hydra_args = [o.input_line for o in parsed if o.is_hydra_override()]
            params = OmegaConf.select(primary, "hydra.sweeper.params") or {}
            listed = [f"{k}={v}" for k, v in params.items()] + [
                o.input_line for o in parsed if not o.is_hydra_override()
            ]
            reuse = reuse and not sweeps
            if reuse:
                out.composed = primary
            for num, job_overrides in enumerate(expand(composer.parser().parse_overrides(listed))):
                cfg = composer.compose(hydra_args + job_overrides)
                check_job_folder_name(cfg)
                with open_dict(cfg):
                    cfg.hydra.job.num = num
                    cfg.hydra.job.id = num
                folder = out.sweep_dir / str(OmegaConf.select(cfg, "hydra.sweep.subdir"))
                out.jobs.append(Job(num, job_overrides, cfg, folder))
                if reuse:  # Hydra composes a job from its master's hydra overrides and the job's
                    out.composed_jobs.append((hydra_args, job_overrides, cfg))
    for job in out.jobs:
        check_scenario_choices(job.cfg)
        out.estimate = out.estimate + experiment_cost(job)
    costs.check_total(out.estimate)
    kinds = {str((j.task.get("experiment") or {}).get("kind")) for j in out.jobs}
    if kinds == {COMPARE}:
        check_comparison(out.jobs)
    if out.sweep_dir is not None:
        check_job_folders(out.sweep_dir, out.jobs)
        check_sweep_folder(out.sweep_dir, out.jobs)
        out.prepared[checked_sweep(out.sweep_dir)] = True  # the sweep's callback need not check again
    for job in out.jobs:
        check_resume(job)
        check_output_subdir(job)
    folders = [j.out for j in out.jobs] + ([out.sweep_dir] if out.sweep_dir is not None else [])
    for folder in folders:
        out.new_dirs += check_writable(folder)
    out.pool = pool_of(out.jobs, out.multirun)
    given = " ".join(o.input_line for o in parsed if o.key_or_group == "experiment.scheduler")
    for address in schedulers(out.jobs):  # every job's: a sweep's later jobs may name their own
        if address not in given:
            raise ConfigError(
                "experiment.scheduler",
                address,
                "an address given on the command line, not by a preset or a sweep's parameters: the "
                "scheduler it names is sent this machine's work and sends back what this process unpickles",
            )
        check_scheduler(address)
    # A robustness run's design, for the job to take: it checks that its command line and its
    # design's settings are the ones checked here, so this holds where Hydra composes again (a list
    # in the overrides) as well as where it takes the check's composition.
    if out.jobs and out.jobs[0].made is not None:
        from experiments.robustness import KIND, Checked

        job = out.jobs[0]
        out.prepared[KIND] = Checked(list(job.overrides), job.scenarios, job.made)
    return out
