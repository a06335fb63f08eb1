"""DeepSpeed's ds_config.json read as it is: its scheduler block run as its engine runs it."""

from __future__ import annotations

import csv
import io
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
        "ds_config.json does not say (it has no total_num_steps): give the run with "
        "--dataset-size N and --epochs N (and --world-size N for more than one process), or "
        "set scheduler.params.total_num_steps (line 15)\n",
    )
    assert said(runner, path, "--dataset-size", "100") == (
        1,
        f"Error: {path}: scheduler.type: 'WarmupLR' runs as long as training does, which a "
        "ds_config.json does not say (it has no total_num_steps): give the run with "
        "--epochs N (and --world-size N for more than one process), or set "
        "scheduler.params.total_num_steps (line 15)\n",
    )
    bare = {k: v for k, v in DS_CONFIG.items() if k != "scheduler"}
    path = write(tmp_path, bare)
    assert said(runner, path) == (
        1,
        f"Error: {path}: this DeepSpeed config has no scheduler block: DeepSpeed then runs "
        "the scheduler its client passes, or none; there is no schedule to plot\n",
    )


def engine_steps(
    *, dataset_size: int, epochs: int, micro: int, accum: int, world: int, drop_last: bool
) -> int:
    """The optimizer steps of a plain loop as DeepSpeed's engine runs it: rank 0's
    DataLoader over a DistributedSampler (deepspeed_io), the optimizer stepped at each
    accumulation boundary, ``(micro_steps + 1) % accum == 0`` over the whole run."""
    import torch
    from torch.utils.data import DataLoader, DistributedSampler

    data = torch.utils.data.TensorDataset(torch.arange(dataset_size))
    sampler: DistributedSampler[Any] = DistributedSampler(
        data, num_replicas=world, rank=0, shuffle=False
    )
    loader = DataLoader(data, batch_size=micro, sampler=sampler, drop_last=drop_last)
    micro_steps = steps = 0
    for _ in range(epochs):
        for _batch in loader:
            if (micro_steps + 1) % accum == 0:
                steps += 1
            micro_steps += 1
    return steps


RUNS: list[tuple[dict[str, Any], int, tuple[int, int]]] = [
    # (the file's batch keys, --world-size, (micro-batch, accumulation) as DeepSpeedConfig's
    # _set_batch_related_parameters resolves them)
    ({"train_micro_batch_size_per_gpu": 8, "gradient_accumulation_steps": 3}, 1, (8, 3)),
    # accumulation = 48 // 8 // 2; its remainder carries over epochs
    ({"train_batch_size": 48, "train_micro_batch_size_per_gpu": 8}, 2, (8, 3)),
    # micro = 30 // 1 // 3
    (
        {"train_batch_size": 30, "gradient_accumulation_steps": 3, "dataloader_drop_last": True},
        1,
        (10, 3),
    ),
    # accumulation 1, micro = 16 // 2
    ({"train_batch_size": 16}, 2, (8, 1)),
]


@pytest.mark.parametrize(("batch", "world", "resolved"), RUNS)
@pytest.mark.parametrize("kind", ["WarmupDecayLR", "WarmupCosineLR"])
def test_without_total_num_steps_the_run_comes_from_the_data(
    kind: str,
    batch: dict[str, Any],
    world: int,
    resolved: tuple[int, int],
    lr_schedules: Any,
    runner: CliRunner,
    tmp_path: Path,
) -> None:
    import torch

    params = {"warmup_num_steps": 5, "warmup_type": "linear"}
    data = {
        **batch,
        "optimizer": {"type": "AdamW", "params": {"lr": 3e-4}},
        "scheduler": {"type": kind, "params": params},
    }
    path = write(tmp_path, data)
    micro, accum = resolved
    total = engine_steps(
        dataset_size=203,
        epochs=3,
        micro=micro,
        accum=accum,
        world=world,
        drop_last=batch.get("dataloader_drop_last", False),
    )
    opt = torch.optim.AdamW([torch.zeros(1, 1)], lr=3e-4)
    scheduler = getattr(lr_schedules, kind)(opt, total_num_steps=total, **params)
    expected = []
    for _ in range(total):
        expected.append(opt.param_groups[0]["lr"])
        scheduler.step()
    args = ["--dataset-size", "203", "--epochs", "3", "--world-size", str(world)]
    result = runner.invoke(cli, ["render", str(path), "-f", "csv", "-o", "-", *args])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert column(rows, "lr") == hexes(expected)
    assert "stepped after each of the run's 203 samples" in result.stderr
    assert f"= {total:,} optimizer steps (its total_num_steps, which the file leaves" in (
        result.stderr
    )


