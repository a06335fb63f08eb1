"""The table of config keys: a key is added in one place, and validation, the schema,
the docs and the messages all know it."""

from __future__ import annotations

from typing import Any, cast

import pytest
from click.testing import CliRunner

from lrplot import load_spec
from lrplot.cli import cli
from lrplot.config.keys import CONFIG, PLOT, Key, check_value
from lrplot.config.schema import config_schema
from lrplot.reference import keys_table

STEP = "scheduler: {type: StepLR, step_size: 10}\n"


@pytest.fixture
def colour(monkeypatch: pytest.MonkeyPatch) -> Key:
    """A made-up key, added to the table and nowhere else."""
    key = Key("colour", "choice", "the colour of the line", "red", choices=("red", "blue"))
    monkeypatch.setitem(cast(dict[str, Key], CONFIG), "colour", key)
    return key


def test_a_new_key_is_validated_from_the_table(
    colour: Key, runner: CliRunner, write_config
) -> None:
    assert load_spec(text=f"colour: blue\n{STEP}").values["colour"] == "blue"
    assert load_spec(text=STEP).values["colour"] == "red"
    config = write_config(f"{STEP}colour: green\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: {config}: colour: expected red or blue, got 'green' (line 2)\n"
    )
    result = runner.invoke(cli, ["validate", str(write_config(f"{STEP}color: red\n"))])
    assert "unknown key (did you mean colour?); allowed keys: title, " in result.stderr
    assert result.stderr.rstrip().endswith(f"{', '.join(CONFIG)} (line 2)")


def test_a_new_key_is_in_the_schema_and_the_docs(colour: Key) -> None:
    assert config_schema()["properties"]["colour"] == {
        "enum": ["red", "blue"],
        "description": "the colour of the line",
        "default": "red",
    }
    assert "| `colour` | `red` or `blue` | `red` | the colour of the line |" in keys_table()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("yscale", "loglog", "expected linear or log, got 'loglog'"),
        ("dpi", 5, "expected a whole number from 10 to 1000, got 5"),
        ("dpi", True, "expected a whole number from 10 to 1000, got True"),
        ("transparent", "yes", "expected true or false, got 'yes'"),
        ("size", "8 by 4", "expected WIDTHxHEIGHT in inches such as 8x4.5, got '8 by 4'"),
        ("size", [80, 4], "width and height must be 1 to 50 inches, got [80, 4]"),
    ],
)
def test_simple_kinds_say_what_they_expect(name: str, value: Any, message: str) -> None:
    from lrplot.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        check_value(PLOT[name], value, path=f"plot.{name}")
    assert str(caught.value) == f"plot.{name}: {message}"


def test_the_command_lines_plot_flags_read_the_table(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", "--help"])
    assert "--dpi INTEGER RANGE" in result.stdout
    assert f"[{PLOT['dpi'].low:g}<=x<={PLOT['dpi'].high:g}]" in result.stdout
