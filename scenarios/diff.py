"""What a scenario changes against its baseline, setting by setting, and whether it says so.

A compared scenario declares, under ``reform.changes``, the config paths its reform changes (a path
covers everything below it) and why. :func:`differences` lists every setting in which two resolved
configs differ, each with the declared change that covers it (or none): a comparison is fair when
every difference is declared, and the report shows them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Parts of a config that are not the scenario: how it is run and reported.
NOT_SCENARIO = ("experiment", "reform", "quiet", "hydra", "lang")


@dataclass(frozen=True)
class Difference:
    path: str
    baseline: Any
    value: Any
    declared: str | None  # the declared change that covers it, if any
    reason: str = ""


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of nested mappings and lists as dotted path -> value (lists index as ``[i]``)."""
    if isinstance(data, Mapping):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or ({prefix: {}} if prefix else {})
    if isinstance(data, list | tuple):
        out = {}
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: data}


def _covers(declared: str, path: str) -> bool:
    return path == declared or path.startswith((f"{declared}.", f"{declared}["))


def differences(
    baseline: Mapping[str, Any], scenario: Mapping[str, Any], changes: Mapping[str, str] | None = None
) -> list[Difference]:
    """Every setting of ``scenario`` that differs from ``baseline`` (both resolved configs as plain
    data), with the declared change (``path -> reason``) that covers it."""
    changes = dict(changes or {})
    a = {k: v for k, v in flatten(baseline).items() if not k.startswith(NOT_SCENARIO)}
    b = {k: v for k, v in flatten(scenario).items() if not k.startswith(NOT_SCENARIO)}
    missing = object()
    out = []
    for path in sorted(set(a) | set(b)):
        va, vb = a.get(path, missing), b.get(path, missing)
        if va == vb:
            continue
        declared = next((d for d in sorted(changes, key=len, reverse=True) if _covers(d, path)), None)
        out.append(
            Difference(
                path,
                None if va is missing else va,
                None if vb is missing else vb,
                declared,
                changes.get(declared, "") if declared else "",
            )
        )
    return out


def undeclared(diffs: list[Difference]) -> list[Difference]:
    return [d for d in diffs if d.declared is None]


def by_part(diffs: list[Difference], depth: int = 2) -> dict[str, list[Difference]]:
    """``diffs`` grouped by the first ``depth`` keys of their paths (``parliament.chambers``,
    ``channels.petitions``), in the order of the paths: what a scenario changes, part by part."""
    parts: dict[str, list[Difference]] = {}
    for d in diffs:
        keys = d.path.replace("[", ".[").split(".")
        parts.setdefault(".".join(keys[:depth]).replace(".[", "["), []).append(d)
    return parts
