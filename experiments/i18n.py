"""Kazakh, Russian and English for everything a person reads: report, figures, terminal, app, help.

Messages live in gettext catalogs (``experiments/locale/<lang>/LC_MESSAGES/parltwin.po``, compiled to
``.mo`` by ``make i18n``); the English text in the code is the message id. Numbers and dates are
formatted for the locale by Babel (CLDR): ``12 345,7`` in Kazakh and Russian, ``12,345.7`` in English.

Metric labels come from the typed metric registry: ``Metric.label`` is the message id, and a family's
``{...}`` fields are filled from its ``params``, each value translated in the context of its key
(``stage``, ``channel``, ``dimension``, ``value``), falling back to the name itself. Names of presets,
stages and channels that a user defined are shown as they are.
"""

from __future__ import annotations

import gettext
import math
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from scenarios.schema import LANGUAGES as CODES
from sim.metrics import Metric

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "parltwin"
#: The languages of the interface: code -> its own name.
LANGUAGES: dict[str, str] = dict(zip(CODES, ("English", "Қазақша", "Русский"), strict=True))
DEFAULT = "en"
DASH = "–"


def N_(message: str) -> str:
    """Mark a message for the catalog where it is declared; it is translated where it is shown."""
    return message


#: The names of the stages a vote of several readings expands into.
READING = N_("{stage}, reading {k}")
AMENDMENTS_AFTER = N_("{stage}, amendments after reading {k}")


def check_lang(lang: Any, field: str = "lang") -> str:
    """``lang`` if it is one of :data:`LANGUAGES`; a ``ConfigError`` naming ``field`` otherwise."""
    from scenarios.errors import ConfigError

    if lang not in LANGUAGES:
        raise ConfigError(field, lang, f"one of {', '.join(LANGUAGES)}")
    return str(lang)


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


class Translator:
    """Messages, metric labels, numbers and dates in one language."""

    def __init__(self, lang: str = DEFAULT, catalog: gettext.NullTranslations | None = None) -> None:
        self.lang = check_lang(lang)
        self.catalog = catalog if catalog is not None else _catalog(self.lang)

    # -- messages ---------------------------------------------------------------------------------
    def gettext(self, message: str, **fields: Any) -> str:
        """The message in this language, its ``{...}`` fields filled from ``fields``."""
        text = self.catalog.gettext(message)
        return text.format(**fields) if fields else text

    def ngettext(self, singular: str, plural: str, n: int, **fields: Any) -> str:
        """The singular or plural form for ``n`` (Russian has three), fields filled (``n`` too)."""
        return self.catalog.ngettext(singular, plural, n).format(n=self.integer(n), **fields)

    def name(self, context: str, name: str) -> str:
        """A name from a preset (stage, channel, group...) in this language; itself if unknown. A
        stage that a vote of several readings expanded into (``X_k``, ``X_amendments_k``) is named
        after the vote's stage."""
        text = self.catalog.pgettext(context, name)
        if text != name:
            return text
        stem, _, k = name.rpartition("_")
        if context == "stage" and stem and k.isdigit():
            vote, amendments, _ = stem.partition("_amendments")
            if amendments:
                return self.gettext(AMENDMENTS_AFTER, stage=self.name(context, vote), k=k)
            return self.gettext(READING, stage=self.name(context, stem), k=k)
        return name.replace("_", " ")

    # -- metrics ----------------------------------------------------------------------------------
    def label(self, metric: Metric) -> str:
        """A metric's label in this language, a family's fields filled with translated names."""
        fields = {k: self.name(k, v) for k, v in metric.params}
        return self.catalog.gettext(metric.label).format(**fields)

    def unit(self, metric: Metric, diff: bool = False) -> str:
        """A metric's unit; shares read as percentages (differences: percentage points)."""
        if metric.share:
            return self.gettext("percentage points") if diff else "%"
        return self.catalog.gettext(metric.unit) if metric.unit else ""

    # -- numbers and dates ------------------------------------------------------------------------
    def number(self, x: Any, signed: bool = False, digits: int | None = None) -> str:
        """A number for people: a few significant digits (or ``digits`` decimals); a dash if undefined."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return DASH
        x = float(x)
        if digits is None:
            a = abs(x)
            digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 0.995 or a == 0 else 3
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        text = format_decimal(abs(x), format=pattern, locale=self.lang)
        sign = "-" if x < 0 and text.strip("0.,\u00a0 ") else "+" if signed else ""
        return f"{sign}{text}"

    def integer(self, n: Any) -> str:
        return format_decimal(int(n), format="#,##0", locale=self.lang)

    def exact(self, x: Any) -> str:
        """A bound as it is (up to six decimals): a rounded one said 1.06 was not allowed "from 0.945
        to 1.06" (the bound was 1.055)."""
        return DASH if x is None else format_decimal(float(x), format="#,##0.######", locale=self.lang)

    def short(self, x: Any) -> str:
        """A setting such as a horizon in years: at most two decimals, none when whole (5, 1,5)."""
        return DASH if x is None else format_decimal(float(x), format="#,##0.##", locale=self.lang)

    def value(self, metric: Metric, x: Any, signed: bool = False) -> str:
        """A metric's value: shares as percentages (0.634 -> 63.4), counts as integers, the rest as
        :meth:`number`."""
        if isinstance(x, int) and not isinstance(x, bool) and not metric.share:
            return ("+" if signed and x > 0 else "") + self.integer(x)
        if metric.share and x is not None and not (isinstance(x, float) and math.isnan(x)):
            return self.number(100.0 * float(x), signed)
        return self.number(x, signed)

    def moment(self, stamp: str | datetime) -> str:
        """A time stamp (ISO text or datetime, UTC) as a date and time of this locale."""
        if not stamp:
            return ""
        when = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
        day = format_date(when, "long", locale=self.lang)
        return f"{day}, {format_time(when, 'short', tzinfo=UTC, locale=self.lang)} UTC"


@cache
def translator(lang: str = DEFAULT) -> Translator:
    """The (shared) translator of ``lang``."""
    return Translator(lang)
