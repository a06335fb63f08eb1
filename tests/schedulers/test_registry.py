"""Reading torch's classes, transformers' schedule functions, and their signatures."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.schedulers.facts import TRANSFORMERS_SCHEDULES
from lrplot.schedulers.registry import (
    closest,
    facts_of,
    optimizer_classes,
    scheduler_classes,
    scheduler_signature,
    signature,
    transformers_schedules,
    type_name_of,
)
from tests.conftest import hide_package


def test_closest_prefers_a_case_insensitive_match() -> None:
    names = list(scheduler_classes())
    assert closest("StepLr", names) == "StepLR"
    assert closest("steplr", names) == "StepLR"
    assert closest("CosineAnealingLR", names) == "CosineAnnealingLR"
    assert closest("Zzz", names) is None


def test_signatures_skip_the_optimizer_and_keep_defaults() -> None:
    sig = signature(scheduler_classes()["StepLR"])
    assert list(sig.parameters) == ["step_size", "gamma", "last_epoch"]
    assert sig.parameters["step_size"].required
    assert "last_epoch" in sig.parameters  # accepted, but not offered in messages
    assert sig.describe() == "step_size, gamma=0.1"


def test_unannotated_arguments_take_their_defaults_type() -> None:
    sig = signature(scheduler_classes()["SWALR"])
    assert sig.parameters["anneal_epochs"].annotation == "int"


def test_optimizers_are_read_from_torch() -> None:
    names = optimizer_classes()
    assert {"SGD", "Adam", "AdamW", "RMSprop"} <= set(names)
    assert "Optimizer" not in names
    assert "params" not in signature(names["SGD"]).parameters


def test_every_schedule_function_of_transformers_is_in_the_facts_table() -> None:
    import inspect

    import transformers.optimization

    public = {
        f"transformers.{name}"
        for name, value in vars(transformers.optimization).items()
        if name.startswith("get_") and inspect.isfunction(value)
    }
    assert public == set(TRANSFORMERS_SCHEDULES)
    assert set(transformers_schedules()) == public


def test_transformers_functions_take_their_own_arguments_and_lrplot_s_table() -> None:
    functions = transformers_schedules()
    cosine = scheduler_signature(functions["transformers.get_cosine_schedule_with_warmup"])
    assert cosine.describe() == "num_warmup_steps, num_training_steps, num_cycles=0.5"
    named = scheduler_signature(functions["transformers.get_scheduler"])
    assert list(named.parameters) == [
        "name", "num_warmup_steps", "num_training_steps", "scheduler_specific_kwargs"
    ]  # fmt: skip
    plateau = scheduler_signature(functions["transformers.get_reduce_on_plateau_schedule"])
    assert plateau == scheduler_signature(scheduler_classes()["ReduceLROnPlateau"])
    assert facts_of(functions["transformers.get_reduce_on_plateau_schedule"]).metric
    assert (
        type_name_of(functions["transformers.get_wsd_schedule"]) == "transformers.get_wsd_schedule"
    )


def test_without_transformers_a_config_naming_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, write_config
) -> None:
    hide_package(monkeypatch, "transformers")
    config = write_config("scheduler: {type: transformers.get_constant_schedule}\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler.type: 'transformers.get_constant_schedule' is a schedule "
        "of HuggingFace transformers, which is not installed: pip install "
        "'lrplot[transformers]' (or pip install transformers) (line 1)\n"
    )
    listed = runner.invoke(cli, ["list"])
    assert listed.stdout.endswith(
        "\nHuggingFace transformers' schedules: pip install 'lrplot[transformers]' (or pip "
        "install transformers)\n"
    )
