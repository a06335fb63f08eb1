"""A LightningCLI config.yaml as a native format: recognised by its keys, stepped once per
epoch as LightningCLI steps its lr_scheduler, and bit for bit against a real LightningCLI
run (tests/trainers.py)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.formats import recognise
from tests.conftest import CONFIGS_DIR
from tests.trainers import Trainers


def config_file(tmp_path: Path, config: dict[str, Any], name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config, default_flow_style=False, sort_keys=False))
    return path


def render(runner: CliRunner, path: Path, *options: str) -> tuple[list[dict[str, str]], str]:
    result = runner.invoke(cli, ["render", str(path), "-f", "csv", "-o", "-", *options])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def said(runner: CliRunner, path: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(path), *options])
    return result.exit_code, result.stderr


STEP: dict[str, Any] = {
    "seed_everything": 0,
    "trainer": {"max_epochs": 6},
    "model": {},
    "data": {"batch_size": 8},
    "optimizer": {"class_path": "torch.optim.SGD", "init_args": {"lr": 0.1, "momentum": 0.9}},
    "lr_scheduler": {"class_path": "StepLR", "init_args": {"step_size": 2, "gamma": 0.5}},
}
"""A LightningCLI config as it saves one: SGD, and StepLR stepped per epoch."""


def with_trainer(config: dict[str, Any], **trainer: Any) -> dict[str, Any]:
    return {**config, "trainer": {**config["trainer"], **trainer}}


def lrs(rows: list[dict[str, str]]) -> list[float]:
    return [float(row["lr"]) for row in rows]


# Recognition.


def test_a_lightning_cli_config_is_recognised_by_its_keys() -> None:
    assert recognise(STEP) == "lightning"
    assert recognise({"trainer": {"max_epochs": 3}, "model": {"class_path": "x.M"}}) == "lightning"


@pytest.mark.parametrize(
    "data",
    [
        {"trainer": {"max_epochs": 3}},  # no optimizer:, lr_scheduler:, model: or data:
        {"trainer": 3, "optimizer": "SGD"},  # trainer: not a mapping
        {**STEP, "scheduler": {"type": "StepLR", "step_size": 2}},  # lrplot's own
    ],
)
def test_a_near_miss_is_not_a_lightning_cli_config(data: dict[str, Any]) -> None:
    assert recognise(data) != "lightning"


def test_config_format_lightning_names_it(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, {k: v for k, v in STEP.items() if k != "trainer"})
    assert recognise(yaml.safe_load(path.read_text())) == "lrplot"
    rows, _ = render(
        runner,
        path,
        "--config-format",
        "lightning",
        "--steps-per-epoch",
        "2",
        "-s",
        "trainer={max_epochs: 2}",
    )
    assert len(rows) == 4


# Stepping: once per epoch, steps per epoch from the options.


def test_steps_once_per_epoch_from_dataset_size_and_batch_size(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = config_file(tmp_path, STEP)
    rows, stderr = render(runner, path, "--dataset-size", "20")
    per_epoch = math.ceil(20 / 8)
    assert len(rows) == 6 * per_epoch
    expected = [0.1 * 0.5 ** (epoch // 2) for epoch in range(6) for _ in range(per_epoch)]
    assert [v.hex() for v in lrs(rows)] == [v.hex() for v in expected]
    assert (
        f"Notice: {path}: LightningCLI's plan (lightning 2.6.6's rules): 20 samples / " in stderr
    )
    assert (
        "data.batch_size 8 = 3 batches per epoch; max_epochs 6; "
        "torch.optim.lr_scheduler.StepLR stepped once per epoch (lightning/pytorch/cli.py, "
        "LightningCLI.configure_optimizers: interval epoch, frequency 1)\n"
    ) in stderr


def test_steps_per_epoch_option_wins_over_the_data(runner: CliRunner, tmp_path: Path) -> None:
    rows, stderr = render(
        runner, config_file(tmp_path, STEP), "--steps-per-epoch", "5", "--dataset-size", "20"
    )
    assert len(rows) == 30
    assert "--steps-per-epoch 5 batches" in stderr


def test_batch_size_from_a_datamodules_init_args(runner: CliRunner, tmp_path: Path) -> None:
    config = {**STEP, "data": {"class_path": "my.Data", "init_args": {"batch_size": 4}}}
    rows, stderr = render(runner, config_file(tmp_path, config), "--dataset-size", "10")
    assert len(rows) == 6 * 3
    assert "10 samples / data.init_args.batch_size 4 = 3 batches" in stderr


def test_devices_and_num_nodes_shard_the_samples(runner: CliRunner, tmp_path: Path) -> None:
    config = with_trainer(STEP, devices=2, num_nodes=2)
    rows, stderr = render(runner, config_file(tmp_path, config), "--dataset-size", "100")
    # DistributedSampler: ceil(100 / 4) = 25 samples each, ceil(25 / 8) = 4 batches
    assert len(rows) == 6 * 4
    assert "/ 4 processes (devices 2 x num_nodes 2) = 25 each" in stderr
    rows, _ = render(
        runner, config_file(tmp_path, config), "--dataset-size", "100", "--world-size", "1"
    )
    assert len(rows) == 6 * 13


UNKNOWN = (
    "trainer: LightningCLI steps per epoch as many batches as the training DataLoader holds, "
    "which the file does not say (data: gives data.batch_size): give --steps-per-epoch N (the "
    "batches per epoch of each process), or --dataset-size N with data: batch_size (line 2)"
)


@pytest.mark.parametrize(
    ("trainer", "options"),
    [
        ({"max_steps": 7}, ()),  # may stop within an epoch
        ({"limit_train_batches": 0.5}, ()),  # a share: Lightning refuses one keeping none
        ({}, ("--resume-at", "3")),  # counts optimizer steps
        ({}, ("--dataset-size", "20", "-s", "data={}")),  # the size, without a batch_size
    ],
    ids=["max-steps", "limit-share", "resume-at", "size-without-batch"],
)
def test_where_the_batches_per_epoch_count_one_error_names_the_options(
    runner: CliRunner, tmp_path: Path, trainer: dict[str, Any], options: tuple[str, ...]
) -> None:
    path = config_file(tmp_path, with_trainer(STEP, **trainer))
    message = UNKNOWN
    if "data={}" in options:
        message = message.replace(" (data: gives data.batch_size)", "")
    assert said(runner, path, *options) == (1, f"Error: {path}: {message}\n")


def test_a_plateau_given_a_metric_needs_the_batches_per_epoch(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = config_file(tmp_path, {**PLATEAU, "data": {"batch_size": 8}, "metric": "epoch"})
    assert said(runner, path) == (1, f"Error: {path}: {UNKNOWN}\n")
    assert said(runner, path, "-s", "metric=synthetic")[0] == 1
    assert said(runner, config_file(tmp_path, {**PLATEAU, "data": {"batch_size": 8}}))[0] == 0


PER_EPOCH_NOTICE = (
    "LightningCLI's plan (lightning 2.6.6's rules): one step plotted per epoch "
    "(--steps-per-epoch N, or --dataset-size N with data: batch_size, plots its optimizer "
    "steps); max_epochs {epochs}; torch.optim.lr_scheduler.StepLR stepped once per epoch "
    "(lightning/pytorch/cli.py, LightningCLI.configure_optimizers: interval epoch, frequency 1)"
)


@pytest.mark.parametrize(
    "trainer",
    [
        {"max_epochs": 6},
        {"max_epochs": 5, "accumulate_grad_batches": 2},
        {"max_epochs": 5, "limit_train_batches": 4},
    ],
    ids=["steplr", "accumulate", "limit-int"],
)
def test_without_the_batches_one_step_per_epoch_has_each_epochs_lr(
    runner: CliRunner, tmp_path: Path, trainers: Trainers, trainer: dict[str, Any]
) -> None:
    config = {**REAL, "trainer": trainer}
    run = lightning(trainers, config)
    path = config_file(tmp_path, config)
    rows, stderr = render(runner, path)
    epochs = trainer["max_epochs"]
    assert len(rows) == epochs
    per_epoch = run.optimizer_steps // epochs
    assert per_epoch * epochs == run.optimizer_steps
    for epoch, row in enumerate(rows):
        used = run.lrs[0][epoch * per_epoch : (epoch + 1) * per_epoch]
        assert {v.hex() for v in used} == {float(row["lr"]).hex()}
    assert stderr == f"Notice: {path}: {PER_EPOCH_NOTICE.format(epochs=epochs)}\n"


# Bit for bit against LightningCLI itself: the file parsed by LightningCLI(run=False), then
# trainer.fit on a tiny module; a callback records the lr before each optimizer step.


def lightning(trainers: Trainers, config: dict[str, Any], monitor: str | None = None) -> Any:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    return trainers.lightning_cli(config=config, monitor=monitor)


def check_against(
    runner: CliRunner, tmp_path: Path, trainers: Trainers, config: dict[str, Any], *options: str
) -> list[dict[str, str]]:
    run = lightning(trainers, config)
    size = str(config["data"]["size"])
    rows, _ = render(runner, config_file(tmp_path, config), "--dataset-size", size, *options)
    assert len(rows) == run.optimizer_steps
    assert [v.hex() for v in lrs(rows)] == [v.hex() for v in run.lrs[0]]
    return rows


REAL: dict[str, Any] = {**STEP, "data": {"batch_size": 8, "size": 20}}
"""STEP with the tiny run's data: 20 samples, 3 batches an epoch (the last short)."""


