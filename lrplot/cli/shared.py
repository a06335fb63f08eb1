"""What the commands share besides options: printing to stdout and stderr, and running
a config through the pipeline."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from lrplot.errors import ConfigError, LrplotError, OutputError, printable
from lrplot.outputs.export import Format
from lrplot.pipeline import NO_CHANGES, Config, Outcome, PlotChanges, Settings, Target
from lrplot.signals import end_by_signal

if TYPE_CHECKING:
    from lrplot.draw.painter import Painter


@dataclass(frozen=True)
class Say:
    """What to print on stderr besides errors (see :func:`report`): status unless quiet,
    details if verbose."""

    quiet: bool = False
    verbose: bool = False

    def status(self, text: str) -> None:
        if not self.quiet:
            err(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            err(text)


def err(text: str) -> None:
    """One line on stderr; control characters and undecodable bytes of file names shown
    as escapes."""
    click.echo(printable(text), err=True)


@contextlib.contextmanager
def standard_output() -> Iterator[IO[bytes]]:
    """Standard output, in binary. When its reader is gone (``lrplot ... | head``),
    lrplot ends quietly, killed by SIGPIPE as other tools are (status 141); a failure
    such as a full disk is an ``Error:`` line."""
    try:
        with click.open_file("-", "wb") as stream:
            yield stream
            stream.flush()
    except BrokenPipeError:
        end_by_signal(signal.SIGPIPE, quiet_stdout=True)
    except OSError as e:
        raise OutputError(f"cannot write: {e.strerror or e}", source="standard output") from None
    except RuntimeError:  # click finds no stdout at all: it was closed (>&-)
        raise OutputError("standard output is closed") from None


def echo(text: str, *, nl: bool = True, color: bool | None = None) -> None:
    """``click.echo`` to standard output, through :func:`standard_output`'s error handling."""
    with standard_output():
        click.echo(text, nl=nl, color=color)


def read_config(path: Path) -> Config:
    """The config at ``path``; ``-`` reads standard input (at most a config's size)."""
    from lrplot.config.file import decode_config_bytes
    from lrplot.limits import MAX_CONFIG_BYTES

    if str(path) != "-":
        return Config(path=path)
    try:
        with click.open_file("-", "rb") as stream:
            raw = stream.read(MAX_CONFIG_BYTES + 1)  # no more: stdin may be endless
    except OSError as e:
        raise ConfigError(f"cannot read: {e.strerror or e}", source="<stdin>") from None
    except (RuntimeError, ValueError, AttributeError):  # closed, or none at all
        raise ConfigError("standard input is closed", source="<stdin>") from None
    return Config(text=decode_config_bytes(raw, source="<stdin>"), source="<stdin>")


def run_config(
    path: Path,
    settings: Settings,
    *,
    plot: PlotChanges = NO_CHANGES,
    outputs: Sequence[tuple[Target, Format]] = (),
    painter: Painter | None = None,
) -> Outcome:
    """The pipeline on the config at ``path`` (see :func:`lrplot.pipeline.run`)."""
    from lrplot.pipeline import produce

    prepared = prepare_config(path, settings, plot)
    return produce(outcome=prepared, outputs=outputs, painter=painter)


def prepare_config(path: Path, settings: Settings, plot: PlotChanges) -> Outcome:
    """The config at ``path`` loaded and simulated, before its outputs (see
    :func:`lrplot.pipeline.prepare`). What the schedulers print goes to stderr (see
    :func:`lrplot.streams.prints_to_stderr`)."""
    from lrplot.pipeline import prepare
    from lrplot.streams import prints_to_stderr

    with prints_to_stderr():
        return prepare(config=read_config(path), settings=settings, plot=plot)


def report(e: LrplotError) -> None:
    """An error as the user sees it: one ``Error:`` line on stderr."""
    err(f"Error: {e}")


def say_notices(say: Say, outcome: Outcome) -> None:
    for warning in outcome.warnings:
        say.status(f"Warning: {warning}")
    for notice in outcome.notices:
        say.status(f"Notice: {notice}")
