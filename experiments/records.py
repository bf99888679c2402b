"""Bill histories as records: one row per bill and stage visit, with dates as dates.

The format is the model's own ledger in the shape a register of bills keeps (``stages`` joined with
``bills`` on ``bill``, days from the calendar's start as dates), so that a real register and a
model's output are read by the same code; ``docs/records.md`` describes it. :func:`from_ledger` turns
a run's tables into records, :func:`to_ledger` turns records back into the ledger's ``bills`` and
``stages`` tables (what records cannot know, such as a bill's position, is NaN), and :func:`read`
checks a file and refuses it with one line naming what is wrong.

    python -m experiments.records RUN_DIR [--replication 0] [-o records.csv]

writes the records of one replication's ledger of ``parltwin experiment=compare``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.files import regular_file, write_text
from scenarios.errors import ConfigError, counted
from sim.engine.ledger import BILLS, STAGES, Table, from_columns
from sim.engine.parliament import OUTCOMES as STAGE_OUTCOMES
from sim.engine.parliament import TERMINALS, ParliamentConf, adopting

#: The columns of a record, in order, and what each holds.
COLUMNS: dict[str, str] = {
    "bill": "identifier of the bill (text; the ledger's bill number for a model's records)",
    "initiator": "who introduced it: an initiator of the parliament preset (government, deputies, ...)",
    "topic": "its policy topic: a topic of the preset",
    "stage": "the stage of the procedure: a stage of the preset, readings expanded (mazhilis_2, ...)",
    "entered": "the day it entered the stage, YYYY-MM-DD",
    "left": "the day it left the stage, YYYY-MM-DD; empty while it is still there",
    "outcome": "how it left (the ledger's outcomes); empty while it is still there",
}
#: How a visit may end: the ledger's outcomes.
OUTCOMES = (*STAGE_OUTCOMES, "lapsed")  # a stage visit's, or a bill that lapsed during it
#: Outcomes whose time in the stage is cut short by something other than the stage's own work: a
#: deadline, a bound on rounds, the end of a session.
CENSORED = ("deemed_pass", "deemed_fail", "exhausted", "lapsed")
DATE = "%Y-%m-%d"


def _day(start: dt.date, days: float) -> str:
    """The date of model day ``days`` (day 0 is ``start``), or '' for NaN."""
    return "" if math.isnan(days) else (start + dt.timedelta(days=math.floor(days))).isoformat()


def from_ledger(
    tables: dict[str, Table], start: str | dt.date, parliament: ParliamentConf | None = None
) -> pd.DataFrame:
    """The records of a run's ledger: its stage visits with their bill's initiator and topic, days as
    dates (day 0 is ``start``, the calendar's start). With ``parliament``, a bill still pending at
    the horizon also gets its open visit (stage reached, no ``left``): the ledger records a visit
    when it ends, records show where each bill stands."""
    start = dt.date.fromisoformat(str(start))
    bills = pd.DataFrame(
        {c: tables["bills"][c] for c in ("bill", "initiator", "topic", "introduced", "state")}
    )
    st = pd.DataFrame({c: tables["stages"][c] for c in ("bill", "stage", "entered", "left", "outcome")})
    if parliament is not None:
        st = pd.concat([st, _open_visits(bills, st, parliament)], ignore_index=True)
    st = st.sort_values(["bill", "entered"], kind="stable")
    rec = st.merge(bills[["bill", "initiator", "topic"]], on="bill", how="left", validate="many_to_one")
    return pd.DataFrame(
        {
            "bill": rec["bill"].astype(str).to_numpy(),
            "initiator": rec["initiator"].to_numpy(),
            "topic": rec["topic"].to_numpy(),
            "stage": rec["stage"].to_numpy(),
            "entered": [_day(start, d) for d in rec["entered"]],
            "left": [_day(start, d) for d in rec["left"]],
            "outcome": rec["outcome"].fillna("").to_numpy(),
        }
    )


def _open_visits(bills: pd.DataFrame, st: pd.DataFrame, parliament: ParliamentConf) -> pd.DataFrame:
    from scenarios.procedure import expand_readings

    stages = expand_readings(parliament.stages)
    last = st.sort_values(["bill", "left"], kind="stable").groupby("bill").tail(1).set_index("bill")
    rows = []
    for b, who, intro in bills.loc[
        bills["state"] == "pending", ["bill", "initiator", "introduced"]
    ].itertuples(index=False):
        if b in last.index:
            v = last.loc[b]
            stage = _next(stages, str(v["stage"]), str(v["outcome"]))
            entered = float(v["left"])
        else:
            stage, entered = parliament.initiators[who].start, float(intro)
        if stage in stages:
            rows.append((b, stage, entered, math.nan, None))
    return pd.DataFrame(rows, columns=["bill", "stage", "entered", "left", "outcome"])


def _next(stages: dict[str, Any], stage: str, outcome: str) -> str:
    """Where a bill goes after leaving ``stage`` with ``outcome`` (a stage or a terminal)."""
    return stages[stage].next(outcome)


# -- reading and checking records ---------------------------------------------------------------
#: The column of :func:`read`'s records that holds each record's line in its file.
LINE = "line"


def _where(path: Path, row: int, skipped: int = 0) -> str:
    return f"{path}:{row + 2 + skipped}"  # after the comment lines and the header


def _comment_lines(path: Path) -> int:
    """How many ``#`` lines open the file (a note on where the records come from)."""
    n = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            n += 1
    return n


def read(path: str | Path) -> pd.DataFrame:
    """The records in ``path`` (CSV), checked: the columns, dates, order of dates, outcomes, and one
    initiator and topic per bill. Raises ``ConfigError`` (field ``data``) on the first problem."""
    path = Path(path)
    why = regular_file(path)
    if why is not None:
        raise ConfigError("data", str(path), f"a CSV file of bill records (docs/records.md); this is {why}")
    skipped = _comment_lines(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, skiprows=skipped)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise ConfigError(
            "data", str(path), f"a CSV file of bill records ({' '.join(str(e).split())})"
        ) from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError(
            "data", str(path), f"a CSV with the columns {', '.join(COLUMNS)} (missing: {', '.join(missing)})"
        )
    if df.empty:
        raise ConfigError("data", str(path), "at least one record")
    df = df[list(COLUMNS)].apply(lambda c: c.str.strip())
    for col in ("bill", "initiator", "topic", "stage", "entered"):
        empty = np.flatnonzero(df[col].to_numpy() == "")
        if empty.size:
            raise ConfigError(f"data {_where(path, int(empty[0]), skipped)}", col, f"a value for {col}")
    for col in ("entered", "left"):
        given = df[col] != ""
        parsed = pd.to_datetime(df[col].where(given), format=DATE, errors="coerce")
        bad = np.flatnonzero((given & parsed.isna()).to_numpy())
        if bad.size:
            i = int(bad[0])
            raise ConfigError(f"data {_where(path, i, skipped)} {col}", df[col].iloc[i], "a date YYYY-MM-DD")
        df[col] = parsed
    open_ = df["left"].isna()
    bad = np.flatnonzero((open_ != (df["outcome"] == "")).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ConfigError(
            f"data {_where(path, i, skipped)} outcome",
            df["outcome"].iloc[i],
            "an outcome when the visit has a left date, and none while it is open",
        )
    bad = np.flatnonzero((~open_ & ~df["outcome"].isin(OUTCOMES)).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ConfigError(
            f"data {_where(path, i, skipped)} outcome", df["outcome"].iloc[i], f"one of {', '.join(OUTCOMES)}"
        )
    bad = np.flatnonzero((df["left"] < df["entered"]).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ConfigError(
            f"data {_where(path, i, skipped)} left",
            df["left"].iloc[i].date().isoformat(),
            "a date on or after entered",
        )
    for col in ("initiator", "topic"):
        first = df.groupby("bill", sort=False)[col].transform("first")
        bad = np.flatnonzero((df[col] != first).to_numpy())
        if bad.size:  # the first row that contradicts its bill's earlier rows
            i = int(bad[0])
            raise ConfigError(
                f"data {_where(path, i, skipped)} {col}",
                df[col].iloc[i],
                f"one {col} per bill (bill {df['bill'].iloc[i]} has {first.iloc[i]!r} above)",
            )
    df[LINE] = np.arange(len(df)) + 2 + skipped  # where each record is in the file, for later checks
    return df.sort_values(["bill", "entered"], kind="stable").reset_index(drop=True)


def check_names(records: pd.DataFrame, parliament: ParliamentConf, path: str | Path) -> None:
    """Refuse records that name a stage, an initiator or a topic the parliament preset does not have."""
    from scenarios.procedure import expand_readings

    known = {
        "stage": list(expand_readings(parliament.stages)),
        "initiator": list(parliament.initiators),
        "topic": list(parliament.topics),
    }
    for col, names in known.items():
        bad = records[~records[col].isin(names)]
        if len(bad):
            row = bad.loc[bad[LINE].idxmin()]  # the first such record in the file
            allowed = f"a {col} of {parliament.name}: {', '.join(names)}"
            raise ConfigError(f"data {path}:{row[LINE]} {col}", row[col], allowed)


def write(records: pd.DataFrame, path: str | Path, header: Sequence[str] = ()) -> Path:
    """Write records as CSV (dates as YYYY-MM-DD), with optional ``#`` comment lines before them."""
    out = records.copy()
    for col in ("entered", "left"):
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime(DATE).fillna("")
    text = "".join(f"# {h}\n" for h in header) + out[list(COLUMNS)].to_csv(index=False)
    return write_text(Path(path), text)


# -- records back to the ledger -----------------------------------------------------------------
def to_ledger(
    records: pd.DataFrame, parliament: ParliamentConf, start: dt.date | None = None
) -> dict[str, Table]:
    """The ledger's ``bills`` and ``stages`` tables of checked records (days from ``start``, by
    default the first day in the records). The procedure says each stage's kind and where a bill
    went after its last visit: ``enacted`` or ``rejected`` when that is a terminal, ``lapsed`` after
    a lapse, otherwise ``pending``. What records do not hold (position, complexity, priority) is NaN
    or false; a bill is drafted the day it was introduced."""
    from scenarios.procedure import expand_readings

    stages = expand_readings(parliament.stages)
    df = records.sort_values(["bill", "entered"], kind="stable")
    origin = pd.Timestamp(start if start is not None else df["entered"].min())
    entered = (df["entered"] - origin).dt.days.to_numpy(dtype=float)
    left = (df["left"] - origin).dt.days.to_numpy(dtype=float)
    ids = _bill_numbers(df["bill"])
    number = df["bill"].map(ids).to_numpy(dtype=np.int64)
    kinds = np.array([stages[s].kind for s in df["stage"]], dtype=object)
    visit = df.groupby(["bill", "stage"], sort=False).cumcount().to_numpy() + 1
    outcome = df["outcome"].to_numpy(dtype=object)
    stage_tab = from_columns(
        STAGES,
        {
            "bill": number,
            "stage": df["stage"].to_numpy(dtype=object),
            "kind": kinds,
            "visit": visit,
            "entered": entered,
            "left": left,
            "outcome": outcome,
        },
    )
    frame = pd.DataFrame(
        {"n": number, "stage": df["stage"].to_numpy(), "kind": kinds, "e": entered, "l": left, "o": outcome}
    )
    by = frame.groupby("n", sort=False)
    first, last = df.groupby("bill", sort=False).head(1), by.tail(1)
    moves = {
        (st, o): _next(stages, st, o)
        for st, o in set(zip(last["stage"], last["o"], strict=True))
        if isinstance(o, str) and o
    }
    after = np.array(
        [moves.get((st, o), "") for st, o in zip(last["stage"], last["o"], strict=True)], dtype=object
    )
    state = np.where(
        last["o"].to_numpy() == "lapsed", "lapsed", np.where(np.isin(after, TERMINALS), after, "pending")
    )
    finished = np.where(state == "pending", np.nan, last["l"].to_numpy(dtype=float))
    signed = frame[frame["stage"].isin(adopting(stages))].groupby("n", sort=False)["e"].first()
    order = by["e"].first().index.to_numpy()
    adopted = signed.reindex(order).to_numpy(dtype=float)
    adopted = np.where(np.isnan(adopted) & (state == "enacted"), finished, adopted)
    intro = by["e"].first().to_numpy(dtype=float)
    who = first["initiator"].to_numpy(dtype=object)
    gov = np.array(
        [bool(parliament.initiators[w].government) if w in parliament.initiators else False for w in who]
    )
    bills = from_columns(
        BILLS,
        {
            "bill": order,
            "initiator": who,
            "topic": first["topic"].to_numpy(dtype=object),
            "position": np.full(order.size, np.nan),
            "complexity": np.full(order.size, np.nan),
            "government": gov,
            "priority": np.zeros(order.size, bool),
            "drafted": intro,
            "introduced": intro,
            "adopted": adopted,
            "state": state.astype(object),
            "finished": finished,
        },
    )
    sort = np.argsort(bills["bill"], kind="stable")
    return {"bills": {k: v[sort] for k, v in bills.items()}, "stages": stage_tab}


_INT64 = np.iinfo(np.int64)


def _is_number(name: str) -> bool:
    """Whether a bill identifier is the ledger's own number: an optional '-', then 1 to 19 ASCII
    digits (``str.isdigit`` also takes '²')."""
    digits = name.removeprefix("-")
    return 0 < len(digits) <= 19 and digits.isascii() and digits.isdigit()


def _bill_numbers(bills: pd.Series) -> dict[str, int]:
    """The ledger's bill numbers: the records' own when they are all integers of the ledger's type,
    each bill its own number, else in order of first appearance. An identifier is text: ``0`` and
    ``00`` are two bills, not one."""
    names = list(dict.fromkeys(bills))
    if all(_is_number(n) for n in names):
        numbers = {n: int(n) for n in names}
        values = set(numbers.values())
        if len(values) == len(names) and _INT64.min <= min(values) and max(values) <= _INT64.max:
            return numbers
    return {n: i for i, n in enumerate(names)}


# -- the command ---------------------------------------------------------------------------------
def _ledger(run_dir: Path, replication: int) -> dict[str, Table]:
    """Replication ``replication``'s ledger tables in ``run_dir``; one line when they are missing
    (a run with ``experiment.ledger=false``, a replication not yet run) or are not a ledger's."""
    import pyarrow as pa

    from experiments.errors import InputError
    from experiments.replicate import ledger_path

    tables = {}
    for name, schema in (("bills", BILLS), ("stages", STAGES)):
        path = ledger_path(run_dir, replication, name)
        if not path.is_file():
            raise InputError(
                f"{path}: no such file: replication {replication}'s ledger is not there (a run made "
                "with experiment.ledger=false keeps none; a run stopped before this replication has not "
                "written it)"
            )
        try:
            frame = pd.read_parquet(path)
        except pa.ArrowException as e:
            raise InputError(f"{path}: not a ledger file ({' '.join(str(e).split())})") from None
        missing = [c.name for c in schema if c.name not in frame.columns]
        if missing:
            raise InputError(f"{path}: not a ledger file of {name} (no column {missing[0]!r})")
        tables[name] = {c: v.to_numpy() for c, v in frame.items()}
    return tables


def main(argv: list[str] | None = None) -> None:
    """Write the records of one replication's ledger (``ledger/rNNNN_*.parquet``) of a run folder."""
    from experiments.errors import exit_for, one_line_usage

    parser = argparse.ArgumentParser(prog="python -m experiments.records", description=main.__doc__)
    parser.add_argument("run_dir", type=Path, help="a run folder of `parltwin experiment=compare`")
    parser.add_argument("--replication", type=int, default=0, help="which replication (default 0)")
    parser.add_argument("-o", "--output", type=Path, default=Path("records.csv"))
    one_line_usage(parser)
    args = parser.parse_args(argv)
    try:
        _write_records(args.run_dir, args.replication, args.output)
    except Exception as e:  # a refusal or the disk in one line; a bug is raised again
        exit_for(e)


def _write_records(run_dir: Path, replication: int, output: Path) -> None:
    from omegaconf import OmegaConf

    from experiments.errors import InputError
    from experiments.replicate import SCENARIO
    from experiments.run_folder import job_manifest
    from scenarios.build import parliament_of
    from scenarios.schema import Schema
    from scenarios.validate import validate

    if not (run_dir / SCENARIO).is_file():
        jobs = sorted(d for d in run_dir.iterdir() if (d / SCENARIO).is_file()) if run_dir.is_dir() else []
        sweep = f": a sweep, whose jobs' folders are run folders (e.g. {jobs[0]})" if jobs else ""
        raise InputError(f"{run_dir}: not a run folder of parltwin experiment=compare (no {SCENARIO}){sweep}")
    manifest = job_manifest(run_dir)
    if not isinstance(manifest["config"], dict):
        raise InputError(f"{run_dir / SCENARIO}: not a job's manifest ('config' is not a mapping)")
    seeds = manifest["seeds"]
    if not 0 <= replication < len(seeds):
        raise InputError(
            f"--replication={replication} is not allowed: a replication of {run_dir}, 0 to {len(seeds) - 1}"
        )
    data = {k: v for k, v in manifest["config"].items() if k != "experiment"}
    conf = validate(OmegaConf.merge(OmegaConf.structured(Schema), data))
    tables = _ledger(run_dir, replication)
    records = from_ledger(tables, conf.parliament.calendar.start, parliament_of(conf))
    header = [
        f"Model-generated records, not recorded data: {conf.parliament.name}, replication {replication}"
        f" (seed {seeds[replication]}, {counted(conf.years, 'year', 'g')}) of: "
        f"{manifest.get('command', 'parltwin experiment=compare')}",
        f"written by: python -m experiments.records RUN_DIR --replication {replication}",
    ]
    write(records, output, header)
    seen = f"{counted(records['bill'].nunique(), 'bill')}, {counted(len(records), 'stage visit')}"
    print(f"records: {output} ({seen})")


if __name__ == "__main__":
    main()
