"""Console entry points. Bad input ends with one line on stderr and exit code 2."""

from __future__ import annotations

import os

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from experiments.errors import fail, one_line
from sim.errors import ConfigError


def main() -> None:
    """``parltwin [overrides...]``: run the configured scenario (see ``parltwin --help``)."""
    # Let errors reach us instead of Hydra's multi-line report, so that we can print one line.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    from experiments.app import app

    try:
        app()
    except ConfigError as e:
        fail(str(e))
    except (HydraException, OmegaConfBaseException) as e:
        fail(one_line(e))


if __name__ == "__main__":
    main()
