"""Property: any command built from the presets and arbitrary overrides either runs or is refused with
exit code 2 and one line; never a traceback, a run past its cost estimate, or a file left behind.

Examples are derandomised (the same ones on every run) and few enough for CI (about a minute):
every example is checked in this process (``experiments.preflight.plan``, as ``parltwin`` does
first), the cheap accepted ones are run in this process, and a handful go through the installed
command in a new process.
"""

from __future__ import annotations

import math
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments import preflight
from experiments.errors import EXIT_BAD_INPUT, EXIT_IO, describe
from tests.conftest import run_cli
from tests.parltwin_cli import parltwin

#: Every preset, with what keeps a run of it short (the overrides drawn come after and may undo it).
PRESETS: list[list[str]] = [
    *([f"parliament={p}", "years=0.05"] for p in ("kz_bicameral_2023", "kz_kurultai_2026", "single_queue")),
    *(
        ["parliament=kz_kurultai_2026", f"channels={c}", "years=0.05"]
        for c in (
            "none",
            "kz_digital",
            "epetition_kz",
            "eotinish_kz",
            "open_legal_acts_kz",
            "analytics",
            "uk_petitions",
        )
    ),
    ["experiment=compare", "experiment.replications=1", "years=0.05"],
    ["experiment=reform_comparison", "experiment.replications=1", "years=0.05"],
    [
        "experiment=pluchino2011",
        "experiment.N=40",
        "experiment.acts=20",
        "experiment.legislatures=2",
        "experiment.step=20",
    ],
    [
        "experiment=sensitivity",
        "experiment.trajectories=2",
        "experiment.replications=1",
        "experiment.years=0.05",
        "experiment.warmup=0",
    ],
    [
        "experiment=calibrate",
        "experiment.replications=2",
        "experiment.grid=2",
        "experiment.max_evals=1",
        "experiment.warmup_years=0",
        "experiment.window_years=0.05",
    ],
]
KEYS = [
    "years", "seed", "quiet", "citizens.subgroups", "citizens.region_sd", "citizens.salience.threshold",
    "parliament.vote_noise", "parliament.complexity_sd", "parliament.arrival_rate", "parliament.servers",
    "parliament.service_mean", "parliament.chambers.mazhilis.seats", "parliament.chambers.kurultai.seats",
    "parliament.chambers.mazhilis.parties.amanat.seats", "parliament.chambers.kurultai.attendance",
    "parliament.chambers.mazhilis.agenda_capacity", "parliament.initiators.government.rate_per_year",
    "parliament.stages.committee.duration.mean", "parliament.stages.committee.duration.sd",
    "parliament.stages.signature.deadline_days", "parliament.stages.service.capacity",
    "parliament.committees.economy.size", "parliament.calendar.start", "parliament.head_of_state.noise_sd",
    "channels.voice.half_life_days", "channels.offline.delay_days",
    "channels.petitions.epetition_kz.threshold", "channels.appeals.eotinish_kz.capacity",
    "experiment.replications", "experiment.workers", "experiment.baseline", "experiment.metrics",
    "experiment.N", "experiment.acts", "experiment.legislatures", "experiment.step", "experiment.p",
    "experiment.trajectories", "experiment.samples", "experiment.method", "experiment.years",
    "experiment.grid", "experiment.max_evals", "experiment.outputs", "experiment.kind",
]  # fmt: skip
TYPOS = ["yeras", "parliament.chambers.mazhilis.seat", "experiment.replication", "citizens.subgroup"]
VALUES = [
    "0", "-1", "1", "2", "3", "7", "1000000000", "100000000000000000000", "1e300", "-1e300", "inf", "-inf",
    "nan", "0.5", "-0.5", "1e-300", "null", "true", "abc", "''", "[]", "[1,2]", "{a: 1}", "1,2",
    "${oc.env:HOME}", "'${now:%Y}'", "${oc.decode:'{_target_: os.getcwd}'}", "2023-01-01", "9999-12-31",
    "laws_per_year", "[laws_per_year,nope]", "sobol", "pluchino",
]  # fmt: skip
ATTACKS = [
    "+hydra.callbacks.x._target_=os.getcwd",
    "hydra.launcher._target_=os.getcwd",
    "+hydra.job_logging.handlers.h.class=os.getcwd",
    "+hydra.job.env_set.LD_PRELOAD=x",
    "hydra/launcher=joblib",
    "hydra.run.dir=/",
]
#: Runs a run must not exceed: the estimate (seconds on the reference machine) x this, plus startup.
SLACK, STARTUP = 50.0, 60.0
#: Runs of accepted examples in this process (the rest are only checked).
RUNS = 5


