"""Names of the scenarios of a run: what each job ran, told apart by the values that set it apart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from experiments.table import printable
from scenarios.diff import NOT_SCENARIO  # overrides that never tell scenarios apart
from scenarios.errors import ConfigError

#: Config groups whose choice is already in a scenario's name (``scenario_name``).
NAMED_GROUPS = ("scenario", "parliament", "channels")


def scenario_name(parliament: str, choices: dict[str, Any], channels: str | None = None) -> str:
    """``parliament`` plus its digital channels, e.g. ``kz_kurultai_2026 + kz_digital``; led by the
    preset chosen where its name is another (``mine (kz_bicameral_2023)``: a preset built on another
    inherits its name unless it states its own). ``channels`` is the config's ``channels.name``."""
    chosen = choices.get("parliament")
    if isinstance(chosen, str) and chosen not in (parliament, "null"):
        parliament = f"{chosen} ({parliament})"
    ch = channels_chosen(choices, channels)
    return f"{parliament} + {ch}" if ch != "none" else parliament


def own_name(node: Any) -> str | None:
    """The ``name`` a config group's node gives itself; None where the group is switched off
    (``~channels``), which a run without channels may be."""
    return None if node is None else getattr(node, "name", None)


def channels_chosen(choices: dict[str, Any], channels: str | None = None) -> str:
    """The channels preset a job ran: Hydra's choice, or where the group was switched off (a scenario
    file that carries its channels in full, as the explorer exports them) the name those channels
    give themselves (``channels``: the config's ``channels.name``); ``none`` for none. Without the
    name, an exported scenario with channels was reported as one without, under another label."""
    ch = choices.get("channels")
    if ch in (None, "null"):
        ch = channels
    return str(ch) if ch not in (None, "", "null") else "none"


def pairs(overrides: Sequence[str]) -> dict[str, str]:
    """``key=value`` overrides as a mapping (``+``/``~`` prefixes dropped)."""
    kv = (o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
    return {k: v for k, v in kv}


def _varies(key: str) -> bool:
    """Whether an override's key can set a scenario apart from another of the same name: any value
    (``parliament.chambers.mazhilis.seats``, ``years``), not a group choice already in the name."""
    return not key.startswith(NOT_SCENARIO) and key not in NAMED_GROUPS


def short_key(key: str, keys: Sequence[str]) -> str:
    """The shortest tail of a dotted key that no other key shares (``mazhilis.seats``)."""
    parts = key.split(".")
    for k in range(1, len(parts) + 1):
        tail = ".".join(parts[-k:])
        if sum(1 for other in keys if other == tail or other.endswith("." + tail)) == 1:
            return tail
    return key


def swept_name(name: str, scenario: str | None) -> str:
    """``name`` led by the scenario file a job ran (``my_uni_pet (my_uni + my_petitions)``), unless it
    is that file's name already: files of one parliament and channels share ``name``, and what each
    changed is in the file, not in an override."""
    return name if scenario in (None, name) else f"{scenario} ({name})"


def scenario_labels(manifests: list[dict[str, Any]]) -> list[str]:
    """Short unique labels: the scenario's name, plus every value that sets jobs of the same name
    apart (``kz_bicameral_2023, mazhilis.seats=80``); where the jobs ran different scenario files
    (``+scenario=...``), the file's name leads (:func:`swept_name`). Control characters in a name
    read from a run folder are written out (:func:`~experiments.table.printable`): a label is shown
    in tables, figures and pages, where they would drive a terminal or show as missing glyphs."""
    names = [printable(m["name"]) for m in manifests]
    if len(set(names)) == len(names):
        return names
    given = [pairs(m.get("overrides", [])) for m in manifests]
    if len({p.get("scenario") for p in given}) > 1:
        names = [swept_name(n, p.get("scenario")) for n, p in zip(names, given, strict=True)]
    keys = [k for k in dict.fromkeys(k for p in given for k in p) if _varies(k)]
    varying = [k for k in keys if len({p.get(k) for p in given}) > 1]
    labels = [
        printable(", ".join([n, *(f"{short_key(k, varying)}={p.get(k, '-')}" for k in varying)]))
        for n, p in zip(names, given, strict=True)
    ]
    if len(set(labels)) < len(labels):
        labels = [
            f"{lab} #{m.get('job', i)}" for i, (lab, m) in enumerate(zip(labels, manifests, strict=True))
        ]
    return labels


def like(a: dict[str, Any], b: dict[str, Any], ignore: Sequence[str] = ()) -> bool:
    """Whether two jobs ran the same scenario but for the overrides in ``ignore`` (e.g. ``years``)."""

    def core(m: dict[str, Any]) -> dict[str, str]:
        return {k: v for k, v in pairs(m.get("overrides", [])).items() if _varies(k) and k not in ignore}

    return a["name"] == b["name"] and core(a) == core(b)


def baseline_label(wanted: str | None, labels: list[str], manifests: list[dict[str, Any]]) -> str:
    """The label of the baseline scenario (the first when none is wanted)."""
    if wanted is None:
        return labels[0]
    for label, m in zip(labels, manifests, strict=True):
        if wanted in (label, m["name"], m.get("choices", {}).get("scenario")):
            return label
    raise ConfigError("experiment.baseline", wanted, f"one of {', '.join(labels)}")
