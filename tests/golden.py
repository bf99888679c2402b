"""Digests of seeded runs of the presets: a refactor that claims "behaviour unchanged" must keep them.

``python -m tests.golden`` prints the digests of the current code; ``--write`` stores them in
``tests/data/golden.json`` (do that only when a change of behaviour is intended and named).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from scenarios import simulate, validate
from tests.conftest import compose_config

STORE = Path(__file__).with_name("data") / "golden.json"
SEEDS = (0, 1)
CASES: dict[str, list[str]] = {
    "bicameral": ["years=2"],
    "kurultai": ["parliament=kz_kurultai_2026", "years=2"],
    "kurultai_digital": ["parliament=kz_kurultai_2026", "channels=kz_digital", "years=2"],
    "bicameral_analytics": ["channels=analytics", "years=2"],
    "bicameral_uk": ["channels=uk_petitions", "years=2"],
    "single_queue": ["parliament=single_queue", "parliament.servers=2", "years=3"],
    # a head of state who returns laws (the presets' never does in two years): vetoes and overrides
    "bicameral_vetoes": [
        "years=2",
        "parliament.head_of_state.veto_tolerance=0.2",
        "parliament.ranges={head_of_state.veto_tolerance: [0.1, 1.2]}",
    ],
}


def _cell(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "nan" if math.isnan(v) else repr(float(v))
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, int | np.integer):
        return str(int(v))
    return str(v)


def table_digest(columns: Mapping[str, Any]) -> str:
    """A digest of a table given as column name -> values (order of columns and rows matters)."""
    h = hashlib.sha256()
    for name, values in columns.items():
        h.update(f"{name}:{len(values)}\n".encode())
        h.update("\x1f".join(_cell(v) for v in np.asarray(values, dtype=object)).encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


def summary_text(summary: Mapping[str, Any]) -> dict[str, str]:
    return {k: _cell(v) if v is not None else "None" for k, v in summary.items()}


def tables_of(result: Any) -> dict[str, Mapping[str, Any]]:
    """The result's tables as column mappings (pandas frames or column dicts)."""
    frames = getattr(result, "frames", None)
    if frames is None:
        frames = result.tables
    out = {}
    for name, t in frames.items():
        out[name] = {c: t[c].to_numpy() for c in t.columns} if hasattr(t, "columns") else t
    return out


def digests() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for case, overrides in CASES.items():
        conf = validate(compose_config(overrides))
        for seed in SEEDS:
            res = simulate(conf, seed=seed)
            out[f"{case}/{seed}"] = {
                "summary": summary_text(res.summary),
                "tables": {n: table_digest(c) for n, c in sorted(tables_of(res).items())},
                "events": int(res.events),
            }
    return out


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per summary value, table digest or event count that differs, by case."""
    out = []
    for case in sorted(set(old) | set(new)):
        o, n = old.get(case, {}), new.get(case, {})
        for part in ("summary", "tables"):
            a, b = o.get(part, {}), n.get(part, {})
            for k in sorted(set(a) | set(b)):
                if a.get(k) != b.get(k):
                    out.append(f"{case} {part}.{k}: {a.get(k, '<absent>')} -> {b.get(k, '<absent>')}")
        if o.get("events") != n.get("events"):
            out.append(f"{case} events: {o.get('events')} -> {n.get('events')}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="store the digests as the reference")
    parser.add_argument("--diff", action="store_true", help="print what differs from the reference")
    args = parser.parse_args()
    d = digests()
    if args.diff:
        print("\n".join(differences(json.loads(STORE.read_text()), d)) or "no differences")
        return
    text = json.dumps(d, indent=1, sort_keys=True) + "\n"
    if args.write:
        STORE.write_text(text)
        print(f"wrote {STORE}")
    else:
        print(text)


if __name__ == "__main__":
    main()
