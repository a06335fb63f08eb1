"""The real HF and Lightning trainers on a tiny model: the oracle for logs and step counts.

Each run trains on the CPU, downloads nothing, and records, through the trainer's own
callback hooks, the lr (and momentum) every optimizer step used, read just before
``optimizer.step()``. Runs are cached per test session by their arguments (see the
``trainers`` fixture in conftest.py): the same arguments train once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast


@dataclass(frozen=True)
class TrainerRun:
    """What a real trainer did: where it wrote its log, and what each step used."""

    folder: Path
    """The run's output folder (HF's ``output_dir``, Lightning's log folder)."""
    log: Path
    """HF's ``trainer_state.json``; Lightning's CSVLogger ``metrics.csv``."""
    lrs: tuple[tuple[float, ...], ...]
    """Per param group, the lr each optimizer step used, in order."""
    momenta: tuple[tuple[float, ...], ...]
    """Per param group, the momentum (or ``betas[0]``) each optimizer step used."""
    optimizer_steps: int
    """The optimizer steps the trainer made (its global step at the end)."""
    batches_per_epoch: int
    """Batches per epoch, as the trainer's process saw its dataloader."""
    epochs: tuple[int, ...] = ()
    """HF: the epoch (0-based, the floor of ``state.epoch``) each optimizer step was in."""


