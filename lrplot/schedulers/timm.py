"""timm's lr schedulers (``timm.<Class>``): the one module that knows how timm steps them.

The classes of ``timm.scheduler`` are not torch ``LRScheduler``\\ s; they are stateless
functions of a count the training script passes in, read from timm 1.0's source
(``timm/scheduler/scheduler.py``, ``*_lr.py``) and its ``train.py``:

- Built, each sets the lr at once: ``warmup_lr_init`` with a warm-up (``warmup_t``), else
  each group's ``initial_lr`` (set from its ``lr`` if absent): the first lr plotted.
- ``train_one_epoch`` counts ``num_updates`` from ``epoch * updates_per_epoch`` and calls
  ``step_update(num_updates, metric=loss average)`` after every optimizer update (having
  added one); after each epoch's evaluation ``main`` calls ``step(epoch + 1, eval
  metric)``. Both are always called; ``t_in_epochs`` (``not sched_on_updates``) decides
  which of them moves the lr. ``PlateauLRScheduler`` ignores ``step_update``, warms up while
  ``epoch <= warmup_t`` and then steps a torch ``ReduceLROnPlateau`` with the eval metric.
- Noise (``noise_range_t``) is drawn from a ``torch.Generator`` seeded ``noise_seed + t``:
  the same every run.
- Resuming (``--resume``): ``resume_checkpoint`` loads the optimizer's state (no
  scheduler's: timm saves none), then the scheduler is built afresh and stepped to the
  start: ``step_update(start_epoch * updates_per_epoch)`` with ``sched_on_updates``, else
  ``step(start_epoch)``; training resumes at an epoch's start.

Importing timm imports torch and torchvision; :func:`timm_schedulers` does so only for a
config that names timm. What timm warns of or logs while it builds one (the deprecation of
``PlateauLRScheduler``) is kept by :func:`timm_said`, to report as notices.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from lrplot.errors import ConfigError, failed_assertion, one_line
from lrplot.schedulers.facts import TIMM, TIMM_SCHEDULERS
from lrplot.schedulers.installed import installed

INSTALL_TIMM = "pip install 'lrplot[timm]' (or pip install timm)"

MODULE = "timm.scheduler"
"""Where timm's scheduler classes are."""

PER_EPOCH_DEFAULT = True
"""``t_in_epochs``' default in every class that has it (per epoch)."""


def timm_installed() -> bool:
    """Whether timm can be imported (found without importing it)."""
    return installed("timm")


@functools.cache
def timm_schedulers() -> dict[str, Callable[..., Any]]:
    """The timm classes lrplot knows (:data:`TIMM_SCHEDULERS`) that the installed timm has,
    by ``type:`` name; empty when it is not installed."""
    if not timm_installed():
        return {}
    from lrplot.signals import interrupts_deferred

    with interrupts_deferred():
        importlib.import_module("torch")
        module = importlib.import_module(MODULE)
    found = {name: getattr(module, name[len(TIMM) :], None) for name in TIMM_SCHEDULERS}
    made: dict[str, Any] = {n: c for n, c in found.items() if isinstance(c, type)}
    if callable(found.get(FACTORY)):
        made[FACTORY] = create_scheduler_v2
    return made


def create_scheduler_v2(optimizer: Any, **kwargs: Any) -> Any:
    """Create a learning rate scheduler by name: timm's create_scheduler_v2, as train.py
    calls it (lrplot plots the scheduler; the epochs it also returns: planned_epochs)."""
    from timm.scheduler import create_scheduler_v2 as create

    return create(optimizer, **kwargs)[0]


FACTORY = TIMM + create_scheduler_v2.__name__
"""``timm.create_scheduler_v2``: the ``type:`` of timm's factory, by ``sched`` name."""

KWARGS_FROM: dict[str, str] = {
    "sched": "sched",
    "num_epochs": "epochs",
    "decay_epochs": "decay_epochs",
    "decay_milestones": "decay_milestones",
    "warmup_epochs": "warmup_epochs",
    "cooldown_epochs": "cooldown_epochs",
    "patience_epochs": "patience_epochs",
    "decay_rate": "decay_rate",
    "min_lr": "min_lr",
    "warmup_lr": "warmup_lr",
    "warmup_prefix": "warmup_prefix",
    "noise": "lr_noise",
    "noise_pct": "lr_noise_pct",
    "noise_std": "lr_noise_std",
    "noise_seed": "seed",
    "cycle_mul": "lr_cycle_mul",
    "cycle_decay": "lr_cycle_decay",
    "cycle_limit": "lr_cycle_limit",
    "k_decay": "lr_k_decay",
    "decay_fn": "lr_decay_fn",
    "stable_timescale": "lr_stable_timescale",
    "plateau_mode": "eval_metric",
    "step_on_epochs": "sched_on_updates",
}
"""The key of ``train.py``'s arguments (an ``args.yaml``) each of ``create_scheduler_v2``'s
arguments comes from, as ``scheduler_kwargs`` reads them (timm/scheduler/scheduler_factory.py)."""


