"""The one module that touches torch's private internals, and the torch versions it was checked on.

lrplot runs torch's own schedulers, so its numbers are torch's. To run them quickly and
to report failures well, it relies on a few things torch does not promise: the steps of
``LRScheduler.step()`` (:func:`fast_step`), the cache behind ``torch._disable_dynamo``
(:func:`no_compiler_import`), the ``_schedulers`` of a nested scheduler, and the
``self`` of the frames a failure passed through. Each falls back to the public way when
its assumptions do not hold; :data:`CHECKED_TORCH` names the torch versions the test
suite checked them on (``make test-torch-next`` runs it on the next one).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any

CHECKED_TORCH = ("2.13", "2.14")
"""torch versions (major.minor) whose internals :func:`fast_step` reproduces."""


def torch_version() -> str:
    """The installed torch's major.minor version, such as ``2.13``."""
    import torch

    return ".".join(torch.__version__.split("+")[0].split(".")[:2])


def fast_step(scheduler: Any) -> Callable[[], None] | None:
    """What ``scheduler.step()`` does, without its per-call overhead; None if not known.

    For torch's own schedulers whose ``step()`` is ``LRScheduler.step`` (not the nested,
    plateau and warm-restart ones, nor user subclasses), ``step()`` advances
    ``_step_count`` and ``last_epoch``, calls ``get_lr()`` with the flag that marks a call
    from ``step()``, and stores each value in its param group. This does exactly that
    (half the time per step: the warnings checks, context manager and ``_last_lr`` copy
    are left out, and no ``get_lr()`` reads ``_last_lr``). It is used only on torch
    versions whose internals were checked against it, and the test suite compares it with
    ``step()`` for every scheduler.
    """
    from torch.optim.lr_scheduler import LRScheduler

    from lrplot.schedulers.registry import scheduler_classes

    cls = type(scheduler)
    if (
        torch_version() not in CHECKED_TORCH
        or scheduler_classes().get(cls.__name__) is not cls
        or cls.step is not LRScheduler.step
        or getattr(cls, "_update_lr", None) is not getattr(LRScheduler, "_update_lr", None)
        or not all(type(group["lr"]) is float for group in scheduler.optimizer.param_groups)
    ):
        return None
    groups = scheduler.optimizer.param_groups
    get_lr = scheduler.get_lr
    if len(groups) == 1:
        group = groups[0]

        def step_one_group() -> None:
            scheduler._step_count += 1
            scheduler.last_epoch += 1
            scheduler._get_lr_called_within_step = True
            try:
                (group["lr"],) = get_lr()  # exactly one value, as zip(strict=True) demands
            finally:
                scheduler._get_lr_called_within_step = False

        return step_one_group

    def step() -> None:
        scheduler._step_count += 1
        scheduler.last_epoch += 1
        scheduler._get_lr_called_within_step = True
        try:
            values = get_lr()
        finally:
            scheduler._get_lr_called_within_step = False
        for group, value in zip(groups, values, strict=True):
            group["lr"] = value

    return step


@contextlib.contextmanager
def no_compiler_import() -> Iterator[None]:
    """Build, save and load optimizers without importing torch's compiler (about 1 s,
    100 MB).

    torch wraps ``Optimizer.add_param_group``, ``state_dict`` and ``load_state_dict`` in
    ``torch._disable_dynamo``, whose wrapper imports ``torch._dynamo`` on first use to
    look up a disabled version, and caches it as the function's ``__dynamo_disable``
    attribute. Nothing is compiled when lrplot uses an optimizer, so while it does, each
    cache points at the plain function; the optimizer is the same. Where torch already
    imported its compiler, or wraps a method differently, nothing is changed.
    """
    from torch.optim import Optimizer

    plain = [getattr(getattr(Optimizer, name), "__wrapped__", None) for name in _WRAPPED]
    cached = [
        f for f in plain if f is not None and not hasattr(f, _CACHE)
    ] if "torch._dynamo" not in sys.modules else []  # fmt: skip
    for function in cached:
        setattr(function, _CACHE, function)
    try:
        yield
    finally:
        for function in cached:
            delattr(function, _CACHE)


_WRAPPED = ("add_param_group", "state_dict", "load_state_dict")
_CACHE = "__dynamo_disable"


def cycles_momentum(scheduler: Any) -> bool:
    """Whether ``scheduler``, or one it nests, cycles momentum (or beta1)."""
    stack = [scheduler]
    while stack:
        current = stack.pop()
        if getattr(current, "cycle_momentum", False):
            return True
        stack.extend(getattr(current, "_schedulers", []))  # SequentialLR, ChainedScheduler
    return False


def raising_scheduler(tb: TracebackType | None, keys: Mapping[int, str]) -> str | None:
    """The key path of the innermost built scheduler (``keys``: by ``id``) whose method a
    failure's traceback passed through, read from each frame's ``self``."""
    found = None
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if owner is not None and id(owner) in keys:
            found = keys[id(owner)]
        tb = tb.tb_next
    return found
