"""``experiment=robustness``: plausible worlds applied alike to every scenario, common random numbers
within a world, the classification rule, reproducible outputs, bad options refused, and the main
report's honest findings."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf, open_dict

from experiments import robustness
from experiments.errors import EXIT_BAD_INPUT
from experiments.robustness import (
    SHUFFLES,
    Design,
    classify,
    compose_scenarios,
    effects,
    p_values,
    plan,
    robustness_spec,
)
from experiments.stats import holm
from experiments.worlds import get
from scenarios import ConfigError, validate
from scenarios import cost as costs
from scenarios.procedure import expand_readings
from scenarios.schema import Config
from tests.conftest import CONFIGS, compose_config
from tests.parltwin_cli import parltwin, snapshot

TINY = [
    "experiment=robustness",
    "experiment.worlds=4",
    "experiment.replications=2",
    "years=0.25",
    "quiet=true",
]


def design(tmp_path: Path, **options: object) -> Design:
    spec = robustness_spec({"worlds": 5, "replications": 3, **options})
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfgs = compose_scenarios(spec, ["years=0.25"], lambda ov: compose("config", overrides=ov))
    return plan(spec, cfgs, 7, tmp_path)


def test_a_world_gives_every_scenario_the_same_values_where_it_has_the_path(tmp_path: Path) -> None:
    d = design(tmp_path)
    by = {(t.folder.parent.name, t.scenario, t.index): t for t in d.tasks}
    assert len(d.tasks) == 5 * 4 * 3
    paths = {a.path: a for a in d.assumptions}
    # every preset's own ranges are in the union: the Senate's, the channels', the citizens'
    assert {"parliament.chambers.senate.attendance", "channels.offline.reach", "citizens.region_sd"} <= set(
        paths
    )
    assert "channels.petitions.epetition_kz.uptake" in paths
    for w in range(1, 5):
        world = d.worlds[w]
        confs = {s: by[(f"w{w:04d}", s, 0)].config for s in d.spec.scenarios}
        for name, conf in confs.items():
            data = OmegaConf.to_container(OmegaConf.structured(conf), resolve=True)
            for path, value in world.items():
                try:
                    got = get(data, path)
                except KeyError:
                    continue
                if name in paths[path].held:  # its own value (the next test)
                    value = paths[path].presets[name]
                assert got == pytest.approx(value), (w, name, path)
        noise = {s: c.parliament.vote_noise for s, c in confs.items()}
        assert len(set(noise.values())) == 1 and noise["kz_bicameral_2023"] == world["parliament.vote_noise"]
        reach = {s: c.channels.offline.reach for s, c in confs.items()}
        assert len(set(reach.values())) == 1
        assert confs["kz_kurultai_2026"].parliament.chambers.get("senate") is None  # only where it exists
        # the Kurultai's attendance takes the Mazhilis's quantile of its own range
        k, m = (
            paths["parliament.chambers.kurultai.attendance"],
            paths["parliament.chambers.mazhilis.attendance"],
        )
        qk = (world[k.path] - k.low) / (k.high - k.low)
        qm = (world[m.path] - m.low) / (m.high - m.low)
        assert qk == pytest.approx(qm)
        cap = confs["kz_bicameral_2023"].parliament.chambers["mazhilis"].agenda_capacity
        assert isinstance(cap, int) and 6 <= cap <= 15
        # the committees' capacities, one assumption in the presets, move together
        for conf in confs.values():
            capacities = {c.capacity for c in conf.parliament.committees.values()}
            assert len(capacities) == 1 and 4 <= capacities.pop() <= 12
    # world 0 is the presets themselves
    base = validate(compose_config(["+scenario=kz_kurultai_2026", "years=0.25"]))
    assert by[("w0000", "kz_kurultai_2026", 0)].config.parliament == base.parliament
    # the sampled worlds differ from one another
    assert len({w["parliament.vote_noise"] for w in d.worlds[1:]}) == 4


@pytest.mark.parametrize("baseline", ["kz_bicameral_2023", "kz_kurultai_2026"])
def test_a_number_a_scenario_sets_otherwise_keeps_its_own_value_in_every_world(
    baseline: str, tmp_path: Path
) -> None:
    """The Kurultai's committee drops a bill at its third return (``max_rounds: 3``, an assumption
    with a range in the Kurultai's presets only); the bicameral procedure sets no such bound (0). A
    world that gave the bicameral scenarios the Kurultai's sampled value would set a bound their
    procedure does not have: they keep 0, whichever the baseline, while the Kurultai's moves."""
    d = design(tmp_path, baseline=baseline)
    path = "parliament.stages.committee.max_rounds"
    (a,) = [a for a in d.assumptions if a.path == path]
    assert a.held == ("kz_bicameral_2023", "kz_bicameral_2023_digital")
    assert {b.path for b in d.assumptions if b.held} == {path}
    for w in range(1, 5):
        rounds = {n: c.parliament.stages["committee"].max_rounds for n, c in d.typed[w].items()}
        assert rounds["kz_kurultai_2026"] == rounds["kz_kurultai_2026_digital"] == d.worlds[w][path]
        assert rounds["kz_bicameral_2023"] == rounds["kz_bicameral_2023_digital"] == 0
    assert len({d.worlds[w][path] for w in range(1, 5)}) > 1