def override() -> st.SearchStrategy[str]:
    keys, values = st.sampled_from(KEYS), st.sampled_from(VALUES)
    return st.one_of(
        st.builds(lambda k, v: f"{k}={v}", keys, values),
        st.builds(lambda k, v: f"+{k}={v}", st.sampled_from(TYPOS + KEYS), values),
        st.builds(lambda k: f"~{k}", keys),
        st.sampled_from(ATTACKS),
    )


def commands() -> st.SearchStrategy[list[str]]:
    return st.builds(lambda p, o: [*p, *o], st.sampled_from(PRESETS), st.lists(override(), max_size=3))


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """A run that takes longer than ``seconds`` fails the test (no hang past the estimate)."""

    def stop(*_: object) -> None:
        raise TimeoutError(f"ran past its cost estimate ({seconds:.0f} s)")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _folders(root: Path) -> list[str]:
    return [f"hydra.run.dir={root / 'run'}", f"hydra.sweep.dir={root / 'sweep'}"]


def check(args: list[str]) -> preflight.Plan | None:
    """The command checked as ``parltwin`` checks it first: a plan, or None when it is refused with
    a documented one-line error (anything else fails the test)."""
    try:
        return preflight.plan(args)
    except Exception as e:
        known = describe(e)
        if known is None:
            raise
        code, line = known
        assert code in (EXIT_BAD_INPUT, EXIT_IO) and "\n" not in line and line.strip(), line
        return None


ran = {"count": 0}


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=commands())
def test_any_command_runs_or_is_refused_in_one_line(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        args = [*command, "quiet=true", *_folders(root)]
        with monkeypatch.context() as mp:
            mp.chdir(work)
            checked = check(args)
        if checked is None:
            assert list(root.iterdir()) == [work] and list(work.iterdir()) == []
            return
        seconds = checked.estimate.seconds
        assert math.isfinite(seconds) and seconds >= 0
        if ran["count"] >= RUNS or seconds > 2.0 or "hydra.run.dir=/" in command:
            return
        ran["count"] += 1
        with monkeypatch.context() as mp, deadline(STARTUP + SLACK * seconds):
            ended = parltwin(args, work, mp, capsys)
        if ended.code != 0:  # refused only once running (it should not be, but one line if so)
            assert ended.code in (EXIT_BAD_INPUT, EXIT_IO) and ended.one_line
        assert list(work.iterdir()) == []  # results only in the run or sweep folder
        assert {p.name for p in root.iterdir()} <= {"work", "run", "sweep"}


@settings(max_examples=3, derandomize=True, database=None, deadline=None)
@given(st.sampled_from(PRESETS), st.lists(override(), min_size=1, max_size=2))
def test_the_installed_command_refuses_in_one_line_too(preset: list[str], overrides: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        args = [*preset, *overrides, "quiet=true", *_folders(root)]
        res = run_cli(*args, cwd=root)
        assert "Traceback" not in res.stderr, res.stderr
        assert res.returncode in (0, EXIT_BAD_INPUT, EXIT_IO), res.stderr
        if res.returncode:
            assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("parltwin: error: ")
            assert list(root.iterdir()) == []
