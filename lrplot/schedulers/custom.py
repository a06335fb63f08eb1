"""User-written scheduler classes, or functions making one, named in a config: imported if allowed.

``type: path/to/file.py:ClassName`` (relative to the config's folder) or
``type: package.module:ClassName`` (importable from the current folder or the environment);
a function there that returns a scheduler, given the optimizer, works the same way.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from lrplot.errors import ConfigError, name_excerpt, printable
from lrplot.limits import MAX_CODE_BYTES

ALLOW_IMPORT_ENV = "LRPLOT_ALLOW_IMPORT"
"""Set to 1 to allow configs to import code (for CI), like ``--allow-import``."""

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def is_custom_reference(type_name: str) -> bool:
    """True when a scheduler ``type`` names user code (``where:ClassName``)."""
    return ":" in type_name


def describe_target(reference: str, *, base_dir: Path | None, key: str = "") -> str:
    """Where the code for ``reference`` would come from, for messages: a path or a module."""
    target, _, _ = reference.rpartition(":")
    if is_file_target(target):  # as written, made absolute; links not resolved (nor shown)
        return printable(os.path.abspath((base_dir or Path.cwd()) / target))
    return f"the Python module {name_excerpt(target)}"


def load_custom_class(
    reference: str, *, base_dir: Path | None, allow_import: bool, key: str
) -> Callable[..., Any]:
    """Import the scheduler class (or the function making one) named by ``reference``;
    refuse unless ``allow_import``."""
    from lrplot.schedulers.registry import import_torch, is_scheduler_class

    target, _, class_name = reference.rpartition(":")
    if not target or not _DOTTED.match(class_name):
        raise ConfigError(
            f"{name_excerpt(reference)} is not a scheduler class reference; write "
            "path/to/file.py:ClassName or package.module:ClassName",
            key=key,
        )
    is_file = is_file_target(target)
    if not is_file and not _DOTTED.match(target):
        raise ConfigError(
            f"{name_excerpt(target)} is neither a .py file nor a module name", key=key
        )
    where = describe_target(reference, base_dir=base_dir, key=key)
    if not allow_import:
        raise ConfigError(
            f"{name_excerpt(reference)} would import code from {where}; lrplot runs code "
            f"named in a config only when allowed: --allow-import or {ALLOW_IMPORT_ENV}=1 on the "
            "command line, allow_import=True from Python",
            key=key,
        )
    import_torch()  # before the user's code imports it
    module = (
        _import_file(_resolve(target, base_dir, key), key)
        if is_file
        else _import_module(target, key)
    )
    found: object = module
    for part in class_name.split("."):
        found = getattr(found, part, None)
    if found is None:
        available = sorted(
            name
            for name, obj in vars(module).items()
            if is_scheduler_class(obj) and obj.__module__ == module.__name__
        )
        listed = ", ".join(available) if available else "none"
        raise ConfigError(
            f"{where} has no {name_excerpt(class_name)}; scheduler classes it defines: {listed}",
            key=key,
        )
    if inspect.isfunction(found):
        return found  # what it returns is checked when it is called
    if not is_scheduler_class(found):
        raise ConfigError(
            f"{class_name} in {where} is neither a subclass of "
            "torch.optim.lr_scheduler.LRScheduler nor a function returning one",
            key=key,
        )
    assert isinstance(found, type)
    return found


def is_file_target(target: str) -> bool:
    """True when the part before ``:`` names a Python file (not a module)."""
    return target.endswith(".py") or "/" in target or "\\" in target


def _resolve(target: str, base_dir: Path | None, key: str) -> Path:
    """The absolute path of ``target``, relative to the config's folder (no ``~``)."""
    try:
        path = Path(target)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as e:
        raise ConfigError(
            f"{name_excerpt(target)} is not a usable path: {_reason(e)}", key=key
        ) from None


def _import_file(path: Path, key: str) -> ModuleType:
    try:
        found = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"no such Python file: {path}", key=key) from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path} is not a usable path: {_reason(e)}", key=key) from None
    if not stat.S_ISREG(found.st_mode):
        raise ConfigError(f"{path} is not a regular file", key=key)
    if found.st_size > MAX_CODE_BYTES:
        raise ConfigError(
            f"{path} is larger than {MAX_CODE_BYTES // (1024 * 1024)} MiB; "
            "not a scheduler's source",
            key=key,
        )
    name = "lrplot_custom_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot import {path} as Python code", key=key)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look classes up here
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:
        sys.modules.pop(name, None)
        raise ConfigError(f"importing {path} failed: {type(e).__name__}: {e}", key=key) from None
    return module


def _import_module(target: str, key: str) -> ModuleType:
    # Like `uvicorn main:app`: modules in the current folder are importable.
    cwd = os.getcwd()
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as e:
        raise ConfigError(
            f"no module named {name_excerpt(e.name)} (is it installed, or in the current folder?)",
            key=key,
        ) from None
    except (Exception, SystemExit) as e:
        raise ConfigError(f"importing {target} failed: {type(e).__name__}: {e}", key=key) from None
    finally:
        if added:
            sys.path.remove(cwd)


def _reason(e: BaseException) -> str:
    return (e.strerror if isinstance(e, OSError) else None) or str(e)
