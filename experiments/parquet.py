"""Ledger tables as Parquet files, typed by the schemas the engine declares for them.

Every file is written with its declared Arrow types (an empty table too), after the key columns
:data:`KEYS` (scenario, replication, seed), so that all the files of a table in a run folder, every
job and replication of a sweep, read as one dataset (``pyarrow.dataset``, DuckDB, pandas). Missing
values are nulls: an ``int`` column's in-memory sentinel (``Column.missing``, e.g. -1 for "no bill")
and a ``float`` column's NaN. Each column carries its description and unit as field metadata;
``docs/data.md`` is generated from the same declarations (``python -m experiments.datadoc``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.files import write_with
from sim.engine.ledger import Column, Schema, Table

ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
#: The columns every ledger file starts with: which run of which scenario its rows come from.
KEYS: Schema = (
    Column("scenario", "str", "the scenario (its name in scenario.json)"),
    Column("replication", "int", "replication number within the scenario (0 = the first)"),
    Column("seed", "int", "the replication's seed (the same for every scenario: common random numbers)"),
)


def arrow_schema(schema: Schema) -> pa.Schema:
    """The Arrow schema of a ledger file: the key columns, then the table's own."""
    names = [c.name for c in schema]
    clash = sorted({c.name for c in KEYS} & set(names))
    if clash:
        raise ValueError(f"a table declares a key column itself: {', '.join(clash)}")
    return pa.schema(
        [pa.field(c.name, ARROW[c.type], metadata={"doc": c.doc, "unit": c.unit}) for c in (*KEYS, *schema)]
    )


def _column(values: np.ndarray, c: Column) -> pa.Array:
    values = np.asarray(values)
    mask = None
    if c.type == "float":
        mask = np.isnan(values.astype(np.float64))
    elif c.type == "int" and c.missing is not None:
        mask = values == c.missing
    if mask is not None and not mask.any():
        mask = None
    return pa.array(values, type=ARROW[c.type], mask=mask)


def to_arrow(table: Table, schema: Schema, scenario: str, replication: int, seed: int) -> pa.Table:
    arrow = arrow_schema(schema)
    n = len(table[schema[0].name]) if schema else 0
    keys = {"scenario": [scenario] * n, "replication": [replication] * n, "seed": [seed] * n}
    columns = [pa.array(keys[c.name], type=ARROW[c.type]) for c in KEYS]
    columns += [_column(table[c.name], c) for c in schema]
    return pa.Table.from_arrays(columns, schema=arrow)


def write(path: Path, table: Table, schema: Schema, *, scenario: str, replication: int, seed: int) -> Path:
    """Write ``table`` to ``path`` atomically, after its key columns."""
    data = to_arrow(table, schema, scenario, replication, seed)
    return write_with(path, lambda p: pq.write_table(data, p))
