"""``lrplot schema``: a JSON Schema of the config, for editors."""

from __future__ import annotations

import click

from lrplot.cli.shared import echo


@click.command("schema")
def schema_command() -> None:
    """Print a JSON Schema of the config, made from the installed torch's signatures.

    Editors using the YAML language server (VS Code's YAML extension, for one) then
    validate and complete configs whose first line is:

    \b
      # yaml-language-server: $schema=lrplot.schema.json

    \b
    Example:
      lrplot schema > lrplot.schema.json
    """
    import json

    from lrplot.config.schema import config_schema

    echo(json.dumps(config_schema(), indent=2))
