"""The mistakes in a native file (TrainingArguments, a TRL recipe, timm's args.yaml) run silently.

Judged from what the file said (:class:`~lrplot.config.spec.NativeRead`), in its own keys:
a warm-up written as steps where a share was meant or the reverse, a 4.x ``warmup_ratio``
that ``warmup_steps`` overrides (training_args.py's get_warmup_steps), a warm-up
``constant`` ignores, and ``lr_scheduler_kwargs`` that ``get_scheduler`` drops (``constant``
and ``constant_with_warmup`` take none: transformers' optimization.get_scheduler), a timm
``args.yaml`` trained for more (or fewer) epochs than its ``epochs`` says, and a LightningCLI
OneCycleLR whose length counts optimizer steps while LightningCLI steps it once per epoch,
a LightningCLI ReduceLROnPlateau validated only every few epochs; beside a ds_config with a
scheduler block, the settings that block replaces without a word.
Arguments the schedule's function does not take are no warning: the Trainer fails on them,
and so does lrplot. Cheap to import: no torch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lrplot.checks.mistakes import Mistake

if TYPE_CHECKING:
    from lrplot.config.spec import NativeRead

TAKE_NO_KWARGS = ("constant", "constant_with_warmup")
"""The schedules ``get_scheduler`` builds without ``scheduler_specific_kwargs``."""


def native_mistakes(read: NativeRead) -> list[Mistake]:
    """Every likely mistake in what a native file said, in a fixed order."""
    if read.deepspeed is not None:
        # get_scheduler never runs; the Trainer's warm-up counts only where it fills it.
        warmup_used = read.deepspeed.warmup is not None
        return [
            *(_warmup_units(read) if warmup_used else []),
            *(_ratio_ignored(read) if warmup_used else []),
            *_replaced(read),
        ]
    return [
        *_warmup_units(read),
        *_ratio_ignored(read),
        *_dropped(read),
        *_adjusted(read),
        *_per_epoch_cycle(read),
        *_unvalidated(read),
    ]


def native_warnings(read: NativeRead, source: str) -> tuple[str, ...]:
    """The ``Warning:`` lines of a native file's mistakes (``file: key: message (line N)
    [code]``), the file's keys and lines named."""
    lines = []
    for mistake in native_mistakes(read):
        line, origin = read.lines.get(mistake.key), read.set_by.get(mistake.key)
        where = f" (from {origin})" if origin else (f" (line {line})" if line else "")
        lines.append(f"{source}: {mistake.key}: {mistake.message}{where} [{mistake.code}]")
    return tuple(lines)


def _steps(count: int) -> str:
    return f"{count:,} warm-up step{'s' * (count != 1)}"


def _warmup_units(read: NativeRead) -> list[Mistake]:
    key, value = read.warmup_key, read.warmup_value
    if not read.warmup_shares or isinstance(value, bool) or not isinstance(value, int | float):
        return []
    if value < 1:
        return []
    if key == "warmup_ratio":
        said = (
            f"{value!r} is {_steps(read.warmup)} for {read.who}, which counts a warmup_ratio "
            "of 1 or more as steps, not a share of the run: steps are warmup_steps, a share "
            "is below 1"
        )
    elif isinstance(value, int) or (value != 1 and value.is_integer()):
        return []  # whole steps, as written
    elif value == 1:
        said = (
            f"1.0 is {_steps(read.warmup)} for {read.who}, not the whole run: a float of 1 or "
            "more counts steps, a share of the run is below 1"
        )
    else:
        said = (
            f"{value!r} is {_steps(read.warmup)} for {read.who} (int() of it): a float of 1 "
            "or more counts whole steps, a share of the run is below 1"
        )
    return [Mistake("warmup-unit", key, said)]


def _ratio_ignored(read: NativeRead) -> list[Mistake]:
    if read.ratio_ignored is None:
        return []
    ratio, total = read.ratio_ignored
    said = (
        f"{ratio!r} is ignored: {read.who}'s get_warmup_steps takes warmup_steps "
        f"{read.warmup:,} when it is above 0, so the warm-up is {read.warmup:,} "
        f"step{'s' * (read.warmup != 1)}, not ceil({total:,} x {ratio!r}) = "
        f"{math.ceil(total * ratio):,}; set only one of them"
    )
    return [Mistake("warmup-ratio-ignored", "warmup_ratio", said)]