def test_steplr_as_lightning_cli_steps_it(
    runner: CliRunner, tmp_path: Path, trainers: Trainers
) -> None:
    check_against(runner, tmp_path, trainers, REAL)


def test_onecyclelr_per_epoch_as_lightning_cli_steps_it(
    runner: CliRunner, tmp_path: Path, trainers: Trainers
) -> None:
    config = {
        **REAL,
        "optimizer": {"class_path": "AdamW", "init_args": {"lr": 0.01}},
        "lr_scheduler": {
            "class_path": "torch.optim.lr_scheduler.OneCycleLR",
            "init_args": {"max_lr": 0.05, "total_steps": 6},
        },
    }
    check_against(runner, tmp_path, trainers, config)


@pytest.mark.parametrize(
    ("trainer", "size", "steps"),
    [
        ({"max_epochs": 6, "max_steps": 7}, 20, 7),  # stops mid-epoch: 3 batches an epoch
        ({"max_epochs": None, "max_steps": 8}, 20, 8),  # only max_steps: epochs unlimited
        ({"max_epochs": 4, "max_steps": 100}, 20, 12),  # max_epochs first
        ({"max_epochs": 5, "accumulate_grad_batches": 2}, 20, 10),  # 3 batches: 2 steps
        ({"max_epochs": 3, "accumulate_grad_batches": 3, "max_steps": 7}, 56, 7),
        ({"max_epochs": 5, "limit_train_batches": 0.5}, 40, 10),  # int(5 x 0.5) = 2
        ({"max_epochs": 5, "limit_train_batches": 4}, 40, 20),  # min(5, 4)
        ({"max_epochs": 4, "limit_train_batches": 0.7, "accumulate_grad_batches": 2}, 40, 8),
    ],
    ids=[
        "max-steps-mid-epoch",
        "only-max-steps",
        "max-epochs-first",
        "accumulate",
        "accumulate-max-steps",
        "limit-float",
        "limit-int",
        "limit-float-accumulate",
    ],
)
def test_the_trainers_limits_as_lightning_counts_them(
    runner: CliRunner,
    tmp_path: Path,
    trainers: Trainers,
    trainer: dict[str, Any],
    size: int,
    steps: int,
) -> None:
    config = {**REAL, "trainer": trainer, "data": {"batch_size": 8, "size": size}}
    rows = check_against(runner, tmp_path, trainers, config)
    assert len(rows) == steps


