"""What the installed torch and the libraries beside it offer: schedulers, optimizers, arguments.

Everything here is read from torch at run time (``inspect.signature``), so a newer torch's
schedulers and arguments work without a change to lrplot. A scheduler is made by a
:data:`Maker`: torch's class, a transformers schedule function (``transformers.<name>``,
when transformers is installed), a DeepSpeed class (``deepspeed.<Class>``, see
:mod:`lrplot.schedulers.deepspeed`), an MMEngine class (``mmengine.<Class>``, see
:mod:`lrplot.schedulers.mmengine`), a timm class (``timm.<Class>``, see
:mod:`lrplot.schedulers.timm`), or a user's class or function. torch is imported lazily, and
transformers, DeepSpeed, MMEngine and timm only for a config that names them.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from lrplot.errors import ConfigError, name_excerpt
from lrplot.schedulers.deepspeed import (
    INSTALL_DEEPSPEED,
    deepspeed_installed,
    deepspeed_schedulers,
    is_deepspeed,
)
from lrplot.schedulers.facts import (
    DEEPSPEED,
    DEEPSPEED_SCHEDULERS,
    MMENGINE,
    MMENGINE_SCHEDULERS,
    NO_FACTS,
    SCHEDULERS,
    TIMM,
    TIMM_SCHEDULERS,
    TRANSFORMERS,
    TRANSFORMERS_SCHEDULES,
    SchedulerFacts,
)
from lrplot.schedulers.installed import installed
from lrplot.schedulers.mmengine import (
    CONVERT,
    INSTALL_MMENGINE,
    declaring_class,
    is_mmengine,
    mmengine_installed,
    mmengine_schedulers,
)
from lrplot.schedulers.signatures import REQUIRED, SIGNATURES
from lrplot.schedulers.timm import INSTALL_TIMM, is_timm, timm_installed, timm_schedulers
from lrplot.signals import interrupts_deferred

Maker = Callable[..., Any]
"""What makes a scheduler from an optimizer and keyword arguments: a scheduler class, or
a function that returns one (transformers' ``get_cosine_schedule_with_warmup``)."""

INSTALL_TRANSFORMERS = "pip install 'lrplot[transformers]' (or pip install transformers)"

_REQUIRED: Any = inspect.Parameter.empty
_NOT_LISTED = ("last_epoch", "last_batch_iteration", "last_step")


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


def transformers_installed() -> bool:
    """Whether transformers can be imported (found without importing it)."""
    return installed("transformers")


@functools.cache
def transformers_schedules() -> dict[str, Maker]:
    """The transformers schedule functions lrplot knows (:data:`TRANSFORMERS_SCHEDULES`)
    that the installed transformers has, by ``type:`` name; empty when it is not
    installed. Imports ``transformers.optimization`` only."""
    if not transformers_installed():
        return {}
    import_torch()
    with interrupts_deferred():
        optimization = importlib.import_module("transformers.optimization")
    found = {
        name: getattr(optimization, name[len(TRANSFORMERS) :], None)
        for name in TRANSFORMERS_SCHEDULES
    }
    return {name: function for name, function in found.items() if callable(function)}


def plottable_transformers_schedules() -> dict[str, Maker]:
    """:func:`transformers_schedules` but those lrplot cannot run (see ``refused``)."""
    return {
        name: function
        for name, function in transformers_schedules().items()
        if not TRANSFORMERS_SCHEDULES[name].refused
    }


def transformers_schedule(type_name: str, *, key: str) -> Maker:
    """The transformers function a ``type: transformers.<name>`` names; ConfigError (at
    ``key``) if transformers is not installed, does not have it, or lrplot cannot run it."""
    if not transformers_installed():
        raise ConfigError(
            f"{name_excerpt(type_name)} is a schedule of HuggingFace transformers, which is "
            f"not installed: {INSTALL_TRANSFORMERS}",
            key=key,
        )
    known = transformers_schedules()
    if type_name not in known:
        shown = list(plottable_transformers_schedules())
        raise ConfigError(
            f"unknown transformers schedule {name_excerpt(type_name)}"
            f"{did_you_mean(type_name, shown)}; transformers' schedules (each "
            f"transformers.NAME): {', '.join(n.removeprefix(TRANSFORMERS) for n in shown)}",
            key=key,
        )
    refused = TRANSFORMERS_SCHEDULES[type_name].refused
    if refused:
        raise ConfigError(f"{type_name} cannot be plotted: {refused}", key=key)
    return known[type_name]


@dataclass(frozen=True)
class _Library:
    """A library whose own scheduler classes a ``type: <prefix><Class>`` names."""

    name: str
    prefix: str
    installed: Callable[[], bool]
    classes: Callable[[], Mapping[str, Maker]]
    install: str
    listed_as: str
    """What its classes are called in the list an unknown name gets."""
    known: Mapping[str, SchedulerFacts]
    """Its classes lrplot knows (:mod:`lrplot.schedulers.facts`), by ``type:`` name."""


LIBRARIES = (
    _Library(
        "DeepSpeed",
        DEEPSPEED,
        deepspeed_installed,
        deepspeed_schedulers,
        INSTALL_DEEPSPEED,
        "DeepSpeed's schedulers",
        DEEPSPEED_SCHEDULERS,
    ),
    _Library(
        "MMEngine",
        MMENGINE,
        mmengine_installed,
        mmengine_schedulers,
        INSTALL_MMENGINE,
        "MMEngine's lr schedulers",
        MMENGINE_SCHEDULERS,
    ),
    _Library(
        "timm",
        TIMM,
        timm_installed,
        timm_schedulers,
        INSTALL_TIMM,
        "timm's schedulers",
        TIMM_SCHEDULERS,
    ),
)
"""The libraries whose own scheduler classes a config may name (see :func:`library_scheduler`)."""
LIBRARY_PREFIXES = tuple(library.prefix for library in LIBRARIES)
"""The ``type:`` prefixes of the libraries :func:`library_scheduler` knows."""


def listed_libraries() -> list[tuple[_Library, dict[str, Signature]]]:
    """Each installed library of :data:`LIBRARIES` (found without importing it) and the
    arguments of its classes lrplot knows, by ``type:`` name, as
    :mod:`lrplot.schedulers.signatures` holds them (for ``lrplot list`` and the schema:
    read without importing the library)."""
    return [
        (library, {name: known_signature(name) for name in library.known})
        for library in LIBRARIES
        if library.installed()
    ]


def known_signature(type_name: str) -> Signature:
    """The arguments of the library class ``type_name`` as
    :mod:`lrplot.schedulers.signatures` holds them (none: it takes any)."""
    arguments, takes_any = SIGNATURES.get(type_name, ((), True))
    return Signature(
        {
            name: Parameter(name, annotation, _REQUIRED if default == REQUIRED else default)
            for name, annotation, default in arguments
        },
        takes_any,
    )


def library_scheduler(type_name: str, *, key: str) -> Maker:
    """The DeepSpeed, MMEngine or timm class a ``type: <library>.<Class>`` names (one of
    :data:`LIBRARY_PREFIXES`); ConfigError (at ``key``) if the library is not installed or
    does not have it."""
    library = next(each for each in LIBRARIES if type_name.startswith(each.prefix))
    if not library.installed():
        raise ConfigError(
            f"{name_excerpt(type_name)} is a scheduler of {library.name}, which is not "
            f"installed: {library.install}",
            key=key,
        )
    known = library.classes()
    if type_name not in known:
        shown = list(known)
        raise ConfigError(
            f"unknown {library.name} scheduler {name_excerpt(type_name)}"
            f"{did_you_mean(type_name, shown)}; {library.listed_as} (each "
            f"{library.prefix}NAME): {', '.join(n.removeprefix(library.prefix) for n in shown)}",
            key=key,
        )
    return known[type_name]


def named_schedule(maker: Maker, value: object) -> str | None:
    """The ``type:`` name of the schedule a
    :attr:`~lrplot.schedulers.facts.SchedulerFacts.named_by` argument's ``value`` names
    (``cosine`` -> ``transformers.get_cosine_schedule_with_warmup``), or None if it names none."""
    if not isinstance(value, str):
        return None
    optimization = sys.modules.get(getattr(maker, "__module__", ""))
    try:
        kind = optimization.SchedulerType(value)  # type: ignore[union-attr]
        function = optimization.TYPE_TO_SCHEDULER_FUNCTION[kind]  # type: ignore[union-attr]
    except (AttributeError, KeyError, ValueError):
        return None
    name = TRANSFORMERS + getattr(function, "__name__", "")
    return name if name in TRANSFORMERS_SCHEDULES else None


def schedule_names(maker: Maker) -> list[str]:
    """The values a :attr:`~lrplot.schedulers.facts.SchedulerFacts.named_by` argument may take
    (transformers' ``SchedulerType``: ``linear``, ``cosine``, ...) that name a schedule
    lrplot can plot; empty for other makers."""
    if not facts_of(maker).named_by:
        return []
    optimization = sys.modules.get(getattr(maker, "__module__", ""))
    kinds = getattr(optimization, "SchedulerType", [])
    return [
        kind.value
        for kind in kinds
        if (named := named_schedule(maker, kind.value))
        and not TRANSFORMERS_SCHEDULES[named].refused
    ]


def type_name_of(maker: Maker) -> str:
    """How a config names ``maker``: ``StepLR``, ``transformers.get_..._schedule``, or
    the maker's own name (a user's)."""
    name: str = getattr(maker, "__name__", type(maker).__name__)
    if is_deepspeed(maker):
        return DEEPSPEED + name
    if is_mmengine(maker):
        return MMENGINE + name
    if is_timm(maker):
        return TIMM + name
    if getattr(maker, "__module__", "").startswith("transformers"):
        full = TRANSFORMERS + name
        if transformers_schedules().get(full) is maker:
            return full
    return name


def facts_of(maker: Maker) -> SchedulerFacts:
    """The facts of a scheduler maker (see :mod:`lrplot.schedulers.facts`): torch's classes and
    transformers' functions from the tables; a user's subclass of one of torch's has that
    class's traits; a user's other class or function has none."""
    if is_timm(maker):
        return TIMM_SCHEDULERS[type_name_of(maker)]
    if not inspect.isclass(maker):
        return TRANSFORMERS_SCHEDULES.get(type_name_of(maker), NO_FACTS)
    if is_deepspeed(maker):
        return DEEPSPEED_SCHEDULERS[type_name_of(maker)]
    if is_mmengine(maker):
        return MMENGINE_SCHEDULERS[type_name_of(maker)]
    torch_classes = scheduler_classes()
    if torch_classes.get(maker.__name__) is maker:
        return SCHEDULERS.get(maker.__name__, NO_FACTS)
    for base in maker.__mro__[1:]:  # a subclass of one of torch's: torch's machinery, its traits
        if torch_classes.get(base.__name__) is base:
            return replace(SCHEDULERS.get(base.__name__, NO_FACTS), summary="", example={})
    return NO_FACTS


def scheduler_signature(maker: Maker) -> Signature:
    """The arguments a config gives a scheduler: those of ``__init__`` (or the function)
    but the optimizer (a nested scheduler has none; its ``schedulers`` are given apart;
    a function passing ``**kwargs`` on to a class takes that class's; an MMEngine class its
    param scheduler's, and the runner's ``convert_to_iter_based``)."""
    if is_mmengine(maker):
        declared, skip = declaring_class(maker)
        found = signature(declared, skip=skip)
        convert = Parameter(CONVERT, "bool", False)
        return Signature({**found.parameters, CONVERT: convert}, found.takes_any)
    facts = facts_of(maker)
    if facts.nested:
        return signature(maker, skip=("schedulers", "optimizer"), skip_first=False)
    if facts.keywords_of:
        module, _, name = facts.keywords_of.partition(":")
        return signature(getattr(importlib.import_module(module), name))
    if not inspect.isclass(maker):
        return signature(maker, skip=("optimizer",), skip_first=False)
    return signature(maker)


def takes_epoch(maker: Maker) -> bool:
    """Whether the scheduler's ``step()`` takes an argument (the epoch, for
    ``fractional_epoch``); for a function, unless it makes one fed a metric. DeepSpeed's
    take a batch count, never an epoch; MMEngine's nothing (or the metrics); timm's are
    stepped as timm steps them."""
    if is_deepspeed(maker) or is_mmengine(maker) or is_timm(maker):
        return False
    if not inspect.isclass(maker):
        return not facts_of(maker).metric
    cls = maker
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


def signature(cls: Maker, *, skip: tuple[str, ...] = (), skip_first: bool = True) -> Signature:
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
