"""Atomic writes, and the folders a command creates.

Each write goes to a temporary file in the same folder, is flushed to disk, then renamed over the
target (``os.replace`` is atomic on POSIX). A write that fails (a full or read-only disk) removes its
temporary file and raises ``OSError`` naming the target; a run killed half-way leaves only
``.tmp-*`` files, which nothing reads as results.

A command notes the folders it is about to create (:func:`missing_dirs`) before anything runs; if it
ends in an error it removes those that hold no result (:func:`remove_created`), and never a folder
that existed before it started.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()
#: Files Hydra writes into a sweep folder before any job runs: bookkeeping, not results.
BOOKKEEPING = frozenset({"multirun.yaml"})
#: The submitit launcher's folder in a sweep's (its jobs' pickles and logs): bookkeeping too.
SUBMITIT = ".submitit"


#: The largest table of figures a user gives (the shipped ones are a few kilobytes).
MAX_TABLE_BYTES = 10_000_000
#: The largest JSON file of a run folder read back (a manifest of 100,000 seeds is under 2 MB): a
#: record of 400 MB took a gigabyte of memory before it was refused.
MAX_JSON_BYTES = 50_000_000
#: The deepest a JSON file of a run folder read back may nest, its top object at depth 1: a run's own
#: are at most 9 deep (``manifest.json``; ``scenario.json``: 7), and a mapping 900 deep in a
#: scenario.json ended its reading by OmegaConf in a RecursionError.
MAX_JSON_DEPTH = 100


def regular_file(path: Path, most: int = MAX_TABLE_BYTES) -> str | None:
    """Why ``path`` is not a file to read whole (not there, a device, a pipe, too large), or None:
    ``/dev/zero`` filled the memory, a pipe waited for ever, and ``/proc/self/pagemap`` said it was
    empty."""
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        return "no such file"
    if not p.is_file():
        return "not a regular file"
    if p.stat().st_size > most:
        return f"{p.stat().st_size:,} bytes, over the {most:,} a table may have"
    try:
        with p.open("rb") as f:  # a file may hold more than it says (/proc's say 0 bytes)
            if len(f.read(most + 1)) > most:
                return f"over the {most:,} bytes a table may have"
    except OSError as e:
        return f"not readable ({e.strerror})"
    return None


def linked(path: Path) -> bool:
    """Whether ``path`` or its folder is a symbolic link: a run's files are read where the run wrote
    them, never where a link points (a run folder's ``robustness.csv`` made a link showed
    /etc/shadow in the explorer)."""
    return Path(path).is_symlink() or Path(path).parent.is_symlink()


def own_folder(folder: Path) -> None:
    """An ``OSError`` if ``folder`` is a symbolic link: a run writes, and removes, only in folders of
    its own, never where a link points."""
    if Path(folder).is_symlink():
        raise OSError(40, "a symbolic link, not a folder of the run's own", str(folder))


def write_with(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``. A folder on the way that
    is a symbolic link is refused: a run folder's ``ledger/`` or ``figures/`` made a link wrote the
    run's files wherever it pointed."""
    path = Path(path)
    tmp: str | None = None
    own_folder(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}.", dir=path.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are for others to read too
        write(Path(tmp))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:  # name the file the user knows, not the temporary one
        _discard(tmp)
        raise OSError(e.errno, e.strerror or str(e), str(path)) from e
    except BaseException:
        _discard(tmp)
        raise
    return path


def _discard(tmp: str | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    return write_with(path, lambda p: p.write_text(text, encoding="utf-8"))


#: The hidden file an experiment that writes no manifest leaves in its folder, naming its kind.
KIND_MARK = ".parltwin-kind"


def mark_kind(folder: Path, kind: str) -> None:
    """Say, before a run's first output, that the folder's files are a ``kind`` run's: a folder
    holding only files of the same names (a user's ``report.html``) was taken for a previous run's
    and written over."""
    write_text(Path(folder) / KIND_MARK, f"{kind}\n")


def marked_kind(folder: Path) -> str | None:
    """The kind of run that wrote ``folder``'s outputs (:func:`mark_kind`), or None."""
    path = Path(folder) / KIND_MARK
    if linked(path) or regular_file(path, 100) is not None:
        return None
    return path.read_text(encoding="utf-8", errors="replace").strip()


#: How a cell a spreadsheet would take for a formula begins (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cells(values: Any) -> Any:
    """Text from a user's file (a pandas Series), each cell a spreadsheet would read as a formula
    (``=HYPERLINK(...)``) written as text, with a leading ``'``: a table of figures shared with
    the user could otherwise run a formula when the CSV it became is opened."""
    return values.map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)