def test_max_steps_mid_epoch_is_shown_by_validate(runner: CliRunner, tmp_path: Path) -> None:
    config = with_trainer(STEP, max_steps=7)
    result = runner.invoke(
        cli, ["validate", str(config_file(tmp_path, config)), "--steps-per-epoch", "3"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        f"{tmp_path / 'config.yaml'}: ok: 7 steps (6 epochs x 3, stopped after step 7); "
    )


def test_neither_max_epochs_nor_max_steps_is_1000_epochs(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = {**STEP, "trainer": {"accumulate_grad_batches": 1}}
    path = config_file(tmp_path, config)
    rows, stderr = render(runner, path, "--steps-per-epoch", "1")
    assert len(rows) == 1000
    assert (
        f"Notice: {path}: trainer.max_epochs: not set: Lightning trains 1000 epochs when "
        "neither max_epochs nor max_steps is (loops/utilities.py, _parse_loop_limits)\n"
    ) in stderr


def test_max_steps_alone_is_no_notice_of_1000_epochs(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, {**STEP, "trainer": {"max_steps": 5}})
    rows, stderr = render(runner, path, "--steps-per-epoch", "2")
    assert len(rows) == 5
    assert "1000 epochs" not in stderr


@pytest.mark.parametrize(
    ("trainer", "message"),
    [
        (
            {"max_epochs": -1},
            "trainer.max_epochs: -1 with no max_steps: Lightning trains without end: give "
            "max_epochs or max_steps (line 3)",
        ),
        (
            {"max_epochs": 0},
            "trainer.max_epochs: 0: Lightning trains no step: there is no schedule to plot "
            "(line 3)",
        ),
        (
            {"max_epochs": 3, "limit_train_batches": 0.1},
            "trainer.limit_train_batches: You requested to check 0.1 of the `train_dataloader` "
            "but 0.1 * 5 < 1 (Lightning's refusal): --steps-per-epoch 5 batches; "
            "limit_train_batches 0.1: int(5 x 0.1) = 0 (line 4)",
        ),
        (
            {"max_epochs": 3, "limit_train_batches": 0},
            "trainer.limit_train_batches: Lightning trains no batch, and skips the run: "
            "--steps-per-epoch 5 batches; limit_train_batches 0: min(5, 0) = 0 (line 4)",
        ),
        (
            {"max_epochs": 3, "accumulate_grad_batches": 0},
            "trainer.accumulate_grad_batches: expected a whole number of at least 1, got 0 "
            "(line 4)",
        ),
    ],
    ids=["forever", "no-epoch", "limit-float-zero", "limit-zero", "accumulate-zero"],
)
def test_limits_lightning_refuses(
    runner: CliRunner, tmp_path: Path, trainer: dict[str, Any], message: str
) -> None:
    path = config_file(tmp_path, {**STEP, "trainer": trainer})
    assert said(runner, path, "--steps-per-epoch", "5") == (1, f"Error: {path}: {message}\n")


# ReduceLROnPlateau: Lightning's own class, with its monitor.

PLATEAU: dict[str, Any] = {
    **REAL,
    "trainer": {"max_epochs": 7},
    "optimizer": "SGD",  # jsonargparse's short form: torch.optim.SGD, its default lr
    "lr_scheduler": {
        "class_path": "ReduceLROnPlateau",
        "init_args": {"monitor": "watched", "patience": 1, "factor": 0.5},
    },
}


def test_reduce_on_plateau_with_its_monitor_as_lightning_cli_steps_it(
    runner: CliRunner, tmp_path: Path, trainers: Trainers
) -> None:
    # the module logs the epoch (from 0) as `watched`: lrplot's `metric: epoch`
    run = lightning(trainers, PLATEAU, monitor="watched")
    path = config_file(tmp_path, PLATEAU)
    rows, stderr = render(runner, path, "--dataset-size", "20", "-s", "metric=epoch")
    assert [v.hex() for v in lrs(rows)] == [v.hex() for v in run.lrs[0]]
    assert len(set(run.lrs[0])) > 2  # it did reduce, more than once
    assert "fed its monitor 'watched' as lrplot's metric (metric: given)" in stderr


def test_the_full_name_of_lightnings_class_is_the_same(runner: CliRunner, tmp_path: Path) -> None:
    short, _ = render(runner, config_file(tmp_path, PLATEAU), "--steps-per-epoch", "3")
    block = {**PLATEAU["lr_scheduler"], "class_path": "lightning.pytorch.cli.ReduceLROnPlateau"}
    full, _ = render(
        runner, config_file(tmp_path, {**PLATEAU, "lr_scheduler": block}), "--steps-per-epoch", "3"
    )
    assert short == full


# Refusals, as jsonargparse and Lightning refuse them: exact messages.


def block_config(tmp_path: Path, block: Any, **more: Any) -> Path:
    return config_file(tmp_path, {**STEP, "lr_scheduler": block, **more})


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            {"class_path": "torch.optim.lr_scheduler.ReduceLROnPlateau"},
            "lr_scheduler.class_path: torch.optim.lr_scheduler.ReduceLROnPlateau takes no "
            "monitor, and Lightning's fit refuses it: `configure_optimizers` must include a "
            "monitor when a `ReduceLROnPlateau` scheduler is used "
            "(lightning/pytorch/core/optimizer.py); write class_path: ReduceLROnPlateau "
            "(Lightning's, lightning.pytorch.cli.ReduceLROnPlateau) with init_args.monitor "
            "(line 13)",
        ),
        (
            {"class_path": "ReduceLROnPlateau", "init_args": {"patience": 2}},
            "lr_scheduler.class_path: the following arguments are required: monitor "
            "(jsonargparse, for lightning.pytorch.cli.ReduceLROnPlateau): give them under "
            "init_args (line 13)",
        ),
        (
            {"class_path": "StepLR", "step_size": 3},
            "lr_scheduler.step_size: beside class_path, not under init_args: jsonargparse "
            "refuses it (Option 'class_path' is not accepted); write it as "
            "lr_scheduler.init_args.step_size (line 14)",
        ),
        (
            {"class_path": "StepLR"},
            "lr_scheduler.class_path: the following arguments are required: step_size "
            "(jsonargparse, for torch.optim.lr_scheduler.StepLR): give them under init_args "
            "(line 13)",
        ),
        (
            {"class_path": "StepLR", "init_args": {"step_size": 2, "bogus": 1}},
            "lr_scheduler.init_args.bogus: Option 'bogus' is not accepted (jsonargparse): "
            "torch.optim.lr_scheduler.StepLR takes: step_size, gamma=0.1 (line 16)",
        ),
        (
            {"class_path": "StepLr", "init_args": {"step_size": 2}},
            "lr_scheduler.class_path: StepLr is none of torch's schedulers "
            "(torch.optim.lr_scheduler) nor Lightning's ReduceLROnPlateau, among which "
            "jsonargparse finds a name without a dot (did you mean StepLR?) (line 13)",
        ),
        (
            {"class_path": "mypkg.sched.MyLR", "init_args": {"gamma": 0.5}},
            "lr_scheduler.class_path: 'mypkg.sched:MyLR' would import code from the Python "
            "module 'mypkg.sched'; lrplot runs code named in a config only when allowed: "
            "--allow-import or LRPLOT_ALLOW_IMPORT=1 on the command line, allow_import=True "
            "from Python (line 13)",
        ),
        (
            None,
            "lr_scheduler: none given: LightningCLI steps no scheduler of the file's (a "
            "model's own configure_optimizers is not read): there is no schedule to plot "
            "(line 12)",
        ),
    ],
    ids=[
        "torch-plateau",
        "no-monitor",
        "beside-class-path",
        "required",
        "unknown-argument",
        "unknown-class",
        "custom-class",
        "no-scheduler",
    ],
)
def test_refusals(runner: CliRunner, tmp_path: Path, block: Any, message: str) -> None:
    path = block_config(tmp_path, block)
    assert said(runner, path, "--steps-per-epoch", "2") == (1, f"Error: {path}: {message}\n")


