"""Model resolution without changing the data: split citizen groups, and the bookkeeping that keeps a
day's cost in the number of groups (the lapse of old demands, the benchmark's verdicts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from agents.deputies import Deputies
from experiments import bench
from experiments.bench import targets
from experiments.explorer import serve
from scenarios import ConfigError, build, simulate, validate
from sim.citizens.demands import DemandBook
from tests.conftest import compose_config

KURULTAI = ["parliament=kz_kurultai_2026"]


def _population(*overrides: str):
    model = build(validate(compose_config([*KURULTAI, *overrides])), 0)
    return model.citizen_groups


def test_subgroups_split_every_cell_into_equal_parts_of_the_same_people() -> None:
    one, three = _population(), _population("citizens.subgroups=3")
    assert three.size == 3 * one.size
    assert three.people == pytest.approx(one.people)
    # Part j of cell c is row 3c + j: the cell's attributes, a third of its people.
    for attr in ("region", "urban", "age", "language", "access"):
        assert (getattr(three, attr) == np.repeat(getattr(one, attr), 3)).all()
    assert np.allclose(three.weight.reshape(-1, 3), (one.weight / 3)[:, None])
    # Each part draws its own preferences: the parts of a cell differ.
    assert (three.pref.reshape(one.size, 3, -1).std(axis=1) > 0).any()


@pytest.mark.parametrize("value", ["0", "-2"])
def test_a_bad_number_of_subgroups_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as e:
        validate(compose_config([*KURULTAI, f"citizens.subgroups={value}"]))
    assert e.value.field == "citizens.subgroups"


def test_old_demands_lapse_unless_a_law_answered_them() -> None:
    book = DemandBook(groups=4, topics=2, radius=0.5, lifetime=10.0, status_quo=np.zeros(2))
    assert book.add([0, 1], [0, 0], [0.3, -0.3], [1.0, 1.0], now=0.0) == range(0, 2)
    assert book.add([2], [1], [0.2], [1.0], now=5.0) == range(2, 3)
    book.answer_law(0, 0.3, now=3.0, law=7)  # answers demand 0 only (moves policy its way)
    g, t = book.lapse(9.0)
    assert g.size == 0 and not book.lapsed[:3].any()
    g, t = book.lapse(10.0)  # demand 1 is 10 days old; demand 0 was answered; demand 2 is young
    assert (g.tolist(), t.tolist()) == ([1], [0])
    assert book.lapsed[:3].tolist() == [False, True, False]
    assert (book.live == -1).sum() == book.live.size - 1 and book.live[1, 2] == 2
    g, t = book.lapse(15.0)
    assert (g.tolist(), t.tolist()) == ([2], [1])
    assert (book.live == -1).all() and np.isnan(book.live_position).all()
    table = book.table(["a", "b"])
    assert table["state"].tolist() == ["law", "lapsed", "lapsed"]


def test_the_engine_alone_is_the_default_scenario_without_its_citizens_layer() -> None:
    """The benchmark's decomposition of the replication's ratio holds only if the engine-alone case
    differs from the default in the citizens layer and nothing else."""
    full, alone = (
        OmegaConf.to_container(OmegaConf.structured(bench._config(o)), resolve=True)
        for o in ([], bench.ENGINE_ALONE)
    )
    assert alone["citizens"] is alone["channels"] is None and full["citizens"] is not None
    assert {k: v for k, v in full.items() if k not in ("citizens", "channels")} == {
        k: v for k, v in alone.items() if k not in ("citizens", "channels")
    }


def test_free_votes_make_every_member_present_and_for_and_are_undone_on_the_way_out() -> None:
    """The benchmark's plumbing case stubs the members' decisions: inside, every vote is unanimous
    with the whole chamber present; outside (after an error too), the real decisions are back."""
    conf = bench._config(bench.ENGINE_ALONE)
    real = (Deputies.support, Deputies.support_one, Deputies.attend)
    seats = {name: c.seats for name, c in conf.parliament.chambers.items()}
    with pytest.raises(RuntimeError, match="inside"), bench.free_votes():
        votes = simulate(conf, seed=3).tables["votes"]
        assert votes["no"].size > 0 and (votes["no"] == 0).all() and votes["passed"].all()
        assert all(seats[c] == n for c, n in zip(votes["chamber"], votes["present"], strict=True))
        raise RuntimeError("inside")
    assert (Deputies.support, Deputies.support_one, Deputies.attend) == real
    votes = simulate(conf, seed=3).tables["votes"]
    full = np.array([seats[c] for c in votes["chamber"]])
    assert (votes["no"] > 0).any() and (votes["present"] < full).any()


def test_bench_verdicts_compare_each_figure_with_its_bound() -> None:
    result = {
        "ratios": {
            "replication_vs_simpy_floor": 5.0,
            "mmc_engine_vs_raw_simpy": 2.2,
            "group_slope_2220_to_22200": 1.0,
        },
        "cases": [{"case": "start-up: parltwin", "cpu_s": 1.2}, {"case": "Pluchino curve", "wall_s": 3.0}],
        "main_job": {"speedup_2_workers": 1.9, "peak_rss_mb": 100.0, "exit_code": 2},
    }
    verdict = {t["target"]: t["pass"] for t in targets(result)}
    assert verdict["default replication CPU / raw-SimPy floor"] is True
    assert verdict["M/M/c: engine / raw SimPy (CPU per bill)"] is False
    assert verdict["local slope in groups, 2,220 -> 22,200 (kz_digital)"] is True  # at the bound
    assert verdict["`parltwin` default single run, CPU (s)"] is True
    assert verdict["main job, 2 workers / 1 worker (speedup)"] is False  # fast enough, but it failed
    assert verdict["robustness 256 x 3 x 5 on 2 workers, wall (s)"] is None  # not run
    result["main_job"]["exit_code"] = 0
    verdict = {t["target"]: t["pass"] for t in targets(result)}
    assert verdict["main job, 2 workers / 1 worker (speedup)"] is True  # at least 1.7
    result["main_job"]["speedup_2_workers"] = 1.5
    assert not next(t for t in targets(result) if t["target"].startswith("main job, 2"))["pass"]


def test_the_robustness_figure_is_the_line_through_two_runs_or_the_full_run_when_there_is_one() -> None:
    from experiments.bench import project

    # 30 s at 4 worlds, 60 s at 16: 20 s fixed and 2.5 s a world, so 660 s at 256
    assert project((4, 16), (30.0, 60.0), 256) == (660.0, 20.0, 2.5)
    case = {"case": "robustness 256 x 3 x 5", "projected_wall_s": 290.0, "exit_code": 0}
    result = {"ratios": {}, "cases": [case]}

    def robust() -> dict:
        return next(t for t in targets(result) if t["target"].startswith("robustness"))

    assert (robust()["measured"], robust()["pass"]) == (290.0, True)
    case["measured_wall_s"] = 310.0  # the full run, when made, is the figure
    assert (robust()["measured"], robust()["pass"]) == (310.0, False)
    case["measured_wall_s"], case["exit_code"] = 250.0, 1  # fast, but it failed
    assert robust()["pass"] is False


def test_bench_ratios_are_taken_in_pairs_of_runs_made_one_after_the_other(monkeypatch) -> None:
    from experiments import bench

    order: list[str] = []

    def run(name: str):
        return lambda: order.append(name) or name

    # CPU clock readings around each timed run: a takes 1 s, b 2 s; then, the machine slower, 10 and 20.
    readings = iter([0.0, 1.0, 1.0, 3.0, 3.0, 13.0, 13.0, 33.0])
    monkeypatch.setattr(bench.time, "process_time", lambda: next(readings))
    a, b = bench._paired(run("a"), run("b"), 2)
    assert order == ["a", "b", "a", "b", "a", "b"]  # one warm-up of each, then alternately
    assert (a.cpu, b.cpu, a.out, b.out) == ([1.0, 10.0], [2.0, 20.0], "a", "b")
    assert b.ratios(a) == [2.0, 2.0]  # the same ratio in a fast phase and in a slow one


def test_the_bench_table_gives_the_machine_speed_beside_its_load() -> None:
    at = {"loadavg": [0.5, 0.4, 0.3], "uptime": None, "time": "t"}
    before = {**at, "loop_s": 1.75, "cores_given_2": 1.8}
    result = {"cases": [], "targets": [], "load_before": before, "load_after": at}
    lines = bench.table(result).splitlines()
    before = next(x for x in lines if x.startswith("load before:"))
    after = next(x for x in lines if x.startswith("load after:"))
    assert before == "load before: [0.5, 0.4, 0.3]; 40 M-step Python loop: 1.75 s, two at once: 1.80 cores"
    assert after == "load after:  [0.5, 0.4, 0.3]"  # a file written before the loop was measured


def test_the_cores_a_machine_gives_busy_processes_are_read_round_by_round() -> None:
    """The loop alone, then in two processes at once: two cores that do not slow each other give
    2; a round where the slower of the two took twice as long as alone gives 1."""
    assert bench.cores_given([1.0, 1.0, 1.0], [[1.0, 1.0], [2.0, 1.0], [1.0, 1.25]]) == 1.6
    assert bench.cores_given([0.5], [[0.5, 0.5]]) == 2.0  # a ratio in each round: a quicker phase, the same 2


def test_the_main_job_line_gives_each_pair_and_the_cores_around_it() -> None:
    at = {"loadavg": [0.5], "uptime": None}
    job = {"wall_s_1_worker": 19.0, "wall_s_2_workers": 11.0, "speedup_2_workers": 19 / 11,
           "speedups_by_pair": [1.7, 1.75], "peak_rss_mb": 300.0, "cores_given_2": [1.9, 1.8]}  # fmt: skip
    result = {"cases": [], "targets": [], "load_before": at, "load_after": at, "main_job": job}
    line = next(x for x in bench.table(result).splitlines() if x.startswith("main job:"))
    assert line == (
        "main job: 19.0 s on 1 worker, 11.0 s on 2 (x1.73; pairs 1.70, 1.75), peak 300 MB; "
        "two busy processes had 1.90 and 1.80 cores around it"
    )


def test_the_bench_times_the_explorers_answers_and_leaves_the_process_as_it_found_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging
    import os
    import sys

    monkeypatch.setenv("PARLTWIN_APP_CACHE", "kept")
    monkeypatch.delenv("PARLTWIN_APP_WORKERS", raising=False)
    main = sys.modules["__main__"]
    case = bench.app_case((2,), years=0.5)
    assert sys.modules["__main__"] is main  # not the page, which AppTest runs as ``__main__``
    assert os.environ["PARLTWIN_APP_CACHE"] == "kept" and "PARLTWIN_APP_WORKERS" not in os.environ
    assert logging.root.manager.disable == logging.NOTSET  # Streamlit's warnings were off only meanwhile
    answers = case["answers"]["2"]
    assert len(answers["new_seed_s"]) == len(answers["seed_already_run_s"]) == 2
    assert all(t > 0 for t in answers["new_seed_s"] + answers["seed_already_run_s"])
    result = {"cases": [case], "targets": [], "load_before": {"loadavg": [0], "uptime": None},
              "load_after": {"loadavg": [0], "uptime": None}}  # fmt: skip
    line = next(x for x in bench.table(result).splitlines() if x.startswith("explorer (two"))
    slower = max(answers["new_seed_s"])
    assert line.startswith(f"explorer (two scenarios): {slower:.2f} s for a new seed, ")
    assert line.endswith(" back to one already run (2 replications)")


@pytest.mark.skipif(not serve.CHROMIUM.exists(), reason="Debian's chromium is missing (.ci/run installs it)")
def test_the_bench_times_the_served_explorer_and_stops_its_server() -> None:
    import psutil

    case = bench.served_case(opens_after=0.0)
    times = [case[k] for k in ("server_listening_s", "first_answer_s", "again_s", "new_seed_s")]
    assert all(t > 0 for t in times)
    children = psutil.Process().children(recursive=True)
    assert not [p for p in children if "experiments.explorer.serve" in p.cmdline()]  # the app ended
    line = bench.served_line(case)
    assert line.startswith(f"explorer served: listening {times[0]:.2f} s after launch; page opened 0 s later")
    assert line.endswith(f"a new seed {times[3]:.2f} s")


def test_the_bench_says_why_it_could_not_serve_the_explorer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(serve, "CHROMIUM", tmp_path / "chromium")
    case = bench.served_case()
    assert case["skipped"] == f"{tmp_path / 'chromium'} is missing"
    assert bench.served_line(case) == f"explorer served: skipped ({tmp_path / 'chromium'} is missing)"


def test_a_demand_lapses_on_the_day_it_reaches_its_lifetime_even_where_subtraction_rounds() -> None:
    """A demand lapses at age == lifetime. Emerged on day 1.238, with lifetime 10, at day 1.238 + 10 its
    age is exactly 10 while ``now - lifetime`` rounds just below 1.238, so the lookup of demands that
    came of age misses it and the exact comparison must take it."""
    book = DemandBook(groups=2, topics=1, radius=0.5, lifetime=10.0, status_quo=np.zeros(1))
    book.add([0], [0], [0.3], [1.0], now=0.0)
    book.add([1], [0], [0.3], [1.0], now=1.238)
    assert book.lapse(9.999)[0].size == 0
    assert book.lapse(10.0)[0].tolist() == [0]
    now = 1.238 + 10.0
    assert now - 1.238 == 10.0 and now - 10.0 < 1.238  # the rounding the test is about
    assert book.lapse(now - 1e-9)[0].size == 0
    assert book.lapse(now)[0].tolist() == [1]
    assert book.lapsed[:2].tolist() == [True, True]
