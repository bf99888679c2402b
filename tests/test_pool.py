"""One pool for the replications of many scenarios: the same files on every backend, in the order of
the tasks, every worker gone when it ends, one BLAS thread a process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from experiments.compare import scenario_config
from experiments.compare_spec import compare_spec
from experiments.pool import PoolSpec, imap, one_blas_thread, start_ahead
from experiments.replicate import Task, load_records, pending, run_tasks
from scenarios import ConfigError, validate
from sim.engine.streams import replication_seeds
from tests.conftest import PARLTWIN, compose_config, is_worker
from tests.parltwin_cli import parltwin

SCENARIOS = {
    "bicameral": ["years=0.5"],
    "kurultai_digital": ["parliament=kz_kurultai_2026", "channels=kz_digital", "years=0.5"],
}


def tasks(root: Path) -> list[Task]:
    """Two replications of each of two scenarios, each scenario into its own folder under ``root``."""
    out = []
    for name, overrides in SCENARIOS.items():
        conf = validate(compose_config(overrides))
        out += pending(conf, replication_seeds(3, 2), root / name, f"fp-{name}")
    return out


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_serial_local_pool_and_dask_write_the_same_bytes(tmp_path: Path) -> None:
    serial = run_tasks(tasks(tmp_path / "serial"), PoolSpec(workers=1))
    pooled = run_tasks(tasks(tmp_path / "pool"), PoolSpec(workers=2))
    dask = run_tasks(tasks(tmp_path / "dask"), PoolSpec(backend="dask", workers=2))
    assert serial == pooled == dask
    assert [r["replication"] for r in serial] == [0, 1, 0, 1]  # in the order of the tasks
    want = files(tmp_path / "serial")
    assert any(name.endswith(".parquet") for name in want) and any("metrics.json" in n for n in want)
    assert files(tmp_path / "pool") == want
    assert files(tmp_path / "dask") == want
    # Resume: everything is finished, so nothing is left to run.
    assert tasks(tmp_path / "pool") == []


def test_a_local_dask_cluster_answers_nothing_over_http_and_leaves_port_8787_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import distributed

    answers: dict[tuple[str, int], int] = {}

    class Probed(distributed.LocalCluster):
        """The pool's cluster, asked over HTTP for its health once it has started."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            s = self.scheduler
            servers = [sock.getsockname()[:2] for sock in s.http_server._sockets.values()]
            servers += [(w.host, w.services["dashboard"]) for w in s.workers.values()]
            for host, port in servers:
                try:
                    with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=10) as r:
                        answers[host, port] = r.status
                except urllib.error.HTTPError as e:
                    answers[host, port] = e.code

    monkeypatch.setattr(distributed, "LocalCluster", Probed)
    assert list(imap(abs, [-1, 2], PoolSpec(backend="dask", workers=2))) == [1, 2]
    assert len(answers) == 3  # the scheduler's server and each worker's
    assert {host for host, _ in answers} == {"127.0.0.1"}
    assert 8787 not in {port for _, port in answers}  # Dask's default: a second cluster would collide
    assert set(answers.values()) == {404}  # no health, metrics or cluster pages


def test_a_local_dask_cluster_starts_no_more_workers_than_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """experiment.workers=12 for two replications started twelve processes on a 2-core machine."""
    import distributed

    started: list[int] = []

    class Counted(distributed.LocalCluster):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(len(self.scheduler.workers))

    monkeypatch.setattr(distributed, "LocalCluster", Counted)
    assert list(imap(abs, [-1, 2], PoolSpec(backend="dask", workers=12))) == [1, 2]
    assert started == [2]


def digest_read(_: int) -> int:
    """How many model digests this worker holds before it is asked for one (1: read in advance)."""
    from experiments.manifest import model_code

    return model_code.cache_info().currsize


def test_workers_carry_the_model_digest_read_when_their_server_imported_the_code() -> None:
    """A worker read the digest of the files on disk at its first replication: under an explorer
    left running while the code changed, its records said new code for numbers the old code made."""
    assert set(imap(digest_read, range(4), PoolSpec(workers=2))) == {1}


