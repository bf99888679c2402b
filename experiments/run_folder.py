"""What a comparison's run folder holds: its scenario folders, and the outputs the comparison writes.

Kept apart from :mod:`experiments.comparison` (pandas, scipy, figures): a sweep finds its jobs and
clears a previous comparison before it needs any of those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments import catalog
from experiments.files import read_json, whole
from experiments.replicate import LEDGER, RECORDS, SCENARIO

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
    "years": (lambda x: isinstance(x, int | float) and not isinstance(x, bool) and x > 0, "a number > 0"),
}
#: The job's resolved config as YAML, in its order (``scenario.json`` holds it with sorted keys).
CONFIG = "config.yaml"
#: Everything a comparison's job writes in its folder: a folder holding anything else is not one.
JOB_FILES = frozenset({CONFIG, SCENARIO, RECORDS, LEDGER, catalog.FILE, FIGURES, *OUTPUTS})


def clear_outputs(run_dir: Path) -> None:
    """Remove a previous comparison (report first): what remains cannot pass for a finished run."""
    for name in OUTPUTS:
        (run_dir / name).unlink(missing_ok=True)
    for png in (run_dir / FIGURES).glob("*.png"):
        png.unlink()
    clear_cut_short(run_dir)


def clear_cut_short(run_dir: Path) -> None:
    """Remove what a write cut short left of the comparison's files (``.tmp-*``: never results)."""
    for tmp in [*run_dir.glob(".tmp-*"), *(run_dir / FIGURES).glob(".tmp-*")]:
        tmp.unlink(missing_ok=True)


def job_manifest(folder: Path) -> dict[str, Any]:
    """A job's manifest (its ``scenario.json``), with what every reader relies on in it; else an
    ``InputError`` naming the file."""
    return read_json(Path(folder) / SCENARIO, MANIFEST_KEYS, "a job's manifest", MANIFEST_KINDS)


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
