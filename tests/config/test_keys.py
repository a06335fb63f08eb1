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


NINES = "9" * 400
COUNT_KEYS = {
    "epochs": f"epochs: N\n{STEP}",
    "resume_at": f"resume_at: N\n{STEP}",
    "steps_per_epoch": f"steps_per_epoch: N\n{STEP}",
    "steps_per_epoch.dataset_size": f"steps_per_epoch: {{dataset_size: N, batch_size: 1}}\n{STEP}",
    "steps_per_epoch.batch_size": f"steps_per_epoch: {{dataset_size: 9, batch_size: N}}\n{STEP}",
    "steps_per_epoch.world_size": (
        f"steps_per_epoch: {{dataset_size: 9, batch_size: 1, world_size: N}}\n{STEP}"
    ),
    "steps_per_epoch.grad_accum": (
        f"steps_per_epoch: {{dataset_size: 9, batch_size: 1, grad_accum: N}}\n{STEP}"
    ),
    "schedulers[0].frequency": "schedulers: [{type: StepLR, step_size: 1, frequency: N}]\n",
    "schedulers[0].every": "schedulers: [{type: StepLR, step_size: 1, every: N}]\n",
}
"""Every whole-number key of a run, in a config where it is on line 1 (N: its value)."""


def test_every_count_key_is_in_the_table() -> None:
    from lrplot.config.keys import SCHEDULE, STEPS

    tables = {"": CONFIG, "steps_per_epoch.": STEPS, "schedulers[0].": SCHEDULE}
    counts = [
        f"{prefix}{key.name}"
        for prefix, table in tables.items()
        for key in table.values()
        if key.kind in ("count", "steps")
    ]
    assert sorted(counts) == sorted(COUNT_KEYS)


@pytest.mark.parametrize("key", sorted(COUNT_KEYS))
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (NINES, "must be at most 1,000,000,000,000,000, got a number of 400 digits; no run is "
                "so long"),
        (f"-{NINES}", "must be at least 1, got a negative number of 400 digits"),
        ("1000000000000001", "must be at most 1,000,000,000,000,000, got 1,000,000,000,000,001; "
                             "no run is so long"),
        ("1e400", "expected a whole number of at least 1, got inf"),
        (".nan", "expected a whole number of at least 1, got nan"),
        ("'12'", "expected a whole number of at least 1, got text '12'"),
    ],
)  # fmt: skip
def test_a_count_key_is_bounded_in_one_line(
    key: str, value: str, message: str, runner: CliRunner, write_config
) -> None:
    config = write_config(COUNT_KEYS[key].replace("N", value))
    for command in (["validate", "-q"], ["render", "-o", str(config.parent / "o.png")]):
        result = runner.invoke(cli, [command[0], str(config), *command[1:]])
        assert result.exit_code == 1
        assert result.stderr == f"Error: {config}: {key}: {message} (line 1)\n"


def test_the_largest_count_is_accepted(runner: CliRunner, write_config) -> None:
    """The near miss: 10**15 samples in batches of 10**15, one step an epoch."""
    config = write_config(
        f"steps_per_epoch: {{dataset_size: {10**15}, batch_size: {10**15}}}\n"
        f"resume_at: 99\nschedulers: [{{type: StepLR, step_size: 1, every: {10**15}}}]\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    assert "Error" not in result.stderr


@pytest.mark.parametrize("value", [str(2**63), str(2**64 + 1), f"-{2**63}"])
def test_a_count_past_int64_through_set_is_one_line(
    value: str, runner: CliRunner, write_config
) -> None:
    config = write_config(STEP)
    result = runner.invoke(cli, ["validate", str(config), "--set", f"epochs={value}"])
    assert result.exit_code == 1
    bound = "at least 1" if value.startswith("-") else "at most 1,000,000,000,000,000"
    assert result.stderr == (
        f"Error: {config}: epochs: must be {bound}, got {int(value):,}"
        f"{'' if value.startswith('-') else '; no run is so long'} (from --set epochs={value})\n"
    )


def test_a_size_of_400_digits_is_one_line(runner: CliRunner, write_config) -> None:
    config = write_config(f"{STEP}plot: {{size: [{NINES}, 4]}}\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: plot.size: expected WIDTHxHEIGHT in inches such as 8x4.5, got "
        "[99999999999999999999999... (line 2)\n"
    )
