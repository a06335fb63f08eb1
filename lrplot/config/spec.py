"""A checked config: :class:`Spec` and its parts, and how messages and titles describe them."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lrplot.config.expressions import Expression
from lrplot.config.file import file_key, nearest
from lrplot.config.loop import Batches, Interval, Stepping, TrainingLoop
from lrplot.config.metrics import MetricSpec
from lrplot.config.options import PlotOptions
from lrplot.errors import excerpt
from lrplot.limits import MAX_TITLE_LENGTH
from lrplot.schedulers.custom import is_custom_reference
from lrplot.schedulers.facts import (
    DEEPSPEED,
    MMENGINE,
    NO_FACTS,
    TIMM,
    TRANSFORMERS,
    SchedulerFacts,
)
from lrplot.schedulers.registry import Maker, signature


@dataclass(frozen=True)
class SchedulerSpec:
    """A scheduler to build: what makes it (a class or a function), checked arguments,
    and nested schedulers."""

    type_name: str
    cls: Maker
    args: dict[str, Any]
    key: str
    facts: SchedulerFacts = NO_FACTS
    children: tuple[SchedulerSpec, ...] = ()
    doubts: Mapping[str, str] = field(default_factory=dict)
    """Arguments (by key path) that do not fit torch's type hints, with what was
    expected: torch decides whether they run (see ``Checks.arguments``)."""
    interval: Interval = "step"
    """How the training loop steps it (see :mod:`lrplot.config.loop`): after batches, or epochs."""
    frequency: int = 1
    every: int | None = None
    """Steps it after every ``every``-th optimizer step of the run, if given."""
    fractional_epoch: bool = False

    @property
    def name(self) -> str:
        return str(getattr(self.cls, "__name__", self.type_name))

    @property
    def library(self) -> str:
        """Whose code makes it, as messages say: ``torch``, ``transformers``, ``DeepSpeed``,
        ``MMEngine``, ``timm``, or its name (a user's own)."""
        if self.custom:
            return self.name
        if self.type_name.startswith(DEEPSPEED):
            return "DeepSpeed"
        if self.type_name.startswith(MMENGINE):
            return "MMEngine"
        if self.type_name.startswith(TIMM):
            return "timm"
        return "transformers" if self.type_name.startswith(TRANSFORMERS) else "torch"

    def numbers(self, arg: str) -> list[float]:
        """The finite numbers of list argument ``arg`` (milestones), in its order: torch
        runs lists holding others (``.inf``), which no step reaches."""
        values = self.args.get(arg)
        if not isinstance(values, list | tuple):
            return []
        return [float(v) for v in values if _is_number(v) and math.isfinite(v)]

    @property
    def stepping(self) -> Stepping:
        """When the training loop steps it (see :mod:`lrplot.config.loop`)."""
        return Stepping(self.interval, self.frequency, self.every)

    def calls(self, loop: TrainingLoop) -> int:
        """How many times the training loop steps it in a run."""
        return loop.calls(self.stepping)

    def epochs_per_count(self, steps_per_epoch: int) -> float:
        """How many epochs one unit of what it counts (milestones, ``T_0``) spans: one of
        its steps, or with ``fractional_epoch``, one epoch."""
        if self.fractional_epoch:
            return 1.0
        if self.interval == "epoch":
            return float(self.frequency)
        return (self.every or self.frequency) / steps_per_epoch

    def cadence(self) -> str:
        """How the loop steps it, when not after every batch: `` per epoch``,
        `` every 4 batches``, `` every 500 steps``, `` with fractional epochs``."""
        unit = "batch" if self.interval == "step" else "epoch"
        text = f" every {self.frequency} {unit}es" if self.frequency > 1 else ""
        if self.every is not None and self.every > 1:
            text = f" every {self.every:,} steps"
        if unit == "epoch":
            text = text.replace("epoches", "epochs") or " per epoch"
        if self.fractional_epoch:
            text += " with fractional epochs"
        return text

    @property
    def custom(self) -> bool:
        """A user's own class or function (``path/file.py:Class``), not one torch or
        transformers ships."""
        return is_custom_reference(self.type_name)

    def walk(self) -> Iterator[SchedulerSpec]:
        """This scheduler and every nested one, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class GroupSpec:
    """One optimizer param group: a dummy tensor with per-group overrides."""

    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class OptimizerSpec:
    """The optimizer to build over the dummy parameters."""

    type_name: str
    cls: type
    args: dict[str, Any]
    groups: tuple[GroupSpec, ...]
    key: str = "optimizer"
    doubts: Mapping[str, str] = field(default_factory=dict)
    """As :attr:`SchedulerSpec.doubts`, for the optimizer and its param groups."""


@dataclass(frozen=True)
class DeepSpeedScheduler:
    """A ds_config's scheduler block that replaces a TrainingArguments file's schedule
    (``deepspeed_optim_sched``: the Trainer runs the block, filling its ``"auto"`` values)."""

    shown: str
    """How to name the ds_config: its file, or ``the deepspeed config``."""
    type: str
    """The block's ``type`` (``WarmupDecayLR``)."""
    warmup: Any
    """Its ``warmup_num_steps`` as written (``"auto"``, a number), None where it has none."""
    takes_warmup: bool
    """Its class takes a ``warmup_num_steps``."""
    schedule_given: bool
    """The file gives an ``lr_scheduler_type`` other than the default."""


@dataclass(frozen=True)
class NativeRead:
    """What a native file (HF TrainingArguments, a TRL recipe) said of its warm-up and
    schedule, in its own keys, for the checks of its mistakes
    (:mod:`lrplot.checks.native`)."""

    who: str
    """Whose rules planned it: ``transformers 5.24.0``."""
    warmup_shares: bool
    """``warmup_steps`` below 1 is a share of the run (transformers 5)."""
    schedule: str
    """``lr_scheduler_type``."""
    warmup_key: str
    """The key the warm-up came from: ``warmup_steps`` or ``warmup_ratio``."""
    warmup_value: Any
    """Its value as the file gave it (after its parser's conversion)."""
    warmup: int
    """The warm-up steps it makes (``get_warmup_steps``)."""
    kwargs: tuple[str, ...]
    """The names in ``lr_scheduler_kwargs``."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """The line of each of the file's keys."""
    set_by: Mapping[str, str] = field(default_factory=dict)
    """The ``--set`` that gave a key of the file, by key."""
    ratio_ignored: tuple[float, int] | None = None
    """For transformers 4.x rules, a ``warmup_ratio`` above 0 that ``warmup_steps`` above 0
    overrides (``get_warmup_steps``), and the ``num_training_steps`` it is a share of."""
    planned_epochs: tuple[int, int, str] | None = None
    """For a timm ``args.yaml``: its ``epochs``, the count ``create_scheduler_v2`` returned
    (which ``train.py`` trains for), and what it added, in words."""
    per_epoch_cycle: tuple[str, int, int, int] | None = None
    """For a LightningCLI OneCycleLR: the file's key of its length, that length
    (``total_steps``, or ``epochs x steps_per_epoch``), the times LightningCLI steps it
    (once per epoch), and the run's optimizer steps."""
    unvalidated: tuple[str, str, int] | None = None
    """For a LightningCLI ReduceLROnPlateau validated every N epochs (N above 1,
    ``check_val_every_n_epoch``): that key of the file, the monitor, and N."""
    deepspeed: DeepSpeedScheduler | None = None
    """For a TrainingArguments file beside a ds_config with a scheduler block: that block,
    which runs instead of ``get_scheduler``."""


@dataclass(frozen=True)
class Spec:
    """A validated schedule config; ``simulate(spec=...)`` runs it."""

    source: str
    epochs: int
    steps_per_epoch: int
    optimizer: OptimizerSpec
    schedulers: tuple[SchedulerSpec, ...]
    """What the training loop steps, in list order (see :mod:`lrplot.config.loop`)."""
    metric: MetricSpec | None
    title: str | None = None
    description: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    """The config's keys of simple kinds (see :data:`lrplot.config.keys.CONFIG`), with defaults."""
    data: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, repr=False)
    plot: PlotOptions = field(default_factory=PlotOptions)
    set_by: Mapping[str, str] = field(default_factory=dict, repr=False)
    batches: Batches | None = None
    """Where ``steps_per_epoch`` came from, when the config gave the data."""
    resume_at: int | None = None
    """The step a resumed run starts again at, from a checkpoint (``resume_at:``)."""
    silence: frozenset[str] = frozenset()
    """The warnings this config means (``silence:``; see :mod:`lrplot.checks.mistakes`)."""
    build: Callable[[Any], Any] | None = field(default=None, repr=False)
    """A caller's own function making the schedulers from the optimizer (``lrplot.trace``):
    the loop steps what it returns, ``schedulers`` saying how (in its order)."""
    native: NativeRead | None = None
    """For a native file's plan: what the file said, in its keys."""
    stop_at: int | None = None
    """The optimizer steps after which the run stops, within an epoch (Lightning's
    ``max_steps``); None: at the end of the last epoch."""
    names: Mapping[str, str] = field(default_factory=dict, repr=False)
    """For a native file's plan: the file's key of each of lrplot's
    (:attr:`lrplot.formats.Translation.names`), which its warnings name."""

    @property
    def scheduler(self) -> SchedulerSpec:
        """The (first) scheduler the training loop steps."""
        return self.schedulers[0]

    def walk(self) -> Iterator[SchedulerSpec]:
        """Every scheduler, nested ones included, in list order, depth first."""
        for scheduler in self.schedulers:
            yield from scheduler.walk()

    @property
    def doubts(self) -> dict[str, str]:
        """Every value that did not fit torch's type hints, by key path, with what was
        expected (see ``SchedulerSpec.doubts``)."""
        doubts = {**self.optimizer.doubts}
        for scheduler in self.walk():
            doubts.update(scheduler.doubts)
        return doubts

    def line(self, key: str | None) -> int | None:
        """The line of ``key`` (or of its nearest enclosing key) in the config file."""
        return nearest(self.lines, key or "")

    def origin(self, key: str | None) -> str | None:
        """The ``--set`` that gave ``key`` (or a key enclosing it), if one did."""
        return nearest(self.set_by, key or "")

    def file_key(self, key: str) -> str:
        """``key`` as the config file names it (a native file's own key: :attr:`names`)."""
        return file_key(self.names, key)

    @property
    def steps(self) -> int:
        """How many scheduler steps are simulated (and values recorded)."""
        return self.loop.steps

    @property
    def span(self) -> float:
        """The run's length in epochs: ``epochs``, or less when it stops within one."""
        if self.stop_at is None:
            return float(self.epochs)
        return self.steps / self.steps_per_epoch

    @property
    def loop(self) -> TrainingLoop:
        """The training loop it runs in: its length, and how it counts ``frequency``."""
        if self.batches is not None:
            return dataclasses.replace(self.batches.training_loop(self.epochs), stop=self.stop_at)
        return TrainingLoop(self.epochs, self.steps_per_epoch, stop=self.stop_at)

    @property
    def display_title(self) -> str:
        """The ``title:`` given, else one made from the scheduler and optimizer."""
        return self.title or default_title(self)


