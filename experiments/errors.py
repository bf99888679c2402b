"""How a command ends when it cannot go on: one line on stderr, a documented exit code, no traceback.

Exit codes (README, "Errors and exit codes"):

- 0: done;
- 1: an internal error (a bug: the traceback is printed, please report it);
- 2: bad input: a value, an override, a preset (its YAML too), a run folder that holds something
  else, a command over a cost limit; nothing was written;
- 3: the disk: a file or folder that cannot be read or written (permissions, a read-only or full
  disk); files are written whole or not at all, and finished replications are kept;
- 4: a fit that the data do not identify (an estimate on a bound, a standard error that is not
  finite, a flat objective): the parameter is named and no preset is written;
- 130: interrupted (Ctrl-C); finished replications are kept, the same command resumes;
- 141: the output's reader stopped reading (a closed pipe, as with ``| head``): nothing more is said,
  and what was written stays.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import yaml
from hydra.errors import HydraException
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from scenarios.errors import ConfigError
from scenarios.validate import schema_keys

if TYPE_CHECKING:
    import argparse

EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_IO = 3
#: A fit whose parameters the data do not identify (a bound hit, a standard error that is not finite):
#: refused, with no preset written.
EXIT_NOT_IDENTIFIED = 4
EXIT_INTERRUPTED = 130
#: The output's reader left (a closed pipe): 128 + SIGPIPE, as a shell reports a tool whose pipe closed.
EXIT_PIPE = 141


class InputError(Exception):
    """An input that cannot be used: an argument, or a file that is not what it should be. ``str``
    is one line naming it."""


def long_integer(exc: BaseException) -> str | None:
    """What is wrong when ``exc`` is Python's refusal to read an integer of more digits than its limit
    (``sys.get_int_max_str_digits``, a guard against conversions of quadratic time), else None: no
    setting takes such a number, and the refusal was a traceback."""
    if not isinstance(exc, ValueError) or "integer string conversion" not in str(exc):
        return None
    most = sys.get_int_max_str_digits()
    return f"an integer of more than {most:,} digits is not allowed: at most {most:,} digits"


#: The deepest a value may nest: lists, dicts, calls and interpolations within one another, in an
#: override or a preset (the shipped presets nest 5 deep, their values 2). Hydra's and OmegaConf's
#: readers recurse, and past about 150 levels end in a traceback.
MAX_NESTING = 32
_OPEN, _BRACKETS = b"[{(", b"[]{}()"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)


def nesting(text: str) -> int:
    """How deep brackets, braces and parentheses nest in ``text`` (an interpolation ``${...}`` is
    braces), counted up to one past :data:`MAX_NESTING`: only the brackets are looked at one by one
    (no multi-byte UTF-8 character holds an ASCII byte)."""
    deepest = depth = 0
    for b in text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS):
        if b in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    break
        elif depth:
            depth -= 1
    return deepest


#: Why a value nested deeper than :data:`MAX_NESTING` is refused.
TOO_DEEP = (
    f"nested too deeply: over {MAX_NESTING} levels of lists, dicts, calls and interpolations within "
    "one another"
)


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def yaml_line(exc: yaml.YAMLError) -> str:
    """``FILE, line N: problem`` for a YAML syntax error."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    if mark is None:
        return f"YAML: {_flat(problem)}"
    return f"{mark.name}, line {mark.line + 1}, column {mark.column + 1}: {_flat(problem)} (YAML syntax)"


def _cause(
    exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, kind):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return None


#: What each type allows, as OmegaConf names it: where a value "could not be converted to" it, and
#: where a required setting of it is given null ("for field of type 'int'").
_KINDS = {
    "Integer": "an integer",
    "Float": "a number",
    "bool": "true or false",
    "int": "an integer",
    "float": "a number",
    "str": "a text",
}


