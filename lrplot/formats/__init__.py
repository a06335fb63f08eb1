"""Readers of the files other tools train from (native configs), each translating one into
lrplot's own config, so that one pipeline and one simulator serve every file.

:func:`read` reads a config and says which format it is in: named (``--config-format``), or
recognised by its keys, never by running it; :func:`translate` runs that format's reader.
Cheap to import: no torch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lrplot.config.file import ConfigDocument, file_key, parse_config_text, read_config_text
from lrplot.errors import LrplotError, printable

if TYPE_CHECKING:
    from lrplot.config.spec import NativeRead, Spec

FileFormat = Literal["auto", "lrplot", "transformers", "trl", "deepspeed", "timm", "lightning"]
FILE_FORMATS: tuple[FileFormat, ...] = (
    "auto",
    "lrplot",
    "transformers",
    "trl",
    "deepspeed",
    "timm",
    "lightning",
)
"""What ``--config-format`` may name: ``auto`` (recognised by its keys), lrplot's own config,
HF transformers' TrainingArguments (YAML or JSON, as ``HfArgumentParser`` reads them), TRL's
``--config`` recipes (as ``trl.TrlParser`` reads them), a DeepSpeed config
(``ds_config.json``: its ``scheduler`` block), the ``args.yaml`` timm's train.py writes, or a
LightningCLI ``config.yaml`` (as ``LightningCLI`` reads it, or saves it beside each run)."""

Found = Literal["lrplot", "transformers", "trl", "deepspeed", "timm", "lightning"]

_READERS: Mapping[Found, str] = {
    "transformers": "transformers_args",
    "trl": "transformers_args",
    "deepspeed": "deepspeed_config",
    "timm": "timm_args",
    "lightning": "lightning_cli",
}
"""The module of this package whose ``load`` translates each native format (imported
when a file of it is read)."""


@dataclass(frozen=True)
class RunFacts:
    """What a native file cannot say about its run, given on the command line."""

    file_format: FileFormat = "auto"
    dataset_size: int | None = None
    """Training samples (after tokenising): ``--dataset-size``."""
    world_size: int | None = None
    """Processes training together: ``--world-size`` (default 1)."""
    transformers_version: str | None = None
    """Whose Trainer rules apply (``--transformers-version``; default: the installed)."""
    logged_steps: int | None = None
    """The optimizer steps a logged run's Trainer planned (a trainer_state.json's
    ``max_steps``, given to ``compare`` beside the file), for a file planned by epochs."""
    logged_from: str | None = None
    """The log that says :attr:`logged_steps`."""
    epochs: int | None = None
    """Passes over the data: ``--epochs``, for a DeepSpeed config without
    ``total_num_steps`` (TrainingArguments say theirs)."""
    steps_per_epoch: int | None = None
    """Batches per epoch of each process (``len(train_dataloader)``): ``--steps-per-epoch``,
    for a LightningCLI config."""
    allow_import: bool = False
    """A native file may name code to import (``--allow-import``)."""


@dataclass(frozen=True)
class Translation:
    """A native file as lrplot's config, and how its keys name the file's."""

    document: ConfigDocument
    """lrplot's config, its lines those of the file's keys each comes from."""
    names: Mapping[str, str]
    """lrplot's key paths, by the file's key each comes from (``optimizer.lr``:
    ``learning_rate``)."""
    native: NativeRead | None = None
    """What the file said of its warm-up and schedule (for :mod:`lrplot.checks.native`)."""
    beside: tuple[str, ConfigDocument] | None = None
    """A file that a key of this one names, whose keys :attr:`names` gives under that
    key (a TrainingArguments file's ``deepspeed: ds_config.json``: ``deepspeed.scheduler``
    is the ds_config's ``scheduler``): the key, and the file read."""
    stop: int | None = None
    """The step the run stops at within its last epoch, if it does (``max_steps``: see
    :attr:`lrplot.config.spec.Spec.stop_at`)."""

    def located(self, error: LrplotError) -> LrplotError:
        """``error`` about lrplot's config, as about the file: its key the file's (or
        :attr:`beside`'s, in that file, at its line)."""
        if error.key:
            error.key = file_key(self.names, error.key)
        if self.beside is not None and error.key:
            named, document = self.beside
            if error.key.startswith(named + "."):
                error.key = error.key[len(named) + 1 :]
                error.source, error.origin = document.source, None
                error.line = document.line(error.key)
        error.args = (str(error),)
        return error


def validated(
    translation: Translation,
    *,
    base_dir: Path | None,
    resume_at: int | None,
    allow_import: bool = False,
) -> Spec:
    """The validated lrplot config of a native file's ``translation``, ``--resume-at`` set
    on it and run to its :attr:`~Translation.stop`; its errors name the file's keys
    (:meth:`Translation.located`), and so do its warnings (:attr:`Spec.names`)."""
    from lrplot.config.overrides import set_value
    from lrplot.config.validation.validator import document_spec

    document = translation.document
    if resume_at is not None:
        origin = f"--resume-at {resume_at}"
        document = set_value(document, "resume_at", resume_at, origin=origin)
    try:
        spec = document_spec(
            document, base_dir=base_dir, allow_import=allow_import, stop_at=translation.stop
        )
    except LrplotError as e:
        raise translation.located(e) from None
    return dataclasses.replace(spec, names=translation.names)


@dataclass(frozen=True)
class Read:
    """A config read as text, and the format it is in."""

    text: str
    source: str
    base_dir: Path | None
    document: ConfigDocument
    """Its data as lrplot's own configs are read (YAML 1.2)."""
    file_format: Found
    json: bool
    """It is JSON (a ``.json`` file, or text that starts with ``{``)."""


def read(
    *,
    path: str | Path | None,
    text: str | None,
    source: str | None,
    base_dir: Path | None,
    file_format: FileFormat,
) -> Read:
    """Read a config (from ``path``, or ``text``) and tell its format: ``file_format``
    unless ``auto``, else by its keys (see :func:`recognise`)."""
    folder: Path | None
    path = Path(path) if path is not None else None
    if path is not None:
        shown = printable(source or str(path))
        text = read_config_text(path, source=shown)
        folder = base_dir or path.resolve().parent
    else:
        shown = printable(source or "<text>")
        text = text or ""
        folder = base_dir
    json = path.suffix.lower() == ".json" if path is not None else text.lstrip().startswith("{")
    document = parse_config_text(text, source=shown)
    found = recognise(document.data, json=json) if file_format == "auto" else file_format
    return Read(text, shown, folder, document, found, json)


def recognise(data: object, *, json: bool = False) -> Found:
    """The format of a config's data, by its keys: DeepSpeed's (``train_batch_size``,
    ``zero_optimization``, ..., or a ``scheduler`` block of ``type`` and ``params``);
    TrainingArguments' (``learning_rate``, ``lr_scheduler_type``, ``output_dir``, ...) with
    no ``scheduler:`` or ``schedulers:`` of lrplot's, a TRL recipe if it also has a key of
    TRL's scripts (``model_name_or_path``, ``dataset_name``, ...) and is YAML (TrlParser
    reads no JSON); timm's train.py arguments (``sched`` with ``lr_base``, ``opt``, ...);
    a LightningCLI config (a ``trainer:`` mapping with ``optimizer:``, ``lr_scheduler:``,
    ``model:`` or ``data:``, or a ``fit:`` block of them); else lrplot's own (whose errors
    then say what is wrong)."""
    from lrplot.formats.deepspeed_config import is_deepspeed_config
    from lrplot.formats.lightning_cli import is_lightning_cli
    from lrplot.formats.timm_args import is_timm_args
    from lrplot.formats.transformers_args import is_training_arguments
    from lrplot.formats.trl_config import is_trl_recipe

    if is_deepspeed_config(data):
        return "deepspeed"
    if is_timm_args(data):
        return "timm"
    if is_lightning_cli(data):
        return "lightning"
    if not is_training_arguments(data):
        return "lrplot"
    return "trl" if is_trl_recipe(data) and not json else "transformers"


def translate(
    read: Read, *, facts: RunFacts, overrides: tuple[str, ...], resume_at: int | None
) -> tuple[Spec, Translation]:
    """The validated lrplot config of the native file ``read`` (``--set`` applied to the
    file's keys, ``--resume-at`` to the plan) and its translation, by its format's reader."""
    import importlib

    reader = importlib.import_module(f"lrplot.formats.{_READERS[read.file_format]}")
    load: Callable[..., tuple[Spec, Translation]] = reader.load
    return load(read, facts=facts, overrides=overrides, resume_at=resume_at)
