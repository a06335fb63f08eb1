"""What a run costs, counted before it starts, against the bounds of :mod:`lrplot.limits`.

A run is refused before anything is built if it is longer than ``--max-steps``, if it
records more values or makes more scheduler calls than
:data:`~lrplot.limits.WORK_PER_STEP` times that, or if its operations exceed the one
operation budget, :data:`~lrplot.limits.OPERATIONS_PER_STEP` times ``--max-steps``.
Every cost a config can cause counts against that budget, per step of the run::

    2 per param group (recording its lr)
    + for each scheduler, nested ones too:
        1 per param group, and each expression's size per group it serves
        + with ``fractional_epoch``, each list argument's length, nested lists counted
          whole (stepped with an epoch, torch reads them all: MultiStepLR sorts every
          milestone at every step)

and, over the run, for a scheduler that keeps a window of past values and shifts it at
each of its steps (GreedyLR with ``smooth: true``), the values the window holds at each
of them, :data:`~lrplot.limits.SHIFTED_PER_OPERATION` of them an operation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrplot.config.expressions import Expression
from lrplot.config.file import child_key
from lrplot.config.spec import SchedulerSpec, Spec
from lrplot.errors import ConfigError
from lrplot.limits import OPERATIONS_PER_STEP, SHIFTED_PER_OPERATION, WORK_PER_STEP


@dataclass(frozen=True)
class _Part:
    """One part of a run's operations: where it comes from, and what it costs."""

    key: str
    operations: int
    words: str = ""
    """What it is, for a message that blames it (empty: the steps' own operations)."""


def check_work(spec: Spec, max_steps: int) -> None:
    """Refuse, before anything runs, a schedule longer than ``max_steps``, one whose
    recorded values or scheduler calls exceed :data:`~lrplot.limits.WORK_PER_STEP` times
    it (10,000 param groups, or a chain of thousands of schedulers), or whose operations
    (see the module's docstring) exceed :data:`~lrplot.limits.OPERATIONS_PER_STEP` times
    it: one ConfigError naming the key that costs most."""
    steps = spec.steps
    if steps > max_steps:
        raise ConfigError(
            f"{spec.epochs} epochs x {spec.steps_per_epoch} steps_per_epoch = "
            f"{steps:,} steps, more than the limit of {max_steps:,} "
            "(raise it with --max-steps)",
            # the key written, so the message has its line
            key="steps_per_epoch"
            if "epochs" not in spec.data and spec.line("steps_per_epoch")
            else "epochs",
        )
    budget = WORK_PER_STEP * max_steps
    groups = len(spec.optimizer.groups)
    schedulers = sum(1 for _ in spec.walk())
    for count, what, work, key in (
        (groups, "param groups", "learning rates to record", "optimizer.param_groups"),
        (schedulers, "schedulers", "scheduler calls", "scheduler"),
    ):
        if steps * count > budget:
            raise ConfigError(
                f"{steps:,} steps x {count:,} {what} = {steps * count:,} {work}, more than "
                f"the limit of {budget:,} ({WORK_PER_STEP} per step allowed by --max-steps "
                f"{max_steps:,}; raise it with --max-steps)",
                key=key,
            )
    _check_operations(spec, max_steps)


def operations(spec: Spec) -> int:
    """The operations of a run of ``spec``, as the budget counts them (see the module's
    docstring)."""
    per_step, _, windows = _parts(spec)
    return spec.steps * per_step + sum(part.operations for part in windows)


def _parts(spec: Spec) -> tuple[int, list[_Part], list[_Part]]:
    """The operations of each step, its list arguments among them, and the windows'
    operations over the run."""
    groups = len(spec.optimizer.groups)
    per_step = 2 * groups + sum(_operations(s, groups) for s in spec.walk())
    lists = [part for s in spec.walk() for part in _lists(s)]
    per_step += sum(part.operations for part in lists)
    windows = [part for s in spec.walk() if (part := _window(s, spec)) is not None]
    return per_step, lists, windows