_SHOWN_ITEMS = 8
"""The most items of a list (or nested schedulers) a description shows."""


def show_value(value: Any) -> str:
    if isinstance(value, Expression):
        return " ".join(value.text.split())  # an expression may span lines inside ( )
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, list | tuple):
        return _show_items([show_value(v) for v in value[:_SHOWN_ITEMS]], len(value))
    return repr(value)


def _show_items(shown: list[str], count: int) -> str:
    """``[a, b, c]``, or ``[a, b, ... (1,000 in all)]`` for a long list."""
    more = f", ... ({count:,} in all)" if count > len(shown) else ""
    return "[" + ", ".join(shown) + more + "]"


def describe_scheduler(scheduler: SchedulerSpec) -> str:
    """``StepLR(step_size=10, gamma=0.8)``: the type and its non-default arguments."""
    sig = signature(scheduler.cls)
    parts = []
    if scheduler.children:
        children = [describe_scheduler(c) for c in scheduler.children[:_SHOWN_ITEMS]]
        parts.append(_show_items(children, len(scheduler.children)))
    for name, value in scheduler.args.items():
        param = sig.parameters.get(name)
        if param is not None and not param.required and _same(param.default, value):
            continue
        parts.append(f"{name}={show_value(value)}")
    return _clip(f"{scheduler.name}({', '.join(parts)})")


