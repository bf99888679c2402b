"""What a comparison's run folder holds: its scenario folders, and the outputs the comparison writes.

Kept apart from :mod:`experiments.comparison` (pandas, scipy, figures): a sweep finds its jobs and
clears a previous comparison before it needs any of those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments import catalog
from experiments.files import own_folder, read_json, whole
from experiments.replicate import LEDGER, RECORDS, SCENARIO
from scenarios.schema import LANGUAGES, Config
from scenarios.stated import NAME, NAMED, mistyped
from scenarios.validate import MAX_YEARS

#: Files :func:`experiments.comparison.finish` writes; removed first (report first) when a run starts.
OUTPUTS = ("report.html", "comparison.csv", "channels.csv", "summary.csv", "manifest.json")
FIGURES = "figures"
#: What a job's manifest holds (``scenario.json``; a file without them is not one).
MANIFEST_KEYS = ("name", "config", "fingerprint", "seed", "seeds", "years", "replications", "parliament")
#: What the comparison relies on in a manifest's values: as many seeds as replications (a count
#: alone, 10**12, had the refusal of an unfinished run look for that many records).
MANIFEST_KINDS = {
    "seeds": (lambda x: isinstance(x, list) and all(whole(s) for s in x), "a list of whole numbers"),
    "replications": (lambda x: whole(x) and x >= 1, "a whole number >= 1"),
    "years": (
        lambda x: isinstance(x, int | float) and not isinstance(x, bool) and 0 < x <= MAX_YEARS,
        f"a number of years > 0, at most {MAX_YEARS:g}",
    ),
    "name": (lambda x: isinstance(x, str) and x != "", "a non-empty text"),
    "parliament": (lambda x: isinstance(x, str) and NAME.fullmatch(x) is not None, f"a name of {NAMED}"),
    "fingerprint": (lambda x: isinstance(x, str), "a text"),
    "seed": (whole, "a whole number"),
    "config": (lambda x: isinstance(x, dict), "a mapping (the job's resolved config)"),
}
#: The job's resolved config as YAML, in its order (``scenario.json`` holds it with sorted keys).
CONFIG = "config.yaml"
#: Everything a comparison's job writes in its folder: a folder holding anything else is not one.
JOB_FILES = frozenset({CONFIG, SCENARIO, RECORDS, LEDGER, catalog.FILE, FIGURES, *OUTPUTS})


def clear_outputs(run_dir: Path) -> None:
    """Remove a previous comparison (report first): what remains cannot pass for a finished run. A
    ``figures`` that is a link is refused before anything is removed: its files are not the run's."""
    own_folder(run_dir / FIGURES)
    for name in OUTPUTS:
        (run_dir / name).unlink(missing_ok=True)
    for png in (run_dir / FIGURES).glob("*.png"):
        png.unlink()
    clear_cut_short(run_dir)


def clear_cut_short(run_dir: Path) -> None:
    """Remove what a write cut short left of the comparison's files (``.tmp-*``: never results)."""
    figures = [] if (run_dir / FIGURES).is_symlink() else list((run_dir / FIGURES).glob(".tmp-*"))
    for tmp in [*run_dir.glob(".tmp-*"), *figures]:
        tmp.unlink(missing_ok=True)


def job_manifest(folder: Path) -> dict[str, Any]:
    """A job's manifest (its ``scenario.json``), with what every reader relies on in it; else an
    ``InputError`` naming the file. Each field a reader takes is checked here, once, and its config
    against the schema's types: the readers take them as they are."""
    from experiments.errors import InputError

    path = Path(folder) / SCENARIO
    data = read_json(path, MANIFEST_KEYS, "a job's manifest", MANIFEST_KINDS)
    for key, (ok, allowed) in MANIFEST_OPTIONAL.items():
        if key in data and not ok(data[key]):
            raise InputError(f"{path}: not a job's manifest ({key!r} is not {allowed})")
    config = data["config"]
    found = next(
        ((key, allowed) for key, (ok, allowed) in CONFIG_KINDS.items() if not ok(config.get(key))), None
    ) or mistyped(Config, config)
    if found is not None:
        raise InputError(f"{path}: not a job's manifest ('config.{found[0]}' is not {found[1]})")
    return data


def _texts(x: Any, *, nulls: bool = False) -> bool:
    """Whether ``x`` is a mapping of texts (and, with ``nulls``, of nulls)."""
    return isinstance(x, dict) and all(isinstance(v, str) or (nulls and v is None) for v in x.values())


def _text_or_null(x: Any) -> bool:
    return x is None or isinstance(x, str)


#: What a manifest may hold besides :data:`MANIFEST_KEYS` (absent: the reader's default): a name
#: given as a number, a list for a mapping, ended a report in a traceback after its figures were drawn.
MANIFEST_OPTIONAL = {
    "description": (_text_or_null, "a text or null"),
    "job": (lambda x: whole(x) and x >= 0, "a whole number >= 0"),
    "overrides": (lambda x: isinstance(x, list) and all(isinstance(o, str) for o in x), "a list of texts"),
    "choices": (lambda x: _texts(x, nulls=True), "a mapping of config groups to presets' names"),
    "command": (_text_or_null, "a text or null"),
    "git": (
        lambda x: (
            isinstance(x, dict)
            and _text_or_null(x.get("revision"))
            and (x.get("dirty") is None or isinstance(x.get("dirty"), bool))
        ),
        "a mapping of revision (a text or null) and dirty (true, false or null)",
    ),
    "versions": (lambda x: _texts(x, nulls=True), "a mapping of packages to versions"),
    "model_code": (_text_or_null, "a text or null"),
    "created": (lambda x: isinstance(x, str), "a text"),
}
#: What the comparison reads of a job's config beyond the schema's types (``experiment`` is the
#: experiment's own, checked by its runner; ``lang`` names the report's language).
CONFIG_KINDS = {
    "experiment": (lambda x: x is None or isinstance(x, dict), "a mapping of the experiment's parameters"),
    "lang": (lambda x: x is None or x in LANGUAGES, f"one of {', '.join(LANGUAGES)}"),
}


def scenario_folders(run_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The scenario folders of a run (the folder itself, or the jobs of a sweep), in job order."""
    run_dir = Path(run_dir)
    if (run_dir / SCENARIO).is_file():
        folders = [run_dir]
    else:
        folders = [d for d in run_dir.iterdir() if (d / SCENARIO).is_file()] if run_dir.is_dir() else []
        for d in folders:
            if d.is_symlink():  # a job's results are read where the run wrote them, not where a link points
                from experiments.errors import InputError

                raise InputError(f"{d}: a job's folder that is a symbolic link (a run writes its own)")
    found = [(d, job_manifest(d)) for d in folders]
    for d, m in found:
        if len(m["seeds"]) != m["replications"]:
            from experiments.errors import InputError

            raise InputError(f"{d / SCENARIO}: not a job's manifest (as many seeds as replications)")
    return sorted(found, key=lambda x: (x[1].get("job", 0), x[0].name))
