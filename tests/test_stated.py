"""A run composed from presets uses no number that nobody chose: what describes the parliament, the
citizens or the channels must be stated by a preset or an override, and a derived preset may remove
an inherited entry with ``null``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scenarios import ConfigError, validate
from scenarios.errors import NotGiven
from tests.conftest import CONFIGS, compose_config
from tests.parltwin_cli import parltwin, refused

SHORT = ["years=0.1", "quiet=true"]

#: A user's parliament that states everything it models: one chamber of 100, one committee.
HOUSE = {
    "name": "house",
    "description": "one chamber, one committee",
    "chambers": {
        "house": {
            "seats": 100,
            "quorum": 0.5,
            "attendance": 0.95,
            "sitting_weekdays": [2],
            "agenda_capacity": 10,
            "attention": 0.0,
            "parties": {
                "blue": {"seats": 60, "position": 0.2, "spread": 0.1, "discipline": 0.8, "government": True},
                "red": {"seats": 40, "position": -0.2, "spread": 0.1, "discipline": 0.8},
            },
        }
    },
    "committees": {"main": {"chamber": "house", "topics": ["all"], "capacity": 5, "size": 10}},
    "calendar": {"start": "2025-01-01", "sessions": [{"opens": "01-01", "closes": "12-31"}]},
    "topics": {"all": {"weight": 1.0, "status_quo": 0.0}},
    "initiators": {
        "members": {"rate_per_year": 100, "start": "committee", "position": 0.1, "position_sd": 0.3}
    },
    "complexity_sd": 0.5,
    "vote_noise": 0.3,
    "loyalty_sd": 0.05,
    "stages": {
        "committee": {
            "kind": "work",
            "committee": True,
            "chamber": "house",
            "duration": {"dist": "gamma", "mean": 20, "sd": 10},
            "on_pass": "floor",
        },
        "floor": {"kind": "vote", "chamber": "house", "rule": "simple", "on_pass": "enacted"},
    },
}


def _without(data: dict, path: str) -> dict:
    """``data`` (a copy) without the key at dotted ``path``."""
    out = json.loads(json.dumps(data))
    *parents, last = path.split(".")
    node = out
    for p in parents:
        node = node[p]
    del node[last]
    return out


def _preset(root: Path, group: str, name: str, data: dict | str) -> Path:
    (root / group).mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    (root / group / f"{name}.yaml").write_text(text)
    return root


def _composed(mine: Path, *overrides: str):
    return compose_config([f"hydra.searchpath=[file://{mine}]", *overrides])


def test_the_users_whole_preset_runs(tmp_path: Path) -> None:
    """The fixture the refusals below take one setting from is a preset that runs."""
    mine = _preset(tmp_path / "mine", "parliament", "house", HOUSE)
    conf = validate(_composed(mine, "parliament=house", "~citizens", "~channels"))
    assert conf.parliament.chambers["house"].seats == 100


@pytest.mark.parametrize("how", ["run", "sweep"])
def test_a_users_preset_without_a_chambers_seats_is_refused_in_one_line_and_writes_nothing(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its parties' seats add up to 100, the engine's default: it ran as a chamber of 100, unsaid."""
    _preset(tmp_path / "mine", "parliament", "house", _without(HOUSE, "chambers.house.seats"))
    args = ["--config-dir", "mine", "parliament=house", *SHORT]
    if how == "sweep":
        args = ["-m", "--config-dir", "mine", "experiment=compare", "parliament=house,kz_bicameral_2023",
                "experiment.replications=2", *SHORT, "hydra.sweep.dir=sweep"]  # fmt: skip
    else:
        args += ["hydra.run.dir=run"]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert line == (
        "parltwin: error: parliament.chambers.house.seats: not given; a preset must state it "
        "(a whole number of members >= 1)"
    )


def test_a_users_preset_without_a_calendar_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It sat all year from 2023-09-01, the engine's default calendar."""
    _preset(tmp_path / "mine", "parliament", "house", _without(HOUSE, "calendar"))
    args = ["--config-dir", "mine", "parliament=house", *SHORT, "hydra.run.dir=run"]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert line.startswith("parltwin: error: parliament.calendar: not given; a preset must state it (")
    assert "start and sessions" in line


