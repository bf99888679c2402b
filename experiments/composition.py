"""Hydra composes a command's config once, not twice.

``hydra.main`` composes the config to read ``hydra.mode`` (``Hydra.get_mode``), then composes it
again to run it (``Hydra.run``, or ``Hydra.multirun`` for the sweep's master config): 0.3-0.6 s of a
single run's start-up, spent twice. Within :func:`compose_once`, that first composition is made as a
run's and handed to the very next one when it asks for the same config and overrides (Hydra may add
``hydra.mode=RUN`` or ``MULTIRUN``; the override is applied to the kept config as Hydra would). Where
the two could differ, Hydra composes as usual: a command line with a sweep (``a=1,2``), or a config
that composes only as a sweep's (a default left ``???``).

Config files are read with libyaml's parser where PyYAML has it (:func:`libyaml`): the same loader
as OmegaConf's (its resolvers, its refusal of duplicate keys), a sixth of a composition's time less.

A sweeper composes each job's config to check the batch, then the launcher composes it again to run
it; a job's composition is kept from the first to the second (once: the launcher sets the job's
number on it). The check before Hydra acts composes a sweep's master and jobs too: those are handed
over (``first`` and ``jobs``) and Hydra composes nothing. A launcher that runs jobs in other
processes (joblib, submitit) composes each job again there, with the loader it was handed: that
loader travels as a :class:`Guarded` one (:func:`workers_checked`), which reads the files under the
command's own guard and refuses a job whose config is not the one the check approved (a file
changed in between could otherwise configure a logger or a callback in the worker).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_MODES = ("hydra.mode=RUN", "hydra.mode=MULTIRUN")
#: What the check before a run made for its job, handed to the job in the same process (taken once).
_prepared: dict[str, Any] = {}


def hand_over(kind: str, made: Any) -> None:
    """Keep what the check made for a job of ``kind`` (e.g. a robustness run's checked worlds)."""
    _prepared[kind] = made


def of_folder(kind: str, folder: Path) -> str:
    """The kind of a hand-over made for the job writing into ``folder``."""
    return f"{kind}:{Path(folder).resolve()}"


def validated(folder: Path) -> str:
    """The kind of hand-over of a job's validated config (the job's folder's)."""
    return of_folder("validated", folder)


def checked_sweep(folder: Path) -> str:
    """The kind of hand-over that says a sweep writing into ``folder`` was checked, jobs and all."""
    return of_folder("checked-sweep", folder)


def take(kind: str) -> Any:
    """What the check made for a job of ``kind``, once; ``None`` if nothing."""
    return _prepared.pop(kind, None)


@contextmanager
def libyaml() -> Iterator[None]:
    """While inside, ``OmegaConf.load`` (and so Hydra) parses YAML with libyaml's C parser, its
    loader otherwise OmegaConf's own; as before where PyYAML was built without libyaml."""
    import omegaconf._utils as utils

    try:
        from yaml.cyaml import CParser
    except ImportError:  # PyYAML without libyaml
        yield
        return
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    original = utils.get_yaml_loader

    class Loader(CParser, original()):  # type: ignore[misc]
        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    utils.get_yaml_loader = lambda: Loader
    try:
        yield
    finally:
        utils.get_yaml_loader = original


def _has_sweep(overrides: list[str]) -> bool:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return any(o.is_sweep_override() for o in OverridesParser.create().parse_overrides(overrides))
    except Exception:  # Hydra reports a bad override itself, with its own message
        return True


#: Sweep compositions kept for the launcher, at most (a batch larger than this composes the rest
#: again, as Hydra does).
KEEP = 64


def with_overrides(cfg: Any, overrides: list[str]) -> Any:
    """A composed config with plain ``key=value`` overrides of its ``hydra`` node applied as Hydra
    applies them (the value set, the override listed in ``hydra.overrides.hydra``). In place: the
    check's compositions are handed to Hydra and not used after."""
    from omegaconf import OmegaConf, open_dict, read_write

    with read_write(cfg), open_dict(cfg):
        for override in overrides:
            OmegaConf.update(cfg, *_key_value(override), merge=False)
            cfg.hydra.overrides.hydra.append(override)
    return cfg


def _key_value(override: str) -> tuple[str, str]:
    """The key and value of a plain ``key=value`` override (a folder pinned quoted: unquoted)."""
    key, value = override.split("=", 1)
    if len(value) > 1 and value[0] == value[-1] == "'":  # a folder pinned quoted (a ':', a space)
        value = value[1:-1]
    return key, value


@contextmanager
def compose_once(
    first: tuple[list[str], Any] | None = None, made_jobs: Sequence[tuple[list[str], Any]] = ()
) -> Iterator[None]:
    """While inside, each config is composed once (see the module). ``first`` is a composition
    already made of the command's overrides (the check before Hydra acts): Hydra's first
    composition of those overrides is that one, and it is not composed at all. ``made_jobs`` are a
    sweep's jobs composed by the check, each with the overrides Hydra composes it from: they serve
    the sweeper's check of the batch, then the launcher."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.types import RunMode

    from scenarios.allowlist import check_instantiable

    hydras = ConfigLoaderImpl.load_configuration

    def original(*args: Any) -> Any:
        """A composition of Hydra's own, checked as the check before it checked its own: a preset's
        defaults may not give Hydra the config the check composed (they are refused when they
        interpolate, but Hydra composes anew whatever the check could not hand over)."""
        cfg = hydras(*args)
        check_instantiable(cfg)
        return cfg

    kept: list[tuple[str | None, list[str], Any]] = []
    made = [first] if first is not None else []
    jobs: dict[tuple[str | None, tuple[str, ...]], Any] = {("config", tuple(o)): c for o, c in made_jobs}
    twice = set(jobs)  # asked for by the sweeper's check, then by the launcher

    def load_configuration(
        self: Any,
        config_name: str | None,
        overrides: list[str],
        run_mode: RunMode,
        from_shell: bool = True,
        validate_sweep_overrides: bool = True,
    ) -> Any:
        if config_name is None:  # Hydra's --hydra-help, whose own defaults log to a file: parltwin's
            config_name = "config"
        if kept:  # the composition that read the mode: good for the next call only
            name, first, cfg = kept.pop()
            extra = list(overrides[len(first) :])
            same = name == config_name and list(overrides[: len(first)]) == first
            if same and extra in ([], *[[m] for m in _MODES]):
                if extra:
                    cfg.hydra.mode = RunMode[extra[0].split("=", 1)[1]]
                    cfg.hydra.overrides.hydra.append(extra[0])
                return cfg
        if run_mode == RunMode.MULTIRUN and not validate_sweep_overrides:  # reading the mode
            if made and config_name == "config" and list(overrides) == made[0][0]:
                cfg = made.pop()[1]
                kept.append((config_name, list(overrides), cfg))
                return cfg
            if not _has_sweep(list(overrides)):
                try:
                    cfg = original(self, config_name, overrides, RunMode.RUN, from_shell, True)
                except Exception:  # e.g. a default only a sweep fills: compose as Hydra does
                    pass
                else:
                    kept.append((config_name, list(overrides), cfg))
                    return cfg
        elif run_mode == RunMode.RUN:  # a job of a sweep: checked by the sweeper, then launched
            key = (config_name, tuple(overrides))
            cfg = jobs.pop(key, None)
            if key in twice and cfg is not None:
                twice.discard(key)
                jobs[key] = cfg
            elif cfg is None:
                cfg = original(self, config_name, overrides, run_mode, from_shell, validate_sweep_overrides)
                jobs[key] = cfg
                while len(jobs) > KEEP:
                    jobs.pop(next(iter(jobs)))
            return cfg
        return original(self, config_name, overrides, run_mode, from_shell, validate_sweep_overrides)

    ConfigLoaderImpl.load_configuration = load_configuration  # type: ignore[method-assign]
    try:
        yield
    finally:
        ConfigLoaderImpl.load_configuration = hydras  # type: ignore[method-assign]


def fingerprint(cfg: Any, pinned: Sequence[str] = ()) -> str:
    """A job's composed config as a digest, less what legitimately differs where it is composed
    again: its number (set by the launcher), ``hydra.runtime`` (the folder and sources of the
    process), the list of ``hydra`` overrides (their values are in the config itself), the mode and
    the search path (the check lists a ``--config-dir`` there; what it reads is in the config).
    ``pinned``: plain ``key=value`` overrides of folders (strings) the config is digested with, as
    :func:`with_overrides` would set them, without a copy of the config."""
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(cfg, resolve=False)
    for override in pinned:
        key, value = _key_value(override)
        *path, last = key.split(".")
        node = data
        for part in path:
            node = node.setdefault(part, {})  # type: ignore[union-attr]
        node[last] = value  # type: ignore[index]
    hydra = data.get("hydra") if isinstance(data, dict) else None
    if isinstance(hydra, dict):
        for key in ("runtime", "overrides", "mode", "searchpath"):
            hydra.pop(key, None)
        for key in ("id", "num"):
            (hydra.get("job") or {}).pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class Guarded:
    """Hydra's config loader as a launcher's worker holds it: each job's config is composed as the
    command composed it (libyaml, :func:`experiments.config_files.confined`), checked against the
    allow-list, and, where the check approved the job, must be the config approved."""

    def __init__(self, loader: Any, approved: Mapping[tuple[str, ...], str]) -> None:
        self.loader = loader
        self.approved = dict(approved)

    def __getattr__(self, name: str) -> Any:  # anything else of Hydra's loader
        if name in ("loader", "approved"):  # not set yet (unpickling)
            raise AttributeError(name)
        return getattr(self.loader, name)

    def load_sweep_config(self, master_config: Any, sweep_overrides: list[str]) -> Any:
        from experiments.config_files import confined
        from experiments.errors import InputError
        from scenarios.allowlist import check_instantiable

        with libyaml(), confined():
            cfg = self.loader.load_sweep_config(master_config, sweep_overrides)
        check_instantiable(cfg)
        approved = self.approved.get(tuple(sweep_overrides))
        if approved is not None and approved != fingerprint(cfg):
            job = " ".join(sweep_overrides)
            changed = "its config files changed after the command was checked; run it again"
            raise InputError(f"job {job!r}: {changed}")
        return cfg


def _guarded(state: dict[str, Any], approved: Mapping[tuple[str, ...], str]) -> Guarded:
    """Hydra's loader rebuilt from its state in a worker, guarded."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    loader = ConfigLoaderImpl.__new__(ConfigLoaderImpl)
    loader.__dict__.update(state)
    return Guarded(loader, approved)


@contextmanager
def workers_checked(approved: Mapping[tuple[str, ...], str]) -> Iterator[None]:
    """While inside, Hydra's config loader is sent to another process (a launcher's worker) as a
    :class:`Guarded` one holding ``approved``: the fingerprints of the jobs' configs the check
    approved, by the job's overrides."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    approved = dict(approved)

    def travels(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return _guarded, (self.__dict__, approved)

    ConfigLoaderImpl.__reduce__ = travels  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        del ConfigLoaderImpl.__reduce__


def choices_of(cfg: Any) -> dict[str, Any]:
    """The group choices a composed config was made of (``hydra.runtime.choices``), Hydra's own aside."""
    from omegaconf import OmegaConf

    choices = OmegaConf.to_container(cfg.hydra.runtime.choices, resolve=False)
    assert isinstance(choices, dict)
    return {k: v for k, v in choices.items() if not str(k).startswith("hydra")}


def check_scenario_choices(cfg: Any) -> None:
    """A scenario preset's own choices of presets hold in its run: a group chosen on the command
    line as well (``+scenario=kz_kurultai_2026 parliament=kz_bicameral_2023``) won, and a comparison
    (or a robustness run, whose scenarios are composed with the command's overrides) compared two
    bicameral parliaments under the Kurultai's name, finding no difference."""
    from scenarios import ConfigError

    choices = choices_of(cfg)
    name = choices.get("scenario")
    if not isinstance(name, str):
        return
    for group, wanted in _scenario_choices(cfg, name).items():
        if choices.get(group) not in (wanted, None):  # None: the group removed (~channels), as asked
            raise ConfigError(
                group,
                choices.get(group),
                f"{wanted}, as +scenario={name} chooses (a scenario sets its presets: give the scenario or "
                "the preset, not both)",
            )


def _scenario_choices(cfg: Any, name: str) -> dict[str, str]:
    """The presets a scenario file chooses (its defaults' ``override /group: name``), read from the
    config sources the job was composed from."""
    from hydra._internal.config_repository import ConfigRepository
    from hydra._internal.utils import create_config_search_path
    from omegaconf import OmegaConf

    search = create_config_search_path(None)
    for source in OmegaConf.to_container(cfg.hydra.runtime.config_sources, resolve=False) or []:
        if isinstance(source, dict) and source.get("schema") in ("pkg", "file"):
            search.append(str(source.get("provider")), f"{source['schema']}://{source.get('path')}")
    found = ConfigRepository(search).load_config(f"scenario/{name}")
    if found is None:
        return {}
    return {
        str(d.group).lstrip("/"): str(d.get_name())
        for d in found.defaults_list
        if getattr(d, "override", False) and getattr(d, "group", None) and d.get_name() is not None
    }