def test_a_scheduler_without_an_optimizer_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, {k: v for k, v in STEP.items() if k != "optimizer"})
    assert said(runner, path, "--steps-per-epoch", "2") == (
        1,
        f"Error: {path}: lr_scheduler: given without optimizer: LightningCLI then builds "
        "neither, and the model's own configure_optimizers runs (lightning/pytorch/cli.py, "
        "_add_configure_optimizers_method_to_model): give optimizer: too (line 7)\n",
    )


def test_an_unknown_optimizer_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, {**STEP, "optimizer": "Adamw"})
    assert said(runner, path, "--steps-per-epoch", "2") == (
        1,
        f"Error: {path}: optimizer: Adamw is none of torch's optimizers (torch.optim), among "
        "which jsonargparse finds a name without a dot (did you mean AdamW?) (line 7)\n",
    )


def test_lightning_itself_refuses_torchs_reduce_on_plateau(tmp_path: Path) -> None:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    from tests.trainers import lightning_cli_run

    block = {"class_path": "torch.optim.lr_scheduler.ReduceLROnPlateau"}
    with pytest.raises(MisconfigurationException) as refused:
        lightning_cli_run(tmp_path, config={**PLATEAU, "lr_scheduler": block})
    assert str(refused.value).startswith(
        "`configure_optimizers` must include a monitor when a `ReduceLROnPlateau` scheduler "
        "is used."
    )