def _wrong_type(msg: str) -> tuple[str, str] | None:
    """The value and what is allowed, from OmegaConf's words for a value of the wrong type
    ("Value 'x' of type 'str' could not be converted to Float", "Value 'x' is not a valid bool")."""
    head, sep, rest = msg.partition("Value '")
    if head or not sep:
        return None
    if " could not be converted to " in rest:
        value, kind = rest.split("' of type ", 1)[0], rest.rsplit(" ", 1)[-1]
    elif "' is not a valid bool" in rest:
        value, kind = rest.split("' is not a valid bool", 1)[0], "bool"
    else:
        return None
    return (value, _KINDS[kind]) if kind in _KINDS else None


def _null_for(msg: str) -> str | None:
    """What a setting that may not be null allows, from OmegaConf's words for a null given to it
    ("Incompatible value 'None' for field of type 'int'")."""
    head, sep, rest = msg.partition("Incompatible value 'None' for field of type '")
    return _KINDS.get(rest.split("'", 1)[0]) if sep and not head else None


#: OmegaConf's words for an override whose mapping meets a preset's list, or whose list meets a mapping.
_KIND_CHANGE = ("Cannot merge DictConfig with ListConfig", "Cannot merge ListConfig with DictConfig")
#: OmegaConf's words for a value whose type is not the schema's mapping there: on the command line,
#: and when a preset's value is merged (which names no key).
_NOT_SUBCLASS = ("Invalid type assigned: ", "Merge error: ")


def new_entry(name: str, argv: list[str]) -> str | None:
    """The way to add the entry ``name`` that an override of ``argv`` adds under its own path
    ('+parliament.committees.NAME={...}' or '+parliament.committees.NAME.size=9'): OmegaConf cannot
    type such an entry, though it types one merged into its mapping, all its settings at once
    ('+parliament.committees={NAME: {...}}')."""
    for key, _, _ in _overrides(argv):
        parts = key.removeprefix("+").split(".")
        if key.startswith("+") and name in parts[1:]:
            mapping = ".".join(parts[: parts.index(name, 1)])
            return (
                f"{mapping}.{name}: a new entry is added with its mapping, all its settings at once: "
                f"'+{mapping}={{{name}: {{...}}}}'"
            )
    return None


def given_value(key: str, argv: list[str]) -> str | None:
    """The value an override of ``argv`` gives ``key``, as written (the last such override's)."""
    found = None
    for _, name, value in _overrides(argv):
        if value is not None and name == key:
            found = value
    return found


def _overrides(argv: list[str]) -> list[tuple[str, str, str | None]]:
    """Each argument of ``argv`` as an override: its key as written (``+a.b``), the key itself
    (``a.b``), its value (None: no ``=``)."""
    out = []
    for arg in argv:
        written, sep, value = arg.partition("=")
        out.append((written, written.lstrip("+~"), value if sep else None))
    return out


def wrong_shape(key: str, msg: str, argv: list[str]) -> str | None:
    """What is allowed where a value is given for a mapping of the schema ('parliament.topics.law=5')
    or a single value for a list ('...sitting_weekdays=2'), or how to add a new entry (a mapping
    given under its own path, :func:`new_entry`), from OmegaConf's words."""
    if msg.startswith("Invalid value assigned: ") and msg.endswith(" is not a ListConfig, list or tuple."):
        value = given_value(key, argv)
        if value is None:
            return f"{key}: a single value is not allowed: a list, e.g. [1, 2]"
        return f"{key}={value} is not allowed: a list, e.g. [{value}]"
    prefix = next((p for p in _NOT_SUBCLASS if msg.startswith(p)), None)
    given, _, rest = msg.removeprefix(prefix or "").partition(" is not a subclass of ")
    kind, _, value = rest.partition(". value: ")
    if prefix is None or not value:
        return None
    if given == "dict":
        return new_entry(key, argv) if key else None
    from scenarios import stated

    schema = getattr(stated, kind, None)
    fields = [f.name for f in dataclasses.fields(schema)] if dataclasses.is_dataclass(schema) else []
    settings = f"a mapping of settings ({', '.join(fields)})" if fields else "a mapping of settings"
    one = fields[0] if fields else "NAME"
    shown = repr(value) if given == "str" else value
    if not key:  # a preset's value merged where the schema has a mapping: OmegaConf names no key
        return f"{shown} is not allowed where the schema has {settings}"
    return f"{key}={shown} is not allowed: {settings}: set one ('{key}.{one}=...') or all ('{key}={{...}}')"


