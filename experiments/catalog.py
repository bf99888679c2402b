"""The metrics of a run as the experiments see them: each summary key with its description.

Descriptions come from the engine (``sim.metrics.Metric``: label, unit, better direction, group and,
for a family, its parameters); a job stores them next to its replications (``metrics.json``) so that
a comparison rebuilt from disk labels, groups and formats every metric without parsing its name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path

from experiments.files import write_text
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
    """The descriptions stored in ``folders`` (jobs of one run), merged."""
    out = Catalog()
    for folder in folders:
        path = Path(folder) / FILE
        if path.is_file():
            for name, d in json.loads(path.read_text(encoding="utf-8")).items():
                d["params"] = tuple(tuple(p) for p in d.get("params", ()))
                out.setdefault(name, Metric(**d))
    return out
