"""The options several commands share, each defined once as a decorator, and the checks of
what ``-o`` and ``-f`` name."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from lrplot.cli.shared import Say
from lrplot.config.keys import PLOT
from lrplot.errors import LrplotError, UsageError
from lrplot.formats import FILE_FORMATS, FileFormat, RunFacts
from lrplot.limits import DEFAULT_MAX_STEPS, MAX_COUNT
from lrplot.outputs.export import FORMATS, Format, format_of
from lrplot.pipeline import PlotChanges, Settings
from lrplot.schedulers.custom import ALLOW_IMPORT_ENV

F = TypeVar("F", bound=Callable[..., Any])
Command = Callable[..., Any]
CONFIG_ARGUMENT = click.Path(path_type=Path, allow_dash=True)


def usage_error(e: UsageError, param_hint: str | None = None) -> click.BadParameter:
    """A core UsageError as click's, so it is shown with the usage and exits 2."""
    return click.BadParameter(e.message, param_hint=param_hint)


def _options(f: Command, options: Sequence[Callable[[Command], Command]]) -> Command:
    for option in reversed(options):
        f = option(f)
    return f


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


def _check_override(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> Any:
    from lrplot.config.overrides import parse_override

    for value in values:
        try:
            parse_override(value)
        except UsageError as e:
            raise usage_error(e) from None
    return values


def config_options(f: Command) -> Command:
    """``--set``, ``--allow-import``, ``--max-steps`` and ``--resume-at``, passed on as
    ``settings``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        set_values: tuple[str, ...],
        allow_import: bool,
        max_steps: int,
        resume_at: int | None,
        file_format: FileFormat,
        dataset_size: int | None,
        world_size: int | None,
        transformers_version: str | None,
        epochs: int | None,
        steps_per_epoch: int | None,
        **kwargs: Any,
    ) -> Any:
        native = RunFacts(
            file_format,
            dataset_size,
            world_size,
            transformers_version,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            allow_import=allow_import,
        )
        settings = Settings(set_values, allow_import, max_steps, resume_at, native)
        return f(*args, settings=settings, **kwargs)

    set_option = click.option(
        "-s",
        "--set",
        "set_values",
        multiple=True,
        metavar="KEY=VALUE",
        callback=_check_override,
        help="Override a config value, e.g. --set scheduler.gamma=0.5 (YAML value). Repeatable.",
    )
    resume_option = click.option(
        "--resume-at",
        type=click.IntRange(min=1),
        metavar="STEP",
        help="Also run it resumed from a checkpoint at this step (the config's resume_at): "
        "both are plotted, and a warning names where they differ.",
    )
    return _options(
        wrapper,
        [set_option, allow_import_option, max_steps_option, resume_option, *native_options()],
    )


def _check_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from lrplot.formats.transformers_args import check_version

    if value is not None:
        try:
            check_version(value)
        except UsageError as e:
            raise usage_error(e) from None
    return value


def native_options() -> list[Callable[[Command], Command]]:
    """``--config-format``, and what a native file cannot say: ``--dataset-size``,
    ``--world-size``, ``--epochs``, ``--transformers-version`` (see :mod:`lrplot.formats`)."""
    return [
        click.option(
            "--config-format",
            "file_format",
            type=click.Choice(FILE_FORMATS),
            default="auto",
            show_default=True,
            help="What CONFIG is: lrplot's config, HF transformers' TrainingArguments "
            "(YAML or JSON), a DeepSpeed config (ds_config.json), timm's args.yaml, or a "
            "LightningCLI config.yaml; auto tells them by their keys.",
        ),
        click.option(
            "--dataset-size",
            type=click.IntRange(min=1, max=MAX_COUNT),
            metavar="N",
            help="Training samples (after tokenising), for a TrainingArguments file "
            "planned by epochs, a timm args.yaml, a DeepSpeed config without "
            "total_num_steps, or a LightningCLI config whose data: gives batch_size.",
        ),
        click.option(
            "--world-size",
            type=click.IntRange(min=1, max=MAX_COUNT),
            metavar="N",
            help="Processes training together, for a TrainingArguments file, a timm "
            "args.yaml or a DeepSpeed config (a LightningCLI config's: trainer.devices x "
            "trainer.num_nodes).  [default: 1]",
        ),
        click.option(
            "--steps-per-epoch",
            type=click.IntRange(min=1, max=MAX_COUNT),
            metavar="N",
            help="Batches per epoch of each process (len(train_dataloader)), for a "
            "LightningCLI config; its trainer's limit_train_batches and "
            "accumulate_grad_batches apply to them.",
        ),
        click.option(
            "--epochs",
            type=click.IntRange(min=1, max=MAX_COUNT),
            metavar="N",
            help="Passes over the data, for a DeepSpeed config without total_num_steps "
            "(with --dataset-size).",
        ),
        click.option(
            "--transformers-version",
            metavar="VERSION",
            callback=_check_version,
            help="Plan a TrainingArguments file by this transformers release's Trainer "
            "rules (warm-up, rounding) rather than the installed one's.",
        ),
    ]


def _parse_size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from lrplot.config.keys import parse_size

    if value is None:
        return None
    try:
        return parse_size(value)
    except LrplotError as e:
        raise click.BadParameter(e.message) from None  # a ConfigError about `size`


def plot_options(f: Command) -> Command:
    """``--log-y``, ``--size``, ``--dpi``, ``--transparent``, passed on as ``plot``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        log_y: bool,
        size: tuple[float, float] | None,
        dpi: int | None,
        transparent: bool,
        **kwargs: Any,
    ) -> Any:
        changes = PlotChanges(
            yscale="log" if log_y else None,
            size=size,
            dpi=dpi,
            transparent=True if transparent else None,
        )
        if size is not None or dpi is not None:
            from lrplot.config.options import PlotOptions

            try:
                PlotOptions().merged(size=size, dpi=dpi)
            except LrplotError as e:
                raise click.UsageError(f"--size and --dpi: {e.message}") from None
        return f(*args, plot=changes, **kwargs)

    return _options(
        wrapper,
        [
            click.option("--log-y", is_flag=True, help="Log scale for the learning rate."),
            click.option(
                "--size",
                metavar="WxH",
                callback=_parse_size,
                help="Figure size in inches, e.g. 10x5 (pixels = size x dpi).  [default: 8x4.5]",
            ),
            click.option(
                "--dpi",
                type=click.IntRange(int(PLOT["dpi"].low or 1), int(PLOT["dpi"].high or 1)),
                help=f"Pixels per inch.  [default: {PLOT['dpi'].default}]",
            ),
            click.option(
                "--transparent",
                is_flag=True,
                help="Transparent background, grey text: for light and dark pages alike.",
            ),
        ],
    )


