"""``lrplot preview``: a schedule drawn in the terminal."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from lrplot.cli.options import CONFIG_ARGUMENT, config_options
from lrplot.cli.shared import echo, err, run_config
from lrplot.pipeline import PlotChanges, Settings


@click.command("preview")
@click.argument("config", type=CONFIG_ARGUMENT)
@click.option(
    "--width",
    type=click.IntRange(min=30),
    help="Columns to use.  [default: the terminal's width]",
)
@click.option(
    "--height", type=click.IntRange(2, 100), default=12, show_default=True,
    help="Rows of plot.",
)  # fmt: skip
@click.option("--log-y", is_flag=True, help="Log scale for the learning rate.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour param groups.  [default: when the output is a terminal]",
)
@config_options
def preview_command(
    config: Path,
    width: int | None,
    height: int,
    log_y: bool,
    color: bool | None,
    settings: Settings,
) -> None:
    """Draw the schedule of CONFIG in the terminal, for a look without an image viewer.

    \b
    Examples:
      lrplot preview configs/tutorial/OneCycleLR.yaml
      lrplot preview steplr.yaml --set scheduler.gamma=0.5 --log-y --width 80
    """
    from lrplot.draw.preview import preview

    outcome = run_config(config, settings, plot=PlotChanges(yscale="log" if log_y else None))
    schedule = outcome.schedule
    for warning in outcome.warnings:
        err(f"Warning: {warning}")
    for notice in outcome.notices:
        err(f"Notice: {notice}")
    use_color = (sys.stdout is not None and sys.stdout.isatty()) if color is None else color

    def paint(text: str, colour: str) -> str:
        return click.style(text, fg=colour) if use_color else text

    columns = width or shutil.get_terminal_size((80, 24)).columns
    text = preview(schedule=schedule, width=columns, height=height, log_y=log_y, paint=paint)
    echo(text, nl=False, color=use_color)
