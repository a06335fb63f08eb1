"""The training loop a schedule is run in: optimizer steps per epoch, and who steps when.

lrplot records each param group's lr before every batch (an optimizer step) and steps
the schedulers as a training loop does, with Lightning's meaning of ``interval`` and
``frequency``::

    for epoch in range(epochs):
        for i in range(steps_per_epoch):
            record the lr
            for each scheduler with interval "step", in list order:
                if (i + 1) % frequency == 0:
                    scheduler.step()      # or step(epoch + i / steps_per_epoch), or step(metric)
        for each scheduler with interval "epoch", in list order:
            if (epoch + 1) % frequency == 0:
                scheduler.step()          # or step(metric)

``steps_per_epoch`` may come from the data, as a DistributedSampler, a DataLoader and a
gradient-accumulation loop make it (see :class:`Batches`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Batches:
    """Optimizer steps per epoch from the data::

        samples per process = ceil(dataset_size / world_size)  # DistributedSampler pads
        batches per epoch   = ceil(samples / batch_size)    # with drop_last: samples // batch_size
        steps per epoch     = batches // grad_accum  # `if (i + 1) % grad_accum == 0: step()`

    (HF's Trainer counts the same, at least 1; Lightning also steps on a last, partial
    accumulation, ``ceil(batches / grad_accum)``.)
    """

    dataset_size: int
    batch_size: int
    world_size: int = 1
    grad_accum: int = 1
    drop_last: bool = False

    @property
    def samples(self) -> int:
        """Samples each process sees per epoch."""
        return math.ceil(self.dataset_size / self.world_size)

    @property
    def batches(self) -> int:
        """Batches each process runs per epoch."""
        if self.drop_last:
            return self.samples // self.batch_size
        return math.ceil(self.samples / self.batch_size)

    @property
    def steps(self) -> int:
        """Optimizer steps per epoch (0 when an epoch has fewer batches than one step)."""
        return self.batches // self.grad_accum

    def explain(self) -> str:
        """The arithmetic, in words, as ``lrplot validate`` shows it."""
        parts = [f"{self.dataset_size:,} samples"]
        if self.world_size > 1:
            parts.append(f"/ {self.world_size} processes = {self.samples:,} each")
        rounding = "dropping the last short batch" if self.drop_last else "the last one short"
        parts.append(f"/ {self.batch_size} per batch = {self.batches:,} batches ({rounding})")
        if self.grad_accum > 1:
            parts.append(f"/ {self.grad_accum} accumulated = {self.steps:,} optimizer steps")
        return " ".join(parts)


Interval = Literal["step", "epoch"]


def call_count(interval: Interval, frequency: int, *, epochs: int, steps_per_epoch: int) -> int:
    """How many times the loop steps a scheduler with ``interval`` and ``frequency``."""
    if interval == "epoch":
        return epochs // frequency
    return epochs * (steps_per_epoch // frequency)


def calls_before(
    interval: Interval, frequency: int, *, position: int, steps_per_epoch: int
) -> int:
    """How many times the loop has stepped such a scheduler once ``position`` batches are
    done (where a run resumed at step ``position`` picks up)."""
    epoch, batch = divmod(position, steps_per_epoch)
    if interval == "epoch":
        return epoch // frequency
    return epoch * (steps_per_epoch // frequency) + batch // frequency


def call_positions(
    interval: Interval, frequency: int, *, epochs: int, steps_per_epoch: int
) -> Iterator[tuple[int, int]]:
    """The ``(epoch, step)`` of each time the loop steps such a scheduler: ``step`` is the
    batch just done (the last of the epoch, for ``interval: epoch``)."""
    if interval == "epoch":
        for epoch in range(frequency - 1, epochs, frequency):
            yield epoch, epoch * steps_per_epoch + steps_per_epoch - 1
        return
    for epoch in range(epochs):
        for batch in range(frequency - 1, steps_per_epoch, frequency):
            yield epoch, epoch * steps_per_epoch + batch