def verbosity_options(f: Command) -> Command:
    """``-q/--quiet`` and ``-v/--verbose``, passed on as ``say``."""

    @functools.wraps(f)
    def wrapper(*args: Any, quiet: bool, verbose: bool, **kwargs: Any) -> Any:
        return f(*args, say=Say(quiet, verbose), **kwargs)

    return _options(
        wrapper,
        [
            click.option("-q", "--quiet", is_flag=True, help="Print errors only."),
            click.option("-v", "--verbose", is_flag=True, help="Print more about each schedule."),
        ],
    )


def formats_option(help: str) -> Callable[[F], F]:
    """``-f/--format``, repeatable: the output formats."""
    return click.option(
        "-f", "--format", "formats", multiple=True, type=click.Choice(FORMATS), help=help
    )


def one_stdin(configs: Sequence[Path]) -> None:
    if sum(str(c) == "-" for c in configs) > 1:
        raise click.UsageError("standard input (-) can be read only once")


def not_an_input(output: Path | None, configs: Sequence[Path]) -> None:
    """Refuse an output that is one of the configs read (by any name or link)."""
    for config in configs:
        if output is None or str(config) == "-":
            continue
        try:
            same = os.path.samefile(output, config)
        except OSError:  # one of them does not exist (yet)
            same = False
        if same:
            raise click.UsageError(f"-o {output} would overwrite the config {config}")


def stdout_format(formats: Sequence[Format]) -> Format:
    if len(formats) != 1:
        raise click.UsageError("-o - needs exactly one --format, e.g. -f csv -o -")
    return formats[0]


def file_format(
    output: str, formats: Sequence[Format], allowed: Sequence[Format] = FORMATS
) -> Format:
    fmt = format_of(output)
    if fmt is None or fmt not in allowed:
        if len(formats) == 1:
            return formats[0]
        raise click.UsageError(
            f"cannot tell the format of {output!r} from its extension; "
            f"use .{', .'.join(allowed)} or one --format"
        )
    if formats and fmt not in formats:
        raise click.UsageError(
            f"{output!r} is {fmt} by its extension, but --format says {', '.join(formats)}"
        )
    return fmt
