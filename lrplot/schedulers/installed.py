"""Whether an optional library is installed, found without importing it."""

from __future__ import annotations

import importlib.util


def installed(package: str) -> bool:
    """Whether ``package`` can be imported: found by ``importlib.util.find_spec``, which
    reads no module of it (a broken or shadowed install counts as none)."""
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False
