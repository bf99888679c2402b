"""Benchmarks: ``make bench`` prints a table and the targets, and writes ``bench.json``.

Each figure that has a target is a ratio to a reference measured in the same process, so that it holds
on a slower or busier machine: a replication's CPU time against the floor set by raw SimPy's rate of
events (and, with no target, the same scenario without its citizens layer: the engine alone, and the
engine alone with its members' votes made free: its plumbing); the engine on an M/M/c queue against
the same queue in plain SimPy; the cost of 10x the citizen groups (the local slope); the main job on
two workers against one. Absolute figures are recorded too, with the machine's load
(``os.getloadavg`` and ``uptime``) and speed (a fixed Python loop) before and after. In-process
cases report the median CPU time (and wall time) of ``--repeat`` runs after one warm-up; commands
(start-up, the main job, the robustness experiment) are timed as a user starts them. Speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np
import simpy
from hydra import compose, initialize_config_dir

from agents.deputies import Deputies, apportion
from configs import CONFIGS
from experiments.files import write_json
from experiments.pool import PoolSpec, available_cores, one_blas_thread
from experiments.replicate import Task, run_tasks
from experiments.table import render
from scenarios import register, simulate, validate
from sim.citizens.responsiveness import METRICS
from sim.pluchino.model import Parliament, curve

#: 2,220 and 22,200 citizen groups: the default population split 10 and 100 ways.
SLOPE_SUBGROUPS = (10, 100)
DIGITAL = ["channels=kz_digital"]
#: The default scenario without its citizens layer (groups, demands, channels): the engine alone,
#: whose ratio to the floor says how much of the replication's ratio the engine's own decisions take.
ENGINE_ALONE = ["~citizens", "~channels"]
#: The M/M/c check: 2 servers, lambda 0.8 a day, mean service 1 day, 50 years (about 14,600 bills).
MMC = ["parliament=single_queue", "parliament.servers=2", "years=50"]
MAIN_JOB = ["experiment=reform_comparison"]
#: The robustness target's size: sampled worlds x scenarios x replications, on two workers.
ROBUSTNESS = (256, 3, 5)
#: Worlds of the two runs of the robustness experiment that the target's size is projected from.
ROBUSTNESS_WORLDS = (4, 16)
ROBUSTNESS_SAMPLE = 4  # replications of each scenario timed in this process, for comparison
SCENARIOS = ("kz_bicameral_2023", "kz_kurultai_2026", "kz_kurultai_2026_digital")
#: The robustness experiment over the target's scenarios and replications, on two workers.
ROBUSTNESS_RUN = [
    "experiment=robustness",
    f"experiment.scenarios=[{','.join(SCENARIOS)}]",
    f"experiment.replications={ROBUSTNESS[2]}",
    "experiment.workers=2",
]


def _config(overrides: list[str]) -> Any:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        return validate(compose("config", overrides=overrides))


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median CPU and wall time of ``fn`` over ``repeat`` calls (after one warm-up), its last result."""
    out = fn()
    cpu, wall = [], []
    for _ in range(repeat):
        out = None  # let the last result go before the next run (a large run's memory is not doubled)
        c, w = time.process_time(), time.perf_counter()
        out = fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall), out


