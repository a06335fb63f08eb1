"""The training loop a schedule is run in: optimizer steps per epoch, and who steps when.

lrplot records each param group's lr before every batch (an optimizer step) and steps
the schedulers as a training loop does, with Lightning's meaning of ``interval`` and
``frequency``, or every N optimizer steps of the whole run (``every``, HF's
``eval_steps``)::

    for epoch in range(epochs):
        for i in range(steps_per_epoch):
            record the lr
            for each scheduler with interval "step", in list order:
                if counted(i) % frequency == 0:      # or, with every: (step + 1) % every == 0
                    scheduler.step()      # or step(epoch + i / steps_per_epoch), or step(metric)
        for each scheduler with interval "epoch", in list order:
            if (epoch + 1) % frequency == 0:
                scheduler.step()          # or step(metric)

``counted(i)`` is ``i + 1``, the optimizer steps of the epoch so far; Lightning counts
the epoch's batches instead (``batch_idx + 1``, see :class:`TrainingLoop`).
``steps_per_epoch`` may come from the data, as the loop it models counts it (see
:class:`Batches`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from lrplot.schedulers.releases import HF_CEIL_SINCE, installed_transformers, release_of

LoopName = Literal["torch", "lightning", "transformers", "transformers>=4.52", "transformers<4.52"]
LOOPS: tuple[LoopName, ...] = (
    "torch",
    "lightning",
    "transformers",
    "transformers>=4.52",
    "transformers<4.52",
)
"""The training loops ``steps_per_epoch: {loop: ...}`` may name: ``transformers``
follows the installed transformers; the other two name one rule of its Trainer."""


def rounds_up(loop: LoopName) -> bool:
    """Whether transformers' Trainer in ``loop`` rounds up: ``transformers>=4.52``, and
    ``transformers`` when the installed one is such (or none is installed)."""
    if loop != "transformers":
        return loop == "transformers>=4.52"
    found = installed_transformers()
    release = release_of(found) if found is not None else None
    return release is None or release >= HF_CEIL_SINCE


@dataclass(frozen=True)
class Batches:
    """Optimizer steps per epoch from the data, as the training ``loop`` counts them.

    The plain torch loop and Lightning shard the samples with a DistributedSampler
    (which pads); transformers' Trainer batches them first, and accelerate's
    ``BatchSamplerShard`` deals the batches out (evened up by padding from the start,
    or the remainder dropped with ``drop_last``)::

        torch, lightning:  samples = ceil(dataset_size / world_size)
                           batches = ceil(samples / batch_size)   # drop_last: floor
        transformers:      all     = ceil(dataset_size / batch_size)  # drop_last: floor
                           batches = ceil(all / world_size)           # drop_last: floor
        torch:             steps = floor(batches / grad_accum)  # `if (i + 1) % grad_accum == 0`
        lightning:         steps = ceil(batches / grad_accum)   # also a last, partial one
        transformers:      steps = max(ceil(batches / grad_accum), 1)    # since 4.52
                           steps = max(floor(batches / grad_accum), 1)   # before

    (An epoch with no batch makes no step, in transformers too.)
    """

    dataset_size: int
    batch_size: int
    world_size: int = 1
    grad_accum: int = 1
    drop_last: bool = False
    loop: LoopName = "torch"

    @property
    def hf(self) -> bool:
        return self.loop.startswith("transformers")

    @property
    def samples(self) -> int:
        """Samples each process sees per epoch (all of them, for transformers: it
        shards batches, not samples)."""
        if self.hf:
            return self.dataset_size
        return math.ceil(self.dataset_size / self.world_size)

    @property
    def all_batches(self) -> int:
        """The batches ``samples`` make."""
        if self.drop_last:
            return self.samples // self.batch_size
        return math.ceil(self.samples / self.batch_size)

    @property
    def batches(self) -> int:
        """Batches each process runs per epoch."""
        if not self.hf:
            return self.all_batches
        if self.drop_last:
            return self.all_batches // self.world_size
        return math.ceil(self.all_batches / self.world_size)

    @property
    def steps(self) -> int:
        """Optimizer steps per epoch (0 when the loop makes none)."""
        batches, accum = self.batches, self.grad_accum
        if batches == 0 or self.loop == "torch":
            return batches // accum
        if self.loop == "lightning" or rounds_up(self.loop):
            return math.ceil(batches / accum)
        return max(batches // accum, 1)

    def training_loop(self, epochs: int) -> TrainingLoop:
        """The loop of ``epochs`` these batches run in: Lightning counts ``frequency``
        in batches."""
        if self.loop == "lightning":
            return TrainingLoop(epochs, self.steps, self.batches, self.grad_accum)
        return TrainingLoop(epochs, self.steps)

    def explain(self) -> str:
        """The arithmetic, in words, as ``lrplot validate`` shows it."""
        parts = [f"{self.dataset_size:,} samples"]
        if self.world_size > 1 and not self.hf:
            parts.append(f"/ {self.world_size} processes = {self.samples:,} each")
        rounding = "dropping the last short batch" if self.drop_last else "the last one short"
        if self.samples % self.batch_size == 0:
            rounding = "all full"
        parts.append(f"/ {self.batch_size} per batch = {self.all_batches:,} batches ({rounding})")
        if self.world_size > 1 and self.hf:
            shared = "whole batches, from accelerate's BatchSamplerShard"
            if self.all_batches % self.world_size:
                shared += ", the rest dropped" if self.drop_last else ", evened up"
            parts.append(f"/ {self.world_size} processes = {self.batches:,} each ({shared})")
        if self.grad_accum > 1:
            parts.append(f"/ {self.grad_accum} accumulated = {self.steps:,} optimizer steps")
            parts.append(self._rule())
        return " ".join(part for part in parts if part)

    def _rule(self) -> str:
        """How the loop rounds the accumulated batches, in words (none: the plain loop)."""
        if self.loop == "torch":
            return ""
        if self.loop == "lightning":
            return "(Lightning: rounded up, a last partial accumulation steps too)"
        installed = installed_transformers()
        who = (
            f"transformers {installed}" if self.loop == "transformers" and installed else self.loop
        )
        if rounds_up(self.loop):
            return f"({who}: rounded up, at least 1)"
        return f"({who}: rounded down, at least 1)"


Interval = Literal["step", "epoch"]


@dataclass(frozen=True)
class Stepping:
    """How the training loop steps one scheduler: after batches (``step``) or epochs,
    every ``frequency``-th of the epoch (or epoch), or every ``every`` optimizer steps
    counted over the whole run."""

    interval: Interval = "step"
    frequency: int = 1
    every: int | None = None


@dataclass(frozen=True)
class TrainingLoop:
    """The loop a schedule runs in: its length, and how ``frequency`` counts.

    ``frequency`` with ``interval: step`` is checked after each optimizer step against
    the epoch's count so far, which starts again every epoch. Lightning counts batches
    (``batch_idx + 1``, checked only where the optimizer steps: after every
    ``grad_accum``-th batch and the epoch's last, lightning/pytorch/loops/
    training_epoch_loop.py, ``_update_learning_rates``); the other loops count
    optimizer steps (``batches`` = ``steps_per_epoch``, ``grad_accum`` = 1).
    """

    epochs: int
    steps_per_epoch: int
    batches: int = 0
    """Batches an epoch, as ``frequency`` counts them (0: ``steps_per_epoch``)."""
    grad_accum: int = 1
    stop: int | None = None
    """The optimizer steps after which the run stops, within an epoch (Lightning's
    ``max_steps``); None: at the end of the last epoch."""

    @property
    def counted_batches(self) -> int:
        return self.batches or self.steps_per_epoch

    @property
    def steps(self) -> int:
        whole = self.epochs * self.steps_per_epoch
        return whole if self.stop is None else min(whole, self.stop)

    def _in_epoch(self, frequency: int) -> tuple[int, int, bool]:
        """Where in an epoch ``interval: step`` with ``frequency`` steps a scheduler:
        after steps ``period - 1, 2 * period - 1, ...`` below ``whole`` (the steps of
        ``grad_accum`` full batches), and after the last if ``last``."""
        whole = self.counted_batches // self.grad_accum
        period = frequency // math.gcd(frequency, self.grad_accum)
        last = whole < self.steps_per_epoch and self.counted_batches % frequency == 0
        return period, whole, last

    def calls_per_epoch(self, frequency: int) -> int:
        """How many times ``interval: step`` with ``frequency`` steps a scheduler an epoch."""
        period, whole, last = self._in_epoch(frequency)
        return whole // period + last

    def calls(self, stepping: Stepping) -> int:
        """How many times the loop steps a scheduler in a run."""
        if self.stop is not None:
            return sum(1 for _ in self.positions(stepping))
        if stepping.every is not None:
            return self.steps // stepping.every
        if stepping.interval == "epoch":
            return self.epochs // stepping.frequency
        return self.epochs * self.calls_per_epoch(stepping.frequency)

    def calls_before(self, stepping: Stepping, position: int) -> int:
        """How many times the loop has stepped a scheduler once ``position`` batches are
        done (where a run resumed at step ``position`` picks up)."""
        if stepping.every is not None:
            return position // stepping.every
        epoch, batch = divmod(position, self.steps_per_epoch)
        if stepping.interval == "epoch":
            return epoch // stepping.frequency
        period, whole, _ = self._in_epoch(stepping.frequency)
        return epoch * self.calls_per_epoch(stepping.frequency) + min(batch, whole) // period

    def positions(self, stepping: Stepping) -> Iterator[tuple[int, int]]:
        """The ``(epoch, step)`` of each time the loop steps a scheduler: ``step`` is the
        batch just done (the last of the epoch, for ``interval: epoch``)."""
        if self.stop is None:
            yield from self._positions(stepping)
            return
        for epoch, step in self._positions(stepping):
            if step >= self.stop:
                return
            yield epoch, step

    def _positions(self, stepping: Stepping) -> Iterator[tuple[int, int]]:
        per_epoch = self.steps_per_epoch
        if stepping.every is not None:
            for step in range(stepping.every - 1, self.steps, stepping.every):
                yield step // per_epoch, step
            return
        if stepping.interval == "epoch":
            for epoch in range(stepping.frequency - 1, self.epochs, stepping.frequency):
                yield epoch, epoch * per_epoch + per_epoch - 1
            return
        period, whole, last = self._in_epoch(stepping.frequency)
        for epoch in range(self.epochs):
            start = epoch * per_epoch
            for batch in range(period - 1, whole, period):
                yield epoch, start + batch
            if last:
                yield epoch, start + per_epoch - 1

    def stepper(self, stepping: Stepping) -> Callable[[int, int], bool]:
        """Whether a scheduler with ``interval: step`` is stepped after a batch, given
        its place in the epoch and in the run (both from 0)."""
        every = stepping.every
        if every is not None:
            return lambda batch, step: (step + 1) % every == 0
        period, whole, last = self._in_epoch(stepping.frequency)
        final = self.steps_per_epoch - 1 if last else -1
        return lambda batch, step: (batch < whole and (batch + 1) % period == 0) or batch == final
