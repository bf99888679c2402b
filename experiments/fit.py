"""``experiment=fit``: a twin from records. Estimates a parliament's numbers from bill histories
(``data=PATH``, the format of ``docs/records.md``), writes them as a preset that extends the base
preset, and replays the fitted preset against the records.

What is estimated, each with its interval (level ``experiment.level``), is in
:mod:`experiments.estimation`: arrival rates by initiator, topic shares, stage durations (the family
chosen by AIC, :mod:`experiments.durations`; moved by simulation to what the model needs,
:mod:`experiments.indirect`), outcome shares, withdrawals and the navette. The numbers the engine
takes as parameters go into the preset, each with its estimate, interval and method in a comment.

Then the fitted preset is simulated over the records' window (``replications`` runs, the calendar
starting on the window's first day) and compared with the records by two-sample tests
(:mod:`experiments.replay`), in ``report.html``. Writes ``fit.csv`` (every estimate),
``families.csv`` (every family's fit of every stage), ``replay.csv``, ``figures/*.png``,
``report.html`` and ``parliament/<name>.yaml``.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from experiments import records
from experiments.calibrate import base_preset
from experiments.estimation import (
    Fitted,
    Window,
    apply_fit,
    duration_estimates,
    estimate,
    families_table,
    parameter_values,
    timed_stages,
)
from experiments.files import mark_kind, write_text
from experiments.indirect import indirect
from experiments.params import check, options, positive_int
from experiments.presets import PresetText, fmt
from experiments.replay import replayed_ledgers
from experiments.table import render
from scenarios import Config
from scenarios.build import parliament_of
from scenarios.calendar import FIRST_YEAR, LAST_YEAR
from scenarios.errors import ConfigError, counted
from scenarios.validate import MAX_YEARS
from sim.engine.parliament import DISTRIBUTIONS, ParliamentConf

DEFAULTS: dict[str, Any] = {
    "replications": 20,
    "start": None,
    "end": None,
    "families": list(DISTRIBUTIONS),
    "min_visits": 10,
    "rounds": 3,
    "level": 0.95,
    "preset": None,
}


#: Stage kinds whose time is a duration of the preset (a vote's time is its wait for a sitting).
def window_of(recs: pd.DataFrame, s: dict[str, Any]) -> Window:
    """The observation window: by default from the records' first day to the day after their last;
    ``experiment.start`` may open it earlier, ``experiment.end`` close it later (the day the register
    was read: visits still open are open until then), never inside the records."""
    first = recs["entered"].min().date()
    last = max(recs["entered"].max(), recs["left"].max()).date()
    start = _date(s, "start", first)
    end = _date(s, "end", last + dt.timedelta(days=1))
    check(s, "start", start <= first, f"a date on or before the records' first day {first.isoformat()}")
    check(s, "end", end > last, f"a date after the records' last day {last.isoformat()}")
    if not FIRST_YEAR <= start.year <= LAST_YEAR:  # the replay's calendar starts on it, as a preset's
        allowed = f"a date in the years {FIRST_YEAR} .. {LAST_YEAR} (the replay's calendar starts on it)"
        if s["start"] is None:
            raise ConfigError("data: the records' first day", first.isoformat(), allowed)
        check(s, "start", False, allowed)
    within = f"{MAX_YEARS:,.0f} years of the window's start {start.isoformat()} (the replay runs that long)"
    check(s, "end", (end - start).days <= MAX_YEARS * 365, f"a date within {within}")
    return Window(start, float((end - start).days))


def _date(s: dict[str, Any], key: str, default: dt.date) -> dt.date:
    v = s[key]
    if v is None:
        return default
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise ConfigError(f"experiment.{key}", v, "null or a date YYYY-MM-DD") from None


# -- the preset ---------------------------------------------------------------------------------
def _ci(lo: float, hi: float) -> str:
    return f"[{lo:.4g}, {hi:.4g}]" if math.isfinite(lo) and math.isfinite(hi) else "[undefined]"


def preset_yaml(
    base: str, name: str, parliament: ParliamentConf, fitted: Fitted, data: str, level: float
) -> str:
    """A preset that extends ``base`` and sets every fitted number, each with its estimate, interval
    and method; every fitted number's plausible range (``ranges``) is its interval."""
    w = fitted.window
    end = w.start + dt.timedelta(days=int(w.days) - 1)
    text = PresetText(
        base,
        name,
        [
            f"{name}: {base} with the numbers estimated from bill records (parltwin experiment=fit).",
            f"Records: {data}: {counted(fitted.bills, 'bill')}, {counted(fitted.visits, 'stage visit')}, "
            f"{w.start} - {end}.",
            f"Every fitted number's comment gives its method and its {level:.0%} interval; the interval is",
            "also its plausible range under `ranges`. Every other value is the base's, with its sources",
            f"there. Use: parltwin --config-dir <this run folder> parliament={name}",
        ],
    )
    for e in fitted.estimates:
        if e.path is not None and e.quantity != "duration":
            text.set(e.path, fmt(round(e.estimate, 6)), f"fitted: {e.note}; {e.method} {_ci(e.low, e.high)}")
            text.range(e.path, e.low, e.high)
    for d in fitted.durations:
        c = d.chosen
        if c.family in ("lognormal", "gamma"):
            value = f"{{dist: {c.family}, mean: {fmt(round(d.mean, 3))}, sd: {fmt(round(d.sd, 3))}}}"
            how = f"mean {_ci(*d.mean_ci)}, sd {_ci(*d.sd_ci)}"
            text.range(f"{d.timed.path}.sd", *d.sd_ci)
        else:
            value = f"{{dist: {c.family}, mean: {fmt(round(d.mean, 3))}, sd: 0}}"
            how = f"mean {_ci(*d.mean_ci)}"
        text.range(f"{d.timed.path}.mean", *d.mean_ci)
        others = ", ".join(
            f"{f.family} {f.aic - c.aic:+.1f}" for f in d.fits if f is not c and math.isfinite(f.aic)
        )
        why = f"fitted: {counted(d.n, 'visit')}; {c.family} by AIC (others' AIC: {others}); {how}"
        text.set(d.timed.path, value, why)
        if c.family == "fixed" and d.timed.path.endswith(".duration"):
            path = d.timed.path.replace(".duration", ".scale_by_complexity")
            text.set(path, "false", "fitted: a fixed time, alike for every bill")
    for path, (lo, hi) in list(text.ranges.items()):  # a range must hold its value
        value = lookup_fitted(path, fitted)
        if not lo <= value <= hi:
            del text.ranges[path]
    # An exponential or fixed duration has no spread of its own (sd 0, unused): no range for it.
    spreadless = {
        f"{d.timed.path}.sd" for d in fitted.durations if d.chosen.family not in ("lognormal", "gamma")
    }
    for path in parliament.ranges:  # a base range of a fitted number without an interval: widened
        if path not in text.ranges and path not in spreadless and _fitted(path, fitted):
            value = lookup_fitted(path, fitted)
            lo, hi = (float(v) for v in parliament.ranges[path])
            text.range(path, min(lo, value), max(hi, value))
    return text.text("a fitted number's plausible range is its interval")


