"""timm's ``args.yaml`` (what its train.py writes of every run), translated into lrplot's config.

``train.py`` (timm 1.0) dumps its parsed arguments to ``args.yaml`` before it uses them,
then, in ``main``:

- ``lr``, when unset (null or 0): ``lr_base x global_batch / lr_base_size``, with
  ``global_batch = batch_size x world_size x grad_accum_steps``, the ratio's square root
  when ``lr_base_scale`` is ``sqrt`` (empty: ``sqrt`` for an ``opt`` containing ``ada`` or
  ``lamb``, else ``linear``);
- ``updates_per_epoch = ceil(len(loader_train) / grad_accum_steps)``, the loader of
  ``create_loader`` dropping the last short batch (``drop_last=is_training``), its samples
  sharded by a ``DistributedSampler`` (which pads) when distributed;
- ``create_scheduler_v2(optimizer, **scheduler_kwargs(args), updates_per_epoch=...)`` builds
  the scheduler and returns the epochs to train, ``range(start_epoch, num_epochs)``.

The file becomes ``type: timm.create_scheduler_v2`` with ``scheduler_kwargs``' arguments (timm's
own function reads them), run for the epochs timm returns, ``--dataset-size`` (and
``--world-size``) giving the updates per epoch. Cheap to import: no torch, no timm.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lrplot.config.file import ConfigDocument
from lrplot.config.overrides import apply_overrides
from lrplot.config.spec import NativeRead
from lrplot.errors import ConfigError, describe_value
from lrplot.formats import Read, RunFacts, Translation, validated

if TYPE_CHECKING:
    from lrplot.config.spec import Spec

SIGNS = frozenset({"sched"})
"""Keys only timm's train.py arguments have."""

ALSO = frozenset(
    {"lr_base", "warmup_lr", "warmup_epochs", "sched_on_updates", "decay_epochs", "opt"}
)
"""Keys of theirs one of which a timm ``args.yaml`` has beside :data:`SIGNS`."""

TRAIN_DEFAULTS: Mapping[str, Any] = {
    "lr": None,
    "lr_base": 0.1,
    "lr_base_size": 256,
    "lr_base_scale": "",
    "opt": "sgd",
    "momentum": 0.9,
    "batch_size": 128,
    "grad_accum_steps": 1,
    "sched_on_updates": False,
}
"""train.py's defaults of the arguments lrplot reads beside the schedule's (its argparse)."""

OPTIMIZERS: Mapping[str, str] = {
    "sgd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
}
"""timm's ``opt`` names whose optimizer is torch's class (any other is plotted with AdamW:
the lr its schedule sets is the same)."""

UNREAD: Mapping[str, str] = {
    "layer_decay": "each layer's lr_scale (layer-wise decay) multiplies its group's lr",
    "epoch_repeats": "it repeats the data set within each epoch",
    "start_epoch": "train.py starts at it (resume with --resume-at)",
    "resume": "train.py resumes from the checkpoint (resume with --resume-at)",
}
"""Keys that change the run in ways lrplot does not plan from the file."""


def is_timm_args(data: object) -> bool:
    """Whether a config's data is a timm ``args.yaml``: a mapping with ``sched`` and one
    of :data:`ALSO`, and no ``scheduler:`` or ``schedulers:`` of lrplot's."""
    if not isinstance(data, Mapping) or "scheduler" in data or "schedulers" in data:
        return False
    return bool(set(data) & SIGNS) and bool(set(data) & ALSO)