# The warning: a OneCycleLR sized for per-batch stepping, which LightningCLI steps per epoch.

ONE_CYCLE: dict[str, Any] = {
    "trainer": {"max_epochs": 6},
    "optimizer": {"class_path": "AdamW", "init_args": {"lr": 0.01}},
    "lr_scheduler": {
        "class_path": "OneCycleLR",
        "init_args": {"max_lr": 0.05, "total_steps": 18},
    },
}


def one_cycle(tmp_path: Path, **init_args: Any) -> Path:
    block = {"class_path": "OneCycleLR", "init_args": {"max_lr": 0.05, **init_args}}
    return config_file(tmp_path, {**ONE_CYCLE, "lr_scheduler": block})


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning:")]


@pytest.mark.parametrize(
    ("init_args", "key", "line"),
    [
        ({"total_steps": 18}, "total_steps", 11),
        ({"epochs": 6, "steps_per_epoch": 3}, "epochs", 11),
    ],
    ids=["total_steps", "epochs-x-steps_per_epoch"],
)
def test_a_onecyclelr_sized_in_batches_is_warned_of(
    runner: CliRunner, tmp_path: Path, init_args: dict[str, Any], key: str, line: int
) -> None:
    path = one_cycle(tmp_path, **init_args)
    _, stderr = render(runner, path, "--steps-per-epoch", "3")
    assert warnings_of(stderr) == [
        f"Warning: {path}: lr_scheduler.init_args.{key}: OneCycleLR's length 18 counts the "
        "run's 18 optimizer steps, but LightningCLI steps it once per epoch, 6 times "
        "(LightningCLI.configure_optimizers: interval epoch, which no key changes): its cycle "
        "is cut at 33%; total_steps: 6 fits the epochs, or a configure_optimizers of the "
        f"model's own with interval: step steps it per batch (line {line}) [onecycle-per-epoch]"
    ]


@pytest.mark.parametrize(
    ("init_args", "per_epoch"),
    [
        ({"total_steps": 6}, "3"),
        ({"epochs": 6, "steps_per_epoch": 1}, "3"),
        ({"total_steps": 6}, "1"),
    ],
    ids=["total_steps-in-epochs", "epochs-x-1", "one-batch-an-epoch"],
)
def test_a_onecyclelr_sized_in_epochs_stays_quiet(
    runner: CliRunner, tmp_path: Path, init_args: dict[str, Any], per_epoch: str
) -> None:
    _, stderr = render(runner, one_cycle(tmp_path, **init_args), "--steps-per-epoch", per_epoch)
    assert warnings_of(stderr) == []


def test_a_warning_in_the_one_step_per_epoch_plan_names_the_files_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    # 18 steps of a cycle, stepped once per epoch of 6: lrplot's check, named as in the file
    code, stderr = said(runner, one_cycle(tmp_path, total_steps=18))
    assert code == 0
    assert warnings_of(stderr) == [
        f"Warning: {tmp_path / 'config.yaml'}: lr_scheduler.init_args.total_steps: total_steps "
        "is 18, but OneCycleLR is stepped 6 times: the schedule is cut at 33% of its length; "
        "total_steps: 6 fits the run (line 11) [schedule-cut-short]"
    ]


