"""HF transformers' TrainingArguments files, translated into lrplot's config: the Trainer's plan.

A file (YAML or JSON, as ``HfArgumentParser.parse_yaml_file`` / ``parse_json_file``
read them: YAML through PyYAML's ``safe_load``, where ``2e-5`` is text) becomes the
config of the run transformers' ``Trainer`` would make of it::

    steps per epoch    = the Trainer's count of the data (lrplot.config.loop.Batches)
    num_training_steps = max_steps if max_steps > 0      # set_initial_training_values
                         else ceil(num_train_epochs x steps per epoch)
    num_warmup_steps   = args.get_warmup_steps(num_training_steps)   # by release
    scheduler          = get_scheduler(lr_scheduler_type, optimizer, num_warmup_steps,
                                       num_training_steps, lr_scheduler_kwargs)
    optimizer          = the class of `optim`, lr = learning_rate, two param groups:
                         decay (weight_decay) and no_decay (0.0), as create_optimizer makes

The schedule is then lrplot's usual ``type: transformers.get_scheduler``, run through
transformers' own function. This is the one module that reads transformers'
``TrainingArguments`` (its fields, never an instance: constructing one reads files and the
environment), imported only for a file in this format; no Trainer is imported.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrplot.config.file import ConfigDocument, parse_config_text
from lrplot.config.loop import Batches, LoopName
from lrplot.config.overrides import apply_overrides
from lrplot.config.spec import DeepSpeedScheduler, NativeRead
from lrplot.errors import ConfigError, UsageError, describe_value, excerpt
from lrplot.formats import Read, RunFacts, Translation, validated
from lrplot.formats.deepspeed_config import (
    TRAINER_KEY,
    Fill,
    NestedDocument,
    filled,
    read_beside,
    under_trainer,
)
from lrplot.schedulers.facts import DEEPSPEED, DEEPSPEED_SCHEDULERS
from lrplot.schedulers.registry import INSTALL_TRANSFORMERS, did_you_mean
from lrplot.schedulers.releases import (
    HF_CEIL_SINCE,
    WARMUP_RATIO_GONE_SINCE,
    WARMUP_RATIO_IN_STEPS_SINCE,
    Release,
    installed_transformers,
    release_of,
)

if TYPE_CHECKING:
    from lrplot.config.spec import Spec

SIGNS = frozenset(
    {
        "output_dir",
        "learning_rate",
        "lr_scheduler_type",
        "lr_scheduler_kwargs",
        "warmup_steps",
        "warmup_ratio",
        "num_train_epochs",
        "max_steps",
        "per_device_train_batch_size",
        "gradient_accumulation_steps",
        "optim",
    }
)
"""Keys that mark a file as TrainingArguments (with no ``scheduler:`` of lrplot's)."""

_LRPLOT_SIGNS = ("scheduler", "schedulers")

SCRIPT_SIGNS = frozenset(
    {"model_name_or_path", "task_name", "dataset_name", "train_file", "max_seq_length"}
)
"""Keys of the ``run_*.py`` examples' own dataclasses (ModelArguments,
DataTrainingArguments), which parse a file beside TrainingArguments."""

TORCH_OPTIMIZERS: Mapping[str, str] = {
    "adamw_torch": "AdamW",
    "adamw_torch_fused": "AdamW",
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
}
"""The ``optim`` values whose optimizer is torch's own class (trainer_optimizer.py's
handlers); the Adam ones are also given ``betas`` and ``eps``."""

STEPPED_ON_METRICS = ("reduce_lr_on_plateau", "greedy")
"""Schedules the Trainer steps with each evaluation's metric, not each optimizer step."""

UNMODELLED: Mapping[str, str] = {
    "accelerator_config": "its split_batches or even_batches change how batches are shared",
    "parallelism_config": "its tensor, context or sequence parallel sizes change the data "
    "parallel processes",
    "auto_find_batch_size": "the Trainer halves the batch size when it runs out of memory",
    "optim_args": "they set the optimizer's other arguments, not its lr",
}
"""Keys that can change the run that lrplot does not read, and how: a notice names each
one a file sets; the plan is that of the defaults."""

GROUPS = ("decay", "no_decay")
"""The Trainer's two param groups (create_optimizer): with ``weight_decay``, and without."""


def is_training_arguments(data: object) -> bool:
    """Whether a config's data is a TrainingArguments file: a mapping with a key of
    :data:`SIGNS` and no ``scheduler:``/``schedulers:``."""
    if not isinstance(data, Mapping):
        return False
    names = set(data)
    return bool(names & SIGNS) and not names & set(_LRPLOT_SIGNS)


@dataclass(frozen=True)
class Rules:
    """The Trainer's rules of one transformers release (where they changed)."""

    version: str
    release: Release
    installed: bool

    @property
    def who(self) -> str:
        return f"transformers {self.version}"

    @property
    def ratio_key(self) -> bool:
        """It has ``warmup_ratio``."""
        return self.release < WARMUP_RATIO_GONE_SINCE

    @property
    def warmup_shares(self) -> bool:
        """``warmup_steps`` below 1 is a share of the run (and ``warmup_ratio`` replaces it)."""
        return self.release >= WARMUP_RATIO_IN_STEPS_SINCE

    @property
    def loop(self) -> LoopName:
        if self.installed:
            return "transformers"
        return "transformers>=4.52" if self.release >= HF_CEIL_SINCE else "transformers<4.52"


def check_version(version: str) -> Release:
    """The release a ``--transformers-version`` names; UsageError if it names none."""
    named = release_of(version)
    if named is None or named < (4, 0):
        raise UsageError(
            f"{excerpt(version)}: expected a transformers version number from 4.0 on, such "
            "as 4.57 or 5.10.4"
        )
    return named


def rules_of(version: str | None, *, source: str | None = None) -> Rules:
    """The rules of transformers ``version`` (None: the installed one's); UsageError for a
    version number that is not one, ConfigError (about ``source``) when none is installed."""
    installed = installed_transformers()
    if installed is None:
        raise ConfigError(
            "a TrainingArguments file is planned with transformers' own schedules, and "
            f"transformers is not installed: {INSTALL_TRANSFORMERS}",
            source=source,
        )
    if version is None:
        release = release_of(installed)
        assert release is not None, installed
        return Rules(installed, release, installed=True)
    named = check_version(version)
    same = release_of(installed) == named
    return Rules(installed if same else version, named, installed=same)


@dataclass(frozen=True)
class _Fields:
    """What lrplot reads of the installed TrainingArguments."""

    names: frozenset[str]
    defaults: Mapping[str, Any]
    types: Mapping[str, Any]
    schedules: tuple[str, ...]
    optimizers: tuple[str, ...]


@functools.cache
def _fields() -> _Fields:
    """The installed ``TrainingArguments``' fields and defaults, ``SchedulerType``'s and
    ``OptimizerNames``' values (imports ``transformers.training_args``, not the Trainer)."""
    from lrplot.schedulers.registry import import_torch
    from lrplot.signals import interrupts_deferred

    import_torch()
    with interrupts_deferred():
        from transformers import training_args
        from transformers.trainer_utils import SchedulerType

    fields = [f for f in dataclasses.fields(training_args.TrainingArguments) if f.init]
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    return _Fields(
        names=frozenset(f.name for f in fields),
        defaults=defaults,
        types={f.name: f.type for f in fields},
        schedules=tuple(kind.value for kind in SchedulerType),
        optimizers=tuple(name.value for name in training_args.OptimizerNames),
    )


def _convert_str_dict(mapping: dict[str, Any]) -> dict[str, Any]:
    """``lr_scheduler_kwargs`` given as JSON text, converted as TrainingArguments does."""
    from transformers import training_args

    converted: dict[str, Any] = training_args._convert_str_dict(mapping)
    return converted


class _Reader:
    """Reads one TrainingArguments document as the installed (or named) transformers."""

    def __init__(
        self,
        document: ConfigDocument,
        facts: RunFacts,
        rules: Rules,
        *,
        json: bool,
        base_dir: Path | None = None,
    ) -> None:
        self.document = document
        self.base_dir = base_dir
        self.document_kind = "JSON" if json else "YAML"
        self.data: Mapping[str, Any] = document.data
        self.facts = facts
        self.rules = rules
        self.fields = _fields()
        self.notices: list[str] = []
        self.native: NativeRead | None = None
        self.ratio_ignored: tuple[float, int] | None = None

    def error(self, key: str | None, message: str) -> ConfigError:
        return self.document.error(key, message)

    def given(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if key == "warmup_ratio":
            return 0.0 if not self.rules.warmup_shares else None
        return self.fields.defaults.get(key)

    def check_keys(self) -> None:
        """HfArgumentParser's ``parse_dict``: every key a field of TrainingArguments."""
        known = set(self.fields.names)
        if self.rules.ratio_key:
            known.add("warmup_ratio")
        else:
            known.discard("warmup_ratio")
        unused = [name for name in self.data if name not in known]
        if not unused:
            return
        script = sorted(set(self.data) & SCRIPT_SIGNS)
        if script:  # a run_*.py's file: its own dataclasses read those keys
            self.notices.append(
                f"{self.document.source}: {unused[0]}: not read: {sorted(unused)} are no "
                f"fields of TrainingArguments; a run_*.py's own dataclasses (ModelArguments, "
                f"DataTrainingArguments, as its {script[0]} says) read them, and "
                "HfArgumentParser fails on any no dataclass of the script has"
            )
            return
        first = unused[0]
        hint = did_you_mean(first, sorted(known))
        if first == "warmup_ratio":
            hint = (
                f" ({self.rules.who} has no warmup_ratio: since 5.15, warmup_steps below 1 "
                "is the share of the run, warmup_steps: 0.1)"
            )
        raise self.error(
            first,
            f"Some keys are not used by the HfArgumentParser: {sorted(unused)}{hint}; "
            f"HfArgumentParser(TrainingArguments) of {self.rules.who} fails on them",
        )

    def number(self, key: str, *, whole: bool = False, low: float | None = None) -> Any:
        """The value of ``key``: a number (whole, at least ``low``) as the Trainer needs."""
        value = self.given(key)
        if isinstance(value, str) and _reads_as_number(value):
            raise self.error(key, _text_number(value, self.document_kind))
        if isinstance(value, bool) or not isinstance(value, int | float):
            wanted = "a whole number" if whole else "a number"
            raise self.error(key, f"expected {wanted}, got {describe_value(value)}")
        if whole and not isinstance(value, int):
            raise self.error(key, f"expected a whole number, got {value!r}")
        if low is not None and value < low:
            raise self.error(
                key, f"{value!r} is below {low:g}; the Trainer needs at least {low:g}"
            )
        if not math.isfinite(value):
            raise self.error(key, f"expected a finite number, got {value!r}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], kind: str) -> str:
        """The value of ``key``, one of ``choices`` (transformers' ``kind`` enum)."""
        value = self.given(key)
        if not isinstance(value, str) or value not in choices:
            shown = value if isinstance(value, str) else describe_value(value)
            raise self.error(
                key,
                f"{excerpt(shown)} is not a valid {kind}{did_you_mean(str(value), list(choices))}"
                f", please select one of {list(choices)}",
            )
        return value

    def flag(self, key: str) -> bool:
        value = self.given(key)
        if not isinstance(value, bool):
            raise self.error(
                key,
                f"expected true or false, got {describe_value(value)} (torch's DataLoader: "
                "drop_last should be a boolean value)",
            )
        return value

    def kwargs(self) -> dict[str, Any]:
        """``lr_scheduler_kwargs``: a mapping, or JSON text of one (as TrainingArguments
        reads it from a command line)."""
        key = "lr_scheduler_kwargs"
        value = self.given(key)
        if value is None:
            return {}
        if isinstance(value, str) and value.startswith("{"):
            try:
                loaded = json.loads(value)
            except ValueError as e:
                raise self.error(key, f"not JSON text of a mapping: {e}") from None
            if isinstance(loaded, dict):
                return _convert_str_dict(loaded)
        if not isinstance(value, Mapping):
            raise self.error(
                key,
                f"expected a mapping of the schedule's arguments, got {describe_value(value)}",
            )
        return dict(value)

    def warmup_steps(self, training_steps: int) -> tuple[Any, str, str]:
        """``get_warmup_steps(num_training_steps)``, the key it comes from, and how."""
        steps = self.given("warmup_steps")
        if isinstance(steps, str):
            raise self.error(
                "warmup_steps",
                f"{describe_value(steps)}: HfArgumentParser keeps it, and TrainingArguments "
                "fails on it ('<' not supported between instances of 'str' and 'int')"
                + _dot_hint(steps, self.document_kind),
            )
        steps = self.number("warmup_steps", low=0)
        ratio_key = "warmup_ratio" in self.data
        if not self.rules.warmup_shares:
            ratio = self.number("warmup_ratio") if ratio_key else 0.0
            if not 0 <= ratio <= 1:
                raise self.error("warmup_ratio", "warmup_ratio must lie in range [0,1]")
            if not isinstance(steps, int):
                raise self.error(
                    "warmup_steps",
                    f"warmup_steps must be of type int and must be 0 or a positive integer "
                    f"({self.rules.who}: a share of the run is warmup_ratio)",
                )
            if steps > 0:
                if ratio > 0:  # TrainingArguments logs it only at info level
                    self.ratio_ignored = (ratio, training_steps)
                return steps, "warmup_steps", f"warmup_steps {steps}"
            warmup = math.ceil(training_steps * ratio)
            return warmup, "warmup_ratio", f"ceil({training_steps:,} x warmup_ratio {ratio!r})"
        key = "warmup_steps"
        if ratio_key and self.data["warmup_ratio"] is not None:
            key, steps = "warmup_ratio", self.number("warmup_ratio", low=0)
        if steps == 0:
            return 0, key, f"{key} {steps!r}"
        if steps >= 1:
            return int(steps), key, f"{key} {steps!r}" + (" (whole steps)" * (steps != int(steps)))
        warmup = math.ceil(training_steps * steps)
        return warmup, key, f"ceil({training_steps:,} x {key} {steps!r}, a share below 1)"

    def batches(self) -> Batches | None:
        """The Trainer's count of the data, if the data set's size is given."""
        if self.facts.dataset_size is None:
            return None
        return Batches(
            dataset_size=self.facts.dataset_size,
            batch_size=self.number("per_device_train_batch_size", whole=True, low=1),
            world_size=self.facts.world_size or 1,
            grad_accum=self.number("gradient_accumulation_steps", whole=True, low=1),
            drop_last=self.flag("dataloader_drop_last"),
            loop=self.rules.loop,
        )

    def translate(self) -> Translation:
        self.check_keys()
        schedule = self.choice("lr_scheduler_type", self.fields.schedules, "SchedulerType")
        if schedule in STEPPED_ON_METRICS:
            raise self.error(
                "lr_scheduler_type",
                f"{schedule} is stepped with each evaluation's metric, which a "
                "TrainingArguments file is not planned with yet: write an lrplot config "
                "(configs/transformers/get_reduce_on_plateau_schedule.yaml, `every: "
                "eval_steps`)",
            )
        optim = self.choice("optim", self.fields.optimizers, "OptimizerNames")
        lr = self.number("learning_rate")
        decay = self.number("weight_decay")
        betas = [self.number("adam_beta1"), self.number("adam_beta2")]
        eps = self.number("adam_epsilon")
        max_steps = self.number("max_steps", whole=True)
        epochs = self.number("num_train_epochs")
        self.number("per_device_train_batch_size", whole=True, low=1)
        self.number("gradient_accumulation_steps", whole=True, low=1)
        self.flag("dataloader_drop_last")
        kwargs = self.kwargs()
        batches = self.batches()
        for key, how in UNMODELLED.items():
            if self.data.get(key) not in (None, False, ""):
                self.notices.append(
                    f"{self.document.source}: {key}: not read: {how}; planned as without it"
                )
        if max_steps > 0:
            total, how = max_steps, f"max_steps {max_steps:,}"
        elif batches is None and self.facts.logged_steps is not None:
            total = self.facts.logged_steps
            how = f"max_steps {total:,} of {self.facts.logged_from}"
        elif batches is None:
            raise self.error(
                "num_train_epochs" if "num_train_epochs" in self.data else None,
                "the Trainer counts optimizer steps from the data set's size, which "
                "TrainingArguments do not hold: give it with --dataset-size N (the training "
                "samples, after tokenising), or set max_steps (or compare it with its run's "
                "trainer_state.json)",
            )
        else:
            if batches.steps < 1:
                raise self.error(
                    "per_device_train_batch_size",
                    f"the data makes no optimizer step per epoch: {batches.explain()}",
                )
            total = math.ceil(epochs * batches.steps)
            how = f"ceil(num_train_epochs {epochs!r} x {batches.steps:,})"
        if total < 1:
            raise self.error(
                "num_train_epochs" if max_steps <= 0 else "max_steps",
                f"the Trainer makes no optimizer step: {how} = {total:,}",
            )
        warmup, warmup_key, warmup_how = self.warmup_steps(total)
        self.native = NativeRead(
            who=self.rules.who,
            warmup_shares=self.rules.warmup_shares,
            schedule=schedule,
            warmup_key=warmup_key,
            warmup_value=self.given(warmup_key),
            warmup=warmup,
            kwargs=tuple(map(str, kwargs or ())),
            ratio_ignored=self.ratio_ignored,
            lines={key: line for key, line in self.document.lines.items() if "." not in key},
            set_by=dict(self.document.set_by),
        )
        names: dict[str, str] = {}
        config: dict[str, Any] = {}
        per_epoch = batches.steps if batches is not None else total
        stop = None
        if batches is not None:
            # The Trainer runs ceil(total / per epoch) epochs and stops within the last
            # when max_steps (or a fractional num_train_epochs) ends it there.
            config["epochs"] = math.ceil(total / per_epoch)
            stop = total if total % per_epoch else None
            config["steps_per_epoch"] = {
                "dataset_size": batches.dataset_size,
                "batch_size": batches.batch_size,
                "world_size": batches.world_size,
                "grad_accum": batches.grad_accum,
                "drop_last": batches.drop_last,
                "loop": batches.loop,
            }
        else:
            config["epochs"], config["steps_per_epoch"] = 1, total
        names["epochs"] = "num_train_epochs" if max_steps <= 0 else "max_steps"
        names["steps_per_epoch"] = "per_device_train_batch_size"
        names["steps_per_epoch.batch_size"] = "per_device_train_batch_size"
        names["steps_per_epoch.grad_accum"] = "gradient_accumulation_steps"
        names["steps_per_epoch.drop_last"] = "dataloader_drop_last"
        config["optimizer"] = self.optimizer(optim, lr, decay, betas, eps, names)
        scheduler: dict[str, Any] = {
            "type": "transformers.get_scheduler",
            "name": schedule,
            "num_warmup_steps": warmup,
            "num_training_steps": total,
        }
        if kwargs:
            scheduler["scheduler_specific_kwargs"] = kwargs
        config["scheduler"] = scheduler
        names.update(
            {
                "scheduler": "lr_scheduler_type",
                "scheduler.name": "lr_scheduler_type",
                "scheduler.num_warmup_steps": warmup_key,
                "scheduler.num_training_steps": names["epochs"],
                "scheduler.scheduler_specific_kwargs": "lr_scheduler_kwargs",
            }
        )
        runs = f"get_scheduler({schedule!r})"
        beside = None
        if self.data.get(TRAINER_KEY):  # HF's TrainingArguments: `if self.deepspeed:`
            runs, beside = self.deepspeed(config, names, total, warmup, runs)
        self.notices.append(
            f"{self.document.source}: the Trainer's plan ({self.rules.who}'s rules): "
            + "; ".join(
                [
                    *_per_epoch(batches, given_world=self.facts.world_size is not None),
                    f"num_training_steps = {how} = {total:,}",
                    f"num_warmup_steps = {warmup_how} = {warmup:,}",
                    runs,
                ]
            )
        )
        return Translation(self.translated(config, names), names, beside=beside, stop=stop)

    def deepspeed(
        self, config: dict[str, Any], names: dict[str, str], total: int, warmup: int, runs: str
    ) -> tuple[str, tuple[str, ConfigDocument] | None]:
        """The run under the DeepSpeed config ``deepspeed`` names, its ``"auto"`` values
        filled as the Trainer fills them: its scheduler (and optimizer) blocks replace the
        Trainer's in ``config``. Returns what runs, in words, and the config's own file."""
        found = read_beside(self.document, base_dir=self.base_dir)
        fills = self.deepspeed_fills(total, warmup)
        under = under_trainer(filled(found, fills), fills)
        self.notices.extend(under.notices)
        replaced = [part for part in ("optimizer", "scheduler") if under.names.get(part)]
        for part in replaced:
            for ours in [ours for ours in names if ours.split(".")[0] == part]:
                del names[ours]
        names.update({ours: f"{TRAINER_KEY}.{theirs}" for ours, theirs in under.names.items()})
        if under.optimizer is not None:
            config["optimizer"] = under.optimizer
        shown = f"the {TRAINER_KEY} config" if isinstance(found, NestedDocument) else found.source
        if under.scheduler is None:
            runs += f" ({shown} has no scheduler block: the Trainer's own runs)"
        else:
            config["scheduler"] = under.scheduler
            if self.native is not None:
                self.native = dataclasses.replace(
                    self.native, deepspeed=self.deepspeed_scheduler(found, shown)
                )
            runs = (
                f"{shown}'s scheduler block replaces lr_scheduler_type: "
                f"{under.scheduler['type']}, {_ds_filled(found, total, warmup)}, stepped "
                "after each optimizer step"
            )
        own = None if isinstance(found, NestedDocument) else found
        return runs, (TRAINER_KEY, own) if own is not None else None

    def deepspeed_scheduler(self, found: ConfigDocument, shown: str) -> DeepSpeedScheduler:
        """The ds_config's scheduler block as written, for the warnings of what it replaces."""
        block = found.data["scheduler"]
        params = block.get("params")
        kind = str(block.get("type"))
        facts = DEEPSPEED_SCHEDULERS.get(DEEPSPEED + kind)
        default = self.fields.defaults.get("lr_scheduler_type")
        schedule = self.data.get("lr_scheduler_type")
        return DeepSpeedScheduler(
            shown=shown,
            type=kind,
            warmup=params.get("warmup_num_steps") if isinstance(params, Mapping) else None,
            takes_warmup=facts is not None and "warmup_num_steps" in facts.horizons,
            schedule_given=schedule is not None
            and str(schedule) != str(getattr(default, "value", default)),
        )

    def deepspeed_fills(self, total: int, warmup: int) -> tuple[Fill, ...]:
        """What the Trainer writes into its DeepSpeed config, in its order
        (``HfTrainerDeepSpeedConfig.trainer_config_process``, then
        ``trainer_config_finalize`` with ``num_training_steps``)."""
        per_device = self.given("per_device_train_batch_size")
        accum = self.given("gradient_accumulation_steps")
        world = self.facts.world_size or 1
        lr = self.given("learning_rate")
        return (
            Fill("train_micro_batch_size_per_gpu", per_device, "per_device_train_batch_size"),
            Fill("gradient_accumulation_steps", accum, "gradient_accumulation_steps"),
            Fill("train_batch_size", world * per_device * accum, "train_batch_size (calculated)"),
            Fill("gradient_clipping", self.given("max_grad_norm"), "max_grad_norm"),
            Fill("optimizer.params.lr", lr, "learning_rate"),
            Fill(
                "optimizer.params.betas",
                [self.given("adam_beta1"), self.given("adam_beta2")],
                "adam_beta1+adam_beta2",
            ),
            Fill("optimizer.params.eps", self.given("adam_epsilon"), "adam_epsilon"),
            Fill("optimizer.params.weight_decay", self.given("weight_decay"), "weight_decay"),
            Fill("scheduler.params.warmup_min_lr", 0, "", must_match=False),
            Fill("scheduler.params.warmup_max_lr", lr, "learning_rate"),
            Fill(
                "fp16.enabled",
                self.given("fp16") or self.given("fp16_full_eval"),
                "fp16|fp16_full_eval",
            ),
            Fill(
                "bf16.enabled",
                self.given("bf16") or self.given("bf16_full_eval"),
                "bf16|bf16_full_eval",
            ),
            Fill("scheduler.params.total_num_steps", total, "num_training_steps (calculated)"),
            Fill("scheduler.params.warmup_num_steps", max(1, warmup), "warmup_steps"),
        )

    def optimizer(
        self,
        optim: str,
        lr: Any,
        decay: Any,
        betas: list[Any],
        eps: Any,
        names: dict[str, str],
    ) -> dict[str, Any]:
        """The optimizer create_optimizer builds: ``optim``'s class over two param groups."""
        kind = TORCH_OPTIMIZERS.get(optim)
        if kind is None:
            self.notices.append(
                f"{self.document.source}: optim: {optim} is not one of torch's optimizers; "
                "the lr its schedule sets is the same with any: plotted with torch's AdamW"
            )
        optimizer: dict[str, Any] = {"type": kind or "AdamW", "lr": lr}
        if kind is None or kind == "AdamW":
            optimizer.update({"betas": betas, "eps": eps})
        if optim == "adamw_torch_fused":
            optimizer["fused"] = True
        optimizer["param_groups"] = [
            {"name": GROUPS[0], "weight_decay": decay},
            {"name": GROUPS[1], "weight_decay": 0.0},
        ]
        names.update(
            {
                "optimizer": "optim",
                "optimizer.type": "optim",
                "optimizer.fused": "optim",
                "optimizer.lr": "learning_rate",
                "optimizer.betas": "adam_beta1",
                "optimizer.betas[1]": "adam_beta2",
                "optimizer.eps": "adam_epsilon",
                "optimizer.param_groups": "weight_decay",
            }
        )
        return optimizer

    def translated(self, config: dict[str, Any], names: Mapping[str, str]) -> ConfigDocument:
        """``config`` as a document whose lines and ``--set`` origins are the file's."""
        document = self.document.renamed(config, names)
        for key, line in self.document.lines.items():
            if key.startswith("lr_scheduler_kwargs."):
                document.lines[
                    "scheduler.scheduler_specific_kwargs" + key[len("lr_scheduler_kwargs") :]
                ] = line
        return document


def translate(
    read: Read, *, facts: RunFacts, overrides: tuple[str, ...] = ()
) -> tuple[Translation, tuple[str, ...]]:
    """The lrplot config of the TrainingArguments file ``read``, and the notices of
    reading it (the Trainer's arithmetic first)."""
    if read.json:
        document = read.document
    else:
        document = parse_config_text(read.text, source=read.source, yaml_1_1=True)
    document = apply_overrides(document, overrides)
    if not isinstance(document.data, Mapping):
        raise ConfigError(
            f"expected a mapping of TrainingArguments' fields, got "
            f"{describe_value(document.data, quote=False)}",
            source=read.source,
        )
    rules = rules_of(facts.transformers_version, source=read.source)
    read_notices: tuple[str, ...] = ()
    if read.file_format == "trl":
        from lrplot.formats.trl_config import as_training_arguments

        document, read_notices = as_training_arguments(document, _fields().types)
    reader = _Reader(document, facts, rules, json=read.json, base_dir=read.base_dir)
    translation = reader.translate()
    translation = dataclasses.replace(translation, native=reader.native)
    return translation, read_notices + tuple(reader.notices)


def load(
    read: Read,
    *,
    facts: RunFacts,
    overrides: tuple[str, ...] = (),
    resume_at: int | None = None,
) -> tuple[Spec, Translation]:
    """The validated lrplot config of the TrainingArguments file ``read`` (``--set``
    applied to the file's keys, ``--resume-at`` to the plan), and its translation, whose
    :meth:`~Translation.located` names the file's keys in errors about it."""
    translation, notices = translate(read, facts=facts, overrides=overrides)
    spec = validated(translation, base_dir=read.base_dir, resume_at=resume_at)
    spec = dataclasses.replace(spec, notices=notices + spec.notices, native=translation.native)
    return spec, translation


def _per_epoch(batches: Batches | None, *, given_world: bool) -> list[str]:
    """The Trainer's count of an epoch's optimizer steps, in words (none without data)."""
    if batches is None:
        return []
    said = batches.explain()
    if batches.grad_accum == 1:
        said += f" = {batches.steps:,} optimizer steps"
    said += " per epoch"
    if not given_world:
        said += " (1 process: --world-size N for more)"
    return [said]


_NUMBER = re.compile(r"[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?")


def _reads_as_number(text: str) -> bool:
    return _NUMBER.fullmatch(text.strip()) is not None


def _text_number(text: str, kind: str) -> str:
    return (
        f"{excerpt(text)} is text, not a number, for HfArgumentParser, which keeps it so, "
        "and the Trainer fails on it" + _dot_hint(text, kind)
    )


def _dot_hint(text: str, kind: str) -> str:
    """How to write ``text`` as a number ``kind`` reads (PyYAML's YAML 1.1 needs a dot,
    and a sign on the exponent)."""
    import yaml

    if not _reads_as_number(text):
        return ""
    if kind == "JSON" or isinstance(yaml.safe_load(text.strip()), int | float):
        return ": write it without quotes"
    mantissa, _, exponent = text.strip().lower().partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent and exponent[0] not in "+-":
        exponent = "+" + exponent
    written = mantissa + (f"e{exponent}" if exponent else "")
    return (
        ": PyYAML (YAML 1.1) reads a number only with a dot and a signed exponent: "
        f"write {written}"
    )


def _ds_filled(found: ConfigDocument, total: int, warmup: int) -> str:
    """What the Trainer fills in a ds_config's scheduler block, in words: only its
    ``"auto"`` values (``fill_match``); a count the block leaves out stays DeepSpeed's default."""
    params = found.data["scheduler"].get("params")
    params = params if isinstance(params, Mapping) else {}
    facts = DEEPSPEED_SCHEDULERS.get(DEEPSPEED + str(found.data["scheduler"].get("type")))
    fills = {
        "total_num_steps": f"{total:,}",
        "warmup_num_steps": f"max(1, {warmup:,})",
        "warmup_max_lr": "learning_rate",
        "warmup_min_lr": "0",
    }
    auto = [f"{key} = {value}" for key, value in fills.items() if params.get(key) == "auto"]
    left = [
        key for key in fills if key not in params and facts is not None and key in facts.horizons
    ]
    said = (
        f'its "auto" values filled as the Trainer fills them ({", ".join(auto)})'
        if auto
        else 'it has no "auto" values: the Trainer fills nothing'
    )
    if left:
        many = len(left) > 1
        said += (
            f"; {' and '.join(left)} {'are' if many else 'is'} not in the block: nothing "
            f"filled, DeepSpeed's default runs"
        )
    return said
