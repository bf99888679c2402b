"""Reporting bad input: one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import sys
from typing import NoReturn

from omegaconf.errors import OmegaConfBaseException

EXIT_BAD_INPUT = 2
#: A fit whose parameters the data do not identify (a bound hit, a standard error that is not finite):
#: refused, with no preset written.
EXIT_NOT_IDENTIFIED = 3


def one_line(exc: BaseException) -> str:
    """A one-line message for a configuration error from us, Hydra or OmegaConf."""
    oe = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    if isinstance(oe, OmegaConfBaseException):
        msg = (getattr(oe, "msg", None) or str(oe)).strip().splitlines()[0]
        key = getattr(oe, "full_key", None)
        return f"{key}: {msg}" if key else msg
    text = " ".join(str(exc).split())
    return text.split(" Config search path:")[0]


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    print(f"parltwin: error: {message}", file=sys.stderr)
    sys.exit(code)
