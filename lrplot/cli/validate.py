"""``lrplot validate``: check configs, writing nothing."""

from __future__ import annotations

from pathlib import Path

import click

from lrplot.cli.options import CONFIG_ARGUMENT, config_options, one_stdin, verbosity_options
from lrplot.cli.shared import Say, echo, report, run_config, say_notices
from lrplot.errors import LrplotError
from lrplot.pipeline import Settings


@click.command("validate")
@click.argument("configs", nargs=-1, required=True, type=CONFIG_ARGUMENT)
@click.option(
    "--strict", is_flag=True, help="Exit 1 if any config has a Warning: (for CI and hooks)."
)
@config_options
@verbosity_options
def validate_command(
    configs: tuple[Path, ...], strict: bool, settings: Settings, say: Say
) -> None:
    """Check each CONFIG: load, build and simulate it, writing nothing.

    Prints each schedule's length, its start, min, max and final lr, where its lr peaks
    and each horizon in the steps its scheduler is given; or the Error lines. Warning:
    lines name likely mistakes torch accepts. Exits 1 if any config fails, or with
    --strict has a warning. Quick enough for a pre-commit hook. After --, every
    argument is a CONFIG, even one whose name starts with '-'.

    \b
    Examples:
      lrplot validate configs/**/*.yaml
      lrplot validate --strict -q -- my-schedule.yaml && echo ok
      git ls-files -z 'configs/*.yaml' | xargs -0 lrplot validate --strict --
    """
    from lrplot.checks.mistakes import review

    one_stdin(configs)
    failed, warned = False, 0
    for config in configs:
        try:
            outcome = run_config(config, settings)
        except LrplotError as e:
            report(e)
            failed = True
            continue
        say_notices(say, outcome)
        warned += len(outcome.warnings)
        if not say.quiet:
            schedule = outcome.schedule
            echo(f"{schedule.spec.source}: ok: {schedule.summary()}")
            facts = review(schedule)
            if facts:
                echo(f"  {facts}")
    if failed:
        raise SystemExit(1)
    if strict and warned:
        raise LrplotError(f"{warned} warning{'s' * (warned > 1)}, and --strict fails on any")
