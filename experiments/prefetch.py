"""While worker processes run the replications, the parent imports what it needs next.

The report's libraries (pandas and scipy, and matplotlib and seaborn unless side processes draw the
figures: about 2 s on a 2-core machine) would otherwise be imported after the last replication, with
every core but one idle. Imported in a thread while the parent only waits for its workers, they
cost a share of the workers' time instead.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from experiments.figure import PLOTS
from experiments.pool import serves

#: What a comparison imports once its replications are done (``experiments.comparison.finish``).
REPORT = ("experiments.comparison", "experiments.report")


def report_modules() -> tuple[str, ...]:
    """What this process will import to compare: the figures' module too, unless processes forked
    from its workers' server will draw the figures (:func:`experiments.pool.side_processes`)."""
    return REPORT if serves(PLOTS) else (*REPORT, PLOTS)


@contextmanager
def imports_ahead(modules: Sequence[str] | None = None, when: bool = True) -> Iterator[None]:
    """Import ``modules`` (default: :func:`report_modules`) in a thread while the body runs (``when``
    it runs in other processes: in this one, the thread would only take turns with it). A module
    that fails to import is left to the import that needs it, which reports the error."""
    if not when:
        yield
        return
    modules = report_modules() if modules is None else modules

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # reported by the import that needs it
                continue

    thread = threading.Thread(target=load, name="parltwin-imports-ahead", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
