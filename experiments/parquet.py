"""Ledger tables as Parquet files, typed by the schemas the engine declares for them.

Every table is written with its declared Arrow types (an empty table too, so a whole run folder
reads as one dataset), and each column carries its description and unit as field metadata.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from experiments.files import write_with
from sim.engine.ledger import Schema, Table

ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}


def arrow_schema(schema: Schema) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, ARROW[c.type], metadata={"doc": c.doc, "unit": c.unit}) for c in schema]
    )


def to_arrow(table: Table, schema: Schema) -> pa.Table:
    arrow = arrow_schema(schema)
    return pa.table(
        {c.name: pa.array(table[c.name], type=arrow.field(c.name).type) for c in schema}, schema=arrow
    )


def write(path: Path, table: Table, schema: Schema) -> Path:
    """Write ``table`` to ``path`` atomically."""
    data = to_arrow(table, schema)
    return write_with(path, lambda p: pq.write_table(data, p))
