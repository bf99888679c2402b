"""Reporting bad input: one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from omegaconf.errors import OmegaConfBaseException

EXIT_BAD_INPUT = 2


def one_line(exc: BaseException) -> str:
    """A one-line message for a configuration error from us, Hydra or OmegaConf."""
    oe = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    if isinstance(oe, OmegaConfBaseException):
        msg = (getattr(oe, "msg", None) or str(oe)).strip().splitlines()[0]
        key = getattr(oe, "full_key", None)
        return f"{key}: {msg}" if key else msg
    text = " ".join(str(exc).split())
    return missing_preset_hint(text.split(" Config search path:")[0], sys.argv[1:])


def missing_preset_hint(message: str, argv: list[str]) -> str:
    """Hydra's "Could not find 'parliament/NAME'" with the folder layout it expects: a preset of
    group G is the file ``DIR/G/NAME.yaml`` under the ``--config-dir`` DIR."""
    _, sep, rest = message.partition("Could not find '")
    missing = rest.split("'", 1)[0] if sep else ""
    if "/" not in missing:
        return message
    group, name = missing.rsplit("/", 1)
    dirs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("--config-dir", "-cd")]
    dirs += [a.split("=", 1)[1] for a in argv if a.startswith("--config-dir=")]
    where = dirs[-1] if dirs else "my_configs"
    hint = f"a {group} preset is the file {where}/{group}/{name}.yaml"
    if dirs and (Path(where) / f"{name}.yaml").is_file():
        hint = f"move {where}/{name}.yaml into the sub-folder {group}/: {hint}"
    if not dirs:
        hint += f", used with --config-dir {where}"
    return f"{message} ({hint})"


def fail(message: str) -> NoReturn:
    print(f"parltwin: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)