def test_the_runs_arithmetic_is_shown(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    data = {
        "train_batch_size": 48,
        "train_micro_batch_size_per_gpu": 8,
        "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 5}},
    }
    path = write(tmp_path, data)
    result = runner.invoke(
        cli,
        ["validate", str(path), "--dataset-size", "203", "--epochs", "3", "--world-size", "2"],
    )
    assert result.exit_code == 0, result.stderr
    assert (
        f"Notice: {path}: DeepSpeed's plan: deepspeed.WarmupLR stepped after each of the "
        "run's 203 samples / 2 processes = 102 each / 8 per micro-batch = 13 batches x 3 "
        "epochs / 3 accumulated (counted over the run) = 13 optimizer steps\n"
    ) in result.stderr
    assert (
        engine_steps(dataset_size=203, epochs=3, micro=8, accum=3, world=2, drop_last=False) == 13
    )


@pytest.mark.parametrize(
    ("batch", "args", "message"),
    [
        (
            {"gradient_accumulation_steps": 2},
            [],
            "Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided "
            "(DeepSpeed's config): the micro-batch counts the data's batches",
        ),
        (
            {
                "train_batch_size": 32,
                "train_micro_batch_size_per_gpu": 8,
                "gradient_accumulation_steps": 4,
            },
            ["--world-size", "2"],
            "train_batch_size: Check batch related parameters. train_batch_size is not equal "
            "to micro_batch_per_gpu * gradient_acc_step * world_size 32 != 8 * 4 * 2 "
            "(DeepSpeed's config; --world-size N gives the processes) (line 2)",
        ),
        (
            {"train_batch_size": 4, "train_micro_batch_size_per_gpu": 8},
            [],
            "gradient_accumulation_steps is 0 as DeepSpeed's config resolves it (with 1 "
            "process): it has to be greater than 0",
        ),
        (
            {"train_micro_batch_size_per_gpu": "auto"},
            [],
            'train_micro_batch_size_per_gpu: "auto" is filled in by HF\'s Trainer (from '
            "per_device_train_batch_size) when DeepSpeed runs under it; a ds_config.json alone "
            "holds no value for it: give one with --set train_micro_batch_size_per_gpu=VALUE "
            "(line 2)",
        ),
        (
            {"train_micro_batch_size_per_gpu": 300, "dataloader_drop_last": True},
            [],
            "train_micro_batch_size_per_gpu: the data makes no optimizer step: 203 samples / "
            "300 per micro-batch = 0 batches x 3 epochs = 0 optimizer steps (line 2)",
        ),
    ],
)
def test_batch_settings_deepspeed_refuses_are_one_error(
    batch: dict[str, Any], args: list[str], message: str, runner: CliRunner, tmp_path: Path
) -> None:
    data = {**batch, "scheduler": {"type": "WarmupLR", "params": {}}}
    path = write(tmp_path, data)
    assert said(runner, path, "--dataset-size", "203", "--epochs", "3", *args) == (
        1,
        f"Error: {path}: {message}\n",
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


def test_a_warm_up_as_long_as_the_ds_configs_run_is_warned_of(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    """Alone, a ds_config's run is its total_num_steps: a warm-up past it never ends, one
    at it leaves no decay; one step short of it is quiet."""

    def warnings_of(warmup: int) -> list[str]:
        params = {"warmup_num_steps": warmup, "total_num_steps": 300}
        path = write(tmp_path, {"scheduler": {"type": "WarmupCosineLR", "params": params}})
        code, stderr = said(runner, path)
        assert code == 0, stderr
        return [line for line in stderr.splitlines() if line.startswith("Warning:")]

    path = tmp_path / "ds_config.json"
    assert warnings_of(500) == [
        f"Warning: {path}: scheduler.params.warmup_num_steps: WarmupCosineLR is stepped 300 "
        "times, so its warmup_num_steps of 500 never ends (line 5) [horizon-long]",
    ]
    assert warnings_of(300) == [
        f"Warning: {path}: scheduler.params.warmup_num_steps: warmup_num_steps is 300, at "
        "total_num_steps 300: WarmupCosineLR's warm-up takes all of its schedule, so it never "
        "decays; a warmup_num_steps below 300 leaves it its decay (line 5) [horizon-long]",
    ]
    assert warnings_of(299) == []
