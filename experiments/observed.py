"""The recorded session statistics (``data/kz_session_statistics.csv``) as the moments the model is
held to, each counted the way its source counted it.

Every row of the file that a model's ledger can count becomes an :class:`Observation`: what was
counted (``measure``), by whom (``body``), over which days (``start`` .. ``end``), the recorded
value, and whether the figure is the whole count (``equal``) or a lower bound (``at_least``: e.g. one
recorded case, not a count of all). :func:`measure` counts the same thing on a model's ledger over
the same calendar days, so a calibration compares like with like: "considered" is the bills on the
books in the period (introduced before it closed, not finished before it opened), not the bills
introduced in it.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np

from configs import CONFIGS
from scenarios.cost import MAX_POINTS
from scenarios.errors import counted
from sim.engine.ledger import Table
from sim.engine.parliament import ParliamentConf
from sim.metrics import on_books

if TYPE_CHECKING:
    import pandas as pd

    from scenarios import Config

DATA = Path(__file__).resolve().parents[1] / "data" / "kz_session_statistics.csv"
#: What the model counts, by name (:func:`measure`), and what it means.
MEASURES = {
    "bills_considered": "bills on the books in the period",
    "adopted_share": "share of the bills on the books that the body adopted in the period",
    "laws_adopted": "laws the body adopted in the period",
    "laws_signed": "laws signed (enacted) in the period",
    "deputy_share_of_considered": "share of the bills on the books that deputies initiated",
    "deputy_share_of_adopted": "share of the laws the body adopted in the period that deputies initiated",
    "second_chamber_returns": "times the second chamber sent a law back (rejected or amended) in the period",
}
#: A summary metric of a run that an observation speaks to (for ranges of recorded values).
METRIC = {
    "adopted_share": "adopted_share_of_considered",
    "laws_adopted": "laws_per_year",
    "deputy_share_of_considered": "deputy_share_of_bills",  # the deputies' share of the laws: none
    "second_chamber_returns": "senate_returns_per_year",
}


@dataclass(frozen=True)
class Observation:
    """One recorded figure in the model's terms: ``measure`` by ``body`` over the days ``start`` ..
    ``end`` (inclusive) was ``value`` (``at_least``: a lower bound), as ``source`` counted it."""

    measure: str
    body: str
    period: str
    start: dt.date
    end: dt.date
    value: float
    bound: str
    source: str
    how: str

    @property
    def name(self) -> str:
        """A short unique label, e.g. ``adopted_share/mazhilis/2021-09-01``."""
        return f"{self.measure}/{self.body}/{self.start.isoformat()}"

    @property
    def moment(self) -> str:
        """The run's summary metric this observation speaks to (or its measure)."""
        return METRIC.get(self.measure, self.measure)

    @property
    def share(self) -> bool:
        return "share" in self.measure


#: The table's columns (``data/README.md``).
COLUMNS = ("period", "start", "end", "body", "measure", "value", "source", "note")
#: The measures the table records (``data/README.md``): counts, whole numbers >= 0, and shares, from 0
#: to 1. A row of another measure is checked as any row and counted by no moment.
COUNTS = (
    "bills_considered",
    "bills_adopted",
    "deputy_initiated_bills",
    "laws_passed",
    "laws_signed",
    "senate_returns",
)
SHARES = ("deputy_share_of_laws",)
#: Counts that are a share of the period's ``bills_considered``.
PARTS = ("bills_adopted", "deputy_initiated_bills")


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The table's rows with the line each ends on; one line naming the file and line when the file
    is not such a table."""
    from experiments.errors import InputError

    like = f"a CSV table like {DATA.name} (data/README.md)"
    out = []
    line = 0  # the last line read
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise InputError(f"{path}: not {like}: missing the column(s) {', '.join(missing)}")
            for fields in reader:
                line = reader.line_num
                if not fields:  # a blank line, as csv.DictReader skips it
                    continue
                if len(fields) != len(header):  # a short row, or a comma outside quotes
                    raise InputError(
                        f"{path}, line {line}: {len(fields)} fields is not allowed: "
                        f"the header's {len(header)} ({', '.join(header)})"
                    )
                out.append((line, dict(zip(header, fields, strict=True))))
    except csv.Error as e:
        raise InputError(f"{path}, line {line + 1}: not {like}: {e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not {like} (not UTF-8 text: {e.reason})") from None
    return out


def rows(path: Path = DATA) -> list[dict[str, str]]:
    """The table's rows as read, each with every column."""
    return [r for _, r in _read(path)]


def observations(path: Path = DATA) -> list[Observation]:
    """Every recorded figure that a model's ledger can count, in the file's order. A row that breaks
    a rule of the table (:func:`_checked`) is refused with one line naming its line and column."""
    return list(_observations(_checked(path, _read(path))))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def _refuse(path: Path, line: int, column: str, value: str, allowed: str) -> NoReturn:
    from experiments.errors import InputError

    raise InputError(f"{path}, line {line}: column {column}={value!r} is not allowed: {allowed}")