def one_line(exc: BaseException) -> str:
    """A one-line message for a configuration error from us, Hydra or OmegaConf."""
    marked = _cause(exc, yaml.YAMLError)
    if marked is not None:
        return yaml_line(marked)  # type: ignore[arg-type]
    unknown = _cause(exc, (ConfigKeyError, ConfigAttributeError))
    kind = getattr(unknown, "object_type", None)
    if unknown is not None and getattr(unknown, "full_key", None) and dataclasses.is_dataclass(kind):
        # a key a preset file has and its schema does not: named as a key on the command line is
        key = str(unknown.full_key)  # type: ignore[union-attr]
        return f"{key} is not allowed: {schema_keys(kind, key.rsplit('.', 1)[-1])}"
    named = getattr(unknown, "parent_node", None)
    if unknown is not None and getattr(unknown, "full_key", None) and hasattr(named, "keys"):
        # a name in a mapping keyed by name (chambers, petitions, an experiment's settings)
        key, there = str(unknown.full_key), [str(k) for k in named]  # type: ignore[union-attr]
        return f"{key} is not allowed: {_names_here(key, there)}"
    oe = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    if isinstance(oe, OmegaConfBaseException):
        msg = (getattr(oe, "msg", None) or str(oe)).strip().splitlines()[0]
        key = getattr(oe, "full_key", None)
        typed = _wrong_type(msg)
        if key and typed:  # as our own checks say it: the field, its value, what is allowed
            return f"{key}={typed[0]!r} is not allowed: {typed[1]}"
        if key and msg.startswith("field '") and msg.endswith("' is not Optional"):  # key=null
            return f"{key}=null is not allowed: a value (this setting is never null)"
        if key and msg.endswith("does not support deletion"):  # '~key' of a field of the schema
            msg += f" (a field of the schema is set, not removed: '{key}=...')"
        if key and (shape := wrong_shape(str(key), msg, sys.argv[1:])):
            return shape
        if key and msg.startswith(_KIND_CHANGE):
            msg += f" (a mapping for a list or a list for a mapping: remove it first, '~{key}' '+{key}=...')"
        return f"{key}: {msg}" if key else msg
    ctx = exc.__context__  # a preset's value: Hydra names the preset, OmegaConf the key
    if isinstance(ctx, OmegaConfBaseException) and getattr(ctx, "full_key", None) is not None:
        msg = (getattr(ctx, "msg", None) or str(ctx)).strip().splitlines()[0]
        preset = str(exc).partition("In '")[2].partition("'")[0]
        if kind := _null_for(msg):  # a setting the schema requires, made null by a preset
            said = f"{ctx.full_key}=null is not allowed: {kind} (a preset must state it)"
            return f"{preset}: {said}" if preset else said
        if shape := wrong_shape(str(ctx.full_key), msg, []):
            return f"{preset}: {shape}" if preset else shape
    text = _flat(str(exc))
    return missing_preset_hint(text.split(" Config search path:")[0], sys.argv[1:])


def _a(word: str) -> str:
    """``word`` after its indefinite article (an experiment, a parliament)."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _names_here(key: str, there: list[str]) -> str:
    """What a mapping keyed by name holds, and the name meant where one is close to ``key``'s."""
    if not there:
        top = key.split(".")[0]
        return f"there is none here: choose {_a(top)} preset that has it ({top}=NAME)"
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], there, n=1)
    meant = f"; did you mean {close[0]}?" if close else ""
    return f"one of {', '.join(there)}{meant}"


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
    hint = f"{_a(group)} preset is the file {where}/{group}/{name}.yaml"
    if dirs and (Path(where) / f"{name}.yaml").is_file():
        hint = f"move {where}/{name}.yaml into the sub-folder {group}/: {hint}"
    if not dirs:
        hint += f", used with --config-dir {where}"
    offered = (
        message.split(f"Available options in '{group}':", 1)[1].split()
        if "Available options" in message
        else []
    )
    close = difflib.get_close_matches(name, offered, n=1)
    given = next((written for written, key, _ in _overrides(argv) if key == group), group)
    meant = f"did you mean {given}={close[0]}? " if close else ""
    return f"{message} ({meant}{hint})"


