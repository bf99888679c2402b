"""The run's raw output: records per bill, per stage visit and per vote, as typed tables.

Records are appended while the simulation runs (cheap: a named tuple each) and turned into columns
once at the end. Every table is declared here or next to the mechanism that writes it, as a tuple of
``Column``s: the declaration types every write (empty tables included) and documents the data
(``docs/data.md`` is generated from it). Every bill introduced appears in ``bills`` exactly once, with
its final ``state`` (``enacted``, ``rejected``, ``lapsed`` at a session's or convocation's end, or
``pending`` when the horizon came first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np

#: Column types and the numpy dtype each is held in while the run lasts.
DTYPES = {"int": np.int64, "float": np.float64, "bool": np.bool_, "str": object}
_PYTHON = {"int": int, "float": float, "bool": bool, "str": str}
#: A column without a default: its value is given when the record is made.
GIVEN: Any = object()


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, type (``int``, ``float``, ``bool``, ``str``), meaning and unit;
    ``default`` is the value of a field a record fills in later (none: given when the record is made);
    ``missing`` is the value that stands for "none" in an ``int`` column while the run lasts (files
    hold a null there; a ``float`` column's NaN is a null in files too)."""

    name: str
    type: str
    doc: str
    unit: str = ""
    default: Any = GIVEN
    missing: int | None = None


Schema = tuple[Column, ...]
#: A table as column name -> numpy array (one row per record).
Table = dict[str, np.ndarray]


