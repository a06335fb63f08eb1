"""``lrplot compare``: several schedules, and logged runs, on one axis."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lrplot.cli.options import (
    CONFIG_ARGUMENT,
    config_options,
    file_format,
    not_an_input,
    one_stdin,
    plot_options,
    stdout_format,
    verbosity_options,
)
from lrplot.cli.shared import Say, run_config, say_notices, standard_output
from lrplot.config.runlogs import AFTER_SCHEDULER, BEFORE_SCHEDULER, HF_ORDERS
from lrplot.outputs.export import IMAGE_FORMATS, Format
from lrplot.pipeline import PlotChanges, Settings

if TYPE_CHECKING:
    from lrplot.config.runlogs import HfOrder
    from lrplot.outputs.compare import Axis

COMPARE_FORMATS: tuple[Format, ...] = ("png", "svg", "pdf", "csv")


@click.command("compare")
@click.argument("configs", nargs=-1, required=True, type=CONFIG_ARGUMENT)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="PATH",
    help="A .png, .svg, .pdf or .csv file, or - with one --format. Repeatable. "
    "Default: compare.png in the current folder.",
)
@click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(COMPARE_FORMATS),
    help="Format for -o - and for files without a known extension.",
)  # fmt: skip
@click.option(
    "--axis",
    type=click.Choice(["epoch", "step"]),
    help="Align the schedules by epoch or by optimizer step. Default: by step when their "
    "epochs differ in length (steps_per_epoch above 1 that differ), else by epoch.",
)
@click.option(
    "--hf-log-order",
    "hf_order",
    type=click.Choice(HF_ORDERS),
    help=f"How an HF trainer_state.json logged learning_rate: {AFTER_SCHEDULER} (transformers "
    f"4.50 and earlier: at step N, the lr of step N) or {BEFORE_SCHEDULER} (4.51 and later, "
    "and ReduceLROnPlateau in every version: the lr of step N - 1). Default: ReduceLROnPlateau's "
    "order for a plan of it, else that of the transformers_version in the config.json beside "
    "the log, else the order the plans fit.",
)
@config_options
@plot_options
@verbosity_options
def compare_command(
    configs: tuple[Path, ...],
    outputs: tuple[str, ...],
    formats: tuple[Format, ...],
    axis: Axis | None,
    hf_order: HfOrder | None,
    settings: Settings,
    plot: PlotChanges,
    say: Say,
) -> None:
    """Overlay the schedules of several CONFIGs on one plot, epochs or steps aligned.

    Lines are named by what differs between the configs (mode='triangular2') when that
    is short, else by each config's title or file name; the plot's title says what they
    share. A CONFIG may also be a
    logged run (HF's trainer_state.json, a Lightning CSVLogger metrics.csv, or lrplot's
    own CSV): its lr is drawn as markers at the logged steps, aligned by optimizer step,
    and a Warning: names the first step where it did not follow the planned schedules;
    a Notice: says in which order an HF log was read, and why. A TrainingArguments file
    planned by epochs takes its optimizer steps from the one trainer_state.json beside it
    (its max_steps), unless --dataset-size is given.
    The CSV is in long form (schedule,epoch,lr, or schedule,step,lr) for pandas and
    duckdb; epoch is fractional for schedules stepped per batch.

    \b
    Examples:
      lrplot compare configs/tutorial/CyclicLR-*.yaml -o cyclic.png
      lrplot compare a.yaml b.yaml --log-y -o both.svg -o both.csv
      lrplot compare plan.yaml output/trainer_state.json -o followed.png
      lrplot compare training_args.yaml output/trainer_state.json -o followed.png
      lrplot compare a.yaml b.yaml -f csv -o - | duckdb -c "select * from read_csv('/dev/stdin')"
    """
    from lrplot.config.options import PlotOptions
    from lrplot.config.runlogs import is_logged_run, read_logged_lr
    from lrplot.outputs.compare import check_logged, comparison_outputs, file_names, schedule_names
    from lrplot.outputs.files import write_files

    one_stdin(configs)
    targets: list[tuple[Path | None, Format]] = []
    for output in outputs or ["compare.png"]:
        if output == "-":
            targets.append((None, stdout_format(formats)))
        else:
            targets.append((Path(output), file_format(output, formats, COMPARE_FORMATS)))
        not_an_input(targets[-1][0], configs)
    logs = [path for path in configs if str(path) != "-" and is_logged_run(path)]
    if logs and axis == "epoch":
        raise click.UsageError(
            "a logged run lines up with plans by optimizer step: leave out --axis epoch"
        )
    logged = [
        (read_logged_lr(path, max_steps=settings.max_steps), f"{name} (logged)")
        for path, name in zip(logs, file_names([str(p) for p in logs]), strict=True)
    ]
    configs = tuple(path for path in configs if path not in logs)
    planned = [run.max_steps for run, _ in logged if run.max_steps is not None]
    if len(planned) == 1 and settings.native.logged_steps is None:
        # one HF log: its Trainer's step count plans a native file given by epochs
        source = next(run.source for run, _ in logged if run.max_steps is not None)
        native = replace(settings.native, logged_steps=planned[0], logged_from=source)
        settings = replace(settings, native=native)
    images = any(fmt in IMAGE_FORMATS for _, fmt in targets)
    from lrplot.draw.painter import Painter

    painter = Painter.start_if_useful(images=images)
    with painter or contextlib.nullcontext():
        outcomes = [run_config(config, settings, plot=plot) for config in configs]
        for outcome in outcomes:
            say_notices(say, outcome)
        schedules = [outcome.schedule for outcome in outcomes]
        names = schedule_names(schedules, [str(c) for c in configs])
        checked = check_logged(logged, schedules, names, hf_order=hf_order)
        for notice in checked.notices:
            say.status(f"Notice: {notice}")
        for warning in checked.warnings:
            say.status(f"Warning: {warning}")
        filled = comparison_outputs(
            schedules=schedules,
            names=names,
            outputs=targets,
            options=PlotOptions().merged(
                yscale=plot.yscale, size=plot.size, dpi=plot.dpi, transparent=plot.transparent
            ),
            painter=painter,
            axis=axis,
            logged=checked.runs,
        )
    write_files({path: fill for path, fill in filled if path is not None})
    for path, fill in filled:
        if path is None:
            with standard_output() as stream:
                fill(stream)
        else:
            say.status(f"Wrote {path}")
