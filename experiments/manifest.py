"""What a run folder needs to be reproduced: resolved config, seeds, versions, revision, command.

An academic re-running an experiment on another machine compares these fields first: the same
config, seeds and package versions give the same numbers, numpy computing with the C library's
``exp`` and ``log`` (``versions()["numpy_kernels"]``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import shlex
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from agents.numerics import portable_here
from scenarios.schema import Config
from scenarios.stated import complete

#: Distributions whose versions can change the numbers or the figures.
PACKAGES = (
    "parltwin",
    "numpy",
    "pandas",
    "scipy",
    "simpy",
    "mesa",
    "hydra-core",
    "omegaconf",
    "pyarrow",
    "matplotlib",
    "seaborn",
    "jinja2",
    "joblib",
    "dask",
    "distributed",
    "hydra-joblib-launcher",
    "hydra-submitit-launcher",
)
ROOT = Path(__file__).resolve().parents[1]
#: Whose ``exp`` and ``log`` numpy used in a run, by whether they are the C library's.
NUMPY_KERNELS = {True: "C library's exp and log", False: "this CPU's own exp and log (AVX-512)"}


def versions() -> dict[str, str | None]:
    """Python, platform, the installed version of each of :data:`PACKAGES` (None if absent), and
    whose ``exp`` and ``log`` numpy computes with (``agents.numerics``)."""
    return dict(_versions())


@functools.cache
def _versions() -> dict[str, str | None]:
    """Read once a process (about 50 ms: each package's metadata is found on disk), as the code it
    runs is loaded once."""
    out: dict[str, str | None] = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["numpy_kernels"] = NUMPY_KERNELS[portable_here()]
    return out


#: The packages whose code makes a run's numbers: the engine, the agents, the scenarios' rules.
MODEL_PACKAGES = ("agents", "sim", "scenarios")


@functools.cache
def model_code() -> str:
    """A digest of the model's source (:data:`MODEL_PACKAGES`), read once a process: replications
    made by other code are other results, for the same config and seeds. A replication's record
    carries it, and a run resumed with other code is refused (git's revision says nothing of edits
    that are not committed)."""
    digest = hashlib.sha256()
    for package in MODEL_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name.startswith(".") or not path.is_file():  # an editor's lock file, a dangling link
                continue
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _git(*args: str) -> str | None:
    try:
        res = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def git_revision() -> dict[str, Any]:
    """The commit of the source tree and whether tracked files differ from it (None outside git)."""
    return dict(_git_revision())


@functools.cache
def _git_revision() -> dict[str, Any]:
    """Asked of git once a process, like :func:`versions`: the code a process runs is the code it
    loaded, so a file edited while a sweep runs does not mark its later jobs' manifests dirty."""
    rev = _git("rev-parse", "HEAD")
    if rev is None:
        return {"revision": None, "dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"revision": rev, "dirty": bool(status) if status is not None else None}


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The config as plain data with every interpolation resolved, and the settings that presets need
    not state where they are not read (a vote stage's duration) at the value the engine takes."""
    return complete(Config, OmegaConf.to_container(cfg, resolve=True))


def config_yaml(data: dict[str, Any]) -> str:
    """Resolved config data (:func:`resolved`) as ``OmegaConf.to_yaml`` writes the config, in its
    order: the same text, emitted by libyaml where PyYAML has it (a third of the time)."""
    import yaml

    return yaml.dump(data, Dumper=_dumper(), default_flow_style=False, allow_unicode=True, sort_keys=False)


@functools.cache
def _dumper() -> type:
    """OmegaConf's YAML dumper (its representers: strings it would misread are quoted), with
    libyaml's emitter where PyYAML has one: PyYAML's own C dumper given OmegaConf's representers."""
    from omegaconf._utils import get_omega_conf_dumper

    dumper = get_omega_conf_dumper()
    try:
        from yaml.cyaml import CDumper
    except ImportError:  # PyYAML without libyaml
        return dumper

    class Dumper(CDumper):
        yaml_representers = dumper.yaml_representers
        yaml_multi_representers = dumper.yaml_multi_representers

    return Dumper


def run_config_text(cfg: DictConfig) -> str:
    """A single run's resolved config as its ``config.yaml`` holds it (how it is shown aside): what
    made its numbers (parliament, channels, seed, years), which summary.json alone did not say."""
    return config_yaml({k: v for k, v in resolved(cfg).items() if k not in ("hydra", "quiet", "lang")})


def config_hash(data: Any) -> str:
    """A short stable fingerprint of plain data (key order does not matter)."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def command_line(task_overrides: list[str], hydra_overrides: list[str], sources: Any = ()) -> str:
    """A ``parltwin`` command that runs this job again: with ``--config-dir`` where Hydra's config
    ``sources`` (``hydra.runtime.config_sources``) hold a folder given on the command line, without
    which a user's own presets are not found."""
    folders = [
        str(s.get("path"))
        for s in sources or ()
        if isinstance(s, Mapping) and s.get("provider") == "command-line" and s.get("schema") == "file"
    ]
    given = [arg for folder in folders for arg in ("--config-dir", folder)]
    return shlex.join(["parltwin", *given, *hydra_overrides, *task_overrides])


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