def _paired(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[Paired, Paired]:
    """``a`` and ``b`` run alternately ``repeat`` times each (after one warm-up of each): the CPU
    and wall times of every run, and each one's last result. The machine's speed moves by up to
    1.6x within minutes, so a ratio is taken in each pair (a slow phase falls on both of its runs)
    and the median of those is reported, not a ratio of medians measured minutes apart."""
    runs = (Paired([], [], a()), Paired([], [], b()))
    for _ in range(repeat):
        for fn, got in zip((a, b), runs, strict=True):
            got.out = None  # let the last result go before the next run
            c, w = time.process_time(), time.perf_counter()
            got.out = fn()
            got.cpu.append(time.process_time() - c)
            got.wall.append(time.perf_counter() - w)
    return runs


@dataclass
class Paired:
    """One side of :func:`_paired`: CPU and wall seconds of each run, the last run's result."""

    cpu: list[float]
    wall: list[float]
    out: Any

    def ratios(self, other: Paired) -> list[float]:
        """This side's CPU time over the other's, run by run (the pairs)."""
        return [x / y for x, y in zip(self.cpu, other.cpu, strict=True)]


#: Timeouts in one measurement of raw SimPy's rate (the floor).
FLOOR_EVENTS = 200_000


def simpy_floor() -> None:
    """Raw SimPy: one process yielding ``FLOOR_EVENTS`` timeouts (CPU per event: the floor)."""

    def loop(env: simpy.Environment):
        for _ in range(FLOOR_EVENTS):
            yield env.timeout(1.0)

    env = simpy.Environment()
    env.process(loop(env))
    env.run()


def raw_mmc(arrival_rate: float, servers: int, service_mean: float, horizon: float, seed: int) -> int:
    """The M/M/c queue in plain SimPy with a ``Resource``: arrival, request, service, release (the
    reference the target was set against); returns the customers served."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    served = [0]

    def customer(service: float):
        with desk.request() as req:
            yield req
            yield env.timeout(service)
        served[0] += 1

    def arrivals():
        while True:
            gaps = rng.exponential(1.0 / arrival_rate, 256)
            services = rng.exponential(service_mean, 256)
            for gap, service in zip(gaps.tolist(), services.tolist(), strict=True):
                yield env.timeout(gap)
                env.process(customer(service))

    env.process(arrivals())
    env.run(until=horizon)
    return served[0]


def resized(preset: list[str], chamber: str, seats: int) -> list[str]:
    """Overrides that give ``chamber`` ``seats`` members, its parties' seats in proportion (they
    must add up to the chamber's seats)."""
    parties = _config(preset).parliament.chambers[chamber].parties
    counts = apportion(seats, np.array([p.seats for p in parties.values()]))
    shares = (
        f"parliament.chambers.{chamber}.parties.{n}.seats={c}" for n, c in zip(parties, counts, strict=True)
    )
    return [*preset, f"parliament.chambers.{chamber}.seats={seats}", *shares]


def _replication(name: str, overrides: list[str], run: Paired) -> dict[str, Any]:
    return {
        "case": name,
        "overrides": overrides,
        "cpu_s": statistics.median(run.cpu),
        "wall_s": statistics.median(run.wall),
        "events": run.out.events,
        "bills": len(run.out.tables["bills"]["bill"]),
    }


def replication_case(name: str, overrides: list[str], repeat: int) -> dict[str, Any]:
    conf = _config(overrides)
    cpu, wall, result = _median(lambda: simulate(conf), repeat)
    return _replication(name, overrides, Paired([cpu], [wall], result))


@contextmanager
def free_votes() -> Iterator[None]:
    """Every member present and for every question, at no cost (no arithmetic, no draw), while the
    body runs: what is left of a replication is the engine's plumbing (processes, stages, desks,
    agendas, durations, records). No code for the members' decisions, compiled or not, can take a
    replication's ratio to the floor much below this one's. Restored on the way out, whatever
    happens."""
    saved = Deputies.support, Deputies.support_one, Deputies.attend

    def support(self: Deputies, position: np.ndarray, *_: Any, **__: Any) -> np.ndarray:
        return np.ones((self.size, len(position)), dtype=bool)

    def support_one(self: Deputies, *_: Any, **__: Any) -> np.ndarray:
        return np.ones(self.size, dtype=bool)

    def attend(self: Deputies, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        return np.ones(shape, dtype=bool)

    Deputies.support, Deputies.support_one, Deputies.attend = support, support_one, attend  # type: ignore[method-assign]
    try:
        yield
    finally:
        Deputies.support, Deputies.support_one, Deputies.attend = saved  # type: ignore[method-assign]


def _against_floor(
    name: str, overrides: list[str], repeat: int, free: bool = False
) -> tuple[dict[str, Any], Paired]:
    """A replication of ``overrides`` and the raw-SimPy floor in pairs: the replication's case, with
    its CPU time over its events' worth of raw-SimPy CPU (``vs_simpy_floor``, the median over the
    pairs), and the floor's runs. ``free``: the replication's votes made free (:func:`free_votes`)."""
    conf = _config(overrides)

    def replication() -> Any:
        with free_votes() if free else nullcontext():
            return simulate(conf)

    rep, floor = _paired(replication, simpy_floor, repeat)
    case = _replication(name, overrides, rep)
    case["vs_simpy_floor"] = statistics.median(r * FLOOR_EVENTS / case["events"] for r in rep.ratios(floor))
    return case, floor


def floor_case(repeat: int) -> list[dict[str, Any]]:
    """The floor case, the default replication against it, the same scenario without its citizens
    layer (the engine alone) against it, and the engine alone with free votes (its plumbing)."""
    case, floor = _against_floor("default scenario, 1 replication (5 years)", [], repeat)
    alone, _ = _against_floor("default scenario without citizens (the engine alone)", ENGINE_ALONE, repeat)
    plumbing, _ = _against_floor(
        "the engine alone with free votes (its plumbing)", ENGINE_ALONE, repeat, free=True
    )
    per_event = statistics.median(floor.cpu) / FLOOR_EVENTS
    return [
        {
            "case": f"raw SimPy timeouts: the floor, {per_event * 1e6:.2f} us CPU per event",
            "cpu_us_per_event": per_event * 1e6,
        },
        case,
        alone,
        plumbing,
    ]


def mmc_case(repeat: int) -> dict[str, Any]:
    """The engine on ``parliament=single_queue`` against the same queue in plain SimPy, in pairs."""
    p = _config(MMC)
    args = (p.parliament.arrival_rate, p.parliament.servers, p.parliament.service_mean, p.years * 365.0)
    eng, raw_run = _paired(lambda: simulate(p), lambda: raw_mmc(*args, seed=0), repeat)
    engine = _replication("M/M/c queue: the engine (single_queue, c=2, 50 years)", MMC, eng)
    served = raw_run.out
    raw = {
        "case": "M/M/c queue: plain SimPy with a Resource",
        "cpu_s": statistics.median(raw_run.cpu),
        "wall_s": statistics.median(raw_run.wall),
        "bills": served,
    }
    ratio = statistics.median(r * served / engine["bills"] for r in eng.ratios(raw_run))
    engine["vs_raw_simpy_mmc"] = ratio
    return {"engine": engine, "raw": raw, "ratio": ratio}


def slope_cases(repeat: int) -> tuple[list[dict[str, Any]], float]:
    """CPU at 2,220 and 22,200 citizen groups with the Kazakh digital channels, run in pairs, and the
    local slope d log(cost) / d log(groups) between them (1 = linear; the median over the pairs)."""
    names = [f"kz_digital, {222 * k:,} citizen groups" for k in SLOPE_SUBGROUPS]
    overrides = [[*DIGITAL, f"citizens.subgroups={k}"] for k in SLOPE_SUBGROUPS]
    small, large = (_config(o) for o in overrides)
    runs = _paired(lambda: simulate(small), lambda: simulate(large), repeat)
    cases = []
    for name, o, k, run in zip(names, overrides, SLOPE_SUBGROUPS, runs, strict=True):
        case = _replication(name, o, run)
        case["groups"] = 222 * k
        cases.append(case)
    step = math.log(SLOPE_SUBGROUPS[1] / SLOPE_SUBGROUPS[0])
    return cases, statistics.median(math.log(r) / step for r in runs[1].ratios(runs[0]))


def pluchino_case(repeat: int) -> dict[str, Any]:
    """The paper's curve: N=500, 51 points x 100 legislatures x 1,000 acts, on two threads."""
    model = Parliament()
    grid = list(range(0, model.n + 1, 10))
    cpu, wall, _ = _median(lambda: curve(model, grid, 100, seed=0, workers=2), repeat)
    return {
        "case": f"Pluchino curve N=500, {len(grid)} points x 100 x 1,000 acts",
        "cpu_s": cpu,
        "wall_s": wall,
    }


#: The explorer's answers: replications per scenario (the page's default, then more).
APP_REPLICATIONS = (5, 30)


def app_case(replications: Sequence[int] = APP_REPLICATIONS, years: float | None = None) -> dict[str, Any]:
    """The explorer's answers as a planner waits for them: Streamlit's ``AppTest`` runs the real page
    in this process (its runs cached in a fresh folder, two workers), for each number of
    replications: a new seed (both scenarios to run: wall time), twice, then back to a seed already
    run, twice. ``years``: the page's horizon (None: its default)."""
    from streamlit.testing.v1 import AppTest

    from experiments.explorer.scenario import WORKERS
    from experiments.explorer.serve import PAGE

    answers: dict[str, dict[str, list[float]]] = {}
    main = sys.modules["__main__"]  # AppTest runs the page as ``__main__`` and leaves it there
    with (
        tempfile.TemporaryDirectory() as cache,
        patch.dict(os.environ, {"PARLTWIN_APP_CACHE": cache, WORKERS: "2"}),
    ):
        try:
            logging.disable(logging.WARNING)  # Streamlit warns that the page runs without its server
            for n in replications:
                at = AppTest.from_file(str(PAGE), default_timeout=600)
                at.session_state["replications"] = n
                if years is not None:
                    at.session_state["years"] = years
                at.run()
                walls = []
                for seed in (101, 102, 101, 102):
                    start = time.perf_counter()
                    at.number_input(key="seed").set_value(seed).run()
                    walls.append(time.perf_counter() - start)
                    if at.exception:
                        raise RuntimeError(f"the explorer failed: {at.exception[0].value}")
                answers[str(n)] = {"new_seed_s": walls[:2], "seed_already_run_s": walls[2:]}
        finally:
            logging.disable(logging.NOTSET)
            sys.modules["__main__"] = main
    return {"case": "explorer: answers of the page (two scenarios), wall", "answers": answers}


#: Seconds between the app's server listening and the planner opening its page.
OPENS_AFTER = 3.0
#: The page has answered when the plotted share's values are shown: its line on the share of demands
#: answered, as the page labels that measure.
ANSWERED = METRICS["demands_answered_within_365d"].label.removeprefix("Share of citizens' demands ") + " — "


def served_case(opens_after: float = OPENS_AFTER) -> dict[str, Any]:
    """The explorer as a planner meets it: ``parltwin-app`` launched with two workers and a fresh
    cache, its page opened in headless Chromium ``opens_after`` s after the server listens, at the
    page's defaults. Wall times: the server listening (from the launch), the first answer (from
    opening the page), the same page opened again, and a new seed (``?seed=9``). Skipped where
    Chromium or Playwright is missing."""
    from experiments.explorer.serve import CHROMIUM, HOST, free_port, serving

    name = "explorer served in Chromium: the page's answers, wall"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"case": name, "skipped": "Playwright is not installed"}
    if not CHROMIUM.exists():
        return {"case": name, "skipped": f"{CHROMIUM} is missing"}
    port = free_port()
    answered: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        launch = [sys.executable, "-m", "experiments.explorer.serve", "--port", str(port), "--workers", "2"]
        env = {**os.environ, "PARLTWIN_APP_CACHE": str(Path(tmp, "cache"))}
        start = time.perf_counter()
        with serving(launch, port, env, Path(tmp)):
            answered["server_listening_s"] = time.perf_counter() - start
            time.sleep(opens_after)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
                )
                try:
                    for what, query in (("first_answer_s", ""), ("again_s", ""), ("new_seed_s", "?seed=9")):
                        page = browser.new_page(viewport={"width": 1400, "height": 1000})
                        opened = time.perf_counter()
                        page.goto(f"http://{HOST}:{port}/{query}")
                        page.get_by_text(ANSWERED).first.wait_for(timeout=300_000)
                        answered[what] = time.perf_counter() - opened
                finally:
                    browser.close()
    return {"case": name, "opens_after_s": opens_after, **answered}