def _checked(path: Path, data: list[tuple[int, dict[str, str]]]) -> list[dict[str, str]]:
    """The rows, each checked before any of them is used: dates in the years a calendar may have,
    ``end`` on or after ``start``, every period within a run's longest horizon of the first; a value
    that is a finite number, a count a whole number >= 0, a share from 0 to 1; a count of bills
    adopted or initiated at most the period's bills considered, which is then more than 0."""
    from scenarios.calendar import FIRST_YEAR, LAST_YEAR
    from scenarios.validate import MAX_YEARS

    days: dict[int, tuple[dt.date, dt.date]] = {}
    for line, r in data:
        for col in ("start", "end"):
            try:
                day = _date(r[col])
            except ValueError:
                day = None
            if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
                _refuse(
                    path, line, col, r[col], f"a date YYYY-MM-DD in the years {FIRST_YEAR} .. {LAST_YEAR}"
                )
        start, end = _date(r["start"]), _date(r["end"])
        if end < start:
            _refuse(path, line, "end", r["end"], f"a date on or after start ({start.isoformat()})")
        days[line] = (start, end)
        try:
            v = float(r["value"])
        except ValueError:
            v = math.nan
        if not math.isfinite(v):
            _refuse(path, line, "value", r["value"], "a finite number")
        if r["measure"] in COUNTS and not (v >= 0 and v.is_integer()):
            _refuse(path, line, "value", r["value"], f"a count of {r['measure']}: a whole number >= 0")
        if r["measure"] in SHARES and not 0 <= v <= 1:
            _refuse(path, line, "value", r["value"], f"a share ({r['measure']}): a number from 0 to 1")
    if days:
        first = min(s for s, _ in days.values())
        line, (_, last) = max(days.items(), key=lambda x: x[1][1])
        if (last - first).days > MAX_YEARS * 365:  # the model's years, of 365 days
            _refuse(
                path,
                line,
                "end",
                last.isoformat(),
                f"a date within {MAX_YEARS:,.0f} years of the first period's start {first.isoformat()} "
                "(a run holds every period, and runs at most that long)",
            )
    considered = {}
    for line, r in data:
        if r["measure"] == "bills_considered":
            considered.setdefault(r["period"], (line, r))
    for line, r in data:
        if r["measure"] in PARTS and r["period"] in considered:
            at, whole = considered[r["period"]]
            if float(whole["value"]) == 0:
                _refuse(
                    path,
                    at,
                    "value",
                    whole["value"],
                    f"a count > 0 (the period's {r['measure']}, line {line}, is a share of it)",
                )
            if float(r["value"]) > float(whole["value"]):
                _refuse(
                    path,
                    line,
                    "value",
                    r["value"],
                    f"at most the period's bills_considered, {whole['value']} (line {at}): "
                    "a share of the bills on the books",
                )
    return [r for _, r in data]


def _obs(r: dict[str, str], measure: str, value: float, how: str, bound: str = "equal") -> Observation:
    return Observation(
        measure, r["body"], r["period"], _date(r["start"]), _date(r["end"]), value, bound, r["source"], how
    )


def _observations(data: list[dict[str, str]]) -> Iterator[Observation]:
    by_period: dict[str, list[dict[str, str]]] = {}
    for r in data:
        by_period.setdefault(r["period"], []).append(r)
    for rows_ in by_period.values():
        considered = next((r for r in rows_ if r["measure"] == "bills_considered"), None)
        for r in rows_:
            m, v = r["measure"], float(r["value"])
            if m == "bills_considered":
                yield _obs(r, "bills_considered", v, r["note"])
            elif m in ("bills_adopted", "deputy_initiated_bills") and considered is not None:
                whole = float(considered["value"])
                kind = "adopted_share" if m == "bills_adopted" else "deputy_share_of_considered"
                what = f"adopted by the {r['body']}" if m == "bills_adopted" else "initiated by deputies"
                yield _obs(r, kind, v / whole, f"{r['value']} {what} of {considered['value']} on the books")
            elif m == "laws_passed":
                yield _obs(r, "laws_adopted", v, r["note"])
            elif m == "laws_signed":
                yield _obs(r, "laws_signed", v, r["note"])
            elif m == "deputy_share_of_laws":
                yield _obs(r, "deputy_share_of_adopted", v, r["note"])
            elif m == "senate_returns":
                bound = "at_least" if "not a count" in r["note"] else "equal"
                yield _obs(r, "second_chamber_returns", v, r["note"], bound)


