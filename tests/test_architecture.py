"""The shape of the house: one-way imports between layers, no circles, no file writes below the
experiments, no metric name parsed back, and seeded runs that reproduce the stored digests."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios import build, simulate, validate
from sim.engine.timeline import month_starts
from sim.inspection import ParliamentView
from tests.conftest import ROOT, compose_config
from tests.golden import STORE, differences, digests

#: Layers, top to bottom: a package may import only from the layers below it (and itself).
LAYERS = ["experiments", "scenarios", "sim", "agents"]


def modules() -> dict[str, Path]:
    out = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Project modules imported by ``path`` (``TYPE_CHECKING`` imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            while n and n not in known:
                n = n.rpartition(".")[0]
            if n:
                found.add(n)
    return found


def test_imports_run_down_the_layers_and_never_in_a_circle() -> None:
    mods = modules()
    graph = {m: imports_of(p, set(mods)) - {m} for m, p in mods.items()}
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = [
        (m, d) for m, deps in graph.items() for d in deps if rank[d.split(".")[0]] < rank[m.split(".")[0]]
    ]
    assert upward == []
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in graph[m]:
            assert state.get(d) != 1, f"import circle: {' -> '.join([*path, m, d])}"
            if d not in state:
                visit(d, [*path, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def _reads(call: ast.Call) -> bool:
    """Whether a call of ``open`` opens for reading only: its mode a literal without w, a, x or +."""
    mode = (
        call.args[1]
        if len(call.args) > 1
        else next((k.value for k in call.keywords if k.arg == "mode"), None)
    )
    text = "r" if mode is None else mode.value if isinstance(mode, ast.Constant) else "w"
    return isinstance(text, str) and not set(text) & set("wax+")


@pytest.mark.parametrize("layer", ["sim", "agents"])
def test_the_model_never_writes_to_the_disk(layer: str) -> None:
    """The model writes no file (it may read the machine's description: ``agents.numerics``)."""
    writers = {"open", "write_text", "write_bytes", "to_csv", "to_parquet", "savefig", "mkdir", "unlink"}
    for path in (ROOT / layer).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        called = {
            n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and not (isinstance(n.func, ast.Name) and n.func.id == "open" and _reads(n))
        }
        assert not called & writers, path
    opening = ast.parse("open(p, 'w')").body[0].value  # type: ignore[attr-defined]
    assert not _reads(opening) and _reads(ast.parse("open(p, encoding='ascii')").body[0].value)  # type: ignore[attr-defined]


def test_no_metric_name_is_parsed_back() -> None:
    """Experiments learn what a metric is from its description, never from its name."""
    for path in (ROOT / "experiments").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "re" not in imported, path


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["parliament=kz_kurultai_2026", "channels=kz_digital"],
        ["channels=analytics"],
        ["parliament=single_queue"],
    ],
)
def test_every_summary_metric_is_described(overrides: list[str]) -> None:
    res = simulate(validate(compose_config([*overrides, "years=1"])), seed=0)
    assert set(res.summary) == set(res.metrics)
    for m in res.metrics.values():
        assert m.label and m.group and m.better in ("higher", "lower", "none")
        assert m.text().count("{") == 0  # every field of a family's label is filled


def test_every_table_is_typed_by_its_schema() -> None:
    res = simulate(
        validate(compose_config(["parliament=kz_kurultai_2026", "channels=kz_digital", "years=1"])), 3
    )
    assert set(res.tables) == set(res.schemas)
    for name, table in res.tables.items():
        assert list(table) == [c.name for c in res.schemas[name]], name
        assert len({len(v) for v in table.values()}) == 1, name


def test_the_mesa_view_shows_the_arrays() -> None:
    model = build(validate(compose_config(["years=1"])), 0)
    view = ParliamentView(model)
    from agents.views import CommitteeAgent, Deputy

    deputies = view.agents_by_type[Deputy]
    assert len(deputies) == sum(c.seats for c in model.chambers.values())
    mazhilis = model.chambers["mazhilis"].deputies
    by_party = deputies.select(lambda d: d.chamber == "mazhilis").groupby("party").count()
    assert by_party == dict(zip(mazhilis.party_names, mazhilis.seats_by_party().tolist(), strict=True))
    assert len(view.agents_by_type[CommitteeAgent]) == len(model.committees)


def test_the_monthly_series_follows_the_docket() -> None:
    res = simulate(validate(compose_config(["years=2"])), 1)
    m = res.tables["monthly"]
    laws = m["value"][m["measure"] == "laws_enacted"]
    days = m["day"][m["measure"] == "laws_enacted"]
    assert days.tolist() == month_starts("2026-09-01", 730.0).tolist()  # 1 Sep 2026 .. 1 Aug 2028
    assert len(days) == 24 and (laws[1:] >= laws[:-1]).all()
    assert laws[-1] <= res.summary["laws_per_year"] * 2
    # the data dictionary names every measure the table holds, and only those (it named the citizens')
    from sim.engine.model import MONTHLY

    listed = MONTHLY[1].doc.split(": ", 1)[1].rstrip(")").split(", ")
    digital = simulate(validate(compose_config(["years=0.3", "channels=kz_digital"])), 1).tables["monthly"]
    assert sorted(set(m["measure"])) == sorted(set(digital["measure"])) == sorted(listed)


def test_seeded_runs_reproduce_the_stored_digests() -> None:
    """Bit for bit: every table and summary value of the presets' seeded runs. A change of behaviour
    regenerates the store on purpose (``python -m tests.golden --write``) and names the change."""
    assert differences(json.loads(STORE.read_text()), digests()) == []


def test_numpy_gives_the_c_library_numbers_in_every_process_of_a_run() -> None:
    """On an x86-64 machine with AVX-512, numpy's own exp and log differ from the C library's in the
    last bit: the project turns them off before numpy loads, here and in the processes it starts."""
    from agents.numerics import VARIABLE, as_c_library
    from experiments.pool import PoolSpec, imap

    assert as_c_library()  # this process (numpy loaded after the project)
    assert list(imap(_probe, [0, 1], PoolSpec(workers=2))) == [True, True]  # local workers
    # numpy loaded first, with its kernels on: the machine's own numbers, and a run says so
    code = (
        "import numpy, warnings\n"
        "from agents.numerics import as_c_library, warn_unless_portable\n"
        "print(as_c_library())\n"
        "warn_unless_portable()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    if res.stdout.split() == ["True"]:
        pytest.skip("numpy's own kernels give the C library's numbers on this machine")
    assert "AVX-512" in res.stderr and VARIABLE in res.stderr


def _probe(_: int) -> bool:
    from agents.numerics import as_c_library

    return as_c_library()


def _blas_core(_: int) -> str:
    from threadpoolctl import threadpool_info

    return next(i.get("architecture", "") for i in threadpool_info() if i["internal_api"] == "openblas")


def test_openblas_runs_one_kernel_in_every_process_of_a_run() -> None:
    """OpenBLAS picked its kernel by the CPU: on an AVX-512 machine its dot products summed in
    another order, and the seeded runs of a preset with channels gave other ledgers (the stored
    digests failed there). The project gives it one kernel before numpy loads, here and in the
    processes it starts."""
    from agents.numerics import BLAS_CORE, has_features
    from experiments.pool import PoolSpec, imap

    if not has_features("avx2", "fma"):
        pytest.skip("a CPU without AVX2 and FMA: OpenBLAS keeps its own kernel")
    assert _blas_core(0) == BLAS_CORE
    assert list(imap(_blas_core, [0, 1], PoolSpec(workers=2))) == [BLAS_CORE, BLAS_CORE]