def test_a_notice_of_a_value_torch_accepts_names_the_files_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    block = {"class_path": "StepLR", "init_args": {"step_size": 2.0}}
    path = config_file(tmp_path, {**ONE_CYCLE, "lr_scheduler": block})
    code, stderr = said(runner, path)
    assert code == 0
    assert (
        f"Notice: {path}: lr_scheduler.init_args.step_size: expected an integer, got 2.0, but "
        "torch accepts it: plotted as torch computes it (line 10)\n"
    ) in stderr


def test_the_example_config_as_lightning_saves_one(runner: CliRunner) -> None:
    path = CONFIGS_DIR / "native" / "lightning-cli.yaml"
    rows, stderr = render(runner, path, "--dataset-size", "50000")
    # DistributedSampler over devices 2: 25,000 each / 128 = 196 batches / 2 accumulated
    assert len(rows) == 30 * 98
    assert warnings_of(stderr) == []
    assert rows[0]["lr"] == "0.001"
    assert rows[98]["lr"] != rows[97]["lr"] == rows[0]["lr"]  # stepped after epoch 0 only
    per_epoch, _ = render(runner, path)  # the gallery's render: one step per epoch
    assert [row["lr"] for row in per_epoch] == [row["lr"] for row in rows[::98]]


def test_a_onecyclelr_as_long_as_the_epochs_max_steps_reaches(
    runner: CliRunner, tmp_path: Path, trainers: Trainers
) -> None:
    # 3 batches an epoch, max_steps 7: stepped after epochs 0 and 1 only, as total_steps allows
    config = {
        **REAL,
        "trainer": {"max_epochs": 6, "max_steps": 7},
        "lr_scheduler": {
            "class_path": "OneCycleLR",
            "init_args": {"max_lr": 0.5, "total_steps": 2},
        },
    }
    check_against(runner, tmp_path, trainers, config)


def test_resuming_past_a_mid_epoch_stop_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, with_trainer(STEP, max_steps=7))
    assert said(runner, path, "--steps-per-epoch", "4", "--resume-at", "7") == (
        1,
        f"Error: {path}: resume_at: 7 is past the run's last step, 6 (stopped after step 7, "
        "from 0): resume at a step in it (from --resume-at 7)\n",
    )
    rows, _ = render(runner, path, "--steps-per-epoch", "4", "--resume-at", "5")
    assert [row["lr_resumed"] for row in rows] == [row["lr"] for row in rows]
    assert len(rows) == 7


def test_a_plot_of_a_mid_epoch_stop_ends_where_the_run_does(tmp_path: Path) -> None:
    from lrplot.draw.plotting import plot_data
    from lrplot.formats import RunFacts
    from lrplot.pipeline import Config, Settings, load
    from lrplot.simulation.runner import simulate

    path = config_file(tmp_path, with_trainer(STEP, max_steps=7))
    settings = Settings(native=RunFacts(steps_per_epoch=4))
    data = plot_data(simulate(spec=load(config=Config(path=path), settings=settings)))
    assert data.epochs == 7 / 4
    assert all(series.x[-1] == 7 / 4 for series in data.series)
    assert all(x < 7 / 4 for x, _ in data.marks)  # StepLR's decay at epoch 2 is not reached


# Keys: the Trainer's, as jsonargparse checks them; other top-level keys.


def test_the_trainer_keys_read_from_source_are_the_trainers_arguments() -> None:
    pytest.importorskip("lightning")
    import inspect

    from lightning.pytorch import Trainer

    from lrplot.formats.lightning_cli import trainer_keys

    assert trainer_keys() == frozenset(inspect.signature(Trainer.__init__).parameters) - {"self"}


def test_a_key_the_trainer_does_not_take_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("lightning")
    path = config_file(tmp_path, {**STEP, "trainer": {"max_epoch": 3}})
    assert said(runner, path, "--steps-per-epoch", "2") == (
        1,
        f"Error: {path}: trainer.max_epoch: Group 'trainer' does not accept option "
        "'max_epoch' (jsonargparse: not an argument of lightning 2.6.6's Trainer) (did you "
        "mean max_epochs?) (line 3)\n",
    )


def test_a_top_level_key_of_a_scripts_own_is_a_notice(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, {**STEP, "experiment": "baseline"})
    _, stderr = render(runner, path, "--steps-per-epoch", "2")
    assert (
        f"Notice: {path}: experiment: not read: not a key of LightningCLI's own (a script's "
        "add_arguments_to_parser may add it; else jsonargparse refuses it: Option "
        "'experiment' is not accepted)\n"
    ) in stderr
    assert (
        "not read" not in render(runner, config_file(tmp_path, STEP), "--steps-per-epoch", "2")[1]
    )


HALVING = """
from torch.optim.lr_scheduler import LRScheduler


class HalvingLR(LRScheduler):
    def __init__(self, optimizer, {arg}: int = 1, last_epoch: int = -1):
        self.halve_every = {arg}
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * 0.5 ** (self.last_epoch // self.halve_every) for base in self.base_lrs]
"""


