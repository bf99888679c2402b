"""Names of the scenarios of a run: what each job ran, told apart by what set it apart."""

from __future__ import annotations

from typing import Any

from scenarios.errors import ConfigError


def scenario_name(parliament: str, choices: dict[str, Any]) -> str:
    """``parliament`` plus its digital channels, e.g. ``kz_kurultai_2026 + kz_digital``."""
    ch = choices.get("channels")
    return f"{parliament} + {ch}" if ch not in (None, "none", "null") else parliament


def _pairs(overrides: list[str]) -> dict[str, str]:
    kv = (o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
    return {k: v for k, v in kv}


def scenario_labels(manifests: list[dict[str, Any]]) -> list[str]:
    """Short unique labels: the scenario's name, plus the overrides that set jobs of the same name apart."""
    names = [m["name"] for m in manifests]
    if len(set(names)) == len(names):
        return names
    pairs = [_pairs(m.get("overrides", [])) for m in manifests]
    named_by = ("experiment", "hydra", "scenario", "parliament", "channels")
    keys = [k for k in dict.fromkeys(k for p in pairs for k in p) if not k.startswith(named_by)]
    varying = [k for k in keys if len({p.get(k) for p in pairs}) > 1]
    labels = [
        ", ".join([n, *(f"{k}={p.get(k, '-')}" for k in varying)]) for n, p in zip(names, pairs, strict=True)
    ]
    if len(set(labels)) < len(labels):
        labels = [
            f"{lab} #{m.get('job', i)}" for i, (lab, m) in enumerate(zip(labels, manifests, strict=True))
        ]
    return labels


def baseline_label(wanted: str | None, labels: list[str], manifests: list[dict[str, Any]]) -> str:
    """The label of the baseline scenario (the first when none is wanted)."""
    if wanted is None:
        return labels[0]
    for label, m in zip(labels, manifests, strict=True):
        if wanted in (label, m["name"], m.get("choices", {}).get("scenario")):
            return label
    raise ConfigError("experiment.baseline", wanted, f"one of {', '.join(labels)}")
