"""What the installed torch offers: scheduler and optimizer classes, their arguments and types.

Everything here is read from torch at run time (``inspect.signature``), so a newer torch's
schedulers and arguments work without a change to lrplot. torch is imported lazily.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import sys
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from lrplot.facts import NO_FACTS, SCHEDULERS, SchedulerFacts
from lrplot.signals import interrupts_deferred

_REQUIRED: Any = inspect.Parameter.empty
_NOT_LISTED = ("last_epoch",)


@dataclass(frozen=True)
class Parameter:
    """One keyword argument of a torch class, as its signature declares it."""

    name: str
    annotation: str | None
    default: Any

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> str:
        """``name`` for a required argument, ``name=default`` otherwise."""
        return self.name if self.required else f"{self.name}={self.default!r}"


@dataclass(frozen=True)
class Signature:
    """The arguments a config may give a class (``optimizer``/``params`` excluded)."""

    parameters: dict[str, Parameter]
    takes_any: bool  # the class also accepts **kwargs

    def describe(self) -> str:
        """The arguments a config would set (``last_epoch`` is for resuming: left out)."""
        shown = [p.describe() for p in self.parameters.values() if p.name not in _NOT_LISTED]
        return ", ".join(shown) or "no arguments"


def import_torch() -> ModuleType:
    """``torch``, imported with Ctrl-C held back until the import is complete (see
    :func:`lrplot.signals.interrupts_deferred`): interrupted inside its C++ start-up,
    torch aborts the process, or loses the interrupt, and the command runs on."""
    if "torch" in sys.modules:
        return sys.modules["torch"]
    with interrupts_deferred():
        import torch

    return torch


@functools.cache
def scheduler_classes() -> dict[str, type]:
    """Every scheduler class the installed torch ships, by name."""
    import_torch()
    from torch.optim import lr_scheduler, swa_utils

    found: dict[str, type] = {}
    candidates = [getattr(lr_scheduler, name, None) for name in lr_scheduler.__all__]
    candidates.append(swa_utils.SWALR)
    for cls in candidates:
        if (
            inspect.isclass(cls)
            and issubclass(cls, lr_scheduler.LRScheduler)
            and cls is not lr_scheduler.LRScheduler
        ):
            found[cls.__name__] = cls
    return dict(sorted(found.items()))


@functools.cache
def optimizer_classes() -> dict[str, type]:
    """Every optimizer class in ``torch.optim``, by name."""
    import_torch()
    import torch.optim

    found = {
        name: cls
        for name, cls in vars(torch.optim).items()
        if inspect.isclass(cls)
        and issubclass(cls, torch.optim.Optimizer)
        and cls is not torch.optim.Optimizer
        and not name.startswith("_")
    }
    return dict(sorted(found.items()))


def is_scheduler_class(cls: object) -> bool:
    """True for a subclass of torch's ``LRScheduler`` (ReduceLROnPlateau included)."""
    from torch.optim.lr_scheduler import LRScheduler

    return inspect.isclass(cls) and issubclass(cls, LRScheduler)


def facts_of(cls: type) -> SchedulerFacts:
    """The facts of a scheduler class (see :mod:`lrplot.facts`): torch's own from the
    table; a user's subclass of one of torch's has that class's traits; another of the
    user's has none."""
    torch_classes = scheduler_classes()
    if torch_classes.get(cls.__name__) is cls:
        return SCHEDULERS.get(cls.__name__, NO_FACTS)
    for base in cls.__mro__[1:]:  # a subclass of one of torch's: torch's machinery, its traits
        if torch_classes.get(base.__name__) is base:
            return replace(SCHEDULERS.get(base.__name__, NO_FACTS), summary="", example={})
    return NO_FACTS


def scheduler_signature(cls: type) -> Signature:
    """The arguments a config gives a scheduler: those of ``__init__`` but the optimizer
    (a nested scheduler has none; its ``schedulers`` are given apart)."""
    if facts_of(cls).nested:
        return signature(cls, skip=("schedulers", "optimizer"), skip_first=False)
    return signature(cls)


def takes_epoch(cls: type) -> bool:
    """Whether ``cls.step()`` takes an argument (the epoch, for ``fractional_epoch``)."""
    try:
        params = list(inspect.signature(cls.step).parameters.values())  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return False
    return any(p.kind is not p.VAR_KEYWORD for p in params[1:])


def closest(name: str, choices: list[str]) -> str | None:
    """The choice closest to ``name`` (case-insensitive first), for 'did you mean'."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return lowered[name.lower()]
    matches = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, choices: list[str]) -> str:
    """`` (did you mean X?)`` or an empty string."""
    match = closest(name, choices)
    return f" (did you mean {match}?)" if match else ""


def signature(cls: type, *, skip: tuple[str, ...] = (), skip_first: bool = True) -> Signature:
    """The config-settable arguments of ``cls``: its ``__init__`` minus the first one
    (the optimizer, or the params) and any named in ``skip``."""
    try:
        sig = inspect.signature(cls)
    except (TypeError, ValueError):
        return Signature({}, takes_any=True)
    params: dict[str, Parameter] = {}
    takes_any = False
    for index, p in enumerate(sig.parameters.values()):
        if p.kind is p.VAR_KEYWORD:
            takes_any = True
            continue
        if p.kind is p.VAR_POSITIONAL or (skip_first and index == 0) or p.name in skip:
            continue
        params[p.name] = Parameter(p.name, _annotation_text(p), p.default)
    return Signature(params, takes_any)


def _annotation_text(p: inspect.Parameter) -> str | None:
    annotation = p.annotation
    if annotation is inspect.Parameter.empty:
        # Unannotated: trust the type of a plain default (SWALR's anneal_epochs=10).
        default = p.default
        if isinstance(default, bool | int | float | str) and default is not _REQUIRED:
            return type(default).__name__
        return None
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)