def _dropped(read: NativeRead) -> list[Mistake]:
    found = []
    if read.schedule == "constant" and read.warmup:
        found.append(
            Mistake(
                "constant-warmup",
                read.warmup_key,
                f"get_scheduler('constant') drops the warm-up ({_steps(read.warmup)}): the lr "
                "is learning_rate from step 0; constant_with_warmup warms up",
            )
        )
    if read.schedule in TAKE_NO_KWARGS and read.kwargs:
        found.append(
            Mistake(
                "kwargs-dropped",
                "lr_scheduler_kwargs",
                f"get_scheduler({read.schedule!r}) drops them ({', '.join(read.kwargs)}): its "
                "schedule takes none",
            )
        )
    return found


def _replaced(read: NativeRead) -> list[Mistake]:
    """What a ds_config's scheduler block silently replaces: transformers'
    ``deepspeed_optim_sched`` runs the block instead of ``create_scheduler``, and
    ``trainer_config_finalize`` fills its ``warmup_num_steps`` only where it is ``"auto"``
    (refusing one that differs, as lrplot does)."""
    ds = read.deepspeed
    assert ds is not None
    block = f"{ds.shown}'s scheduler block replaces the Trainer's schedule"
    found = []
    if ds.schedule_given:
        found.append(
            Mistake(
                "ds-replaces",
                "lr_scheduler_type",
                f"{read.schedule} is not run: {block} (transformers' deepspeed_optim_sched), "
                f"so DeepSpeed's {ds.type} runs, not get_scheduler({read.schedule!r})",
            )
        )
    if read.kwargs:
        found.append(
            Mistake(
                "ds-replaces",
                "lr_scheduler_kwargs",
                f"not used ({', '.join(read.kwargs)}): {block}, so DeepSpeed's {ds.type} runs "
                "without them",
            )
        )
    if read.warmup and ds.warmup is None:
        given = f"{read.warmup_value!r} ({_steps(read.warmup)}) is not used: {block}"
        if ds.takes_warmup:
            said = (
                f"{given}, and the Trainer fills its warmup_num_steps only where the block "
                f'gives it as "auto": {ds.type} warms up over its default warmup_num_steps; '
                'warmup_num_steps: "auto" takes the Trainer\'s'
            )
        else:
            said = f"{given}, and DeepSpeed's {ds.type} takes no warmup_num_steps"
        found.append(Mistake("ds-replaces", read.warmup_key, said))
    return found


def _adjusted(read: NativeRead) -> list[Mistake]:
    if read.planned_epochs is None:
        return []
    given, planned, added = read.planned_epochs
    if given == planned:
        return []
    return [
        Mistake(
            "epochs-adjusted",
            "epochs",
            f"epochs is {given:,}, but timm's create_scheduler_v2 returns {planned:,} ({added}), "
            f"and train.py trains for those: {planned:,} epochs plotted",
        )
    ]


def _per_epoch_cycle(read: NativeRead) -> list[Mistake]:
    if read.per_epoch_cycle is None:
        return []
    key, length, calls, steps = read.per_epoch_cycle
    if calls >= steps or length < steps:
        return []  # one step an epoch, or a length in epochs
    return [
        Mistake(
            "onecycle-per-epoch",
            key,
            f"OneCycleLR's length {length:,} counts the run's {steps:,} optimizer steps, but "
            f"LightningCLI steps it once per epoch, {calls:,} times (LightningCLI."
            "configure_optimizers: interval epoch, which no key changes): its cycle is cut "
            f"at {calls / length:.0%}; total_steps: {calls:,} fits the epochs, or a "
            "configure_optimizers of the model's own with interval: step steps it per batch",
        )
    ]


def _unvalidated(read: NativeRead) -> list[Mistake]:
    # loops/training_epoch_loop.py: validation after epoch e when (e + 1) % N == 0, the
    # plateau stepped after every epoch (_update_learning_rates; LightningCLI's is strict)
    if read.unvalidated is None:
        return []
    key, monitor, every = read.unvalidated
    return [
        Mistake(
            "plateau-unvalidated",
            key,
            f"{every}: validation runs every {every} epochs, but LightningCLI steps "
            f"ReduceLROnPlateau after every epoch, fed its monitor {monitor!r}: if only "
            f"validation logs {monitor}, Lightning raises MisconfigurationException at the end "
            f"of epoch 1 (ReduceLROnPlateau conditioned on metric {monitor} which is not "
            "available: loops/training_epoch_loop.py, _update_learning_rates); planned as "
            "logged every epoch (as a training_step's self.log does)",
        )
    ]
