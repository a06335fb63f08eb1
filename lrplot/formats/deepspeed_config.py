"""DeepSpeed's ``ds_config.json``, translated into lrplot's config: its ``scheduler`` block run.

DeepSpeed's engine (``DeepSpeedEngine._scheduler_from_config``) builds the block's ``type``
from ``deepspeed.runtime.lr_schedules`` (else from ``torch.optim.lr_scheduler``) with its
``params`` as keyword arguments, over the optimizer of the ``optimizer`` block (``type``,
``params.lr``), and steps it after every optimizer step (see
:mod:`lrplot.schedulers.deepspeed`)::

    {"optimizer": {"type": "AdamW", "params": {"lr": 3e-4}},
     "scheduler": {"type": "WarmupDecayLR",
                   "params": {"total_num_steps": 1000, "warmup_num_steps": 100}}}

becomes ``type: deepspeed.WarmupDecayLR`` with those arguments, over ``total_num_steps``
optimizer steps (one epoch of them). Without ``total_num_steps`` (which WarmupDecayLR and
WarmupCosineLR require: the training script sets it), the run is the data's
(``--dataset-size``, ``--epochs``, ``--world-size``), counted as DeepSpeed's engine
counts it (see :func:`run_steps`), and is the ``total_num_steps`` of a class that needs
one. A value ``"auto"`` is filled in by HF's Trainer when DeepSpeed runs under it; alone,
the file holds none, and an error names the option that gives it. Named by a
TrainingArguments file's ``deepspeed:`` (:func:`read_beside`), the Trainer fills them
(:func:`filled`), and its blocks change the Trainer's run (:func:`under_trainer`). Cheap to
import: no torch, no DeepSpeed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lrplot.config.file import (
    ConfigDocument,
    decode_config_bytes,
    parse_config_text,
    read_below,
)
from lrplot.config.overrides import apply_overrides
from lrplot.config.runlogs import is_hidden
from lrplot.errors import ConfigError, describe_value, excerpt, printable
from lrplot.formats import Read, RunFacts, Translation, validated
from lrplot.limits import MAX_CONFIG_BYTES
from lrplot.schedulers.facts import DEEPSPEED, DEEPSPEED_SCHEDULERS
from lrplot.schedulers.signatures import SIGNATURES

if TYPE_CHECKING:
    from lrplot.config.spec import Spec

T = TypeVar("T")

SIGNS = frozenset({"train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization"})
"""Keys only a DeepSpeed config has (``gradient_accumulation_steps`` is also
TrainingArguments')."""

BLOCK_SIGNS = frozenset({"fp16", "bf16"})
"""Keys a DeepSpeed config has as blocks (``{"enabled": true}``), and TrainingArguments
as booleans: signs only when they are mappings."""

OPTIMIZERS: Mapping[str, str] = {"Adam": "Adam", "AdamW": "AdamW"}
"""The ``optimizer.type`` values whose optimizer is torch's class of that name (any
other, such as ``Lamb`` or ``OneBitAdam``, is plotted with AdamW: the lr is the same)."""

DEFAULT_LR = 0.001
"""The lr of DeepSpeed's Adam (``FusedAdam``, ``DeepSpeedCPUAdam``) when ``params`` gives none."""

AUTO_FROM: Mapping[str, str] = {
    "optimizer.params.lr": "learning_rate",
    "optimizer.params.betas": "adam_beta1 and adam_beta2",
    "scheduler.params.warmup_min_lr": "0",
    "scheduler.params.warmup_max_lr": "learning_rate",
    "scheduler.params.warmup_num_steps": "warmup_steps",
    "scheduler.params.total_num_steps": "num_training_steps, the run's optimizer steps",
    "train_batch_size": "per_device_train_batch_size x gradient_accumulation_steps x world size",
    "train_micro_batch_size_per_gpu": "per_device_train_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
}
"""What HF's Trainer fills each ``"auto"`` lrplot reads from (``HfTrainerDeepSpeedConfig``'s
``trainer_config_process`` and ``trainer_config_finalize``)."""


def _block(data: Mapping[str, Any], name: str) -> bool:
    block = data.get(name)
    return (
        isinstance(block, Mapping) and "type" in block and isinstance(block.get("params"), Mapping)
    )


def is_deepspeed_config(data: object) -> bool:
    """Whether a config's data is a DeepSpeed config: a mapping with a key of
    :data:`SIGNS`, a block of :data:`BLOCK_SIGNS`, or an ``optimizer`` or ``scheduler``
    block of ``type`` and ``params`` (lrplot's take their arguments flat)."""
    if not isinstance(data, Mapping):
        return False
    blocks = any(isinstance(data.get(name), Mapping) for name in BLOCK_SIGNS)
    return (
        bool(set(data) & SIGNS) or blocks or _block(data, "scheduler") or _block(data, "optimizer")
    )


TRAINER_KEY = "deepspeed"
"""The field of HF's TrainingArguments that names a DeepSpeed config: a JSON file's path,
JSON text, or a mapping (``HfDeepSpeedConfig``)."""


@dataclass(frozen=True)
class Fill:
    """A value HF's Trainer writes into the DeepSpeed config it runs
    (``HfTrainerDeepSpeedConfig.fill_match``, transformers/integrations/deepspeed.py): it
    replaces an ``"auto"`` at ``key``; another value there must equal it, or the Trainer
    fails (unless ``must_match`` is false: ``fill_only``); a key the file leaves out stays out."""

    key: str
    value: Any
    hf_key: str
    must_match: bool = True


@dataclass(frozen=True)
class NestedDocument(ConfigDocument):
    """A DeepSpeed config given inside a TrainingArguments file (a mapping, or JSON text, at
    its ``deepspeed`` key): its keys, lines and ``--set`` origins are its own, and errors
    name them under that key, in that file."""

    at: int | None = None
    """The line of the ``deepspeed`` key."""

    def error(self, key: str | None, message: str) -> ConfigError:
        return ConfigError(
            message,
            source=self.source,
            key=f"{TRAINER_KEY}.{key}" if key else TRAINER_KEY,
            line=(self.line(key) if key else None) or self.at,
            origin=self.origin(key) if key else None,
        )


def read_beside(arguments: ConfigDocument, *, base_dir: Path | None) -> ConfigDocument:
    """The DeepSpeed config a TrainingArguments file's ``deepspeed`` names, as HF's
    ``HfDeepSpeedConfig`` reads it (a mapping; JSON text; else a JSON file's path, which
    lrplot reads relative to the TrainingArguments file's folder, ``base_dir``, and only
    inside it): a :class:`NestedDocument`, or the file's own document."""
    value = arguments.data[TRAINER_KEY]
    prefix = TRAINER_KEY + "."
    if isinstance(value, Mapping) or (isinstance(value, str) and value.lstrip().startswith("{")):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as e:
                raise arguments.error(TRAINER_KEY, f"not JSON text of a mapping: {e}") from None
            if not isinstance(value, Mapping):
                raise arguments.error(
                    TRAINER_KEY,
                    f"expected JSON text of a mapping, got {describe_value(value, quote=False)}",
                )
        return NestedDocument(
            data=value,
            source=arguments.source,
            lines=_below(arguments.lines, prefix),
            set_by=_below(arguments.set_by, prefix),
            at=arguments.line(TRAINER_KEY),
        )
    if not isinstance(value, str):
        raise arguments.error(
            TRAINER_KEY,
            "expected the path of a DeepSpeed config (a JSON file), or a mapping of its "
            f"settings, got {describe_value(value)}",
        )
    return _read_file(arguments, value, base_dir or Path.cwd())


def _below(found: Mapping[str, T], prefix: str) -> dict[str, T]:
    """The entries of a key-path map under ``prefix``, their keys without it."""
    return {key.removeprefix(prefix): v for key, v in found.items() if key.startswith(prefix)}


def _read_file(arguments: ConfigDocument, name: str, folder: Path) -> ConfigDocument:
    """The DeepSpeed config file ``name`` inside ``folder``, a TrainingArguments file's."""
    shown = printable(os.path.join(os.path.dirname(arguments.source), name))
    if is_hidden(Path(name), below=folder):
        raise arguments.error(
            TRAINER_KEY,
            f"{printable(name)}: is a hidden file (its name, or a folder's on its way, starts "
            "with a dot); lrplot does not read one",
        )
    try:
        raw = read_below(
            folder,
            name,
            limit=MAX_CONFIG_BYTES + 1,
            outside="is outside the TrainingArguments file's folder; lrplot reads only a "
            "DeepSpeed config beside it or below its folder",
            source="-",
        )
        text = decode_config_bytes(raw, source="-")
    except ConfigError as e:
        raise arguments.error(TRAINER_KEY, f"{printable(name)}: {e.message}") from None
    try:
        data = json.loads(text)  # as HfDeepSpeedConfig reads it: json.load
    except json.JSONDecodeError as e:
        raise arguments.error(
            TRAINER_KEY,
            f"{printable(name)}, line {e.lineno}, column {e.colno}: not JSON (HF's Trainer "
            f"reads it with json.load): {e.msg}",
        ) from None
    if not isinstance(data, Mapping):
        raise arguments.error(
            TRAINER_KEY,
            f"{printable(name)}: expected a mapping of DeepSpeed's settings, got "
            f"{describe_value(data, quote=False)}",
        )
    try:
        lines = parse_config_text(text, source=shown).lines
    except ConfigError:  # JSON that YAML reads otherwise (a key twice): no lines to show
        lines = {}
    return ConfigDocument(data=data, source=shown, lines=lines)


def filled(document: ConfigDocument, fills: tuple[Fill, ...]) -> ConfigDocument:
    """``document``'s DeepSpeed config with HF's Trainer's ``fills`` written in (its
    ``trainer_config_process``, then ``trainer_config_finalize``); ConfigError at the
    first value that mismatches TrainingArguments', which the Trainer refuses."""
    if "zero_optimization" not in document.data:
        raise document.error(
            None,
            "Please specify the ZeRO optimization config in the DeepSpeed config "
            "(accelerate's DeepSpeedPlugin, which HF's Trainer runs DeepSpeed with, refuses "
            'one without zero_optimization: {"stage": 0} is none)',
        )
    data = copy.deepcopy(dict(document.data))
    mismatches: list[tuple[str, str]] = []
    for fill in fills:
        *path, last = fill.key.split(".")
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(node, dict):
            continue
        if node.get(last) == "auto":
            node[last] = fill.value
        elif fill.must_match and node.get(last) is not None and node[last] != fill.value:
            mismatches.append(
                (fill.key, f"ds {fill.key}={node[last]} vs hf {fill.hf_key}={fill.value}")
            )
    if mismatches:
        raise document.error(
            mismatches[0][0],
            "HF's Trainer refuses DeepSpeed config values that mismatch TrainingArguments' "
            f"(trainer_config_finalize): {'; '.join(said for _, said in mismatches)}; set "
            'them to "auto", or to the same values',
        )
    return dataclasses.replace(document, data=data)


@dataclass(frozen=True)
class UnderTrainer:
    """What a DeepSpeed config changes of HF's Trainer's run (``deepspeed_optim_sched``:
    the config's ``optimizer`` block replaces the Trainer's optimizer, its ``scheduler``
    block the Trainer's ``lr_scheduler_type``; without it, the Trainer's own schedule runs)."""

    scheduler: dict[str, Any] | None
    optimizer: dict[str, Any] | None
    names: Mapping[str, str]
    """lrplot's key paths, by the DeepSpeed config's key each comes from."""
    notices: tuple[str, ...]


def under_trainer(document: ConfigDocument, fills: tuple[Fill, ...]) -> UnderTrainer:
    """The ``scheduler`` and ``optimizer`` blocks of a DeepSpeed config HF's Trainer runs,
    its ``"auto"`` values :func:`filled` with ``fills``, as lrplot's config (None for a
    block it has not)."""
    reader = _Reader(document, RunFacts(), trainer_fills=fills)
    names: dict[str, str] = {}
    scheduler = reader.scheduler(names)
    optimizer = reader.optimizer(names) if reader.block("optimizer") is not None else None
    return UnderTrainer(scheduler, optimizer, names, tuple(reader.notices))


BATCH_KEYS = ("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps")


@dataclass(frozen=True)
class DeepSpeedBatches:
    """A DeepSpeed run's optimizer steps, as its engine counts them (DeepSpeed 0.19).

    ``deepspeed_io`` shards the samples with a DistributedSampler (which pads) and batches
    each process's share in ``train_micro_batch_size_per_gpu`` (``dataloader_drop_last``:
    the last short batch dropped); the engine steps the optimizer after every
    ``gradient_accumulation_steps``-th micro-batch, counted over the whole run
    (``micro_steps``, never reset at an epoch)::

        samples = ceil(dataset_size / world_size)
        batches = ceil(samples / micro_batch)            # dropping the last: floor
        steps   = floor(epochs x batches / grad_accum)
    """

    dataset_size: int
    epochs: int
    micro_batch: int
    grad_accum: int
    world_size: int
    drop_last: bool

    @property
    def samples(self) -> int:
        return math.ceil(self.dataset_size / self.world_size)

    @property
    def batches(self) -> int:
        if self.drop_last:
            return self.samples // self.micro_batch
        return math.ceil(self.samples / self.micro_batch)

    @property
    def steps(self) -> int:
        return self.epochs * self.batches // self.grad_accum

    def explain(self) -> str:
        """The arithmetic, in words."""
        parts = [f"{self.dataset_size:,} samples"]
        if self.world_size > 1:
            parts.append(f"/ {self.world_size} processes = {self.samples:,} each")
        parts.append(f"/ {self.micro_batch} per micro-batch = {self.batches:,} batches")
        parts.append(f"x {self.epochs} epoch{'s' * (self.epochs != 1)}")
        if self.grad_accum > 1:
            parts.append(f"/ {self.grad_accum} accumulated (counted over the run)")
        return " ".join(parts) + f" = {self.steps:,} optimizer steps"


class _Reader:
    def __init__(
        self,
        document: ConfigDocument,
        facts: RunFacts,
        *,
        trainer_fills: tuple[Fill, ...] | None = None,
    ) -> None:
        self.document = document
        self.data: Mapping[str, Any] = document.data
        self.facts = facts
        self.trainer_fills = trainer_fills
        """What HF's Trainer filled its ``"auto"`` values with (see :func:`filled`), when
        DeepSpeed runs under it."""
        self.notices: list[str] = []

    def error(self, key: str | None, message: str) -> ConfigError:
        return self.document.error(key, message)

    def block(self, name: str) -> tuple[str, dict[str, Any]] | None:
        """The ``type`` and ``params`` of block ``name``, None if the file has none."""
        block = self.data.get(name)
        if block is None:
            return None
        if not isinstance(block, Mapping):
            raise self.error(
                name, f"expected a mapping of type and params, got {describe_value(block)}"
            )
        kind = block.get("type")
        if not isinstance(kind, str):
            raise self.error(f"{name}.type", f"expected a {name} name, got {describe_value(kind)}")
        params = block.get("params", {})
        if not isinstance(params, Mapping):
            raise self.error(f"{name}.params", f"expected a mapping, got {describe_value(params)}")
        for arg, value in params.items():
            under_trainer = self.trainer_fills is not None
            if value == "auto" and under_trainer and arg != "warmup_type":
                block = f"{name}.params."
                keys = [fill.key for fill in self.trainer_fills or ()]
                fills = [key.removeprefix(block) for key in keys if key.startswith(block)]
                raise self.error(
                    f"{name}.params.{arg}",
                    f'"auto" is not a value HF\'s Trainer fills (it fills {", ".join(fills)}): '
                    'DeepSpeed would get the text "auto"; give a value',
                )
            if value == "auto" and not under_trainer:
                key = f"{name}.params.{arg}"
                source = AUTO_FROM.get(key, "TrainingArguments")
                raise self.error(
                    key,
                    f'"auto" is filled in by HF\'s Trainer (from {source}) when DeepSpeed runs '
                    "under it; a ds_config.json alone holds no value for it: give one with "
                    f"--set {key}=VALUE",
                )
        return kind, dict(params)

    def scheduler(self, names: dict[str, str]) -> dict[str, Any] | None:
        """lrplot's ``scheduler`` of the ``scheduler`` block (None if the file has none):
        DeepSpeed's class of its ``type``, else torch's, with its ``params``."""
        scheduler = self.block("scheduler")
        if scheduler is None:
            return None
        kind, params = scheduler
        # DeepSpeed's engine falls back to torch's classes: lrplot's validation says if not one
        type_name = DEEPSPEED + kind if DEEPSPEED + kind in DEEPSPEED_SCHEDULERS else kind
        # Every argument the class takes, given or not, is named where the block would hold
        # it: a warning of a default DeepSpeed runs names scheduler.params.<arg>.
        taken = [arg for arg, _, _ in SIGNATURES.get(type_name, ((), False))[0]]
        names.update({"scheduler": "scheduler", "scheduler.type": "scheduler.type"})
        names.update({f"scheduler.{arg}": f"scheduler.params.{arg}" for arg in (*taken, *params)})
        return {"type": type_name, **params}

    def translate(self) -> Translation:
        names: dict[str, str] = {}
        scheduler = self.scheduler(names)
        if scheduler is None:
            raise self.error(
                None,
                "this DeepSpeed config has no scheduler block: DeepSpeed then runs the "
                "scheduler its client passes, or none; there is no schedule to plot",
            )
        kind, type_name = self.data["scheduler"]["type"], scheduler["type"]
        params = {arg: value for arg, value in scheduler.items() if arg != "type"}
        config: dict[str, Any] = {"scheduler": scheduler}
        total = params.get("total_num_steps")
        if "total_num_steps" in params:
            if not isinstance(total, int) or isinstance(total, bool) or total < 1:
                raise self.error(
                    "scheduler.params.total_num_steps",
                    f"expected a whole number of steps, got {describe_value(total)}",
                )
            how = f"total_num_steps {total:,} optimizer steps"
        else:
            run = self.run_steps(kind)
            total = run.steps
            how = f"the run's {run.explain()}"
            facts = DEEPSPEED_SCHEDULERS.get(type_name)
            if facts is not None and facts.horizons.get("total_num_steps") == "length":
                config["scheduler"]["total_num_steps"] = total
                names["scheduler.total_num_steps"] = "scheduler.type"
                how += " (its total_num_steps, which the file leaves to the training script)"
        config["epochs"], config["steps_per_epoch"] = 1, total
        names["steps_per_epoch"] = (
            "scheduler.params.total_num_steps" if "total_num_steps" in params else "scheduler.type"
        )
        config["optimizer"] = self.optimizer(names)
        self.notices.append(
            f"{self.document.source}: DeepSpeed's plan: {type_name} stepped after each of {how}"
        )
        return Translation(self.document.renamed(config, names), names)

    def count(self, key: str) -> int | None:
        """A batch setting of the file: a whole number, or None if not set."""
        value = self.data.get(key)
        if value == "auto":
            raise self.error(
                key,
                f'"auto" is filled in by HF\'s Trainer (from {AUTO_FROM[key]}) when DeepSpeed '
                f"runs under it; a ds_config.json alone holds no value for it: give one with "
                f"--set {key}=VALUE",
            )
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise self.error(key, f"expected a whole number, got {describe_value(value)}")
        return value

    def run_steps(self, kind: str) -> DeepSpeedBatches:
        """The run's optimizer steps from the data (``--dataset-size``, ``--epochs``,
        ``--world-size``) and the batch settings as DeepSpeed's config resolves them
        (``DeepSpeedConfig._set_batch_related_parameters``, ``_batch_assertion``)."""
        missing = [
            option
            for option, given in (
                ("--dataset-size N", self.facts.dataset_size),
                ("--epochs N", self.facts.epochs),
            )
            if given is None
        ]
        if missing:
            raise self.error(
                "scheduler.type",
                f"{excerpt(kind)} runs as long as training does, which a ds_config.json does "
                "not say (it has no total_num_steps): give the run with "
                f"{' and '.join(missing)} (and --world-size N for more than one process), "
                "or set scheduler.params.total_num_steps",
            )
        assert self.facts.dataset_size is not None
        assert self.facts.epochs is not None
        world = self.facts.world_size or 1
        train, micro, accum = (self.count(key) for key in BATCH_KEYS)
        if train is not None and micro is not None and accum is None:
            accum = train // micro // world
        elif train is not None and micro is None and accum is not None:
            micro = train // world // accum
        elif train is not None and micro is None:
            accum, micro = 1, train // world
        elif micro is not None and accum is None:
            accum = 1
        elif micro is None:
            raise self.error(
                None,
                "Either train_batch_size or train_micro_batch_size_per_gpu needs to be "
                "provided (DeepSpeed's config): the micro-batch counts the data's batches",
            )
        assert micro is not None
        assert accum is not None
        train = micro * accum * world if train is None else train
        for key, value in zip(BATCH_KEYS, (train, micro, accum), strict=True):
            if value <= 0:
                shown = key if key in self.data else None
                raise self.error(
                    shown,
                    f"{key} is {value} as DeepSpeed's config resolves it (with {world} "
                    "process" + "es" * (world != 1) + "): it has to be greater than 0",
                )
        if train != micro * accum * world:
            raise self.error(
                "train_batch_size",
                "Check batch related parameters. train_batch_size is not equal to "
                "micro_batch_per_gpu * gradient_acc_step * world_size "
                f"{train} != {micro} * {accum} * {world} (DeepSpeed's config; --world-size N "
                "gives the processes)",
            )
        drop_last = self.data.get("dataloader_drop_last", False)
        if not isinstance(drop_last, bool):
            raise self.error(
                "dataloader_drop_last", f"expected true or false, got {describe_value(drop_last)}"
            )
        run = DeepSpeedBatches(
            dataset_size=self.facts.dataset_size,
            epochs=self.facts.epochs,
            micro_batch=micro,
            grad_accum=accum,
            world_size=world,
            drop_last=drop_last,
        )
        if run.steps < 1:
            raise self.error(
                "train_micro_batch_size_per_gpu"
                if "train_micro_batch_size_per_gpu" in self.data
                else "train_batch_size",
                f"the data makes no optimizer step: {run.explain()}",
            )
        return run

    def optimizer(self, names: dict[str, str]) -> dict[str, Any]:
        """The optimizer of the ``optimizer`` block: its class, lr and betas."""
        block = self.block("optimizer")
        if block is None:
            self.notices.append(
                f"{self.document.source}: no optimizer block: DeepSpeed runs its client's "
                f"optimizer; plotted with torch's AdamW, lr {DEFAULT_LR}"
            )
            return {"type": "AdamW", "lr": DEFAULT_LR}
        kind, params = block
        torch_class = OPTIMIZERS.get(kind)
        if torch_class is None:
            self.notices.append(
                f"{self.document.source}: optimizer.type: {kind} is not one of torch's "
                "optimizers; the lr its schedule sets is the same with any: plotted with "
                "torch's AdamW"
            )
        optimizer: dict[str, Any] = {
            "type": torch_class or "AdamW",
            "lr": params.get("lr", DEFAULT_LR),
        }
        if "betas" in params:
            optimizer["betas"] = params["betas"]
        names.update(
            {
                "optimizer": "optimizer",
                "optimizer.type": "optimizer.type",
                "optimizer.lr": "optimizer.params.lr",
                "optimizer.betas": "optimizer.params.betas",
            }
        )
        return optimizer


def load(
    read: Read,
    *,
    facts: RunFacts | None = None,
    overrides: tuple[str, ...] = (),
    resume_at: int | None = None,
) -> tuple[Spec, Translation]:
    """The validated lrplot config of the DeepSpeed config ``read`` (``--set`` applied to
    the file's keys, ``--resume-at`` to the plan), and its translation, whose
    :meth:`~lrplot.formats.Translation.located` names the file's keys in
    errors about it; ``facts`` give the run of a file without ``total_num_steps``."""

    document = apply_overrides(read.document, overrides)
    if not isinstance(document.data, Mapping):
        raise ConfigError(
            f"expected a mapping of DeepSpeed's settings, got "
            f"{describe_value(document.data, quote=False)}",
            source=read.source,
        )
    reader = _Reader(document, facts or RunFacts())
    translation = reader.translate()
    spec = validated(translation, base_dir=read.base_dir, resume_at=resume_at)
    return dataclasses.replace(spec, notices=(*reader.notices, *spec.notices)), translation
