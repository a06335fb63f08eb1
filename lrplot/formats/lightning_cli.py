"""A LightningCLI ``config.yaml`` (read, or saved beside each run) as lrplot's config.

LightningCLI (lightning/pytorch/cli.py) builds ``optimizer:`` and ``lr_scheduler:`` from their
``class_path`` and ``init_args`` (jsonargparse resolving a name without a dot among torch's
classes; a bare ``ReduceLROnPlateau`` is Lightning's own, which takes ``monitor``), and its
``configure_optimizers`` returns ``[optimizer], [lr_scheduler]``, which the Trainer steps once
per epoch (``interval: epoch``, ``frequency: 1``), or ``{"scheduler": ..., "monitor": ...}``
for ReduceLROnPlateau, stepped per epoch with the monitored metric. The Trainer's keys:

- ``max_epochs`` and ``max_steps`` (loops/utilities.py, ``_parse_loop_limits``): neither set,
  1000 epochs; only ``max_steps``, epochs without limit; ``max_steps`` stops the run after that
  many optimizer steps, within an epoch too (``TrainingEpochLoop.done``);
- ``limit_train_batches`` (trainer/connectors/data_connector.py, ``_parse_num_batches``): an
  int keeps ``min(batches, n)``, a float ``int(batches x f)``;
- ``accumulate_grad_batches``: an optimizer step after every n-th batch and the epoch's last
  (``ceil(batches / n)`` steps per epoch);
- ``devices`` x ``num_nodes``: the processes a DistributedSampler shards the samples over.

The batches per epoch come from ``--steps-per-epoch``, or ``--dataset-size`` with ``data:``'s
``batch_size``; without them, one step is plotted per epoch where that plots the same lrs.
Cheap to import: no torch.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lrplot.config.file import ConfigDocument
from lrplot.config.keys import SCHEDULE
from lrplot.config.loop import Batches
from lrplot.config.overrides import apply_overrides
from lrplot.config.spec import NativeRead
from lrplot.errors import ConfigError, describe_value
from lrplot.formats import Read, RunFacts, Translation, validated

if TYPE_CHECKING:
    from lrplot.config.spec import Spec
    from lrplot.schedulers.registry import Signature

ALSO = frozenset({"optimizer", "lr_scheduler", "model", "data", "seed_everything", "ckpt_path"})
"""Top-level keys of LightningCLI's, one of which a config has beside ``trainer:``."""

TRAINER_DEFAULTS: Mapping[str, Any] = {
    "max_epochs": None,
    "max_steps": -1,
    "accumulate_grad_batches": 1,
    "limit_train_batches": None,
    "devices": "auto",
    "num_nodes": 1,
    "check_val_every_n_epoch": 1,
}
"""``Trainer.__init__``'s defaults of the keys lrplot reads."""

DEFAULT_EPOCHS = 1000
"""The epochs Lightning trains when neither ``max_epochs`` nor ``max_steps`` is set."""

LIGHTNING_PLATEAU = frozenset(
    {"lightning.pytorch.cli.ReduceLROnPlateau", "pytorch_lightning.cli.ReduceLROnPlateau"}
)
"""Lightning's own ReduceLROnPlateau (torch's, with a ``monitor``), by its full names."""

TORCH_PLATEAU = "torch.optim.lr_scheduler.ReduceLROnPlateau"

UNREAD: Mapping[str, str] = {
    "overfit_batches": "it trains on that many batches instead of the data",
    "max_time": "it stops the run after that long",
    "strategy": "a strategy may accumulate gradients its own way",
}
"""Trainer keys that change the run in ways lrplot does not plan from the file."""

WHERE = "lightning/pytorch/cli.py, LightningCLI.configure_optimizers"

SUBCOMMANDS = ("fit", "validate", "test", "predict")
"""LightningCLI's subcommands (``LightningCLI.subcommands``), whose blocks a config given
before the subcommand holds."""

