"""One pool for many replications: in this process, in local worker processes, or on a Dask cluster.

:func:`imap` applies a function to a list of items and yields the results in the order of the items,
whatever order they finish in, so that what the caller writes is the same on every backend. The
function and the items must be picklable (a module-level function; plain data and dataclasses).

- ``local`` with 1 worker runs in this process; with more, in worker processes forked from a
  forkserver that has imported the function's module once (no import per worker, no thread of this
  process copied into a child). The pool is terminated when the iteration ends, is interrupted or
  fails: no worker outlives it.
- ``dask`` submits to the scheduler at ``scheduler`` (``tcp://host:port``, e.g. a cluster started by
  dask-jobqueue on SLURM), or starts a ``LocalCluster`` of ``workers`` single-threaded processes
  bound to 127.0.0.1 and closes it at the end.

Every process that runs replications (this one included) uses one BLAS thread: the replications
already fill the cores, extra BLAS threads only compete for them (and the sums of a multi-threaded
BLAS can depend on the number of threads).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Executor

BACKENDS = ("local", "dask")
#: Environment variables that set the thread count of the BLAS and OpenMP libraries numpy may load,
#: read when such a library starts (in a new worker process).
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
_capped: list[Any] = []


@dataclass(frozen=True)
class PoolSpec:
    """Where replications run: the backend, its number of worker processes, a Dask scheduler."""

    backend: str = "local"
    workers: int = 1  # 0: one per core available to this process
    scheduler: str | None = None  # dask only: the address of a running scheduler

    @property
    def processes(self) -> int:
        """The number of worker processes (``workers``, or the cores available when it is 0)."""
        return self.workers if self.workers > 0 else available_cores()

    def elsewhere(self, tasks: int) -> bool:
        """Whether ``tasks`` replications run in other processes than this one."""
        return self.backend == "dask" or min(self.processes, tasks) > 1


#: One process: this one.
SERIAL = PoolSpec(workers=1)


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def one_blas_thread() -> None:
    """Limit this process, and the processes it starts, to one BLAS/OpenMP thread (idempotent).

    The environment variables reach a library that has not started yet (numpy imported later, a new
    worker process); threadpoolctl limits one that has.
    """
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    if not _capped and "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        _capped.append(threadpool_limits(limits=1))  # kept: the limit holds for the process's life


def no_current_folder() -> None:
    """The processes this one starts (the workers' server, a launcher's jobs, a Dask cluster's
    workers) do not look for modules first in the folder they start from, where a folder named
    ``multiprocessing`` or ``hydra_plugins`` would run in them instead of the libraries' code
    (``PYTHONSAFEPATH``: a child started with ``python -c`` or ``-m`` puts that folder first)."""
    os.environ["PYTHONSAFEPATH"] = "1"


def _worker_start() -> None:
    """A local worker: Ctrl-C is the parent's to handle (it terminates the pool), one BLAS thread."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    one_blas_thread()


@functools.cache
def blas_as_set() -> bool:
    """Whether OpenBLAS runs the one kernel ``agents.numerics`` gives it (where the CPU has it); asked
    once a process, like ``agents.numerics.portable_here`` (a library's kernel is chosen at its load)."""
    from agents.numerics import BLAS_CORE, has_features

    if not has_features("avx2", "fma"):
        return True
    from threadpoolctl import threadpool_info

    return {i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"} <= {
        BLAS_CORE
    }


def _call[T, R](fn: Callable[[T], R], item: T) -> R:
    """A task on a Dask worker, which may have joined the cluster after the job started. A worker
    whose numpy gives other numbers than the C library's, or whose OpenBLAS runs another kernel,
    refuses (its records would differ from the same seeds' anywhere else)."""
    from agents.numerics import ADVICE, BLAS_ADVICE, portable_here

    if not portable_here():
        raise RuntimeError(f"Dask worker on {os.uname().nodename}: {ADVICE}")
    if not blas_as_set():
        raise RuntimeError(f"Dask worker on {os.uname().nodename}: {BLAS_ADVICE}")
    one_blas_thread()
    return fn(item)


def imap[T, R](fn: Callable[[T], R], items: Iterable[T], spec: PoolSpec = SERIAL) -> Iterator[R]:
    """``fn(item)`` for each item, in the order of ``items``, run as ``spec`` says."""
    todo = list(items)
    if spec.backend == "dask":
        yield from _dask(fn, todo, spec)
        return
    if spec.backend != "local":
        raise ValueError(f"unknown backend {spec.backend!r}: one of {', '.join(BACKENDS)}")
    one_blas_thread()
    n = min(spec.processes, len(todo))
    if n <= 1:
        for item in todo:
            yield fn(item)
        return
    yield from _local(fn, todo, n)


#: What replications run (``experiments.replicate.replicate``): imported by the forkserver in advance.
REPLICATIONS = "experiments.replicate"
#: Libraries a worker would import at its first ledger: pyarrow, and pandas (pyarrow imports it, when
#: installed, at its first array). Imported once by the forkserver, not once by each worker.
LEDGERS = ("pyarrow.parquet", "pandas")


def _preload(module: str, also: Sequence[str] = ()) -> list[str]:
    return [__name__, module, *LEDGERS, *also]


#: What the forkserver of this process imported when it started (None: not started). It serves for
#: the process's life and keeps what it imported: a later preload list is ignored.
_served: tuple[str, ...] | None = None


