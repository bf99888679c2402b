"""A config node's fields, read and written alike whether the node is a mapping (a resolved config)
or a description object (a validated ``Config``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def children(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, dict):
        yield from node.items()
    else:
        yield from ((f, getattr(node, f)) for f in vars(node))


def get(node: Any, key: Any) -> Any:
    return node.get(key) if isinstance(node, dict) else getattr(node, key, None)


def put(node: Any, key: Any, value: Any) -> None:
    if isinstance(node, dict):
        node[key] = value
    else:
        setattr(node, key, value)