def test_common_random_numbers_within_and_across_worlds(tmp_path: Path) -> None:
    d = design(tmp_path)
    seeds: dict[tuple[str, str], list[int]] = {}
    for t in d.tasks:
        seeds.setdefault((t.folder.parent.name, t.scenario), []).append(t.seed)
    assert len(set(map(tuple, seeds.values()))) == 1 and next(iter(seeds.values())) == d.seeds
    assert len(set(d.seeds)) == 3


def test_the_sobol_sampler_and_the_seed_change_the_worlds(tmp_path: Path) -> None:
    lhs, sobol = design(tmp_path / "a"), design(tmp_path / "b", sampler="sobol")
    assert lhs.worlds[0] == sobol.worlds[0]
    assert lhs.worlds[1] != sobol.worlds[1]


@pytest.mark.parametrize(
    ("diffs", "better", "outcome"),
    [
        ([1.0, 1.2, 0.9, 1.1], "higher", "better"),
        ([1.0, 1.2, 0.9, 1.1], "lower", "worse"),
        ([-3.0, -2.5, -3.2], "lower", "better"),
        ([-3.0, -2.5, -3.2], "higher", "worse"),
        ([-3.0, -2.5, -3.2], "none", "lower"),
        ([1.0, 1.2, 0.9, 1.1], "none", "higher"),
        ([1.0, -1.0, 0.5, -0.4], "higher", "unclear"),
        ([2.0, 2.0, 2.0], "higher", "unclear"),  # no spread: the sign test, 2 x 2^-3 = 0.25
        ([2.0] * 6, "higher", "better"),  # 2 x 2^-6 = 0.031
        ([-0.5] * 5, "lower", "unclear"),  # 0.0625: five equal pairs are not enough at 5%
        ([0.0, 0.0], "lower", "unclear"),
        ([5.0], "higher", "unclear"),  # one pair: no interval
        ([5.0, np.nan, np.nan], "higher", "unclear"),  # NaN pairs dropped
    ],
)
def test_classification_rule(diffs: list[float], better: str, outcome: str) -> None:
    assert classify(diffs, better)["outcome"] == outcome


def test_classification_level() -> None:
    # mean 1, sd 1, n = 5: t(0.975, 4) * 1 / sqrt(5) = 1.24 > 1 (unclear at 95%), t(0.85, 4) / sqrt(5) = 0.52
    d = 1.0 + np.array([-1.2649, -0.6325, 0.0, 0.6325, 1.2649])
    assert classify(d, "higher", 0.05)["outcome"] == "unclear"
    assert classify(d, "higher", 0.30)["outcome"] == "better"
    c = classify(d, "higher", 0.05)
    assert c["pairs"] == 5 and c["effect"] == pytest.approx(1.0) and 0.05 < c["p_value"] < 0.2


def test_the_top_rank_correlation_is_told_from_chance() -> None:
    """Over 166 assumptions and 64 worlds the largest chance correlation is about 0.36: the top one
    was named as what the effect moves with even in noise. It now carries a permutation p-value."""
    from experiments.robustness import _spearman

    rng = np.random.default_rng(11)
    x = rng.random((64, 166))
    noise = [_spearman(x, rng.normal(size=64), seed) for seed in range(20)]
    assert min(abs(rho).max() for rho, _ in noise) > 0.25  # chance alone makes a large top
    assert sum(p <= 0.05 for _, p in noise) <= 3  # 5% of 20, give or take two
    rho, p = _spearman(x, x[:, 42] + rng.normal(0, 0.1, 64))
    assert int(np.argmax(abs(rho))) == 42 and p == 1 / (SHUFFLES + 1)
    rho, _ = _spearman(x, x[:, 3])  # the ranks' own correlation: exactly 1
    assert rho[3] == pytest.approx(1.0)


def _found(box_p: list[float], top_p: list[float]) -> pd.DataFrame:
    """A run's table as :func:`experiments.robustness.beyond_chance` reads it: each finding's box
    (``a1``) and its p-value, and its top correlation's."""
    return pd.DataFrame(
        {"deciding_assumptions": "a1 <= 0.5", "deciding_paths": "a1", "box_coverage": 0.8,
         "box_density": 0.9, "box_p_value": box_p, "top_p_value": top_p}
    )  # fmt: skip


