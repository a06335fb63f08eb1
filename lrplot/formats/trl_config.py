"""TRL's ``--config`` files (TRL, alignment-handbook, open-r1 recipes), read as TrlParser does.

``TrlParser.parse_args_and_config`` reads the file with PyYAML's ``safe_load``, pops its
``env:`` block into ``os.environ`` (lrplot never does), and makes every other key the
default of the argparse option of the same name: a default that is text is converted by
the option's type, as argparse converts any default, so ``learning_rate: 2e-5`` (text to
PyYAML) becomes the float 2e-05, where ``HfArgumentParser.parse_yaml_file`` keeps it text.
Keys no dataclass of the script has are refused (``Unknown arguments from config file``)
unless the script passes ``fail_with_unknown_args=False``, as trl's own scripts do. What
is left is the trainer config's TrainingArguments, planned as :mod:`.transformers_args`
plans them.
"""

from __future__ import annotations

import dataclasses
import functools
from argparse import ArgumentTypeError
from collections.abc import Mapping
from typing import Any

from lrplot.config.file import ConfigDocument
from lrplot.errors import ConfigError, excerpt
from lrplot.schedulers.registry import did_you_mean

SIGNS = frozenset(
    {
        "model_name_or_path",
        "model_revision",
        "dataset_name",
        "dataset_config",
        "dataset_mixture",
        "dataset_mixer",
        "dataset_train_split",
        "attn_implementation",
        "torch_dtype",
        "dtype",
        "use_peft",
        "lora_r",
        "max_length",
        "max_seq_length",
        "packing",
        "chat_template",
        "num_generations",
        "reward_funcs",
        "beta",
        "env",
    }
)
"""Keys of TRL's script dataclasses (ScriptArguments, ModelConfig, the trainer configs)
that mark a TrainingArguments file as a TRL recipe."""

LR_DEFAULTS = "SFTConfig's 2e-05, DPOConfig's and GRPOConfig's 1e-06"
"""The trainer configs' own ``learning_rate`` defaults (each overrides TrainingArguments')."""

INSTALL_TRL = "pip install 'lrplot[trl]' (or pip install trl)"


def is_trl_recipe(data: object) -> bool:
    """Whether a TrainingArguments file's data has a key of TRL's scripts (:data:`SIGNS`)."""
    return isinstance(data, Mapping) and bool(set(data) & SIGNS)


@functools.cache
def trl_fields() -> tuple[str, frozenset[str]]:
    """The installed trl's version, and the fields of its scripts' dataclasses
    (``ScriptArguments``, ``ModelConfig``, ``DatasetMixtureConfig``, and the trainer
    configs of SFT, DPO and GRPO)."""
    from importlib.metadata import version

    from lrplot.signals import interrupts_deferred

    with interrupts_deferred():
        from trl.scripts.utils import DatasetMixtureConfig, ScriptArguments
        from trl.trainer.dpo_config import DPOConfig
        from trl.trainer.grpo_config import GRPOConfig
        from trl.trainer.model_config import ModelConfig
        from trl.trainer.sft_config import SFTConfig

    kinds = (ScriptArguments, ModelConfig, DatasetMixtureConfig, SFTConfig, DPOConfig, GRPOConfig)
    names = {f.name for kind in kinds for f in dataclasses.fields(kind) if f.init}
    return version("trl"), frozenset(names)


def _installed_trl() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("trl")
    except PackageNotFoundError:
        return None


def _converter(field_type: Any) -> tuple[str, Any] | None:
    """The argparse type ``HfArgumentParser`` gives a field of ``field_type`` whose text
    it converts to something else (float, int, bool; ``X | None`` as ``X``), with its
    name as argparse's errors give it."""
    import types
    import typing

    from trl.scripts._hf_argparser import string_to_bool

    if isinstance(field_type, types.UnionType) or typing.get_origin(field_type) is typing.Union:
        kinds = [kind for kind in typing.get_args(field_type) if kind is not type(None)]
        field_type = kinds[0] if len(kinds) == 1 else None
    if field_type is float:
        return "float", float
    if field_type is int:
        return "int", int
    if field_type is bool:
        return "string_to_bool", string_to_bool
    return None


def as_training_arguments(
    document: ConfigDocument, field_types: Mapping[str, Any]
) -> tuple[ConfigDocument, tuple[str, ...]]:
    """``document`` (a TRL ``--config`` file's data) as TrainingArguments' keys, as
    ``TrlParser`` gives them to the trainer config, and the notices of reading it:
    ``env:`` not applied, keys of TRL's other dataclasses left out, keys of none named,
    text converted by its field's type. ``field_types``: TrainingArguments' fields' types."""
    source = document.source
    installed = _installed_trl()
    if installed is None:
        raise ConfigError(
            f"a TRL --config file is read as trl's TrlParser reads it, and trl is not "
            f"installed: {INSTALL_TRL}",
            source=source,
        )
    _, known = trl_fields()
    data: dict[str, Any] = dict(document.data)
    notices: list[str] = []

    error = document.error

    if "env" in data:
        env = data.pop("env")
        if not isinstance(env, Mapping):
            raise error("env", "`env` field should be a dict in the YAML file (TrlParser)")
        if env:
            notices.append(
                f"{source}: env: not applied: TrlParser sets these environment variables "
                f"({', '.join(sorted(map(str, env)))}), which lrplot never does; planned "
                "without them"
            )
    unknown = [key for key in data if key not in known and key not in field_types]
    if unknown:
        hint = did_you_mean(unknown[0], sorted(known | set(field_types)))
        notices.append(
            f"{source}: {unknown[0]}: not read: no dataclass of trl {installed}'s scripts has "
            f"{sorted(unknown)}{hint}; TrlParser.parse_args_and_config fails on them "
            "(Unknown arguments from config file) unless the script passes "
            "fail_with_unknown_args=False (as trl's own scripts do, ignoring them), or its "
            "own dataclass reads them"
        )
    if "learning_rate" not in data:
        raise error(
            None,
            "learning_rate: not given, and a TRL trainer config's default is its own "
            f"({LR_DEFAULTS}): give learning_rate",
        )
    converted = []
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key not in field_types:
            continue
        how = _converter(field_types[key])
        if isinstance(value, str) and how is not None:
            name, convert = how
            try:
                value = convert(value)
            except (TypeError, ValueError, ArgumentTypeError) as e:
                said = f"invalid {name} value: {value!r}"
                if isinstance(e, ArgumentTypeError):
                    said = str(e)  # argparse says its message
                raise error(
                    key, f"argument --{key}: {said} (TrlParser, as argparse converts it)"
                ) from None
            converted.append(f"{key} {excerpt(data[key])} to {value!r}")
        kept[key] = value
    said = "; text converted by each field's type: " + ", ".join(converted) if converted else ""
    notices.insert(
        0,
        f"{source}: read as a TRL --config file, as trl {installed}'s TrlParser reads it: "
        f"its keys the defaults of argparse options{said}",
    )
    lines = {k: v for k, v in document.lines.items() if k.split(".")[0].split("[")[0] in kept}
    return dataclasses.replace(document, data=kept, lines=lines), tuple(notices)
