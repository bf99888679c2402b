"""Benchmarks: ``make bench`` prints a table and writes ``bench.json``.

Each case reports the median of ``--repeat`` runs (at least 5). Raw SimPy speed is measured in the same
process, so the ratio of the model's event rate to SimPy's holds on a noisy or slower machine.
Cases: the default scenario; the Kurultai with the Kazakh digital channels; citizen groups ~1k / 10k /
100k (``citizens.subgroups`` splits every cell into equal parts: the same people, more groups);
deputies 150 / 500 / 1,500; bill arrivals x1 / x5; the Pluchino N=500 curve; the README's main job
(``--main-job-runs`` end-to-end runs as a user starts it). Each target is printed with the measured
figure and PASS or MISS. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from hydra import compose, initialize_config_dir

from agents.deputies import apportion
from experiments.files import write_json
from experiments.table import render
from scenarios import build, register, simulate, validate
from sim.pluchino.model import Parliament, curve

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
#: Citizen groups wanted in the scaling cases (reached by splitting every cell of the default
#: population into ``citizens.subgroups`` equal groups).
GROUP_TARGETS = (1_000, 10_000, 100_000)
DIGITAL = ["parliament=kz_kurultai_2026", "channels=kz_digital"]
#: The Kurultai with digital channels took 0.231 s a replication before optimisation (bench of the
#: same machine); the target asks for a clear gain, read here as at least 10% faster.
DIGITAL_S = 0.9 * 0.231


def _config(overrides: list[str]) -> Any:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        return validate(compose("config", overrides=overrides))


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``fn`` over ``repeat`` calls (after one warm-up), and its last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        out = None  # let the last result go before the next run (a large run's memory is not doubled)
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def simpy_events_per_second(n: int = 200_000) -> float:
    """Raw SimPy: one process yielding ``n`` timeouts."""

    def loop(env: simpy.Environment):
        for _ in range(n):
            yield env.timeout(1.0)

    env = simpy.Environment()
    env.process(loop(env))
    t = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t)


def resized(preset: list[str], chamber: str, seats: int) -> list[str]:
    """Overrides that give ``chamber`` ``seats`` members, its parties' seats in proportion (they
    must add up to the chamber's seats)."""
    parties = _config(preset).parliament.chambers[chamber].parties
    counts = apportion(seats, np.array([p.seats for p in parties.values()]))
    shares = (
        f"parliament.chambers.{chamber}.parties.{n}.seats={c}" for n, c in zip(parties, counts, strict=True)
    )
    return [*preset, f"parliament.chambers.{chamber}.seats={seats}", *shares]


def replication_case(name: str, overrides: list[str], repeat: int) -> dict[str, Any]:
    conf = _config(overrides)
    wall, result = _median(lambda: simulate(conf), repeat)
    return {
        "case": name,
        "overrides": overrides,
        "wall_s": wall,
        "events": result.events,
        "events_per_s": result.events / wall,
    }


def groups_per_cell() -> int:
    """Groups in the default population with one group per cell."""
    model = build(_config(["citizens.subgroups=1"]), 0)
    return int(model.daily_hooks[0].__self__.population.size)


def group_cases(repeat: int) -> list[dict[str, Any]]:
    """The default scenario with about 1k, 10k and 100k citizen groups (the same population)."""
    cells = groups_per_cell()
    out = []
    for target in GROUP_TARGETS:
        k = max(1, round(target / cells))
        case = replication_case(f"citizen groups {cells * k:,}", [f"citizens.subgroups={k}"], repeat)
        case["groups"] = cells * k
        out.append(case)
    return out


def pluchino_case(repeat: int) -> dict[str, Any]:
    """The paper's curve: N=500, 51 points x 100 legislatures x 1,000 acts, on two threads."""
    model = Parliament()
    grid = list(range(0, model.n + 1, 10))
    wall, _ = _median(lambda: curve(model, grid, 100, seed=0, workers=2), repeat)
    return {"case": f"Pluchino curve N=500, {len(grid)} points x 100 x 1,000 acts", "wall_s": wall}


def arrival_rate_per_day(overrides: list[str]) -> float:
    p = _config(overrides).parliament
    return sum(i.rate_per_year for i in p.initiators.values()) / 365.0


#: Runs a command and prints the peak RSS (kB) of its largest process. A fresh interpreter starts it:
#: a child forked straight from this (large) process would report this process's memory as its own.
_PEAK = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def main_job_case(args: list[str], runs: int) -> dict[str, Any]:
    """The README's main job as a user runs it, ``runs`` times, each in a fresh folder: median wall
    time, and the peak memory of its largest process (the job or a worker it starts)."""
    exe = Path(sys.executable).with_name("parltwin")
    walls, codes, peaks = [], [], []
    for _ in range(runs):
        folder = tempfile.mkdtemp(prefix="parltwin-bench-")  # a fresh folder: nothing to resume
        cmd = [str(exe), *args, f"hydra.sweep.dir={folder}", f"hydra.run.dir={folder}"]
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True)
        walls.append(time.perf_counter() - t)
        shutil.rmtree(folder, ignore_errors=True)
        code, peak = proc.stdout.split()
        codes.append(int(code))
        if int(code):
            print(f"main job failed ({code}): {proc.stderr.strip()[-500:]}", file=sys.stderr)
        peaks.append(int(peak) / 1024.0)
    return {
        "case": f"main job: parltwin {' '.join(args)} ({runs} end-to-end run{'s' * (runs > 1)})",
        "runs": runs,
        "wall_s": statistics.median(walls),
        "exit_code": max(codes, key=abs),
        "peak_rss_mb": max(peaks),
    }


