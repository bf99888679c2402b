"""A scenario as the explorer sees it: presets plus lever values, composed like ``parltwin`` does.

A scenario is a parliament preset, a channels preset and values of the registry's levers
(``scenarios.parameters.PARAMETERS``). Its config is the one ``parltwin`` composes for the presets,
with the levers applied; its fingerprint is the ``compare`` runner's, so a scenario run here and the
same scenario run from its exported YAML share their replications. Runs go into a cache folder, one
folder per fingerprint and seed, written by :mod:`experiments.replicate` exactly as the command does.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import json
import os
import shutil
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf, read_write

from agents.numerics import portable_here
from configs import CONFIGS
from experiments import compare_spec
from experiments.compare import fingerprint_of, scenario_manifest
from experiments.compare_spec import HEADLINE
from experiments.comparison import Compared, compare_jobs
from experiments.errors import InputError
from experiments.explorer.shared import shared
from experiments.figure import PLOTS
from experiments.files import write_json
from experiments.labels import scenario_name
from experiments.manifest import config_hash, model_code, resolved
from experiments.pool import PoolSpec, available_cores, blas_as_set, serves, start_ahead
from experiments.replicate import SCENARIO, finished, pending, run_tasks
from scenarios import Config, register, validate
from scenarios.parameters import PARAMETERS, apply, current, plausible_span, present
from scenarios.schema import Schema
from sim.engine.streams import replication_seeds

#: Replications still to run (of the scenarios run together) from which they use several processes:
#: below it, starting them costs more than they save (`docs/performance.md`, "The explorer's answers").
POOL_FROM = 10
#: How many processes a scenario's replications may use (``parltwin-app --workers``).
WORKERS = "PARLTWIN_APP_WORKERS"


def workers() -> int:
    """``$PARLTWIN_APP_WORKERS``, else every core available to this process."""
    value = os.environ.get(WORKERS, "").strip()
    if not value:
        return available_cores()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # "²" is a digit to isdigit
        raise ValueError(f"{WORKERS}={value!r}: allowed: a whole number of processes, 1 or more")
    return int(value)


def draw_aside() -> bool:
    """Start the workers' server with the figures' module too, where a scenario may use several
    processes: a comparison's figures are then drawn by two processes forked from it
    (:mod:`experiments.drawing`). Started once, at the page's first run, it imports while the
    first scenarios run; True if it runs with the figures' module. Where the server cannot start
    (no Unix sockets, no processes allowed), the figures are drawn in the page's own process."""
    try:
        start_ahead(PoolSpec(workers=workers()), POOL_FROM, also=[PLOTS])
    except OSError:
        return False
    return serves(PLOTS)


def cache_dir() -> Path:
    """Where the explorer keeps its runs: ``$PARLTWIN_APP_CACHE``, else ``outputs/explorer``."""
    return Path(os.environ.get("PARLTWIN_APP_CACHE", "outputs/explorer"))


#: The replications and the years of the main job, read once for every session.
main_job = shared(maxsize=1)(compare_spec.main_job)


@shared(maxsize=64)
def scenario_presets(name: str) -> tuple[str, str] | None:
    """The parliament and channels presets a shipped scenario (``configs/scenario/``) chooses, as the
    page names a side; None for a name that is not one (a robustness run of a user's scenarios)."""
    if name not in presets("scenario"):
        return None
    path = CONFIGS / "scenario" / f"{name}.yaml"
    chosen = {"parliament": "kz_bicameral_2023", "channels": "none"}  # configs/config.yaml's
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("defaults", []):
        for key, value in entry.items() if isinstance(entry, dict) else []:
            group = str(key).removeprefix("override ").strip("/")
            if group in chosen:
                chosen[group] = str(value)
    return chosen["parliament"], chosen["channels"]


def presets(group: str) -> list[str]:
    """The shipped presets of a config group (``parliament``, ``channels``)."""
    return sorted(p.stem for p in (CONFIGS / group).glob("*.yaml"))


