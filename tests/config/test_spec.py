"""Config validation: defaults, notices, titles, and errors with file, key path and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot import ConfigError, Spec, load_spec, parse_spec, simulate
from lrplot.cli import cli
from lrplot.config.spec import default_title


def spec_of(text: str) -> Spec:
    return load_spec(text=text, source="cfg.yaml")


def test_defaults_match_the_contract() -> None:
    spec = spec_of("scheduler: {type: StepLR, step_size: 10}")
    assert spec.epochs == 100
    assert spec.steps_per_epoch == 1
    assert spec.optimizer.type_name == "SGD"
    assert spec.optimizer.args == {"lr": 0.1}
    assert [g.name for g in spec.optimizer.groups] == ["0"]
    assert spec.metric is None
    assert spec.title is None


def test_lr_defaults_to_0_1_for_any_optimizer() -> None:
    spec = spec_of("optimizer: {type: Adam}\nscheduler: {type: StepLR, step_size: 10}")
    assert spec.optimizer.args == {"lr": 0.1}


def test_yaml_1_2_exponent_floats_are_numbers() -> None:
    spec = spec_of("scheduler: {type: CosineAnnealingLR, T_max: 10, eta_min: 1e-3}")
    assert spec.scheduler.args["eta_min"] == 0.001


def test_list_arguments_become_tuples_where_torch_wants_tuples() -> None:
    spec = spec_of("optimizer: {type: Adam, betas: [0.8, 0.99]}\nscheduler: {type: ConstantLR}")
    assert spec.optimizer.args["betas"] == (0.8, 0.99)


def test_verbose_is_dropped_with_a_notice() -> None:
    spec = spec_of("scheduler: {type: ExponentialLR, gamma: 0.9, verbose: true}")
    assert "verbose" not in spec.scheduler.args
    assert spec.notices == (
        "cfg.yaml: scheduler.verbose: ignored: this torch's ExponentialLR has no `verbose` "
        "argument any more; delete the line",
    )


def test_a_metric_for_another_scheduler_is_ignored_with_a_notice() -> None:
    spec = spec_of("scheduler: {type: ExponentialLR, gamma: 0.9}\nmetric: epoch")
    assert spec.metric is None
    assert spec.notices == (
        "cfg.yaml: metric: ignored: only ReduceLROnPlateau is fed a metric, not ExponentialLR",
    )


def test_nested_schedulers_get_key_paths() -> None:
    spec = spec_of(
        "scheduler:\n  type: SequentialLR\n  milestones: [2]\n  schedulers:\n"
        "    - {type: LinearLR}\n    - {type: ExponentialLR, gamma: 0.5}\n"
    )
    assert [s.key for s in spec.scheduler.walk()] == [
        "scheduler",
        "scheduler.schedulers[0]",
        "scheduler.schedulers[1]",
    ]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "optimizer: {type: Adam, lr: 0.1}\n"
            "scheduler: {type: StepLR, step_size: 10, gamma: 0.8}",
            "StepLR(step_size=10, gamma=0.8) · Adam(lr=0.1)",
        ),
        (
            "scheduler: {type: StepLR, step_size: 10, gamma: 0.1}",
            "StepLR(step_size=10) · SGD(lr=0.1)",
        ),
        (
            "optimizer: {momentum: 0.9}\nscheduler: {type: CyclicLR, base_lr: 0.001, "
            "max_lr: 0.1, mode: triangular2}",
            "CyclicLR(base_lr=0.001, max_lr=0.1, mode='triangular2') · SGD(lr=0.1, momentum=0.9)",
        ),
        (
            "scheduler: {type: LambdaLR, lr_lambda: '0.95 ** epoch'}",
            "LambdaLR(lr_lambda=0.95 ** epoch) · SGD(lr=0.1)",
        ),
        (
            "scheduler:\n  type: ChainedScheduler\n  schedulers: [{type: ConstantLR, factor: 0.5},"
            " {type: ExponentialLR, gamma: 0.9}]",
            "ChainedScheduler([ConstantLR(factor=0.5), ExponentialLR(gamma=0.9)]) · SGD(lr=0.1)",
        ),
    ],
)
def test_default_title_names_the_non_default_arguments(text: str, title: str) -> None:
    spec = spec_of(text)
    assert default_title(spec) == title
    assert spec.display_title == title


def test_given_title_wins() -> None:
    assert spec_of("title: Mine\nscheduler: {type: ConstantLR}").display_title == "Mine"


def test_a_title_is_one_line_and_a_description_keeps_its_lines() -> None:
    spec = spec_of(
        "title: |\n  Warm-up\n  \tthen  decay\n"
        "description: |\n  First line.\n  Second line.\n"
        "scheduler: {type: ConstantLR}"
    )
    assert spec.title == "Warm-up then decay"
    assert spec.description == "First line.\nSecond line.\n"


def test_load_spec_needs_exactly_one_source() -> None:
    with pytest.raises(TypeError):
        load_spec()
    with pytest.raises(TypeError):
        load_spec(path="a.yaml", text="b")


def test_text_configs_are_named_in_errors() -> None:
    with pytest.raises(
        ConfigError, match=r"^<text>: epochs: must be at least 1, got 0 \(line 1\)$"
    ):
        load_spec(text="epochs: 0\nscheduler: {type: ConstantLR}")


def test_parse_spec_takes_a_python_callable_from_the_caller() -> None:
    spec = parse_spec(
        data={"epochs": 3, "scheduler": {"type": "LambdaLR", "lr_lambda": lambda e: 0.5**e}}
    )
    assert list(simulate(spec=spec).lr[0]) == [0.1, 0.05, 0.025]


def test_parse_spec_resolves_custom_classes_from_base_dir(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(
        "from torch.optim.lr_scheduler import StepLR\nclass Mine(StepLR):\n    pass\n"
    )
    spec = parse_spec(
        data={"scheduler": {"type": "mine.py:Mine", "step_size": 2}},
        base_dir=tmp_path,
        allow_import=True,
    )
    assert spec.scheduler.cls.__name__ == "Mine"


def test_custom_optimizer_arguments_are_checked_per_group() -> None:
    spec = spec_of("optimizer: {param_groups: [{lr: x}]}\nscheduler: {type: ConstantLR}")
    with pytest.raises(
        ConfigError, match=r"optimizer.param_groups\[0\].lr: expected a number, got text 'x'"
    ):
        simulate(spec=spec)  # torch takes the group, and fails on its lr


def test_group_names_must_be_unique_and_simple() -> None:
    with pytest.raises(ConfigError, match="two groups are named 'a'"):
        spec_of("optimizer: {param_groups: [{name: a}, {name: a}]}\nscheduler: {type: ConstantLR}")
    with pytest.raises(ConfigError, match="expected a short name"):
        spec_of("optimizer: {param_groups: [{name: 'a,b'}]}\nscheduler: {type: ConstantLR}")


def test_the_title_names_group_overrides_and_the_metric() -> None:
    spec = spec_of(
        "optimizer: {momentum: 0.9, param_groups: [{name: body, lr: 0.01}, {name: head}]}\n"
        "scheduler: {type: ReduceLROnPlateau, factor: 0.5}\nmetric: epoch"
    )
    assert spec.display_title == (
        "ReduceLROnPlateau(factor=0.5) · SGD(lr=0.1, momentum=0.9; body: lr=0.01) · metric: epoch"
    )
    default = spec_of("scheduler: {type: ReduceLROnPlateau}")
    assert default.display_title.endswith(" · metric: synthetic loss")


def test_per_group_lists_must_match_the_groups() -> None:
    spec = spec_of(
        "optimizer: {param_groups: [{}, {}]}\nscheduler:\n  type: SequentialLR\n"
        "  milestones: [2]\n  schedulers:\n    - {type: LambdaLR, lr_lambda: ['1.0']}\n"
        "    - {type: ExponentialLR, gamma: 0.9}\n"
    )
    with pytest.raises(ConfigError, match=r"scheduler.schedulers\[0\].lr_lambda: 1 values given"):
        simulate(spec=spec)  # torch checks the length, and lrplot says it in its words
    spec = spec_of(
        "optimizer: {param_groups: [{}, {}]}\n"
        "scheduler: {type: LambdaLR, lr_lambda: ['1.0', '0.5 ** epoch']}"
    )
    assert len(spec.scheduler.args["lr_lambda"]) == 2


def test_onecycle_s_own_length_of_the_wrong_type_is_refused_not_multiplied(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    path = write_config(
        "optimizer: {type: SGD, lr: 0.1}\n"
        "scheduler: {type: OneCycleLR, max_lr: 0.1, epochs: 0, steps_per_epoch: {a: 1}}\n"
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: scheduler.steps_per_epoch: expected an integer or null, got a "
        "mapping (line 2)\n"
    )


NINES = "9" * 400


@pytest.mark.parametrize(
    ("name", "text", "key", "line"),
    [
        (
            "config.json",
            f'{{"epochs": 3,\n "optimizer": {{"type": "SGD", "lr": {NINES}}},\n'
            ' "scheduler": {"type": "StepLR", "step_size": 1}}\n',
            "optimizer.lr",
            2,
        ),
        ("config.yaml", f"optimizer: {{lr: -{NINES}}}\nscheduler: {{type: StepLR}}\n",
         "optimizer.lr", 1),
        ("config.yaml", f"optimizer: {{param_groups: [{{}}, {{lr: {NINES}}}]}}\n"
         "scheduler: {type: StepLR, step_size: 1}\n", "optimizer.param_groups[1].lr", 1),
        ("config.json", f'{{"scheduler": {{"type": "MultiStepLR",\n "milestones": [{NINES}]}}}}',
         "scheduler.milestones[0]", 2),
    ],
)  # fmt: skip
def test_an_integer_no_float_holds_is_refused_by_its_key(
    name: str, text: str, key: str, line: int, runner: CliRunner, write_config
) -> None:
    """json.loads and YAML make a 400-digit number an int; torch would fail on it at its
    first step, blamed on the scheduler."""
    config = write_config(text, name)
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    owner = "MultiStepLR" if "milestones" in key else "SGD"
    negative = "negative " if f"-{NINES}" in text else ""
    assert result.stderr == (
        f"Error: {config}: {key}: a {negative}number of 400 digits is past the largest float "
        f"(about 1.8e308); {owner} computes with floats (line {line})\n"
    )


def test_an_integer_a_float_holds_is_torchs_to_run(runner: CliRunner, write_config) -> None:
    config = write_config(f"scheduler: {{type: StepLR, step_size: {'9' * 300}}}\n", "c.json")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
