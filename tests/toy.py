"""A toy two-chamber parliament, small and noiseless, for exact tests of procedure transitions."""

from __future__ import annotations

import copy
from typing import Any

from omegaconf import OmegaConf

from scenarios import Config, validate
from scenarios.schema import Config as ConfigSchema


def toy_parliament() -> dict[str, Any]:
    every_day = list(range(7))
    return {
        "name": "toy",
        "chambers": {
            "lower": {
                "seats": 10,
                "quorum": 0.5,
                "attendance": 1.0,
                "sitting_weekdays": every_day,
                "agenda_capacity": 100,
                "parties": {
                    "gov": {
                        "seats": 10,
                        "position": 0.5,
                        "spread": 0.0,
                        "discipline": 1.0,
                        "government": True,
                    }
                },
            },
            "upper": {
                "seats": 10,
                "quorum": 0.5,
                "attendance": 1.0,
                "sitting_weekdays": every_day,
                "agenda_capacity": 100,
                "parties": {"opp": {"seats": 10, "position": -1.0, "spread": 0.0, "discipline": 1.0}},
            },
        },
        "calendar": {"start": "2024-01-01", "sessions": [{"opens": "01-01", "closes": "12-31"}]},
        "topics": {"any": {"weight": 1.0, "status_quo": 0.0}},
        "initiators": {
            "gov": {
                "rate_per_year": 40,
                "start": "first_reading",
                "position": 0.5,
                "position_sd": 0.0,
                "government": True,
            }
        },
        "complexity_sd": 0.0,
        "vote_noise": 0.0,
        "head_of_state": {"position": 0.5, "veto_tolerance": 1.0, "noise_sd": 0.0},
        "stages": {
            "first_reading": {
                "kind": "vote",
                "chamber": "lower",
                "rule": "absolute",
                "on_pass": "upper_review",
            },
            "upper_review": {
                "kind": "review",
                "chamber": "upper",
                "rule": "absolute",
                "duration": {"dist": "fixed", "mean": 5},
                "deadline_days": 60,
                "deemed": "pass",
                "on_pass": "signature",
                "on_return": "override",
            },
            "override": {
                "kind": "vote",
                "chamber": "lower",
                "rule": "two_thirds",
                "override": True,
                "on_pass": "signature",
                "on_fail": "rejected",
            },
            "signature": {
                "kind": "sign",
                "duration": {"dist": "fixed", "mean": 7},
                "deadline_days": 30,
                "on_pass": "enacted",
                "on_return": "veto_override",
            },
            "veto_override": {
                "kind": "vote",
                "chamber": "lower",
                "rule": "two_thirds",
                "override": True,
                "on_pass": "enacted",
                "on_fail": "rejected",
            },
        },
    }


def toy_config(updates: dict[str, Any] | None = None, years: float = 1.0, seed: int = 0) -> Config:
    """The toy parliament with dotted-key ``updates`` (e.g. ``{"stages.override.rule": "simple"}``);
    an update to ``None`` removes the key."""
    parliament = toy_parliament()
    for key, value in (updates or {}).items():
        *path, last = key.split(".")
        node = parliament
        for k in path:
            node = node[k]
        if value is None:
            node.pop(last)  # None removes the key (e.g. a stage)
        else:
            node[last] = copy.deepcopy(value)  # a later dotted key edits the copy, not the caller's dict
    cfg = OmegaConf.merge(
        OmegaConf.structured(ConfigSchema), {"parliament": parliament, "years": years, "seed": seed}
    )
    return validate(cfg)
