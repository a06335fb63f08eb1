"""What lrplot knows about the schedulers it runs beyond their signatures, in one table.

Signatures, type hints and defaults are read from the installed torch and transformers
(see :mod:`lrplot.schedulers.registry`); this table holds what they do not say, per scheduler type:
what it does, whether it nests schedulers, takes a metric or needs the run's length,
which arguments torch takes per param group (its hints are narrower), which are
expressions, what it cycles, what a plot marks, and arguments to start from. It also
names the schedule functions of HuggingFace transformers a config may name without
``--allow-import`` (keys ``transformers.<function>``). Validation, the JSON schema,
``lrplot list``, plotting and the docs read it; tests check it against torch's and
transformers' source. Cheap to import: no torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Mark = Literal["milestones", "boundaries", "restarts", "peak", "reductions"]
"""Where a plot marks the schedule's changes of regime: each milestone (with its
factor), each boundary between nested schedulers, each warm restart, the peak of a
one-cycle warm-up, each reduction on a plateau."""


Horizon = Literal["period", "warmup", "decay", "length", "interval", "milestones", "restart",
                  "cycle", "anneal", "periods", "cycles", "milestones-early"]  # fmt: skip
"""What an argument counting the scheduler's own steps is, for the warnings of
:mod:`lrplot.checks.mistakes`: a cosine's period (past it, it rises again), a warm-up (it should
end within the run), a decay to zero (past it, the lr is 0), the whole schedule's length
(it should be the run's), a decay interval, milestones, a restart period, a cycle's
half, an annealing (each should fall within the run), a list of restart periods (they should
sum to no more than the run), timm's cycles (``t_initial``, ``cycle_mul`` times longer each,
``cycle_limit`` of them: they should fit the run, neither cut nor ended long before it), timm's
milestones, each reached one count early (``bisect_right(decay_t, t + 1)``)."""


@dataclass(frozen=True)
class SchedulerFacts:
    """Facts about one of torch's scheduler classes."""

    summary: str = ""
    """What it does, in one line (for ``lrplot list``, the docs and captions)."""

    nested: bool = False
    """It takes ``schedulers:``, a list of scheduler mappings, and no optimizer of its own."""

    metric: bool = False
    """Its ``step()`` takes a metric (the config's ``metric:``)."""

    needs_length: bool = False
    """It needs the run's length: ``total_steps``, or its own ``epochs`` and
    ``steps_per_epoch``, of at least the steps plotted."""

    per_group: tuple[str, ...] = ()
    """Arguments torch takes as one value for every param group or as a list with one
    value per group (``_format_param``, or its own list check), whatever its hint says."""

    expressions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Callable arguments given as expression strings, with the variables each may use
    (the first is torch's own name for the value it passes)."""

    cycles_momentum: bool = False
    """It cycles momentum (or Adam's beta1) inversely to the lr, unless told not to."""

    marks: Mark | None = None
    """What a plot marks (see :data:`Mark`)."""

    example: Mapping[str, Any] = field(default_factory=dict)
    """Arguments for a config to start from (those torch requires, and a few that make it
    worth a look)."""

    keywords_of: str | None = None
    """For a function taking ``**kwargs`` it passes on to a class: that class (``module:
    name``), whose signature its arguments are checked against."""

    named_by: str | None = None
    """For a function that makes the schedule its argument of this name names
    (transformers' ``get_scheduler(name=...)``): its traits are that schedule's."""

    refused: str | None = None
    """Why lrplot cannot run it, if it cannot (the rest of a one-line error)."""

    window: tuple[str, str] | None = None
    """``(size, flag)``: with argument ``flag`` true, it keeps a window of up to ``size``
    past values and shifts them all at each step (GreedyLR's ``list.pop(0)``): a step
    costs what the window holds, counted as :mod:`lrplot.simulation.budget` says."""

    horizons: Mapping[str, Horizon] = field(default_factory=dict)
    """Its arguments that count its own steps, and what each is (see :data:`Horizon`)."""

    horizons_in_steps: bool = False
    """Its horizons count optimizer steps by definition, never epochs (transformers'
    ``num_warmup_steps``): one equal to the run's epochs is no sign of a wrong unit."""

    rate: str | None = None
    """Its argument that sets how the lr changes from step to step: a decay's factor
    (``gamma``), or ``lr_lambda``. A warning of an lr that keeps growing names it; many
    decays are judged by where its factor takes the lr."""

    end_sizes: Literal["warmup", "length"] | None = None
    """For an MMEngine class: what its ``end`` sizes, for the warnings of one past the run:
    a warm-up over ``end - begin - 1`` of its steps, or the whole schedule's length
    (``end - begin``); None where ``end`` only stops it (MultiStepLR)."""

    end_sized_unless: str | None = None
    """The argument that, given, sizes it instead of ``end`` (``T_max``, ``total_steps``)."""

    milestones_from_begin: str | None = None
    """For an MMEngine class: its argument of milestones, counted in its own steps from
    ``begin`` and reached only before ``end`` (MultiStepLR's ``milestones``)."""

    window_horizons: Mapping[str, Horizon] = field(default_factory=dict)
    """For an MMEngine class: its arguments that count its own steps from ``begin``, judged
    in its window (``begin`` to ``end`` or the run's end), as :attr:`horizons` are in the
    run (``step_size``, an explicit ``T_max``, ``periods``)."""

    after_warmup: Mapping[str, Horizon] = field(default_factory=dict)
    """For a timm class: its arguments counting ``t`` from 0, or from ``warmup_t`` with
    ``warmup_prefix`` (``_get_lr``'s ``t = t - self.warmup_t``), judged in the steps left
    (``t_initial``'s cycles, ``decay_t``)."""

    timm_steps: bool = False
    """It is stepped as timm's ``train.py`` steps its schedulers: ``step_update`` after
    every optimizer update, ``step(epoch + 1, metric)`` after every epoch (see
    :mod:`lrplot.schedulers.timm`), never by ``interval`` or ``frequency``."""


_NESTED_EXAMPLE = [
    {"type": "LinearLR", "start_factor": 0.1, "total_iters": 10},
    {"type": "ExponentialLR", "gamma": 0.97},
]

SCHEDULERS: Mapping[str, SchedulerFacts] = {
    "LambdaLR": SchedulerFacts(
        summary="lr = initial lr x lr_lambda(epoch)",
        per_group=("lr_lambda",),
        expressions={"lr_lambda": ("epoch",)},
        rate="lr_lambda",
        example={"lr_lambda": "0.95 ** epoch"},
    ),
    "MultiplicativeLR": SchedulerFacts(
        summary="lr = previous lr x lr_lambda(epoch), each epoch",
        per_group=("lr_lambda",),
        expressions={"lr_lambda": ("epoch",)},
        rate="lr_lambda",
        example={"lr_lambda": "0.95"},
    ),
    "StepLR": SchedulerFacts(
        summary="multiply by gamma every step_size epochs",
        horizons={"step_size": "interval"},
        rate="gamma",
        example={"step_size": 30, "gamma": 0.1},
    ),
    "MultiStepLR": SchedulerFacts(
        summary="multiply by gamma at each milestone epoch",
        marks="milestones",
        horizons={"milestones": "milestones"},
        rate="gamma",
        example={"milestones": [30, 80], "gamma": 0.1},
    ),
    "ConstantLR": SchedulerFacts(
        summary="multiply by factor until total_iters, then the initial lr",
        horizons={"total_iters": "warmup"},
        example={"factor": 0.5, "total_iters": 10},
    ),
    "LinearLR": SchedulerFacts(
        summary="from start_factor to end_factor of the initial lr, linearly over total_iters",
        horizons={"total_iters": "warmup"},
        example={"start_factor": 0.1, "total_iters": 10},
    ),
    "ExponentialLR": SchedulerFacts(
        summary="multiply by gamma every epoch", rate="gamma", example={"gamma": 0.95}
    ),
    "PolynomialLR": SchedulerFacts(
        summary="decay to 0 over total_iters as (1 - t / total_iters) ** power",
        horizons={"total_iters": "decay"},
        example={"total_iters": 100, "power": 2.0},
    ),
    "CosineAnnealingLR": SchedulerFacts(
        summary="cosine from the initial lr down to eta_min over T_max epochs; past T_max "
        "it rises and falls again (periodic)",
        horizons={"T_max": "period"},
        example={"T_max": 100},
    ),
    "CosineAnnealingWarmRestarts": SchedulerFacts(
        summary="cosine down to eta_min over T_0 epochs, then restart; each period T_mult "
        "times the last",
        marks="restarts",
        horizons={"T_0": "restart"},
        example={"T_0": 10, "T_mult": 2},
    ),
    "CyclicLR": SchedulerFacts(
        summary="cycle between base_lr and max_lr: triangular, triangular2 (amplitude halves "
        "every cycle), exp_range (scaled by gamma ** step), or scale_fn",
        per_group=("base_lr", "max_lr", "base_momentum", "max_momentum"),
        expressions={"scale_fn": ("x", "epoch")},
        cycles_momentum=True,
        horizons={"step_size_up": "cycle"},
        example={"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 20},
    ),
    "OneCycleLR": SchedulerFacts(
        summary="one warm-up to max_lr over pct_start of total_steps, then anneal (cos or "
        "linear) to max_lr / div_factor / final_div_factor",
        needs_length=True,
        per_group=("max_lr", "base_momentum", "max_momentum"),
        cycles_momentum=True,
        marks="peak",
        horizons={"total_steps": "length"},
        example={"max_lr": 0.1, "total_steps": 100},
    ),
    "ReduceLROnPlateau": SchedulerFacts(
        summary="multiply by factor when the metric has not improved for patience epochs",
        metric=True,
        per_group=("min_lr",),
        marks="reductions",
        example={"factor": 0.5, "patience": 10},
    ),
    "SequentialLR": SchedulerFacts(
        summary="run schedulers one after another, switching at each milestone",
        nested=True,
        marks="boundaries",
        horizons={"milestones": "milestones"},
        example={"schedulers": _NESTED_EXAMPLE, "milestones": [10]},
    ),
    "ChainedScheduler": SchedulerFacts(
        summary="step several schedulers together: their factors multiply",
        nested=True,
        example={"schedulers": _NESTED_EXAMPLE},
    ),
    "SWALR": SchedulerFacts(
        summary="anneal each group's lr to swa_lr over anneal_epochs (cos or linear), then hold",
        per_group=("swa_lr",),
        horizons={"anneal_epochs": "anneal"},
        example={"swa_lr": 0.01, "anneal_epochs": 10},
    ),
}
"""Facts per scheduler class name of torch; a class not listed (a user's own, or one a
newer torch adds) has none of these traits but what its class says (see
:func:`lrplot.config.spec`'s validator)."""

TRANSFORMERS = "transformers."
"""The prefix of the ``type:`` of a transformers schedule function."""

_WARMUP = {"num_warmup_steps": 10, "num_training_steps": 100}
_HF_WARMUP: Mapping[str, Horizon] = {"num_warmup_steps": "warmup"}
_HF_RUN: Mapping[str, Horizon] = {"num_warmup_steps": "warmup", "num_training_steps": "length"}

TRANSFORMERS_SCHEDULES: Mapping[str, SchedulerFacts] = {
    TRANSFORMERS + name: replace(facts, horizons_in_steps=True)
    for name, facts in {
        "get_constant_schedule": SchedulerFacts(summary="the optimizer's lr, constant"),
        "get_constant_schedule_with_warmup": SchedulerFacts(
            summary="linear warm-up from 0 over num_warmup_steps, then constant",
            marks="peak",
            horizons=_HF_WARMUP,
            example={"num_warmup_steps": 10},
        ),
        "get_linear_schedule_with_warmup": SchedulerFacts(
            summary="linear warm-up from 0 over num_warmup_steps, then linear decay to 0 "
            "at num_training_steps",
            marks="peak",
            horizons=_HF_RUN,
            example=_WARMUP,
        ),
        "get_cosine_schedule_with_warmup": SchedulerFacts(
            summary="linear warm-up, then cosine decay to 0 at num_training_steps "
            "(num_cycles 0.5: half a cosine wave)",
            marks="peak",
            horizons=_HF_RUN,
            example=_WARMUP,
        ),
        "get_cosine_with_hard_restarts_schedule_with_warmup": SchedulerFacts(
            summary="linear warm-up, then num_cycles cosine decays to 0, each restarting "
            "at the full lr",
            marks="peak",
            horizons=_HF_RUN,
            example={**_WARMUP, "num_cycles": 3},
        ),
        "get_polynomial_decay_schedule_with_warmup": SchedulerFacts(
            summary="linear warm-up, then polynomial decay (power) to lr_end at "
            "num_training_steps",
            marks="peak",
            horizons=_HF_RUN,
            example={**_WARMUP, "lr_end": 1e-4, "power": 2.0},
        ),
        "get_inverse_sqrt_schedule": SchedulerFacts(
            summary="linear warm-up, then decay as 1 / sqrt((step + shift) / timescale)",
            marks="peak",
            horizons=_HF_WARMUP,
            example={"num_warmup_steps": 10},
        ),
        "get_cosine_with_min_lr_schedule_with_warmup": SchedulerFacts(
            summary="linear warm-up, then cosine decay to min_lr (or min_lr_rate x the lr)",
            marks="peak",
            horizons=_HF_RUN,
            example={**_WARMUP, "min_lr_rate": 0.1},
        ),
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate": SchedulerFacts(
            summary="as get_cosine_with_min_lr_schedule_with_warmup, the warm-up starting "
            "at warmup_lr_rate x the lr",
            marks="peak",
            horizons=_HF_RUN,
            example={**_WARMUP, "min_lr_rate": 0.1, "warmup_lr_rate": 0.01},
        ),
        "get_wsd_schedule": SchedulerFacts(
            summary="warm-up, stable, decay: a warm-up over num_warmup_steps, the lr held, "
            "then a decay over num_decay_steps to min_lr_ratio x the lr",
            marks="peak",
            horizons=_HF_WARMUP,
            example={"num_warmup_steps": 10, "num_decay_steps": 20, "num_training_steps": 100},
        ),
        "get_reduce_on_plateau_schedule": SchedulerFacts(
            summary="ReduceLROnPlateau (its arguments are ReduceLROnPlateau's)",
            metric=True,
            marks="reductions",
            keywords_of="torch.optim.lr_scheduler:ReduceLROnPlateau",
            example={"factor": 0.5, "patience": 10},
        ),
        "get_greedy_schedule": SchedulerFacts(
            summary="GreedyLR: the lr divided by factor while the metric keeps improving, "
            "multiplied by it on a plateau (its arguments are GreedyLR's)",
            metric=True,
            keywords_of="transformers.optimization:GreedyLR",
            example={"factor": 0.9, "patience": 5},
            window=("window_size", "smooth"),
        ),
        "get_scheduler": SchedulerFacts(
            summary="any of these by its TrainingArguments.lr_scheduler_type name (name:), "
            "with num_warmup_steps, num_training_steps and scheduler_specific_kwargs",
            named_by="name",
            example={"name": "cosine", **_WARMUP},
        ),
        "get_adafactor_schedule": SchedulerFacts(
            refused="it is a proxy that reports the lr Adafactor computes for itself from "
            "gradients and its step count; lrplot makes no gradients, so there is no "
            "schedule to plot (a logged run's lr can be compared: lrplot compare)",
        ),
    }.items()
}
"""Facts per transformers schedule function (``transformers.<function>``): the ones a
config may name without ``--allow-import``, each run through transformers' own code
(whose ``num_*_steps`` count optimizer steps)."""


DEEPSPEED = "deepspeed."
"""The prefix of the ``type:`` of a DeepSpeed scheduler class."""

_DS_WARMUP: Mapping[str, Horizon] = {"warmup_num_steps": "warmup"}
_DS_RUN: Mapping[str, Horizon] = {"warmup_num_steps": "warmup", "total_num_steps": "length"}

DEEPSPEED_SCHEDULERS: Mapping[str, SchedulerFacts] = {
    DEEPSPEED + name: replace(facts, horizons_in_steps=True)
    for name, facts in {
        "WarmupLR": SchedulerFacts(
            summary="warm-up from warmup_min_lr to warmup_max_lr (default: the optimizer's "
            "lr) over warmup_num_steps, log (the default) or linear, then held",
            per_group=("warmup_min_lr", "warmup_max_lr"),
            marks="peak",
            horizons=_DS_WARMUP,
            example={"warmup_max_lr": 0.001, "warmup_num_steps": 20, "warmup_type": "linear"},
        ),
        "WarmupDecayLR": SchedulerFacts(
            summary="WarmupLR's warm-up, then a linear decay to 0 at total_num_steps",
            per_group=("warmup_min_lr", "warmup_max_lr"),
            marks="peak",
            horizons=_DS_RUN,
            example={"total_num_steps": 100, "warmup_max_lr": 0.001, "warmup_num_steps": 10},
        ),
        "WarmupCosineLR": SchedulerFacts(
            summary="warm-up from warmup_min_ratio x the optimizer's lr to it over "
            "warmup_num_steps (log or linear), then a cosine to cos_min_ratio x it at "
            "total_num_steps, then held",
            marks="peak",
            horizons=_DS_RUN,
            example={"total_num_steps": 100, "warmup_num_steps": 10, "warmup_type": "linear"},
        ),
        "OneCycle": SchedulerFacts(
            summary="one cycle from cycle_min_lr up to cycle_max_lr over cycle_first_step_size "
            "and back over cycle_second_step_size (stairs if *_stair_count), then lr / (1 + "
            "decay_lr_rate x steps / decay_step_size); momentum (beta1) the other way",
            per_group=("cycle_min_lr", "cycle_max_lr", "cycle_min_mom", "cycle_max_mom"),
            cycles_momentum=True,
            marks="peak",
            horizons={"cycle_first_step_size": "warmup"},
            example={
                "cycle_min_lr": 0.0001,
                "cycle_max_lr": 0.001,
                "cycle_first_step_size": 40,
                "decay_step_size": 10,
                "decay_lr_rate": 0.01,
            },
        ),
        "LRRangeTest": SchedulerFacts(
            summary="lr range test: lr_range_test_min_lr x (1 + lr_range_test_step_rate x "
            "steps / lr_range_test_step_size), continuous or staircase",
            per_group=("lr_range_test_min_lr",),
            rate="lr_range_test_step_rate",
            example={"lr_range_test_min_lr": 0.0001, "lr_range_test_step_size": 10},
        ),
    }.items()
}
"""Facts per DeepSpeed scheduler class (``deepspeed.<Class>``, of
``deepspeed.runtime.lr_schedules``): the ones a config may name without ``--allow-import``,
each run through DeepSpeed's own code (stepped as its engine does: see
:mod:`lrplot.schedulers.deepspeed`; its horizons count optimizer steps)."""


MMENGINE = "mmengine."
"""The prefix of the ``type:`` of an MMEngine lr scheduler class."""

MMENGINE_SCHEDULERS: Mapping[str, SchedulerFacts] = {
    MMENGINE + name: facts
    for name, facts in {
        "LinearLR": SchedulerFacts(
            summary="from start_factor to end_factor of the lr, linearly over end - begin - 1 "
            "of its steps",
            end_sizes="warmup",
            example={"start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 500},
        ),
        "ConstantLR": SchedulerFacts(
            summary="multiply by factor until end - begin - 1 of its steps, then the lr",
            end_sizes="warmup",
            example={"factor": 0.5, "begin": 0, "end": 5},
        ),
        "CosineAnnealingLR": SchedulerFacts(
            summary="cosine from the lr down to eta_min (or eta_min_ratio x it) over T_max "
            "(default end - begin) of its steps",
            end_sizes="length",
            end_sized_unless="T_max",
            window_horizons={"T_max": "period"},
            example={"T_max": 100, "begin": 0, "end": 100},
        ),
        "ExponentialLR": SchedulerFacts(
            summary="multiply by gamma every step", example={"gamma": 0.95}
        ),
        "MultiStepLR": SchedulerFacts(
            summary="multiply by gamma at each milestone (counted from begin)",
            milestones_from_begin="milestones",
            example={"milestones": [8, 11], "gamma": 0.1},
        ),
        "StepLR": SchedulerFacts(
            summary="multiply by gamma every step_size of its steps",
            window_horizons={"step_size": "interval"},
            example={"step_size": 30, "gamma": 0.1},
        ),
        "PolyLR": SchedulerFacts(
            summary="polynomial decay (power) to eta_min over end - begin - 1 of its steps",
            end_sizes="length",
            example={"eta_min": 0.0001, "power": 0.9, "by_epoch": False},
        ),
        "OneCycleLR": SchedulerFacts(
            summary="one warm-up to eta_max over pct_start of total_steps (default end - "
            "begin), then anneal (cos or linear) to eta_max / div_factor / final_div_factor",
            end_sizes="length",
            end_sized_unless="total_steps",
            window_horizons={"total_steps": "length"},
            per_group=("eta_max",),
            example={"eta_max": 0.1, "total_steps": 100, "by_epoch": False},
        ),
        "CosineRestartLR": SchedulerFacts(
            summary="cosine down to eta_min over each of periods, restarting at "
            "restart_weights x the lr",
            window_horizons={"periods": "periods"},
            example={"periods": [30, 30], "restart_weights": [1, 0.5], "eta_min": 0.0},
        ),
        "ReduceOnPlateauLR": SchedulerFacts(
            summary="multiply by factor when the metric (monitor) has not improved for "
            "patience epochs, fed after each epoch's validation",
            metric=True,
            per_group=("min_value",),
            example={"monitor": "loss", "factor": 0.5, "patience": 2},
        ),
    }.items()
}
"""Facts per MMEngine lr scheduler class (``mmengine.<Class>``, of
``mmengine.optim.scheduler``): the ones a config may name without ``--allow-import``, each
run through MMEngine's own code and stepped as its runner steps its ``param_scheduler``
list (see :mod:`lrplot.schedulers.mmengine`)."""
TIMM = "timm."
"""The prefix of the ``type:`` of a timm scheduler class."""

_TIMM_WARMUP: Mapping[str, Horizon] = {"warmup_t": "warmup"}
_TIMM_CYCLES: Mapping[str, Horizon] = {"t_initial": "cycles"}

TIMM_SCHEDULERS: Mapping[str, SchedulerFacts] = {
    TIMM + name: replace(facts, timm_steps=True)
    for name, facts in {
        "CosineLRScheduler": SchedulerFacts(
            summary="linear warm-up from warmup_lr_init over warmup_t, then a cosine to lr_min "
            "over t_initial; cycle_limit cycles, each cycle_mul times longer and cycle_decay "
            "times lower (k_decay bends it)",
            marks="peak",
            horizons=_TIMM_WARMUP,
            after_warmup=_TIMM_CYCLES,
            example={"t_initial": 100, "warmup_t": 5, "warmup_lr_init": 1e-6, "lr_min": 1e-5},
        ),
        "TanhLRScheduler": SchedulerFacts(
            summary="warm-up, then a tanh decay from lb to ub over t_initial to lr_min, with "
            "CosineLRScheduler's cycles",
            marks="peak",
            horizons=_TIMM_WARMUP,
            after_warmup=_TIMM_CYCLES,
            example={"t_initial": 100, "warmup_t": 5, "warmup_lr_init": 1e-6},
        ),
        "StepLRScheduler": SchedulerFacts(
            summary="warm-up, then multiply by decay_rate every decay_t",
            rate="decay_rate",
            horizons=_TIMM_WARMUP,
            after_warmup={"decay_t": "interval"},
            example={"decay_t": 30, "decay_rate": 0.1},
        ),
        "MultiStepLRScheduler": SchedulerFacts(
            summary="warm-up, then multiply by decay_rate at each decay_t milestone (one count "
            "early: it compares with t + 1)",
            rate="decay_rate",
            horizons=_TIMM_WARMUP,
            after_warmup={"decay_t": "milestones-early"},
            example={"decay_t": [30, 60], "decay_rate": 0.1},
        ),
        "PlateauLRScheduler": SchedulerFacts(
            summary="warm-up, then multiply by decay_rate when the eval metric has not "
            "improved for patience_t epochs (torch's ReduceLROnPlateau, mode max by default)",
            metric=True,
            marks="reductions",
            horizons=_TIMM_WARMUP,
            example={"decay_rate": 0.5, "patience_t": 5, "mode": "min"},
        ),
        "PolyLRScheduler": SchedulerFacts(
            summary="warm-up, then (1 - t / t_initial) ** power down to lr_min, with "
            "CosineLRScheduler's cycles",
            marks="peak",
            horizons=_TIMM_WARMUP,
            after_warmup=_TIMM_CYCLES,
            example={"t_initial": 100, "power": 2.0, "warmup_t": 5},
        ),
        "create_scheduler_v2": SchedulerFacts(
            summary="timm's factory, as train.py calls it: sched (cosine, tanh, step, "
            "multistep, plateau, poly, wsd, rsqrt, constant) with num_epochs, warmup_epochs, "
            "cooldown_epochs, ... in epochs (updates with step_on_epochs false and "
            "updates_per_epoch)",
            keywords_of="timm.scheduler:create_scheduler_v2",
            example={"sched": "cosine", "num_epochs": 100, "warmup_epochs": 5},
        ),
    }.items()
}
"""Facts per timm scheduler class (``timm.<Class>``, of ``timm.scheduler``): the ones a
config may name without ``--allow-import``, each run through timm's own code (stepped as
timm's ``train.py`` steps it: see :mod:`lrplot.schedulers.timm`; its horizons count epochs,
or updates with ``t_in_epochs: false``)."""


NO_FACTS = SchedulerFacts()

ARGUMENT_WORDS: Mapping[str, tuple[str, ...]] = {
    "lr": ("learning rate",),
    "betas": ("beta parameter", "betas", "beta1", "beta2"),
    "eps": ("epsilon",),
    "weight_decay": ("weight decay",),
    "etas": ("eta values",),
    "d": ("clipping threshold d",),
    "nesterov": ("nesterov momentum",),
    "start_factor": ("starting multiplicative factor",),
    "end_factor": ("ending multiplicative factor",),
    "factor": ("constant multiplicative factor",),
}
"""How torch's (and MMEngine's) messages name an argument, besides its own name: ``Invalid
learning rate: -1`` is about ``lr``."""


def scheduler_facts(name: str) -> SchedulerFacts:
    """The facts of torch's scheduler class, the transformers function, the DeepSpeed,
    MMEngine or timm class ``name`` (none for others)."""
    return (
        SCHEDULERS.get(name)
        or TRANSFORMERS_SCHEDULES.get(name)
        or DEEPSPEED_SCHEDULERS.get(name)
        or MMENGINE_SCHEDULERS.get(name)
        or TIMM_SCHEDULERS.get(name, NO_FACTS)
    )
