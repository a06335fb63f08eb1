"""--set overrides: parsing, applying (mappings created on the way), and through the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lrplot import ConfigError, load_spec
from lrplot.cli import cli
from lrplot.configfile import parse_config_text
from lrplot.overrides import apply_overrides, parse_key_path, parse_override
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
    with pytest.raises(ValueError, match=r"KEY=VALUE|not a key path|invalid YAML"):
        parse_override(text)


def test_key_paths() -> None:
    assert parse_key_path("a.b[0].c[12]") == ("a", "b", 0, "c", 12)


def test_apply_creates_mappings_and_drops_lines_of_what_it_replaced() -> None:
    document = parse_config_text("scheduler:\n  type: StepLR\n  step_size: 3\n", source="c")
    changed = apply_overrides(document, [(("scheduler", "step_size"), 5), (("plot", "dpi"), 50)])
    assert changed.data == {"scheduler": {"type": "StepLR", "step_size": 5}, "plot": {"dpi": 50}}
    assert document.data["scheduler"]["step_size"] == 3  # the original is left alone
    assert "scheduler.step_size" not in changed.lines
    assert changed.lines["scheduler.type"] == 2


def test_setting_inside_a_non_mapping_is_an_error() -> None:
    with pytest.raises(
        ConfigError, match=r"c: scheduler.type.x: --set: scheduler.type is not a mapping"
    ):
        load_spec(
            text="scheduler: {type: StepLR, step_size: 3}",
            source="c",
            overrides=["scheduler.type.x=1"],
        )
    with pytest.raises(ConfigError, match=r"no item 5 to set here"):
        load_spec(
            text="scheduler: {type: MultiStepLR, milestones: [3]}", source="c",
            overrides=["scheduler.milestones[5]=9"],
        )  # fmt: skip


def test_overridden_values_are_validated_like_the_file() -> None:
    with pytest.raises(ConfigError, match=r"scheduler\.gama: unknown argument of StepLR"):
        load_spec(path=STEP_LR, overrides=["scheduler.gama=0.5"])


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
