"""MMEngine's lr schedulers (``mmengine.<Class>``): the one module that knows MMEngine's internals.

The classes of ``mmengine.optim.scheduler`` are not torch ``LRScheduler``\\ s, and step by
their own rules, read from MMEngine 0.10's source:

- ``Runner._build_param_scheduler`` (runner/runner.py) builds a ``param_scheduler`` list in
  its order, each entry through ``PARAM_SCHEDULERS.build`` with ``optimizer`` and
  ``epoch_length=len(train_dataloader)``; an entry without ``end`` gets the train loop's
  ``max_epochs`` (``by_epoch``, the default) or ``max_iters``. With
  ``convert_to_iter_based: true`` (registry/build_functions.py, ``build_scheduler_from_cfg``)
  it is built by ``build_iter_from_epoch``: ``begin``, ``end`` and the epoch counts
  (``T_max``, ``milestones``, ``step_size``, ``periods``, ``total_steps``) times
  ``epoch_length``, ``by_epoch`` false.
- ``_ParamScheduler.__init__`` (optim/scheduler/param_scheduler.py) keeps each group's
  ``initial_lr`` (the first scheduler's ``setdefault``) and calls ``step()`` once; each
  ``step()`` counts ``_global_step`` and changes the lr only while ``begin <= _global_step <
  end``, from the lr the group holds (chainable: entries that overlap compound, in list
  order).
- ``ParamSchedulerHook`` (hooks/param_scheduler_hook.py) steps, in list order, the entries
  with ``by_epoch`` false after every training iteration (``after_train_iter``), those
  with ``by_epoch`` true after every epoch (``after_train_epoch``); ``EpochBasedTrainLoop``
  (runner/loops.py) runs the iterations, then that hook, then validation (every epoch by
  default), after which ``after_val_epoch`` steps a ``ReduceOnPlateauLR`` with the metrics
  dict: ``step()`` to count the epoch, then ``step({monitor: value})``.
- ``state_dict()`` is the scheduler's ``__dict__`` but the optimizer; ``Runner.resume``
  loads the optimizer's state, then each scheduler's, into ones just built.

One iteration is one batch (``len(train_dataloader)`` per epoch): lrplot's ``steps_per_epoch``.
"""

from __future__ import annotations

import functools
import importlib
import sys
import warnings
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from lrplot.schedulers.facts import MMENGINE, MMENGINE_SCHEDULERS
from lrplot.schedulers.installed import installed

INSTALL_MMENGINE = "pip install 'lrplot[mmengine]' (or pip install mmengine)"

MODULE = "mmengine.optim.scheduler.lr_scheduler"
"""Where MMEngine's lr scheduler classes are."""

CONVERT = "convert_to_iter_based"
"""The key of a ``param_scheduler`` entry that the runner's builder reads, not the class."""

QUIET_WARNINGS = ("Detected call of `scheduler.step()` before `optimizer.step()`",)
"""What MMEngine warns of when its schedulers step without a training step (lrplot makes none)."""

_NOT_ARGUMENTS = ("param_name",)
"""What ``LRSchedulerMixin`` passes itself (``'lr'``)."""


def mmengine_installed() -> bool:
    """Whether MMEngine can be imported (found without importing it)."""
    return installed("mmengine")


def lr_schedulers() -> ModuleType:
    """``mmengine.optim.scheduler.lr_scheduler``, imported with Ctrl-C held back and what
    its import warns of (``torch.distributed.optim``'s ``torch.jit.script``) kept quiet."""
    if MODULE in sys.modules:
        return sys.modules[MODULE]
    from lrplot.signals import interrupts_deferred

    with interrupts_deferred(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.distributed's, on import: no news of the run
        importlib.import_module("torch")
        return importlib.import_module(MODULE)


@functools.cache
def mmengine_schedulers() -> dict[str, type]:
    """The MMEngine classes lrplot knows (:data:`MMENGINE_SCHEDULERS`) that the installed
    MMEngine has, by ``type:`` name; empty when it is not installed."""
    if not mmengine_installed():
        return {}
    module = lr_schedulers()
    found = {name: getattr(module, name[len(MMENGINE) :], None) for name in MMENGINE_SCHEDULERS}
    return {name: cls for name, cls in found.items() if isinstance(cls, type)}


def is_mmengine(maker: Any) -> bool:
    """Whether ``maker`` is one of MMEngine's scheduler classes lrplot knows."""
    return getattr(maker, "__module__", "") == MODULE and (
        mmengine_schedulers().get(MMENGINE + getattr(maker, "__name__", "")) is maker
    )


def declaring_class(cls: Any) -> tuple[type, tuple[str, ...]]:
    """The class whose ``__init__`` declares ``cls``'s arguments (``LRSchedulerMixin``
    takes ``*args, **kwargs``: the param scheduler after it), and the ones to leave out."""
    base = next((b for b in cls.__mro__[1:] if b.__module__.endswith(".param_scheduler")), cls)
    return base, _NOT_ARGUMENTS


def by_epoch(args: Mapping[str, Any]) -> bool:
    """Whether the hook steps the scheduler of these arguments after epochs (``by_epoch``,
    default true, and not converted to iterations)."""
    return bool(args.get("by_epoch", True)) and not args.get(CONVERT, False)


def build(
    cls: Any, optimizer: Any, args: Mapping[str, Any], *, epochs: int, epoch_length: int
) -> Any:
    """The scheduler MMEngine's runner builds of a ``param_scheduler`` entry, in a run of
    ``epochs`` epochs of ``epoch_length`` iterations."""
    kwargs = dict(args)
    convert = kwargs.pop(CONVERT, False)
    kwargs.setdefault("end", epochs if kwargs.get("by_epoch", True) else epochs * epoch_length)
    if convert:
        return cls.build_iter_from_epoch(optimizer, epoch_length=epoch_length, **kwargs)
    return cls(optimizer, **kwargs)


def metric_step(scheduler: Any) -> Callable[[float], None] | None:
    """How MMEngine's loop feeds the metric of an epoch to ``scheduler``, if it takes one
    (``ReduceOnPlateauLR``): ``step()`` after training, ``step({monitor: value})`` after
    validation; None for the others."""
    if not getattr(scheduler, "need_val_args", False) or not is_mmengine(type(scheduler)):
        return None
    step, monitor = scheduler.step, scheduler.monitor

    def fed(value: float) -> None:
        step()
        step({monitor: value})

    return fed