def test_workers_do_not_run_the_parents_main_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As when Streamlit runs the explorer's page as ``__main__``: a worker that imported the script
    would run the page again."""
    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'a').write('x')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    assert list(imap(abs, [-1, -2, 3], PoolSpec(workers=2))) == [1, 2, 3]
    assert not marker.exists()
    assert sys.modules["__main__"] is page  # the parent's own, once the workers have started


def test_tasks_without_a_folder_only_return_their_records(tmp_path: Path) -> None:
    conf = validate(compose_config(["years=0.25"]))
    recs = run_tasks([Task(conf, seed) for seed in (5, 6)], PoolSpec(workers=2))
    assert [r["seed"] for r in recs] == [5, 6] and recs[0]["summary"] != recs[1]["summary"]
    assert list(tmp_path.iterdir()) == []


def slow_first(x: float) -> tuple[float, int]:
    """The earlier items take longer, so that they finish last."""
    time.sleep(x)
    return x, os.getpid()


def test_results_come_in_the_order_of_the_items_from_several_processes() -> None:
    items = [1.5, 0.2, 0.0, 0.0]  # the first long enough that the second worker has started under load
    out = list(imap(slow_first, items, PoolSpec(workers=2)))
    assert [x for x, _ in out] == items
    assert len({pid for _, pid in out}) == 2 and os.getpid() not in {pid for _, pid in out}


def blas_threads(_: int) -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_every_process_that_runs_replications_has_one_blas_thread() -> None:
    for threads in imap(blas_threads, [0, 1], PoolSpec(workers=2)):
        assert threads and set(threads) == {1}
    one_blas_thread()
    assert set(blas_threads(0)) == {1}


def loaded(_: int) -> list[bool]:
    """Whether the replications' module and the ledgers' libraries are in this worker on arrival."""
    import sys

    return [m in sys.modules for m in ("experiments.replicate", "pyarrow.parquet", "pandas")]


def test_workers_start_with_what_replications_import_and_only_a_local_pool_starts_ahead() -> None:
    assert not start_ahead(PoolSpec(workers=1), 10)
    assert not start_ahead(PoolSpec(workers=2), 1)  # one task runs in this process
    assert not start_ahead(PoolSpec("dask", 2), 10)
    assert start_ahead(PoolSpec(workers=2), 10)
    # imported by the forkserver before it forked them: not once by each worker
    assert list(imap(loaded, [0, 1], PoolSpec(workers=2))) == [[True, True, True]] * 2


def arrival() -> tuple[bool, int, int]:
    """Whether matplotlib is loaded in this process on arrival, its pid and its parent's."""
    import sys

    return "matplotlib" in sys.modules, os.getpid(), os.getppid()


#: A process that starts the forkserver ahead with the figures' module, then asks for side processes.
_SIDE = """
import os
from experiments.pool import PoolSpec, side_processes, start_ahead
with side_processes("experiments.plots", 2) as sides:
    assert sides == []  # no forkserver yet: the work stays in this process
assert start_ahead(PoolSpec(workers=2), 10, also=["experiments.plots"])
with side_processes("json") as sides:
    assert sides == []  # the forkserver did not import it
from tests.test_pool import arrival
with side_processes("experiments.plots", 2) as sides:
    got = [side.submit(arrival).result() for side in sides]
assert len(got) == 2 and len({pid for _, pid, _ in got}) == 2
for has_plots, pid, parent in got:
    print(has_plots, pid != os.getpid(), parent != os.getpid(), pid)
"""