def io_line(exc: OSError) -> str:
    """``PATH: reason`` for a file or folder that cannot be read or written."""
    reason = exc.strerror or _flat(str(exc)) or type(exc).__name__
    where = exc.filename if exc.filename is not None else "a file"
    return f"{where}: {reason}"


#: A refusal raised in a submitit job reaches the command as the job's trace, its last line the
#: refusal's class and message.
_REFUSED_IN_JOB = ("experiments.errors.InputError: ", "scenarios.errors.ConfigError: ")


def _refused_in_job(exc: BaseException) -> str | None:
    """The refusal that ended a submitit job (``FailedJobError``), if one did."""
    if type(exc).__name__ != "FailedJobError":
        return None
    for line in reversed(str(exc).splitlines()):
        for prefix in _REFUSED_IN_JOB:
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return None


def describe(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and the line for ``exc``; None for an error that is a bug."""
    if isinstance(exc, BrokenPipeError):
        return EXIT_PIPE, ""
    if isinstance(exc, ConfigError | InputError):
        return EXIT_BAD_INPUT, str(exc)
    if (refused := _refused_in_job(exc)) is not None:
        return EXIT_BAD_INPUT, refused
    if isinstance(exc, yaml.YAMLError):
        return EXIT_BAD_INPUT, yaml_line(exc)
    if isinstance(exc, json.JSONDecodeError):
        return EXIT_BAD_INPUT, f"JSON: {exc.msg}, line {exc.lineno}"
    if isinstance(exc, HydraException | OmegaConfBaseException):
        return EXIT_BAD_INPUT, one_line(exc)
    if isinstance(exc, ValueError) and str(exc).startswith("Unable to configure "):
        # A logging configuration (``hydra.job_logging``, ``hydra.hydra_logging``) that the
        # allow-list lets through but Python's logging refuses, e.g. a format without its fields.
        why = _flat(str(exc.__cause__)) if exc.__cause__ is not None else ""
        return EXIT_BAD_INPUT, f"hydra logging: {exc}" + (f" ({why})" if why else "")
    _, found, rest = str(exc).partition("full_key: ")  # OmegaConf's words on an error of its own
    key = rest.split()[0] if found and rest.split() else None
    if isinstance(exc, AttributeError) and key:  # OmegaConf merging a mapping into a null node
        return EXIT_BAD_INPUT, (
            f"{key}: a mapping cannot be merged into it here (it is null): set it in a preset, or give "
            "a sweep's values on the command line (-m key=a,b)"
        )
    if isinstance(exc, OSError):
        return EXIT_IO, io_line(exc)
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted: finished replications are kept; the same command resumes"
    return None


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    if code == EXIT_PIPE:  # no one reads on: say nothing, and write nothing more at exit either
        reader_left()
    else:
        print(f"parltwin: error: {printable(message)}", file=sys.stderr)
    sys.exit(code)


def printable(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\n``, ``\\x1b``): a name given
    (a file's, a folder's) keeps the refusal on one line and cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def one_line_usage(parser: argparse.ArgumentParser) -> None:
    """Have ``parser`` refuse an argument as every refusal is made, in one line with exit code 2:
    argparse's own refusal prints the usage first."""

    def error(message: str) -> NoReturn:
        fail(message)

    parser.error = error  # type: ignore[method-assign]


def reader_left() -> None:
    """Point stdout at /dev/null once its pipe has closed, so that the interpreter's last flush
    does not fail again on the way out."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def exit_for(exc: BaseException) -> NoReturn:
    """End the process with ``exc``'s line and code; re-raise an error that is a bug."""
    known = describe(exc)
    if known is None:
        raise exc
    code, message = known
    fail(message, code)
