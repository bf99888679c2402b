"""The message catalog: every text a person reads, gathered, merged into each language and compiled.

``python -m experiments.messages`` (``make i18n``) gathers the message ids, writes
``experiments/locale/parltwin.pot``, merges it into each language's ``.po`` (new messages arrive
untranslated, vanished ones are dropped) and compiles the ``.mo`` files that :mod:`experiments.i18n`
reads. ``--check`` changes nothing and lists what is missing or stale (the tests run it).

Message ids come from:
- ``gettext``, ``ngettext`` and ``N_`` calls in ``experiments/`` and ``_``/``ngettext`` in its templates;
- the metric registry: the label and unit of every ``Metric(...)`` declared in ``sim/`` and the
  channel measures (``sim.channels.base.MEASURES``), and the forms a unit takes after a number
  (``experiments.i18n.UNITS``, in the context ``unit``);
- names from the shipped presets, each in the context of what it names: ``stage``, ``channel``,
  ``dimension`` and ``value`` (citizen groups), ``description`` (of a preset), ``title`` (of an
  experiment), ``label`` and ``reason`` (a scenario's reform and each change it declares), and the
  labels of the levers (``scenarios.parameters.PARAMETERS``).
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from configs import CONFIGS
from experiments.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, UNITS
from scenarios.parameters import PARAMETERS
from sim.channels.base import MEASURES

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None, "_": None}
#: Citizen-group dimensions that responsiveness is broken down by (``sim.citizens.responsiveness``).
DIMENSIONS = ("settlement", "language", "age_band")
#: Names every run may show although no preset lists them.
BUILT_IN = {"channel": ("offline", "none"), "value": ("urban", "rural", "kazakh", "russian")}

Message = tuple[str | tuple[str, str], str | None]  # (id or (singular, plural), context)


def _code() -> Iterator[Message]:
    for path in sorted((ROOT / "experiments").rglob("*.py")):
        for _, msg, _, ctx in extract("python", io.BytesIO(path.read_bytes()), keywords=KEYWORDS):
            yield (msg if isinstance(msg, str) else (msg[0], msg[1])), ctx
    for path in sorted((ROOT / "experiments" / "templates").glob("*.j2")):
        with path.open("rb") as fh:
            for _, func, msg, _ in babel_extract(fh, KEYWORDS, [], {}):
                yield (
                    (msg if isinstance(msg, str) else msg[0] if func != "ngettext" else (msg[0], msg[1])),
                    None,
                )


def _metrics() -> Iterator[Message]:
    """Labels and units of every ``Metric(name, label, unit, ...)`` written in ``sim/``, and the
    forms of the units after a number."""
    for path in sorted((ROOT / "sim").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Metric":
                for arg in node.args[1:3]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                        yield arg.value, None
    for label, unit in MEASURES.values():
        yield "{channel}: " + label, None
        yield unit, None
    for plural, singular in UNITS.items():
        yield (singular, plural), "unit"


def _yaml(folder: str) -> Iterator[tuple[str, dict]]:
    for path in sorted((CONFIGS / folder).glob("*.yaml")):
        yield path.stem, yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _names() -> Iterator[Message]:
    for _, p in _yaml("parliament"):
        yield from ((s, "stage") for s in p.get("stages", {}))
        if p.get("description"):
            yield p["description"], "description"
    for name, ch in _yaml("channels"):
        yield name, "channel"
        for kind in ("petitions", "appeals", "consultations", "analytics"):
            yield from ((c, "channel") for c in ch.get(kind) or {})
        if ch.get("description"):
            yield ch["description"], "description"
    for _, c in _yaml("citizens"):
        yield from ((band, "value") for band in c.get("age_bands", {}))
        if c.get("description"):
            yield c["description"], "description"
    for _, e in _yaml("experiment"):
        own = e.get("experiment") if isinstance(e.get("experiment"), dict) else e  # _global_ or its own
        if own.get("title"):
            yield own["title"], None
    for _, s in _yaml("scenario"):
        reform = s.get("reform") if isinstance(s.get("reform"), dict) else {}
        if reform.get("label"):
            yield reform["label"], "label"
        for reason in (reform.get("changes") or {}).values():
            yield str(reason), "reason"
    yield from ((d, "dimension") for d in DIMENSIONS)
    for ctx, names in BUILT_IN.items():
        yield from ((n, ctx) for n in names)
    for p in PARAMETERS.values():
        yield from ((text, None) for text in (p.label, p.unit, p.doc))


#: Header of every catalog: fixed, so that files change only when messages do.
HEADER = {
    "project": "parltwin",
    "version": "0.1",
    "copyright_holder": "the parltwin authors",
    "creation_date": datetime(2026, 1, 1, tzinfo=UTC),
    "revision_date": datetime(2026, 1, 1, tzinfo=UTC),
    "last_translator": "parltwin developers (draft, not yet reviewed by a native speaker)",
    "language_team": "parltwin",
}


def template() -> Catalog:
    """The catalog of every message id, without translations."""
    cat = Catalog(domain=DOMAIN, fuzzy=False, **HEADER)
    for msg, ctx in [*_code(), *_metrics(), *_names()]:
        if msg:
            cat.add(msg, context=ctx)
    return cat


def _po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, fuzzy=False, **HEADER)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def _text(write: object, cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write(buf, cat)  # type: ignore[operator]
    return buf.getvalue()


def _po_bytes(cat: Catalog) -> bytes:
    return _text(lambda b, c: write_po(b, c, width=100, omit_header=False, sort_output=True), cat)


def _mo_bytes(cat: Catalog) -> bytes:
    return _text(lambda b, c: write_mo(b, c, use_fuzzy=False), cat)


def merged(lang: str, pot: Catalog) -> Catalog:
    """The language's catalog updated to the template (translations kept; obsolete ones dropped)."""
    cat = _read(_po(lang), lang)
    cat.update(pot, no_fuzzy_matching=True)
    cat.obsolete.clear()
    for key, value in HEADER.items():  # stable files: no time stamps that change on every run
        setattr(cat, key, value)
    return cat