def test_side_processes_come_from_a_forkserver_that_imported_their_module_and_are_gone_after() -> None:
    res = subprocess.run([str(PARLTWIN.with_name("python")), "-c", _SIDE], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        has_plots, elsewhere, forked, pid = line.split()
        assert (has_plots, elsewhere, forked) == ("True", "True", "True")  # forked from the forkserver
        assert not psutil.pid_exists(int(pid))


#: A user's script: every process that imports it marks a file; its own process (under the main
#: guard) then starts other processes with ``work``.
_SCRIPT = """
import os, sys
sys.path.insert(0, {root!r})
open({marker!r}, "a").write("x")
if __name__ == "__main__":
{work}
"""
#: Side processes forked from the workers' server, and a local Dask cluster's workers.
_STARTS = {
    "side processes": """
    from experiments.pool import PoolSpec, side_processes, start_ahead
    assert start_ahead(PoolSpec(workers=2), 10, also=["experiments.plots"])
    with side_processes("experiments.plots", 2) as sides:
        pids = [side.submit(os.getpid).result() for side in sides]
    assert len(set(pids)) == 2 and os.getpid() not in pids""",
    "a local Dask cluster": """
    from experiments.pool import PoolSpec, imap
    assert list(imap(abs, [-1, 2], PoolSpec("dask", 2))) == [1, 2]""",
}


@pytest.mark.parametrize("started", list(_STARTS))
def test_processes_started_for_a_script_do_not_import_it(started: str, tmp_path: Path) -> None:
    """A process started by multiprocessing imports its parent's script as ``__mp_main__``, running
    all of it that is not under a main guard (the explorer's page, which Streamlit runs as
    ``__main__``, has none)."""
    marker, script = tmp_path / "imported", tmp_path / "study.py"
    root = str(Path(__file__).parents[1])
    script.write_text(_SCRIPT.format(root=root, marker=str(marker), work=_STARTS[started]))
    res = subprocess.run([str(PARLTWIN.with_name("python")), str(script)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert marker.read_text() == "x"  # by the script's own process only


def test_the_main_job_starts_its_workers_server_with_the_figures_module(tmp_path: Path) -> None:
    from experiments import plots
    from experiments.preflight import plan

    main = ["experiment=reform_comparison", "experiment.replications=3", f"hydra.sweep.dir={tmp_path}"]
    checked = plan(main)
    assert checked.pool is not None
    _, tasks, also = checked.pool
    assert tasks == 4 * 3 and plots.__name__ in also  # one pool for the sweep; its figure aside
    assert plan(["experiment=compare", f"hydra.run.dir={tmp_path}"]).pool[2] == also
    assert plan([f"hydra.run.dir={tmp_path}"]).pool is None  # a single run has no pool


def test_the_workers_server_is_asked_for_before_the_jobs_are_checked(tmp_path: Path) -> None:
    from hydra.errors import MissingConfigException

    from experiments.preflight import plan

    asked: list[tuple] = []
    main = ["experiment=reform_comparison", "experiment.replications=3", f"hydra.sweep.dir={tmp_path}"]
    checked = plan(main, ahead=asked.append)
    spec, _, also = checked.pool
    assert asked == [(spec, 3, also)]  # the first composition's pool: its jobs not counted yet
    asked.clear()
    with pytest.raises(MissingConfigException):  # the second job's scenario does not exist
        plan([*main, "+scenario=kz_bicameral_2023,no_such_scenario"], ahead=asked.append)
    assert asked == [(spec, 3, also)]  # asked for all the same: the caller stops it
    asked.clear()
    assert plan([f"hydra.run.dir={tmp_path}"], ahead=asked.append).pool is None
    assert asked == []  # a single run: no replications, nothing to start


#: Starts the forkserver ahead with a module that takes ten minutes to import, then stops it.
_STOP = """
import sys
sys.path.insert(0, sys.argv[1])
from multiprocessing import forkserver
from experiments.pool import PoolSpec, start_ahead, stop_ahead
assert start_ahead(PoolSpec(workers=2), 10, also=["slow_to_import"])
pid = forkserver._forkserver._forkserver_pid
stop_ahead()
stop_ahead()  # a second call has nothing to stop
print(pid)
"""


def test_a_server_started_ahead_is_stopped_at_once_if_the_command_fails_its_checks(tmp_path: Path) -> None:
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(600)\n")
    python = str(PARLTWIN.with_name("python"))
    # Not left to finish its imports (ten minutes) and see that its parent has gone.
    res = subprocess.run([python, "-c", _STOP, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert not psutil.pid_exists(int(res.stdout))


def test_a_main_job_that_fails_a_check_on_its_jobs_leaves_no_process(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [str(PARLTWIN), "experiment=reform_comparison", "+scenario=kz_bicameral_2023,no_such_scenario"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and len(err.decode().strip().splitlines()) == 1, err.decode()
    assert "no_such_scenario" in err.decode()
    assert _no_process_left(proc.pid)
    assert list(tmp_path.iterdir()) == []


def _no_process_left(group: int, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _start(tmp_path: Path, *args: str) -> subprocess.Popen:
    cmd = [str(PARLTWIN), "experiment=compare", "quiet=true", f"hydra.run.dir={tmp_path / 'run'}", *args]
    env = {**os.environ, "CI": "true"}
    return subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def _workers_seen(proc: subprocess.Popen, least: int, until: Path | None = None, within: float = 60.0) -> int:
    """The most worker processes ``proc`` had at once (not multiprocessing's resource tracker or
    forkserver, but the processes forked from it, or a Dask cluster's workers), polling until
    ``least`` are seen and ``until`` exists."""
    most, end = 0, time.monotonic() + within
    while proc.poll() is None and time.monotonic() < end:
        try:
            children = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            break
        most = max(most, sum(1 for c in children if is_worker(c, proc.pid)))
        if most >= least and (until is None or until.exists()):
            break
        time.sleep(0.05)
    return most


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_no_process_is_left_behind_when_a_run_ends(tmp_path: Path, backend: str) -> None:
    proc = _start(
        tmp_path,
        "experiment.replications=4",
        "years=0.5",
        "experiment.workers=2",
        f"experiment.backend={backend}",
    )
    assert _workers_seen(proc, least=2) >= 2  # the replications really ran in other processes
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert len(load_records(tmp_path / "run")) == 4
    assert _no_process_left(proc.pid)
    # All its output reached the pipe (the command's objects are frozen before its teardown), and a
    # quiet run's local cluster says nothing of its life.
    assert out.decode().splitlines()[-1] == f"report: {tmp_path / 'run' / 'report.html'}"
    assert "INFO" not in err.decode(), err.decode()


def test_the_workers_server_ends_with_the_command_that_started_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from multiprocessing import forkserver

    from experiments import pool

    served, real = [], pool._forkserver

    def spy(preload: list[str]) -> object:
        ctx = real(preload)
        served.append(forkserver._forkserver._forkserver_pid)
        return ctx

    monkeypatch.setattr(pool, "_forkserver", spy)
    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "experiment.workers=2"]
    args += ["quiet=true", f"hydra.run.dir={tmp_path / 'run'}"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    assert len(load_records(tmp_path / "run")) == 2
    assert served and pool._served is None
    assert not any(psutil.pid_exists(pid) for pid in set(served))  # not left to notice by itself


def test_no_process_is_left_behind_when_a_run_is_interrupted(tmp_path: Path) -> None:
    # Many replications: the interrupt comes long before the last, however fast the machine.
    proc = _start(tmp_path, "experiment.replications=400", "years=2", "experiment.workers=2")
    first = tmp_path / "run" / "replications" / "r0000.json"
    assert _workers_seen(proc, least=2, until=first) >= 2  # interrupted while the workers run
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal signals the whole group
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert _no_process_left(proc.pid)
    assert len(load_records(tmp_path / "run")) < 400


def test_a_job_config_that_does_not_match_its_fingerprint_is_refused(tmp_path: Path) -> None:
    from experiments.compare import CONFIG, fingerprint
    from experiments.manifest import config_yaml, resolved

    cfg = compose_config(["parliament=kz_kurultai_2026"])
    (tmp_path / CONFIG).write_text(config_yaml(resolved(cfg)))  # as the job writes it
    manifest = {"fingerprint": fingerprint(cfg)}
    assert scenario_config(tmp_path, manifest) == validate(cfg)
    edited = (tmp_path / CONFIG).read_text().replace("seats: 145", "seats: 146", 1)
    (tmp_path / CONFIG).write_text(edited)
    with pytest.raises(ConfigError, match="run folder"):
        scenario_config(tmp_path, manifest)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"backend": "ray"}, "experiment.backend"),
        ({"scheduler": "tcp://127.0.0.1:8786"}, "experiment.scheduler"),  # needs backend=dask
        ({"pool": "cluster"}, "experiment.pool"),
        ({"workers": -1}, "experiment.workers"),
    ],
)
def test_bad_pool_parameters_are_refused_by_name(bad: dict, field: str) -> None:
    with pytest.raises(ConfigError) as e:
        compare_spec({"kind": "compare", **bad})
    assert e.value.field == field


def test_pool_parameters_make_a_pool_spec() -> None:
    spec = compare_spec({"kind": "compare", "backend": "dask", "scheduler": "tcp://127.0.0.1:8786"})
    assert spec.pool_spec == PoolSpec("dask", 0, "tcp://127.0.0.1:8786")
    assert PoolSpec(workers=0).processes == len(os.sched_getaffinity(0))


def test_a_sweep_takes_the_config_its_job_handed_over_once_and_only_for_that_scenario(
    tmp_path: Path,
) -> None:
    from experiments.compare import CONFIG, fingerprint, job_config
    from experiments.compare_spec import KIND
    from experiments.composition import hand_over, of_folder
    from experiments.manifest import config_yaml, resolved

    cfg = compose_config(["parliament=kz_kurultai_2026"])
    (tmp_path / CONFIG).write_text(config_yaml(resolved(cfg)))  # as the job writes it
    manifest = {"fingerprint": fingerprint(cfg)}
    conf = validate(cfg)
    hand_over(of_folder(KIND, tmp_path), (manifest["fingerprint"], conf))
    assert job_config(tmp_path, manifest) is conf  # what the job ran in this process
    again = job_config(tmp_path, manifest)  # taken once: then rebuilt from the folder, the same
    assert again is not conf and again == conf
    hand_over(of_folder(KIND, tmp_path), ("another scenario", conf))
    assert job_config(tmp_path, manifest) is not conf


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_a_scheduler_given_by_address_is_checked_before_anything_is_written_and_runs_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments.explorer.serve import free_port
    from tests.parltwin_cli import parltwin

    def run(*more: str):
        args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", *more]
        return parltwin(args, tmp_path, monkeypatch, capsys)

    for address in ("host:8786", f"tcp://127.0.0.1:{free_port()}"):  # not an address; nobody there
        ended = run("experiment.backend=dask", f"experiment.scheduler={address}", "hydra.run.dir=x")
        assert ended.code == 2 and "experiment.scheduler=" in ended.one_line
        assert list(tmp_path.iterdir()) == []
    # a preset of the user's naming a scheduler: work and pickles would go to whoever runs it
    (tmp_path.parent / "mine" / "experiment").mkdir(parents=True, exist_ok=True)
    (tmp_path.parent / "mine" / "experiment" / "far.yaml").write_text(
        "defaults:\n  - compare\n  - _self_\nbackend: dask\nscheduler: tcp://127.0.0.1:8786\n"
    )
    args = [
        "--config-dir",
        str(tmp_path.parent / "mine"),
        "experiment=far",
        "experiment.replications=2",
        "quiet=true",
    ]
    ended = parltwin([*args, "hydra.run.dir=x"], tmp_path, monkeypatch, capsys)
    assert ended.code == 2 and "given on the command line, not by a preset" in ended.one_line
    assert list(tmp_path.iterdir()) == []
    # nor by a sweep's parameters, for its second job (only the first job's pool was checked)
    (tmp_path.parent / "mine" / "experiment" / "swept.yaml").write_text(
        "# @package _global_\ndefaults:\n  - compare\n  - _self_\nexperiment:\n  backend: dask\n"
        "  pool: job\nhydra:\n  sweeper:\n    params:\n"
        "      experiment.scheduler: 'null,tcp://127.0.0.1:8786'\n"
    )
    args = ["--config-dir", str(tmp_path.parent / "mine"), "experiment=swept", "experiment.replications=2"]
    ended = parltwin(["-m", *args, "quiet=true", "hydra.sweep.dir=x"], tmp_path, monkeypatch, capsys)
    assert ended.code == 2 and "given on the command line, not by a preset" in ended.one_line
    assert list(tmp_path.iterdir()) == []
    port = free_port()
    dask = [str(Path(sys.executable).with_name("dask"))]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    here = ["--host", "127.0.0.1", "--no-dashboard"]
    scheduler = subprocess.Popen([*dask, "scheduler", "--port", str(port), *here], **quiet)
    deadline = time.monotonic() + 60
    while not _listening(port):
        assert time.monotonic() < deadline, "the scheduler did not start"
        time.sleep(0.2)
    address = f"tcp://127.0.0.1:{port}"
    worker = subprocess.Popen(
        [*dask, "worker", address, "--nworkers", "1", "--nthreads", "1", *here], **quiet
    )
    try:
        ran = run("experiment.backend=dask", f"experiment.scheduler={address}", "hydra.run.dir=dask")
        assert ran.code == 0, ran.err
    finally:
        for p in (worker, scheduler):
            p.terminate()
            p.wait(timeout=60)
    assert run("experiment.workers=1", "hydra.run.dir=serial").code == 0
    records = files(tmp_path / "serial" / "replications")
    assert len(records) == 2 and files(tmp_path / "dask" / "replications") == records


def test_a_dask_worker_whose_blas_runs_another_kernel_refuses_its_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker that joined the cluster with numpy loaded first runs OpenBLAS's own kernel, whose
    dot products give other ledgers: it refuses, as one whose numpy gives other numbers does."""
    import threadpoolctl

    from agents import numerics
    from experiments import pool

    monkeypatch.setattr(numerics, "has_features", lambda *flags: True)
    info = [{"internal_api": "openblas", "architecture": "SkylakeX"}]
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: info)
    pool.blas_as_set.cache_clear()  # asked once a process: this one asks again for each kernel
    with pytest.raises(RuntimeError, match="OPENBLAS_CORETYPE=Haswell"):
        pool._call(abs, -1)
    info[0]["architecture"] = numerics.BLAS_CORE
    pool.blas_as_set.cache_clear()
    assert pool._call(abs, -1) == 1
    pool.blas_as_set.cache_clear()  # the next test's process answer is its own


#: A listener that answers Dask's handshake with a value that runs code when unpickled: the check of
#: a scheduler's address read it as a scheduler's, and ran it.
PICKLING_LISTENER = """
import asyncio, sys
from distributed.comm import listen
from distributed.comm.core import Comm
from distributed.protocol.serialize import Serialize, ToPickle

class Ran:
    def __reduce__(self):
        return (open, (sys.argv[1], "w"))

own = Comm.handshake_info
def handshake_info(self):
    return {**own(self), "x": (Serialize if sys.argv[2] == "serialize" else ToPickle)(Ran())}
Comm.handshake_info = handshake_info

async def handle(comm):
    try:
        await comm.read()
    except Exception:
        pass

async def main():
    listener = listen(f"tcp://127.0.0.1:{sys.argv[3]}", handle)
    await listener.start()
    print("listening", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


@pytest.mark.parametrize("wrapped", ["serialize", "to_pickle"])
def test_the_check_of_a_schedulers_address_unpickles_nothing_it_is_sent(wrapped: str, tmp_path: Path) -> None:
    from experiments import preflight
    from experiments.explorer.serve import free_port
    from scenarios import ConfigError

    port, ran = free_port(), tmp_path / "RAN"
    listener = subprocess.Popen(
        [sys.executable, "-c", PICKLING_LISTENER, str(ran), wrapped, str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert listener.stdout is not None and listener.stdout.readline().strip() == "listening"
        with pytest.raises(ConfigError, match="holds a pickled value"):
            preflight.check_scheduler(f"tcp://127.0.0.1:{port}")
    finally:
        listener.kill()
        listener.wait()
    assert not ran.exists()
