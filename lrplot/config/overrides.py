"""Dotted ``--set key.path=value`` overrides, applied to a config before it is validated.

``scheduler.gamma=0.5`` sets one argument, ``optimizer.param_groups[1].lr=1e-3`` one
group's lr, ``scheduler.milestones=[30, 60]`` a list: values are read as YAML, by the
same safe loader as config files. Missing mappings on the way are created.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Sequence
from typing import Any

from lrplot.config.file import ConfigDocument, child_key, parse_config_text
from lrplot.errors import ConfigError, UsageError, excerpt
from lrplot.limits import MAX_DEPTH, MAX_KEY_PATH_LENGTH

Part = str | int
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_KEY_PATH = re.compile(rf"{_NAME}(?:\.{_NAME}|\[\d+\])*")
_PART = re.compile(rf"({_NAME})|\[(\d+)\]")


def parse_override(text: str) -> tuple[tuple[Part, ...], Any]:
    """``"scheduler.gamma=0.5"`` -> ``(("scheduler", "gamma"), 0.5)``; UsageError if
    malformed."""
    key, equals, value = text.partition("=")
    if not equals:
        raise UsageError(f"expected KEY=VALUE such as scheduler.gamma=0.5, got {excerpt(text)}")
    path = parse_key_path(key.strip())
    if not value.strip():
        return path, None
    try:
        return path, parse_config_text(value, source="--set").data
    except ConfigError as e:
        raise UsageError(f"{key.strip()}: {e.message}") from None


def parse_key_path(key: str) -> tuple[Part, ...]:
    """``a.b[0].c`` -> ``("a", "b", 0, "c")``; UsageError if it is not such a path, or is
    longer or deeper than a config can be."""
    if len(key) > MAX_KEY_PATH_LENGTH:
        raise UsageError(
            f"the key path is {len(key):,} characters long; at most {MAX_KEY_PATH_LENGTH}"
        )
    if not _KEY_PATH.fullmatch(key):
        raise UsageError(f"{excerpt(key)} is not a key path such as scheduler.gamma or a.b[0].c")
    path = tuple(name or int(index) for name, index in _PART.findall(key))
    if len(path) > MAX_DEPTH:
        raise UsageError(
            f"the key path is {len(path)} keys deep; a config nests at most {MAX_DEPTH}"
        )
    return path


def key_text(path: Sequence[Part]) -> str:
    """``("a", "b", 0)`` -> ``"a.b[0]"``."""
    text = ""
    for part in path:
        text = child_key(text, part)
    return text


def apply_overrides(document: ConfigDocument, overrides: Sequence[str]) -> ConfigDocument:
    """A copy of ``document`` with each ``key.path=value`` override set: messages about
    an overridden key name its ``--set`` rather than a line of the file. UsageError if
    an override is malformed; ConfigError if it cannot be set."""
    if not overrides:
        return document
    data = copy.deepcopy(document.data) if document.data is not None else {}
    lines, set_by = dict(document.lines), dict(document.set_by)
    for text in overrides:
        try:
            path, value = parse_override(text)
        except UsageError as e:
            raise UsageError(f"--set {text}: {e.message}", source=document.source) from None
        prefix = key_text(path)
        for within in (lines, set_by):
            for key in [
                k for k in within if k == prefix or k.startswith((prefix + ".", prefix + "["))
            ]:
                del within[key]
        set_by[prefix] = f"--set {_cut(text.strip())}"
        data = _set(data, list(path), value, document.source, set_by[prefix])
    return ConfigDocument(data=data, source=document.source, lines=lines, set_by=set_by)


def set_value(document: ConfigDocument, key: str, value: Any, *, origin: str) -> ConfigDocument:
    """A copy of ``document`` with the top-level ``key`` set to ``value`` by a command-line
    option, which messages about it name (``origin``, such as ``--resume-at 5000``)."""
    data = dict(document.data) if isinstance(document.data, dict) else {}
    data[key] = value
    lines = {k: v for k, v in document.lines.items() if k != key}
    set_by = {**document.set_by, key: origin}
    return ConfigDocument(data=data, source=document.source, lines=lines, set_by=set_by)


def _set(data: Any, path: list[Part], value: Any, source: str, origin: str) -> Any:
    container = data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        where, parent = key_text(path[: depth + 1]), key_text(path[:depth])
        refuse = functools.partial(ConfigError, source=source, key=where, origin=origin)
        if isinstance(part, int):
            if not isinstance(container, list):
                raise refuse(
                    f"there is no list {parent} here to set item {part} of; set the whole "
                    f"list instead, such as {parent}=[...]"
                )
            if part >= len(container):
                raise refuse(
                    f"{parent} has {len(container)} item(s), counted from 0: "
                    f"there is no item {part} to set"
                )
        elif not isinstance(container, dict):
            raise refuse(
                f"{parent or 'the config'} is not a mapping, so it has no key "
                f"{excerpt(part)} to set"
            )
        elif not last and container.get(part) is None:
            container[part] = {}  # a missing mapping on the way is created
        if last:
            container[part] = value
        else:
            container = container[part]
    return data


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
