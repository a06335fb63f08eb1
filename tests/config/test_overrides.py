"""--set overrides: parsing, applying (mappings created on the way), and through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot import ConfigError, load_spec
from lrplot.cli import cli
from lrplot.config.file import parse_config_text
from lrplot.config.overrides import apply_overrides, parse_key_path, parse_override
from lrplot.errors import UsageError
from tests.conftest import CONFIGS_DIR

STEP_LR = CONFIGS_DIR / "tutorial" / "StepLR.yaml"


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("scheduler.gamma=0.5", ("scheduler", "gamma"), 0.5),
        ("optimizer.param_groups[1].lr=1e-3", ("optimizer", "param_groups", 1, "lr"), 0.001),
        ("scheduler.milestones=[30, 60]", ("scheduler", "milestones"), [30, 60]),
        ("scheduler.type=StepLR", ("scheduler", "type"), "StepLR"),
        ("title=", ("title",), None),
        ("plot={yscale: log}", ("plot",), {"yscale": "log"}),
        ("title=a=b", ("title",), "a=b"),
    ],
)
def test_parse(text: str, path: tuple[object, ...], value: object) -> None:
    assert parse_override(text) == (path, value)


@pytest.mark.parametrize(
    "text", ["noequals", "a..b=1", "[0]=1", "a.[0]=1", "1a=2", "a b=1", "a=[1,"]
)
def test_malformed(text: str) -> None:
    with pytest.raises(UsageError, match=r"KEY=VALUE|not a key path|invalid YAML"):
        parse_override(text)


def test_key_paths() -> None:
    assert parse_key_path("a.b[0].c[12]") == ("a", "b", 0, "c", 12)


def test_apply_creates_mappings_and_drops_lines_of_what_it_replaced() -> None:
    document = parse_config_text("scheduler:\n  type: StepLR\n  step_size: 3\n", source="c")
    changed = apply_overrides(document, ["scheduler.step_size=5", "plot.dpi=50"])
    assert changed.data == {"scheduler": {"type": "StepLR", "step_size": 5}, "plot": {"dpi": 50}}
    assert document.data["scheduler"]["step_size"] == 3  # the original is left alone
    assert "scheduler.step_size" not in changed.lines
    assert changed.lines["scheduler.type"] == 2
    assert changed.origin("scheduler.step_size") == "--set scheduler.step_size=5"
    assert changed.origin("plot.dpi.anything") == "--set plot.dpi=50"
    assert changed.origin("scheduler.type") is None


def test_a_later_set_of_an_enclosing_key_replaces_the_earlier_origin() -> None:
    document = parse_config_text("scheduler: {type: StepLR, step_size: 3}", source="c")
    changed = apply_overrides(
        document, ["scheduler.gamma=2", "scheduler={type: ExponentialLR, gamma: 0.5}"]
    )
    assert changed.origin("scheduler.gamma") == "--set scheduler={type: ExponentialLR, gamma: 0.5}"


@pytest.mark.parametrize(
    ("config", "override", "message"),
    [
        (
            "scheduler: {type: StepLR, step_size: 3}",
            "scheduler.type.x=1",
            "c: scheduler.type.x: scheduler.type is not a mapping, so it has no key 'x' to set "
            "(from --set scheduler.type.x=1)",
        ),
        (
            "scheduler: {type: MultiStepLR, milestones: [3]}",
            "scheduler.milestones[5]=9",
            "c: scheduler.milestones[5]: scheduler.milestones has 1 item(s), counted from 0: "
            "there is no item 5 to set (from --set scheduler.milestones[5]=9)",
        ),
        (
            "scheduler: {type: StepLR, step_size: 3}",
            "optimizer.param_groups[1].lr=1e-3",
            "c: optimizer.param_groups[1]: there is no list optimizer.param_groups here to set "
            "item 1 of; set the whole list instead, such as optimizer.param_groups=[...] "
            "(from --set optimizer.param_groups[1].lr=1e-3)",
        ),
    ],
)
def test_what_cannot_be_set_is_an_error_naming_the_set(
    config: str, override: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_spec(text=config, source="c", overrides=[override])
    assert str(caught.value) == message


def test_overridden_values_are_validated_like_the_file() -> None:
    with pytest.raises(ConfigError, match=r"scheduler\.gama: unknown argument of StepLR"):
        load_spec(path=STEP_LR, overrides=["scheduler.gama=0.5"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "scheduler.gamma=0.5x",
            "scheduler.gamma: expected a number, got text '0.5x' "
            "(from --set scheduler.gamma=0.5x)",
        ),
        ("scheduler.gama=0.5", "scheduler.gama: unknown argument of StepLR"),
        ("epochs=0", "epochs: must be at least 1, got 0"),
        ("epochs=100000000", "epochs: 100000000 epochs x 1 steps_per_epoch"),
    ],
)
def test_errors_in_set_values_name_the_set_not_a_line_of_the_file(
    runner: CliRunner, override: str, message: str
) -> None:
    result = runner.invoke(cli, ["validate", str(STEP_LR), "--set", override])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith(f"Error: {STEP_LR}: {message}")
    assert line.endswith(f"(from --set {override})")
    assert "(line " not in line


def test_errors_elsewhere_still_name_the_line(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("scheduler:\n  type: StepLR\n  step_size: 3\n  gamma: x\n")
    result = runner.invoke(cli, ["validate", str(config), "--set", "scheduler.step_size=5"])
    assert result.exit_code == 1
    assert result.stderr.endswith("got text 'x' (line 4)\n")


def test_set_through_the_cli(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["render", str(STEP_LR), "--set", "scheduler.gamma=0.5", "-s", "epochs=12",
              "-f", "csv", "-o", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert len(rows) == 13
    assert rows[11] == "10,0.05"


def test_malformed_set_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(STEP_LR), "--set", "scheduler.gamma"])
    assert result.exit_code == 2
    assert "Invalid value for '-s' / '--set': expected KEY=VALUE" in result.stderr