def _check_operations(spec: Spec, max_steps: int) -> None:
    steps = spec.steps
    per_step, lists, windows = _parts(spec)
    total = steps * per_step + sum(part.operations for part in windows)
    limit = OPERATIONS_PER_STEP * max_steps
    if total <= limit:
        return
    listed = [_Part(p.key, steps * p.operations, p.words) for p in lists]
    base = _Part("scheduler", steps * per_step - sum(p.operations for p in listed))
    blamed = max([base, *listed, *windows], key=lambda part: part.operations)
    what = "param groups x schedulers, an expression counted by its size"
    if lists:
        what += ", with fractional_epoch a list by its length"
    if blamed in listed:
        what += f": {blamed.words}"
    counted = f"{steps:,} steps x {per_step:,} operations each ({what})"
    for window in windows:
        counted += f" + {window.operations:,} for {window.words}"
    raise ConfigError(
        f"{counted} = {total:,}, more than the limit of {limit:,} ({OPERATIONS_PER_STEP} per "
        f"step allowed by --max-steps {max_steps:,}; raise it with --max-steps)",
        key=blamed.key,
    )


def _operations(scheduler: SchedulerSpec, groups: int) -> int:
    """About how many operations one step of ``scheduler`` takes: one per param group,
    and each expression's size once per group it serves."""
    cost = groups
    for value in scheduler.args.values():
        if isinstance(value, Expression):
            cost += value.operations * groups
        elif isinstance(value, list):
            cost += sum(v.operations for v in value if isinstance(v, Expression))
    return cost


def _lists(scheduler: SchedulerSpec) -> list[_Part]:
    """Each list argument of ``scheduler`` (in a mapping argument too), by its length,
    if each of its steps reads them whole: stepped with an epoch, torch computes the lr
    in closed form from its arguments (MultiStepLR sorts its milestones). Stepped
    plainly, a step reads one item (a Counter or bisect look-up), and a nested one is
    stepped with an epoch once (SequentialLR's ``step(0)``): lists read a bounded number
    of times cost what the config's size bounds already."""
    if not scheduler.fractional_epoch:
        return []
    parts = []
    for name, value in scheduler.args.items():
        length = _length(value)
        if length:
            parts.append(_Part(child_key(scheduler.key, name), length, f"{name} holds {length:,}"))
    return parts


def _length(value: Any) -> int:
    """The items of the lists in ``value``, nested ones counted whole; expressions are
    counted by their size elsewhere."""
    if isinstance(value, Mapping):
        return sum(_length(v) for v in value.values())
    if not isinstance(value, list) or any(isinstance(v, Expression) for v in value):
        return 0
    return len(value) + sum(_length(v) for v in value if isinstance(v, list | Mapping))


def _window(scheduler: SchedulerSpec, spec: Spec) -> _Part | None:
    """The operations over the run of the window of past values ``scheduler`` keeps
    and shifts at each of its steps (see :attr:`lrplot.schedulers.facts.SchedulerFacts.window`)."""
    from lrplot.schedulers.registry import (
        facts_of,
        named_schedule,
        scheduler_signature,
        transformers_schedules,
    )

    if scheduler.facts.window is None:
        return None
    size_name, flag = scheduler.facts.window
    maker, args, key = scheduler.cls, scheduler.args, scheduler.key
    by = facts_of(maker).named_by
    if by:  # get_scheduler(name=...): the arguments are its scheduler_specific_kwargs
        named = named_schedule(maker, args.get(by))
        maker = transformers_schedules()[named] if named else maker
        key = child_key(key, "scheduler_specific_kwargs")
        args = args.get("scheduler_specific_kwargs") or {}
        if not isinstance(args, Mapping):
            return None
    if not args.get(flag):
        return None
    parameter = scheduler_signature(maker).parameters.get(size_name)
    size = args.get(size_name, parameter.default if parameter else None)
    if isinstance(size, float) and math.isfinite(size):
        size = int(size)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        return None  # nothing kept (an infinite window is never full: nothing shifted)
    looped = any(scheduler is s for s in spec.schedulers)
    calls = scheduler.calls(spec.loop) if looped else spec.steps
    held = min(size, calls)  # the window fills over its first steps, then stays full
    shifted = held * (held + 1) // 2 + (calls - held) * held
    operations = -(-shifted // SHIFTED_PER_OPERATION)
    words = (
        f"a window of up to {size:,} values ({flag}: true), shifted at each of its {calls:,} "
        f"steps ({shifted:,} values shifted, {SHIFTED_PER_OPERATION} an operation)"
    )
    return _Part(child_key(key, size_name), operations, words)
