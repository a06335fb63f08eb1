"""``lrplot gallery``: a folder of configs rendered into a gallery, with its progress shown."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lrplot.cli.options import (
    allow_import_option,
    formats_option,
    max_steps_option,
    usage_error,
    verbosity_options,
)
from lrplot.cli.shared import Say, err
from lrplot.errors import UsageError, printable
from lrplot.outputs.export import Format

if TYPE_CHECKING:
    from lrplot.gallery.build import Shard


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
        click.echo(
            f"\r[{bar}] {self.done}/{self.total} {printable(config)[-40:]:<40}", err=True, nl=False
        )


class _Lines:
    """One plain line per rendered or failed config (for CI logs and pipes)."""

    def __init__(self, config_dir: Path, *, check: bool, verbose: bool) -> None:
        self.config_dir = config_dir
        self.check = check
        self.verbose = verbose

    def start(self, total: int) -> None:
        pass

    def update(self, event: str, config: str) -> None:
        if event != "skipped" or self.verbose:
            verb = "checked" if self.check and event == "rendered" else event
            err(f"{verb} {self.config_dir / config}")


def _parse_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Shard | None:
    from lrplot.gallery.build import Shard

    if value is None:
        return None
    try:
        return Shard.parse(value)
    except UsageError as e:
        raise usage_error(e) from None


@click.command("gallery")
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
@formats_option("What each config is rendered to. Repeatable.  [default: png, svg, csv]")
@allow_import_option
@max_steps_option
@verbosity_options
def gallery_command(
    config_dir: Path,
    out_dir: Path,
    check: bool,
    force: bool,
    jobs: int | None,
    shard: Shard | None,
    index_only: bool,
    formats: tuple[Format, ...],
    allow_import: bool,
    max_steps: int,
    say: Say,
) -> None:
    """Render every *.yaml/*.yml below CONFIG_DIR into a gallery with index pages.

    Each config becomes PNG, SVG and CSV files (or the --format chosen) in the output
    folder (sub-folders mirrored), listed in README.md and index.html. Unchanged configs
    are skipped; a change of formats renders them all again and removes the outputs of
    formats no longer chosen. --check and --index-only take the run's --format.

    \b
    Examples:
      lrplot gallery configs -o gallery
      lrplot gallery configs -o gallery --check
      lrplot gallery configs -o gallery -f png          # no SVG or CSV
      lrplot gallery configs -o gallery --shard 2/4     # then --index-only
    """
    from lrplot.gallery.build import build_gallery

    if index_only and (check or shard or force):
        raise click.UsageError("--index-only goes alone (without --check, --shard or --force)")
    if check and shard:
        raise click.UsageError("--check checks the whole gallery; drop --shard")
    progress: Any = None
    if not say.quiet and not index_only:
        progress = (
            _Bar() if sys.stderr.isatty() else _Lines(config_dir, check=check, verbose=say.verbose)
        )
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
        formats=formats,
        progress=progress,
    )
    for notice in report.notices:
        say.status(f"Notice: {notice}")
    for warning in report.config_warnings:
        say.status(f"Warning: {warning}")
    for notice in report.config_notices:
        say.detail(f"Notice: {notice}")
    if check:
        problems = [
            ("stale", report.stale),
            ("missing", report.missing),
            ("orphaned", report.orphaned),
        ]
        for label, names in problems:
            for name in names:
                err(f"{label}: {out_dir / name}")
        differs = any(names for _, names in problems)
        checked, failed = len(report.rendered), len(report.failed)
        if differs:
            also = f", {failed} failed" if failed else ""
            say.status(f"{out_dir} is out of date ({checked} configs checked{also}).")
        elif failed:  # what failed to render could not be compared
            say.status(f"{out_dir}: {failed} configs failed; the {checked} others are up to date.")
        else:
            say.status(f"{out_dir} is up to date ({checked} configs checked).")
        if differs and not failed:
            given = "".join(f" -f {fmt}" for fmt in dict.fromkeys(formats))
            allow = " --allow-import" if allow_import else ""
            err(f"Run: lrplot gallery {config_dir} -o {out_dir}{given}{allow}")
    elif index_only:
        say.status(
            f"{out_dir}: index pages list {len(report.listed)} configs; merged "
            f"{len(report.merged)} shard manifests ({', '.join(report.merged) or 'none'})."
        )
    else:
        counts = (
            f"{len(report.rendered)} rendered, {len(report.skipped)} skipped, "
            f"{len(report.failed)} failed"
        )
        if report.removed:
            counts += f", {len(report.removed)} old outputs removed"
        say.status(f"{out_dir}: {counts}.")
    for message in [*(failure.message for failure in report.failed), *report.errors]:
        err(f"Error: {message}")
    if not report.ok:
        raise SystemExit(1)
