"""The faces of the wings: each wing's few public names, imported on first use.

A wing's ``__init__.py`` names what other code may reach for, and sets its
``__getattr__`` from :func:`lazy_names`: importing any module of a wing runs its
``__init__.py`` first, which so loads nothing more (``lrplot``'s own ``__init__.py``
does the same inline, so that ``import lrplot`` loads no other module at all).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A ``__getattr__`` for ``package`` that imports each of its names from the module
    ``where`` says, on first use."""

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
