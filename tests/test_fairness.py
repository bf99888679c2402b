"""A fair reform comparison: compared scenarios differ from the baseline only in what they declare
their reform changes, and the report lists every difference."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from scenarios.diff import by_part, differences, flatten, undeclared
from tests.conftest import CONFIGS, compose_config, run_cli


def scenarios_of(experiment: str) -> list[str]:
    sweep = OmegaConf.load(CONFIGS / "experiment" / f"{experiment}.yaml").hydra.sweeper.params["+scenario"]
    return [s.strip() for s in str(sweep).split(",")]


def resolved(scenario: str) -> dict:
    cfg = compose_config([f"+scenario={scenario}"])
    return OmegaConf.to_container(cfg, resolve=True)


BASELINE = scenarios_of("reform_comparison")[0]


@pytest.mark.parametrize("scenario", scenarios_of("reform_comparison")[1:])
def test_compared_scenarios_differ_only_in_what_their_reform_declares(scenario: str) -> None:
    base, other = resolved(BASELINE), resolved(scenario)
    diffs = differences(base, other, other["reform"]["changes"])
    assert diffs, "a compared scenario changes something"
    assert [d.path for d in undeclared(diffs)] == []
    declared = set(other["reform"]["changes"])
    assert declared == {d.declared for d in diffs}, "every declared change is a real difference"


def test_a_change_two_scenarios_make_is_given_the_same_reason() -> None:
    """The Kurultai with channels named only some of the Kurultai's assumptions (the 7% threshold,
    the discipline [A]) for the very same settings: a reader took it not to carry them."""
    reasons: dict[str, dict[str, str]] = {}
    for scenario in scenarios_of("reform_comparison")[1:]:
        cfg = resolved(scenario)
        changed = differences(resolved(BASELINE), cfg, cfg["reform"]["changes"])
        for path, why in cfg["reform"]["changes"].items():
            values = repr([(d.path, d.value) for d in changed if d.declared == path])
            reasons.setdefault(f"{path} {values}", {})[scenario] = why
    differing = {k: v for k, v in reasons.items() if len(set(v.values())) > 1}
    assert any(len(v) > 1 for v in reasons.values()) and not differing, differing


def test_an_undeclared_difference_is_caught() -> None:
    base = resolved(BASELINE)
    other = resolved("kz_kurultai_2026")
    other["parliament"]["vote_noise"] = 0.5  # a typed-in assumption that is not part of the reform
    other["parliament"]["chambers"]["kurultai"]["agenda_capacity"] = 15  # inside a declared change
    paths = [d.path for d in undeclared(differences(base, other, other["reform"]["changes"]))]
    assert paths == ["parliament.vote_noise"]


def test_flatten_names_every_leaf() -> None:
    flat = flatten({"a": {"b": 1, "c": [2, {"d": 3}]}, "e": {}})
    assert flat == {"a.b": 1, "a.c[0]": 2, "a.c[1].d": 3, "e": {}}


def test_differences_group_by_part_of_the_config() -> None:
    base = {"p": {"c": {"x": 1, "y": [1, 2]}, "n": "a"}, "seed": 0}
    other = {"p": {"c": {"x": 2, "y": [1, 3]}, "n": "b"}, "seed": 0}
    parts = by_part(differences(base, other))
    paths = {k: [d.path for d in v] for k, v in parts.items()}
    assert paths == {"p.c": ["p.c.x", "p.c.y[1]"], "p.n": ["p.n"]}
    assert list(by_part(differences(base, other), depth=1)) == ["p"]
    assert by_part(differences(base, base)) == {}
    listed = by_part(differences({"l": [{"x": 1}]}, {"l": [{"x": 2}]}))  # a list at the top
    assert list(listed) == ["l[0]"]


def test_a_declared_change_must_name_a_part_of_the_scenario(tmp_path: Path) -> None:
    """A misspelt part (``chanels.petitions``) covered no setting, and nothing said so."""
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "typo.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /parliament: kz_kurultai_2026\n"
        "reform:\n  label: x\n  changes:\n    chanels.petitions: a typo\n"
    )
    r = run_cli(
        "--config-dir", str(tmp_path), "+scenario=typo", "years=0.1", "hydra.run.dir=run", cwd=tmp_path
    )
    assert (
        r.returncode == 2
        and "reform.changes='chanels.petitions' is not allowed: a path of the scenario" in r.stderr
    )
    assert not (tmp_path / "run").exists()


TIMING = ("duration", "deadline_days", "deemed", "fail_prob", "scale_by_complexity")


def _to_the_head_of_state(stages: dict) -> list[tuple[str, object]]:
    """The stages a law passes last before the head of state's desk, with their durations."""
    signing = {name for name, s in stages.items() if s["kind"] == "sign"}
    return sorted((name, s["duration"]) for name, s in stages.items() if s.get("on_pass") in signing)


@pytest.mark.parametrize("scenario", scenarios_of("reform_comparison")[1:])
def test_what_the_reform_does_not_change_takes_the_same_time_in_both_procedures(scenario: str) -> None:
    """``parliament.stages`` is declared as a whole, so the test above passes any change inside it:
    the Kurultai forwarded a law to the President in 10 days and the bicameral Parliament at once,
    and its "slower to law" finding was those 10 days. A stage both procedures have takes the same
    time, and a law reaches the head of state by the same way in both."""
    base, other = resolved(BASELINE)["parliament"]["stages"], resolved(scenario)["parliament"]["stages"]
    shared = sorted(set(base) & set(other))
    assert {"committee", "signature", "transmission"} <= set(shared)
    for name in shared:
        assert [base[name].get(k) for k in TIMING] == [other[name].get(k) for k in TIMING], name
    last = _to_the_head_of_state(base)
    assert [name for name, _ in last] == ["transmission"] and _to_the_head_of_state(other) == last
