"""The errors a bad scenario raises: each is one line that names the field, the value and what is
allowed (for a command too costly to run, the estimate and the limit; for a setting that no preset
states, what it takes). Their English counts agree with their numbers (:func:`counted`)."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A configuration value that cannot be used. ``str(err)`` is one line for the user."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(f"{field}={shown(value)} is not allowed: {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:  # rebuilt whole in the process that launched a job
        return (type(self), (self.field, self.value, self.allowed))


def shown(value: Any) -> str:
    """``value`` as the user most likely wrote it: a whole number that the schema made a float
    (``years=0`` is read as 0.0) without its ``.0``, nothing as ``null``, anything else as its
    ``repr``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return "null" if value is None else repr(value)


class CostError(ConfigError):
    """A command whose estimated cost is over a documented limit (``scenarios.cost``)."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        ValueError.__init__(self, f"{field}: {value} is over the limit: {allowed}")


class NotGiven(ConfigError):
    """A field that describes what is modelled and that no preset and no override of a composed
    config states (``scenarios.stated``)."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        ValueError.__init__(self, f"{field}: not given; a preset must state it ({allowed})")


def counted(n: Any, noun: str, spec: str = "", nouns: str | None = None) -> str:
    """``n`` as ``format(n, spec)`` shows it (or as given, when it is text), followed by the English
    noun that agrees with it: "1 run", "2 runs", "1.5 years", "1.00 years" (only a plain 1 takes the
    singular). ``nouns``: the plural, where it is not the noun with an "s". Texts that are translated
    choose their forms with ``ngettext`` instead (:mod:`experiments.i18n`)."""
    shown = n if isinstance(n, str) else format(n, spec)
    return f"{shown} {noun if shown == '1' else nouns or noun + 's'}"
