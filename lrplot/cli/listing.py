"""``lrplot list``: torch's schedulers and optimizers, or one described with a config."""

from __future__ import annotations

import shutil

import click

from lrplot.cli.options import usage_error
from lrplot.cli.shared import echo
from lrplot.errors import UsageError


@click.command("list")
@click.argument("name", required=False)
def list_command(name: str | None) -> None:
    """List torch's schedulers and optimizers, or describe NAME with a config to copy.

    Everything is read from the installed torch: the classes, their arguments and
    defaults, and each one's description.

    \b
    Examples:
      lrplot list
      lrplot list OneCycleLR
      lrplot list AdamW
    """
    from lrplot.config.catalog import describe_class, summary_table

    if name is None:
        echo(summary_table(width=shutil.get_terminal_size((100, 24)).columns), nl=False)
        return
    try:
        text = describe_class(name)
    except UsageError as e:
        raise usage_error(e, param_hint="NAME") from None
    echo(text, nl=False)
