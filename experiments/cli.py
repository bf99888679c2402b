"""Console entry points. A command that cannot run ends with one line on stderr and a documented
exit code (``experiments.errors``), and leaves the disk as it was."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from experiments.pool import no_current_folder, one_blas_thread, start_ahead, stop_ahead

if TYPE_CHECKING:
    from experiments.preflight import Pool


def main() -> None:
    """``parltwin [overrides...]``: run the configured scenario (see ``parltwin --help``).

    The whole command is checked first (``experiments.preflight``): nothing of a user's config is
    instantiated, nothing is written, until every check has passed. Then Hydra runs it.
    """
    if {"--help", "-h"} & set(sys.argv[1:]):  # ours: presets, experiments, metrics, outputs
        from experiments.help import lang_of, text

        print(text(lang_of(sys.argv[1:])))
        return
    if "--version" in sys.argv[1:]:  # ours, then Hydra's (Hydra's own said only "Hydra 1.3.8")
        from importlib import metadata

        print(f"parltwin {metadata.version('parltwin')} (Hydra {metadata.version('hydra-core')})")
        return
    # Let errors reach us instead of Hydra's multi-line report, so that we can print one line.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    # A log line that cannot be written (its reader left: ``| head``) is dropped, not reported
    # with a traceback on stderr while the run goes on.
    import logging

    logging.raiseExceptions = False
    # Replications fill the cores; numpy's BLAS threads would only compete. Set before numpy is
    # imported (below), the limit needs no threadpoolctl.
    one_blas_thread()
    no_current_folder()
    from experiments.composition import libyaml
    from experiments.config_files import confined

    with libyaml(), confined():
        _check_and_run()


def _check_and_run() -> None:
    from experiments.composition import (
        compose_once,
        fingerprint,
        hand_over,
        validated,
        with_overrides,
        workers_checked,
    )
    from experiments.errors import exit_for
    from experiments.files import remove_created

    argv = sys.argv[1:]
    try:
        from experiments.preflight import plan

        # The workers' server starts importing as soon as the first composition asks for workers,
        # while the sweep's jobs are composed and checked (about 3 s of imports otherwise waited for).
        checked = plan(argv, ahead=_start_ahead)
    except (Exception, KeyboardInterrupt) as e:
        stop_ahead()
        exit_for(e)
    from experiments.app import app

    if checked.pool is not None:  # unless started above: its workers' imports while Hydra runs the jobs
        _start_ahead(checked.pool)

    if checked.pinned:  # the timestamped folders checked above are the ones Hydra creates
        keys = {p.split("=", 1)[0] for p in checked.pinned}
        argv = [a for a in argv if a.split("=", 1)[0].lstrip("+~") not in keys]
        # beside the command's overrides: after an option's value (--config-dir DIR) Hydra's parser
        # takes no more overrides
        last = max(
            (i for i, a in enumerate(argv) if "=" in a and not a.startswith("-")), default=len(argv) - 1
        )
        argv = argv[: last + 1] + checked.pinned + argv[last + 1 :]
    sys.argv = [sys.argv[0], *argv]
    # Hydra takes the compositions checked above (with the folders pinned) as its own: a single run's,
    # or a sweep's master and its jobs'.
    pinned = checked.pinned
    first = None if checked.composed is None else (argv, with_overrides(checked.composed, pinned))
    jobs = [(h + pinned + o, with_overrides(c, pinned)) for h, o, c in checked.composed_jobs]
    for kind, made in checked.prepared.items():  # e.g. a robustness run's worlds, checked above
        hand_over(kind, made)
    if first is not None:  # each job's config, validated above, for the job Hydra runs from it
        for job in checked.jobs:
            hand_over(validated(job.out), job.conf)
    # A launcher's workers compose each job again: they may run only the configs checked above.
    sweep = checked.jobs if checked.multirun else []
    approved = {tuple(j.overrides): fingerprint(j.cfg, pinned) for j in sweep}
    try:
        with compose_once(first, jobs), workers_checked(approved):
            app()
    except SystemExit as e:
        if e.code not in (0, None):
            remove_created(checked.new_dirs)
        raise
    except BaseException as e:
        remove_created(checked.new_dirs)
        exit_for(e)
    finally:  # the workers' server ends with the command, not a moment after it (about 0.2 s)
        stop_ahead()


def command() -> None:
    """The ``parltwin`` console script: :func:`main`, then, after a run that ended well, every object
    alive is frozen out of the garbage collector (``gc.freeze``), so that the interpreter's teardown
    does not look through them all once more (0.26-0.28 s after a main job, 0.035 s frozen). Exit
    handlers, threads and files end as usual. A reader of the output that stops (``| head``) ends
    the command quietly (exit code 141), as it ends a shell's tools."""
    from experiments.errors import exit_for

    try:
        main()
        sys.stdout.flush()
    except BrokenPipeError as e:
        exit_for(e)
    import gc

    gc.freeze()


def _start_ahead(pool: Pool) -> None:
    """Start the workers' server of a command's pool (its spec, its number of tasks, the modules
    its workers import)."""
    spec, tasks, also = pool
    start_ahead(spec, tasks, also=also)


def report_main(argv: list[str] | None = None) -> None:
    """parltwin-report DIR: rebuild a comparison's tables, figures and report from its replications
    (a folder of parltwin experiment=compare or experiment=reform_comparison; the other experiments
    write their reports as they end)."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="parltwin-report", description=report_main.__doc__)
    parser.add_argument("run_dir", type=Path, help="a folder of experiment=compare or reform_comparison")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the report's path")
    parser.add_argument("--lang", help="language of the report: en, kk or ru (default: the run's)")
    from experiments.errors import exit_for, one_line_usage

    one_line_usage(parser)  # a refused argument is one line, as every refusal
    args = parser.parse_args(argv)
    no_current_folder()  # the processes that draw the figures
    from experiments.comparison import finish

    try:
        path = finish(args.run_dir, quiet=args.quiet, lang=args.lang)
    except Exception as e:
        exit_for(e)
    print(f"report: {path}")


if __name__ == "__main__":
    main()
