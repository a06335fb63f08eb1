"""lrplot list: every class from torch, and for one class a config that works."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from lrplot import load_spec, simulate
from lrplot.cli import cli
from lrplot.config.catalog import example_config
from lrplot.schedulers.deepspeed import deepspeed_schedulers
from lrplot.schedulers.mmengine import mmengine_schedulers
from lrplot.schedulers.registry import (
    optimizer_classes,
    plottable_transformers_schedules,
    scheduler_classes,
    signature,
)
from lrplot.schedulers.timm import timm_schedulers

EVERY_CLASS = [*scheduler_classes(), *optimizer_classes()]
TRANSFORMERS_SCHEDULES = list(plottable_transformers_schedules())


def test_list_names_every_scheduler_and_optimizer_with_defaults(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    listed = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if line.startswith("  ") and line[2] != " "
    }
    short = {name.removeprefix("transformers.") for name in TRANSFORMERS_SCHEDULES}
    deepspeeds = {name.removeprefix("deepspeed.") for name in deepspeed_schedulers()}
    mmengines = {name.removeprefix("mmengine.") for name in mmengine_schedulers()}
    timms = {name.removeprefix("timm.") for name in timm_schedulers()}
    assert listed == {*EVERY_CLASS, *short, *deepspeeds, *mmengines, *timms}
    assert "Schedules of HuggingFace transformers " in result.stdout
    assert "  StepLR" in result.stdout
    assert "step_size, gamma=0.1" in result.stdout
    lines = result.stdout.splitlines()
    assert "Optimizers (torch's defaults, but lr: lrplot's is 0.1 unless a config sets it):" in (
        lines
    )
    sgd = next(line for line in lines if line.startswith("  SGD "))
    assert sgd.split()[1:4] == ["lr=0.1", "(torch's:", "0.001),"]


def test_a_plateau_scheduler_starts_from_a_config_with_its_metric(runner) -> None:
    result = runner.invoke(cli, ["list", "ReduceLROnPlateau"])
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "  scheduler:\n    type: ReduceLROnPlateau\n    factor: 0.5\n    patience: 10\n"
        "  metric: synthetic   # what step() is fed: an expression in epoch and step, a list "
        "of numbers, or synthetic (a falling loss)\n"
    )


@pytest.mark.parametrize("name", [*EVERY_CLASS, *TRANSFORMERS_SCHEDULES])
def test_the_example_config_of_every_class_runs(name: str) -> None:
    spec = load_spec(text=example_config(name), source=name)
    assert simulate(spec=spec).steps == 100


@pytest.mark.parametrize("name", ["StepLR", "OneCycleLR", "SequentialLR", "AdamW"])
def test_list_one_class(name: str, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["list", name])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"{name} (")
    cls = {**scheduler_classes(), **optimizer_classes()}[name]
    skip = ("schedulers", "optimizer") if name == "SequentialLR" else ()
    for argument in signature(cls, skip=skip, skip_first=not skip).parameters:
        assert f"  {argument} " in text
    config = text.split("A config to start from:\n\n", 1)[1]
    simulate(spec=load_spec(text="\n".join(line[2:] for line in config.splitlines())))


def test_list_describes_arguments(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["list", "StepLR"]).stdout
    assert (
        "Decays the learning rate of each parameter group by gamma every step_size epochs." in text
    )
    assert "  step_size   an integer  required" in text
    assert "  gamma       a number  default 0.1" in text


def test_an_unknown_name_is_a_usage_error_with_a_suggestion(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["list", "StepLRR"])
    assert result.exit_code == 2
    assert "no scheduler or optimizer named 'StepLRR' (did you mean StepLR?)" in result.stderr


def test_a_name_in_another_case_is_found(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["list", "steplr"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("StepLR (scheduler, ")


def test_an_optimizer_shows_lrplots_default_lr_beside_torchs(runner: CliRunner) -> None:
    torch_default = signature(optimizer_classes()["Adam"]).parameters["lr"].default
    text = runner.invoke(cli, ["list", "Adam"]).stdout
    assert "  lr  " in text
    assert f"default 0.1 in lrplot (torch's: {torch_default!r})" in text
    spec = load_spec(text="optimizer: {type: Adam}\nscheduler: {type: StepLR, step_size: 3}")
    assert simulate(spec=spec).lr[0][0] == 0.1


@pytest.mark.parametrize(
    ("name", "fractional"),
    [("CosineAnnealingWarmRestarts", True), ("ReduceLROnPlateau", False), ("SequentialLR", False)],
)
def test_list_shows_how_the_loop_may_step_a_scheduler(
    name: str, fractional: bool, runner: CliRunner
) -> None:
    result = runner.invoke(cli, ["list", name])
    assert result.exit_code == 0, result.stderr
    assert "How the training loop steps it (in scheduler: or an entry of schedulers:):\n" in (
        result.stdout
    )
    assert re.search(r"^  interval +when the training loop steps it: ", result.stdout, re.M)
    assert re.search(r"^  frequency +steps it after every Nth batch", result.stdout, re.M)
    assert ("fractional_epoch" in result.stdout) is fractional