class _Reader:
    def __init__(self, document: ConfigDocument, facts: RunFacts) -> None:
        self.document = document
        self.data: Mapping[str, Any] = document.data
        self.facts = facts
        self.notices: list[str] = []

    def error(self, key: str | None, message: str) -> ConfigError:
        return self.document.error(key, message)

    def value(self, key: str) -> Any:
        return self.data.get(key, TRAIN_DEFAULTS.get(key))

    def number(self, key: str, *, whole: bool = False, low: float | None = None) -> Any:
        value = self.value(key)
        kinds = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            raise self.error(key, f"expected {kinds}, got {describe_value(value)}")
        if low is not None and value < low:
            raise self.error(key, f"expected {kinds} of at least {low:g}, got {value!r}")
        return value

    def lr(self) -> tuple[float, str]:
        """The lr train.py sets, and how."""
        given = self.value("lr")
        if given:
            return self.number("lr"), f"lr {given!r}"
        base, size = self.number("lr_base"), self.number("lr_base_size", whole=True, low=1)
        batch = self.number("batch_size", whole=True, low=1)
        accum = max(1, self.number("grad_accum_steps", whole=True))
        world = self.facts.world_size or 1
        scale = self.value("lr_base_scale") or ""
        if not isinstance(scale, str):
            raise self.error("lr_base_scale", f"expected a text, got {describe_value(scale)}")
        opt = str(self.value("opt")).lower()
        if not scale:
            scale = "sqrt" if any(o in opt for o in ("ada", "lamb")) else "linear"
        global_batch = batch * world * accum
        ratio = global_batch / size
        if scale == "sqrt":
            ratio = ratio**0.5
        lr = base * ratio
        how = (
            f"lr {lr!r} = lr_base {base!r} x {'sqrt(' if scale == 'sqrt' else ''}"
            f"{global_batch:,} / lr_base_size {size:,}{')' if scale == 'sqrt' else ''} "
            f"(batch_size {batch} x world size {world} x grad_accum_steps {accum}; "
            f"{scale} scaling)"
        )
        return lr, how

    def updates_per_epoch(self, on_updates: bool) -> tuple[int, str]:
        """train.py's ``updates_per_epoch``, and how; 1 (each epoch one step plotted) without
        the data set's size for a schedule stepped per epoch."""
        batch = self.number("batch_size", whole=True, low=1)
        accum = max(1, self.number("grad_accum_steps", whole=True))
        size, world = self.facts.dataset_size, self.facts.world_size or 1
        if size is None:
            if on_updates:
                raise self.error(
                    "sched_on_updates",
                    "timm steps this schedule after every optimizer update, counted from the "
                    "data set's size (len(loader_train)), which args.yaml does not hold: give "
                    "it with --dataset-size N (the training samples)",
                )
            return 1, "one step plotted per epoch (--dataset-size N plots its updates)"
        samples = math.ceil(size / world)
        batches = samples // batch
        if batches < 1:
            raise self.error(
                "batch_size",
                f"the data makes no batch per epoch: {samples:,} samples per process / "
                f"batch_size {batch} (the last short batch dropped)",
            )
        updates = math.ceil(batches / accum)
        how = f"{size:,} samples"
        if world > 1:
            how += f" / {world} processes = {samples:,} each"
        how += f" / batch_size {batch} = {batches:,} batches (the last short one dropped)"
        if accum > 1:
            how += f" / grad_accum_steps {accum} = {updates:,} updates (rounded up)"
        return updates, how

    def optimizer(self, lr: float, names: dict[str, str]) -> dict[str, Any]:
        opt = str(self.value("opt"))
        kind = OPTIMIZERS.get(opt.lower())
        names.update({"optimizer": "opt", "optimizer.type": "opt", "optimizer.lr": "lr"})
        if kind is None:
            self.notices.append(
                f"{self.document.source}: opt: {opt} is not one of torch's optimizers; the lr "
                "its schedule sets is the same with any: plotted with torch's AdamW"
            )
            return {"type": "AdamW", "lr": lr}
        optimizer: dict[str, Any] = {"type": kind, "lr": lr}
        if kind == "SGD":
            optimizer["momentum"] = self.number("momentum")
            optimizer["nesterov"] = opt.lower() == "nesterov"
            names["optimizer.momentum"] = "momentum"
        return optimizer

    def translate(self) -> tuple[Translation, tuple[int, int, str], dict[str, Any]]:
        from lrplot.schedulers.timm import FACTORY, KWARGS_FROM, scheduler_kwargs

        sched = self.data.get("sched")
        if not isinstance(sched, str):
            raise self.error("sched", f"expected a scheduler name, got {describe_value(sched)}")
        if sched == "none":
            raise self.error(
                "sched",
                "none: train.py builds no scheduler; the lr stays at lr: there is no schedule "
                "to plot",
            )
        self.number("epochs", whole=True, low=1)
        on_updates = self.value("sched_on_updates")
        if not isinstance(on_updates, bool):
            raise self.error(
                "sched_on_updates", f"expected true or false, got {describe_value(on_updates)}"
            )
        for key, how in UNREAD.items():
            if self.data.get(key) not in (None, False, "", 0, 0.0):
                self.notices.append(
                    f"{self.document.source}: {key}: not read: {how}; planned as without it"
                )
        lr, lr_how = self.lr()
        updates, updates_how = self.updates_per_epoch(on_updates)
        kwargs = scheduler_kwargs(dict(self.data))
        kwargs["updates_per_epoch"] = updates
        planned = self.planned(kwargs)
        names: dict[str, str] = {"scheduler": "sched"}
        names.update({f"scheduler.{arg}": key for arg, key in KWARGS_FROM.items()})
        names["scheduler.updates_per_epoch"] = "batch_size"
        names["epochs"], names["steps_per_epoch"] = "epochs", "batch_size"
        config: dict[str, Any] = {
            "epochs": planned[1],
            "steps_per_epoch": updates,
            "optimizer": self.optimizer(lr, names),
            "scheduler": {"type": FACTORY, **kwargs},
        }
        self.notices.append(
            f"{self.document.source}: timm's plan: {lr_how}; {updates_how}; "
            f"create_scheduler_v2(sched={sched!r}) stepped per "
            f"{'update' if on_updates else 'epoch'}"
        )
        return Translation(self.document.renamed(config, names), names), planned, kwargs

    def planned(self, kwargs: dict[str, Any]) -> tuple[int, int, str]:
        """``epochs``, the count timm's ``create_scheduler_v2`` returns, and what it added."""
        from lrplot.schedulers.timm import planned_epochs

        given = self.number("epochs", whole=True, low=1)
        try:
            planned = planned_epochs(kwargs)
        except ConfigError as e:
            raise self.error(e.key, e.message) from None
        added = []
        cycled = kwargs["sched"] in ("cosine", "tanh", "poly")
        if cycled and kwargs["cycle_limit"] > 1:
            added.append(f"lr_cycle_limit {kwargs['cycle_limit']} cycles")
            if kwargs["cycle_mul"] != 1:
                added[-1] += f", each lr_cycle_mul {kwargs['cycle_mul']!r} times the last"
        if kwargs["warmup_prefix"] and kwargs["warmup_epochs"]:
            added.append(f"warmup_epochs {kwargs['warmup_epochs']} added (warmup_prefix)")
        if cycled and kwargs["cooldown_epochs"]:
            added.append(f"cooldown_epochs {kwargs['cooldown_epochs']} added")
        if cycled and not kwargs["step_on_epochs"]:
            added.append("counted in updates, rounded down to whole epochs")
        return given, planned, "; ".join(added) or "as timm counts them"


