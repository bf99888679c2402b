"""Console entry points. Bad input ends with one line on stderr and exit code 2."""

from __future__ import annotations

import os
import sys

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError

EXIT_BAD_INPUT = 2


def one_line(exc: BaseException) -> str:
    """A one-line message for a configuration error from us, Hydra or OmegaConf."""
    oe = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    if isinstance(oe, OmegaConfBaseException):
        msg = (getattr(oe, "msg", None) or str(oe)).strip().splitlines()[0]
        key = getattr(oe, "full_key", None)
        return f"{key}: {msg}" if key else msg
    return " ".join(str(exc).split())


def fail(message: str) -> None:
    print(f"parltwin: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


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