def read_json(
    path: Path,
    keys: Sequence[str],
    what: str,
    kinds: Mapping[str, tuple[Callable[[Any], bool], str]] | None = None,
) -> dict[str, Any]:
    """The JSON object in ``path``, which holds ``keys``; else an ``InputError`` naming the file.
    ``kinds``: key -> (a test of its value, what it must be), for what a file's reader relies on.
    Every such file is a run's, read where the run wrote it: a link (:func:`linked`) is refused."""
    from experiments.errors import InputError, long_integer

    if linked(path):
        raise InputError(f"{path}: not {what} (a symbolic link, not a file of the run's own)")
    why = regular_file(path, MAX_JSON_BYTES)
    if why is not None:
        raise InputError(f"{path}: not {what} ({why})")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except RecursionError:  # lists within lists, deeper than Python's reader goes
        raise InputError(f"{path}: not {what} (nested too deeply)") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}, line {e.lineno}: not {what} ({e.msg})") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not {what} (not UTF-8 text: {e.reason})") from None
    except ValueError as e:  # the one other: an integer longer than Python reads
        raise InputError(f"{path}: not {what} ({long_integer(e) or e})") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise InputError(f"{path}: not {what} (nested too deeply: over {MAX_JSON_DEPTH} levels)")
    if not isinstance(data, dict):  # a list: its readers look keys up, even those none requires
        raise InputError(f"{path}: not {what} (not a JSON object)")
    missing = [k for k in keys if k not in data]
    if missing:
        raise InputError(f"{path}: not {what} (no {missing[0]!r})")
    for key, (ok, allowed) in (kinds or {}).items():
        if not ok(data.get(key)):
            raise InputError(f"{path}: not {what} ({key!r} is not {allowed})")
    return data


def json_depth(data: Any) -> int:
    """How deep ``data`` nests (a number 0, a list or object of numbers 1), counted without recursion:
    what is too deep for a recursive reader must not end this count too."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            todo += [(v, depth + 1) for v in (node.values() if isinstance(node, dict) else node)]
    return deepest


def whole(x: Any) -> bool:
    """A JSON integer (not a boolean)."""
    return isinstance(x, int) and not isinstance(x, bool)


#: The largest magnitude of a number in a replication's summary: far above any the model makes, and
#: below what the report's number formatting takes (1e26 and over ended ``parltwin-report`` with a
#: traceback).
MAX_SUMMARY_NUMBER = 1e15


def numbers_only(x: Any) -> bool:
    """Numbers (at most :data:`MAX_SUMMARY_NUMBER` in size, or not finite), nulls and booleans,
    nested in objects: what a replication's summary holds."""
    if isinstance(x, dict):
        return all(numbers_only(v) for v in x.values())
    if isinstance(x, int | float) and math.isfinite(x):
        return abs(x) <= MAX_SUMMARY_NUMBER
    return x is None or isinstance(x, int | float)


def json_text(data: Any) -> str:
    """``data`` as :func:`write_json` writes it."""
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def write_json(path: Path, data: Any) -> Path:
    return write_text(path, json_text(data))


def missing_dirs(path: Path) -> list[Path]:
    """``path`` and those of its parents that do not exist yet, deepest first (absolute)."""
    out = []
    p = Path(os.path.abspath(path))
    while not p.exists() and p != p.parent:
        out.append(p)
        p = p.parent
    return out


def existing_ancestor(path: Path) -> Path:
    """The deepest part of ``path`` that exists (``path`` itself if it does)."""
    p = Path(os.path.abspath(path))
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _only_bookkeeping(folder: Path) -> bool:
    return all(
        n in BOOKKEEPING or SUBMITIT in Path(root).relative_to(folder).parts
        for root, _, names in os.walk(folder)
        for n in names
    )


def remove_created(folders: Iterable[Path]) -> None:
    """Remove the given folders (made by this command) that hold no result, deepest first, with
    what Hydra wrote into them before any job ran. A folder holding anything else stays."""
    for folder in sorted(set(folders), key=lambda p: len(p.parts), reverse=True):
        if not folder.is_dir() or not _only_bookkeeping(folder):
            continue
        try:
            for root, dirs, names in os.walk(folder, topdown=False):
                for n in names:
                    os.unlink(os.path.join(root, n))
                for d in dirs:
                    os.rmdir(os.path.join(root, d))
            folder.rmdir()
        except OSError:
            continue


def write_tables(folder: Path, tables: Mapping[str, Any]) -> None:
    """Each table (a pandas DataFrame) as ``folder/<name>`` CSV, atomically, in the given order."""
    for name, table in tables.items():
        write_with(Path(folder) / name, lambda p, t=table: t.to_csv(p, index=False))


def write_figures(folder: Path, figures: Iterable[Any]) -> None:
    """Each figure's PNG bytes (``.name``, ``.png``) as ``folder/<name>.png``, atomically."""
    for f in figures:
        write_with(Path(folder) / f"{f.name}.png", lambda p, png=f.png: p.write_bytes(png))