def test_the_assumptions_findings_name_are_told_from_chance_over_all_of_a_runs_findings() -> None:
    """Each finding's test at 5% named an assumption in about one of 24 findings when none mattered,
    and a run has 24: the p-values are told from chance together (Benjamini-Hochberg), and a planted
    one still stands out."""
    from experiments.robustness import _spearman, beyond_chance

    rng = np.random.default_rng(4)
    x = rng.random((64, 166))
    alone, together = 0, 0
    for _ in range(10):
        p = [_spearman(x, rng.normal(size=64), seed)[1] for seed in range(24)]
        alone += min(p) <= 0.05
        together += beyond_chance(_found(p, p))["top_beyond_chance"].any()
    assert alone >= 4 and together <= 2  # 71% of runs against at most 5%, give or take
    planted = [_spearman(x, x[:, 42] + rng.normal(0, 0.3, 64))[1]]
    p = planted + [_spearman(x, rng.normal(size=64), seed)[1] for seed in range(23)]
    got = beyond_chance(_found([*p, np.nan], [*p, np.nan]))
    assert got["top_beyond_chance"].tolist() == [True] + [False] * 24
    assert got["top_q_value"].iloc[0] == pytest.approx(24 * p[0]) and np.isnan(got["top_q_value"].iloc[-1])
    kept = got["deciding_assumptions"] != ""
    assert kept.tolist() == [True] + [False] * 24 and got["box_coverage"].isna().sum() == 24
    assert list(got.columns).index("box_q_value") == list(got.columns).index("box_p_value") + 1


def test_a_box_found_at_5_percent_in_one_finding_of_many_is_dropped() -> None:
    """Among 24 findings, five strong ones stand (q = 24 / 5 x 0.01 = 0.048 for the fifth), and one
    at p = 0.04, which a test of its own would keep, does not (q = 24 / 6 x 0.04)."""
    from experiments.robustness import beyond_chance

    p = [0.001] * 3 + [0.01] * 2 + [0.04] + [0.5] * 18
    got = beyond_chance(_found(p, p))
    assert got["deciding_paths"].tolist() == ["a1"] * 5 + [""] * 19
    assert got["top_beyond_chance"].tolist() == [True] * 5 + [False] * 19
    assert got["box_q_value"].iloc[4] == pytest.approx(0.048)


def test_no_free_assumption_correlates_with_nothing_rather_than_failing() -> None:
    from experiments.robustness import _spearman

    rho, p = _spearman(np.empty((20, 0)), np.arange(20.0))
    assert rho.size == 0 and p == 1.0


def test_p_values_in_one_call_are_the_per_world_tests() -> None:
    from scipy import stats

    rng = np.random.default_rng(3)
    diffs = rng.normal(0.3, 1.0, (40, 5))
    diffs[3, 2] = np.nan  # a missing pair, and a world without spread: left to classify
    diffs[7] = 2.0
    got = p_values(diffs)
    assert got[3] is None and got[7] is None
    for row, p in zip(diffs, got, strict=True):
        if p is not None:
            assert p == float(stats.ttest_1samp(row, 0.0).pvalue)  # the same number, not a close one
    assert classify(diffs[7], "higher")["p_value"] == 2 * 0.5**5 and np.isnan(
        classify(diffs[3, :1], "higher")["p_value"]
    )


def test_effects_are_each_worlds_paired_classification(tmp_path: Path) -> None:
    """The batched table is, row by row, :func:`classify` of the world's paired differences."""
    d = design(tmp_path)
    rng = np.random.default_rng(5)
    rows = [
        {"world": w, "scenario": n, "replication": r, "seed": s, "laws_per_year": rng.normal(90, 5),
         "passage_rate": np.nan if (w, r) == (2, 1) else rng.random()}
        for w in range(len(d.worlds)) for n in d.spec.scenarios for r, s in enumerate(d.seeds)
    ]  # fmt: skip
    runs = pd.DataFrame(rows)

    class Described:
        def describe(self, m: str) -> object:
            return type("M", (), {"better": "higher"})()

    spec = robustness_spec({"worlds": 5, "replications": 3, "metrics": ["laws_per_year", "passage_rate"]})
    d.spec = spec
    eff = effects(runs, d, Described())
    assert len(eff) == len(d.worlds) * 3 * 2
    for r in eff.itertuples(index=False):
        a = runs[(runs.world == r.world) & (runs.scenario == r.scenario)][r.metric].to_numpy()
        b = runs[(runs.world == r.world) & (runs.scenario == spec.baseline)][r.metric].to_numpy()
        want = classify(a - b, "higher", spec.alpha)
        assert r.outcome == want["outcome"] and r.pairs == want["pairs"]
        assert (r.p_value == want["p_value"]) or (np.isnan(r.p_value) and np.isnan(want["p_value"]))
        assert r.low == want["low"] or np.isnan(want["low"])


#: The default scenarios, named in a list: Hydra composes the command again (it does not take the
#: check's composition of a list), and the run still takes the worlds the check made.
LISTED = f"experiment.scenarios=[{','.join(robustness.SCENARIOS)}]"


