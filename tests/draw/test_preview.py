"""lrplot preview: the schedule in the terminal, fitting the width asked for."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lrplot import load_spec, simulate
from lrplot.cli import cli
from lrplot.draw.preview import preview
from tests.conftest import CONFIGS_DIR

ONE_CYCLE = CONFIGS_DIR / "tutorial" / "OneCycleLR.yaml"


@pytest.mark.golden
def test_preview_golden(runner: CliRunner, golden) -> None:
    result = runner.invoke(cli, ["preview", str(ONE_CYCLE), "--width", "72", "--height", "10"])
    assert result.exit_code == 0, result.output
    golden("preview-OneCycleLR-72.txt", result.stdout)


@pytest.mark.parametrize("width", [30, 50, 80, 120])
@pytest.mark.parametrize(
    "config", ["tutorial/StepLR", "schedulers/LambdaLR", "recipes/warm-restarts-per-batch"]
)
def test_every_line_fits_the_width(config: str, width: int, runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["preview", str(CONFIGS_DIR / f"{config}.yaml"), "--width", str(width)]
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= width


def test_axes_show_the_lr_range_and_the_epochs() -> None:
    schedule = simulate(spec=load_spec(path=CONFIGS_DIR / "tutorial" / "StepLR.yaml"))
    lines = preview(schedule=schedule, width=80, height=8).splitlines()
    plot = [line for line in lines if "┤" in line or "│" in line]
    assert len(plot) == 8
    assert plot[0].lstrip().startswith("0.1 ┤")
    assert plot[-1].lstrip().startswith("0.0134 ┤")
    ticks = next(line for line in lines if line.strip().startswith("0 "))
    assert ticks.split() == ["0", "25", "50", "75", "100"]
    assert lines[-1] == "100 steps (100 epochs); lr start 0.1, min 0.0134, max 0.1, final 0.0134"


def test_log_scale_and_colour(runner: CliRunner) -> None:
    config = str(CONFIGS_DIR / "schedulers" / "LambdaLR.yaml")
    plain = runner.invoke(cli, ["preview", config, "--width", "60", "--log-y", "--no-color"])
    coloured = runner.invoke(cli, ["preview", config, "--width", "60", "--color"])
    assert "epochs; lr (log scale)" in plain.stdout
    assert "\x1b[" not in plain.stdout
    assert "\x1b[34m" in coloured.stdout  # the first group in blue
    assert "backbone" in coloured.stdout
    assert "head" in coloured.stdout


def test_a_flat_schedule_still_draws() -> None:
    from lrplot import parse_spec

    schedule = simulate(
        spec=parse_spec(data={"epochs": 5, "scheduler": {"type": "ConstantLR", "factor": 1.0}})
    )
    text = preview(schedule=schedule, width=40, height=4)
    assert "⠉" in text or "⣀" in text or "⠒" in text


def test_errors_are_one_line(runner: CliRunner, write_config) -> None:
    config = write_config("scheduler: {type: StepLR}\n")
    result = runner.invoke(cli, ["preview", str(config)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {config}: scheduler.step_size: missing")


def test_the_readme_shows_the_golden_preview() -> None:
    from tests.conftest import GOLDEN_DIR, ROOT

    golden_text = (GOLDEN_DIR / "preview-OneCycleLR-72.txt").read_text()
    command = "$ lrplot preview configs/tutorial/OneCycleLR.yaml --width 72 --height 10\n"
    assert command + golden_text in (ROOT / "README.md").read_text()


def test_log_scale_says_where_zero_went(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 10\nscheduler: {type: LambdaLR, lr_lambda: '0 if epoch > 5 else 1'}\n"
    )
    result = runner.invoke(cli, ["preview", str(config), "--log-y", "--no-color"])
    assert result.exit_code == 0
    assert "epochs; lr (log scale; 0 and below drawn at the bottom)" in result.stdout


def test_extreme_learning_rates_are_drawn_or_refused_in_one_line(
    runner: CliRunner, write_config
) -> None:
    huge = write_config("optimizer: {lr: 1.0e+300}\nscheduler: {type: ConstantLR, factor: 1}\n")
    result = runner.invoke(cli, ["preview", str(huge), "--log-y", "--width", "60"])
    assert result.exit_code == 0, result.output
    assert "1e+300" in result.stdout
    too = write_config("optimizer: {lr: 1.7e+308}\nscheduler: {type: ConstantLR, factor: 1}\n")
    result = runner.invoke(cli, ["preview", str(too)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {too}: the lr reaches 1.7e+308, too large to draw; CSV and JSON outputs hold "
        "such values\n"
    )
