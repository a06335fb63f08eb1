"""Dotted ``--set key.path=value`` overrides, applied to a config before it is validated.

``scheduler.gamma=0.5`` sets one argument, ``optimizer.param_groups[1].lr=1e-3`` one
group's lr, ``scheduler.milestones=[30, 60]`` a list: values are read as YAML, by the
same safe loader as config files. Missing mappings on the way are created.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from lrplot.configfile import ConfigDocument, child_key, parse_config_text
from lrplot.errors import ConfigError

Part = str | int
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_KEY_PATH = re.compile(rf"{_NAME}(?:\.{_NAME}|\[\d+\])*")
_PART = re.compile(rf"({_NAME})|\[(\d+)\]")


def parse_override(text: str) -> tuple[tuple[Part, ...], Any]:
    """``"scheduler.gamma=0.5"`` -> ``(("scheduler", "gamma"), 0.5)``; ValueError if malformed."""
    key, equals, value = text.partition("=")
    if not equals:
        raise ValueError(f"expected KEY=VALUE such as scheduler.gamma=0.5, got {text!r}")
    path = parse_key_path(key.strip())
    if not value.strip():
        return path, None
    try:
        return path, parse_config_text(value, source="--set").data
    except ConfigError as e:
        raise ValueError(f"{key.strip()}: {e.message}") from None


def parse_key_path(key: str) -> tuple[Part, ...]:
    """``a.b[0].c`` -> ``("a", "b", 0, "c")``; ValueError if it is not such a path."""
    if not _KEY_PATH.fullmatch(key):
        raise ValueError(f"{key!r} is not a key path such as scheduler.gamma or a.b[0].c")
    return tuple(name or int(index) for name, index in _PART.findall(key))


def key_text(path: Sequence[Part]) -> str:
    """``("a", "b", 0)`` -> ``"a.b[0]"``."""
    text = ""
    for part in path:
        text = child_key(text, part)
    return text


def apply_overrides(
    document: ConfigDocument, overrides: Sequence[tuple[Sequence[Part], Any]]
) -> ConfigDocument:
    """A copy of ``document`` with each override set (lines of overridden keys dropped)."""
    if not overrides:
        return document
    data = copy.deepcopy(document.data) if document.data is not None else {}
    lines = dict(document.lines)
    for path, value in overrides:
        data = _set(data, list(path), value, document.source)
        prefix = key_text(path)
        for key in [k for k in lines if k == prefix or k.startswith((prefix + ".", prefix + "["))]:
            del lines[key]
    return ConfigDocument(data=data, source=document.source, lines=lines)


def _set(data: Any, path: list[Part], value: Any, source: str) -> Any:
    container = data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        where = key_text(path[: depth + 1])
        if isinstance(part, int):
            if not isinstance(container, list) or part >= len(container):
                raise ConfigError(
                    f"--set: there is no item {part} to set here", source=source, key=where
                )
            if last:
                container[part] = value
            else:
                container = container[part]
            continue
        if not isinstance(container, dict):
            raise ConfigError(
                f"--set: {key_text(path[:depth]) or 'the config'} is not a mapping",
                source=source,
                key=where,
            )
        if last:
            container[part] = value
        else:
            if container.get(part) is None:
                container[part] = {}
            container = container[part]
    return data