def served_line(case: dict[str, Any]) -> str:
    """The served explorer in one line."""
    if "skipped" in case:
        return f"explorer served: skipped ({case['skipped']})"
    return (
        f"explorer served: listening {case['server_listening_s']:.2f} s after launch; page opened "
        f"{case['opens_after_s']:g} s later: first answer {case['first_answer_s']:.2f} s, the same page "
        f"again {case['again_s']:.2f} s, a new seed {case['new_seed_s']:.2f} s"
    )


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _parltwin() -> str:
    return str(Path(sys.executable).with_name("parltwin"))


def startup_case(repeat: int) -> dict[str, Any]:
    """``parltwin`` with nothing else (the default scenario, one replication) as a user runs it: the
    CPU time of the whole process, imports and Hydra included."""
    cpu, wall = [], []
    for _ in range(repeat + 1):
        folder = tempfile.mkdtemp(prefix="parltwin-bench-")
        c, w = _children_cpu(), time.perf_counter()
        proc = subprocess.run([_parltwin(), f"hydra.run.dir={folder}"], capture_output=True, text=True)
        cpu.append(_children_cpu() - c)
        wall.append(time.perf_counter() - w)
        shutil.rmtree(folder, ignore_errors=True)
        if proc.returncode:
            raise RuntimeError(f"parltwin failed: {proc.stderr.strip()[-500:]}")
    return {
        "case": "start-up: `parltwin` (default scenario, one replication), whole process",
        "cpu_s": statistics.median(cpu[1:]),
        "wall_s": statistics.median(wall[1:]),
    }


