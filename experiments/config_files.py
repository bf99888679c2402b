"""A user's config files, as Hydra may read them: only by a plain name, only from inside a search
folder, each a regular file of UTF-8 text of a preset's size whose defaults name their choices
outright. ``parltwin`` checks a ``--config-dir``'s files before Hydra reads any, and every file
Hydra reads as it reads it (:func:`confined`)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from experiments.errors import MAX_NESTING, TOO_DEEP, InputError, long_integer, nesting

#: The most a user's YAML file may hold, its aliases expanded (the largest shipped preset: 623 nodes),
#: and its size: a few lines of anchors and aliases can stand for billions of nodes.
MAX_YAML_NODES = 50_000
MAX_YAML_BYTES = 2_000_000


#: Files at the top of a ``--config-dir`` that Hydra would take for the schema registered under that
#: name (and warn, in five lines, that it does).
SHADOWING = ("schema.yaml", "schema.yml")


def check_user_files(folder: Path) -> None:
    """Every YAML file under a ``--config-dir`` passes :func:`check_user_file`, before Hydra reads
    any (it would expand their aliases). A file Hydra reads that this walk did not see (in a linked
    folder) is checked as Hydra reads it (:func:`confined`)."""
    for name in SHADOWING:
        if (folder / name).exists():
            raise InputError(
                f"{folder / name}: the name of parltwin's config schema, which Hydra would read as the "
                "schema; a preset lives in a sub-folder named after its group (parliament/, channels/, ...)"
            )
    for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
        check_user_file(path)


#: Files checked, by real path and a digest of their bytes: a sweep composes each job from the same
#: files.
_checked: set[tuple[str, bytes]] = set()
#: libyaml's loader where PyYAML has it (a preset in 2 ms, not 26).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_user_file(path: Path) -> str:
    """A user's YAML file is a regular file of UTF-8 text whose aliases expand to at most
    :data:`MAX_YAML_NODES` nodes, and whose defaults name their choices outright: its text, read
    once, so that what is parsed after the check is what was checked."""
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    with open(path, "rb") as f:
        raw = f.read(MAX_YAML_BYTES + 1)
    if len(raw) > MAX_YAML_BYTES:
        raise InputError(f"{path}: over the {MAX_YAML_BYTES} bytes a preset may have")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})") from None
    key = (os.path.realpath(path), hashlib.blake2b(raw, digest_size=16).digest())
    if key not in _checked:
        _check(path, text)
        _checked.add(key)
    return text


def _check(path: Path, text: str) -> None:
    scalars = [text]  # the file's text, then each value as YAML reads it
    try:
        root = yaml.compose(text, Loader=_LOADER)
        nodes, levels = (0, 0) if root is None else _expanded(root, {}, scalars)
    except yaml.YAMLError:
        root, nodes, levels = None, 0, 0  # reported with its file and line where Hydra reads it
    except RecursionError:  # in PyYAML's composer, or counting what libyaml's composed
        raise InputError(f"{path}: {TOO_DEEP}") from None
    # In the values too, escapes such as "\x7b" for "{" decoded: a shared preset would copy the
    # user's variables into the run's files and report.
    if any("${oc.env:" in "".join(value.split()) for value in scalars):
        raise InputError(
            f"{path}: reads an environment variable (oc.env), whose value would be written into the "
            "run's files and report; give it on the command line instead"
        )
    if root is None:
        return
    if nodes > MAX_YAML_NODES:
        most = f"over {MAX_YAML_NODES} nodes, the most a preset may have"
        raise InputError(f"{path}: its aliases expand to {most}")
    # Mappings and lists within one another, and within a value (flow style, interpolations): what
    # OmegaConf reads by recursion.
    if levels > MAX_NESTING or any(nesting(value) > MAX_NESTING for value in scalars):
        raise InputError(f"{path}: {TOO_DEEP}")
    _plain_defaults(path, root)


def _parsed(source: Any, path: str, text: str) -> Any:
    """A file source's config as Hydra's ``FileConfigSource.load_config`` makes it, from the text
    checked rather than from the file again."""
    from hydra.plugins.config_source import ConfigResult, ConfigSource
    from omegaconf import OmegaConf

    stream = io.StringIO(text)
    stream.name = path  # a YAML error names the file, as when read from it
    try:
        config = OmegaConf.load(stream)
    except ValueError as e:
        why = long_integer(e)
        if why is None:
            raise
        raise InputError(f"{path}: {why}") from None
    return ConfigResult(
        config=config,
        path=f"{source.scheme()}://{source.path}",
        provider=source.provider,
        header=ConfigSource._get_header_dict(text[:512]),
    )


def _outside(name: str) -> bool:
    """Whether a config's name as Hydra asks for it (``group/choice``) could name a file outside its
    search folder: ``..``, a backslash, or an absolute path (a defaults entry ``//tmp/x`` is asked
    for as ``/tmp/x``, which a package source joins onto nothing)."""
    return name.startswith("/") or "\\" in name or any(part == ".." for part in name.split("/"))


def _outside_entry(text: str) -> bool:
    """Whether a defaults entry (``/group@package: choice``, one leading ``/`` for an absolute group)
    could name a file outside its search folder."""
    return "//" in text or _outside(text.removeprefix("/"))


def _named(config_path: str) -> None:
    if _outside(config_path):
        raise InputError(f"{config_path}: a config is named by its group and name, without '..' or '/' first")


@contextmanager
def confined() -> Iterator[None]:
    """While inside, Hydra reads a config only by a plain name, from a file inside its search folder:
    a choice with ``..`` or ``//`` (``parliament=../../../x``, or in a preset's defaults) read any
    YAML file on the machine and showed its contents in an error or a run's files (and a missing
    one listed the files of any folder), and a linked folder of a ``--config-dir`` took its files
    past :func:`check_user_files`. A user's file is checked as Hydra reads it, and Hydra parses the
    text checked. (The config sources
    are Hydra's plugins, whose modules its plugin scan loads again: the repository that asks them is
    patched, not they.)"""
    from hydra._internal.config_repository import ConfigRepository
    from hydra.core.object_type import ObjectType

    asked = ("group_exists", "config_exists", "get_group_options")  # by a name: checked, then asked
    kept = {n: getattr(ConfigRepository, n) for n in ("load_config", *asked)}
    load = kept["load_config"]

    def load_config(self: Any, config_path: str) -> Any:
        _named(config_path)
        source = self._find_object_source(config_path=config_path, object_type=ObjectType.CONFIG)
        if source is not None and source.scheme() == "file":
            root = os.path.realpath(source.path)
            full = os.path.realpath(os.path.join(source.path, source._normalize_file_name(config_path)))
            if os.path.commonpath([root, full]) != root:
                raise InputError(
                    f"{config_path}: a link out of {source.path} (links out of a config folder are not "
                    "followed: a shared preset could name any file)"
                )
            result = _parsed(source, full, check_user_file(Path(full)))
            source.load_config = lambda config_path: result  # the text checked, not the file again
            try:
                return load(self, config_path)
            finally:
                del source.load_config
        return load(self, config_path)

    def asks(method: Any) -> Any:
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:  # a name: config_path, group_name
            _named(args[0] if args else kwargs.get("config_path", kwargs.get("group_name", "")))
            return method(self, *args, **kwargs)

        return checked

    ConfigRepository.load_config = load_config  # type: ignore[method-assign]
    for name in asked:
        setattr(ConfigRepository, name, asks(kept[name]))
    try:
        yield
    finally:
        for name, method in kept.items():
            setattr(ConfigRepository, name, method)


def _plain_defaults(path: Path, root: yaml.Node | None) -> None:
    """A preset's defaults list names its choices outright: an interpolation there (``- /pick:
    s${now:%S}``) is resolved by Hydra each time it composes, so the config it runs need not be the
    one checked (and it may call any resolver)."""
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if getattr(key, "tag", None) == "tag:yaml.org,2002:merge":  # ``<<: {defaults: ...}`` merges them in
            for merged in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                _plain_defaults(path, merged)
        if getattr(key, "value", None) == "defaults":
            for node in _scalars(value):
                if "${" in str(node.value):
                    raise InputError(f"{path}: defaults: {node.value!r} is not allowed: a choice written out")
                if _outside_entry(str(node.value)):
                    raise InputError(
                        f"{path}: defaults: {node.value!r} is not allowed: a group and a name, without '..' "
                        "or '//'"
                    )


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            yield from _scalars(v)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield from _scalars(k)
            yield from _scalars(v)


def _expanded(node: yaml.Node, seen: dict[int, tuple[int, int]], scalars: list[str]) -> tuple[int, int]:
    """The nodes ``node`` stands for, its aliases expanded (each node counted once, in ``seen``), and
    how deep they nest (a scalar 0, a list of scalars 1); the text of each scalar node is added to
    ``scalars`` once."""
    key = id(node)
    if key in seen:
        return seen[key]
    seen[key] = (MAX_YAML_NODES + 1, MAX_NESTING + 1)  # an alias of a node within itself never ends
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        inner = node.value if isinstance(node, yaml.SequenceNode) else [x for kv in node.value for x in kv]
        counted = [_expanded(v, seen, scalars) for v in inner]
        n = 1 + sum(c for c, _ in counted), 1 + max((d for _, d in counted), default=0)
    else:
        n = 1, 0
        scalars.append(str(node.value))
    seen[key] = n
    return n
