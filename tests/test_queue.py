"""The engine as a queue: one work stage with Poisson arrivals and exponential service is M/M/c."""

from __future__ import annotations

import math
import statistics

import pytest

from scenarios import simulate, validate
from scenarios.validate import MAX_YEARS
from tests.conftest import compose_config


def erlang_c_time_in_system(lam: float, mu: float, c: int) -> float:
    """Mean time in system of an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam) + 1 / mu


def simulated_time_in_system(lam: float, mean: float, c: int, years: float, seed: int) -> float:
    conf = validate(
        compose_config(
            [
                "parliament=single_queue",
                f"parliament.arrival_rate={lam}",
                f"parliament.service_mean={mean}",
                f"parliament.servers={c}",
                f"years={years}",
                f"seed={seed}",
            ]
        )
    )
    bills = simulate(conf).frames["bills"]
    warm = bills[(bills.introduced > 365) & (bills.state == "enacted")]  # drop the first year
    return float((warm.finished - warm.introduced).mean())


def test_erlang_c_reduces_to_mm1() -> None:
    assert erlang_c_time_in_system(0.5, 1.0, 1) == pytest.approx(1 / (1.0 - 0.5))


@pytest.mark.parametrize(
    ("lam", "mean", "c", "years"),
    [(0.5, 1.0, 1, 200), (2.0, 1.0, 3, 100), (4.0, 2.0, 10, 60)],
    ids=["M/M/1 rho=0.5", "M/M/3 rho=0.67", "M/M/10 rho=0.8"],
)
def test_single_queue_matches_theory_within_5_percent(lam: float, mean: float, c: int, years: int) -> None:
    sim = simulated_time_in_system(lam, mean, c, years=years, seed=1)
    assert sim == pytest.approx(erlang_c_time_in_system(lam, 1 / mean, c), rel=0.05)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_heavy_traffic_mm1_matches_theory(seed: int) -> None:
    # At rho = 0.9 one run's mean wanders for years: three runs of the longest horizon a config
    # allows (3,000 years in all), each with its own warm-up.
    runs = [simulated_time_in_system(0.9, 1.0, 1, years=MAX_YEARS, seed=10 * seed + k) for k in range(3)]
    assert statistics.fmean(runs) == pytest.approx(erlang_c_time_in_system(0.9, 1.0, 1), rel=0.05)


@pytest.mark.parametrize(
    ("override", "field"), [("servers=0", "servers"), ("service_mean=-1", "service_mean")]
)
def test_the_queues_settings_are_refused_under_the_names_the_user_set(override: str, field: str) -> None:
    """``servers=0`` was refused as ``parliament.stages.service.capacity``, a name the user never set
    (the stage takes the setting by interpolation)."""
    from scenarios import ConfigError

    with pytest.raises(ConfigError) as err:
        validate(compose_config(["parliament=single_queue", f"parliament.{override}"]))
    assert err.value.field == f"parliament.{field}"