def _fitted(path: str, fitted: Fitted) -> bool:
    try:
        lookup_fitted(path, fitted)
    except KeyError:
        return False
    return True


def lookup_fitted(path: str, fitted: Fitted) -> float:
    for e in fitted.estimates:
        if e.path == path:
            return e.estimate
    for d in fitted.durations:
        if path == f"{d.timed.path}.mean":
            return d.mean
        if path == f"{d.timed.path}.sd":
            return d.sd
    raise KeyError(path)


# -- the runner ---------------------------------------------------------------------------------
def settings(cfg: DictConfig, conf: Config) -> dict[str, Any]:
    s = options(cfg.experiment, DEFAULTS)
    positive_int(s, "replications", 2)
    positive_int(s, "min_visits", 2)
    positive_int(s, "rounds", 0)
    v = s["level"]
    check(s, "level", isinstance(v, float) and 0.5 <= v < 1, "a level in [0.5, 1), e.g. 0.95")
    fams = s["families"]
    ok = isinstance(fams, list) and bool(fams) and all(f in DISTRIBUTIONS for f in fams)
    check(s, "families", ok, f"a non-empty list of {', '.join(DISTRIBUTIONS)}")
    check(s, "preset", s["preset"] is None or str(s["preset"]).isidentifier(), "null or a name")
    if conf.data is None:
        raise ConfigError(
            "data", None, "a file of bill records: parltwin experiment=fit data=PATH (docs/records.md)"
        )
    return s


