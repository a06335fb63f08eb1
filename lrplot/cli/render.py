"""``lrplot render``: simulate configs and write their schedules as images or data."""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lrplot.cli.options import (
    CONFIG_ARGUMENT,
    config_options,
    file_format,
    formats_option,
    not_an_input,
    one_stdin,
    plot_options,
    stdout_format,
    verbosity_options,
)
from lrplot.cli.shared import Say, prepare_config, report, run_config, say_notices, standard_output
from lrplot.errors import LrplotError
from lrplot.outputs.export import IMAGE_FORMATS, Format
from lrplot.pipeline import InFolder, Outcome, PlotChanges, Settings

if TYPE_CHECKING:
    from lrplot.draw.painter import Painter

DEFAULT_FORMAT: Format = "png"
_Target = tuple[Path | InFolder | None, Format]
"""Where one output of a command goes (None: standard output), and its format."""


def _file_of(target: Path | InFolder | None) -> Path | None:
    return target.path if isinstance(target, InFolder) else target


@click.command("render")
@click.argument("configs", nargs=-1, required=True, type=CONFIG_ARGUMENT)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="PATH",
    help="Where to write: a file (its extension picks the format), a folder (ending in /), "
    "or - for standard output. Repeatable. Default: CONFIG-STEM.png in the current folder.",
)
@formats_option("Format for -o -, for folders and for the default output. Repeatable.")
@config_options
@plot_options
@verbosity_options
def render_command(
    configs: tuple[Path, ...],
    outputs: tuple[str, ...],
    formats: tuple[Format, ...],
    settings: Settings,
    plot: PlotChanges,
    say: Say,
) -> None:
    """Simulate each CONFIG and write its schedule as PNG, SVG, PDF, CSV or JSON.

    \b
    Examples:
      lrplot render configs/tutorial/StepLR.yaml
      lrplot render steplr.yaml -o steplr.svg -o steplr.csv
      lrplot render steplr.yaml -f csv -o - | head
      lrplot render steplr.yaml --set scheduler.gamma=0.5 --log-y -o half.png
      lrplot render configs/*.yaml -o out/ -f png -f csv
    """
    one_stdin(configs)
    plans = _plan_outputs(configs, outputs, formats)
    images = any(fmt in IMAGE_FORMATS for _, targets in plans for _, fmt in targets)
    if images and len(plans) > 1 and (os.cpu_count() or 1) > 1:
        if _render_several(plans, settings, plot, say):
            raise SystemExit(1)
        return
    # Started before torch is imported: the painter imports matplotlib meanwhile.
    from lrplot.draw.painter import Painter

    painter = Painter.start_if_useful(images=images)
    failed = False
    with painter or contextlib.nullcontext():
        for config, targets in plans:
            try:
                _render_one(config, targets, settings, plot, say, painter)
            except LrplotError as e:
                report(e)
                failed = True
    if failed:
        raise SystemExit(1)


def _render_several(
    plans: list[tuple[Path, list[_Target]]], settings: Settings, plot: PlotChanges, say: Say
) -> bool:
    """Render several configs, their images drawn in worker processes (one per core)
    while this process simulates the configs that follow (see :mod:`lrplot.gallery.workers`);
    the same files and lines as one by one, in the configs' order. True if one failed.

    An image a worker could not draw (it died, or drawing failed) is drawn here, where
    an error is raised as usual."""
    from lrplot.draw.painter import draw_in_worker
    from lrplot.draw.plotting import PlotData, plot_data, warm_up
    from lrplot.gallery.workers import in_order
    from lrplot.pipeline import produce

    prepared: collections.deque[Outcome | LrplotError] = collections.deque()

    def drawings() -> Iterator[tuple[PlotData, list[Format]] | None]:
        for config, targets in plans:
            images = [fmt for _, fmt in targets if fmt in IMAGE_FORMATS]
            try:
                outcome = prepare_config(config, settings, plot)
                data = plot_data(outcome.schedule, options=outcome.options) if images else None
            except LrplotError as e:
                prepared.append(e)
                yield None
                continue
            prepared.append(outcome)
            yield None if data is None else (data, images)

    workers = min(os.cpu_count() or 1, len(plans))
    drawn = in_order(draw_in_worker, drawings(), workers=workers, warm_up=warm_up)
    failed = False
    for (_, targets), (_, images) in zip(plans, drawn, strict=True):
        try:
            outcome = prepared.popleft()
            if isinstance(outcome, LrplotError):
                raise outcome
            _say_rendered(say, produce(outcome=outcome, outputs=targets, drawn=images))
        except LrplotError as e:
            report(e)
            failed = True
    return failed


def _render_one(
    config: Path,
    targets: list[_Target],
    settings: Settings,
    plot: PlotChanges,
    say: Say,
    painter: Painter | None,
) -> None:
    """Render one config to its targets (None: standard output); print what it says."""
    with standard_output() if any(path is None for path, _ in targets) else _no_stream() as stream:
        outcome = run_config(
            config,
            settings,
            plot=plot,
            outputs=[(stream if path is None else path, fmt) for path, fmt in targets],
            painter=painter,
        )
    _say_rendered(say, outcome)


def _say_rendered(say: Say, outcome: Outcome) -> None:
    """What ``render`` says of a config it rendered: warnings, notices, files written."""
    say_notices(say, outcome)
    for path in outcome.written:
        say.status(f"Wrote {path}")
    say.detail(f"{outcome.schedule.spec.source}: {outcome.schedule.summary()}")


@contextlib.contextmanager
def _no_stream() -> Iterator[None]:
    yield None


def _plan_outputs(
    configs: Sequence[Path], outputs: Sequence[str], formats: Sequence[Format]
) -> list[tuple[Path, list[_Target]]]:
    """Decide every file each config writes; misuse is a usage error before any work."""
    several = len(configs) > 1
    chosen = list(dict.fromkeys(formats)) or [DEFAULT_FORMAT]
    plans = []
    seen: dict[Path | None, Path] = {}
    for config in configs:
        stem = "stdin" if str(config) == "-" else (config.stem or "schedule")
        targets: list[_Target] = []
        for output in outputs or ["./"]:
            if output == "-":
                if several:
                    raise click.UsageError("-o - takes one config; give a folder for several")
                targets.append((None, stdout_format(formats)))
            elif output.endswith(("/", os.sep)) or _is_dir(Path(output)):
                targets.extend((InFolder(Path(output) / f"{stem}.{fmt}"), fmt) for fmt in chosen)
            else:
                if several:
                    raise click.UsageError(
                        f"with several configs, -o must be a folder (ending in /), not {output!r}"
                    )
                targets.append((Path(output), file_format(output, formats)))
        for target, _ in targets:
            path = _file_of(target)
            if path is not None and _is_dir(path):
                raise click.UsageError(f"{path} is a folder; add / to write into it")
            not_an_input(path, configs)
            if path in seen:
                raise click.UsageError(
                    f"{path or '-'} would be written twice (from {seen[path]} and {config})"
                )
            seen[path] = config
        plans.append((config, targets))
    return plans


def _is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder; False where it cannot be looked at (a name too long
    for the system, say: writing it then fails with an Error line)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False