def table(schema: Schema, rows: Sequence[Sequence[Any]]) -> Table:
    """Columns of ``rows`` (tuples in the order of ``schema``), typed by the schema."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return {c.name: np.array(v, dtype=DTYPES[c.type]) for c, v in zip(schema, cols, strict=True)}


def from_columns(schema: Schema, columns: dict[str, Iterable[Any]]) -> Table:
    """A table from whole columns, typed (and ordered) by ``schema``."""
    return {c.name: np.asarray(columns[c.name], dtype=DTYPES[c.type]) for c in schema}


def record(name: str, schema: Schema) -> Any:
    """The record type of a table: a named tuple of its columns (cheap to make; a table's row)."""
    return NamedTuple(name, [(c.name, _PYTHON[c.type]) for c in schema])


def filled_record(name: str, schema: Schema) -> Any:
    """A record filled in as its subject goes on (a petition is moderated, then answered): a slotted
    dataclass of the table's columns, those with a ``default`` left out when it is made."""
    fields = [
        (c.name, _PYTHON[c.type], dataclasses.field(default=c.default))
        if c.default is not GIVEN
        else (c.name, _PYTHON[c.type])
        for c in schema
    ]
    return dataclasses.make_dataclass(name, fields, slots=True)


def rows(records: Iterable[Any], schema: Schema) -> list[tuple[Any, ...]]:
    """Filled records as rows in the order of ``schema``."""
    names = [c.name for c in schema]
    get = attrgetter(*names)  # one call per record, not one per field
    return [get(r) for r in records] if len(names) > 1 else [(get(r),) for r in records]


BILLS: Schema = (
    Column("bill", "int", "bill number, in order of drafting"),
    Column("initiator", "str", "who tabled it (a key of parliament.initiators)"),
    Column("topic", "str", "policy topic (a key of parliament.topics)"),
    Column("position", "float", "position on the topic's left-right axis", "[-1, 1]"),
    Column("complexity", "float", "relative workload of the bill (mean 1)"),
    Column("government", "bool", "a government bill (parties of government back it)"),
    Column("priority", "bool", "declared a priority by the head of state"),
    Column("drafted", "float", "day it was ready to be introduced", "days from the calendar start"),
    Column(
        "introduced",
        "float",
        "day it was introduced (later than drafted when introduction was closed)",
        "days",
    ),
    Column("adopted", "float", "day parliament adopted it (its last vote; NaN: not adopted)", "days"),
    Column("state", "str", "enacted, rejected, lapsed, or pending at the horizon"),
    Column("finished", "float", "day it was enacted, rejected or lapsed (NaN while pending)", "days"),
)
STAGES: Schema = (
    Column("bill", "int", "bill number"),
    Column("stage", "str", "stage of the procedure"),
    Column("kind", "str", "stage kind: work, vote, review or sign"),
    Column("visit", "int", "how many times the bill has entered this stage (1 = first)"),
    Column("entered", "float", "day the bill entered the stage", "days"),
    Column("left", "float", "day the bill left the stage", "days"),
    Column(
        "outcome",
        "str",
        "pass, fail, return, amend, hold (a committee kept it), deemed_pass, deemed_fail, exhausted (too"
        " many rounds) or lapsed (the session or convocation ended)",
    ),
)
VOTES: Schema = (
    Column("bill", "int", "bill number"),
    Column("stage", "str", "stage of the procedure"),
    Column("chamber", "str", "chamber that voted"),
    Column("question", "str", "bill, review (approve, amend or reject) or amendments (accept them or not)"),
    Column("time", "float", "day of the sitting", "days"),
    Column("yes", "int", "members present voting yes"),
    Column("no", "int", "members present not voting yes"),
    Column("present", "int", "members present"),
    Column("passed", "bool", "the vote carried (rule and quorum)"),
)
AMENDMENTS: Schema = (
    Column("bill", "int", "bill number"),
    Column("stage", "str", "stage where the amendment was made"),
    Column("by", "str", "committee or chamber that made it"),
    Column("time", "float", "day it was made", "days"),
    Column("before", "float", "the bill's position before", "[-1, 1]"),
    Column("after", "float", "the position the amendment asks for", "[-1, 1]"),
    Column(
        "adopted",
        "bool",
        "it changed the bill (a committee's at once; a second chamber's once the first accepts)",
    ),
)


@dataclass(slots=True)
class Bill:
    id: int
    initiator: str
    topic: int
    topic_name: str
    position: float
    complexity: float
    government: bool
    introduced: float
    start: str
    priority: bool = False
    drafted: float = float("nan")
    adopted: float = float("nan")
    state: str = "pending"
    finished: float = float("nan")
    amended: float = float("nan")  # the other chamber's amendments, while they wait for an answer

    @property
    def rank(self) -> int:
        """Order in a queue: priority bills first, then the government's, then others."""
        return 0 if self.priority else 1 if self.government else 2


StageVisit = record("StageVisit", STAGES)
VoteRecord = record("VoteRecord", VOTES)
Amendment = record("Amendment", AMENDMENTS)


class Ledger:
    """The bills of a run, the stage visits, the votes and the amendments, as they happen."""

    def __init__(self) -> None:
        self.bills: list[Bill] = []
        self.stages: list[StageVisit] = []
        self.votes: list[VoteRecord] = []
        self.amendments: list[Amendment] = []

    def tables(self) -> dict[str, Table]:
        """The records as typed tables (one row per bill, stage visit, vote and amendment)."""
        bills = sorted(self.bills, key=attrgetter("id"))
        return {
            "bills": _bill_columns(bills),
            "stages": table(STAGES, self.stages),
            "votes": table(VOTES, self.votes),
            "amendments": table(AMENDMENTS, self.amendments),
        }

    def clear(self) -> None:
        """Let the records go (once tabled)."""
        self.bills.clear()
        self.stages.clear()
        self.votes.clear()
        self.amendments.clear()


#: The attribute of a bill each column of the ``bills`` table reads, where it is named otherwise.
_BILL_ATTRIBUTE = {"bill": "id", "topic": "topic_name"}


def _bill_columns(bills: list[Bill]) -> Table:
    """The ``bills`` table: each column read straight from the bills (no row tuples to transpose)."""
    return {
        c.name: np.fromiter(
            map(attrgetter(_BILL_ATTRIBUTE.get(c.name, c.name)), bills), DTYPES[c.type], len(bills)
        )
        for c in BILLS
    }


#: The engine's tables, by name.
SCHEMAS: dict[str, Schema] = {"bills": BILLS, "stages": STAGES, "votes": VOTES, "amendments": AMENDMENTS}