PER_EPOCH = (
    "one step plotted per epoch (--steps-per-epoch N, or --dataset-size N with data: "
    "batch_size, plots its optimizer steps)"
)
"""The plan's words for a run planned without its batches per epoch."""


def is_lightning_cli(data: object) -> bool:
    """Whether a config's data is a LightningCLI config: a mapping with a ``trainer:``
    mapping and one of :data:`ALSO`, and no ``scheduler:`` or ``schedulers:`` of lrplot's;
    or the subcommands' config, a ``fit:`` mapping with ``trainer:`` or one of :data:`ALSO`."""
    if not isinstance(data, Mapping) or "scheduler" in data or "schedulers" in data:
        return False
    fit = data.get("fit")
    if isinstance(fit, Mapping) and "scheduler" not in fit and "schedulers" not in fit:
        return bool(set(fit) & {*ALSO, "trainer"})
    return isinstance(data.get("trainer"), Mapping) and bool(set(data) & ALSO)


@dataclasses.dataclass(frozen=True)
class _Class:
    """A class_path block, as lrplot's config names it."""

    type_name: str
    """lrplot's ``type:`` (torch's class name, or ``module:Class``)."""
    args: dict[str, Any]
    monitor: str | None
    """A ReduceLROnPlateau's ``monitor`` (Lightning's class); None for others."""
    shown: str
    """The class as jsonargparse resolves it (``torch.optim.lr_scheduler.StepLR``)."""
    type_key: str
    """The file's key that named the class."""
    arg_keys: dict[str, str]
    """The file's key of each argument."""


