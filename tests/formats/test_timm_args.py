"""timm's ``args.yaml`` as a native format, bit for bit against timm's create_scheduler_v2 run
in a plain loop written here as timm's train.py runs it."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import CONFIGS_DIR, hide_package
from tests.schedulers.test_timm import column, hexes


@pytest.fixture(scope="module")
def timm_scheduler() -> Any:
    """``timm.scheduler``, or the test skipped naming timm."""
    pytest.importorskip("timm")
    return pytest.importorskip("timm.scheduler")


DEIT: dict[str, Any] = {
    "model": "deit_small_patch16_224",
    "sched": "cosine",
    "epochs": 30,
    "lr": None,
    "lr_base": 0.0005,
    "lr_base_size": 512,
    "lr_base_scale": "",
    "opt": "adamw",
    "momentum": 0.9,
    "batch_size": 256,
    "grad_accum_steps": 1,
    "warmup_epochs": 5,
    "warmup_lr": 1.0e-6,
    "warmup_prefix": False,
    "min_lr": 1.0e-5,
    "cooldown_epochs": 10,
    "decay_epochs": 90,
    "decay_milestones": [90, 180, 270],
    "decay_rate": 0.1,
    "patience_epochs": 10,
    "lr_noise": None,
    "lr_noise_pct": 0.67,
    "lr_noise_std": 1.0,
    "lr_cycle_mul": 1.0,
    "lr_cycle_decay": 0.5,
    "lr_cycle_limit": 1,
    "lr_k_decay": 1.0,
    "sched_on_updates": False,
    "seed": 42,
    "eval_metric": "top1",
}
"""A DeiT-like args.yaml's keys, as train.py writes them (the schedule's and the lr's)."""