@pytest.mark.parametrize(
    ("left_out", "allowed"),
    [
        ("description", "free text"),
        ("chambers.house.parties.red.discipline", "loyalty to the party line"),
        ("chambers.house.quorum", "(0, 1]"),
        ("calendar.sessions", "regular sessions"),
        ("topics.all.status_quo", "where policy stands"),
        ("initiators.members.rate_per_year", "bills a year"),
        ("initiators.members.position", "a Poisson initiator needs it"),
        ("committees.main.size", "members >= 1"),
        ("stages.floor.rule", "a vote or review stage needs it"),
        ("stages.committee.duration", "a work, review or sign stage needs it"),
        ("stages.committee.duration.sd", "a lognormal or gamma duration needs it"),
        ("stages.floor.on_pass", "the stage a bill goes to"),
        ("vote_noise", "a parliament with chambers needs it"),
    ],
)
def test_each_setting_of_what_is_modelled_is_refused_when_no_preset_states_it(
    left_out: str, allowed: str, tmp_path: Path
) -> None:
    mine = _preset(tmp_path, "parliament", "house", _without(HOUSE, left_out))
    with pytest.raises(NotGiven) as err:
        validate(_composed(mine, "parliament=house", "~citizens", "~channels"))
    assert err.value.field == f"parliament.{left_out}"
    assert str(err.value).startswith(f"parliament.{left_out}: not given; a preset must state it (")
    assert allowed in str(err.value) and "\n" not in str(err.value)


def test_an_override_states_what_a_preset_left_out(tmp_path: Path) -> None:
    mine = _preset(tmp_path, "parliament", "house", _without(HOUSE, "chambers.house.seats"))
    given = ["parliament=house", "~citizens", "~channels"]
    with pytest.raises(NotGiven, match=r"^parliament\.chambers\.house\.seats: not given"):
        validate(_composed(mine, *given))
    conf = validate(_composed(mine, *given, "parliament.chambers.house.seats=100"))
    assert conf.parliament.chambers["house"].seats == 100


def test_a_setting_is_asked_for_only_where_it_is_read(tmp_path: Path) -> None:
    """A vote stage has no duration, a procedure without a signature no head of state, an initiator fed
    by citizens' demands no position: none of these is asked for; a signature asks for its head of state."""
    mine = _preset(tmp_path, "parliament", "house", HOUSE)
    conf = validate(_composed(mine, "parliament=house", "~citizens", "~channels"))
    assert conf.parliament.stages["floor"].duration.dist == "exponential"  # the engine's default, unread
    kurultai = validate(compose_config(["parliament=kz_kurultai_2026"])).parliament
    assert kurultai.initiators["peoples_council"].position == 0.0
    signed = json.loads(json.dumps(HOUSE))
    signed["stages"]["floor"]["on_pass"] = "signature"
    signed["stages"]["signature"] = {"kind": "sign", "duration": {"dist": "fixed", "mean": 7},
                                     "deadline_days": 30, "deemed": "pass", "on_pass": "enacted",
                                     "on_return": "rejected"}  # fmt: skip
    mine = _preset(tmp_path, "parliament", "signed", signed)
    with pytest.raises(NotGiven) as err:
        validate(_composed(mine, "parliament=signed", "~citizens", "~channels"))
    assert err.value.field == "parliament.head_of_state" and "a sign stage needs them" in str(err.value)


@pytest.mark.parametrize(
    ("node", "threshold", "pull"),
    [("chambers.house.amendment", "threshold", "pull"), ("committee_rules", "amend_threshold", "amend_pull")],
)
def test_how_far_a_rewrite_moves_a_bill_is_asked_for_where_bills_are_rewritten(
    node: str, threshold: str, pull: str, tmp_path: Path
) -> None:
    """A chamber or committees that rewrite bills (threshold > 0) moved them half-way towards their
    median member when the preset left the pull out: a number nobody chose. Without rewriting, the
    pull is not read, and not asked for."""
    data = json.loads(json.dumps(HOUSE))
    *parents, last = node.split(".")
    holder = data
    for key in parents:
        holder = holder[key]
    holder[last] = {threshold: 0.2}
    mine = _preset(tmp_path, "parliament", "house", data)
    with pytest.raises(NotGiven) as err:
        validate(_composed(mine, "parliament=house", "~citizens", "~channels"))
    assert err.value.field == f"parliament.{node}.{pull}" and f"({threshold} > 0)" in str(err.value)
    holder[last] = {threshold: 0.0}
    mine = _preset(tmp_path, "parliament", "house", data)
    validate(_composed(mine, "parliament=house", "~citizens", "~channels"))  # not asked for
    holder[last] = {threshold: 0.2, pull: 0.3}
    mine = _preset(tmp_path, "parliament", "house", data)
    conf = validate(_composed(mine, "parliament=house", "~citizens", "~channels")).parliament
    rules = conf.chambers["house"].amendment if "amendment" in node else conf.committee_rules
    assert getattr(rules, pull) == 0.3