def load(
    read: Read,
    *,
    facts: RunFacts,
    overrides: tuple[str, ...] = (),
    resume_at: int | None = None,
) -> tuple[Spec, Translation]:
    """The validated lrplot config of the timm ``args.yaml`` ``read`` (``--set`` applied to
    the file's keys, ``--resume-at`` to the plan), and its translation, whose
    :meth:`~lrplot.formats.Translation.located` names the file's keys in
    errors about it. ConfigError if timm is not installed: its own code plans the run."""
    from lrplot.schedulers.timm import INSTALL_TIMM, timm_installed

    document = apply_overrides(read.document, overrides)
    if not isinstance(document.data, Mapping):
        raise ConfigError(
            f"expected a mapping of timm's train.py arguments, got "
            f"{describe_value(document.data, quote=False)}",
            source=read.source,
        )
    if not timm_installed():
        raise ConfigError(
            f"a timm args.yaml is planned by timm's own code, and timm is not installed: "
            f"{INSTALL_TIMM}",
            source=read.source,
            key="sched",
            line=document.line("sched"),
        )
    reader = _Reader(document, facts)
    translation, planned, kwargs = reader.translate()
    spec = validated(translation, base_dir=read.base_dir, resume_at=resume_at)
    from importlib.metadata import version

    native = NativeRead(
        who=f"timm {version('timm')}",
        warmup_shares=False,
        schedule=str(kwargs["sched"]),
        warmup_key="warmup_epochs",
        warmup_value=kwargs["warmup_epochs"],
        warmup=0,
        kwargs=(),
        lines={key: line for key, line in document.lines.items() if "." not in key},
        set_by=dict(document.set_by),
        planned_epochs=planned,
    )
    notices = (*reader.notices, *spec.notices)
    return dataclasses.replace(spec, notices=notices, native=native), translation
