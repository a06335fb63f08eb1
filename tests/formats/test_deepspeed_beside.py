"""A ds_config beside HF TrainingArguments (``deepspeed:``), against transformers and DeepSpeed:
``HfArgumentParser`` parses the same file, transformers' own ``HfTrainerDeepSpeedConfig``
fills its ``"auto"`` values, and DeepSpeed's class is stepped in a plain loop."""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.schedulers.test_deepspeed import column, deepspeed_run, hexes
from tests.trainers import Trainers

ZERO = {"zero_optimization": {"stage": 0}}

AUTO_DECAY: dict[str, Any] = {
    **ZERO,
    "train_micro_batch_size_per_gpu": "auto",
    "gradient_accumulation_steps": "auto",
    "optimizer": {
        "type": "AdamW",
        "params": {"lr": "auto", "betas": "auto", "eps": "auto", "weight_decay": "auto"},
    },
    "scheduler": {
        "type": "WarmupDecayLR",
        "params": {
            "warmup_min_lr": "auto",
            "warmup_max_lr": "auto",
            "warmup_num_steps": "auto",
            "total_num_steps": "auto",
        },
    },
}


@pytest.fixture(scope="module")
def lr_schedules() -> Any:
    pytest.importorskip("deepspeed")
    pytest.importorskip("accelerate")
    return pytest.importorskip("deepspeed.runtime.lr_schedules")


def trainers_config(args_path: Path, num_training_steps: int | None = None) -> tuple[Any, Any]:
    """The TrainingArguments ``HfArgumentParser`` makes of the file (which resolves
    ``deepspeed:`` from the current folder: the file's, here) and the DeepSpeed config
    transformers fills for it (``trainer_config_process`` when the arguments are made, then
    ``trainer_config_finalize`` with ``num_training_steps``, by default ``max_steps``)."""
    from transformers import HfArgumentParser, TrainingArguments
    from transformers.integrations.deepspeed import unset_hf_deepspeed_config

    parser = HfArgumentParser(cast(Any, TrainingArguments))
    with contextlib.chdir(args_path.parent), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (args,) = parser.parse_yaml_file(args_path)
    try:
        steps = num_training_steps if num_training_steps is not None else args.max_steps
        args.hf_deepspeed_config.trainer_config_finalize(args, object(), steps)
        return args, args.hf_deepspeed_config.config
    finally:
        unset_hf_deepspeed_config()  # type: ignore[no-untyped-call]


def reference(lr_schedules: Any, args: Any, config: dict[str, Any], steps: int) -> list[Any]:
    """Each param group's lr before each of ``steps`` optimizer steps: DeepSpeed's class of
    the filled ``scheduler`` block over the ``optimizer`` block's lr (one group), or over the
    Trainer's optimizer (its two groups, decay and no decay), stepped after each step."""
    scheduler = config["scheduler"]
    if "optimizer" in config:
        lr, groups = config["optimizer"]["params"].get("lr", 0.001), None
    else:
        lr, groups = args.learning_rate, [{"weight_decay": args.weight_decay}, {"weight_decay": 0}]
    run = deepspeed_run(
        lr_schedules, scheduler["type"], scheduler["params"], steps=steps, lr=lr, groups=groups
    )
    return run["lr"]


def planned(runner: CliRunner, path: Path, *options: str) -> tuple[list[dict[str, str]], str]:
    import csv
    import io

    result = runner.invoke(cli, ["render", str(path), "-f", "csv", "-o", "-", *options])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def write(tmp_path: Path, arguments: str, ds: dict[str, Any] | None = None) -> Path:
    if ds is not None:
        (tmp_path / "ds_config.json").write_text(json.dumps(ds, indent=2) + "\n")
    path = tmp_path / "args.yaml"
    path.write_text(arguments)
    return path


CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "decay-all-auto": (
        "output_dir: out\nlearning_rate: 1.0e-3\nwarmup_steps: 0.1\nmax_steps: 30\n"
        "deepspeed: ds_config.json\n",
        AUTO_DECAY,
    ),
    "cosine-linear-warmup": (
        "output_dir: out\nlearning_rate: 3.0e-4\nwarmup_steps: 5\nmax_steps: 25\n"
        "per_device_train_batch_size: 4\ngradient_accumulation_steps: 2\n"
        "deepspeed: ds_config.json\n",
        {
            **ZERO,
            "train_batch_size": "auto",
            "gradient_accumulation_steps": 2,
            "optimizer": {"type": "AdamW", "params": {"lr": 3e-4}},
            "scheduler": {
                "type": "WarmupCosineLR",
                "params": {
                    "total_num_steps": "auto",
                    "warmup_num_steps": "auto",
                    "warmup_type": "linear",
                    "cos_min_ratio": 0.1,
                },
            },
        },
    ),
    "warmup-without-warmup-steps": (
        # get_warmup_steps is 0: the Trainer fills max(1, 0)
        "output_dir: out\nlearning_rate: 2.0e-4\nmax_steps: 12\ndeepspeed: ds_config.json\n",
        {
            **ZERO,
            "scheduler": {
                "type": "WarmupLR",
                "params": {"warmup_max_lr": "auto", "warmup_num_steps": "auto"},
            },
        },
    ),
    "one-cycle-trainers-optimizer": (
        # no optimizer block: the Trainer's, over its two param groups
        "output_dir: out\nlearning_rate: 1.0e-3\nweight_decay: 0.01\nmax_steps: 40\n"
        "deepspeed: ds_config.json\n",
        {
            **ZERO,
            "scheduler": {
                "type": "OneCycle",
                "params": {
                    "cycle_min_lr": 1e-4,
                    "cycle_max_lr": 1e-3,
                    "cycle_first_step_size": 10,
                    "decay_step_size": 5,
                    "decay_lr_rate": 0.5,
                    "cycle_momentum": False,
                },
            },
        },
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_ds_config_beside_training_arguments_runs_as_under_the_trainer(
    name: str, lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    arguments, ds = CASES[name]
    path = write(tmp_path, arguments, ds)
    args, config = trainers_config(path)
    expected = reference(lr_schedules, args, config, args.max_steps)
    rows, stderr = planned(runner, path)
    assert len(rows) == args.max_steps
    if len(expected) == 1:
        assert column(rows, "lr") == hexes(expected[0])
    else:
        assert column(rows, "lr_decay") == hexes(expected[0])
        assert column(rows, "lr_no_decay") == hexes(expected[1])
    assert "ds_config.json's scheduler block replaces lr_scheduler_type: deepspeed." in stderr


def test_a_run_planned_by_epochs_has_the_trainers_steps(
    lr_schedules: Any, trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    arguments = (
        "output_dir: out\nlearning_rate: 1.0e-3\nwarmup_steps: 0.2\nnum_train_epochs: 3\n"
        "gradient_accumulation_steps: 3\n"
    )
    run = trainers.hf(
        learning_rate=1e-3,
        warmup_steps=0.2,
        num_train_epochs=3,
        gradient_accumulation_steps=3,
        dataset_size=60,
    )
    path = write(tmp_path, arguments + "deepspeed: ds_config.json\n", AUTO_DECAY)
    args, config = trainers_config(path, run.optimizer_steps)
    expected = reference(lr_schedules, args, config, run.optimizer_steps)
    rows, stderr = planned(runner, path, "--dataset-size", "60")
    assert len(rows) == run.optimizer_steps
    assert column(rows, "lr") == hexes(expected[0])
    assert config["scheduler"]["params"]["total_num_steps"] == run.optimizer_steps
    assert (
        f"{path.parent / 'ds_config.json'}'s scheduler block replaces lr_scheduler_type: "
        f'deepspeed.WarmupDecayLR, its "auto" values filled as the Trainer fills them '
        f"(total_num_steps = {run.optimizer_steps}, warmup_num_steps = max(1, "
    ) in stderr


@pytest.mark.parametrize("inline", ["mapping", "json-text"])
def test_a_ds_config_given_inline_runs_the_same(
    inline: str, lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    ds = json.dumps(AUTO_DECAY)
    given = ds if inline == "mapping" else json.dumps(ds)  # JSON is YAML: a mapping, or text
    path = write(
        tmp_path,
        "output_dir: out\nlearning_rate: 1.0e-3\nwarmup_steps: 3\nmax_steps: 20\n"
        f"deepspeed: {given}\n",
    )
    args, config = trainers_config(path)
    expected = reference(lr_schedules, args, config, 20)
    rows, stderr = planned(runner, path)
    assert column(rows, "lr") == hexes(expected[0])
    assert "the deepspeed config's scheduler block replaces lr_scheduler_type" in stderr


def test_without_a_scheduler_block_the_trainers_schedule_runs(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    from transformers import get_scheduler

    arguments = (
        "output_dir: out\nlearning_rate: 1.0e-3\nlr_scheduler_type: cosine\nwarmup_steps: 4\n"
        "max_steps: 20\ndeepspeed: ds_config.json\n"
    )
    ds = {**ZERO, "optimizer": {"type": "AdamW", "params": {"lr": "auto"}}}
    path = write(tmp_path, arguments, ds)
    args, config = trainers_config(path)
    import torch

    # deepspeed_optim_sched: DeepSpeed's optimizer of the block, the Trainer's scheduler over it
    opt = torch.optim.AdamW([torch.zeros(1)], lr=config["optimizer"]["params"]["lr"])
    scheduler = get_scheduler(
        "cosine", opt, num_warmup_steps=args.get_warmup_steps(20), num_training_steps=20
    )
    expected = []
    for _ in range(20):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    rows, stderr = planned(runner, path)
    assert column(rows, "lr") == hexes(expected)
    assert (
        f"get_scheduler('cosine') ({path.parent / 'ds_config.json'} has no scheduler block: "
        "the Trainer's own runs)\n"
    ) in stderr


def said(runner: CliRunner, path: Path) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(path)])
    return result.exit_code, result.stderr


def test_a_ds_config_that_cannot_be_read_is_one_error(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (tmp_path / "outside.json").write_text(json.dumps(AUTO_DECAY))
    (folder / "bad.json").write_text('{"scheduler": {"type": "WarmupLR",}}\n')
    (folder / "list.json").write_text("[1, 2]\n")
    head = "output_dir: out\nmax_steps: 10\n"
    cases = {
        "missing.json": "missing.json: file not found",
        "../outside.json": "../outside.json: is outside the TrainingArguments file's folder; "
        "lrplot reads only a DeepSpeed config beside it or below its folder",
        "bad.json": "bad.json, line 1, column 35: not JSON (HF's Trainer reads it with "
        "json.load): Expecting property name enclosed in double quotes",
        "list.json": "list.json: expected a mapping of DeepSpeed's settings, got a list of 2 "
        "items",
        ".hidden.json": ".hidden.json: is a hidden file (its name, or a folder's on its way, "
        "starts with a dot); lrplot does not read one",
        "3": "expected the path of a DeepSpeed config (a JSON file), or a mapping of its "
        "settings, got 3",
    }
    for name, message in cases.items():
        path = folder / "args.yaml"
        path.write_text(head + f"deepspeed: {name}\n")
        assert said(runner, path) == (1, f"Error: {path}: deepspeed: {message} (line 3)\n")


def test_a_ds_config_the_trainer_refuses_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    head = "output_dir: out\nlearning_rate: 1.0e-3\nmax_steps: 10\ndeepspeed: ds_config.json\n"
    path = write(tmp_path, head, {k: v for k, v in AUTO_DECAY.items() if k != "zero_optimization"})
    ds_path = tmp_path / "ds_config.json"
    assert said(runner, path) == (
        1,
        f"Error: {ds_path}: Please specify the ZeRO optimization config in the DeepSpeed "
        "config (accelerate's DeepSpeedPlugin, which HF's Trainer runs DeepSpeed with, "
        'refuses one without zero_optimization: {"stage": 0} is none)\n',
    )
    mismatched = json.loads(json.dumps(AUTO_DECAY))
    mismatched["optimizer"]["params"]["lr"] = 3e-4
    mismatched["scheduler"]["params"]["total_num_steps"] = 100
    path = write(tmp_path, head, mismatched)
    assert said(runner, path) == (
        1,
        f"Error: {ds_path}: optimizer.params.lr: HF's Trainer refuses DeepSpeed config values "
        "that mismatch TrainingArguments' (trainer_config_finalize): ds "
        "optimizer.params.lr=0.0003 vs hf learning_rate=0.001; ds "
        "scheduler.params.total_num_steps=100 vs hf num_training_steps (calculated)=10; set "
        'them to "auto", or to the same values (line 10)\n',
    )


def test_a_ds_config_with_the_trainers_own_values_is_no_mismatch(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    head = "output_dir: out\nlearning_rate: 1.0e-3\nmax_steps: 10\ndeepspeed: ds_config.json\n"
    same = json.loads(json.dumps(AUTO_DECAY))
    same["optimizer"]["params"]["lr"] = 1e-3
    same["scheduler"]["params"]["total_num_steps"] = 10
    path = write(tmp_path, head, same)
    assert said(runner, path)[0] == 0  # DeepSpeed's class runs it: needs DeepSpeed


def test_an_auto_the_trainer_does_not_fill_is_refused(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    head = "output_dir: out\nmax_steps: 10\ndeepspeed: ds_config.json\n"
    ds = {**ZERO, "scheduler": {"type": "WarmupCosineLR", "params": {"cos_min_ratio": "auto"}}}
    path = write(tmp_path, head, ds)
    assert said(runner, path) == (
        1,
        f'Error: {tmp_path / "ds_config.json"}: scheduler.params.cos_min_ratio: "auto" is '
        "not a value HF's Trainer fills (it fills warmup_min_lr, warmup_max_lr, "
        'total_num_steps, warmup_num_steps): DeepSpeed would get the text "auto"; give a '
        "value (line 8)\n",
    )


def test_an_error_about_a_ds_config_key_names_its_file_and_line(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    head = "output_dir: out\nmax_steps: 10\ndeepspeed: ds_config.json\n"
    ds = {**ZERO, "scheduler": {"type": "WarmupLR", "params": {"warmup_nums": 3}}}
    path = write(tmp_path, head, ds)
    code, stderr = said(runner, path)
    assert code == 1
    assert stderr.startswith(
        f"Error: {tmp_path / 'ds_config.json'}: scheduler.params.warmup_nums: unknown argument "
    )
    assert stderr.endswith(" (line 8)\n")
    inline = {"scheduler": {"type": "WarmupLR", "params": {"warmup_nums": 3}}, **ZERO}
    path = write(tmp_path, head.replace("ds_config.json", json.dumps(inline)))
    code, stderr = said(runner, path)
    assert stderr.startswith(
        f"Error: {path}: deepspeed.scheduler.params.warmup_nums: unknown argument "
    )
    assert stderr.endswith(" (line 3)\n")


def test_the_example_renders_as_the_trainer_runs_it(lr_schedules: Any, runner: CliRunner) -> None:
    from tests.conftest import ROOT

    path = ROOT / "examples" / "deepspeed-trainer" / "training_args.yaml"
    args, config = trainers_config(path)
    expected = reference(lr_schedules, args, config, args.max_steps)
    rows, _ = planned(runner, Path(os.path.relpath(path)))
    assert len(rows) == args.max_steps
    assert column(rows, "lr") == hexes(expected[0])


# What a scheduler block replaces without a word: exact warnings, and near misses.

REPLACED_HEAD = "output_dir: out\nlearning_rate: 1.0e-3\nmax_steps: 100\n"


def decay_block(**params: Any) -> dict[str, Any]:
    return {**ZERO, "scheduler": {"type": "WarmupDecayLR", "params": params}}


def warned(runner: CliRunner, path: Path) -> list[str]:
    code, stderr = said(runner, path)
    assert code == 0, stderr
    return [line for line in stderr.splitlines() if line.startswith("Warning:")]


def test_what_a_scheduler_block_replaces_is_warned_of(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    arguments = (
        REPLACED_HEAD + "warmup_steps: 5\nlr_scheduler_type: cosine\n"
        "lr_scheduler_kwargs: {num_cycles: 2}\ndeepspeed: ds_config.json\n"
    )
    path = write(tmp_path, arguments, decay_block(total_num_steps="auto"))
    block = f"{tmp_path / 'ds_config.json'}'s scheduler block replaces the Trainer's schedule"
    assert warned(runner, path) == [
        f"Warning: {path}: lr_scheduler_type: cosine is not run: {block} (transformers' "
        "deepspeed_optim_sched), so DeepSpeed's WarmupDecayLR runs, not "
        "get_scheduler('cosine') (line 5) [ds-replaces]",
        f"Warning: {path}: lr_scheduler_kwargs: not used (num_cycles): {block}, so "
        "DeepSpeed's WarmupDecayLR runs without them (line 6) [ds-replaces]",
        f"Warning: {path}: warmup_steps: 5 (5 warm-up steps) is not used: {block}, and the "
        'Trainer fills its warmup_num_steps only where the block gives it as "auto": '
        "WarmupDecayLR warms up over its default warmup_num_steps; warmup_num_steps: "
        '"auto" takes the Trainer\'s (line 4) [ds-replaces]',
        f"Warning: {path}: deepspeed.scheduler.params.warmup_num_steps: WarmupDecayLR is "
        "stepped 100 times, so its warmup_num_steps of 1,000 never ends [horizon-long]",
    ]


def test_a_warm_up_a_block_without_one_takes_is_warned_of(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    one_cycle = {
        **ZERO,
        "scheduler": {
            "type": "OneCycle",
            "params": {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3, "cycle_first_step_size": 50},
        },
    }
    path = write(
        tmp_path, REPLACED_HEAD + "warmup_steps: 0.1\ndeepspeed: ds_config.json\n", one_cycle
    )
    assert warned(runner, path) == [
        f"Warning: {path}: warmup_steps: 0.1 (10 warm-up steps) is not used: "
        f"{tmp_path / 'ds_config.json'}'s scheduler block replaces the Trainer's schedule, "
        "and DeepSpeed's OneCycle takes no warmup_num_steps (line 4) [ds-replaces]",
    ]


@pytest.mark.parametrize(
    ("arguments", "params"),
    [
        # "auto": the Trainer fills the block with its warm-up and steps
        ("warmup_steps: 5\n", {"total_num_steps": "auto", "warmup_num_steps": "auto"}),
        # the default lr_scheduler_type, written out; no warm-up to lose
        ("lr_scheduler_type: linear\n", {"total_num_steps": "auto", "warmup_num_steps": "auto"}),
        # the Trainer's own value, given as a number: no mismatch, nothing lost
        ("warmup_steps: 5\n", {"total_num_steps": 100, "warmup_num_steps": 5}),
        # lr_scheduler_kwargs empty
        ("lr_scheduler_kwargs: {}\n", {"total_num_steps": "auto", "warmup_num_steps": "auto"}),
    ],
)
def test_what_a_scheduler_block_takes_from_the_trainer_stays_quiet(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path, arguments: str, params: dict[str, Any]
) -> None:
    path = write(
        tmp_path, REPLACED_HEAD + arguments + "deepspeed: ds_config.json\n", decay_block(**params)
    )
    assert warned(runner, path) == []


def test_a_warm_up_the_block_takes_keeps_the_trainers_warm_up_warnings(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    """warmup_num_steps "auto" is the Trainer's warm-up, so its mistakes are still the run's;
    a block without one takes none of it, and only that is said."""
    arguments = REPLACED_HEAD + "warmup_steps: 1.0\ndeepspeed: ds_config.json\n"
    path = write(tmp_path, arguments, decay_block(total_num_steps="auto", warmup_num_steps="auto"))
    assert warned(runner, path) == [
        f"Warning: {path}: warmup_steps: 1.0 is 1 warm-up step for transformers 5.24.0, not the "
        "whole run: a float of 1 or more counts steps, a share of the run is below 1 (line 4) "
        "[warmup-unit]",
    ]
    path = write(tmp_path, arguments, decay_block(total_num_steps="auto"))
    assert [line.rsplit("[", 1)[1] for line in warned(runner, path)] == [
        "ds-replaces]",
        "horizon-long]",
    ]


def test_the_plan_says_a_warm_up_the_block_leaves_out_is_not_filled(
    lr_schedules: Any, runner: CliRunner, tmp_path: Path
) -> None:
    arguments = REPLACED_HEAD + "warmup_steps: 5\ndeepspeed: ds_config.json\n"
    path = write(tmp_path, arguments, decay_block(total_num_steps="auto"))
    block = f"{tmp_path / 'ds_config.json'}'s scheduler block replaces lr_scheduler_type"
    plan = [line for line in said(runner, path)[1].splitlines() if "Trainer's plan" in line]
    assert plan[0].endswith(
        f'{block}: deepspeed.WarmupDecayLR, its "auto" values filled as the Trainer fills '
        "them (total_num_steps = 100); warmup_num_steps is not in the block: nothing filled, "
        "DeepSpeed's default runs, stepped after each optimizer step"
    )
    path = write(tmp_path, arguments, decay_block(total_num_steps="auto", warmup_num_steps="auto"))
    plan = [line for line in said(runner, path)[1].splitlines() if "Trainer's plan" in line]
    assert plan[0].endswith(
        f'{block}: deepspeed.WarmupDecayLR, its "auto" values filled as the Trainer fills '
        "them (total_num_steps = 100, warmup_num_steps = max(1, 5)), stepped after each "
        "optimizer step"
    )
