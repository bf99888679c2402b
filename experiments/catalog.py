"""The metrics of a run as the experiments see them: each summary key with its description.

Descriptions come from the engine (``sim.metrics.Metric``: label, unit, better direction, group and,
for a family, its parameters); a job stores them next to its replications (``metrics.json``) so that
a comparison rebuilt from disk labels, groups and formats every metric without parsing its name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from experiments.files import read_json, write_text
from sim.metrics import Metric

FILE = "metrics.json"


class Catalog(dict[str, Metric]):
    """Metric descriptions by name; a name without one reads as itself."""

    def describe(self, name: str) -> Metric:
        m = self.get(name)
        if m is not None:
            return m  # a name without a description may take any value (``signed``)
        return Metric(name, name.replace("_", " ").capitalize(), "", "none", "other", signed=True)

    def bounds(self, names: Iterable[str]) -> dict[str, tuple[float, float]]:
        """The values each metric of ``names`` can take (:attr:`sim.metrics.Metric.bounds`)."""
        return {n: self.describe(n).bounds for n in names}

    def label(self, name: str) -> str:
        return self.describe(name).text()

    def unit(self, name: str) -> str:
        return self.describe(name).unit

    def share(self, name: str) -> bool:
        return self.describe(name).share

    def in_group(self, group: str, names: Iterable[str]) -> list[str]:
        """``names`` whose metric belongs to ``group``, in their order."""
        return [n for n in names if self.describe(n).group == group]


def dump(folder: Path, metrics: Mapping[str, Metric]) -> None:
    """Store the descriptions of a job's metrics (``metrics.json``), atomically."""
    data = {name: asdict(m) for name, m in metrics.items()}
    write_text(Path(folder) / FILE, json.dumps(data, indent=1) + "\n")


def load(folders: Iterable[Path]) -> Catalog:
    """The descriptions stored in ``folders`` (jobs of one run), merged; a file that does not hold
    them is an ``InputError`` naming it."""
    out = Catalog()
    for folder in folders:
        path = Path(folder) / FILE
        if path.is_file() or path.is_symlink():  # a link is refused by its reader
            for name, d in read_json(path, (), WHAT).items():
                out.setdefault(name, _described(path, name, d))
    return out


WHAT = "a job's metric descriptions"
_TEXT = ("name", "label", "unit", "better", "group")


def _described(path: Path, name: str, d: Any) -> Metric:
    """One stored description, as the engine wrote it: its texts, ``params`` pairs of texts."""
    from experiments.errors import InputError

    params = d.get("params", []) if isinstance(d, dict) else None
    if not (
        isinstance(d, dict)
        and set(d) <= {f.name for f in fields(Metric)}
        and all(isinstance(d.get(k), str) for k in _TEXT)
        and isinstance(d.get("doc", ""), str)
        and isinstance(d.get("signed", False), bool)
        and isinstance(params, list)
        and all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in params)
    ):
        raise InputError(f"{path}: not {WHAT} ({name!r} is not one)")
    return Metric(**{**d, "params": tuple(tuple(p) for p in params)})
