"""Sensitivity analysis: the parameter registry and a tiny Morris / Sobol run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import sensitivity
from experiments.sensitivity import settings
from scenarios import ConfigError, validate
from scenarios.parameters import PARAMETERS, apply, targets
from tests.conftest import compose_config, run_cli


def kz() -> object:
    return validate(compose_config([]))


def test_every_registered_parameter_acts_on_a_scenario_with_digital_channels() -> None:
    conf = validate(compose_config(["channels=kz_digital"]))
    for name, par in PARAMETERS.items():
        if par.mode == "readings":  # a change of the procedure graph, not of values (tests/test_levers.py)
            continue
        found = targets(conf, name)
        assert found, name
        mid = (par.low + par.high) / 2
        new = apply(conf, {name: mid})
        for path, node, key in targets(new, name):
            v = node[key] if isinstance(node, dict) else getattr(node, key)
            if par.mode == "set":
                assert v == (round(mid) if par.integer else mid), path
            else:
                old = dict((p, (n, k)) for p, n, k in targets(conf, name))[path]
                base = old[0][old[1]] if isinstance(old[0], dict) else getattr(old[0], old[1])
                want = base * mid
                if par.clip is not None:
                    want = min(max(want, par.clip[0]), par.clip[1])
                assert v == (round(want) if par.integer else pytest.approx(want)), path


def test_a_parameter_absent_from_the_scenario_is_refused_by_name() -> None:
    conf = validate(compose_config(["channels=none"]))
    with pytest.raises(ConfigError, match="petition_threshold"):
        targets(conf, "petition_threshold")


def test_set_scale_and_clip_reach_every_member_of_a_group() -> None:
    conf = kz()
    p = conf.parliament
    new = apply(conf, {"committee_capacity": 3, "arrival_rate": 1.5, "party_discipline": 1.1})
    q = new.parliament
    assert {c.capacity for c in q.committees.values()} == {3}
    for w, i in p.initiators.items():
        assert q.initiators[w].rate_per_year == pytest.approx(1.5 * i.rate_per_year)
    disc = [pt.discipline for ch in q.chambers.values() for pt in ch.parties.values()]
    assert max(disc) == 1.0  # 0.92 x 1.1 is clipped to 1
    assert p.committees["economy"].capacity == 8  # the base scenario is left untouched


def test_unknown_parameters_and_outputs_are_refused() -> None:
    conf = kz()
    cfg = compose_config(["experiment=sensitivity", "experiment.parameters=[committee_capacity,loyalty]"])
    with pytest.raises(ConfigError, match=r"experiment\.parameters='loyalty'"):
        settings(cfg, conf)
    cfg = compose_config(["experiment=sensitivity", "experiment.method=fast"])
    with pytest.raises(ConfigError, match="one of morris, sobol"):
        settings(cfg, conf)
    with pytest.raises(ConfigError, match=r"experiment\.outputs='happiness'"):
        sensitivity.pilot_outputs(conf, ["laws_per_year", "happiness"], 0.3)
    queue = validate(compose_config(["parliament=single_queue"]))
    with pytest.raises(ConfigError, match="committee_capacity"):
        targets(queue, "committee_capacity")  # the queue has no committees


def tiny(method: str, *extra: str) -> list[str]:
    return [
        "experiment=sensitivity",
        f"experiment.method={method}",
        "experiment.parameters=[committee_capacity,vote_noise,arrival_rate]",
        "experiment.outputs=[laws_per_year,bills_introduced_per_year]",
        "experiment.replications=1",
        "experiment.years=0.6",
        "experiment.warmup=0.2",
        "experiment.trajectories=3",
        "experiment.samples=4",
        "quiet=true",
        *extra,
    ]


def test_a_tiny_morris_run_gives_indices_for_every_parameter(tmp_path: Path) -> None:
    cfg = compose_config(tiny("morris"))
    res = sensitivity.run(cfg, validate(cfg), tmp_path)
    table = pd.read_csv(tmp_path / "indices.csv")
    assert set(table["parameter"]) == {"committee_capacity", "vote_noise", "arrival_rate"}
    assert set(table["output"]) == {"laws_per_year", "bills_introduced_per_year"}
    assert np.isfinite(table[["mu_star", "mu", "sigma"]].to_numpy()).all()
    intro = table[table["output"] == "bills_introduced_per_year"].set_index("parameter")["mu_star"]
    # Only the arrival rate changes how many bills come in (the other draws are common).
    assert intro["arrival_rate"] > 10
    assert intro["vote_noise"] == 0 and intro["committee_capacity"] == 0
    samples = pd.read_csv(tmp_path / "samples.csv")
    assert res["points"] == 3 * (3 + 1) == len(samples)
    capacity = samples["committee_capacity"]  # as run: the design's levels rounded
    assert (capacity == capacity.round()).all() and capacity.between(2, 16).all()
    assert (tmp_path / "figures" / "sensitivity.png").exists()


def test_a_tiny_sobol_run_through_the_command(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run_cli(*tiny("sobol"), f"hydra.run.dir={out}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "indices.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert len(table) == 3 * 2
    assert len(pd.read_csv(out / "samples.csv")) == 4 * (3 + 2)


def test_sobols_intervals_are_the_same_for_the_same_seed_zero_too() -> None:
    """SALib draws Sobol's bootstrap unseeded when given a seed of 0 (the default seed): two runs of
    the same command gave other intervals."""
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    spec = {"method": "sobol", "samples": 16}
    x = sensitivity.design(spec, problem, 0)
    y = x[:, 0] + 2 * x[:, 1] ** 2 + 0.1 * x[:, 2]
    first, second = (sensitivity.indices(spec, problem, x, y, 0) for _ in range(2))
    for key in ("S1_conf", "ST_conf"):
        assert np.array_equal(first[key], second[key])


def test_throughput_is_measured_after_the_warm_up_so_speed_alone_does_not_read_as_throughput() -> None:
    """Over whole 2-year runs, stages that take longer read as fewer laws a year: the parliament fills
    more slowly in its first year. After the warm-up, the same change moves the laws a year far
    less than over the whole run."""
    conf = kz()
    seeds = [1, 2]
    whole, late = {}, {}
    for factor in (0.6, 1.4):
        runs = sensitivity.run_point(conf, {"work_time": factor}, seeds, 3.0)
        whole[factor] = np.mean([r.summary["laws_per_year"] for r in runs])
        late[factor] = np.mean([sensitivity.measured(r, 1.0, 3.0)["laws_per_year"] for r in runs])
        for r in runs:  # the other outputs are the summary's
            assert sensitivity.measured(r, 1.0, 3.0)["backlog_end"] == r.summary["backlog_end"]
            assert sensitivity.measured(r, 0.0, 3.0) == r.summary
    assert abs(late[0.6] - late[1.4]) < abs(whole[0.6] - whole[1.4]) / 2


def test_a_warm_up_as_long_as_the_runs_is_refused() -> None:
    cfg = compose_config(["experiment=sensitivity", "experiment.years=1", "experiment.warmup=1"])
    with pytest.raises(
        ConfigError, match=r"experiment\.warmup=1 is not allowed: a number of years from 0 to below"
    ):
        settings(cfg, kz())


def morris_design(bounds: list[list[float]], names: list[str]) -> tuple[dict, dict, np.ndarray]:
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    spec = {"method": "morris", "trajectories": 12, "levels": 4}
    return problem, spec, sensitivity.design(spec, problem, 5)


def test_morris_indices_are_salibs_where_no_value_is_rounded() -> None:
    from SALib.analyze import morris

    names = ["vote_noise", "arrival_rate", "attendance"]
    problem, spec, x = morris_design([[0.05, 1.0], [0.5, 1.5], [0.7, 1.0]], names)
    assert np.array_equal(sensitivity.ran(names, x), x)
    y = np.sin(3 * x[:, 0]) * x[:, 1] + x[:, 2] ** 2 + 0.3 * x[:, 0] * x[:, 2]
    ours = sensitivity.indices(spec, problem, x, y, 7)
    theirs = morris.analyze(problem, x, y, num_levels=4, seed=7)
    assert list(ours.pop("effects")) == [12, 12, 12]
    for key, value in ours.items():
        assert np.allclose(value, theirs[key], rtol=1e-12, atol=0), key
        assert np.all(value != 0), key  # a real effect of every parameter (not zero against zero)


def test_an_integers_effects_are_read_over_the_steps_it_ran_with() -> None:
    """Committee capacity 2-16 on 4 levels runs at 2, 7, 11 and 16: every step of the design moves
    it by 9, not the nominal 9.33. An output of 3 a bill of capacity has an effect of 3 x 14 over
    the range at every step; dividing by the nominal step reads 3.6% less."""
    from SALib.analyze import morris

    names = ["committee_capacity", "vote_noise"]
    problem, spec, x = morris_design([[2.0, 16.0], [0.05, 1.0]], names)
    runs = sensitivity.ran(names, x)
    assert set(runs[:, 0]) == {2.0, 7.0, 11.0, 16.0}
    y = 3 * runs[:, 0] + 10 * runs[:, 1]
    ours = sensitivity.indices(spec, problem, x, y, 0)
    assert ours["mu"] == pytest.approx([3 * 14, 10 * 0.95], rel=1e-12)
    assert ours["sigma"] == pytest.approx([0, 0], abs=1e-9)
    nominal = morris.analyze(problem, x, y, num_levels=4, seed=0)["mu"][0]
    assert nominal == pytest.approx(3 * 14 * 9 / (14 * 2 / 3), rel=1e-12)


def test_an_integer_range_too_narrow_for_its_levels_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    names = ["committee_capacity", "vote_noise"]
    bounds = {"committee_capacity": (4.0, 4.4), "vote_noise": (0.05, 1.0)}
    _, _, x = morris_design([list(bounds[n]) for n in names], names)
    with pytest.raises(ConfigError, match=r"experiment\.parameters\.committee_capacity=\[4, 4\.4\] is not"):
        sensitivity.check_steps(names, x, bounds)
    wide = {**bounds, "committee_capacity": (4.0, 7.0)}  # runs at 4, 5, 6, 7
    sensitivity.check_steps(names, morris_design([list(wide[n]) for n in names], names)[2], wide)
    out = tmp_path / "run"
    r = run_cli(
        *tiny("morris"),
        "~experiment.parameters",
        "+experiment.parameters={committee_capacity: [4, 4.4], vote_noise: null}",
        f"hydra.run.dir={out}",
        cwd=tmp_path,
    )
    assert r.returncode == 2, r.stderr
    assert "experiment.parameters.committee_capacity" in r.stderr.strip().splitlines()[-1]
    assert not out.exists() or not any(out.rglob("*.csv"))


def test_morris_leaves_out_the_effects_of_an_undefined_point_where_the_mean_would_bias_them() -> None:
    """A point whose output is undefined (the median lead time where no law passed) has no effect
    on either step that reaches it. Filled with the output's mean, as Sobol's needs, it would give
    those two steps effects of its own."""
    names = ["vote_noise", "arrival_rate"]
    problem, spec, x = morris_design([[0.05, 1.0], [0.5, 1.5]], names)
    y = 2 * x[:, 0] + 3 * x[:, 1]  # every effect: 2 x 0.95 and 3 x 1.0
    y[4] = np.nan  # the middle point of the second trajectory: both of its steps
    ours = sensitivity.indices(spec, problem, x, y, 3)
    assert list(ours["effects"]) == [11, 11]
    assert ours["mu"] == pytest.approx([1.9, 3.0], rel=1e-12)
    assert ours["sigma"] == pytest.approx([0, 0], abs=1e-9)
    filled = np.where(np.isnan(y), np.nanmean(y), y)
    assert sensitivity.indices(spec, problem, x, filled, 3)["sigma"].min() > 0.1
    y[[1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31]] = np.nan  # every middle point but the last
    ours = sensitivity.indices(spec, problem, x, y, 3)
    assert list(ours["effects"]) == [1, 1] and np.isnan(ours["mu_star"]).all()  # one effect: no spread