def test_a_derived_user_preset_inherits_what_its_base_states(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    _preset(mine, "parliament", "mine", "defaults: [kz_bicameral_2023, _self_]\nname: mine\n")
    _preset(mine, "channels", "my_digital", "defaults: [kz_digital, _self_]\nname: my_digital\n")
    ended = parltwin(["--config-dir", "mine", "parliament=mine", "channels=my_digital", *SHORT,
                      "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)  # fmt: skip
    assert ended.code == 0, ended.err
    base = validate(compose_config(["channels=kz_digital"]))
    derived = validate(_composed(mine, "parliament=mine", "channels=my_digital"))
    assert derived.parliament.name == "mine" and derived.channels.name == "my_digital"
    assert derived.parliament.chambers == base.parliament.chambers
    assert derived.parliament.stages == base.parliament.stages
    assert derived.channels.petitions == base.channels.petitions


MERGED = """\
defaults: [kz_bicameral_2023, _self_]
name: merged
description: the finance committee merged into economy
committees:
  finance: null
  economy: {topics: [economy, budget]}
"""


def test_an_inherited_committee_is_removed_with_null_and_its_ranges_with_it(tmp_path: Path) -> None:
    mine = _preset(tmp_path, "parliament", "merged", MERGED)
    p = validate(_composed(mine, "parliament=merged")).parliament
    assert "finance" not in p.committees and p.committees["economy"].topics == ["economy", "budget"]
    assert "committees.finance.capacity" not in p.ranges and "committees.economy.capacity" in p.ranges
    again = validate(compose_config(["parliament.committees.finance=null",
                                     "parliament.committees.economy.topics=[economy,budget]"]))  # fmt: skip
    assert again.parliament.committees == p.committees and again.parliament.ranges == p.ranges


def test_a_stage_that_needs_a_removed_committee_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _preset(
        tmp_path / "mine", "parliament", "cut", MERGED.replace("  economy: {topics: [economy, budget]}\n", "")
    )
    line = refused(
        ["--config-dir", "mine", "parliament=cut", *SHORT, "hydra.run.dir=run"], tmp_path, monkeypatch, capsys
    )
    assert line == (  # named by the removal made, not by a stage the user never set
        "parltwin: error: parliament.committees.finance=null is not allowed: a removal that leaves "
        "committees of mazhilis covering every topic (budget left to none): give it to another committee "
        "as well, e.g. 'parliament.committees.legislation.topics=[...,budget]'"
    )


def test_a_transition_to_a_removed_stage_says_it_was_removed(tmp_path: Path) -> None:
    mine = _preset(
        tmp_path,
        "parliament",
        "cut",
        "defaults: [kz_bicameral_2023, _self_]\nname: cut\nstages:\n  signature: null\n",
    )
    with pytest.raises(ConfigError) as err:
        validate(_composed(mine, "parliament=cut"))
    assert err.value.field == "parliament.stages.transmission.on_pass" and err.value.value == "signature"
    assert str(err.value).endswith("(parliament.stages.signature was removed: null)")


@pytest.mark.parametrize("topics", [["parliament.committees.economy.topics=[economy,budget]"], []])
def test_hydras_deletion_leaves_the_ranges_and_says_to_use_null(topics: list[str]) -> None:
    """Without the topic given to another committee, the line named a stage's committee instead."""
    with pytest.raises(ConfigError) as err:
        validate(compose_config(["~parliament.committees.finance", *topics]))
    assert err.value.field == "parliament.ranges.committees.finance.capacity"
    assert "'parliament.committees.finance=null'" in str(err.value)


def test_a_channel_inherited_from_a_combined_preset_is_removed_with_null(tmp_path: Path) -> None:
    mine = _preset(
        tmp_path,
        "channels",
        "no_appeals",
        "defaults: [kz_digital, _self_]\nname: no_appeals\nappeals:\n  eotinish_kz: null\n",
    )
    ch = validate(_composed(mine, "channels=no_appeals")).channels
    assert not ch.appeals and set(ch.petitions) == {"epetition_kz"}
    assert ch.ranges and not any(k.startswith("appeals.") for k in ch.ranges)


SHIPPED = [
    *([f"parliament={p.stem}"] for p in sorted((CONFIGS / "parliament").glob("*.yaml"))),
    *([f"citizens={p.stem}"] for p in sorted((CONFIGS / "citizens").glob("*.yaml"))),
    *([f"channels={p.stem}"] for p in sorted((CONFIGS / "channels").glob("*.yaml"))),
    *([f"+scenario={p.stem}"] for p in sorted((CONFIGS / "scenario").glob("*.yaml"))),
    *([f"experiment={p.stem}"] for p in sorted((CONFIGS / "experiment").glob("*.yaml"))),
]


@pytest.mark.parametrize("overrides", SHIPPED, ids=lambda o: o[0])
def test_every_shipped_preset_and_scenario_states_what_it_models(overrides: list[str]) -> None:
    conf = validate(compose_config(overrides))
    assert conf.parliament.name and conf.parliament.description
    for part in (conf.citizens, conf.channels):
        assert part is None or (part.name and part.description)