def untranslated(cat: Catalog) -> list[str]:
    """Message ids of ``cat`` without a translation (a plural lacking a form counts)."""
    out = []
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if not all(strings) or m.fuzzy:
            out.append(f"{m.context + ': ' if m.context else ''}{m.id if isinstance(m.id, str) else m.id[0]}")
    return out


def problems() -> list[str]:
    """What ``make i18n`` would change, and every message without a translation, by language."""
    pot = template()
    out = []
    for lang in LANGUAGES:
        cat = merged(lang, pot)
        out += [f"{lang}: no translation of {m!r}" for m in untranslated(cat)]
        po, mo = _po(lang), _po(lang).with_suffix(".mo")
        if not po.exists() or po.read_bytes() != _po_bytes(cat):
            out.append(f"{lang}: {po.relative_to(ROOT)} is not up to date (run make i18n)")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(cat):
            out.append(f"{lang}: {mo.relative_to(ROOT)} is not compiled from its .po (run make i18n)")
    return out


def update() -> None:
    """Write the template, merge it into every language and compile the ``.mo`` files."""
    pot = template()
    LOCALE_DIR.mkdir(exist_ok=True)
    (LOCALE_DIR / f"{DOMAIN}.pot").write_bytes(_po_bytes(pot))
    for lang in LANGUAGES:
        cat = merged(lang, pot)
        _po(lang).parent.mkdir(parents=True, exist_ok=True)
        _po(lang).write_bytes(_po_bytes(cat))
        _po(lang).with_suffix(".mo").write_bytes(_mo_bytes(cat))
        missing = untranslated(cat)
        print(f"{lang}: {len(cat)} messages, {len(missing)} untranslated")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m experiments.messages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="change nothing; list what is missing or stale")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        print("\n".join(found) or "catalogs complete and compiled")
        sys.exit(1 if found else 0)
    update()


if __name__ == "__main__":
    main()