@pytest.mark.parametrize("extra", [[], [LISTED]], ids=["plain", "a list"])
def test_the_run_takes_the_worlds_the_check_made(
    extra: list[str],
    robust_runs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The scenarios are composed and the worlds checked once, before the run; the run's outputs are
    the same as when it makes them again itself."""
    calls = []
    original = robustness.compose_scenarios
    monkeypatch.setattr(robustness, "compose_scenarios", lambda *a: calls.append(1) or original(*a))
    done = parltwin(
        [*TINY, *extra, "experiment.workers=1", f"hydra.run.dir={tmp_path / 'r'}"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert done.code == 0, done.err
    assert len(calls) == 1  # by the check only
    again, made = snapshot(robust_runs["serial"]), snapshot(tmp_path / "r")
    for name in ("robustness.csv", "effects.csv", "worlds.csv", "assumptions.csv"):
        assert made[name] == again[name]


def test_a_plan_reuses_a_checked_design_only_when_it_is_the_same(tmp_path: Path) -> None:
    d = design(tmp_path / "a")
    spec = d.spec
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfgs = compose_scenarios(spec, ["years=0.25"], lambda ov: compose("config", overrides=ov))
    checked = plan(spec, cfgs, 7, None)
    same = plan(spec, cfgs, 7, tmp_path / "b", checked)
    assert same.typed is checked.typed and same.worlds == d.worlds
    assert [t.fingerprint for t in same.tasks] == [t.fingerprint for t in d.tasks]
    other = plan(spec, cfgs, 8, None, checked)  # another seed: its own worlds
    assert other.typed is not checked.typed and other.worlds != d.worlds


def test_the_cost_check_counts_each_world_at_its_own_rates() -> None:
    """A range on a bill rate makes some worlds costlier than the presets: the estimate before a
    run sums every world's own runs, not the presets' runs times the worlds."""
    spec = robustness_spec({"worlds": 6, "replications": 2})
    rate = "initiators.government.rate_per_year"
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfgs = compose_scenarios(spec, ["years=0.25"], lambda ov: compose("config", overrides=ov))
    for cfg in cfgs.values():
        with open_dict(cfg):
            cfg.parliament.ranges[rate] = [50, 800]  # the presets: about 95 a year
    d = plan(spec, cfgs, 7, None)
    got = robustness.estimate(d)
    runs = spec.replications * 0.25

    def visits(conf: Config) -> float:  # bills a year x stages (readings expanded), per year of one run
        return costs.bills_per_year(conf) * len(expand_readings(conf.parliament.stages))

    assert got.visits == pytest.approx(runs * sum(visits(w[s]) for w in d.typed for s in spec.scenarios))
    presets = runs * spec.worlds * sum(visits(d.configs[s]) for s in spec.scenarios)
    assert got.visits > 1.5 * presets
    assert got.runs == spec.worlds * spec.replications * len(spec.scenarios)
    assert got.what == ["6 worlds x 2 runs"] * len(spec.scenarios)


def test_holm() -> None:
    got = holm([0.01, 0.04, np.nan, 0.03, 0.5])
    assert got[0] == pytest.approx(0.04) and np.isnan(got[2])
    assert got[3] == pytest.approx(0.09) and got[1] == pytest.approx(0.09)  # step-down keeps the order
    assert got[4] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("experiment.worlds=1", "experiment.worlds"),
        ("experiment.replications=1", "experiment.replications"),
        ("experiment.sampler=grid", "experiment.sampler"),
        ("experiment.baseline=nowhere", "experiment.baseline"),
        ("experiment.scenarios=[kz_bicameral_2023,nowhere]", "experiment.scenarios"),
        ("experiment.scenarios=[nowhere,kz_bicameral_2023]", "experiment.scenarios"),
        ("experiment.metrics=[laws_per_yaer]", "experiment.metrics"),
        ("experiment.alpha=0.7", "experiment.alpha"),
        ("+experiment.wolds=3", "experiment.wolds"),
        ("experiment.same={parliament.nothing: parliament.vote_noise}", "experiment.same"),
        ("experiment.worlds=100000", "experiment.worlds"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    override: str,
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "run"
    ended = parltwin([*TINY, override, f"hydra.run.dir={out}"], tmp_path, monkeypatch, capsys)
    assert ended.code == 2, ended.err
    assert field in ended.one_line
    assert not out.exists()


def test_channel_and_citizen_ranges_are_checked() -> None:
    cfg = compose_config(["channels=analytics"])
    with open_dict(cfg):
        cfg.channels.ranges["analytics.analytics.review_cut"] = [0.5, 0.9]
    with pytest.raises(
        ConfigError, match=r"review_cut=0\.2 is not allowed: a value within its plausible range"
    ):
        validate(cfg)
    cfg = compose_config([])
    with open_dict(cfg):
        cfg.citizens.ranges["salience.nothing"] = [0, 1]
    with pytest.raises(ConfigError, match=r"citizens\.ranges\.salience\.nothing"):
        validate(cfg)


def test_every_assumed_number_of_the_digital_presets_has_a_range() -> None:
    for group, preset, key in (("channels", "kz_digital", "channels"), ("citizens", "kz_2026", "citizens")):
        conf = validate(compose_config([f"{group}={preset}"]))
        ranges = getattr(conf, key).ranges
        files = [CONFIGS / group / f"{preset}.yaml"]
        if preset == "kz_digital":
            files = [CONFIGS / "channels" / f"{n}.yaml" for n in ("none", "epetition_kz", "eotinish_kz",
                                                                   "open_legal_acts_kz")]  # fmt: skip
        for f in files:
            assumed = [
                ln
                for ln in f.read_text().split("\nranges:")[0].splitlines()
                if re.search(r":\s*[-\d.]+\s+#.*\[A\]", ln)
            ]
            for line in assumed:
                name = line.split(":")[0].strip()
                assert any(p.endswith(f".{name}") or p == name for p in ranges), (f.name, name)


#: Numbers of a parliament preset that need no range: seats, the term, quorums, legal deadlines and
#: readings (each with its source, or its [A] with what it keeps, beside it: seats must add up, and
#: a quorum, a deadline or a count of readings is a rule, not a quantity), and a group without a
#: party line (discipline 0 by definition). Committee sizes are arithmetic on the seats, an
#: assumption whose plausible range the presets give beside them: held fixed, not sampled.
SOURCED = ("seats", "size", "convocation_years", "quorum", "deadline_days", "readings")
DEFINED = {"chambers.mazhilis.parties.self_nominated.discipline"}


def _numbers(node: object, path: str = "") -> list[str]:
    if isinstance(node, dict):
        return [k for key, v in node.items() for k in _numbers(v, f"{path}.{key}" if path else key)]
    return [path] if isinstance(node, int | float) and not isinstance(node, bool) else []


@pytest.mark.parametrize("preset", ["kz_bicameral_2023", "kz_kurultai_2026"])
def test_every_assumed_number_of_the_parliament_presets_has_a_range(preset: str) -> None:
    """The parties' spreads were assumptions without a range: held fixed in every world."""
    import yaml

    data = yaml.safe_load((CONFIGS / "parliament" / f"{preset}.yaml").read_text())
    ranges = data.pop("ranges")
    missing = [
        k for k in _numbers(data) if k not in ranges and k not in DEFINED and k.split(".")[-1] not in SOURCED
    ]
    assert not missing


@pytest.mark.parametrize("preset", ["kz_bicameral_2023", "kz_kurultai_2026"])
def test_every_unsampled_number_of_the_parliament_presets_says_where_it_comes_from(preset: str) -> None:
    """A number left out of the ranges by its key (a seat count, a term, a quorum, a deadline, a count
    of readings) carries its source on its line, or its [A] and what it keeps: the Kurultai's 30 days
    for the President passed as a fact, with no word beside them."""
    body = (CONFIGS / "parliament" / f"{preset}.yaml").read_text().split("\nranges:")[0]
    keys = "|".join(k for k in SOURCED if k != "size")  # sizes: one comment above the committees
    silent = [
        line.strip()
        for line in body.splitlines()
        if re.search(rf"(^\s*|[{{,]\s*)({keys}):\s*[\d.]+", line) and "#" not in line
    ]
    assert not silent


@pytest.fixture(scope="module")
def robust_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same tiny robustness run serially and on 2 workers."""
    mp, cap = pytest.MonkeyPatch(), None
    base = tmp_path_factory.mktemp("robust")
    out = {}
    import _pytest.capture as capture

    for name, workers in (("serial", 1), ("pool", 2)):
        folder = base / name
        import subprocess
        import sys

        done = subprocess.run(
            [str(Path(sys.executable).with_name("parltwin")), *TINY, f"experiment.workers={workers}",
             f"hydra.run.dir={folder}"], cwd=base, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        out[name] = folder
    del mp, cap, capture
    return out


def test_a_measure_no_world_gives_a_value_holds_nowhere_and_is_said_not_measured(
    robust_runs: dict[str, Path],
) -> None:
    """In runs of a quarter year the demands answered within a year are undefined in every world:
    the table said the finding "holds: indistinguishable in 100% of worlds", with a top assumption."""
    from experiments.catalog import Catalog
    from experiments.i18n import translator
    from experiments.robustness_report import summary
    from sim.citizens.responsiveness import METRICS
    from sim.metrics import ENGINE

    table = pd.read_csv(robust_runs["serial"] / "robustness.csv")
    none = table[table["metric"] == "demands_answered_within_365d"]
    assert len(none) == 3 and (none["worlds_undefined"] == none["worlds"]).all()
    assert not none["holds"].any() and none["top_assumption"].isna().all()
    assert not none["top_beyond_chance"].any()
    some = table[table["worlds_undefined"] < table["worlds"]]
    assert len(some) and some["holds"].any()  # a measure with values keeps its verdicts
    said = summary(table, {}, Catalog({**ENGINE, **METRICS}), "T", translator("en"))
    assert said.count("not measured: no world gives it a value") == 3
    assert (
        "holds: indistinguishable in 100% of worlds"
        not in said.split(Catalog(METRICS).describe("demands_answered_within_365d").label)[1].split("\n\n")[0]
    )


def test_an_indistinguishable_finding_that_holds_says_what_a_worlds_replications_can_tell(
    robust_runs: dict[str, Path],
) -> None:
    """A "holds: indistinguishable in 100% of worlds" from worlds of two or three replications read
    as a robust absence of effect: it is said with what those replications can tell; a direction
    that holds is said as before."""
    from experiments.catalog import Catalog
    from experiments.i18n import translator
    from experiments.report import robustness_note, robustness_verdict
    from experiments.robustness_report import summary
    from sim.citizens.responsiveness import METRICS
    from sim.metrics import ENGINE

    en, ru = translator("en"), translator("ru")
    caveat = "with 3 replications a world, this says that no effect is large beside the noise"
    unclear = robustness_verdict(True, "unclear", 1.0, en, 0, 16, 3)
    assert unclear.startswith("holds: indistinguishable in 100% of worlds; ") and caveat in unclear
    assert robustness_verdict(True, "higher", 1.0, en, 0, 16, 3) == "holds: higher in 100% of worlds"
    assert "при 1 повторении в мире" in robustness_verdict(True, "unclear", 0.95, ru, 0, 16, 1)
    assert caveat not in robustness_verdict(False, "unclear", 0.5, en, 0, 16, 3)
    row = {"worlds": 16, "share_unclear": 1.0, "holds_at": 0.9, "replications": 3}
    sentence = f"{caveat[0].upper()}{caveat[1:]}, not that there is none."
    assert robustness_note(row, "unclear", en)["text"].endswith(f"of 16 worlds. {sentence}")
    table = pd.read_csv(robust_runs["serial"] / "robustness.csv")
    held = table[table["holds"] & (table["finding"] == "unclear")]
    assert len(held)  # the runs have such a finding
    n = int(table["replications"].iloc[0])
    said = summary(table, {}, Catalog({**ENGINE, **METRICS}), "T", en)
    word = "replication" if n == 1 else "replications"
    assert said.count(f"with {n} {word} a world, this says that no effect") == len(held)


def test_seeded_runs_reproduce_byte_for_byte_serial_and_pooled(robust_runs: dict[str, Path]) -> None:
    a, b = (snapshot(robust_runs[k]) for k in ("serial", "pool"))
    for name in ("robustness.csv", "effects.csv", "worlds.csv", "assumptions.csv"):
        assert a[name] == b[name] and a[name]
    records = sorted(
        k for k in a if k.startswith("worlds/") and k.endswith(".json") and "/replications/" in k
    )
    assert len(records) == 4 * 4 * 2 and all(a[k] == b[k] for k in records)
    table = pd.read_csv(robust_runs["serial"] / "robustness.csv")
    need = {"metric", "scenario", "baseline", "share_better", "share_worse", "share_unclear", "worlds",
            "deciding_assumptions", "effect_median", "effect_min", "effect_max", "unit"}  # fmt: skip
    assert need <= set(table.columns)
    assert len(table) == 3 * 8 and set(table["worlds"]) == {4}
    directed = table[table["share_better"].notna()]
    total = directed["share_better"] + directed["share_worse"] + directed["share_unclear"]
    assert np.allclose(total, 1.0)
    html = (robust_runs["serial"] / "report.html").read_text()
    assert "Robustness of each finding" in html and "robustness_shares" in html
    # the bicameral scenarios keep their committee without the Kurultai's bound on its rounds
    held = "Here: parliament.stages.committee.max_rounds (Bicameral Parliament (baseline), Bicameral "
    assert held in html


def test_the_report_states_the_question_the_answer_and_robustness(
    robust_runs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["experiment=reform_comparison", "experiment.replications=3", "years=0.25", "quiet=true",
            "experiment.ledger=false"]  # fmt: skip
    plain = parltwin([*args, f"hydra.sweep.dir={tmp_path / 'plain'}"], tmp_path, monkeypatch, capsys)
    assert plain.code == 0, plain.err
    html = (tmp_path / "plain" / "report.html").read_text()
    assert "faster and more responsive?" in html and "The answer from these runs" in html
    assert "Robustness to the assumptions was not assessed" in html and "Assumptions and limitations" in html
    # and where the shipped presets' own robustness run is reported (a file that exists)
    assert "docs/robustness.md" in html and (Path(__file__).parents[1] / "docs" / "robustness.md").is_file()
    senate = "In kz_bicameral_2023, kz_bicameral_2023 + kz_digital, a bill whose Senate review has seen"
    assert senate in html
    # what the responsiveness measures count, under the key numbers; what the channels' congruence rests on
    assert "whether or not Parliament heard the demand" in html and "(position_pull)" in html
    assert "withdrawn and rejected ones too" in html  # what the mean days in Parliament count
    # each figure's numbers in a table under it, as its text alternative says (an image said its title
    # only, and the lead times', the stages' and the groups' numbers were nowhere else in the report)
    alts = re.findall(r'alt="([^"]*)"', html)
    assert len(alts) >= 3 and all(a.endswith("the numbers it plots are in the table below it.") for a in alts)
    assert html.count("<details><summary>The figure&#39;s numbers</summary>") == len(alts)
    assert "average over replications" in html and "Time spent in each stage (days)" not in alts
    assert "No petition of e-petitions (epetition.kz) reached its signature threshold" in html
    comp = pd.read_csv(tmp_path / "plain" / "comparison.csv")
    fam = comp[comp["p_holm"].notna()]
    # Holm's family: the report's metrics x the three scenarios against the baseline, adjusted together
    listed = list(compose_config(["experiment=reform_comparison"]).experiment.metrics)
    assert set(fam["metric"]) <= set(listed) and len(fam) == 3 * fam["metric"].nunique()
    assert np.allclose(fam["p_holm"], holm(fam["p_value"].to_numpy()))
    assert (fam["holm_tests"] == len(fam)).all() and comp.loc[
        comp["p_holm"].isna(), "holm_tests"
    ].isna().all()
    written = pd.read_csv(tmp_path / "plain" / "comparison.csv", dtype=str)["holm_tests"]
    assert set(written.dropna()) == {str(len(fam))}  # a count, written as one ("24", not "24.0")
    assert re.search(r"p = (&lt; 0\.001|[0-9.]+)", html)
    rob = parltwin(
        [*args, f"experiment.robustness={robust_runs['serial']}", f"hydra.sweep.dir={tmp_path / 'rob'}"],
        tmp_path, monkeypatch, capsys,
    )  # fmt: skip
    assert rob.code == 0, rob.err
    html = (tmp_path / "rob" / "report.html").read_text()
    assert "Robustness read from" in html and "not assessed" not in html
    assert "One such run, for the shipped presets, is reported in docs/robustness.md" not in html
    findings = html.split("Main findings")[1].split("Key numbers")[0]
    items = re.findall(r"<li>(.*?)</li>", findings, flags=re.S)
    stated = [i for i in items if "higher by" in i or "lower by" in i]
    assert all("plausible worlds" in i or "Depends on the assumptions" in i for i in stated)
    bad = parltwin([*args, "experiment.robustness=/nowhere", f"hydra.sweep.dir={tmp_path / 'bad'}"], tmp_path,
                   monkeypatch, capsys)  # fmt: skip
    assert bad.code == 2 and "experiment.robustness" in bad.one_line and not (tmp_path / "bad").exists()


def test_a_users_own_scenarios_are_assessed_with_the_ties_that_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario of a --config-dir is found, and the default ties that name the Mazhilis are left
    out when no compared preset declares it (the run was refused)."""
    scenario = tmp_path / "conf" / "scenario"
    scenario.mkdir(parents=True)
    (scenario / "my_kurultai.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /parliament: kz_kurultai_2026\n"
        "  - override /channels: none\nparliament:\n  chambers:\n    kurultai:\n      agenda_capacity: 12\n"
    )
    args = [
        "--config-dir",
        str(tmp_path / "conf"),
        *TINY,
        "experiment.scenarios=[kz_kurultai_2026,my_kurultai]",
        "experiment.baseline=kz_kurultai_2026",
        "hydra.run.dir=run",
    ]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    worlds = pd.read_csv(tmp_path / "run" / "worlds.csv")
    assert not [c for c in worlds.columns if "mazhilis" in c]
    assert (tmp_path / "run" / "report.html").is_file()
    # the agenda capacity the user's reform sets is theirs in every world; the baseline's moves
    assumptions = pd.read_csv(tmp_path / "run" / "assumptions.csv", keep_default_na=False).set_index("path")
    capacity = "parliament.chambers.kurultai.agenda_capacity"
    assert assumptions.loc[capacity, "held_in"] == "my_kurultai"
    assert set(assumptions["held_in"]) == {"", "my_kurultai"} and (assumptions["held_in"] != "").sum() == 1
    assert worlds[capacity].iloc[1:].nunique() > 1
    html = (tmp_path / "run" / "report.html").read_text()
    assert f"the others&#39; moves. Here: {capacity} (" in html
    # two scenarios that declare the number differently, the baseline not among them: each keeps its
    # own value, and no world moves it
    three = "experiment.scenarios=[kz_bicameral_2023,kz_kurultai_2026,my_kurultai]"
    both = [*args[:-3], three, "experiment.baseline=kz_bicameral_2023", "hydra.run.dir=three"]
    ended = parltwin(both, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    table = pd.read_csv(tmp_path / "three" / "assumptions.csv", keep_default_na=False).set_index("path")
    assert table.loc[capacity, "held_in"] == "kz_kurultai_2026; my_kurultai"
    assert (
        str(table.loc[capacity, "varied"]) == "False" and (table["varied"].astype(str) == "False").sum() == 1
    )
    assert pd.read_csv(tmp_path / "three" / "worlds.csv")[capacity].isna().all()
    html = (tmp_path / "three" / "report.html").read_text()
    assert f"none is the baseline: {capacity}." in html
    assert f"{(table['varied'].astype(str) == 'True').sum()} assumed numbers varied" in html
    # a tie of the user's own: the default ties still apply only where declared (a changed tie made
    # every default one strict, and the run was refused for the Mazhilis's numbers)
    kurultai = "parliament.chambers.kurultai"
    own = f"experiment.same={{{kurultai}.attention: {kurultai}.attendance}}"
    ended = parltwin([*args[:-1], own, "hydra.run.dir=own"], tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    worlds = pd.read_csv(tmp_path / "own" / "worlds.csv")
    sampled = worlds[worlds.world > 0]
    attention, attendance = ((sampled[f"{kurultai}.{n}"] - lo) / (hi - lo) for n, lo, hi in
                             (("attention", 0.0, 1.0), ("attendance", 0.85, 0.98)))  # fmt: skip
    assert np.allclose(attention, attendance) and attention.nunique() == len(sampled)
    # a tie of the user's own must name declared numbers
    wrong = f"experiment.same={{{kurultai}.attention: parliament.chambers.mazhilis.attendance}}"
    ended = parltwin([*args[:-1], wrong, "hydra.run.dir=wrong"], tmp_path, monkeypatch, capsys)
    assert ended.code == 2 and "experiment.same" in ended.one_line and not (tmp_path / "wrong").exists()


def test_a_whole_number_takes_each_of_its_values_equally_often() -> None:
    """Rounding a uniform quantile gave a range's two ends half a share each (max_rounds 1 to 3:
    a quarter of the worlds at 1, half at 2, a quarter at 3)."""
    from experiments.worlds import Assumption

    a = Assumption("parliament.stages.x.max_rounds", 1, 3, True, {})
    u = (np.arange(3000) + 0.5) / 3000
    counts = np.bincount([a.at(q) for q in u], minlength=4)[1:]
    assert list(counts) == [1000, 1000, 1000]
    assert a.at(0.0) == 1 and a.at(1.0) == 3
    b = Assumption("parliament.chambers.x.agenda_capacity", 6, 15, True, {})
    assert np.bincount([b.at(q) for q in u], minlength=16)[6:].min() == 300


def test_scenarios_without_citizens_are_assessed_on_the_headline_they_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default metrics include the citizens' (shown where a scenario has them): without a
    population the run was refused for a metric it was never asked for by name."""
    ended = parltwin([*TINY, "~citizens", "~channels", "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    shown = set(pd.read_csv(tmp_path / "run" / "robustness.csv").metric)
    assert "laws_per_year" in shown and "demands_answered_within_365d" not in shown
    named = [
        *TINY,
        "~citizens",
        "~channels",
        "experiment.metrics=[laws_per_year,nonsense]",
        "hydra.run.dir=x",
    ]
    refused = parltwin(named, tmp_path, monkeypatch, capsys)
    assert refused.code == EXIT_BAD_INPUT and "experiment.metrics='nonsense'" in refused.one_line
    # only metrics no scenario reports: refused before the run (the analysis failed after it)
    none = [*TINY, "~citizens", "~channels", "experiment.metrics=[congruence]", "hydra.run.dir=y"]
    refused = parltwin(none, tmp_path, monkeypatch, capsys)
    assert refused.code == EXIT_BAD_INPUT and "at least one metric these scenarios report" in refused.one_line
    assert not (tmp_path / "y").exists()


def test_a_report_cites_a_robustness_run_only_where_it_answers_the_same_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comparison read a robustness run that compared other scenarios, or over another horizon:
    its findings lost "Robustness not assessed" and the report said only where it read the run."""
    rob = tmp_path / "rob"
    ran = parltwin(
        ["experiment=robustness", "experiment.worlds=4", "experiment.replications=2", "years=2", "quiet=true",
         "experiment.scenarios=[kz_bicameral_2023,kz_kurultai_2026]", f"hydra.run.dir={rob}"],
        tmp_path, monkeypatch, capsys,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    args = ["experiment=reform_comparison", "experiment.replications=5", "quiet=true",
            "experiment.ledger=false", f"experiment.robustness={rob}"]  # fmt: skip
    done = parltwin([*args, "years=2", f"hydra.sweep.dir={tmp_path / 'cmp'}"], tmp_path, monkeypatch, capsys)
    assert done.code == 0, done.err
    html = (tmp_path / "cmp" / "report.html").read_text()
    digital = html.split("kz_bicameral_2023 + kz_digital <span")[1].split("</ul>")[0]
    stated = re.findall(r"<li>(.*?)</li>", digital, flags=re.S)
    assert stated and all("the robustness run read has no verdict on this measure" in i for i in stated)
    assert "The robustness run read did not assess its findings." in html
    other = parltwin(
        [*args, "years=1", f"hydra.sweep.dir={tmp_path / 'other'}"], tmp_path, monkeypatch, capsys
    )
    assert other.code == 2 and "this comparison's horizon, years=1 (that run's years=2)" in other.one_line
    assert not (tmp_path / "other").exists()
    against = parltwin(
        [*args, "years=2", "experiment.baseline=kz_kurultai_2026", f"hydra.sweep.dir={tmp_path / 'against'}"],
        tmp_path, monkeypatch, capsys,
    )  # fmt: skip
    assert (
        against.code == 2
        and "baseline, kz_kurultai_2026 (that run's is kz_bicameral_2023)" in against.one_line
    )


def test_a_robustness_report_in_russian_gives_its_title_and_scenarios_in_russian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its title and the scenarios' labels stayed English under lang=kk and lang=ru."""
    ran = parltwin([*TINY, "lang=ru", f"hydra.run.dir={tmp_path / 'rob'}"], tmp_path, monkeypatch, capsys)
    assert ran.code == 0, ran.err
    html = (tmp_path / "rob" / "report.html").read_text()
    assert "Устойчивость сравнения реформ в правдоподобных мирах" in html
    assert "Однопалатный Курултай (Конституция 2026 года)" in html and "Unicameral Kurultai" not in html