def run(repeat: int, main_job: list[str] | None, main_job_runs: int = 1) -> dict[str, Any]:
    register()
    cases: list[dict[str, Any]] = []
    default = replication_case("default scenario, 1 replication (5 years)", [], repeat)
    cases.append(default)
    raw = statistics.median(simpy_events_per_second() for _ in range(repeat))
    cases.append({"case": "raw SimPy timeouts", "events_per_s": raw})
    cases.append(replication_case("Kurultai + kz_digital channels, 1 replication", DIGITAL, repeat))
    cases.extend(group_cases(repeat))

    for seats in (150, 500, 1500):
        cases.append(
            replication_case(
                f"deputies {seats}",
                resized(["parliament=kz_kurultai_2026"], "kurultai", seats),
                repeat,
            )
        )
    base = arrival_rate_per_day([])
    for k in (1, 5):
        cases.append(
            replication_case(
                f"bill arrivals x{k}",
                [f"parliament.arrival_rate={base * k}"],
                repeat,
            )
        )
    cases.append(pluchino_case(repeat))
    for c in cases:
        if "events" in c:  # a replication: its event rate against raw SimPy's
            c["simpy_ratio"] = c["events_per_s"] / raw
    out: dict[str, Any] = {
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cases": cases,
        "peak_rss_mb_bench_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    if main_job is not None:
        out["main_job"] = main_job_case(main_job, main_job_runs)
    out["targets"] = targets(out)
    return out


def _wall(result: dict[str, Any], prefix: str) -> float | None:
    case = next((c for c in result["cases"] if c["case"].startswith(prefix)), None)
    return case["wall_s"] if case else None


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured figure, its limit and whether it is met (``None``: not run).

    A main job that failed misses its targets whatever its time."""
    groups = sorted((c for c in result["cases"] if "groups" in c), key=lambda c: c["groups"])
    main = result.get("main_job")
    ok_main = main is not None and main["exit_code"] == 0
    rows = [
        ("default scenario, 1 replication (s)", _wall(result, "default scenario"), 0.3, True),
        (
            f"{groups[-1]['groups']:,} / {groups[-2]['groups']:,} citizen groups (time ratio)",
            groups[-1]["wall_s"] / groups[-2]["wall_s"],
            10.0,
            True,
        ),
        ("main job end to end (s)", main["wall_s"] if main else None, 90.0, ok_main),
        ("Pluchino N=500 curve (s)", _wall(result, "Pluchino"), 15.0, True),
        ("main job peak memory (MB)", main["peak_rss_mb"] if main else None, 1024.0, ok_main),
        ("Kurultai + kz_digital, 1 replication (s)", _wall(result, "Kurultai + kz_digital"), DIGITAL_S, True),
    ]
    return [
        {
            "target": name,
            "measured": v,
            "limit": limit,
            "pass": None if v is None else bool(ok and v <= limit),
        }
        for name, v, limit, ok in rows
    ]


def table(result: dict[str, Any]) -> str:
    rows = []
    for c in result["cases"] + ([result["main_job"]] if "main_job" in result else []):
        rows.append(
            (
                c["case"],
                c.get("wall_s"),
                c.get("events"),
                c.get("events_per_s"),
                c.get("simpy_ratio"),
                c.get("peak_rss_mb"),
            )
        )
    head = ("case", "median wall s", "events", "events/s", "vs raw SimPy", "peak MB")
    verdict = {True: "PASS", False: "MISS", None: "not run"}
    checks = render(
        [(t["target"], t["measured"], t["limit"], verdict[t["pass"]]) for t in result["targets"]],
        ("target", "measured", "at most", ""),
    )
    return (
        render(rows, head)
        + f"\npeak memory of the bench process: {result['peak_rss_mb_bench_process']:.0f} MB\n\n"
        + checks
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="parltwin-bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per case (median; at least 5)")
    ap.add_argument("--out", type=Path, default=Path("bench.json"))
    ap.add_argument("--no-main-job", action="store_true", help="skip timing the README's main job")
    ap.add_argument("--main-job-runs", type=int, default=1, help="end-to-end runs of the main job (median)")
    ns = ap.parse_args(argv)
    if ns.repeat < 5:
        ap.error("--repeat must be at least 5")
    if ns.main_job_runs < 1:
        ap.error("--main-job-runs must be at least 1")
    job = None if ns.no_main_job else ["experiment=reform_comparison"]
    res = run(ns.repeat, job, ns.main_job_runs)
    print(table(res))
    write_json(ns.out, res)
    print(f"bench: {ns.out}")


if __name__ == "__main__":
    main()