def train_py(
    timm_scheduler: Any, args: dict[str, Any], *, dataset_size: int | None, world_size: int = 1
) -> tuple[list[float], int, int]:
    """What train.py runs of ``args``: each update's lr (before it), its epochs (what
    create_scheduler_v2 returns) and updates per epoch. lr from lr_base when unset; the
    loader's batches dropping the last short one, sharded by a DistributedSampler."""
    import torch

    cfg = SimpleNamespace(**args)
    accum = max(1, cfg.grad_accum_steps)
    lr = cfg.lr
    if not lr:
        ratio = cfg.batch_size * world_size * accum / cfg.lr_base_size
        scale = cfg.lr_base_scale or (
            "sqrt" if any(o in cfg.opt.lower() for o in ("ada", "lamb")) else "linear"
        )
        lr = cfg.lr_base * (ratio**0.5 if scale == "sqrt" else ratio)
    batches = (
        math.ceil(dataset_size / world_size) // cfg.batch_size if dataset_size is not None else 1
    )
    updates_per_epoch = (batches + accum - 1) // accum
    optimizer = torch.optim.AdamW([torch.zeros(1, 1)], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        scheduler, num_epochs = timm_scheduler.create_scheduler_v2(
            optimizer,
            **timm_scheduler.scheduler_kwargs(cfg),
            updates_per_epoch=updates_per_epoch,
        )
    lrs: list[float] = []
    for epoch in range(num_epochs):
        num_updates = epoch * updates_per_epoch
        for _ in range(updates_per_epoch):
            lrs.append(optimizer.param_groups[0]["lr"])
            num_updates += 1
            scheduler.step_update(num_updates=num_updates, metric=0.5)
        scheduler.step(epoch + 1, None)
    return lrs, num_epochs, updates_per_epoch


def args_file(tmp_path: Path, args: dict[str, Any], name: str = "args.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(args, default_flow_style=False))
    return path


def render(runner: CliRunner, path: Path, *options: str) -> tuple[list[dict[str, str]], str]:
    result = runner.invoke(cli, ["render", str(path), "-f", "csv", "-o", "-", *options])
    assert result.exit_code == 0, result.stderr
    import csv
    import io

    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


CASES: dict[str, tuple[dict[str, Any], int | None, int]] = {
    "deit-per-epoch": ({}, None, 1),
    "deit-per-epoch-data": ({}, 5000, 1),
    "per-update-accum-world": ({"sched_on_updates": True, "grad_accum_steps": 3}, 9000, 2),
    "prefix-cycles": (
        {"warmup_prefix": True, "lr_cycle_limit": 3, "lr_cycle_mul": 1.5, "epochs": 8},
        None,
        1,
    ),
    "per-update-cycles": (
        {"sched_on_updates": True, "lr_cycle_limit": 2, "epochs": 7, "cooldown_epochs": 1},
        3000,
        1,
    ),
    "noise": ({"lr_noise": [0.3, 0.9], "lr_noise_pct": 0.4, "seed": 3}, None, 1),
    "noise-one": ({"lr_noise": [0.5], "sched_on_updates": True}, 2600, 1),
    "tanh": ({"sched": "tanh", "cooldown_epochs": 0}, None, 1),
    "poly": ({"sched": "poly", "decay_rate": 2.0, "lr_k_decay": 0.7}, None, 1),
    "step-sgd-linear": (
        {"sched": "step", "decay_epochs": 4, "opt": "sgd", "warmup_prefix": True},
        None,
        1,
    ),
    "multistep-lr-given": (
        {"sched": "multistep", "decay_milestones": [8, 20], "lr": 0.02, "epochs": 25},
        None,
        1,
    ),
    "multistep-per-update": (
        {"sched": "multistep", "decay_milestones": [3, 6], "epochs": 8, "sched_on_updates": True},
        2000,
        1,
    ),
    "constant-lamb-sqrt": ({"sched": "constant", "opt": "lamb"}, None, 1),
    "wsd": ({"sched": "wsd", "decay_epochs": 0.3, "cooldown_epochs": 0}, None, 1),
}


@pytest.mark.parametrize("case", CASES)
def test_args_yaml_renders_train_pys_numbers(
    case: str, timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    changes, dataset_size, world_size = CASES[case]
    args = {**DEIT, **changes}
    path = args_file(tmp_path, args)
    options = ["--world-size", str(world_size)]
    if dataset_size is not None:
        options += ["--dataset-size", str(dataset_size)]
    rows, _ = render(runner, path, *options)
    lrs, num_epochs, per_epoch = train_py(
        timm_scheduler, args, dataset_size=dataset_size, world_size=world_size
    )
    assert column(rows, "lr") == hexes(lrs)
    assert len(rows) == num_epochs * per_epoch  # the epochs create_scheduler_v2 returned
    assert int(rows[-1]["epoch"]) == num_epochs - 1
    assert len(set(lrs)) > 2


def test_adjusted_epochs_are_warned_of_naming_both(
    timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    path = args_file(tmp_path, DEIT)
    _, num_epochs, _ = train_py(timm_scheduler, DEIT, dataset_size=None)
    assert num_epochs == 40
    _, stderr = render(runner, path)
    warned = [line for line in stderr.splitlines() if line.startswith("Warning:")]
    assert warned == [
        f"Warning: {path}: epochs: epochs is 30, but timm's create_scheduler_v2 returns 40 "
        "(cooldown_epochs 10 added), and train.py trains for those: 40 epochs plotted "
        "(line 9) [epochs-adjusted]"
    ]
    near = args_file(tmp_path, {**DEIT, "cooldown_epochs": 0}, "near.yaml")
    _, stderr = render(runner, near)
    assert "Warning:" not in stderr


def test_what_the_plan_is_made_of_is_a_notice(
    timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    path = args_file(tmp_path, {**DEIT, "cooldown_epochs": 0, "grad_accum_steps": 2})
    _, stderr = render(runner, path, "--dataset-size", "10000")
    assert stderr == (
        f"Notice: {path}: timm's plan: lr 0.0005 = lr_base 0.0005 x sqrt(512 / lr_base_size "
        "512) (batch_size 256 x world size 1 x grad_accum_steps 2; sqrt scaling); 10,000 "
        "samples / batch_size 256 = 39 batches (the last short one dropped) / "
        "grad_accum_steps 2 = 20 updates (rounded up); create_scheduler_v2(sched='cosine') "
        "stepped per epoch\n"
    )


def test_its_keys_are_the_ones_scheduler_kwargs_reads(timm_scheduler: Any) -> None:
    from lrplot.schedulers.timm import KWARGS_FROM

    values: dict[str, Any] = {key: f"value of {key}" for key in KWARGS_FROM.values()}
    values["sched_on_updates"], values["eval_metric"] = True, "loss"
    kwargs = timm_scheduler.scheduler_kwargs(SimpleNamespace(**values))
    assert set(kwargs) == set(KWARGS_FROM)
    for name, key in KWARGS_FROM.items():
        if key not in ("sched_on_updates", "eval_metric"):
            assert kwargs[name] == f"value of {key}"
    assert kwargs["step_on_epochs"] is False
    assert kwargs["plateau_mode"] == "min"


def test_told_by_its_keys_and_by_name(
    timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    from lrplot.formats import recognise

    assert recognise(DEIT) == "timm"
    assert recognise({"sched": "cosine", "epochs": 10}) == "lrplot"  # no key of train.py's
    assert recognise({"scheduler": {"type": "StepLR"}, "sched": "x", "opt": "sgd"}) == "lrplot"
    path = args_file(tmp_path, {"sched": "cosine", "epochs": 10}, "bare.yaml")
    rows, _ = render(runner, path, "--config-format", "timm")
    assert len(rows) == 10


# Refusals: exact messages.


def said(runner: CliRunner, path: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(path), *options])
    return result.exit_code, result.stderr


def test_sched_none_has_nothing_to_plot(
    timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    path = args_file(tmp_path, {**DEIT, "sched": "none"})
    assert said(runner, path) == (
        1,
        f"Error: {path}: sched: none: train.py builds no scheduler; the lr stays at lr: "
        "there is no schedule to plot (line 28)\n",
    )


def test_an_unknown_sched_is_timms_own_refusal(
    timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    path = args_file(tmp_path, {**DEIT, "sched": "cosin"})
    assert said(runner, path) == (
        1,
        f"Error: {path}: sched: timm's create_scheduler_v2 failed: Unknown scheduler "
        "'cosin'. (line 28)\n",
    )


def test_per_update_stepping_needs_the_data_sets_size(
    timm_scheduler: Any, runner: CliRunner, tmp_path: Path
) -> None:
    path = args_file(tmp_path, {**DEIT, "sched_on_updates": True})
    assert said(runner, path) == (
        1,
        f"Error: {path}: sched_on_updates: timm steps this schedule after every optimizer "
        "update, counted from the data set's size (len(loader_train)), which args.yaml does "
        "not hold: give it with --dataset-size N (the training samples) (line 29)\n",
    )
    assert said(runner, path, "--dataset-size", "1000")[0] == 0


def test_without_timm_an_args_yaml_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, tmp_path: Path
) -> None:
    hide_package(monkeypatch, "timm")
    path = args_file(tmp_path, DEIT)
    assert said(runner, path) == (
        1,
        f"Error: {path}: sched: a timm args.yaml is planned by timm's own code, and timm is "
        "not installed: pip install 'lrplot[timm]' (or pip install timm) (line 28)\n",
    )


def test_the_example_args_yaml_is_train_pys_plan(timm_scheduler: Any, runner: CliRunner) -> None:
    path = CONFIGS_DIR / "timm" / "args.yaml"
    args = yaml.safe_load(path.read_text())
    rows, stderr = render(runner, path, "--dataset-size", "1281167", "--world-size", "4")
    lrs, num_epochs, per_epoch = train_py(timm_scheduler, args, dataset_size=1281167, world_size=4)
    assert (num_epochs, per_epoch) == (310, 1251)
    assert column(rows, "lr") == hexes(lrs)
    assert "returns 310 (cooldown_epochs 10 added)" in stderr
