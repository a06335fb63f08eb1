"""The warnings' codes, and what each warns of: what a config's ``silence:`` may name.

:mod:`lrplot.checks.mistakes` finds the mistakes; this table is apart so that the config's keys
(:mod:`lrplot.config.keys`) can name the codes without importing what finds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Code = Literal[
    "horizon-unit",
    "horizon-long",
    "horizon-ratio",
    "cosine-rises",
    "lr-at-zero",
    "schedule-cut-short",
    "decays-often",
    "restarts-often",
    "cycle-never-peaks",
    "cycles-often",
    "never-stepped",
    "plateau-per-batch",
    "plateau-mode",
    "metric-never-improves",
    "lr-grows",
    "negative-lr",
    "resume-changes",
    "warmup-unit",
    "constant-warmup",
    "kwargs-dropped",
    "warmup-ratio-ignored",
    "epochs-adjusted",
    "onecycle-per-epoch",
    "plateau-unvalidated",
    "ds-replaces",
]

CODES: Mapping[Code, str] = {
    "horizon-unit": "a horizon (or an lr_lambda) written in epochs for a scheduler stepped "
    "every batch",
    "horizon-long": "a horizon past the end of the steps its scheduler is given (a warm-up "
    "that never ends, a milestone never reached, a decay that never happens)",
    "horizon-ratio": "a share of the run written where a count of steps goes (transformers' "
    "num_warmup_steps: 0.06)",
    "cosine-rises": "CosineAnnealingLR's T_max shorter than its steps: the lr rises again",
    "lr-at-zero": "a decay to zero that ends early: the lr is 0 (or timm's lr_min) for much "
    "of the run",
    "schedule-cut-short": "a schedule sized for more steps than it is given, cut mid-way",
    "decays-often": "a StepLR interval so short that the lr decays dozens of times, to less "
    "than a millionth of its start",
    "restarts-often": "warm restarts so short that the schedule restarts hundreds of times",
    "cycle-never-peaks": "a CyclicLR half-cycle longer than its steps: max_lr is never reached",
    "cycles-often": "CyclicLR cycles so short that the lr oscillates hundreds of times",
    "never-stepped": "a frequency (or every) the training loop never reaches: the scheduler is "
    "never stepped",
    "plateau-per-batch": "ReduceLROnPlateau stepped every batch (or every few): patience counts "
    "those steps",
    "plateau-mode": "ReduceLROnPlateau's mode against its metric (min on one that rises, max "
    "on one that falls, from its first value on)",
    "metric-never-improves": "a metric that never improves on its first value",
    "lr-grows": "an lr that keeps growing to the end, many times its start (but a range "
    "test's sweep)",
    "negative-lr": "an lr below zero",
    "resume-changes": "a resume from a checkpoint that changes the schedule",
    "warmup-unit": "a TrainingArguments warm-up whose float counts steps where a share looks "
    "meant (transformers 5's warmup_steps: 1.0 is one step; warmup_ratio: 5 is five)",
    "constant-warmup": "lr_scheduler_type: constant with a warm-up, which get_scheduler drops",
    "kwargs-dropped": "lr_scheduler_kwargs for a schedule get_scheduler builds without them "
    "(constant, constant_with_warmup)",
    "warmup-ratio-ignored": "a transformers 4.x TrainingArguments file with both warmup_steps "
    "and warmup_ratio above 0: warmup_steps wins, the ratio is ignored",
    "epochs-adjusted": "a timm args.yaml whose epochs differ from the count create_scheduler_v2 "
    "returns, which train.py trains for (cycles, cooldown_epochs, a prefixed warm-up added)",
    "onecycle-per-epoch": "a LightningCLI OneCycleLR whose total_steps (or epochs x "
    "steps_per_epoch) counts optimizer steps, while LightningCLI steps it once per epoch",
    "plateau-unvalidated": "a LightningCLI ReduceLROnPlateau with check_val_every_n_epoch "
    "above 1: stepped after every epoch, its monitor is missing after an epoch without "
    "validation if only validation logs it, and Lightning raises",
    "ds-replaces": "a TrainingArguments lr_scheduler_type (not the default), "
    "lr_scheduler_kwargs or warm-up that a ds_config's scheduler block replaces without a word "
    '(the Trainer runs the block, filling only its "auto" values)',
}
"""Every warning's code, with what it warns of."""