@shared(maxsize=64)
def description(group: str, preset: str) -> str:
    """A shipped preset's ``description:`` (its message id in the catalog's ``description``
    context), or "" where it has none: what a picker shows beside the preset's id."""
    try:
        data = yaml.safe_load((CONFIGS / group / f"{preset}.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ""
    text = data.get("description") if isinstance(data, dict) else None
    return text if isinstance(text, str) else ""


@dataclass(frozen=True)
class Scenario:
    """What a planner chose: presets, lever values (by registry name), horizon, seed, replications."""

    parliament: str = "kz_bicameral_2023"
    channels: str = "none"
    levers: dict[str, float] = field(default_factory=dict)
    years: float = 5.0
    seed: int = 0
    replications: int = 10

    @property
    def name(self) -> str:
        return scenario_name(self.parliament, {"channels": self.channels})

    def overrides(self) -> list[str]:
        return [*self.presets(), f"years={self.years:g}", f"seed={self.seed}"]

    def presets(self) -> list[str]:
        """The overrides that choose presets (what Hydra has to compose; the rest are values)."""
        return [f"parliament={self.parliament}", f"channels={self.channels}"]


#: What the page shows before a planner changes anything: the baseline, and the proposal (whose
#: levers start at their presets' values).
BASELINE = Scenario("kz_bicameral_2023", "none", years=3.0, replications=5)
PROPOSAL = Scenario("kz_kurultai_2026", "none", years=3.0, replications=5)


#: Hydra's composition is process-global: one at a time, whatever the page sessions do.
_COMPOSING = threading.Lock()
#: One lock per run folder.
_RUNNING: collections.defaultdict[str, threading.Lock] = collections.defaultdict(threading.Lock)


@shared(maxsize=64)
def _composed(overrides: tuple[str, ...]) -> str:
    register()
    with _COMPOSING, initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        return json.dumps(resolved(compose("config", overrides=list(overrides))))


def _based(presets: tuple[str, ...], years: float, seed: int) -> dict[str, Any]:
    """The resolved config ``parltwin`` composes for the presets, horizon and seed (a fresh copy:
    callers change it). Hydra composes the presets once; horizon and seed are values set on a
    copy, as their overrides set them."""
    data = json.loads(_composed(presets))
    data["years"], data["seed"] = years, seed
    return data


def config(s: Scenario) -> DictConfig:
    """The scenario's config: its presets' with the levers applied (a lever absent from the
    presets, e.g. the Senate's review in a one-chamber parliament, is left out). Read-only: it is
    made once per scenario, and shared (the page asks for it at every rerun)."""
    return _config(tuple(s.presets()), s.years, s.seed, tuple(sorted(s.levers.items())))


@shared(maxsize=64)
def _config(
    presets: tuple[str, ...], years: float, seed: int, lever_values: tuple[tuple[str, float], ...]
) -> DictConfig:
    # A new seed is a copy of the scenario's config with another seed: a third of a merge's time.
    cfg = copy.deepcopy(_merged(presets, years, lever_values))
    with read_write(cfg):
        cfg.seed = seed  # checked against the type, as the merge checks every value
    return cfg


@shared(maxsize=64)
def _merged(
    presets: tuple[str, ...], years: float, lever_values: tuple[tuple[str, float], ...]
) -> DictConfig:
    """The scenario's config, seed aside (read-only)."""
    base = _based(presets, years, 0)
    values = {k: v for k, v in lever_values if present(base, k)}
    cfg = OmegaConf.merge(OmegaConf.structured(Schema), apply(base, values))  # checked against the types
    OmegaConf.set_readonly(cfg, True)
    return cfg  # type: ignore[return-value]


def checked(s: Scenario) -> tuple[Config, str]:
    """The scenario's typed config, checked, and its fingerprint: made once per scenario and seed,
    and shared by every rerun that asks for them (a replication leaves its config as it found it:
    tested)."""
    return _checked(tuple(s.presets()), s.years, s.seed, tuple(sorted(s.levers.items())))


@shared(maxsize=64)
def _checked(
    presets: tuple[str, ...], years: float, seed: int, lever_values: tuple[tuple[str, float], ...]
) -> tuple[Config, str]:
    cfg = _config(presets, years, seed, lever_values)
    return validate(cfg), fingerprint_of(_resolved(presets, years, seed, lever_values))


def resolved_config(s: Scenario) -> dict[str, Any]:
    """The scenario's config as plain data (what its manifest, fingerprint and exported YAML hold):
    made once per scenario and seed, and shared: read it, do not change it."""
    return _resolved(tuple(s.presets()), s.years, s.seed, tuple(sorted(s.levers.items())))


@shared(maxsize=64)
def _resolved(
    presets: tuple[str, ...], years: float, seed: int, lever_values: tuple[tuple[str, float], ...]
) -> dict[str, Any]:
    return resolved(_config(presets, years, seed, lever_values))


def levers(s: Scenario) -> list[tuple[str, float]]:
    """The registry's levers present in the scenario's presets, with their preset values (read
    once per pair of presets: the page asks at every rerun, for each lever shown or exported)."""
    return [(n, value) for n, value, _span in _preset_levers(tuple(s.presets()))]


def spans(s: Scenario) -> dict[str, tuple[float, float]]:
    """Each lever's values that the presets' plausible ranges allow: what the page offers, since
    a scenario outside them is refused (:func:`scenarios.parameters.plausible_span`)."""
    return {n: span for n, _value, span in _preset_levers(tuple(s.presets()))}


@shared(maxsize=64)
def _preset_levers(presets: tuple[str, ...]) -> tuple[tuple[str, float, tuple[float, float]], ...]:
    base = json.loads(_composed(presets))  # horizon and seed are no lever's
    return tuple(
        (n, current(base, n), plausible_span(base, n))
        for n, p in PARAMETERS.items()
        if p.lever and present(base, n)
    )


def exact(value: float) -> str:
    """A number as short as it can be written and still be read back as itself (``:g`` keeps six
    digits: a shared link or a download's settings gave 0.163457 for 0.1634567, another scenario)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


def changed(s: Scenario) -> dict[str, float]:
    """The levers that differ from the presets' values."""
    preset = dict(levers(s))
    return {k: v for k, v in s.levers.items() if k in preset and preset[k] != v}


def same_world(base: Scenario, scen: Scenario) -> tuple[Scenario, list[str]]:
    """The baseline with the assumed numbers the planner moved on the scenario (its "assumptions"
    levers): a comparison holds the world fixed and changes only the reform, so an assumption
    moved on one side alone would be read as the reform's effect. Returns the baseline and the
    assumptions its presets cannot take (not present, or outside their plausible range)."""
    allowed, kept, left = spans(base), {}, []
    for n, v in changed(scen).items():
        if PARAMETERS[n].lever != "assumptions":
            continue
        if n in allowed and allowed[n][0] <= v <= allowed[n][1]:
            kept[n] = v
        else:
            left.append(n)
    return replace(base, levers=kept), left


def prepare() -> None:
    """Do ahead what the page's first run does whatever a planner asks: start the workers' server
    (see :func:`draw_aside`) and compose and check the first scenarios' configs, which every
    session then shares. ``parltwin-app`` runs it while Streamlit starts, so the first answer
    comes as quickly as the next ones."""
    draw_aside()
    checked(BASELINE)
    checked(replace(PROPOSAL, levers=dict(levers(PROPOSAL))))


#: The most the explorer's runs may take on disk, in MB (``PARLTWIN_APP_CACHE_MB``): every seed,
#: lever and horizon tried keeps a folder of runs, and nothing else removes them.
CACHE_MB = 2000


def cache_limit() -> int:
    """The cache's limit in bytes: ``PARLTWIN_APP_CACHE_MB``, else :data:`CACHE_MB`."""
    given = os.environ.get("PARLTWIN_APP_CACHE_MB", str(CACHE_MB))
    if not (given.isascii() and given.isdigit()) or int(given) < 1:  # "²" is a digit to isdigit
        raise InputError(f"PARLTWIN_APP_CACHE_MB={given!r}: a whole number of megabytes, at least 1")
    return int(given) * 1_000_000


def _is_run(path: Path) -> bool:
    """A folder the explorer wrote (``<fingerprint>-<seeds>-<model code>``, its manifest in it): the
    only kind of entry :func:`trim` removes from the cache folder."""
    parts = path.name.split("-")
    hexadecimal = all(part and all(c in "0123456789abcdef" for c in part) for part in parts)
    return len(parts) == 3 and hexadecimal and not path.is_symlink() and (path / SCENARIO).is_file()


def _size(path: Path) -> int:
    return sum(os.lstat(os.path.join(d, f)).st_size for d, _, files in os.walk(path) for f in files)


def trim(keep: Collection[Path], cache: Path | None = None) -> list[Path]:
    """Remove the least recently used runs (by their folder's time, which each use renews) until the
    cache holds at most :func:`cache_limit`; never those in ``keep`` or being run or read. Returns
    the folders removed."""
    root, limit = Path(cache or cache_dir()), cache_limit()
    runs = [p for p in root.iterdir() if _is_run(p)] if root.is_dir() else []
    sizes = {p: _size(p) for p in runs}
    total, kept, removed = sum(sizes.values()), {str(Path(k)) for k in keep}, []
    for path in sorted(runs, key=lambda p: p.stat().st_mtime):
        if total <= limit:
            break
        lock = _RUNNING[str(path)]
        if str(path) in kept or not lock.acquire(blocking=False):
            continue
        try:
            shutil.rmtree(path)
        finally:
            lock.release()
        total -= sizes[path]
        removed.append(path)
    return removed


def folder(fp: str, seeds: Sequence[int], cache: Path | None = None) -> Path:
    """The cache folder of a config's replications: by its fingerprint (``fp``), seed list and the
    model's code (after an update, a scenario runs again rather than show the old code's numbers),
    apart where this process's numpy or OpenBLAS computes as this CPU's own kernels do (numpy
    loaded before parltwin): its numbers differ in the last bit from every other machine's."""
    native = "" if portable_here() and blas_as_set() else "-native"
    return Path(cache or cache_dir()) / f"{fp}-{config_hash(list(seeds))[:8]}-{model_code()[:8]}{native}"


@dataclass(frozen=True)
class _Made:
    """A scenario ready to run: its folder (manifest written), manifest, config and seeds."""

    out: Path
    manifest: dict[str, Any]
    conf: Config
    seeds: list[int]


def _made(s: Scenario, cache: Path | None) -> _Made:
    conf, fp = checked(s)
    seeds = replication_seeds(conf.seed, s.replications)
    out = folder(fp, seeds, cache)
    finished(out, seeds, fp)  # refuses another scenario's folder before anything is written
    overrides = [*s.overrides(), *(f"{k}={v:g}" for k, v in changed(s).items())]
    choices = {"parliament": s.parliament, "channels": s.channels}
    manifest = scenario_manifest(conf, resolved_config(s), fp, seeds, s.name, 0, overrides, choices, None)
    if not (out / SCENARIO).is_file():
        write_json(out / SCENARIO, manifest)
    return _Made(out, manifest, conf, seeds)


def run_together(
    scenarios: Sequence[Scenario],
    cache: Path | None = None,
    step: Callable[[int, int, int], None] | None = None,
) -> list[tuple[Path, dict[str, Any]]]:
    """Run (or resume, or find in the cache) the replications of several scenarios in one pool
    (from ``POOL_FROM`` replications to run in all: on ``workers()`` processes, with no pool to
    start per scenario); ``step(i, done, total)`` after each of scenario ``i``'s, and once for a
    scenario with nothing to run. Returns each scenario's folder and manifest, as ``compare`` jobs
    write them. Two scenarios with the same config share their folder, run once."""
    made = [_made(s, cache) for s in scenarios]
    with contextlib.ExitStack() as held:
        # Two pages asking for the same scenario: one runs, the other reads (locks taken in order).
        for out in sorted({str(m.out) for m in made}):
            held.enter_context(_RUNNING[out])
        todo, owner, done, seen = [], [], [], set()
        for i, m in enumerate(made):
            fp = m.manifest["fingerprint"]
            mine = [] if m.out in seen else pending(m.conf, m.seeds, m.out, fp)
            seen.add(m.out)
            todo += mine
            owner += [i] * len(mine)
            done.append(len(m.seeds) - len(mine))  # the page's bar counts these as done
        if step is not None:
            for i, m in enumerate(made):
                if done[i] == len(m.seeds):
                    step(i, done[i], done[i])

        def each(k: int, _: int) -> None:
            i = owner[k - 1]
            done[i] += 1
            if step is not None:
                step(i, done[i], len(made[i].seeds))

        run_tasks(todo, PoolSpec(workers=workers() if len(todo) >= POOL_FROM else 1), quiet=True, step=each)
        for m in made:
            os.utime(m.out)  # used now: the last the cache lets go
    if todo:  # the cache grew: weighed only then, not at each page's rerun (a walk of every run)
        trim([m.out for m in made], cache)
    return [(m.out, m.manifest) for m in made]


def run(
    s: Scenario, cache: Path | None = None, step: Callable[[int, int], None] | None = None
) -> tuple[Path, dict[str, Any]]:
    """Run one scenario's replications (see :func:`run_together`); ``step(done, total)``."""
    return run_together([s], cache, None if step is None else lambda _, k, n: step(k, n))[0]


def compare(runs: Sequence[tuple[Path, dict[str, Any]]], metrics: Sequence[str] = HEADLINE) -> Compared:
    """The comparison of the runs, the first as the baseline: the statistics of ``parltwin``."""
    jobs = [(f, {**m, "job": i}) for i, (f, m) in enumerate(runs)]
    return compare_jobs(jobs, None, metrics)
