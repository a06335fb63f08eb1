"""A plain torch loop, written independently of lrplot, that the tests check lrplot against.

It reads a config's raw YAML and builds the optimizer and scheduler the way a user's own
script would. Expression strings become ordinary Python functions through ``eval``: this
is trusted test code evaluating the project's own configs, and Python's own semantics
are the oracle that lrplot's safe evaluator must agree with bit for bit.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import random
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
from torch.optim import lr_scheduler, swa_utils

_MATH = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
_GLOBALS = {"__builtins__": {}, "math": math, "min": min, "max": max, "abs": abs, "pow": pow}
_GLOBALS.update(_MATH)


def python_eval(text: str, variables: dict[str, Any]) -> Any:
    """The value of a config expression, evaluated by Python itself."""
    return eval(compile(text, "<config expression>", "eval"), _GLOBALS, variables)


def python_function(text: str, names: tuple[str, ...]) -> Any:
    """The expression as a Python function of one value bound to every name in ``names``."""
    return lambda value: python_eval(text, dict.fromkeys(names, value))


def synthetic_loss(steps: int, seed: int = 0) -> list[float]:
    """The synthetic metric exactly as the README and lrplot.config.metrics document it."""
    rng = random.Random(seed)
    return [
        0.1 + 0.9 * math.exp(-20.0 * s / steps) + 0.01 * (2.0 * rng.random() - 1.0)
        for s in range(steps)
    ]


def _function(value: Any, names: tuple[str, ...]) -> Any:
    return python_function(value, names) if isinstance(value, str) else value


def _scheduler_class(type_name: str, config_dir: Path) -> Any:
    if type_name.startswith("transformers."):
        import transformers.optimization

        return getattr(transformers.optimization, type_name.removeprefix("transformers."))
    if type_name.startswith("deepspeed."):
        lr_schedules = pytest.importorskip("deepspeed.runtime.lr_schedules")
        return getattr(lr_schedules, type_name.removeprefix("deepspeed."))
    if ":" in type_name:
        file_name, class_name = type_name.rsplit(":", 1)
        spec = importlib.util.spec_from_file_location("reference_custom", config_dir / file_name)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, class_name)
    if type_name == "SWALR":
        return swa_utils.SWALR
    return getattr(lr_scheduler, type_name)


def _interval(entry: dict[str, Any]) -> str:
    """When the loop steps an entry: its ``interval``; an MMEngine one's, as
    ``ParamSchedulerHook`` steps it (after epochs with ``by_epoch``, unless converted)."""
    if entry["type"].startswith("mmengine."):
        by_epoch = entry.get("by_epoch", True) and not entry.get("convert_to_iter_based", False)
        return "epoch" if by_epoch else "step"
    return str(entry.get("interval", "step"))


def _build_mmengine(raw: dict[str, Any], optimizer: Any, epochs: int, per_epoch: int) -> Any:
    """An MMEngine entry as ``Runner._build_param_scheduler`` builds it: ``end`` defaulting
    to the run's epochs (or iterations), through MMEngine's ``PARAM_SCHEDULERS`` registry."""
    pytest.importorskip("mmengine.optim.scheduler")
    registry = pytest.importorskip("mmengine.registry").PARAM_SCHEDULERS
    cfg = {**raw, "type": raw["type"].removeprefix("mmengine.")}
    cfg.setdefault("end", epochs if cfg.get("by_epoch", True) else epochs * per_epoch)
    return registry.build(cfg, default_args={"optimizer": optimizer, "epoch_length": per_epoch})


def _build(
    raw: dict[str, Any], optimizer: Any, config_dir: Path, run: tuple[int, int] = (1, 1)
) -> Any:
    if raw["type"].startswith("mmengine."):
        return _build_mmengine(raw, optimizer, *run)
    args = {k: v for k, v in raw.items() if k not in ("type", "schedulers", "verbose")}
    if "lr_lambda" in args:  # an expression string becomes a function; anything else is as is
        value = args["lr_lambda"]
        args["lr_lambda"] = (
            [_function(v, ("epoch",)) for v in value]
            if isinstance(value, list)
            else _function(value, ("epoch",))
        )
    if "scale_fn" in args:
        args["scale_fn"] = _function(args["scale_fn"], ("x", "epoch"))
    cls = _scheduler_class(raw["type"], config_dir)
    if raw["type"] == "SequentialLR":
        children = [_build(child, optimizer, config_dir) for child in raw["schedulers"]]
        return cls(optimizer, children, **args)
    if raw["type"] == "ChainedScheduler":
        return cls([_build(child, optimizer, config_dir) for child in raw["schedulers"]])
    if raw["type"] == "transformers.get_scheduler":
        return cls(optimizer=optimizer, **args)
    return cls(optimizer, **args)


def batches_per_process(value: dict[str, Any]) -> int:
    """The batches one process runs an epoch, as the real classes make them: torch's
    DistributedSampler and DataLoader (the plain loop, Lightning), or a DataLoader that
    accelerate's BatchSamplerShard deals out (transformers' Trainer)."""
    from torch.utils.data import BatchSampler, DataLoader, DistributedSampler, SequentialSampler

    data: Any = range(value["dataset_size"])
    world, size = value.get("world_size", 1), value["batch_size"]
    drop_last = value.get("drop_last", False)
    if not str(value.get("loop", "torch")).startswith("transformers"):
        sampler: Any = DistributedSampler(data, num_replicas=world, rank=0, shuffle=False)
        return len(DataLoader(data, batch_size=size, sampler=sampler, drop_last=drop_last))
    from accelerate.data_loader import BatchSamplerShard  # type: ignore[import-untyped]

    batches = BatchSampler(SequentialSampler(data), size, drop_last)
    return len(BatchSamplerShard(batches, num_processes=world, process_index=0))


def stepped_batches(value: Any) -> list[int]:
    """Per optimizer step of an epoch, the batches done by then, as the loop named runs
    them: ``step()`` after every ``grad_accum``-th batch (the plain loop), and the
    epoch's last too (Lightning), or transformers' Trainer's count of update steps."""
    if not isinstance(value, dict):
        return list(range(1, int(value if value is not None else 1) + 1))
    batches, accum = batches_per_process(value), value.get("grad_accum", 1)
    loop = value.get("loop", "torch")
    if loop == "torch":
        return [i + 1 for i in range(batches) if (i + 1) % accum == 0]
    if loop == "lightning":
        return [i + 1 for i in range(batches) if (i + 1) % accum == 0 or i + 1 == batches]
    if loop == "transformers<4.52":
        updates = max(batches // accum, 1)  # documented rule; this transformers is newer
    else:
        updates = hf_updates_per_epoch(batches, accum)
    return [min((i + 1) * accum, batches) for i in range(updates)]


def hf_updates_per_epoch(batches: int, accum: int) -> int:
    """transformers' Trainer's own count of an epoch's update steps for a dataloader of
    ``batches`` (its ``set_initial_training_values``)."""
    from types import SimpleNamespace

    from transformers import Trainer

    trainer = SimpleNamespace(
        get_total_train_batch_size=lambda args: 1,
        get_sp_size=lambda: 1,
        num_examples=lambda loader: batches,
    )
    args = SimpleNamespace(max_steps=-1, num_train_epochs=1, gradient_accumulation_steps=accum)
    values = Trainer.set_initial_training_values(trainer, args, _Sized(batches))  # type: ignore[arg-type]
    return int(values[1])


class _Sized:
    """A dataloader of ``length`` batches, for transformers' counting."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length


def steps_per_epoch(value: Any) -> int:
    """Optimizer steps per epoch as the loop the config names makes them."""
    return len(stepped_batches(value))


def read_logged(given: dict[str, Any], config_dir: Path) -> list[float]:
    """A logged metric: a CSV column's non-blank cells, or a trainer_state.json key's values."""
    text = (config_dir / given["file"]).read_text(encoding="utf-8-sig")
    if "key" in given:
        history = json.loads(text)["log_history"]
        return [float(event[given["key"]]) for event in history if given["key"] in event]
    rows = csv.DictReader(io.StringIO(text))
    return [float(row[given["column"]]) for row in rows if (row[given["column"]] or "").strip()]


_LOOP_KEYS = ("interval", "frequency", "every", "fractional_epoch")
_FED = {
    "ReduceLROnPlateau",
    "transformers.get_reduce_on_plateau_schedule",
    "transformers.get_greedy_schedule",
}


def _fed_a_metric(entry: dict[str, Any]) -> bool:
    if entry["type"] == "transformers.get_scheduler":
        return entry.get("name") in ("reduce_lr_on_plateau", "greedy")
    return entry["type"] in _FED


def reference_run(raw: dict[str, Any], config_dir: Path) -> dict[str, Any]:
    """Run the config's schedule in a plain training loop: lr and momentum lists per
    group, the metric per batch (None after a batch none was fed after), and with
    ``resume_at``, the lr lists of the run resumed there."""
    epochs = raw.get("epochs", 100)
    data = raw.get("steps_per_epoch")
    done = stepped_batches(data)  # Lightning counts frequency in batches
    if not (isinstance(data, dict) and data.get("loop") == "lightning"):
        done = list(range(1, len(done) + 1))
    per_epoch = len(done)
    steps = epochs * per_epoch
    entries = raw["schedulers"] if "schedulers" in raw else [raw["scheduler"]]

    def stepped_after(entry: dict[str, Any], epoch: int, batch: int) -> bool:
        frequency: int = entry.get("frequency", 1)
        if "every" in entry:
            every: int = entry["every"]
            return (epoch * per_epoch + batch + 1) % every == 0
        if _interval(entry) == "step":
            return done[batch] % frequency == 0
        return batch == per_epoch - 1 and (epoch + 1) % frequency == 0

    calls = [
        [(e, e * per_epoch + b) for e in range(epochs) for b in range(per_epoch)
         if stepped_after(entry, e, b)]
        for entry in entries
    ]  # fmt: skip
    feeds: list[list[float] | None] = []
    for entry, when in zip(entries, calls, strict=True):
        if not _fed_a_metric(entry):
            feeds.append(None)
            continue
        given = raw.get("metric")
        if given is None:
            feeds.append(synthetic_loss(len(when)))
        elif isinstance(given, list):
            feeds.append([float(v) for v in given])
        elif isinstance(given, dict) and "file" in given:
            feeds.append(read_logged(given, config_dir))
        elif isinstance(given, dict):
            feeds.append(synthetic_loss(len(when), given.get("seed", 0)))
        else:
            feeds.append(
                [float(python_eval(str(given), {"epoch": e, "step": s})) for e, s in when]
            )
    metric: list[float | None] | None = None
    for feed, when in zip(feeds, calls, strict=True):
        if feed is not None:
            metric = [None] * steps
            for (_, step), value in zip(when, feed, strict=False):
                metric[step] = value
            break

    def build() -> tuple[Any, list[Any]]:
        options = dict(raw.get("optimizer") or {})
        optimizer_type = options.pop("type", "SGD")
        groups = options.pop("param_groups", [{}])
        options.setdefault("lr", 0.1)
        options = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
        params = [
            {"params": [torch.zeros(1, 1)], **{k: v for k, v in g.items() if k != "name"}}
            for g in groups
        ]
        optimizer = getattr(torch.optim, optimizer_type)(params, **options)
        built = [
            _build(
                {k: v for k, v in e.items() if k not in _LOOP_KEYS},
                optimizer,
                config_dir,
                (epochs, per_epoch),
            )
            for e in entries
        ]
        return optimizer, built

    def train(
        optimizer: Any, schedulers: list[Any], start: int, stop: int, record_momentum: bool
    ) -> tuple[list[list[float]], list[list[float]]]:
        lrs: list[list[float]] = [[] for _ in optimizer.param_groups]
        momenta: list[list[float]] = [[] for _ in optimizer.param_groups]
        fed = [sum(1 for _, s in when if s < start) for when in calls]
        for epoch in range(epochs):
            for batch in range(per_epoch):
                step = epoch * per_epoch + batch
                if not start <= step < stop:
                    continue
                for i, group in enumerate(optimizer.param_groups):
                    lrs[i].append(group["lr"])
                    if record_momentum and "betas" in group:
                        momenta[i].append(group["betas"][0])
                    elif record_momentum and "momentum" in group:
                        momenta[i].append(group["momentum"])
                for phase in ("step", "epoch"):
                    for n, (entry, scheduler) in enumerate(zip(entries, schedulers, strict=True)):
                        if _interval(entry) != phase:
                            continue
                        if not stepped_after(entry, epoch, batch):
                            continue
                        feed = feeds[n]
                        if feed is not None:
                            scheduler.step(feed[fed[n]])
                            fed[n] += 1
                        elif entry.get("fractional_epoch", False):
                            scheduler.step(epoch + batch / per_epoch)
                        else:
                            scheduler.step()
        return lrs, momenta

    resume_at = raw.get("resume_at")
    resumed = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer, schedulers = build()
        if resume_at is None:
            lrs, momenta = train(optimizer, schedulers, 0, steps, True)
        else:
            lrs, momenta = train(optimizer, schedulers, 0, resume_at, True)
            checkpoint = io.BytesIO()
            torch.save(
                {"optimizer": optimizer.state_dict(),
                 "schedulers": [s.state_dict() for s in schedulers]},
                checkpoint,
            )  # fmt: skip
            more, more_momenta = train(optimizer, schedulers, resume_at, steps, True)
            checkpoint.seek(0)
            saved = torch.load(checkpoint, weights_only=False)
            optimizer, schedulers = build()
            optimizer.load_state_dict(saved["optimizer"])
            for scheduler, state in zip(schedulers, saved["schedulers"], strict=True):
                scheduler.load_state_dict(state)
            after, _ = train(optimizer, schedulers, resume_at, steps, False)
            resumed = [a + b for a, b in zip(lrs, after, strict=True)]
            lrs = [a + b for a, b in zip(lrs, more, strict=True)]
            momenta = [a + b for a, b in zip(momenta, more_momenta, strict=True)]
    return {"lr": lrs, "momentum": momenta, "metric": metric, "resumed": resumed}
