"""TRL ``--config`` recipes against trl itself: each parsed by ``trl.TrlParser`` (SFT's
dataclasses, as trl's sft script parses them) and trained by a real ``Trainer``
(tests/trainers.py), and planned by ``lrplot render``: the same lr at every step, bit for bit."""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.formats.test_transformers_args import assert_same, planned, said
from tests.trainers import Trainers

pytest.importorskip("trl")

UNTRAINED = frozenset(
    {
        *("output_dir", "bf16", "use_cpu", "report_to", "seed", "log_level", "logging_steps"),
        *("logging_strategy", "save_strategy", "save_steps", "save_total_limit"),
        *("push_to_hub", "hub_model_id", "eval_strategy", "do_eval"),
        *("gradient_checkpointing", "gradient_checkpointing_kwargs"),
    }
)
"""What the test Trainer sets itself (tests/trainers.py), the CPU cannot run, or logs,
saves and evaluates: none of it changes the lr an optimizer step uses."""


def trl_parsed(path: Path) -> dict[str, Any]:
    """The TrainingArguments fields of the file as ``TrlParser`` gives them to SFTConfig
    (``fail_with_unknown_args=False``, as trl's sft script), its ``env:`` undone."""
    from transformers import TrainingArguments
    from trl.scripts.utils import DatasetMixtureConfig, ScriptArguments, TrlParser
    from trl.trainer.model_config import ModelConfig
    from trl.trainer.sft_config import SFTConfig

    kinds: Any = (ScriptArguments, SFTConfig, ModelConfig, DatasetMixtureConfig)
    parser = TrlParser(kinds)
    before = dict(os.environ)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = parser.parse_args_and_config(
            ["--config", str(path), "--bf16", "false", "--use_cpu", "true"],
            fail_with_unknown_args=False,
        )
    os.environ.clear()
    os.environ.update(before)
    config = parsed[1]
    import yaml

    keys = yaml.safe_load(path.read_text())
    fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    return {key: getattr(config, key) for key in keys if key in fields and key not in UNTRAINED}


RECIPE = """\
# an SFT recipe, as trl's sft script reads it (trl sft --config recipe.yaml)
model_name_or_path: Qwen/Qwen2.5-0.5B
dataset_name: trl-lib/Capybara
max_length: 1024
packing: true
bf16: true
learning_rate: 2e-5
lr_scheduler_type: cosine_with_min_lr
lr_scheduler_kwargs:
  min_lr_rate: 0.1
warmup_steps: 1e-1
num_train_epochs: 3
per_device_train_batch_size: 8
gradient_accumulation_steps: '2'
output_dir: Qwen2.5-0.5B-SFT
env:
  WANDB_PROJECT: sft
"""


def test_a_recipe_plans_as_trlparser_and_the_trainer_run_it(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "recipe.yaml"
    path.write_text(RECIPE)
    fields = trl_parsed(path)
    assert fields["learning_rate"] == 2e-5  # text to PyYAML, a float to TrlParser
    assert fields["gradient_accumulation_steps"] == 2
    run = trainers.hf(**fields, dataset_size=60)
    rows, stderr = planned(runner, path, "--dataset-size", "60")
    assert_same(rows, run)
    assert stderr.splitlines()[:2] == [
        f"Notice: {path}: read as a TRL --config file, as trl 1.16.0's TrlParser reads it: "
        "its keys the defaults of argparse options; text converted by each field's type: "
        "learning_rate '2e-5' to 2e-05, warmup_steps '1e-1' to 0.1, "
        "gradient_accumulation_steps '2' to 2",
        f"Notice: {path}: env: not applied: TrlParser sets these environment variables "
        "(WANDB_PROJECT), which lrplot never does; planned without them",
    ]


def test_the_same_file_read_as_hfargumentparser_keeps_the_text(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "recipe.yaml"
    text = "output_dir: out\nmax_steps: 10\nlearning_rate: 2e-5\n"
    assert said(runner, path, text, "--dataset-size", "60", "--config-format", "transformers") == (
        1,
        f"Error: {path}: learning_rate: '2e-5' is text, not a number, for HfArgumentParser, "
        "which keeps it so, and the Trainer fails on it: PyYAML (YAML 1.1) reads a number "
        "only with a dot and a signed exponent: write 2.0e-5 (line 3)\n",
    )


def test_keys_no_dataclass_has_are_named(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "recipe.yaml"
    path.write_text(
        "model_name_or_path: m\nlearning_rat: 1.0e-3\nlearning_rate: 1.0e-3\nmax_steps: 10\n"
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1] == (
        f"Notice: {path}: learning_rat: not read: no dataclass of trl 1.16.0's scripts has "
        "['learning_rat'] (did you mean learning_rate?); TrlParser.parse_args_and_config "
        "fails on them (Unknown arguments from config file) unless the script passes "
        "fail_with_unknown_args=False (as trl's own scripts do, ignoring them), or its own "
        "dataclass reads them"
    )
    # near miss: every key a field of one of trl's dataclasses
    path.write_text("model_name_or_path: m\npacking: true\nlearning_rate: 1.0e-3\nmax_steps: 10\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "not read" not in result.stderr
    assert result.stderr.startswith(
        f"Notice: {path}: read as a TRL --config file, as trl 1.16.0's TrlParser reads it: "
        "its keys the defaults of argparse options\n"
    )


TRL_REFUSED = {
    "text argparse cannot convert": (
        "model_name_or_path: m\nlearning_rate: fast\nmax_steps: 10\n",
        "learning_rate: argument --learning_rate: invalid float value: 'fast' (TrlParser, "
        "as argparse converts it) (line 2)",
    ),
    "a flag argparse cannot convert": (
        "model_name_or_path: m\nlearning_rate: 1.0e-3\nmax_steps: 10\n"
        "dataloader_drop_last: maybe\n",
        "dataloader_drop_last: argument --dataloader_drop_last: Truthy value expected: got "
        "maybe but expected one of yes/no, true/false, t/f, y/n, 1/0 (case insensitive). "
        "(TrlParser, as argparse converts it) (line 4)",
    ),
    "env not a mapping": (
        "model_name_or_path: m\nlearning_rate: 1.0e-3\nmax_steps: 10\nenv: [A]\n",
        "env: `env` field should be a dict in the YAML file (TrlParser) (line 4)",
    ),
    "no learning_rate": (
        "model_name_or_path: m\nmax_steps: 10\n",
        "learning_rate: not given, and a TRL trainer config's default is its own "
        "(SFTConfig's 2e-05, DPOConfig's and GRPOConfig's 1e-06): give learning_rate",
    ),
}


@pytest.mark.parametrize("name", TRL_REFUSED)
def test_each_trl_refusal_in_its_exact_words(name: str, runner: CliRunner, tmp_path: Path) -> None:
    text, message = TRL_REFUSED[name]
    path = tmp_path / "recipe.yaml"
    assert said(runner, path, text) == (1, f"Error: {path}: {message}\n")


def test_the_format_can_be_named(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "args.yaml"  # no key of TRL's scripts: TrainingArguments, unless named
    text = "learning_rate: 2e-5\nmax_steps: 10\n"
    assert said(runner, path, text)[0] == 1
    assert said(runner, path, text, "--config-format", "trl") == (0, "")
