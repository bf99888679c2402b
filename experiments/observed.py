"""The recorded session statistics (``data/kz_session_statistics.csv``) as the moments the model is
held to.

Each source counted its own way; a moment is computed from the rows that count the same thing the
model's metric counts: the share of the bills on the books adopted in a period
(``adopted_share_of_considered``), laws per year, the deputies' share of bills, and whether the
Senate sends laws back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "kz_session_statistics.csv"
#: Recorded measures that are a model metric as they stand.
SAME = {
    "laws_passed": "laws_per_year",
    "deputy_share_of_laws": "deputy_share_of_bills",
    "senate_returns": "senate_returns_per_year",
}


@dataclass(frozen=True)
class Observation:
    """One recorded figure turned into the model's terms: ``moment`` (a summary metric) has
    ``value`` in ``period``, as ``source`` counted it."""

    moment: str
    value: float
    period: str
    body: str
    source: str
    how: str


def rows(path: Path = DATA) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def observations(path: Path = DATA) -> list[Observation]:
    """Every recorded figure that a model metric can be compared with."""
    return list(_observations(rows(path)))


def _ratio(moment: str, part: dict[str, str], whole: dict[str, str], how: str) -> Observation:
    value = float(part["value"]) / float(whole["value"])
    note = f"{part['value']} {how} of {whole['value']} on the books"
    return Observation(moment, value, part["period"], part["body"], part["source"], note)


def _observations(data: list[dict[str, str]]) -> Iterator[Observation]:
    by_period: dict[str, list[dict[str, str]]] = {}
    for r in data:
        by_period.setdefault(r["period"], []).append(r)
    for rows_ in by_period.values():
        considered = next((r for r in rows_ if r["measure"] == "bills_considered"), None)
        for r in rows_:
            m = r["measure"]
            if m == "bills_adopted" and considered is not None:
                yield _ratio("adopted_share_of_considered", r, considered, f"adopted by the {r['body']}")
            elif m == "deputy_initiated_bills" and considered is not None:
                yield _ratio("deputy_share_of_bills", r, considered, "initiated by deputies")
            elif m in SAME:
                yield Observation(SAME[m], float(r["value"]), r["period"], r["body"], r["source"], r["note"])


def recorded_range(moment: str, path: Path = DATA) -> tuple[float, float]:
    """The lowest and highest recorded value of ``moment``."""
    values = [o.value for o in observations(path) if o.moment == moment]
    if not values:
        raise KeyError(moment)
    return min(values), max(values)
