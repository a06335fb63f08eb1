"""The ``lrplot`` command line: parse options, call the core, print results and errors.

The group is here; each command is a module of its own (``lrplot.cli.render``, ...),
which only parses, calls the core and prints. The core is imported inside the
commands, so ``lrplot --help`` loads only click. Options shared by several commands
are defined once, as decorators, in :mod:`lrplot.cli.options`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from lrplot import __version__
from lrplot.cli.compare import compare_command
from lrplot.cli.gallery import gallery_command
from lrplot.cli.listing import list_command
from lrplot.cli.preview import preview_command
from lrplot.cli.render import render_command
from lrplot.cli.schema import schema_command
from lrplot.cli.shared import echo, report
from lrplot.cli.validate import validate_command
from lrplot.errors import LrplotError, UsageError
from lrplot.signals import interrupted

HELP_OPTIONS = ["-h", "--help"]
MAX_CONTENT_WIDTH = 100
CONTEXT_SETTINGS = {"help_option_names": HELP_OPTIONS, "max_content_width": MAX_CONTENT_WIDTH}


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
        echo(_version_message())
        ctx.exit()


class _Lrplot(click.Group):
    """lrplot's commands. Every LrplotError a command (or an eager option, such as
    ``--version``) raises ends here: one ``Error:`` line and exit status 1 (a UsageError:
    click's usage message and 2)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with self._errors(None):
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with self._errors(ctx):
            return super().invoke(ctx)

    @staticmethod
    @contextlib.contextmanager
    def _errors(ctx: click.Context | None) -> Iterator[None]:
        try:
            yield
        except UsageError as e:
            raise click.UsageError(str(e), ctx) from None
        except LrplotError as e:
            report(e)
            raise SystemExit(1) from None


@click.group(name="lrplot", cls=_Lrplot, context_settings=CONTEXT_SETTINGS)
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

    Each config is a YAML (or JSON) file naming a torch optimizer and scheduler; lrplot
    steps the real scheduler and shows the learning rate of every step as a plot, as
    data, or in the terminal. A config given as - is read from standard input.

    \b
    Examples:
      lrplot render configs/tutorial/StepLR.yaml
      lrplot preview configs/tutorial/OneCycleLR.yaml
      lrplot compare a.yaml b.yaml -o both.png
    """


for _command in (
    render_command,
    compare_command,
    list_command,
    validate_command,
    schema_command,
    preview_command,
    gallery_command,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``lrplot`` console script.

    Like click's standalone mode, except for Ctrl-C: outputs are written through
    temporary files, so an interrupted run leaves no partial file behind, and the
    process then ends as interrupted programs should (see :func:`lrplot.signals.end_by_signal`).
    """
    try:
        code = cli.main(prog_name="lrplot", standalone_mode=False)
    except click.exceptions.Abort:
        interrupted()
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
