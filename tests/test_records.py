"""The bill-history format: a model's ledger to records and back, the shipped example, and records
refused with one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from experiments import records
from scenarios import ConfigError, simulate, validate
from scenarios.build import parliament_of
from tests.conftest import ROOT, compose_config, run_cli

EXAMPLE = ROOT / "data" / "example_records_kz_bicameral_2023.csv"


@pytest.fixture(scope="module", params=["kz_bicameral_2023", "kz_kurultai_2026"])
def run(request: pytest.FixtureRequest) -> tuple:
    """A run of each preset: the Kurultai's laws are forwarded to the President after adoption."""
    conf = validate(compose_config([f"parliament={request.param}", "~citizens", "~channels", "years=1.5"]))
    return conf, simulate(conf, seed=3)


def test_a_ledger_goes_to_records_and_back_to_the_day(run: tuple, tmp_path: Path) -> None:
    conf, result = run
    parliament = parliament_of(conf)
    start = dt.date.fromisoformat(conf.parliament.calendar.start)
    recs = records.from_ledger(result.tables, start, parliament)
    assert list(recs.columns) == list(records.COLUMNS)
    records.write(recs, tmp_path / "r.csv", ["model-generated"])
    back = records.to_ledger(records.read(tmp_path / "r.csv"), parliament, start)
    bills, again = result.tables["bills"], back["bills"]
    assert list(again["bill"]) == list(bills["bill"])
    assert list(again["state"]) == list(bills["state"])  # the procedure says where each bill ended
    for col in ("introduced", "finished", "adopted"):
        np.testing.assert_array_equal(again[col], np.floor(bills[col]))  # whole days
    pending = int((bills["state"] == "pending").sum())
    assert pending > 0
    assert len(back["stages"]["bill"]) == len(result.tables["stages"]["bill"]) + pending  # + open visits
    assert (recs["left"] == "").sum() == pending


def test_the_example_is_model_generated_and_fits_its_preset() -> None:
    assert EXAMPLE.read_text(encoding="utf-8").startswith("# Model-generated records, not recorded data")
    recs = records.read(EXAMPLE)
    conf = validate(compose_config(["~citizens", "~channels"]))
    records.check_names(recs, conf.parliament, EXAMPLE)  # raises on an unknown stage, initiator, topic
    assert recs["bill"].nunique() > 200


GOOD = (
    "bill,initiator,topic,stage,entered,left,outcome\n1,government,law,committee,2024-01-10,2024-02-01,pass\n"
)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "bill,initiator,stage,entered,left,outcome\n1,government,committee,2024-01-10,,\n",
            "missing: topic",
        ),
        (GOOD.replace("2024-02-01", "01/02/2024"), r"r\.csv:2 left='01/02/2024'.*YYYY-MM-DD"),
        (GOOD.replace("2024-02-01", "2024-01-01"), "on or after entered"),
        (GOOD.replace(",pass", ","), "an outcome when the visit has a left date"),
        (GOOD.replace(",pass", ",won"), "one of pass, fail"),
        (
            GOOD + "1,deputies,law,mazhilis,2024-02-01,,\n",
            r"r\.csv:3 initiator='deputies'.*one initiator per bill \(bill 1 has 'government' above\)",
        ),
        ("bill,initiator,topic,stage,entered,left,outcome\n", "at least one record"),
    ],
)
def test_bad_records_are_refused_with_one_line(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match) as err:
        records.read(path)
    assert "\n" not in str(err.value)


def test_names_the_preset_does_not_have_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(GOOD.replace("committee", "plenary"))
    conf = validate(compose_config(["~citizens", "~channels"]))
    with pytest.raises(ConfigError, match=r"r\.csv:2 stage=.plenary.*a stage of kz_bicameral_2023"):
        records.check_names(records.read(path), conf.parliament, path)
    # The first in the file is named, though the records are read in the order of their bills.
    path.write_text(
        "# from the registry\nbill,initiator,topic,stage,entered,left,outcome\n"
        "7,government,law,committee,2024-01-10,,\n"
        "2,government,nature,committee,2024-01-11,,\n"
        "1,government,cosmos,committee,2024-01-12,,\n"
    )
    with pytest.raises(ConfigError, match=r"r\.csv:4 topic='nature' is not allowed: a topic of "):
        records.check_names(records.read(path), conf.parliament, path)


def test_records_between_chambers_keep_their_order_within_a_day(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "bill,initiator,topic,stage,entered,left,outcome\n"
        "7,government,law,mazhilis,2024-01-10,2024-01-10,pass\n"
        "7,government,law,committee,2024-01-01,2024-01-10,pass\n"
        "7,government,law,mazhilis_amendments_1,2024-01-10,,\n"
    )
    conf = validate(compose_config(["~citizens", "~channels"]))
    tables = records.to_ledger(records.read(path), parliament_of(conf))
    assert list(tables["stages"]["stage"]) == ["committee", "mazhilis", "mazhilis_amendments_1"]
    assert list(tables["bills"]["state"]) == ["pending"]
    assert tables["bills"]["introduced"][0] == 0.0  # day 0 is the records' first day


