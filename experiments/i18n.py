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
from babel.numbers import format_decimal, get_decimal_symbol

from scenarios.schema import LANGUAGES as CODES
from sim.metrics import Metric

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "parltwin"
#: Contexts whose entries are texts of a preset, not names: shown as written when not translated.
TEXTS = frozenset({"description", "reason"})

#: The languages of the interface: code -> its own name.
LANGUAGES: dict[str, str] = dict(zip(CODES, ("English", "Қазақша", "Русский"), strict=True))
DEFAULT = "en"
DASH = "–"


def N_(message: str) -> str:
    """Mark a message for the catalog where it is declared; it is translated where it is shown."""
    return message


#: The count whose plural form a number shown with decimals takes (142.5 days, 1,5 дня, 0,49 поправки
#: / закон). CLDR puts such a number in a category of its own, which in Russian reads as the genitive
#: singular of the noun: the same word as after 2, 3 or 4 (дня, года, законопроекта, закона); English
#: takes its plural (1.50 days) and Kazakh its singular, as after any number. In each language's
#: gettext formula 2 picks that form. A number takes its form as it is shown: 142.4 days shown as
#: "142" read as 142 (дня), 1.0 shown as "1.00" as a fraction (1.00 days, 1,00 дня).
FRACTION = 2
#: A number with every decimal a float holds (at most 16): what was given, not a rounding of it.
EVERY_DECIMAL = "#,##0." + "#" * 16
#: A unit that follows a number, by its message id (the English plural, as the metric registry
#: declares it and a table's heading shows it) -> its English singular. After a number the unit takes
#: the form that agrees with it: ``npgettext("unit", singular, plural, n)`` (1 день, 2 дня, 5 дней;
#: a rate agrees by its first noun: 1 закон / год, 92,6 закона / год). A unit not listed here (a
#: ratio, a scale) reads the same after any number.
UNITS: dict[str, str] = {
    "days": "day",
    "bills": "bill",
    "laws": "law",
    "votes": "vote",
    "rejections": "rejection",
    "demands": "demand",
    "items": "item",
    "petitions": "petition",
    "bills / year": "bill / year",
    "laws / year": "law / year",
    "demands / year": "demand / year",
    "votes / year": "vote / year",
    "returns / year": "return / year",
    "amendments / law": "amendment / law",
    "percentage points": "percentage point",
}
#: The unit of a difference of two shares.
POINTS = N_("percentage points")

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

    def ngettext(self, singular: str, plural: str, n: float, *, given: bool = False, **fields: Any) -> str:
        """The form of the message that agrees with ``n`` (Russian has three: 1 день, 2 дня, 5 дней),
        its fields filled, ``n`` among them as this locale writes it (a whole number as an integer,
        else with up to two decimals, which take the form of :data:`FRACTION`; ``given``: with every
        decimal it has, as a setting the run uses as it is)."""
        whole = float(n).is_integer()
        shown = self.integer(n) if whole else self.every_decimal(n) if given else self.short(n)
        return self.catalog.ngettext(singular, plural, self.count_of(shown)).format(n=shown, **fields)

    def years(self, n: float) -> str:
        """``n`` years as given: a horizon of 1.0000001 years is not "1 year"."""
        return self.ngettext("{n} year", "{n} years", n, given=True)

    def count_of(self, shown: str) -> int:
        """The count whose plural form a number takes as it is shown (``shown``: this locale's text,
        with a sign, grouping or a dash): the whole number, or :data:`FRACTION` where it shows
        decimals or no digit."""
        whole, point, _ = shown.partition(self.decimal_symbol())
        digits = "".join(c for c in whole if c.isdigit())
        return int(digits) if digits and not point else FRACTION

    def decimal_symbol(self) -> str:
        """What separates a number's decimals in this language (``.`` or ``,``)."""
        return str(get_decimal_symbol(self.lang))

    def name(self, context: str, name: str) -> str:
        """A name from a preset (stage, channel, group...) in this language; itself if unknown. A
        stage that a vote of several readings expanded into (``X_k``, ``X_amendments_k``) is named
        after the vote's stage. A text (a description, a reason: contexts of :data:`TEXTS`) is
        given as written when unknown (its ids keep their underscores)."""
        text = self.catalog.pgettext(context, name)
        if text != name or context in TEXTS:
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

    def unit(self, metric: Metric, diff: bool = False, after: str | None = None) -> str:
        """A metric's unit; shares read as percentages (differences: percentage points). ``after``:
        the number it follows, as shown, with which the unit then agrees (142 дня, 1 законопроект,
        92,6 закона / год: see :data:`UNITS`); without it, the unit as a table's heading names it."""
        unit = (POINTS if diff else "%") if metric.share else metric.unit
        if not unit or unit == "%":
            return unit
        singular = UNITS.get(unit)
        if after is None or singular is None:
            return self.catalog.gettext(unit)
        return self.catalog.npgettext("unit", singular, unit, self.count_of(after))

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

    def every_decimal(self, x: Any) -> str:
        """A number with every decimal a float holds: what was given, not a rounding of it."""
        return format_decimal(float(x), format=EVERY_DECIMAL, locale=self.lang)

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