#: Runs a command and prints the peak RSS (kB) of its largest process. A fresh interpreter starts it:
#: a child forked straight from this (large) process would report this process's memory as its own.
_PEAK = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _command(args: list[str]) -> tuple[float, int, float]:
    """One end-to-end run of ``parltwin ARGS`` in a fresh folder: wall time, exit code, peak RSS (MB)."""
    folder = tempfile.mkdtemp(prefix="parltwin-bench-")
    cmd = [_parltwin(), *args, f"hydra.sweep.dir={folder}", f"hydra.run.dir={folder}", "quiet=true"]
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t
    shutil.rmtree(folder, ignore_errors=True)
    code, peak = proc.stdout.split()
    if int(code):
        print(f"parltwin {' '.join(args)} failed ({code}): {proc.stderr.strip()[-500:]}", file=sys.stderr)
    return wall, int(code), int(peak) / 1024.0


def main_job_case(runs: int) -> dict[str, Any]:
    """The README's main job end to end on 1 and on 2 worker processes, interleaved ``runs`` times:
    median wall times, the speedup, the peak memory of the largest process."""
    walls: dict[int, list[float]] = {1: [], 2: []}
    codes, peaks = [], []
    capacity = parallel_capacity()  # what the two workers can have at best, just before
    for _ in range(runs):
        for workers in (1, 2):
            wall, code, peak = _command([*MAIN_JOB, f"experiment.workers={workers}"])
            walls[workers].append(wall)
            codes.append(code)
            peaks.append(peak)
    one, two = statistics.median(walls[1]), statistics.median(walls[2])
    return {
        "case": f"main job: parltwin {' '.join(MAIN_JOB)} (median of {runs} run{'s' * (runs > 1)} each)",
        "runs": runs,
        "wall_s_1_worker": one,
        "wall_s_2_workers": two,
        "speedup_2_workers": one / two,
        # the cores the machine gave two busy processes just before and just after the runs
        "cores_given_2": [capacity, parallel_capacity()],
        # each one-worker run over the two-worker run right after it: how far the machine moved
        "speedups_by_pair": [a / b for a, b in zip(walls[1], walls[2], strict=True)],
        # every run, in the order run (1, 2, 1, 2, ...): how much this machine moved between them
        "walls_1_worker": walls[1],
        "walls_2_workers": walls[2],
        "exit_code": max(codes, key=abs),
        "peak_rss_mb": max(peaks),
    }