def _clip(text: str, limit: int = MAX_TITLE_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_optimizer(optimizer: OptimizerSpec) -> str:
    """``SGD(lr=0.1, momentum=0.9; head: lr=0.5)``: lr, other non-default arguments, and
    each param group's overrides."""
    sig = signature(optimizer.cls)
    parts = []
    args = dict(sorted(optimizer.args.items(), key=lambda item: item[0] != "lr"))
    for name, value in args.items():
        param = sig.parameters.get(name)
        if name != "lr" and param is not None and _same(param.default, value):
            continue
        parts.append(f"{name}={show_value(value)}")
    text = ", ".join(parts)
    for group in optimizer.groups:
        if group.args:
            overrides = ", ".join(f"{k}={show_value(v)}" for k, v in group.args.items())
            text += f"; {group.name}: {overrides}"
        if len(text) > MAX_TITLE_LENGTH:
            break
    return _clip(f"{optimizer.type_name}({text})")


def describe_schedulers(spec: Spec) -> str:
    """Each scheduler the loop steps, with how when not after every batch:
    ``LinearLR(total_iters=2000) + ReduceLROnPlateau(patience=3) per epoch``."""
    return _clip(" + ".join(describe_scheduler(s) + s.cadence() for s in spec.schedulers))


def default_title(spec: Spec) -> str:
    """The generated plot title: ``StepLR(step_size=10, gamma=0.8) · Adam(lr=0.1)``,
    and what a ReduceLROnPlateau is fed (`` · metric: epoch``)."""
    title = f"{describe_schedulers(spec)} · {describe_optimizer(spec.optimizer)}"
    if spec.metric is not None:
        title += f" · metric: {' '.join(spec.metric.describe().split())}"
    return _clip(title)


def _same(default: Any, value: Any) -> bool:
    if isinstance(default, list | tuple) and isinstance(value, list | tuple):
        return list(default) == list(value)
    if _is_number(default) and _is_number(value):
        return bool(default == value)
    return type(default) is type(value) and bool(default == value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
