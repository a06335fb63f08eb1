"""The transformers releases whose Trainer changed what lrplot models, and their versions read."""

from __future__ import annotations

import functools
import re

Release = tuple[int, int]

HF_CEIL_SINCE: Release = (4, 52)
"""The first transformers release whose Trainer rounds an epoch's optimizer steps up
(PR #37923)."""
BEFORE_SCHEDULER_SINCE: Release = (4, 51)
"""The first transformers release whose Trainer logs the lr before the scheduler steps
(PR #36973)."""

_VERSION = re.compile(r"(\d{1,4})\.(\d{1,4})(\.\d{1,6})?([.+-]?[0-9A-Za-z]{1,20}){0,4}")


def release_of(version: str) -> Release | None:
    """The ``(major, minor)`` of a version number (``4.51.0.dev0``: ``(4, 51)``), or None
    for text that is not one."""
    match = _VERSION.fullmatch(version)
    return (int(match[1]), int(match[2])) if match else None


def is_since(version: str, release: Release) -> bool:
    """Whether version number ``version`` is ``release`` or later."""
    found = release_of(version)
    assert found is not None, version
    return found >= release


@functools.cache
def installed_transformers() -> str | None:
    """The installed transformers' version (read without importing it), if any."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("transformers")
    except PackageNotFoundError:
        return None