def _forkserver(preload: list[str]) -> Any:
    """The forkserver context, its server started with ``preload`` unless it runs already."""
    global _served
    import multiprocessing as mp
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(_served or preload))
    forkserver.ensure_running()
    if _served is None:
        _served = tuple(preload)
    return ctx


def start_ahead(spec: PoolSpec, tasks: int, module: str = REPLICATIONS, also: Sequence[str] = ()) -> bool:
    """Start now the forkserver that local workers will fork from, importing ``module`` (and
    ``also``: what the parent will hand to processes of its own, see :func:`side_processes`) in its
    own process while this one still has serial work to do (checks, Hydra's jobs): about 1.5 s
    before the first replication otherwise. Nothing for one process or a Dask cluster; True if
    started."""
    if spec.backend != "local" or not spec.elsewhere(tasks):
        return False
    _forkserver(_preload(module, also))
    return True


def stop_ahead() -> None:
    """Stop this process's forkserver when its command ends, or at once when the command fails its
    checks. It is killed: it may still be importing for seconds, and would only then see that this
    process ended (and a server that is idle takes about 0.2 s to end by itself)."""
    global _served
    if _served is None:
        return
    from multiprocessing import forkserver

    # CPython's one forkserver of this process (private names: where they are missing, the server
    # is left to end by itself once its imports are done).
    server = getattr(forkserver, "_forkserver", None)
    pid, stop = getattr(server, "_forkserver_pid", None), getattr(server, "_stop", None)
    if pid is not None and stop is not None:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        stop()  # closes its pipe, reaps it, removes its socket
    _served = None


def serves(module: str) -> bool:
    """Whether this process's forkserver runs and imported ``module`` (see :func:`side_processes`)."""
    return _served is not None and module in _served


@contextmanager
def side_processes(module: str, n: int = 1) -> Iterator[list[Executor]]:
    """Up to ``n`` more processes, forked from the forkserver, for work this process would otherwise
    do alone while the other cores idle (the report's figures); none unless the forkserver was
    started ahead with ``module`` imported (then the work is better done here than after an import
    of its own). Each is an executor of one process, started at once (without the parent's main
    script), and stopped when the block ends, whatever happened in it."""
    if not serves(module):
        yield []
        return
    from concurrent.futures import ProcessPoolExecutor

    sides: list[ProcessPoolExecutor] = []
    try:
        for _ in range(n):
            side = ProcessPoolExecutor(1, mp_context=_forkserver([]), initializer=_worker_start)
            sides.append(side)
            with _main_left_out(_nothing):  # its process starts at its first task
                side.submit(_nothing)
        yield list(sides)
    finally:
        for side in sides:
            side.shutdown(wait=True, cancel_futures=True)


def _nothing() -> None:
    """A task that starts a side process."""


@contextmanager
def _main_left_out(fn: Callable[..., Any]) -> Iterator[None]:
    """While workers start: a main module they need not import. A worker starts by importing the
    parent's ``__main__`` script, which only a function defined there needs; the explorer's page,
    which Streamlit runs as ``__main__``, would run again in every worker."""
    main = sys.modules.get("__main__")
    if main is None or fn.__module__ == "__main__":
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")  # no file: nothing to import
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _local[T, R](fn: Callable[[T], R], todo: list[T], n: int) -> Iterator[R]:
    # Workers fork from a forkserver that has imported the function's module once (unless it
    # runs already, e.g. started by ``start_ahead``).
    ctx = _forkserver(_preload(fn.__module__))
    with _main_left_out(fn):
        pool = ctx.Pool(n, initializer=_worker_start)
    try:
        yield from pool.imap(fn, todo, chunksize=1)
        pool.close()
    finally:
        pool.terminate()  # after close(): the workers have exited already; else stop them now
        pool.join()


def _dask[T, R](fn: Callable[[T], R], todo: list[T], spec: PoolSpec) -> Iterator[R]:
    import logging

    import distributed  # noqa: F401  # its import sets its loggers' levels: before ours below

    # The scheduler of a local cluster runs in this process and logs each step of its life at INFO:
    # warnings and errors only, while the pool runs.
    chatty = logging.getLogger("distributed")
    level = chatty.level
    chatty.setLevel(logging.WARNING)
    try:
        yield from _on_cluster(fn, todo, spec)
    finally:
        chatty.setLevel(level)


#: A local cluster's scheduler has its own HTTP server even without a dashboard: on 127.0.0.1:8787
#: by default, where a second cluster collides with the first. Here it takes a free port, and
#: neither it nor a worker's server answers anything (no health, metrics or cluster pages).
_QUIET_HTTP = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}
_NO_ROUTES = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}


def _on_cluster[T, R](fn: Callable[[T], R], todo: list[T], spec: PoolSpec) -> Iterator[R]:
    import logging

    import dask
    from distributed import Client, LocalCluster

    cluster = None
    if spec.scheduler:
        client = Client(spec.scheduler)
    else:
        # Its workers are spawned: without the parent's main script, as the local pool's workers.
        with dask.config.set(_NO_ROUTES), _main_left_out(fn):  # read as the scheduler and workers start
            cluster = LocalCluster(
                n_workers=max(1, min(spec.processes, len(todo))),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs=_QUIET_HTTP,
                silence_logs=logging.ERROR,
            )
        client = Client(cluster)
    futures = []
    try:
        futures = client.map(_call, [fn] * len(todo), todo, pure=False)
        for fut in futures:
            yield fut.result()
    finally:
        if futures:
            client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()
