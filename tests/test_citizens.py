"""Citizen groups and demands: the population's shape, demand emergence, answers, conservation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from agents.citizens import TopicViewConf
from agents.views import CitizenGroup
from scenarios import ConfigError, build, simulate, validate
from scenarios.citizens import check_citizens
from sim.citizens.responsiveness import responsiveness
from sim.inspection import ParliamentView
from tests.conftest import compose_config

KURULTAI = ["parliament=kz_kurultai_2026"]


@pytest.fixture(scope="module")
def none_run():
    conf = validate(compose_config([*KURULTAI, "channels=none", "years=3"]))
    return conf, simulate(conf, 5)


def test_kazakhstan_population_splits_into_groups() -> None:
    conf = validate(compose_config(KURULTAI))
    model = build(conf, 0)
    pop = model.citizen_groups
    assert len(conf.citizens.regions) == 20
    total = sum(r.population for r in conf.citizens.regions.values())
    assert pop.people == pytest.approx(total)
    assert 19e6 < total < 21e6
    cities = [pop.region_names.index(c) for c in ("astana", "almaty", "shymkent")]
    assert not (np.isin(pop.region, cities) & ~pop.urban).any()  # no villages in the cities
    assert pop.size == 20 * 2 * 3 * 2 - len(cities) * 3 * 2
    assert (pop.weight > 0).all()
    # The Mesa agents are views of the arrays, and Mesa's AgentSet aggregates them.
    view = ParliamentView(model)
    groups = view.agents_by_type[CitizenGroup]
    assert len(groups) == pop.size
    g = list(groups)[7]
    assert g.weight == pop.weight[7]
    assert g.preference("social") == pop.pref[7, pop.topic_names.index("social")]
    assert g.settlement == ("urban" if pop.urban[7] else "rural")
    assert groups.agg("weight", sum) == pytest.approx(pop.people)


def test_cost_grows_with_groups_not_people() -> None:
    """A population 1000 times larger in the same groups raises exactly the same demands."""
    base = validate(compose_config([*KURULTAI, "years=2"]))
    big = validate(compose_config([*KURULTAI, "years=2"]))
    for r in big.citizens.regions.values():
        r.population *= 1000
    a, b = simulate(base, 2), simulate(big, 2)
    assert len(a.frames["demands"]) > 100
    pd.testing.assert_frame_equal(a.frames["demands"], b.frames["demands"])
    assert b.frames["citizen_groups"]["weight"].sum() == pytest.approx(
        1000 * a.frames["citizen_groups"]["weight"].sum()
    )


def test_demands_are_conserved(none_run) -> None:
    conf, run = none_run
    d, bills = run.frames["demands"], run.frames["bills"]
    assert len(d) > 0
    assert (d["demand"].to_numpy() == np.arange(len(d))).all()
    assert set(d["state"]) <= {"law", "bill", "lapsed", "open"}
    assert d["state"].value_counts().sum() == len(d)
    assert ((d["state"] == "law") == d["law_at"].notna()).all()
    assert (d["bill_at"].dropna() >= d.loc[d["bill_at"].notna(), "emerged_at"]).all()
    assert (d["law_at"].dropna() >= d.loc[d["law_at"].notna(), "emerged_at"]).all()
    # One live demand per group and topic, and at least the refractory period between two.
    gap = d.sort_values("emerged_at").groupby(["group", "topic"])["emerged_at"].diff().dropna()
    assert (gap >= conf.citizens.salience.refractory_days).all()
    # Every answering law is an enacted bill on the demand's topic.
    laws = bills.set_index("bill")
    answered = d[d["law"] >= 0]
    assert (laws.loc[answered["law"], "state"] == "enacted").all()
    assert (laws.loc[answered["law"], "topic"].to_numpy() == answered["topic"].to_numpy()).all()


def test_a_bill_answers_only_demands_it_moves_towards(none_run) -> None:
    conf, run = none_run
    d, bills = run.frames["demands"], run.frames["bills"].set_index("bill")
    sq = {t: v.status_quo for t, v in conf.parliament.topics.items()}
    amended = run.frames["amendments"].query("adopted")[
        "bill"
    ]  # their final position is not the one introduced
    answered = d[(d["bill"] >= 0) & ~d["bill"].isin(amended)]
    assert len(answered) > 0
    pos = bills.loc[answered["bill"], "position"].to_numpy()
    want = answered["position"].to_numpy()
    q = answered["topic"].map(sq).to_numpy()
    assert (np.abs(pos - want) < np.abs(q - want)).all()
    assert (np.abs(pos - want) <= conf.citizens.salience.answer_radius + 1e-12).all()
    assert (bills.loc[answered["bill"], "introduced"].to_numpy() >= answered["emerged_at"].to_numpy()).all()


def test_citizens_are_left_out_of_a_parliament_with_other_topics() -> None:
    run = simulate(validate(compose_config(["parliament=single_queue", "years=1"])), 0)
    assert "demands" not in run.frames
    assert "congruence" not in run.summary


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("citizens.regions.astana.population=-5", "citizens.regions.astana.population"),
        ("citizens.regions.astana.urban=1.5", "citizens.regions.astana.urban"),
        ("citizens.salience.threshold=0", "citizens.salience.threshold"),
    ],
)
def test_bad_citizens_values_are_refused(override: str, field: str) -> None:
    with pytest.raises(ConfigError) as e:
        validate(compose_config([*KURULTAI, override]))
    assert e.value.field == field


def test_a_misspelt_topic_is_refused() -> None:
    conf = validate(compose_config(KURULTAI))
    conf.citizens.topics["socail"] = TopicViewConf(mean=0.1)
    with pytest.raises(ConfigError) as e:
        check_citizens(conf.citizens, conf.parliament)
    assert e.value.field == "citizens.topics.socail"


def fake_population(
    weight: list[float], urban: list[bool], language: list[int], age: list[int], topic: str
) -> SimpleNamespace:
    """The attributes of a population that the responsiveness metrics read, for groups by hand."""
    return SimpleNamespace(
        weight=np.array(weight),
        urban=np.array(urban),
        language=np.array(language),
        age=np.array(age),
        band_names=["age_under_30", "age_30_to_59", "age_60_plus"],
        topic_names=[topic],
        active=np.array([True]),
        mean_pref=lambda: np.array([0.0]),
    )


def columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """A frame as the engine's tables are: column name -> numpy array."""
    return {c: df[c].to_numpy(dtype=object if df[c].dtype == object else None) for c in df.columns}


