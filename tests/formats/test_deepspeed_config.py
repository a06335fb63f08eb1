"""DeepSpeed's ds_config.json read as it is: its scheduler block run as its engine runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.formats import recognise
from tests.schedulers.test_deepspeed import column, deepspeed_run, hexes, rendered

DS_CONFIG: dict[str, Any] = {
    "train_micro_batch_size_per_gpu": 8,
    "gradient_accumulation_steps": 4,
    "optimizer": {"type": "AdamW", "params": {"lr": 3e-4, "betas": [0.9, 0.95]}},
    "scheduler": {
        "type": "WarmupCosineLR",
        "params": {"total_num_steps": 60, "warmup_num_steps": 8, "warmup_type": "linear"},
    },
    "zero_optimization": {"stage": 2},
}


@pytest.fixture(scope="module")
def lr_schedules() -> Any:
    pytest.importorskip("deepspeed")
    return pytest.importorskip("deepspeed.runtime.lr_schedules")


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "ds_config.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def test_a_ds_config_is_told_by_its_keys() -> None:
    assert recognise(DS_CONFIG) == "deepspeed"
    assert recognise({"scheduler": {"type": "WarmupLR", "params": {}}}) == "deepspeed"
    assert recognise({"train_batch_size": 32}) == "deepspeed"
    # near misses: lrplot's own scheduler takes its arguments flat; TrainingArguments
    assert recognise({"scheduler": {"type": "StepLR", "step_size": 3}}) == "lrplot"
    assert recognise({"gradient_accumulation_steps": 4, "max_steps": 10}) == "transformers"
    # bf16 and fp16 are blocks in DeepSpeed's config, and booleans in TrainingArguments'.
    assert recognise({"bf16": {"enabled": True}}) == "deepspeed"
    assert recognise({"learning_rate": 2e-5, "bf16": True, "fp16": False}) == "transformers"


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("WarmupCosineLR", {"total_num_steps": 60, "warmup_num_steps": 8}),
        ("WarmupDecayLR", {"total_num_steps": 60, "warmup_max_lr": 3e-4, "warmup_num_steps": 8}),
    ],
)
def test_a_ds_config_renders_deepspeeds_numbers(
    kind: str, params: dict[str, Any], lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, {**DS_CONFIG, "scheduler": {"type": kind, "params": params}})
    rows, stderr = rendered(runner, path)
    expected = deepspeed_run(lr_schedules, kind, params, steps=60, lr=3e-4)
    assert column(rows, "lr") == hexes(expected["lr"][0])
    assert stderr == (
        f"Notice: {path}: DeepSpeed's plan: deepspeed.{kind} stepped after each of "
        "total_num_steps 60 optimizer steps\n"
    )


def test_a_torch_scheduler_named_in_a_ds_config_is_torchs(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        {"scheduler": {"type": "StepLR", "params": {"step_size": 3, "total_num_steps": 9}}},
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: scheduler.params.total_num_steps: unknown argument of "
        "StepLR; StepLR takes: step_size, gamma=0.1 (line 6)\n"
    )


def said(runner: CliRunner, path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(path), *args])
    return result.exit_code, result.stderr


def test_auto_says_which_option_gives_it(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    scheduler = {"type": "WarmupDecayLR", "params": {"total_num_steps": "auto"}}
    path = write(tmp_path, {**DS_CONFIG, "scheduler": scheduler})
    assert said(runner, path) == (
        1,
        f'Error: {path}: scheduler.params.total_num_steps: "auto" is filled in by HF\'s '
        "Trainer (from num_training_steps, the run's optimizer steps) when DeepSpeed runs "
        "under it; a ds_config.json alone holds no value for it: give one with --set "
        "scheduler.params.total_num_steps=VALUE (line 17)\n",
    )
    code, _ = said(runner, path, "--set", "scheduler.params.total_num_steps=40")
    assert code == 0


def test_a_ds_config_without_a_length_or_a_scheduler_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, {**DS_CONFIG, "scheduler": {"type": "WarmupLR", "params": {}}})
    assert said(runner, path) == (
        1,
        f"Error: {path}: scheduler.type: 'WarmupLR' runs as long as training does, which a "
        "ds_config.json does not say (it has no total_num_steps): write an lrplot config of "
        "type: deepspeed.WarmupLR with epochs and steps_per_epoch (line 15)\n",
    )
    bare = {k: v for k, v in DS_CONFIG.items() if k != "scheduler"}
    path = write(tmp_path, bare)
    assert said(runner, path) == (
        1,
        f"Error: {path}: this DeepSpeed config has no scheduler block: DeepSpeed then runs "
        "the scheduler its client passes, or none; there is no schedule to plot\n",
    )


def test_deepspeeds_refusal_names_the_files_key(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    scheduler = {
        "type": "WarmupCosineLR",
        "params": {"total_num_steps": 60, "warmup_num_steps": 0},
    }
    path = write(tmp_path, {**DS_CONFIG, "scheduler": scheduler})
    assert said(runner, path) == (
        1,
        f"Error: {path}: scheduler.params.warmup_num_steps: DeepSpeed rejected the arguments "
        "of WarmupCosineLR: warmup_num_steps must be a positive integer, got 0 (line 18)\n",
    )


def test_list_and_the_schema_know_deepspeeds_schedulers(
    lr_schedules: Any, runner: CliRunner
) -> None:
    from importlib.metadata import version

    listed = runner.invoke(cli, ["list"])
    assert listed.exit_code == 0, listed.stderr
    assert (
        f"\nSchedulers of DeepSpeed {version('deepspeed')} (type: deepspeed.NAME, stepped "
        "every batch):\n  WarmupLR  " in listed.stdout
    )
    one = runner.invoke(cli, ["list", "deepspeed.WarmupDecayLR"])
    assert one.exit_code == 0, one.stderr
    assert one.stdout.startswith(
        "deepspeed.WarmupDecayLR (scheduler, deepspeed.runtime.lr_schedules): "
    )
    assert "\n    type: deepspeed.WarmupDecayLR\n    total_num_steps: 100\n" in one.stdout
    schema = runner.invoke(cli, ["schema"])
    assert schema.exit_code == 0, schema.stderr
    assert '"const": "deepspeed.OneCycle"' in schema.stdout