def test_a_class_of_ones_own_runs_with_allow_import(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lcli_halving.py").write_text(HALVING.format(arg="halve_every"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    block = {"class_path": "lcli_halving.HalvingLR", "init_args": {"halve_every": 2}}
    path = config_file(tmp_path, {**STEP, "trainer": {"max_epochs": 4}, "lr_scheduler": block})
    rows, _ = render(runner, path, "--steps-per-epoch", "2", "--allow-import")
    assert lrs(rows) == [0.1] * 4 + [0.05] * 4


def test_an_argument_named_as_lrplots_own_keys_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    block = {"class_path": "lcli_halving.HalvingLR", "init_args": {"every": 2}}
    path = config_file(tmp_path, {**STEP, "lr_scheduler": block})
    assert said(runner, path, "--steps-per-epoch", "2", "--allow-import") == (
        1,
        f"Error: {path}: lr_scheduler.init_args.every: lrplot cannot pass an argument named "
        "every to the class: its own config has a key of that name (type, schedulers, "
        "interval, frequency, every, fractional_epoch) (line 15)\n",
    )


TEXT = """\
trainer:
  max_epochs: 5
data:
  batch_size: 8
  size: 20
optimizer:
  class_path: SGD
  init_args:
    lr: 1e-1        # text in PyYAML; jsonargparse makes it the float its type wants
lr_scheduler:
  class_path: ExponentialLR
  init_args:
    gamma: 5e-1
"""


def test_values_are_read_as_jsonargparse_reads_them(
    runner: CliRunner, tmp_path: Path, trainers: Trainers
) -> None:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    run = trainers.lightning_cli(text=TEXT)
    path = tmp_path / "config.yaml"
    path.write_text(TEXT)
    rows, _ = render(runner, path, "--dataset-size", "20")
    assert [v.hex() for v in lrs(rows)] == [v.hex() for v in run.lrs[0]]
    assert len(rows) == run.optimizer_steps == 15


@pytest.mark.parametrize(
    ("devices", "batches"), [([0, 1, 2], 1), ("0,1", 2), ("2", 2), (2, 2)], ids=str
)
def test_devices_as_lightning_writes_them(
    runner: CliRunner, tmp_path: Path, devices: Any, batches: int
) -> None:
    config = with_trainer(STEP, devices=devices)
    rows, _ = render(runner, config_file(tmp_path, config), "--dataset-size", "24")
    assert len(rows) == 6 * batches  # ceil(ceil(24 / devices) / 8)


def test_devices_auto_is_planned_as_one_with_a_notice(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, with_trainer(STEP, devices="auto"))
    rows, stderr = render(runner, path, "--dataset-size", "24")
    assert len(rows) == 6 * 3
    assert (
        f"Notice: {path}: trainer.devices: auto: planned as 1 device per node (--world-size "
        "N names the processes training together)\n"
    ) in stderr


@pytest.mark.parametrize(
    "options", [("--dataset-size", "24"), ()], ids=["read", "one-step-per-epoch"]
)
def test_bad_devices_or_num_nodes_are_refused_whether_read_or_not(
    runner: CliRunner, tmp_path: Path, options: tuple[str, ...]
) -> None:
    path = config_file(tmp_path, with_trainer(STEP, devices="gpu"))
    assert said(runner, path, *options) == (
        1,
        f"Error: {path}: trainer.devices: expected a number of devices, a list of them, or "
        "auto, got text 'gpu' (line 4)\n",
    )
    path = config_file(tmp_path, with_trainer(STEP, num_nodes=0))
    assert said(runner, path, *options) == (
        1,
        f"Error: {path}: trainer.num_nodes: expected a whole number of at least 1, got 0 "
        "(line 4)\n",
    )


def test_devices_in_the_one_step_per_epoch_plan_are_checked_not_planned(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = config_file(tmp_path, with_trainer(STEP, devices="auto", num_nodes=2))
    rows, stderr = render(runner, path)
    assert len(rows) == 6
    assert "trainer.devices" not in stderr


# The subcommands' config: a --config given before the subcommand holds fit: (and others).

FIT: dict[str, Any] = {
    "fit": REAL,
    "validate": {"trainer": {"max_epochs": 99}, "bogus": 1},  # fit reads neither
}


def test_a_fit_block_as_lightning_cli_runs_it_before_the_subcommand(
    runner: CliRunner, tmp_path: Path, trainers: Trainers
) -> None:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    assert recognise(FIT) == "lightning"
    run = trainers.lightning_cli(config=FIT, subcommand=True)
    path = config_file(tmp_path, FIT)
    rows, stderr = render(runner, path, "--dataset-size", "20")
    assert len(rows) == run.optimizer_steps == 18
    assert [v.hex() for v in lrs(rows)] == [v.hex() for v in run.lrs[0]]
    assert (
        f"Notice: {path}: validate: not read: only fit trains (LightningCLI's fit reads its "
        "own block)\n"
    ) in stderr


def test_a_key_beside_the_subcommands_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    path = config_file(tmp_path, {**FIT, "seed_everything": 3})
    assert said(runner, path, "--steps-per-epoch", "2") == (
        1,
        f"Error: {path}: seed_everything: Option 'seed_everything' is not accepted before "
        "subcommand 'fit' (jsonargparse: beside the subcommands' blocks, LightningCLI takes "
        "none): write it under fit: (fit.seed_everything) (line 23)\n",
    )


def test_lightning_cli_itself_refuses_a_key_beside_the_subcommands(tmp_path: Path) -> None:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    from tests.trainers import lightning_cli_run

    with pytest.raises(SystemExit):
        lightning_cli_run(tmp_path, config={**FIT, "seed_everything": 3}, subcommand=True)


def test_errors_in_a_fit_block_name_its_keys(runner: CliRunner, tmp_path: Path) -> None:
    fit = {**REAL, "lr_scheduler": {"class_path": "StepLR", "init_args": {"step_size": "x"}}}
    path = config_file(tmp_path, {"fit": fit})
    assert said(runner, path, "--steps-per-epoch", "2") == (
        1,
        f"Error: {path}: fit.lr_scheduler.init_args.step_size: expected an integer, got text "
        "'x' (line 17)\n",
    )
    path = config_file(tmp_path, {"fit": 3, "validate": {}})
    assert said(runner, path, "--config-format", "lightning") == (
        1,
        f"Error: {path}: fit: expected fit: a mapping of the config LightningCLI's fit runs, "
        "got 3 (line 1)\n",
    )


# check_val_every_n_epoch: ReduceLROnPlateau is stepped after every epoch, validated or not.


def plateau_validated(every: int, monitor: str, epochs: int = 6) -> dict[str, Any]:
    block = {**PLATEAU["lr_scheduler"], "init_args": {"monitor": monitor, "patience": 1}}
    return {
        **PLATEAU,
        "trainer": {"max_epochs": epochs, "check_val_every_n_epoch": every},
        "lr_scheduler": block,
    }


def unvalidated(path: Path, monitor: str) -> str:
    return (
        f"Warning: {path}: trainer.check_val_every_n_epoch: 2: validation runs every 2 epochs, "
        "but LightningCLI steps ReduceLROnPlateau after every epoch, fed its monitor "
        f"'{monitor}': if only validation logs {monitor}, Lightning raises "
        "MisconfigurationException at the end of epoch 1 (ReduceLROnPlateau conditioned on "
        f"metric {monitor} which is not available: loops/training_epoch_loop.py, "
        "_update_learning_rates); planned as logged every epoch (as a training_step's "
        "self.log does) (line 4) [plateau-unvalidated]\n"
    )


def test_a_plateau_validated_every_few_epochs_is_warned_of_as_lightning_raises(
    runner: CliRunner, tmp_path: Path
) -> None:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    from tests.trainers import lightning_cli_run

    # one epoch, validated every 2: the plateau is stepped at its end, unvalidated
    config = plateau_validated(2, "val_watched", epochs=1)
    with pytest.raises(MisconfigurationException) as refused:
        lightning_cli_run(tmp_path, config=config, validated="val_watched")
    assert str(refused.value).startswith(
        "ReduceLROnPlateau conditioned on metric val_watched which is not available."
    )
    path = config_file(tmp_path, config, name="planned.yaml")
    code, stderr = said(runner, path, "--dataset-size", "20")
    assert code == 0
    assert warnings_of(stderr) == [unvalidated(path, "val_watched").rstrip("\n")]


@pytest.mark.parametrize(
    "config",
    [plateau_validated(1, "val_watched"), with_trainer(STEP, check_val_every_n_epoch=2)],
    ids=["validated-every-epoch", "no-monitor"],
)
def test_a_plateau_validated_every_epoch_or_a_scheduler_without_monitor_stays_quiet(
    runner: CliRunner, tmp_path: Path, config: dict[str, Any]
) -> None:
    code, stderr = said(runner, config_file(tmp_path, config), "--dataset-size", "20")
    assert (code, warnings_of(stderr)) == (0, [])
    assert "check_val_every_n_epoch" not in stderr


@pytest.mark.parametrize(
    ("every", "monitor", "logged"),
    [(1, "val_watched", "validated"), (2, "watched", "monitor")],
    ids=["validated-every-epoch", "logged-by-training"],
)
def test_a_plateau_fed_every_epoch_as_lightning_cli_steps_it(
    runner: CliRunner, tmp_path: Path, trainers: Trainers, every: int, monitor: str, logged: str
) -> None:
    pytest.importorskip("lightning")
    pytest.importorskip("jsonargparse")
    config = plateau_validated(every, monitor)
    run = trainers.lightning_cli(config=config, **{logged: monitor})
    path = config_file(tmp_path, config)
    rows, stderr = render(runner, path, "--dataset-size", "20", "-s", "metric=epoch")
    assert [v.hex() for v in lrs(rows)] == [v.hex() for v in run.lrs[0]]
    assert len(set(run.lrs[0])) > 2
    assert (unvalidated(path, monitor) in stderr) == (every == 2)
