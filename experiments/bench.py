"""Benchmarks: ``make bench`` prints a table and writes ``bench.json``.

Each case reports the median of ``--repeat`` runs (at least 5). Raw SimPy speed is measured in the same
process, so the ratio of the model's event rate to SimPy's holds on a noisy or slower machine.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import simpy
from hydra import compose, initialize_config_dir

from experiments.files import write_json
from experiments.table import render
from scenarios import register, simulate, validate

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _config(overrides: list[str]) -> Any:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        return validate(compose("config", overrides=overrides))


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``fn`` over ``repeat`` calls (after one warm-up), and its last result."""
    fn()
    times, out = [], None
    for _ in range(repeat):
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


def arrival_rate_per_day(overrides: list[str]) -> float:
    p = _config(overrides).parliament
    return sum(i.rate_per_year for i in p.initiators.values()) / 365.0


def main_job_case(args: list[str]) -> dict[str, Any]:
    """The README's main job as a user runs it: wall time and peak memory of the whole process."""
    exe = Path(sys.executable).with_name("parltwin")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "case": "main job: parltwin " + " ".join(args),
        "wall_s": wall,
        "exit_code": proc.returncode,
        "peak_rss_mb": max(peak, before) / 1024.0,
    }


def run(repeat: int, main_job: list[str] | None) -> dict[str, Any]:
    register()
    cases: list[dict[str, Any]] = []
    default = replication_case("default scenario, 1 replication (5 years)", [], repeat)
    cases.append(default)
    raw = statistics.median(simpy_events_per_second() for _ in range(repeat))
    cases.append({"case": "raw SimPy timeouts", "events_per_s": raw})
    default["simpy_ratio"] = default["events_per_s"] / raw

    for seats in (150, 500, 1500):
        cases.append(
            replication_case(
                f"deputies {seats}",
                ["parliament=kz_kurultai_2026", f"parliament.chambers.kurultai.seats={seats}"],
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
    for extra in EXTRA_CASES:
        cases.extend(extra(repeat))
    out: dict[str, Any] = {
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cases": cases,
        "peak_rss_mb_bench_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    if main_job is not None:
        out["main_job"] = main_job_case(main_job)
    return out


#: Further cases (citizen groups, Pluchino) register here: ``fn(repeat) -> list[dict]``.
EXTRA_CASES: list[Callable[[int], list[dict[str, Any]]]] = []


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
    return (
        render(rows, head)
        + f"\npeak memory of the bench process: {result['peak_rss_mb_bench_process']:.0f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="parltwin-bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per case (median; at least 5)")
    ap.add_argument("--out", type=Path, default=Path("bench.json"))
    ap.add_argument("--no-main-job", action="store_true", help="skip timing the README's main job")
    ns = ap.parse_args(argv)
    if ns.repeat < 5:
        ap.error("--repeat must be at least 5")
    res = run(ns.repeat, None if ns.no_main_job else ["experiment=reform_comparison"])
    print(table(res))
    write_json(ns.out, res)
    print(f"bench: {ns.out}")


if __name__ == "__main__":
    main()