def test_inclusion_ratios_compare_answered_shares() -> None:
    """Two groups, rural answered within a year, urban not: the rural/urban ratio is undefined
    (urban share 0); with urban answered half as often by weight, the ratio is 2."""
    pop = fake_population(
        weight=[100.0, 300.0, 300.0], urban=[False, True, True], language=[0, 1, 1], age=[0, 1, 1], topic="t"
    )
    demands = pd.DataFrame(
        {
            "group": [0, 1, 2],
            "emerged_at": [0.0, 0.0, 0.0],
            "bill_at": [10.0, 20.0, np.nan],
            "law_at": [50.0, np.nan, np.nan],
        }
    )
    bills = pd.DataFrame({"topic": ["t"], "position": [0.3], "state": ["enacted"]})
    out, _ = responsiveness(columns(demands), columns(bills), pop, horizon=1000.0)
    assert out["inclusion_rural_urban"] == pytest.approx(1.0 / 0.5)
    assert out["demands_answered_within_365d"] == pytest.approx(400 / 700)
    assert out["demand_to_bill_median_days"] == pytest.approx(15.0)
    assert out["congruence"] == pytest.approx(0.3)


def test_a_law_answers_a_demand_that_no_new_bill_did() -> None:
    """A bill already before parliament when a demand emerged is not the demand's "first bill", but
    its enactment closes the demand: counted as unanswered, a fifth of the demands of a default
    digital run went missing from the answered share."""
    demands = pd.DataFrame(
        {
            "group": [0, 0, 0, 0],
            "emerged_at": [0.0, 0.0, 0.0, 0.0],
            "bill_at": [np.nan, np.nan, 400.0, 30.0],  # no new bill, none, late, in time
            "law_at": [200.0, 500.0, np.nan, np.nan],  # a law in time, a late one, none, none
        }
    )
    bills = pd.DataFrame({"state": ["enacted"], "topic": ["law"], "position": [0.0]})
    pop = fake_population(weight=[1.0], urban=[True], language=[0], age=[0], topic="law")
    out, _ = responsiveness(columns(demands), columns(bills), pop, horizon=1000.0)
    # answered within 365 days: the 1st (by its law on day 200) and the 4th (by a bill on day 30)
    assert out["demands_answered_within_365d"] == pytest.approx(2 / 4)
    assert out["demand_to_bill_median_days"] == pytest.approx((30.0 + 400.0) / 2)
    assert out["demand_to_law_median_days"] == pytest.approx((200.0 + 500.0) / 2)


def test_answered_shares_are_weighted_by_population_per_group() -> None:
    demands = pd.DataFrame(
        {
            "group": [0, 1, 2, 2, 0],
            "emerged_at": [0.0, 10.0, 20.0, 30.0, 400.0],  # the last one is too late to count
            "bill_at": [100.0, np.nan, 200.0, 500.0, np.nan],  # answered within 365 days: 1st, 3rd
            "law_at": [np.nan] * 5,
        }
    )
    bills = pd.DataFrame({"state": ["enacted"], "topic": ["law"], "position": [0.25]})
    pop = fake_population(
        weight=[100.0, 10.0, 30.0], urban=[True, False, False], language=[0, 1, 1], age=[0, 0, 2], topic="law"
    )
    out, _ = responsiveness(columns(demands), columns(bills), pop, horizon=700.0)
    # rural: demands of weight 10 (unanswered), 30 (answered), 30 (answered after 470 days)
    assert out["responsiveness_settlement_urban"] == 1.0
    assert out["responsiveness_settlement_rural"] == pytest.approx(30.0 / 70.0)
    assert out["responsiveness_language_russian"] == pytest.approx(30.0 / 70.0)
    assert out["responsiveness_age_band_age_under_30"] == pytest.approx(100.0 / 110.0)
    assert out["responsiveness_age_band_age_30_to_59"] is None  # nobody in that band
    assert out["inclusion_rural_urban"] == pytest.approx(30.0 / 70.0)
    assert out["demands_answered_within_365d"] == pytest.approx(130.0 / 170.0)
    assert out["congruence"] == pytest.approx(0.25)
