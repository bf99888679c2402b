"""The ledger files: declared once, typed even when empty, keyed by scenario, replication and seed,
nulls for missing values, documented in a generated dictionary, readable as one dataset."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from experiments import datadoc, parquet
from scenarios import simulate, validate
from tests.conftest import compose_config
from tests.test_experiments import main_job


def test_the_data_dictionary_is_generated_from_the_schemas() -> None:
    assert datadoc.DOC.read_text(encoding="utf-8") == datadoc.render(), (
        "docs/data.md is stale: run python -m experiments.datadoc"
    )


def test_every_table_a_run_writes_is_in_the_dictionary_with_its_schema() -> None:
    written: dict[str, tuple] = {}
    for channels in ("kz_digital", "analytics"):
        conf = validate(compose_config(["parliament=kz_kurultai_2026", f"channels={channels}", "years=0.2"]))
        written.update(simulate(conf).schemas)
    assert {name: s for name, (s, _) in datadoc.TABLES.items()} == written


def test_an_empty_table_is_written_with_its_declared_types(tmp_path: Path) -> None:
    schema, _ = datadoc.TABLES["petitions"]
    empty = {c.name: np.array([], dtype=object if c.type == "str" else None) for c in schema}
    full = {c.name: np.array([_value(c.type)]) for c in schema}
    a = parquet.write(
        tmp_path / "r0000_petitions.parquet", empty, schema, scenario="s", replication=0, seed=1
    )
    b = parquet.write(tmp_path / "r0001_petitions.parquet", full, schema, scenario="s", replication=1, seed=2)
    assert pq.read_schema(a).remove_metadata() == parquet.arrow_schema(schema).remove_metadata()
    assert not any(pa.types.is_null(f.type) for f in pq.read_schema(a))
    table = ds.dataset([a, b]).to_table()
    assert table.num_rows == 1 and table.column("replication").to_pylist() == [1]


def _value(kind: str) -> object:
    return {"int": 3, "float": 1.5, "bool": True, "str": "x"}[kind]


def test_missing_values_are_nulls_in_files() -> None:
    schema, _ = datadoc.TABLES["demands"]
    rows = {c.name: np.array([_value(c.type)] * 3) for c in schema}
    rows["bill"] = np.array([-1, 4, -1])  # the engine's "no bill"
    rows["law_at"] = np.array([np.nan, 2.0, np.nan])
    table = parquet.to_arrow(rows, schema, "s", 0, 7)
    assert table.column("bill").to_pylist() == [None, 4, None]
    assert table.column("law_at").to_pylist() == [None, 2.0, None]
    assert table.column("demand").null_count == 0
    assert table.column_names[:3] == ["scenario", "replication", "seed"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return main_job(tmp_path_factory)


def _records(sweep: Path) -> list[dict]:
    out = []
    for job in sorted(p for p in sweep.iterdir() if (p / "scenario.json").is_file()):
        name = json.loads((job / "scenario.json").read_text())["name"]
        for path in sorted((job / "replications").glob("r*.json")):
            out.append({**json.loads(path.read_text()), "scenario": name})
    return out


def test_a_whole_sweep_reads_as_one_dataset_with_pyarrow_and_duckdb(sweep: Path) -> None:
    records = _records(sweep)
    jobs = len([d for d in sweep.iterdir() if (d / "scenario.json").is_file()])
    assert jobs >= 3 and len(records) == 2 * jobs and all(r["rows"] for r in records)
    con = duckdb.connect()
    tables = sorted({t for r in records for t in r["rows"]})
    assert {"bills", "stages", "votes", "petitions", "demands"} <= set(tables)
    for table in tables:
        files = sorted(sweep.glob(f"*/ledger/r*_{table}.parquet"))
        want = {
            (r["scenario"], r["replication"], r["seed"]): r["rows"][table]
            for r in records
            if table in r["rows"]
        }
        data = ds.dataset(files, format="parquet")
        assert data.count_rows() == sum(want.values())
        assert (
            data.schema.remove_metadata() == parquet.arrow_schema(datadoc.TABLES[table][0]).remove_metadata()
        )
        pattern = str(sweep / "*" / "ledger" / f"r*_{table}.parquet")
        got = con.execute(
            "SELECT scenario, replication, seed, count(*) FROM read_parquet(?) GROUP BY ALL", [pattern]
        ).fetchall()
        counted = {(s, r, seed): n for s, r, seed, n in got}
        assert counted == {k: n for k, n in want.items() if n > 0}
    # the bills a record counts are the bills of its summary: introduced in the run's horizon
    years = json.loads((sweep / "0" / "scenario.json").read_text())["years"]
    for r in records:
        assert r["rows"]["bills"] == round(r["summary"]["bills_introduced_per_year"] * years)
