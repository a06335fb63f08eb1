"""The ``lrplot`` command line: parse options, call the core, print results and errors.

The core is imported inside the commands, so ``lrplot --help`` loads only click.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from lrplot import __version__
from lrplot.custom_schedulers import ALLOW_IMPORT_ENV
from lrplot.errors import LrplotError
from lrplot.export import FORMATS, IMAGE_FORMATS, format_of
from lrplot.limits import DEFAULT_MAX_STEPS
from lrplot.painter import Painter

if TYPE_CHECKING:
    from lrplot.gallery import Shard

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
    images = any(t.format in IMAGE_FORMATS for _, targets in plans for t in targets)
    # Started before torch is imported: the painter imports matplotlib meanwhile.
    painter = Painter.start_if_useful(images=images)
    with painter or contextlib.nullcontext():
        results = [_render_one(c, t, allow_import, max_steps, painter) for c, t in plans]
    if not all(results):
        raise SystemExit(1)


def _render_one(
    config: Path,
    targets: list[_Target],
    allow_import: bool,
    max_steps: int,
    painter: Painter | None,
) -> bool:
    """Render one config to its targets; print its notices or its error."""
    from lrplot.export import write_all
    from lrplot.simulation import simulate
    from lrplot.spec import load_spec

    try:
        spec = load_spec(path=config, allow_import=allow_import)
        schedule = simulate(spec=spec, max_steps=max_steps)
        for notice in schedule.notices:
            click.echo(f"Notice: {notice}", err=True)
        files = [(t.path, t.format) for t in targets if t.path is not None]
        write_all(schedule=schedule, outputs=files, painter=painter)
        for path, _ in files:
            click.echo(f"Wrote {path}", err=True)
        for target in targets:
            if target.path is None:
                _write_stdout(schedule, target.format)
    except LrplotError as e:
        click.echo(f"Error: {e}", err=True)
        return False
    return True


def _write_stdout(schedule: Any, fmt: str) -> None:
    from lrplot.export import iter_csv, iter_json, render

    with click.open_file("-", "wb") as stream:
        if fmt in ("csv", "json"):
            for chunk in (iter_csv if fmt == "csv" else iter_json)(schedule):
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


class _Bar:
    """A one-line progress bar on a terminal's stderr."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.total = total
        self.draw("")

    def update(self, event: str, config: str) -> None:
        self.done += 1
        self.draw(config)
        if self.done == self.total:
            click.echo(err=True)

    def draw(self, config: str) -> None:
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        click.echo(f"\r[{bar}] {self.done}/{self.total} {config[-40:]:<40}", err=True, nl=False)


class _Lines:
    """One plain line per rendered or failed config (for CI logs and pipes)."""

    def __init__(self, config_dir: Path, *, check: bool) -> None:
        self.config_dir = config_dir
        self.check = check

    def start(self, total: int) -> None:
        pass

    def update(self, event: str, config: str) -> None:
        if event != "skipped":
            verb = "checked" if self.check and event == "rendered" else event
            click.echo(f"{verb} {self.config_dir / config}", err=True)


def _parse_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Shard | None:
    from lrplot.gallery import Shard

    if value is None:
        return None
    try:
        return Shard.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@cli.command("gallery")
@click.argument(
    "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("configs")
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("gallery"),
    show_default=True,
    help="The gallery folder.",
)
@click.option(
    "--check", is_flag=True, help="Compare with the gallery without writing; exit 1 if stale."
)
@click.option("--force", is_flag=True, help="Re-render every config, changed or not.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes.  [default: all cores]",
)
@click.option(
    "--shard",
    metavar="K/N",
    callback=_parse_shard,
    help="Render only the K-th of N slices (for a CI matrix); finish with --index-only.",
)
@click.option(
    "--index-only", is_flag=True, help="Merge the shards' results and write the index pages."
)
@allow_import_option
@max_steps_option
def gallery_command(
    config_dir: Path,
    out_dir: Path,
    check: bool,
    force: bool,
    jobs: int | None,
    shard: Shard | None,
    index_only: bool,
    allow_import: bool,
    max_steps: int,
) -> None:
    """Render every *.yaml/*.yml below CONFIG_DIR into a gallery with index pages.

    Each config becomes PNG, SVG and CSV files in the output folder (sub-folders
    mirrored), listed in README.md and index.html. Unchanged configs are skipped.

    \b
    Examples:
      lrplot gallery configs -o gallery
      lrplot gallery configs -o gallery --check
      lrplot gallery configs -o gallery --shard 2/4     # then --index-only
    """
    from lrplot.gallery import build_gallery

    if index_only and (check or shard or force):
        raise click.UsageError("--index-only goes alone (without --check, --shard or --force)")
    if check and shard:
        raise click.UsageError("--check checks the whole gallery; drop --shard")
    progress = _Bar() if sys.stderr.isatty() else _Lines(config_dir, check=check)
    try:
        report = build_gallery(
            config_dir=config_dir,
            out_dir=out_dir,
            jobs=jobs,
            force=force,
            check=check,
            shard=shard,
            index_only=index_only,
            allow_import=allow_import,
            max_steps=max_steps,
            progress=None if index_only else progress,
        )
    except LrplotError as e:
        raise click.ClickException(str(e)) from None
    for notice in report.notices:
        click.echo(f"Notice: {notice}", err=True)
    counts = (
        f"{len(report.rendered)} rendered, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed"
    )
    if report.removed:
        counts += f", {len(report.removed)} old outputs removed"
    if check:
        problems = [
            ("stale", report.stale),
            ("missing", report.missing),
            ("orphaned", report.orphaned),
        ]
        for label, names in problems:
            for name in names:
                click.echo(f"{label}: {out_dir / name}", err=True)
        verdict = "is up to date" if report.ok else "is out of date"
        click.echo(f"{out_dir} {verdict} ({len(report.rendered)} configs checked).", err=True)
        if not report.ok and not report.failed:
            allow = " --allow-import" if allow_import else ""
            click.echo(f"Run: lrplot gallery {config_dir} -o {out_dir}{allow}", err=True)
    elif index_only:
        click.echo(
            f"{out_dir}: index pages list {len(report.listed)} configs; merged "
            f"{len(report.merged)} shard manifests ({', '.join(report.merged) or 'none'}).",
            err=True,
        )
    else:
        click.echo(f"{out_dir}: {counts}.", err=True)
    for failure in report.failed:
        click.echo(f"Error: {failure.message}", err=True)
    if not report.ok:
        raise SystemExit(1)


def main() -> None:
    """Entry point of the ``lrplot`` console script."""
    cli(prog_name="lrplot")