def project(worlds: tuple[int, int], walls: tuple[float, float], size: int) -> tuple[float, float, float]:
    """The wall time of ``size`` worlds on the line through two runs' (worlds, wall time): the
    projection, the fixed part (start-up, checks, analysis) and the part per world."""
    (a, b), (wa, wb) = worlds, walls
    per_world = (wb - wa) / (b - a)
    fixed = wa - per_world * a
    return fixed + per_world * size, fixed, per_world


def robustness_case(repeat: int, full: bool = False) -> dict[str, Any]:
    """The robustness experiment as a user runs it on two workers (the target's scenarios and
    replications), at 4 and at 16 worlds, projected to the target's 256 along the line through the
    two; ``full`` also runs the 256 worlds, and that run is the figure. Beside it, the CPU time per
    replication of the same scenarios' presets in this process: what two workers would take if
    they shared the work perfectly (on this machine they do not: two busy processes each run
    slower than one)."""
    confs = [_config([f"+scenario={s}"]) for s in SCENARIOS]
    tasks = [Task(c, seed) for c in confs for seed in range(ROBUSTNESS_SAMPLE)]
    cpu, _, _ = _median(lambda: run_tasks(tasks, PoolSpec(workers=1), quiet=True), max(1, repeat // 5))
    worlds, replications = ROBUSTNESS[0], math.prod(ROBUSTNESS)
    runs = [_command([*ROBUSTNESS_RUN, f"experiment.worlds={w}"]) for w in ROBUSTNESS_WORLDS]
    walls = (runs[0][0], runs[1][0])
    projected, fixed, per_world = project(ROBUSTNESS_WORLDS, walls, worlds)
    out: dict[str, Any] = {
        "case": f"robustness {' x '.join(map(str, ROBUSTNESS))} replications on 2 workers",
        "command": f"parltwin {' '.join(ROBUSTNESS_RUN)} experiment.worlds=N",
        "runs": {
            str(w): {"wall_s": r[0], "exit_code": r[1], "peak_rss_mb": r[2]}
            for w, r in zip(ROBUSTNESS_WORLDS, runs, strict=True)
        },
        "fixed_s": fixed,
        "per_world_s": per_world,
        "projected_wall_s": projected,
        "exit_code": max((r[1] for r in runs), key=abs),
        "sample_replications": len(tasks),
        "cpu_s_per_replication_in_process": cpu / len(tasks),
        "perfectly_shared_wall_s": cpu / len(tasks) * replications / 2,
    }
    if full:
        wall, code, peak = _command([*ROBUSTNESS_RUN, f"experiment.worlds={worlds}"])
        out.update(measured_wall_s=wall, exit_code=max(out["exit_code"], code, key=abs), peak_rss_mb=peak)
    return out


#: Steps of the fixed Python loop that gives the machine's speed at a moment (see :func:`loop_s`).
LOOP_STEPS = 40_000_000


def loop_s() -> float:
    """CPU seconds of a fixed pure-Python loop. The load does not show this machine's phases (the same
    loop took 1.6 s in one hour and 6.9 s in another, at load below 1); absolute figures (start-up,
    the robustness run) are read against it."""
    c = time.process_time()
    i = 0
    while i < LOOP_STEPS:
        i += 1
    return time.process_time() - c


#: The loop of :func:`loop_s` in a process of its own, printing its wall seconds.
_LOOP = (
    "import time\ndef loop(n):\n    c = time.perf_counter()\n    i = 0\n    while i < n:\n        i += 1\n"
    f"    return time.perf_counter() - c\nprint(loop({LOOP_STEPS}))"
)


def _loops(n: int) -> list[float]:
    """Wall seconds of :func:`loop_s`'s loop in each of ``n`` processes started together."""
    procs = [
        subprocess.Popen([sys.executable, "-c", _LOOP], stdout=subprocess.PIPE, text=True) for _ in range(n)
    ]
    return [float(p.communicate()[0]) for p in procs]


def cores_given(alone: list[float], together: list[list[float]]) -> float:
    """How many cores the machine gave busy processes: their number times the loop's time alone over
    the slowest one's when they ran together, the median of the rounds. 2.0 on two cores that do
    not slow each other; below where they share a power or heat budget, or a host."""
    rounds = [len(t) * a / max(t) for a, t in zip(alone, together, strict=True)]
    return statistics.median(rounds)


def parallel_capacity(processes: int = 2, rounds: int = 3) -> float:
    """:func:`cores_given` measured now: the loop alone, then in ``processes`` processes at once,
    ``rounds`` times. Where a parallel speedup is read, it is read against this (the main job's
    two workers cannot beat the cores the machine gives them)."""
    alone, together = [], []
    for _ in range(rounds):
        alone.append(_loops(1)[0])
        together.append(_loops(processes))
    return cores_given(alone, together)


def load() -> dict[str, Any]:
    """The machine's load now: the load averages, ``uptime``'s line where it exists, its speed
    (:func:`loop_s`) and the cores it gives two busy processes (:func:`parallel_capacity`)."""
    up = shutil.which("uptime")
    line = subprocess.run([up], capture_output=True, text=True).stdout.strip() if up else None
    return {
        "loadavg": list(os.getloadavg()),
        "uptime": line,
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        "loop_s": loop_s(),
        "cores_given_2": parallel_capacity(),
    }


def run(repeat: int, main_job_runs: int | None, full_robustness: bool = False) -> dict[str, Any]:
    """Every case, in one process; ``main_job_runs`` None skips the end-to-end main job;
    ``full_robustness`` runs the robustness experiment at its target's size."""
    register()
    one_blas_thread()
    before = load()
    floor, default, alone, plumbing = floor_case(repeat)
    mmc = mmc_case(repeat)
    slopes, slope = slope_cases(repeat)
    cases: list[dict[str, Any]] = [
        floor,
        default,
        alone,
        plumbing,
        mmc["engine"],
        mmc["raw"],
        *slopes,
        replication_case(
            "Kurultai + kz_digital, 1 replication", ["parliament=kz_kurultai_2026", *DIGITAL], repeat
        ),
    ]
    for seats in (150, 500, 1500):
        cases.append(
            replication_case(
                f"deputies {seats}", resized(["parliament=kz_kurultai_2026"], "kurultai", seats), repeat
            )
        )
    cases.append(pluchino_case(repeat))
    cases.append(app_case())
    cases.append(served_case())
    cases.append(startup_case(repeat))
    cases.append(robustness_case(repeat, full_robustness))
    out: dict[str, Any] = {
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "cores_available": available_cores(),
        },
        "load_before": before,
        "ratios": {
            "replication_vs_simpy_floor": default["vs_simpy_floor"],
            "engine_alone_vs_simpy_floor": alone["vs_simpy_floor"],  # no target: where the ratio goes
            "engine_plumbing_vs_simpy_floor": plumbing["vs_simpy_floor"],  # no target: its lower bound
            "mmc_engine_vs_raw_simpy": mmc["ratio"],
            "group_slope_2220_to_22200": slope,
        },
        "cases": cases,
        "peak_rss_mb_bench_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    if main_job_runs:
        job = main_job_case(main_job_runs)
        out["main_job"] = job
        out["ratios"]["main_job_speedup_2_workers"] = job["speedup_2_workers"]
    out["load_after"] = load()
    out["targets"] = targets(out)
    return out


def _case(result: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    return next((c for c in result["cases"] if c["case"].startswith(prefix)), None)


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured figure, its bound and whether it is met (``None``: not run).

    ``at most`` targets pass at or below the bound, ``at least`` ones at or above. A main job that
    failed misses its targets whatever its figures."""
    ratios = result.get("ratios", {})
    main = result.get("main_job")
    ok_main = main is not None and main["exit_code"] == 0
    start, pluchino, robust = (_case(result, p) for p in ("start-up", "Pluchino", "robustness"))
    r = ratios.get
    most, least = "at most", "at least"
    rows = [
        ("default replication CPU / raw-SimPy floor", r("replication_vs_simpy_floor"), most, 6.0, True),
        ("M/M/c: engine / raw SimPy (CPU per bill)", r("mmc_engine_vs_raw_simpy"), most, 1.5, True),
        (
            "local slope in groups, 2,220 -> 22,200 (kz_digital)",
            r("group_slope_2220_to_22200"),
            most,
            1.0,
            True,
        ),
        ("`parltwin` default single run, CPU (s)", start and start["cpu_s"], most, 1.5, True),
        ("main job, 2 workers / 1 worker (speedup)", main and main["speedup_2_workers"], least, 1.7, ok_main),
        (
            "robustness 256 x 3 x 5 on 2 workers, wall (s)",
            robust and robust.get("measured_wall_s", robust["projected_wall_s"]),
            most,
            300.0,
            robust is not None and robust.get("exit_code", 0) == 0,
        ),
        ("Pluchino N=500 curve (s, wall)", pluchino and pluchino["wall_s"], most, 15.0, True),
        ("main job peak memory (MB)", main and main["peak_rss_mb"], most, 1024.0, ok_main),
    ]
    out = []
    for name, v, how, bound, ok in rows:
        met = v is not None and (v <= bound if how == "at most" else v >= bound)
        out.append(
            {
                "target": name,
                "measured": v,
                how.replace(" ", "_"): bound,
                "pass": None if v is None else ok and met,
            }
        )
    return out


def explorer_line(case: dict[str, Any]) -> str:
    """The explorer's answers in one line: the slower of each pair of runs."""
    parts = [
        f"{max(a['new_seed_s']):.2f} s for a new seed, {max(a['seed_already_run_s']):.2f} s back to one "
        f"already run ({n} replications)"
        for n, a in case["answers"].items()
    ]
    return "explorer (two scenarios): " + "; ".join(parts)


def table(result: dict[str, Any]) -> str:
    rows = []
    for c in result["cases"]:
        ratio = c.get("vs_simpy_floor") or c.get("vs_raw_simpy_mmc")
        rows.append((c["case"], c.get("cpu_s"), c.get("wall_s"), c.get("events"), ratio))
    head = ("case", "median CPU s", "median wall s", "events", "ratio")
    verdict = {True: "PASS", False: "MISS", None: "not run"}
    bound = [
        (t.get("at_most") and f"<= {t['at_most']:g}") or f">= {t['at_least']:g}" for t in result["targets"]
    ]
    checks = render(
        [
            (t["target"], t["measured"], b, verdict[t["pass"]])
            for t, b in zip(result["targets"], bound, strict=True)
        ],
        ("target", "measured", "bound", ""),
    )
    job = result.get("main_job")
    lines = [render(rows, head)]
    if job:
        given = job.get("cores_given_2")
        cores = f"; two busy processes had {given[0]:.2f} and {given[1]:.2f} cores around it" if given else ""
        lines.append(
            f"main job: {job['wall_s_1_worker']:.1f} s on 1 worker, {job['wall_s_2_workers']:.1f} s on 2 "
            f"(x{job['speedup_2_workers']:.2f}; pairs "
            + ", ".join(f"{x:.2f}" for x in job["speedups_by_pair"])
            + f"), peak {job['peak_rss_mb']:.0f} MB{cores}"
        )
    app = _case(result, "explorer:")
    if app:
        lines.append(explorer_line(app))
    served = _case(result, "explorer served")
    if served:
        lines.append(served_line(served))
    robust = _case(result, "robustness")
    if robust:
        runs = ", ".join(f"{r['wall_s']:.1f} s at {w} worlds" for w, r in robust["runs"].items())
        line = (
            f"robustness: {runs}: {robust['fixed_s']:.1f} s + {robust['per_world_s']:.2f} s a world, "
            f"{robust['projected_wall_s']:.0f} s projected at {ROBUSTNESS[0]}"
        )
        if "measured_wall_s" in robust:
            line += f"; measured at {ROBUSTNESS[0]}: {robust['measured_wall_s']:.0f} s"
        lines.append(line + f" (perfectly shared: {robust['perfectly_shared_wall_s']:.0f} s)")
    machine = []
    for when in ("before", "after"):
        at = result[f"load_{when}"]
        speed = f"; {LOOP_STEPS / 1e6:g} M-step Python loop: {at['loop_s']:.2f} s" if "loop_s" in at else ""
        if "cores_given_2" in at:
            speed += f", two at once: {at['cores_given_2']:.2f} cores"
        machine.append(f"load {when}:".ljust(13) + f"{at['uptime'] or at['loadavg']}{speed}")
    lines.append("\n".join(machine))
    lines.append(checks)
    return "\n\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="parltwin-bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per in-process case (median; at least 5)")
    ap.add_argument("--out", type=Path, default=Path("bench.json"))
    ap.add_argument("--no-main-job", action="store_true", help="skip the end-to-end main job")
    ap.add_argument(
        "--main-job-runs", type=int, default=1, help="end-to-end runs of the main job per worker count"
    )
    ap.add_argument(
        "--full-robustness",
        action="store_true",
        help="run the robustness experiment at its target's size (256 worlds, about 10 minutes here)",
    )
    ns = ap.parse_args(argv)
    if ns.repeat < 5:
        ap.error("--repeat must be at least 5")
    if ns.main_job_runs < 1:
        ap.error("--main-job-runs must be at least 1")
    res = run(ns.repeat, None if ns.no_main_job else ns.main_job_runs, ns.full_robustness)
    print(table(res))
    write_json(ns.out, res)
    print(f"bench: {ns.out}")


if __name__ == "__main__":
    main()