def _line(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"fit: {text}", file=sys.stderr, flush=True)


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Read and check the records, estimate, replay, and write the preset, tables and report."""
    from experiments import fit_report, replay
    from sim.engine.streams import replication_seeds

    s = settings(cfg, conf)
    quiet = bool(conf.quiet)
    parliament = parliament_of(conf)
    recs = records.read(conf.data)
    records.check_names(recs, conf.parliament, conf.data)
    window = window_of(recs, s)
    tables = records.to_ledger(recs, parliament, window.start)
    seen = f"{counted(recs['bill'].nunique(), 'bill')}, {counted(len(recs), 'stage visit')}"
    _line(quiet, f"{seen} over {counted(window.days, 'day', 'g')}")
    fitted = estimate(tables, conf.parliament, window, s)
    seeds = replication_seeds(conf.seed, int(s["replications"]))
    indirect(
        conf,
        fitted,
        seeds[: min(len(seeds), 8)],
        int(s["rounds"]),
        float(s["level"]),
        lambda k, gap: _line(quiet, f"durations, round {k}: largest gap to the records {gap:.1%}"),
    )
    fitted.estimates.extend(duration_estimates(fitted))
    values = parameter_values(fitted)
    replay_conf = apply_fit(conf, values, window.start, window.years)
    _line(quiet, f"replaying the fitted preset: {counted(len(seeds), 'run')} of {window.years:.2f} years")
    runs = replayed_ledgers(replay_conf, seeds, window.start, parliament_of(replay_conf))
    comparison = replay.compare(tables, runs, timed_stages(conf.parliament))
    base = base_preset(cfg)
    name = s["preset"] or f"{conf.parliament.name}_fitted"
    table = pd.DataFrame([e.__dict__ for e in fitted.estimates]).rename(
        columns={"low": "ci_low", "high": "ci_high"}
    )
    mark_kind(out, "fit")
    write_text(out / "fit.csv", table.to_csv(index=False))
    write_text(out / "families.csv", families_table(fitted).to_csv(index=False))
    write_text(out / "replay.csv", comparison.tests.to_csv(index=False))
    preset = out / "parliament" / f"{name}.yaml"
    write_text(preset, preset_yaml(base, name, conf.parliament, fitted, str(conf.data), float(s["level"])))
    report = fit_report.write(
        out,
        fitted=fitted,
        table=table,
        comparison=comparison,
        data=str(conf.data),
        base=base,
        preset=preset,
        seeds=seeds,
        skipped=fitted.skipped,
    )
    if not quiet:
        shown = table[table["path"].notna()][["path", "estimate", "ci_low", "ci_high"]]
        print(render(shown.values.tolist(), header=["fitted (preset path)", "estimate", "ci_low", "ci_high"]))
        t = comparison.tests
        print(
            render(
                t[["comparison", "test", "p_value", "p_holm", "verdict"]].values.tolist(),
                header=["replay against the records", "test", "p", "p (Holm)", "verdict"],
            )
        )
        print(f"preset: {preset}")
        print(f"report: {report}")
    return {
        "preset": str(preset),
        "report": str(report),
        "estimates": len(table),
        "tests": len(comparison.tests),
    }