def scheduler_kwargs(values: dict[str, Any]) -> dict[str, Any]:
    """``create_scheduler_v2``'s arguments from ``train.py``'s (an ``args.yaml``), by timm's
    own ``scheduler_kwargs`` (its defaults for keys not given); those None by default and
    None here left out."""
    import inspect
    from types import SimpleNamespace

    from timm.scheduler import create_scheduler_v2 as create
    from timm.scheduler import scheduler_kwargs as kwargs_of

    kwargs = dict(kwargs_of(SimpleNamespace(**values)))
    defaults = {p.name: p.default for p in inspect.signature(create).parameters.values()}
    # A None that is timm's own default (noise: null) is left to it, as if not given.
    return {k: v for k, v in kwargs.items() if v is not None or defaults.get(k, 0) is not None}


def planned_epochs(kwargs: dict[str, Any]) -> int:
    """The epoch count ``create_scheduler_v2(**kwargs)`` returns, which ``train.py`` trains
    for (its cycles, cooldown and prefixed warm-up added); its build on a dummy optimizer."""
    import torch
    from timm.scheduler import create_scheduler_v2 as create

    optimizer = torch.optim.SGD([torch.zeros(1)], lr=1.0)
    try:
        with timm_said():
            return int(create(optimizer, **kwargs)[1])
    except (Exception, SystemExit) as e:  # timm's refusal: a ValueError, a bare assert
        text = one_line(str(e)) or (failed_assertion(e) if isinstance(e, AssertionError) else "")
        raise ConfigError(
            f"timm's create_scheduler_v2 failed: {text or type(e).__name__}", key="sched"
        ) from None


def is_timm(maker: Any) -> bool:
    """Whether ``maker`` is one of timm's scheduler classes lrplot knows, or its factory
    (timm not imported unless it already is)."""
    if maker is create_scheduler_v2:
        return True
    module = getattr(maker, "__module__", "")
    if not module.startswith(MODULE + "."):
        return False
    return timm_schedulers().get(TIMM + getattr(maker, "__name__", "")) is maker


def per_epoch(args: dict[str, Any], cls: Any) -> bool:
    """Whether the scheduler ``cls`` built with ``args`` moves the lr per epoch (its
    ``t_in_epochs``, the factory's ``step_on_epochs``; ``PlateauLRScheduler`` always does)."""
    if getattr(cls, "__name__", "") == "PlateauLRScheduler":
        return True
    if cls is create_scheduler_v2:
        return bool(args.get("step_on_epochs", PER_EPOCH_DEFAULT))
    return bool(args.get("t_in_epochs", PER_EPOCH_DEFAULT))


def takes_metric(args: dict[str, Any], cls: Any) -> bool:
    """Whether the scheduler ``cls`` built with ``args`` is stepped with the eval metric
    (``PlateauLRScheduler``, or the factory's ``sched: plateau``)."""
    if cls is create_scheduler_v2:
        return bool(args.get("sched", "cosine") == "plateau")
    return getattr(cls, "__name__", "") == "PlateauLRScheduler"


def actions(scheduler: Any) -> tuple[Callable[[int], None], Callable[[int, float | None], None]]:
    """What ``train.py`` calls: after optimizer update ``position`` (0-based, of the
    whole run), and after epoch ``epoch`` (0-based) with its eval metric."""
    step_update, step = scheduler.step_update, scheduler.step

    def after_update(position: int) -> None:
        step_update(position + 1)

    def after_epoch(epoch: int, metric: float | None) -> None:
        step(epoch + 1, metric)

    return after_update, after_epoch


def resume(scheduler: Any, *, start_epoch: int, updates_per_epoch: int, epochs: bool) -> None:
    """Step a freshly built scheduler to ``start_epoch`` as ``train.py`` does on resuming."""
    if start_epoch <= 0:
        return
    if epochs:
        scheduler.step(start_epoch)
    else:
        scheduler.step_update(start_epoch * updates_per_epoch)


class _Kept(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(" ".join(record.getMessage().split()))


@contextlib.contextmanager
def timm_said() -> Iterator[list[str]]:
    """What timm warns of (``warnings``) or logs (warnings and worse) in this context, one
    line each, in place of printing it."""
    said: list[str] = []
    logger = logging.getLogger("timm")
    kept, propagate = _Kept(said), logger.propagate
    logger.addHandler(kept)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
    finally:
        logger.removeHandler(kept)
        logger.propagate = propagate
    said[:0] = [" ".join(str(w.message).split()) for w in caught]