class _Reader:
    def __init__(
        self, document: ConfigDocument, facts: RunFacts, resume_at: int | None = None
    ) -> None:
        self.document = document
        self.resume_at = resume_at
        self.prefix = ""
        """The key the config's keys are under in the file (``fit.``), if any."""
        self.notices: list[str] = []
        self.unvalidated: tuple[str, str, int] | None = None
        self.data: Mapping[str, Any] = self.subcommand(document.data)
        self.facts = facts
        trainer = self.data.get("trainer")
        self.trainer: Mapping[str, Any] = trainer if isinstance(trainer, Mapping) else {}

    def subcommand(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """The config ``fit`` runs: the file's, or its ``fit:`` block when the file holds
        the subcommands' (a ``--config`` given before the subcommand, ``python main.py
        --config config.yaml fit``), as jsonargparse reads one: the other subcommands' blocks
        are not read by ``fit``, and no other key is accepted beside them."""
        if "fit" not in data and not set(data) & set(SUBCOMMANDS) - {"fit"}:
            return data
        if not isinstance(data.get("fit"), Mapping):
            raise self.document.error(
                "fit" if "fit" in data else None,
                f"expected fit: a mapping of the config LightningCLI's fit runs, got "
                f"{describe_value(data.get('fit'))}",
            )
        for key in data:
            if key in ("fit", "metric"):
                continue
            if key not in SUBCOMMANDS:
                raise self.document.error(
                    str(key),
                    f"Option '{key}' is not accepted before subcommand 'fit' (jsonargparse: "
                    "beside the subcommands' blocks, LightningCLI takes none): write it under "
                    f"fit: ({'fit.' + str(key)})",
                )
            self.notice(
                str(key), "not read: only fit trains (LightningCLI's fit reads its own block)"
            )
        self.prefix = "fit."
        inner = dict(data["fit"])
        if "metric" in data:  # lrplot's own key (--set metric=...), beside the subcommands
            inner["metric"] = data["metric"]
        return inner

    def error(self, key: str | None, message: str) -> ConfigError:
        return self.document.error(self.prefix + key if key else self.prefix[:-1] or None, message)

    def notice(self, key: str | None, text: str) -> None:
        """A notice about the file's ``key`` (None: the plan), named as in the file."""
        about = "" if key is None else f"{self.prefix}{key}: "
        self.notices.append(f"{self.document.source}: {about}{text}")

    def value(self, key: str) -> Any:
        return self.trainer.get(key, TRAINER_DEFAULTS.get(key))

    def whole(self, key: str, *, low: int) -> int:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(
                f"trainer.{key}", f"expected a whole number, got {describe_value(value)}"
            )
        if value < low:
            raise self.error(
                f"trainer.{key}", f"expected a whole number of at least {low}, got {value}"
            )
        return value

    # the classes

    def block(self, key: str) -> tuple[str, dict[str, Any], str, dict[str, str]]:
        """A class block's class_path, init_args, and the keys of both in the file."""
        value = self.data.get(key)
        if isinstance(value, str):
            return value, {}, key, {}
        if not isinstance(value, Mapping):
            raise self.error(
                key,
                f"expected a class name or class_path and init_args, got {describe_value(value)}",
            )
        for extra in value:
            if extra not in ("class_path", "init_args"):
                raise self.error(
                    f"{key}.{extra}",
                    "beside class_path, not under init_args: jsonargparse refuses it (Option "
                    f"'class_path' is not accepted); write it as {key}.init_args.{extra}",
                )
        path = value.get("class_path")
        if not isinstance(path, str) or not path:
            raise self.error(
                f"{key}.class_path", f"expected the class's name, got {describe_value(path)}"
            )
        init = value.get("init_args")
        if init is None:
            init = {}
        if not isinstance(init, Mapping):
            raise self.error(
                f"{key}.init_args", f"expected a mapping of arguments, got {describe_value(init)}"
            )
        ours = (
            ("type", "param_groups") if key == "optimizer" else ("type", "schedulers", *SCHEDULE)
        )
        for arg in init:
            if arg in ours:
                raise self.error(
                    f"{key}.init_args.{arg}",
                    f"lrplot cannot pass an argument named {arg} to the class: its own config "
                    f"has a key of that name ({', '.join(ours)})",
                )
        return path, dict(init), f"{key}.class_path", {a: f"{key}.init_args.{a}" for a in init}

    def optimizer(self) -> _Class:
        from lrplot.schedulers.registry import did_you_mean, optimizer_classes, signature

        path, args, type_key, arg_keys = self.block("optimizer")
        classes = optimizer_classes()
        name = path.rsplit(".", 1)[-1]
        torch_path = "." not in path or (path.startswith("torch.optim.") and name in classes)
        if not torch_path or name not in classes:
            if "." not in path:
                raise self.error(
                    type_key,
                    f"{path} is none of torch's optimizers (torch.optim), among which "
                    f"jsonargparse finds a name without a dot{did_you_mean(name, list(classes))}",
                )
            if "lr" not in args:
                raise self.error(
                    type_key, f"{path} is not one of torch's optimizers: give its init_args.lr"
                )
            self.notice(
                "optimizer",
                f"{path} is not one of torch's optimizers; the lr its schedule "
                "sets is the same with any: plotted with torch's AdamW",
            )
            return _Class("AdamW", {"lr": args["lr"]}, None, path, type_key, arg_keys)
        cls = classes[name]
        self.check(signature(cls), args, f"torch.optim.{name}", type_key, arg_keys)
        if "lr" not in args:
            args = {"lr": signature(cls).parameters["lr"].default, **args}
        return _Class(name, args, None, f"torch.optim.{name}", type_key, arg_keys)

    def scheduler(self) -> _Class:
        from lrplot.schedulers.registry import did_you_mean, scheduler_classes, signature

        path, args, type_key, arg_keys = self.block("lr_scheduler")
        classes = scheduler_classes()
        name = path.rsplit(".", 1)[-1]
        if path == TORCH_PLATEAU:
            raise self.error(
                type_key,
                f"{path} takes no monitor, and Lightning's fit refuses it: `configure_optimizers` "
                "must include a monitor when a `ReduceLROnPlateau` scheduler is used "
                "(lightning/pytorch/core/optimizer.py); write class_path: ReduceLROnPlateau "
                "(Lightning's, lightning.pytorch.cli.ReduceLROnPlateau) with init_args.monitor",
            )
        if path == "ReduceLROnPlateau" or path in LIGHTNING_PLATEAU:
            from lrplot.schedulers.registry import Parameter, Signature

            sig = signature(classes.get("ReduceLROnPlateau") or _plateau())
            monitor = Parameter("monitor", "str", _required())
            lightning = Signature({"monitor": monitor, **sig.parameters}, sig.takes_any)
            shown = "lightning.pytorch.cli.ReduceLROnPlateau"
            self.check(lightning, args, shown, type_key, arg_keys)
            monitor_value = args.pop("monitor")
            if not isinstance(monitor_value, str):
                raise self.error(
                    arg_keys["monitor"],
                    f"expected the name of a logged metric, got {describe_value(monitor_value)}",
                )
            return _Class("ReduceLROnPlateau", args, monitor_value, shown, type_key, arg_keys)
        if "." not in path or path in (
            f"torch.optim.lr_scheduler.{name}",
            f"torch.optim.swa_utils.{name}",
        ):
            if name not in classes:
                raise self.error(
                    type_key,
                    f"{path} is none of torch's schedulers (torch.optim.lr_scheduler) nor "
                    "Lightning's ReduceLROnPlateau, among which jsonargparse finds a name "
                    f"without a dot{did_you_mean(name, [*classes])}",
                )
            cls = classes[name]
            shown = f"{cls.__module__}.{name}"
            self.check(signature(cls), args, shown, type_key, arg_keys)
            return _Class(name, args, None, shown, type_key, arg_keys)
        module, _, cls_name = path.rpartition(".")
        return _Class(f"{module}:{cls_name}", args, None, path, type_key, arg_keys)

    def check(
        self,
        sig: Signature,
        args: Mapping[str, Any],
        shown: str,
        type_key: str,
        arg_keys: Mapping[str, str],
    ) -> None:
        """jsonargparse's refusals of a class's init_args: unknown, and missing ones."""
        if not sig.takes_any:
            for arg in args:
                if arg not in sig.parameters:
                    raise self.error(
                        arg_keys[arg],
                        f"Option '{arg}' is not accepted (jsonargparse): {shown} takes: "
                        f"{sig.describe()}",
                    )
        missing = [p.name for p in sig.parameters.values() if p.required and p.name not in args]
        if missing:
            raise self.error(
                type_key,
                f"the following arguments are required: {', '.join(missing)} (jsonargparse, "
                f"for {shown}): give them under init_args",
            )

    def check_keys(self) -> None:
        """jsonargparse's refusal of a key ``Trainer`` does not take (the installed
        Lightning's), and a notice of top-level keys LightningCLI itself does not have."""
        from lrplot.schedulers.registry import did_you_mean

        keys = trainer_keys() or frozenset(self.trainer)
        for key in self.trainer:
            if key not in keys:
                raise self.error(
                    f"trainer.{key}",
                    f"Group 'trainer' does not accept option '{key}' (jsonargparse: not an "
                    f"argument of {_lightning()}'s Trainer){did_you_mean(str(key), sorted(keys))}",
                )
        for key in self.data:
            if key not in (*ALSO, "trainer", "metric"):
                self.notice(
                    str(key),
                    "not read: not a key of LightningCLI's own (a script's "
                    "add_arguments_to_parser may add it; else jsonargparse refuses it: Option "
                    f"'{key}' is not accepted)",
                )

    # the run

    def world(self) -> tuple[int, str]:
        """The processes training together, and how they were found."""
        if self.facts.world_size is not None:
            return self.facts.world_size, f"--world-size {self.facts.world_size}"
        nodes = self.whole("num_nodes", low=1)
        devices = self.value("devices")
        count = self.devices()
        if count is None:
            self.notice(
                "trainer.devices",
                f"{devices}: planned as 1 device per node (--world-size N "
                "names the processes training together)",
            )
            count = 1
        world = count * nodes
        how = f"devices {count} x num_nodes {nodes}" if nodes > 1 else f"devices {count}"
        return world, how

    def devices(self) -> int | None:
        """The devices ``trainer.devices`` names per node; None for ``auto`` (or -1)."""
        devices = self.value("devices")
        if isinstance(devices, int) and not isinstance(devices, bool) and devices > 0:
            return devices
        if isinstance(devices, list | tuple):
            return len(devices)
        if isinstance(devices, str) and devices.strip().isdigit() and int(devices) > 0:
            return int(devices)
        if isinstance(devices, str) and "," in devices:
            return len([d for d in devices.split(",") if d.strip()])
        if devices not in ("auto", -1, "-1"):
            raise self.error(
                "trainer.devices",
                f"expected a number of devices, a list of them, or auto, got "
                f"{describe_value(devices)}",
            )
        return None

    def batches(self) -> tuple[int, str] | None:
        """The batches of each process per epoch, before ``limit_train_batches``; None if
        neither the options nor the file say them (see :meth:`steps_per_epoch`)."""
        if self.facts.steps_per_epoch is not None:
            count = self.facts.steps_per_epoch
            return count, f"--steps-per-epoch {count:,} batches"
        data = self.data.get("data")
        batch_key = "data.batch_size"
        init = data.get("init_args") if isinstance(data, Mapping) else None
        if isinstance(init, Mapping) and "batch_size" in init:
            batch, batch_key = init["batch_size"], "data.init_args.batch_size"
        else:
            batch = data.get("batch_size") if isinstance(data, Mapping) else None
        if self.facts.dataset_size is None:
            return None
        if batch is None:
            raise self.unknown_batches()
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise self.error(
                batch_key, f"expected a whole number of at least 1, got {describe_value(batch)}"
            )
        world, how = self.world()
        counted = Batches(self.facts.dataset_size, batch, world, loop="lightning")
        shown = f"{self.facts.dataset_size:,} samples"
        if world > 1:
            shown += f" / {world} processes ({how}) = {counted.samples:,} each"
        shown += f" / {batch_key} {batch} = {counted.batches:,} batches"
        return counted.batches, shown

    def unknown_batches(self) -> ConfigError:
        """The refusal of a plan that needs the batches per epoch the file does not say."""
        data = self.data.get("data")
        init = data.get("init_args") if isinstance(data, Mapping) else None
        given = ""
        if isinstance(init, Mapping) and "batch_size" in init:
            given = " (data: gives data.init_args.batch_size)"
        elif isinstance(data, Mapping) and "batch_size" in data:
            given = " (data: gives data.batch_size)"
        return self.error(
            "trainer",
            "LightningCLI steps per epoch as many batches as the training DataLoader "
            f"holds, which the file does not say{given}: give --steps-per-epoch N (the "
            "batches per epoch of each process), or --dataset-size N with data: batch_size",
        )

    def steps_per_epoch(self, *, exact_per_epoch: bool) -> tuple[int, str]:
        """Optimizer steps per epoch, and the arithmetic. Without the batches per epoch, one
        step plotted per epoch where that plots the same lrs (the scheduler is stepped once
        per epoch, so each epoch's steps share one lr): ``exact_per_epoch``, and no
        ``max_steps`` or share of the batches (``limit_train_batches`` a float) to count."""
        known = self.batches()
        limit = self.value("limit_train_batches")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
            raise self.error(
                "trainer.limit_train_batches",
                f"expected a whole number of batches or a share (a float), got "
                f"{describe_value(limit)}",
            )
        if isinstance(limit, float) and not 0.0 <= limit <= 1.0:
            raise self.error(
                "trainer.limit_train_batches",
                f"a float is a share of the batches, from 0.0 to 1.0, got {limit!r}",
            )
        if isinstance(limit, int) and limit < 0:
            raise self.error(
                "trainer.limit_train_batches", f"expected 0 batches or more, got {limit}"
            )
        if known is None:
            max_steps = self.value("max_steps")
            share = isinstance(limit, float) and 0.0 < limit < 1.0
            if not exact_per_epoch or max_steps not in (None, -1) or share:
                raise self.unknown_batches()
            if limit == 0 and not isinstance(limit, bool):
                raise self.error(
                    "trainer.limit_train_batches",
                    f"{limit!r}: Lightning trains no batch, and skips the run",
                )
            self.whole("accumulate_grad_batches", low=1)
            if self.facts.world_size is None:  # checked as world() checks them, unread
                self.whole("num_nodes", low=1)
                self.devices()
            return 1, PER_EPOCH
        batches, how = known
        if isinstance(limit, int):
            kept = min(batches, limit)
            how += f"; limit_train_batches {limit}: min({batches:,}, {limit:,}) = {kept:,}"
            batches = kept
        elif isinstance(limit, float) and limit != 1.0:
            kept = int(batches * limit)
            how += f"; limit_train_batches {limit!r}: int({batches:,} x {limit!r}) = {kept:,}"
            if kept == 0 and limit > 0.0:
                raise self.error(
                    "trainer.limit_train_batches",
                    f"You requested to check {limit} of the `train_dataloader` but {limit} * "
                    f"{batches} < 1 (Lightning's refusal): {how}",
                )
            batches = kept
        if batches == 0:
            raise self.error(
                "trainer.limit_train_batches",
                f"Lightning trains no batch, and skips the run: {how}",
            )
        accum = self.whole("accumulate_grad_batches", low=1)
        steps = math.ceil(batches / accum)
        if accum > 1:
            how += (
                f" / accumulate_grad_batches {accum} = {steps:,} optimizer steps (rounded up: "
                "the epoch's last batch steps too)"
            )
        return steps, how + " per epoch"

    def limits(self, per_epoch: int) -> tuple[int, int | None, str]:
        """Epochs, the step the run stops at within its last (or None), and the arithmetic."""
        max_epochs = self.value("max_epochs")
        max_steps = self.value("max_steps")
        if max_steps is None:
            max_steps = -1
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < -1:
            raise self.error(
                "trainer.max_steps",
                f"expected -1 (no limit) or a whole number of optimizer steps, got "
                f"{describe_value(max_steps)}",
            )
        if max_epochs is not None and (
            isinstance(max_epochs, bool) or not isinstance(max_epochs, int) or max_epochs < -1
        ):
            raise self.error(
                "trainer.max_epochs",
                f"expected -1 (no limit) or a whole number of epochs, got "
                f"{describe_value(max_epochs)}",
            )
        if max_epochs is None:
            if max_steps == -1:
                self.notice(
                    "trainer.max_epochs",
                    f"not set: Lightning trains {DEFAULT_EPOCHS} epochs "
                    "when neither max_epochs nor max_steps is (loops/utilities.py, "
                    "_parse_loop_limits)",
                )
                return DEFAULT_EPOCHS, None, f"max_epochs {DEFAULT_EPOCHS} (Lightning's default)"
            max_epochs = -1
        if max_steps == 0 or max_epochs == 0:
            key = "trainer.max_steps" if max_steps == 0 else "trainer.max_epochs"
            raise self.error(key, "0: Lightning trains no step: there is no schedule to plot")
        if max_epochs == -1:
            if max_steps == -1:
                raise self.error(
                    "trainer.max_epochs",
                    "-1 with no max_steps: Lightning trains without end: give max_epochs or "
                    "max_steps",
                )
            epochs = math.ceil(max_steps / per_epoch)
            return epochs, max_steps, f"max_steps {max_steps:,} (epochs without limit)"
        if max_steps == -1 or max_steps >= max_epochs * per_epoch:
            return max_epochs, None, f"max_epochs {max_epochs:,}"
        return (
            max_epochs,
            max_steps,
            f"max_steps {max_steps:,}, before max_epochs {max_epochs:,} x {per_epoch:,}",
        )

    def validation(self, monitor: str) -> tuple[str, str, int] | None:
        """A ReduceLROnPlateau's monitor with ``check_val_every_n_epoch`` above 1, for the
        warning that Lightning refuses the run if only validation logs it (see
        :attr:`~lrplot.config.spec.NativeRead.unvalidated`): its key, the monitor, and N."""
        every = self.value("check_val_every_n_epoch")
        if isinstance(every, bool) or not isinstance(every, int) or every <= 1:
            return None
        return f"{self.prefix}trainer.check_val_every_n_epoch", monitor, every

    def translate(self) -> tuple[Translation, _Class]:
        if "lr_scheduler" not in self.data or self.data.get("lr_scheduler") is None:
            raise self.error(
                "lr_scheduler",
                "none given: LightningCLI steps no scheduler of the file's (a model's own "
                "configure_optimizers is not read): there is no schedule to plot",
            )
        if "optimizer" not in self.data or self.data.get("optimizer") is None:
            raise self.error(
                "lr_scheduler",
                "given without optimizer: LightningCLI then builds neither, and the model's "
                "own configure_optimizers runs (lightning/pytorch/cli.py, "
                "_add_configure_optimizers_method_to_model): give optimizer: too",
            )
        self.check_keys()
        for key, how in UNREAD.items():
            if self.trainer.get(key) not in (None, 0, 0.0, "auto"):
                self.notice(f"trainer.{key}", f"not read: {how}; planned as without it")
        optimizer = self.optimizer()
        scheduler = self.scheduler()
        # a metric given may be fed by step (a logged run, an expression in step), and
        # --resume-at counts optimizer steps: both need the batches per epoch
        exact = self.resume_at is None and (scheduler.monitor is None or "metric" not in self.data)
        per_epoch, per_epoch_how = self.steps_per_epoch(exact_per_epoch=exact)
        epochs, stop, limits_how = self.limits(per_epoch)
        if scheduler.monitor is not None and (stop is None or stop >= per_epoch):
            self.unvalidated = self.validation(scheduler.monitor)
        names: dict[str, str] = {
            "optimizer": "optimizer",
            "optimizer.type": optimizer.type_key,
            "scheduler": "lr_scheduler",
            "scheduler.type": scheduler.type_key,
            "epochs": "trainer.max_epochs" if "max_epochs" in self.trainer else "trainer",
            "steps_per_epoch": "trainer",
        }
        names.update({f"optimizer.{a}": k for a, k in optimizer.arg_keys.items()})
        names.update({f"scheduler.{a}": k for a, k in scheduler.arg_keys.items()})
        config: dict[str, Any] = {
            "epochs": epochs,
            "steps_per_epoch": per_epoch,
            "optimizer": {"type": optimizer.type_name, **optimizer.args},
            "scheduler": {"type": scheduler.type_name, **scheduler.args, "interval": "epoch"},
        }
        if "metric" in self.data:  # lrplot's own key (--set metric=...): the monitor's values
            config["metric"] = self.data["metric"]
            names["metric"] = "metric"
        fed = ""
        if scheduler.monitor is not None:
            values = (
                "metric: given"
                if "metric" in self.data
                else "the synthetic loss; --set metric=... gives its values"
            )
            fed = f", fed its monitor {scheduler.monitor!r} as lrplot's metric ({values})"
        self.notice(
            None,
            f"LightningCLI's plan ({_lightning()}'s rules): {per_epoch_how}; {limits_how}; "
            f"{scheduler.shown} stepped once per epoch ({WHERE}: interval epoch, frequency 1)"
            f"{fed}",
        )
        if self.prefix:
            names = {k: v if k == "metric" else self.prefix + v for k, v in names.items()}
        return Translation(self.document.renamed(config, names), names, stop=stop), scheduler


@functools.cache
def trainer_keys() -> frozenset[str] | None:
    """The arguments of the installed Lightning's ``Trainer.__init__``, read from its source
    (lightning/pytorch/trainer/trainer.py) without importing it; None without Lightning."""
    import ast
    import importlib.util
    from pathlib import Path

    try:
        found = importlib.util.find_spec("lightning")
    except (ImportError, ValueError):
        return None
    if found is None or found.origin is None:
        return None
    source = Path(found.origin).parent / "pytorch" / "trainer" / "trainer.py"
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Trainer":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = item.args
                    named = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                    return frozenset(a.arg for a in named if a.arg != "self")
    return None


def _lightning() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"lightning {version('lightning')}"
    except PackageNotFoundError:
        return "lightning"


def _plateau() -> type:
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    return ReduceLROnPlateau


def _required() -> Any:
    import inspect

    return inspect.Parameter.empty


def load(
    read: Read,
    *,
    facts: RunFacts,
    overrides: tuple[str, ...] = (),
    resume_at: int | None = None,
) -> tuple[Spec, Translation]:
    """The validated lrplot config of the LightningCLI config ``read`` (``--set`` applied to
    the file's keys, ``--resume-at`` to the plan), and its translation, whose
    :meth:`~lrplot.formats.Translation.located` names the file's keys in
    errors about it."""

    document = apply_overrides(read.document, overrides)
    if not isinstance(document.data, Mapping):
        raise ConfigError(
            f"expected a LightningCLI config (a mapping with trainer:), got "
            f"{describe_value(document.data, quote=False)}",
            source=read.source,
        )
    reader = _Reader(document, facts, resume_at)
    translation, scheduler = reader.translate()
    spec = validated(
        translation, base_dir=read.base_dir, resume_at=resume_at, allow_import=facts.allow_import
    )
    native = NativeRead(
        who=_lightning(),
        warmup_shares=False,
        schedule=scheduler.shown,
        warmup_key="",
        warmup_value=None,
        warmup=0,
        kwargs=(),
        lines=dict(document.lines),
        set_by=dict(document.set_by),
    )
    cycle = _cycle(spec, scheduler, reader.prefix)
    silence = frozenset(spec.silence)
    if cycle is not None and cycle[1] >= spec.steps > cycle[2]:
        silence |= {"schedule-cut-short"}  # said, for LightningCLI, by onecycle-per-epoch
    native = dataclasses.replace(native, per_epoch_cycle=cycle, unvalidated=reader.unvalidated)
    notices = (*reader.notices, *spec.notices)
    spec = dataclasses.replace(spec, notices=notices, native=native, silence=silence)
    return spec, translation


def _cycle(spec: Spec, scheduler: _Class, prefix: str) -> tuple[str, int, int, int] | None:
    """A OneCycleLR's length (its file key, and in its own steps), the times LightningCLI
    steps it, and the run's optimizer steps (see :class:`~lrplot.config.spec.NativeRead`)."""
    if scheduler.type_name != "OneCycleLR":
        return None
    args = spec.scheduler.args
    total, epochs, per_epoch = (args.get(k) for k in ("total_steps", "epochs", "steps_per_epoch"))
    if isinstance(total, int):
        key, length = "total_steps", total
    elif isinstance(epochs, int) and isinstance(per_epoch, int):
        key, length = "epochs", epochs * per_epoch
    else:
        return None
    file_key = prefix + scheduler.arg_keys.get(key, scheduler.type_key)
    return file_key, length, spec.scheduler.calls(spec.loop), spec.steps
