"""Console entry points. Bad input ends with one line on stderr and exit code 2."""

from __future__ import annotations

import os

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from experiments.composition import compose_once
from experiments.errors import fail, one_line
from experiments.pool import one_blas_thread
from scenarios.errors import ConfigError


def main() -> None:
    """``parltwin [overrides...]``: run the configured scenario (see ``parltwin --help``)."""
    # Let errors reach us instead of Hydra's multi-line report, so that we can print one line.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    one_blas_thread()  # replications fill the cores; numpy's BLAS threads would only compete
    from experiments.app import app

    try:
        with compose_once():
            app()
    except ConfigError as e:
        fail(str(e))
    except (HydraException, OmegaConfBaseException) as e:
        fail(one_line(e))


def report_main(argv: list[str] | None = None) -> None:
    """``parltwin-report DIR``: rebuild a run folder's tables, figures and report from its data."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="parltwin-report", description=report_main.__doc__)
    parser.add_argument("run_dir", type=Path, help="a run folder of `parltwin experiment=...`")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the report's path")
    args = parser.parse_args(argv)
    from experiments.comparison import finish

    try:
        path = finish(args.run_dir, quiet=args.quiet)
    except ConfigError as e:
        fail(str(e))
    print(f"report: {path}")


if __name__ == "__main__":
    main()