@pytest.mark.parametrize(
    "ids",
    [("--0", "--1"), ("\u00b20", "\u00b21"), ("9" * 30, "9" * 29), ("0", "00"), ("-0", "0"), ("3", "1")],
)
def test_a_bill_identifier_is_text_and_each_bill_stays_its_own(ids: tuple[str, str], tmp_path: Path) -> None:
    """Identifiers that look like numbers and are not the ledger's ('--0', a superscript digit, 30
    digits) ended in a ValueError or OverflowError traceback; '0' and '00' were one bill."""
    path = tmp_path / "r.csv"
    path.write_text(
        "bill,initiator,topic,stage,entered,left,outcome\n"
        f"{ids[0]},government,law,committee,2024-01-01,2024-01-10,pass\n"
        f"{ids[1]},deputies,economy,committee,2024-01-02,,\n",
        encoding="utf-8",
    )
    conf = validate(compose_config(["~citizens", "~channels"]))
    tables = records.to_ledger(records.read(path), parliament_of(conf))
    assert len(tables["bills"]["bill"]) == 2 and len(set(tables["stages"]["bill"])) == 2
    assert sorted(tables["bills"]["initiator"]) == ["deputies", "government"]
    if ids == ("3", "1"):  # integers are the ledger's own numbers
        assert list(tables["bills"]["bill"]) == [1, 3]


def test_the_fit_command_refuses_missing_records_with_one_line(tmp_path: Path) -> None:
    res = run_cli(
        "experiment=fit", f"data={tmp_path / 'none.csv'}", f"hydra.run.dir={tmp_path / 'out'}", cwd=tmp_path
    )
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("parltwin: error: data=")
        and "a CSV file of bill records" in lines[0]
        and "no such file" in lines[0]
    )
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_the_records_command_refuses_a_folder_or_replication_it_cannot_read_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing run folder, a sweep's folder, a replication the run does not have or whose ledger is
    gone ended in a FileNotFoundError (or IndexError) traceback."""
    from experiments.errors import EXIT_BAD_INPUT, EXIT_IO
    from tests.parltwin_cli import parltwin

    run = [
        "experiment=compare",
        "experiment.replications=1",
        "years=0.3",
        "~citizens",
        "~channels",
        "quiet=true",
    ]
    assert parltwin([*run, "hydra.run.dir=run"], tmp_path, monkeypatch, capsys).code == 0
    (tmp_path / "sweep" / "0").mkdir(parents=True)
    (tmp_path / "sweep" / "0" / "scenario.json").write_bytes(
        (tmp_path / "run" / "scenario.json").read_bytes()
    )
    records.main(["run", "-o", "out.csv"])
    assert "model-generated" in (tmp_path / "out.csv").read_text().lower()
    (tmp_path / "out.csv").unlink()
    (tmp_path / "run" / "ledger" / "r0000_stages.parquet").rename(tmp_path / "stages.parquet")
    for args, code, match in [
        (
            ["none"],
            EXIT_BAD_INPUT,
            "none: not a run folder of parltwin experiment=compare (no scenario.json)",
        ),
        (["sweep"], EXIT_BAD_INPUT, "a sweep, whose jobs' folders are run folders (e.g. sweep/0)"),
        (
            ["run", "--replication", "1"],
            EXIT_BAD_INPUT,
            "--replication=1 is not allowed: a replication of run, 0 to 0",
        ),
        (["run", "--replication", "-1"], EXIT_BAD_INPUT, "--replication=-1 is not allowed"),
        (["run", "--replication", "x"], EXIT_BAD_INPUT, "argument --replication: invalid int value: 'x'"),
        (["run"], EXIT_BAD_INPUT, "r0000_stages.parquet: no such file: replication 0's ledger is not there"),
    ]:
        with pytest.raises(SystemExit) as stop:
            records.main([*args, "-o", "out.csv"])
        err = capsys.readouterr().err.strip().splitlines()
        assert stop.value.code == code and len(err) == 1 and match in err[0], (args, err)
        assert not (tmp_path / "out.csv").exists()
    (tmp_path / "stages.parquet").rename(tmp_path / "run" / "ledger" / "r0000_stages.parquet")
    with pytest.raises(SystemExit) as stop:  # the disk: a file cannot be written there
        records.main(["run", "-o", "run/scenario.json/out.csv"])
    assert stop.value.code == EXIT_IO and "run/scenario.json" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["data", "experiment.observed"])
def test_a_table_that_says_it_is_empty_is_read_no_further_than_a_tables_size(
    option: str, tmp_path: Path
) -> None:
    """``/proc/self/pagemap`` says it holds 0 bytes and holds terabytes: read whole, it ended in a
    MemoryError traceback (or the machine's memory)."""
    kind = ["experiment=fit"] if option == "data" else ["experiment=calibrate"]
    res = run_cli(*kind, f"{option}=/proc/self/pagemap", f"hydra.run.dir={tmp_path / 'out'}", cwd=tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1, res.stderr[-2000:]
    assert f"{option}='/proc/self/pagemap'" in lines[0] and "bytes a table may have" in lines[0]
    assert not (tmp_path / "out").exists()