def _used(groups: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    lrs = [float(group["lr"]) for group in groups]
    momenta = [
        float(group["momentum"] if "momentum" in group else group.get("betas", (0.0,))[0])
        for group in groups
    ]
    return lrs, momenta


def _columns(rows: list[list[float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(zip(*rows, strict=True)) if rows else ()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The trainers warn about workers, devices and deprecations: not what is tested."""
    loggers = [
        logging.getLogger(name)
        for name in ("lightning.pytorch", "lightning.fabric", "transformers", "accelerate")
    ]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


@functools.cache
def _lightning_parts() -> tuple[Any, Any]:
    """The callback that records, into its two lists, the lrs and momenta of each optimizer
    step (read just before it), and the tiny two-layer module both Lightning runs train.
    Its ``monitor`` and ``validated`` (None: neither) are names under which training and
    validation log the epoch (from 0) each epoch, for a ReduceLROnPlateau to watch."""
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import Callback

    class Record(Callback):
        def __init__(self, rows: list[list[float]], momenta: list[list[float]]) -> None:
            self.rows, self.momenta = rows, momenta

        def on_before_optimizer_step(self, trainer: Any, module: Any, opt: Any) -> None:
            lrs, moms = _used(opt.param_groups)
            self.rows.append(lrs)
            self.momenta.append(moms)

    class Tiny(L.LightningModule):
        monitor: str | None = None
        validated: str | None = None

        def __init__(self) -> None:
            super().__init__()
            self.backbone = torch.nn.Linear(4, 4)
            self.head = torch.nn.Linear(4, 1)

        def forward(self, x: Any) -> Any:
            return self.head(torch.relu(self.backbone(x)))

        def training_step(self, batch: Any, index: int) -> Any:
            x, y = batch
            loss = torch.nn.functional.mse_loss(self(x), y)
            self.log("train_loss", loss)
            if self.monitor is not None:
                self.log(self.monitor, float(self.current_epoch), on_step=False, on_epoch=True)
            return loss

        def validation_step(self, batch: Any, index: int) -> None:
            x, y = batch
            self.log("val_loss", torch.nn.functional.mse_loss(self(x), y))
            if self.validated is not None:
                epoch = float(self.current_epoch)
                self.log(self.validated, epoch, on_step=False, on_epoch=True)

    return Record, Tiny


class _Samples:
    """A map-style dataset of ``count`` fixed random samples (seeded)."""

    def __init__(self, count: int, *, seed: int, tokens: bool) -> None:
        import torch

        generator = torch.Generator().manual_seed(seed)
        self.count = count
        if tokens:
            self.ids = torch.randint(1, 16, (count, 6), generator=generator)
        else:
            self.x = torch.randn(count, 4, generator=generator)
            self.y = self.x.sum(dim=1, keepdim=True)
        self.labels = torch.randint(0, 2, (count,), generator=generator)
        self.tokens = tokens

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Any:
        if self.tokens:
            ids = self.ids[index]
            return {"input_ids": ids, "attention_mask": ids > 0, "labels": self.labels[index]}
        return self.x[index], self.y[index]


def hf_run(folder: Path, **kw: Any) -> TrainerRun:
    """Train a tiny BERT with ``transformers.Trainer``; ``kw`` are TrainingArguments
    fields, plus ``dataset_size`` (64), ``eval_size`` (16) and ``resume_at`` (train to
    that step and save a checkpoint there, then resume from it in a second Trainer)."""
    import transformers
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        Trainer,
        TrainerCallback,
        TrainingArguments,
    )
    from transformers.trainer_callback import PrinterCallback

    dataset_size = kw.pop("dataset_size", 64)
    eval_size = kw.pop("eval_size", 16)
    resume_at = kw.pop("resume_at", None)
    rows: list[list[float]] = []
    momenta: list[list[float]] = []
    batches: list[int] = []
    epochs: list[int] = []

    class Record(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **more: Any) -> None:
            batches.append(len(more["train_dataloader"]))

        def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **more: Any) -> None:
            epochs.append(math.floor(state.epoch))
            lrs, moms = _used(more["optimizer"].param_groups)
            rows.append(lrs)
            momenta.append(moms)

    class StopAt(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **more: Any) -> Any:
            if state.global_step == resume_at:
                control.should_save = True
                control.should_training_stop = True
            return control

    config = BertConfig(  # type: ignore[call-arg]
        vocab_size=16,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=1,
        intermediate_size=8,
        max_position_embeddings=8,
        num_labels=2,
    )
    settings: dict[str, Any] = {
        "output_dir": str(folder),
        "report_to": [],
        "use_cpu": True,
        "seed": 0,
        "disable_tqdm": True,
        "save_strategy": "no",
        "logging_steps": 1,
        "per_device_train_batch_size": 8,
        "per_device_eval_batch_size": 8,
        **kw,
    }
    with _quiet():
        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        transformers.set_seed(0)
        train = _Samples(dataset_size, seed=1, tokens=True)
        evaluation = _Samples(eval_size, seed=2, tokens=True)
        checkpoint = None
        if resume_at is not None:
            first = Trainer(
                model=BertForSequenceClassification(config),
                args=TrainingArguments(**settings),
                train_dataset=train,
                eval_dataset=evaluation,
                callbacks=[StopAt()],
            )
            first.remove_callback(PrinterCallback)
            first.train()
            checkpoint = str(folder / f"checkpoint-{resume_at}")
        trainer = Trainer(
            model=BertForSequenceClassification(config),
            args=TrainingArguments(**settings),
            train_dataset=train,
            eval_dataset=evaluation,
            callbacks=[Record()],
        )
        trainer.remove_callback(PrinterCallback)
        trainer.train(resume_from_checkpoint=checkpoint)
        trainer.save_model()
        trainer.save_state()
    return TrainerRun(
        folder=folder,
        log=folder / "trainer_state.json",
        lrs=_columns(rows),
        momenta=_columns(momenta),
        optimizer_steps=trainer.state.global_step,
        batches_per_epoch=batches[-1],
        epochs=tuple(epochs),
    )


def lightning_run(
    folder: Path,
    *,
    dataset_size: int = 64,
    batch_size: int = 8,
    max_epochs: int = 3,
    max_steps: int = -1,
    accumulate_grad_batches: int = 1,
    limit_train_batches: int | float | None = None,
    drop_last: bool = False,
    optimizer: Mapping[str, Any] | None = None,
    groups: tuple[str, str] | None = None,
    group_lrs: tuple[float, float] | None = None,
    scheduler: Mapping[str, Any] | None = None,
    interval: str = "epoch",
    frequency: int = 1,
    monitor: str = "val_loss",
    log_momentum: bool = True,
    log_weight_decay: bool = False,
    resume_at_epoch: int | None = None,
) -> TrainerRun:
    """Train a tiny two-layer model with Lightning's ``Trainer``, logging with
    ``CSVLogger`` and ``LearningRateMonitor``; the optimizer and scheduler are torch's,
    named by class (``{"type": "SGD", "lr": 0.1}``), returned from
    ``configure_optimizers`` with ``interval``, ``frequency`` and ``monitor``."""
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger
    from torch.utils.data import DataLoader

    chosen = dict(optimizer or {"type": "SGD", "lr": 0.1, "momentum": 0.9})
    planned = dict(scheduler) if scheduler is not None else None
    rows: list[list[float]] = []
    momenta: list[list[float]] = []

    Record, Tiny = _lightning_parts()

    class Run(Tiny):  # type: ignore[misc, valid-type]
        def configure_optimizers(self) -> Any:
            args = {k: v for k, v in chosen.items() if k != "type"}
            if groups is None:
                params: Any = self.parameters()
            else:
                params = [
                    {"params": self.backbone.parameters(), "name": groups[0]},
                    {"params": self.head.parameters(), "name": groups[1]},
                ]
                if group_lrs is not None:
                    for group, lr in zip(params, group_lrs, strict=True):
                        group["lr"] = lr
            opt = getattr(torch.optim, chosen["type"])(params, **args)
            if planned is None:
                return opt
            made = getattr(torch.optim.lr_scheduler, planned["type"])(
                opt, **{k: v for k, v in planned.items() if k != "type"}
            )
            entry = {"scheduler": made, "interval": interval, "frequency": frequency}
            if planned["type"] == "ReduceLROnPlateau":
                entry["monitor"] = monitor
            return {"optimizer": opt, "lr_scheduler": entry}

    def fit(epochs: int, version: int, ckpt_path: str | None) -> tuple[Any, CSVLogger]:
        logger = CSVLogger(save_dir=str(folder), name="logs", version=version)
        trainer = L.Trainer(
            accelerator="cpu",
            devices=1,
            max_epochs=epochs,
            max_steps=max_steps,
            accumulate_grad_batches=accumulate_grad_batches,
            limit_train_batches=limit_train_batches,
            logger=logger,
            callbacks=[
                LearningRateMonitor(
                    logging_interval="step",
                    log_momentum=log_momentum,
                    log_weight_decay=log_weight_decay,
                ),
                Record(rows, momenta),
            ],
            log_every_n_steps=1,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
        )
        train: Any = DataLoader(
            cast(Any, _Samples(dataset_size, seed=1, tokens=False)),
            batch_size=batch_size,
            drop_last=drop_last,
        )
        evaluation: Any = DataLoader(cast(Any, _Samples(16, seed=2, tokens=False)), batch_size=8)
        trainer.fit(module, train, evaluation, ckpt_path=ckpt_path)
        return trainer, logger

    with _quiet():
        L.seed_everything(0, verbose=False)
        module = Run()
        checkpoint = None
        if resume_at_epoch is not None:
            first, _ = fit(resume_at_epoch, 0, None)
            checkpoint = str(folder / "resume.ckpt")
            first.save_checkpoint(checkpoint)
            rows.clear()
            momenta.clear()
        trainer, logger = fit(max_epochs, 1 if checkpoint else 0, checkpoint)
    return TrainerRun(
        folder=Path(logger.log_dir),
        log=Path(logger.log_dir) / "metrics.csv",
        lrs=_columns(rows),
        momenta=_columns(momenta),
        optimizer_steps=trainer.global_step,
        batches_per_epoch=int(trainer.num_training_batches),
    )


def lightning_cli_run(
    folder: Path,
    *,
    config: Mapping[str, Any] | None = None,
    text: str | None = None,
    monitor: str | None = None,
    validated: str | None = None,
    subcommand: bool = False,
) -> TrainerRun:
    """Run a LightningCLI ``config.yaml`` (``config``, or its ``text``; its ``data:`` being
    ``batch_size`` and ``size``, the training samples) as LightningCLI runs it:
    ``LightningCLI(Tiny, Data, run=False)`` parses the file, then ``trainer.fit``, on the
    CPU. With ``monitor``, the module logs the epoch (from 0) under that name each epoch,
    for a ReduceLROnPlateau to watch; with ``validated``, its validation does (on 16
    samples, as often as ``trainer.check_val_every_n_epoch`` says). With ``subcommand``, the
    file is the subcommands' config (``fit:``, ...), given before the subcommand and run by
    ``LightningCLI`` itself: ``python main.py --config config.yaml fit``."""
    import lightning as L
    import yaml
    from lightning.pytorch.cli import LightningCLI
    from torch.utils.data import DataLoader

    rows: list[list[float]] = []
    momenta: list[list[float]] = []

    Record, Tiny = _lightning_parts()
    logging_tiny = type("Tiny", (Tiny,), {"monitor": monitor, "validated": validated})

    class Data(L.LightningDataModule):
        def __init__(self, batch_size: int = 8, size: int = 64) -> None:
            super().__init__()
            self.batch_size, self.size = batch_size, size

        def train_dataloader(self) -> Any:
            samples = cast(Any, _Samples(self.size, seed=1, tokens=False))
            return DataLoader(samples, batch_size=self.batch_size)

    class Validated(Data):
        def val_dataloader(self) -> Any:
            return DataLoader(cast(Any, _Samples(16, seed=2, tokens=False)), batch_size=8)

    path = folder / "config.yaml"
    path.write_text(
        text if text is not None else yaml.safe_dump(dict(config or {}), sort_keys=False)
    )
    args = [
        "--config",
        str(path),
        *(["fit"] if subcommand else []),
        "--trainer.accelerator=cpu",
        "--trainer.logger=false",
        "--trainer.enable_checkpointing=false",
        "--trainer.enable_progress_bar=false",
        "--trainer.enable_model_summary=false",
    ]
    with _quiet():
        cli = LightningCLI(
            logging_tiny,
            Data if validated is None else Validated,
            args=args,
            run=subcommand,
            save_config_callback=None,
            trainer_defaults={
                "callbacks": [Record(rows, momenta)],
                "default_root_dir": str(folder),
            },
        )
        if not subcommand:
            cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    return TrainerRun(
        folder=folder,
        log=path,
        lrs=_columns(rows),
        momenta=_columns(momenta),
        optimizer_steps=cli.trainer.global_step,
        batches_per_epoch=int(cli.trainer.num_training_batches),
    )


class Trainers:
    """Real trainer runs, each made once per test session for its arguments."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.runs: dict[str, TrainerRun] = {}

    def _cached(self, kind: str, kw: dict[str, Any], make: Any) -> TrainerRun:
        key = kind + json.dumps(kw, sort_keys=True, default=repr)
        if key not in self.runs:
            folder = self.base / f"{kind}-{len(self.runs)}"
            folder.mkdir()
            self.runs[key] = make(folder, **kw)
        return self.runs[key]

    def hf(self, **kw: Any) -> TrainerRun:
        """A ``transformers.Trainer`` run (see :func:`hf_run`)."""
        return self._cached("hf", kw, hf_run)

    def lightning(self, **kw: Any) -> TrainerRun:
        """A Lightning ``Trainer`` run (see :func:`lightning_run`)."""
        return self._cached("lightning", kw, lightning_run)

    def lightning_cli(self, **kw: Any) -> TrainerRun:
        """A LightningCLI run of a config (see :func:`lightning_cli_run`)."""
        return self._cached("lightning_cli", kw, lightning_cli_run)
