"""The ``lrplot`` command line: parse options, call the core, print results and errors."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from lrplot import __version__
from lrplot.custom_schedulers import ALLOW_IMPORT_ENV
from lrplot.errors import LrplotError
from lrplot.export import FORMATS, format_of, iter_csv, render, write
from lrplot.simulation import DEFAULT_MAX_STEPS, simulate
from lrplot.spec import load_spec

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_FORMAT = "png"


def allow_import_option(f: F) -> F:
    """``--allow-import``: let configs name Python code to import (custom schedulers)."""
    return click.option(
        "--allow-import",
        is_flag=True,
        envvar=ALLOW_IMPORT_ENV,
        help=f"Let configs import the Python code they name (custom scheduler classes). "
        f"Also set by {ALLOW_IMPORT_ENV}=1.",
    )(f)


def max_steps_option(f: F) -> F:
    """``--max-steps``: refuse schedules longer than this before simulating them."""
    return click.option(
        "--max-steps",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_STEPS,
        show_default=True,
        help="Refuse configs with more steps (epochs x steps_per_epoch) than this.",
    )(f)


def _version_message() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for package in ("torch", "matplotlib"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} not installed")
    return f"lrplot {__version__} ({', '.join(parts)})"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version_message())
        ctx.exit()


@click.group(name="lrplot", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the versions of lrplot, torch and matplotlib, and exit.",
)
def cli() -> None:
    """See a PyTorch learning-rate schedule before you spend GPU hours on it.

    Each config is a YAML file naming a torch optimizer and scheduler; lrplot steps the
    real scheduler and writes the learning rate of every step as a plot or as data.
    """


@dataclass(frozen=True)
class _Target:
    path: Path | None  # None: standard output
    format: str


@cli.command("render")
@click.argument("configs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="PATH",
    help="Where to write: a file (its extension picks the format), a folder (ending in /), "
    "or - for standard output. Repeatable. Default: CONFIG-STEM.png in the current folder.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Format for -o -, for folders and for the default output. Repeatable.",
)
@allow_import_option
@max_steps_option
def render_command(
    configs: tuple[Path, ...],
    outputs: tuple[str, ...],
    formats: tuple[str, ...],
    allow_import: bool,
    max_steps: int,
) -> None:
    """Simulate each CONFIG and write its schedule as PNG, SVG, PDF, CSV or JSON.

    \b
    Examples:
      lrplot render configs/tutorial/StepLR.yaml
      lrplot render steplr.yaml -o steplr.svg -o steplr.csv
      lrplot render steplr.yaml -f csv -o - | head
      lrplot render configs/*.yaml -o out/ -f png -f csv
    """
    plans = _plan_outputs(configs, outputs, formats)
    failed = False
    for config, targets in plans:
        try:
            spec = load_spec(path=config, allow_import=allow_import)
            schedule = simulate(spec=spec, max_steps=max_steps)
            for notice in schedule.notices:
                click.echo(f"Notice: {notice}", err=True)
            for target in targets:
                if target.path is None:
                    _write_stdout(schedule, target.format)
                else:
                    write(schedule=schedule, path=target.path, format=target.format)
                    click.echo(f"Wrote {target.path}", err=True)
        except LrplotError as e:
            click.echo(f"Error: {e}", err=True)
            failed = True
    if failed:
        raise SystemExit(1)


def _write_stdout(schedule: Any, fmt: str) -> None:
    with click.open_file("-", "wb") as stream:
        if fmt == "csv":
            for chunk in iter_csv(schedule):
                stream.write(chunk.encode())
        else:
            stream.write(render(schedule=schedule, format=fmt))
        stream.flush()


def _plan_outputs(
    configs: Sequence[Path], outputs: Sequence[str], formats: Sequence[str]
) -> list[tuple[Path, list[_Target]]]:
    """Decide every file each config writes; misuse is a usage error before any work."""
    several = len(configs) > 1
    chosen = list(dict.fromkeys(formats)) or [DEFAULT_FORMAT]
    plans = []
    seen: dict[Path | None, Path] = {}
    for config in configs:
        stem = config.stem or "schedule"
        targets: list[_Target] = []
        for output in outputs or ["./"]:
            if output == "-":
                if several:
                    raise click.UsageError("-o - takes one config; give a folder for several")
                if len(formats) != 1:
                    raise click.UsageError("-o - needs exactly one --format, e.g. -f csv -o -")
                targets.append(_Target(None, formats[0]))
            elif output.endswith(("/", os.sep)) or Path(output).is_dir():
                targets.extend(_Target(Path(output) / f"{stem}.{fmt}", fmt) for fmt in chosen)
            else:
                if several:
                    raise click.UsageError(
                        f"with several configs, -o must be a folder (ending in /), not {output!r}"
                    )
                targets.append(_Target(Path(output), _file_format(output, formats)))
        for target in targets:
            if target.path is not None and target.path.exists() and target.path.is_dir():
                raise click.UsageError(f"{target.path} is a folder; add / to write into it")
            if target.path in seen:
                raise click.UsageError(
                    f"{target.path or '-'} would be written twice "
                    f"(from {seen[target.path]} and {config})"
                )
            seen[target.path] = config
        plans.append((config, targets))
    return plans


def _file_format(output: str, formats: Sequence[str]) -> str:
    fmt = format_of(output)
    if fmt is None:
        if len(formats) == 1:
            return formats[0]
        raise click.UsageError(
            f"cannot tell the format of {output!r} from its extension; "
            f"use .{', .'.join(FORMATS)} or one --format"
        )
    if formats and fmt not in formats:
        raise click.UsageError(
            f"{output!r} is {fmt} by its extension, but --format says {', '.join(formats)}"
        )
    return fmt


def main() -> None:
    """Entry point of the ``lrplot`` console script."""
    cli(prog_name="lrplot")
