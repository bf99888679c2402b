"""The explorer's levers: typed parameters of the registry, present where a preset has them; the
number of readings changes the procedure graph and keeps it valid."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from experiments.manifest import resolved
from scenarios import Config, ConfigError, simulate, validate
from scenarios.parameters import LEVERS, PARAMETERS, apply, current, present, targets
from scenarios.procedure import expand_readings, readings
from tests.conftest import compose_config


def test_every_lever_is_labelled_and_grouped() -> None:
    levers = [p for p in PARAMETERS.values() if p.lever]
    assert {p.lever for p in levers} == set(LEVERS)
    assert all(p.label and p.low < p.high for p in levers)
    assert {
        "senate_review_days",
        "readings",
        "committee_capacity",
        "agenda_capacity",
        "petition_threshold",
    } <= {p.name for p in levers}


def test_levers_appear_only_where_the_preset_has_them() -> None:
    bicameral = resolved(compose_config(["channels=kz_digital"]))
    kurultai = resolved(compose_config(["parliament=kz_kurultai_2026"]))
    assert current(bicameral, "senate_review_days") == 60 and not present(kurultai, "senate_review_days")
    assert current(bicameral, "petition_uptake") == pytest.approx(0.15) and not present(
        kurultai, "petition_uptake"
    )
    assert current(kurultai, "readings") == 3 and current(bicameral, "readings") == 2
    assert current(bicameral, "arrival_rate") == 1.0  # a factor starts at 1


@pytest.mark.parametrize("preset", ["kz_bicameral_2023", "kz_kurultai_2026"])
@pytest.mark.parametrize("n", [1, 2, 4])
def test_readings_keep_a_valid_procedure_on_objects_and_on_plain_configs(preset: str, n: int) -> None:
    cfg = compose_config([f"parliament={preset}", "years=0.5"])
    conf = apply(validate(cfg), {"readings": n})
    assert current(conf, "readings") == n
    (vote,) = readings(conf.parliament.stages)
    expanded = expand_readings(conf.parliament.stages)
    held = [vote] + [f"{vote}_{k}" for k in range(2, n + 1)]
    assert all(expanded[v].kind == "vote" for v in held) and f"{vote}_{n + 1}" not in expanded
    plain = apply(resolved(cfg), {"readings": n})
    again = validate(OmegaConf.merge(OmegaConf.structured(Config), plain))  # every stage reachable, bounded
    assert current(again, "readings") == n
    assert simulate(again, seed=1).summary["bills_introduced_per_year"] > 0


def test_fewer_readings_mean_fewer_votes() -> None:
    conf = validate(compose_config(["parliament=kz_kurultai_2026", "years=1"]))
    three = simulate(conf, seed=0).tables["votes"]
    one = simulate(apply(conf, {"readings": 1}), seed=0).tables["votes"]
    assert len(one["bill"]) < len(three["bill"])


def test_readings_are_refused_where_values_are_needed() -> None:
    with pytest.raises(ConfigError, match="readings"):
        targets(validate(compose_config([])), "readings")


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [("mode", "add", "set, scale, readings"), ("lever", "senate", "procedure, channels, assumptions")],
)
def test_a_parameter_with_an_unknown_mode_or_lever_is_refused_where_it_is_declared(
    field: str, value: str, allowed: str
) -> None:
    from dataclasses import replace

    known = next(iter(PARAMETERS.values()))
    with pytest.raises(ValueError, match=f"^parameter {known.name}: {field} '{value}': allowed: {allowed}$"):
        replace(known, **{field: value})


def test_factors_leave_fixed_times_and_demand_fed_bodies_alone() -> None:
    """The Kurultai's law goes to the President in a fixed 10 days (its legal maximum, at the top of
    its range) and the People's Council meets at most monthly (at the top of its range): scaling
    them made every factor above 1 invalid, and the explorer's sliders stopped at 1. The factor on
    the arrivals stops where the first Poisson initiator's rate leaves its plausible range."""
    from scenarios.parameters import plausible_span

    conf = validate(compose_config(["parliament=kz_kurultai_2026"]))
    p = conf.parliament
    poisson = [w for w, i in p.initiators.items() if not i.from_demands]
    top = min(p.ranges[f"initiators.{w}.rate_per_year"][1] / p.initiators[w].rate_per_year for w in poisson)
    assert plausible_span(conf, "work_time")[1] > 1.3 and plausible_span(conf, "arrival_rate")[1] == top > 1.2
    moved = apply(conf, {"work_time": 1.3, "arrival_rate": 1.2}).parliament
    assert moved.stages["transmission"].duration.mean == 10
    assert moved.initiators["peoples_council"].rate_per_year == 12
    assert moved.stages["committee"].duration.mean == pytest.approx(1.3 * 60)
    assert moved.initiators["government"].rate_per_year == pytest.approx(1.2 * 95)