def recorded_range(moment: str, path: Path = DATA) -> tuple[float, float]:
    """The lowest and highest recorded value of the summary metric ``moment``."""
    values = [o.value for o in observations(path) if o.moment == moment]
    if not values:
        raise KeyError(moment)
    return min(values), max(values)


# -- the same counts on a model's ledger --------------------------------------------------------
class Counts:
    """What a ledger says per bill, for counting over any window of days: introduced, finished,
    adopted by parliament, passed by the first chamber (first sent to a reviewing chamber; the
    adoption itself where no chamber reviews), enacted, initiated by deputies; and the days a
    second chamber sent a law back."""

    def __init__(self, tables: dict[str, Table], parliament: ParliamentConf) -> None:
        bills, stages = tables["bills"], tables["stages"]
        self.introduced, self.finished = bills["introduced"], bills["finished"]
        self.adopted = bills["adopted"]
        self.enacted = bills["state"] == "enacted"
        deputies = [w for w, i in parliament.initiators.items() if i.deputies]
        self.deputies = np.isin(bills["initiator"], deputies)
        review = stages["kind"] == "review"
        if review.any():
            first = review & (stages["visit"] == 1)
            sent = dict(zip(stages["bill"][first].tolist(), stages["entered"][first].tolist(), strict=True))
            self.passed = np.array([sent.get(b, math.nan) for b in bills["bill"].tolist()], dtype=float)
        else:
            self.passed = self.adopted
        self.returned = stages["left"][review & np.isin(stages["outcome"], ["return", "amend"])]

    def count(self, measure: str, body: str, start: float, end: float) -> float:
        """``measure`` (a key of :data:`MEASURES`) by ``body`` over days [start, end)."""
        books = on_books(self.introduced, self.finished, start, end)
        adopted = self.adopted if body == "parliament" else self.passed
        done = (adopted >= start) & (adopted < end)
        if measure == "bills_considered":
            return float(books.sum())
        if measure == "adopted_share":
            return _ratio(done.sum(), books.sum())
        if measure == "laws_adopted":
            return float(done.sum())
        if measure == "laws_signed":
            return float((self.enacted & (self.finished >= start) & (self.finished < end)).sum())
        if measure == "deputy_share_of_considered":
            return _ratio((books & self.deputies).sum(), books.sum())
        if measure == "deputy_share_of_adopted":
            return _ratio((done & self.deputies).sum(), done.sum())
        if measure == "second_chamber_returns":
            return float(((self.returned >= start) & (self.returned < end)).sum())
        raise KeyError(measure)


def _ratio(part: float, whole: float) -> float:
    return float(part / whole) if whole else math.nan


@dataclass(frozen=True)
class Windows:
    """The observations' periods on a model's clock: each source date moved by whole years so that
    the earliest period opens after the model's warm-up, on the same day of the year (sessions and
    recesses line up); the gaps between periods are the recorded ones."""

    days: np.ndarray  # (observations x 2): [start, end) in days from the calendar's start
    shift_years: int

    @property
    def horizon_years(self) -> float:
        """Years a run must last to hold every window."""
        return float(self.days[:, 1].max()) / 365.0 if len(self.days) else 0.0


def windows(obs: Sequence[Observation], calendar_start: str, warmup_days: float) -> Windows:
    start = dt.date.fromisoformat(calendar_start)
    earliest = min(o.start for o in obs)
    shift = start.year - earliest.year - 1  # a year early: then the first year that fits
    while (_shifted(earliest, shift) - start).days < warmup_days:
        shift += 1
    days = [((_shifted(o.start, shift) - start).days, (_shifted(o.end, shift) - start).days + 1) for o in obs]
    return Windows(np.array(days, dtype=float).reshape(-1, 2), shift)


