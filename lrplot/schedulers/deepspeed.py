"""DeepSpeed's lr schedules (``deepspeed.<Class>``): the one module that imports DeepSpeed.

The classes of ``deepspeed.runtime.lr_schedules`` are not torch ``LRScheduler``\\ s, and
step by their own rules, read from DeepSpeed 0.19's source:

- ``DeepSpeedEngine._take_model_step`` (runtime/engine.py) calls ``lr_scheduler.step()``
  after every optimizer step (once per ``gradient_accumulation_steps`` micro-batches),
  unless the fp16 loss scaler skipped the step: lrplot's per-batch stepping (one batch is
  one optimizer step), the default.
- ``step(last_batch_iteration=None)`` (``batch_iteration`` for ``OneCycle`` and
  ``LRRangeTest``) counts on from ``last_batch_iteration`` (-1 when built) and sets each
  param group's ``lr`` (``OneCycle`` also its ``betas``: ``(momentum, 0.99)``).
- Built with ``last_batch_iteration=-1``, each sets the lr before any step: ``WarmupLR``
  and ``WarmupDecayLR`` to ``warmup_min_lr``, ``WarmupCosineLR`` to 0, ``OneCycle`` to
  ``cycle_min_lr`` (and beta1 to ``cycle_min_mom``), ``LRRangeTest`` to
  ``lr_range_test_min_lr``: the first lr plotted.
- ``state_dict()`` is ``{'last_batch_iteration': N}``; ``DeepSpeedEngine.load_checkpoint``
  loads the optimizer's state, then the scheduler's (``_load_checkpoint``): as lrplot resumes.

Importing DeepSpeed imports its whole package (about a second besides torch), whose logger
writes to the ``sys.stdout`` of its import; :func:`lr_schedules` imports it with that
output kept from lrplot's, and :func:`deepspeed_logs` keeps what it logs while lrplot runs
its schedulers, to report as notices.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import logging
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from lrplot.schedulers.facts import DEEPSPEED, DEEPSPEED_SCHEDULERS
from lrplot.schedulers.installed import installed

INSTALL_DEEPSPEED = "pip install 'lrplot[deepspeed]' (or pip install deepspeed)"

MODULE = "deepspeed.runtime.lr_schedules"
"""Where DeepSpeed's scheduler classes are."""

_LOGGER = "DeepSpeed"

QUIET_LOGS = ("Attempting to get learning rate from scheduler before it has started",)
"""What DeepSpeed logs whenever it builds a scheduler that sets its lr before a step
(``get_lr()`` at ``last_batch_iteration`` -1): no news, not reported."""


def deepspeed_installed() -> bool:
    """Whether DeepSpeed can be imported (found without importing it)."""
    return installed("deepspeed")


def lr_schedules() -> ModuleType:
    """``deepspeed.runtime.lr_schedules``, imported with what DeepSpeed prints on import
    (its accelerator) kept from lrplot's output."""
    if MODULE in sys.modules:
        return sys.modules[MODULE]
    from lrplot.signals import interrupts_deferred

    kept = io.StringIO()
    with interrupts_deferred(), contextlib.redirect_stdout(kept):
        importlib.import_module("torch")
        module = importlib.import_module(MODULE)
    for handler in logging.getLogger(_LOGGER).handlers:  # made during the import: on `kept`
        if isinstance(handler, logging.StreamHandler) and handler.stream is kept:
            handler.setStream(sys.stdout)
    return module


@functools.cache
def deepspeed_schedulers() -> dict[str, type]:
    """The DeepSpeed classes lrplot knows (:data:`DEEPSPEED_SCHEDULERS`) that the installed
    DeepSpeed has, by ``type:`` name; empty when it is not installed."""
    if not deepspeed_installed():
        return {}
    module = lr_schedules()
    found = {name: getattr(module, name[len(DEEPSPEED) :], None) for name in DEEPSPEED_SCHEDULERS}
    return {name: cls for name, cls in found.items() if isinstance(cls, type)}


def is_deepspeed(maker: Any) -> bool:
    """Whether ``maker`` is one of DeepSpeed's scheduler classes lrplot knows."""
    return getattr(maker, "__module__", "") == MODULE and (
        deepspeed_schedulers().get(DEEPSPEED + getattr(maker, "__name__", "")) is maker
    )


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().split())
        if not text.startswith(QUIET_LOGS):
            self.lines.append(text)


@contextlib.contextmanager
def deepspeed_logs() -> Iterator[list[str]]:
    """What DeepSpeed logs (warnings and worse) while in this context, each once, in
    place of printing it; nothing if DeepSpeed is not imported."""
    if MODULE not in sys.modules:
        yield []
        return
    logger = logging.getLogger(_LOGGER)
    kept, handlers, propagate, level = _Kept(), logger.handlers[:], logger.propagate, logger.level
    found: list[str] = []
    logger.handlers, logger.propagate = [kept], False
    logger.setLevel(logging.WARNING)
    try:
        yield found
    finally:
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)
        found += dict.fromkeys(kept.lines)
