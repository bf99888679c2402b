"""A command's overrides as Hydra's grammar reads them, checked before anything uses them: here, so
that a command other than ``parltwin`` (``experiments.observed``) reads them as ``parltwin`` does
without importing its checks, which import the experiments."""

from __future__ import annotations

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override

from experiments.errors import MAX_NESTING, TOO_DEEP, InputError, long_integer, nesting
from scenarios.allowlist import check_search_paths


def parse_overrides(overrides: list[str]) -> list[Override]:
    """The overrides as Hydra's grammar reads them, their search paths checked; an ``InputError``
    naming the key of one the grammar cannot read."""
    parser, parsed = OverridesParser.create(), []
    for text in overrides:
        key = text.split("=", 1)[0]
        if nesting(text) > MAX_NESTING:
            raise InputError(f"{key}: an override {TOO_DEEP}")
        try:
            parsed += parser.parse_overrides([text])
        except ValueError as e:  # not Hydra's own refusals, which are no ValueError
            why = long_integer(e)
            if why is None:
                raise
            raise InputError(f"{key}: {why}") from None
    check_search_paths(parsed)
    return parsed