def _shifted(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def run_years(win: Windows) -> float:
    """How long a run lasts to hold every window: whole days, up to the day after the last closes."""
    return math.ceil(win.horizon_years * 365.0 + 1) / 365.0


def measure(counts: Counts, obs: Sequence[Observation], win: Windows) -> np.ndarray:
    """Each observation counted on one run (``counts``) over its window."""
    return np.array(
        [counts.count(o.measure, o.body, a, b) for o, (a, b) in zip(obs, win.days, strict=True)], dtype=float
    )


# -- a preset held to every recorded figure -------------------------------------------------------
def held_to_records(
    conf: Config, replications: int = 30, seed: int = 0, warmup_years: float = 1.0, path: Path = DATA
) -> pd.DataFrame:
    """Every recorded figure next to the same count on ``replications`` runs of ``conf``, as a table:
    the mean over runs with its 95% t-interval, and the range of 95% of single runs (a recorded figure
    is one period: it is plausible when it lies in that range); for a lower bound, the share of runs
    that reach it."""
    import pandas as pd

    from experiments.stats import t_interval
    from scenarios import simulate
    from scenarios.build import parliament_of
    from sim.engine.streams import replication_seeds

    obs = observations(path)
    win = windows(obs, conf.parliament.calendar.start, warmup_years * 365.0)
    run_conf = copy.deepcopy(conf)
    run_conf.years = run_years(win)
    parliament = parliament_of(run_conf)
    runs = np.array(
        [
            measure(Counts(simulate(run_conf, seed=s).tables, parliament), obs, win)
            for s in replication_seeds(seed, replications)
        ]
    )
    rows = []
    for j, o in enumerate(obs):
        col = runs[:, j][~np.isnan(runs[:, j])]
        mean, low, high = t_interval(col)
        lo_run, hi_run = (float(v) for v in np.percentile(col, [2.5, 97.5])) if col.size else (math.nan,) * 2
        reach = float(np.mean(col >= o.value)) if o.bound == "at_least" else math.nan
        inside = lo_run <= o.value <= hi_run if o.bound == "equal" else reach > 0.05
        rows.append(
            {
                "period": o.period,
                "body": o.body,
                "measure": o.measure,
                "recorded": o.value,
                "bound": o.bound,
                "model": mean,
                "ci_low": low,
                "ci_high": high,
                "runs_low": lo_run,
                "runs_high": hi_run,
                "share_of_runs_at_least": reach,
                "plausible": inside,
                "how": o.how,
                "source": o.source,
            }
        )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The table of :func:`held_to_records` as Markdown (shares as percentages)."""

    def show(v: float, share: bool) -> str:
        return "–" if not math.isfinite(v) else f"{100 * v:.1f}%" if share else f"{v:.1f}"

    lines = [
        "| period | body | measure, as the source counted it | recorded | model: mean [95% CI] "
        "| 95% of runs | plausible |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        share = "share" in r.measure
        rec = show(r.recorded, share) if r.bound == "equal" else f"at least {r.recorded:g}"
        model = f"{show(r.model, share)} [{show(r.ci_low, share)}, {show(r.ci_high, share)}]"
        spread = f"{show(r.runs_low, share)} - {show(r.runs_high, share)}"
        if r.bound == "at_least":
            spread = f"{100 * r.share_of_runs_at_least:.0f}% of runs reach it"
        verdict = "yes" if r.plausible else "**no**"
        what = f"{MEASURES[r.measure]}: {r.how}"
        lines.append(f"| {r.period} | {r.body} | {what} | {rec} | {model} | {spread} | {verdict} |")
    return "\n".join(lines)


#: Runs of one command: as many as a calibration's candidates or a design's points may be
#: (``scenarios/cost.py``); the work of the runs is held to the command's limits as well.
MAX_REPLICATIONS = MAX_POINTS


def main(argv: list[str] | None = None) -> None:
    """Print every recorded figure next to the same count on runs of a composed scenario."""
    import argparse

    from hydra import compose, initialize_config_dir

    from experiments.config_files import confined
    from experiments.errors import InputError, exit_for, one_line_usage
    from experiments.overrides import parse_overrides
    from scenarios import cost, register, validate
    from scenarios.allowlist import check_instantiable

    parser = argparse.ArgumentParser(prog="python -m experiments.observed", description=main.__doc__)
    parser.add_argument("overrides", nargs="*", help="parltwin overrides, e.g. parliament=kz_bicameral_2023")
    parser.add_argument(
        "--replications", type=int, default=30, help=f"runs of the scenario, 1 to {MAX_REPLICATIONS:,} (30)"
    )
    parser.add_argument("--csv", type=Path, default=None, help="also write the table here")
    one_line_usage(parser)
    args = parser.parse_args(argv)
    n = args.replications
    register()
    try:  # composed and checked as parltwin composes and checks a config (one line on an error)
        if not 1 <= n <= MAX_REPLICATIONS:
            raise InputError(f"--replications={n} is not allowed: an integer from 1 to {MAX_REPLICATIONS:,}")
        parse_overrides(list(args.overrides))  # its search paths checked
        with confined(), initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
            cfg = compose("config", overrides=list(args.overrides))
        check_instantiable(cfg)
        conf = validate(cfg)
        years = run_years(windows(observations(), conf.parliament.calendar.start, 365.0))
        runs = f"{counted(n, 'run')} of {years:.2f} years"  # a fraction: 1.00 years
        cost.check_total(cost.estimate(conf, n, years, runs))  # before any run
        table = held_to_records(conf, n, conf.seed)
        if args.csv is not None:
            from experiments.files import as_text_cells, write_text

            write_text(args.csv, table.assign(source=as_text_cells(table["source"])).to_csv(index=False))
    except Exception as e:
        exit_for(e)
    print(f"{conf.parliament.name}: {counted(n, 'run')}, seed {conf.seed}")
    print(markdown(table))


if __name__ == "__main__":
    main()
