"""The ``lrplot`` command line: parse options, call the core, print results and errors.

The core is imported inside the commands, so ``lrplot --help`` loads only click.
Options shared by several commands are defined once below, as decorators.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from lrplot import __version__
from lrplot.config.keys import PLOT
from lrplot.config.runlogs import AFTER_SCHEDULER, BEFORE_SCHEDULER, HF_ORDERS
from lrplot.draw.painter import Painter
from lrplot.errors import ConfigError, LrplotError, OutputError, UsageError, printable
from lrplot.limits import DEFAULT_MAX_STEPS
from lrplot.outputs.export import FORMATS, IMAGE_FORMATS, Format, format_of
from lrplot.pipeline import NO_CHANGES, Config, InFolder, Outcome, PlotChanges, Settings, Target
from lrplot.schedulers.custom import ALLOW_IMPORT_ENV
from lrplot.signals import end_by_signal, interrupted

if TYPE_CHECKING:
    from lrplot.config.runlogs import HfOrder
    from lrplot.gallery.build import Shard
    from lrplot.outputs.compare import Axis

F = TypeVar("F", bound=Callable[..., Any])
HELP_OPTIONS = ["-h", "--help"]
MAX_CONTENT_WIDTH = 100
CONTEXT_SETTINGS = {"help_option_names": HELP_OPTIONS, "max_content_width": MAX_CONTENT_WIDTH}
DEFAULT_FORMAT: Format = "png"
CONFIG_ARGUMENT = click.Path(path_type=Path, allow_dash=True)


@dataclass(frozen=True)
class _Say:
    """What to print on stderr besides errors (see :func:`_report`): status unless quiet,
    details if verbose."""

    quiet: bool = False
    verbose: bool = False

    def status(self, text: str) -> None:
        if not self.quiet:
            _err(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            _err(text)


def _err(text: str) -> None:
    """One line on stderr; control characters and undecodable bytes of file names shown
    as escapes."""
    click.echo(printable(text), err=True)


@contextlib.contextmanager
def _stdout() -> Iterator[IO[bytes]]:
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


def _echo(text: str, *, nl: bool = True, color: bool | None = None) -> None:
    """``click.echo`` to standard output, through :func:`_stdout`'s error handling."""
    with _stdout():
        click.echo(text, nl=nl, color=color)


def _config(path: Path) -> Config:
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


def _run(
    path: Path,
    settings: Settings,
    *,
    plot: PlotChanges = NO_CHANGES,
    outputs: Sequence[tuple[Target, Format]] = (),
    painter: Painter | None = None,
) -> Outcome:
    """The pipeline on the config at ``path`` (see :func:`lrplot.pipeline.run`)."""
    from lrplot.pipeline import produce

    prepared = _prepared(path, settings, plot)
    return produce(outcome=prepared, outputs=outputs, painter=painter)


def _prepared(path: Path, settings: Settings, plot: PlotChanges) -> Outcome:
    """The config at ``path`` loaded and simulated, before its outputs (see
    :func:`lrplot.pipeline.prepare`). What a user's own scheduler code prints goes to
    stderr: stdout may be carrying a CSV (``-o -``)."""
    from lrplot.pipeline import prepare

    with contextlib.redirect_stdout(sys.stderr):
        return prepare(config=_config(path), settings=settings, plot=plot)


def _usage(e: UsageError, param_hint: str | None = None) -> click.BadParameter:
    """A core UsageError as click's, so it is shown with the usage and exits 2."""
    return click.BadParameter(e.message, param_hint=param_hint)


Command = Callable[..., Any]


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
            raise _usage(e) from None
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
        **kwargs: Any,
    ) -> Any:
        settings = Settings(set_values, allow_import, max_steps, resume_at)
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
    return _options(wrapper, [set_option, allow_import_option, max_steps_option, resume_option])


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
        return f(*args, say=_Say(quiet, verbose), **kwargs)

    return _options(
        wrapper,
        [
            click.option("-q", "--quiet", is_flag=True, help="Print errors only."),
            click.option("-v", "--verbose", is_flag=True, help="Print more about each schedule."),
        ],
    )


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
        _echo(_version_message())
        ctx.exit()


def _report(e: LrplotError) -> None:
    """An error as the user sees it: one ``Error:`` line on stderr."""
    _err(f"Error: {e}")


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
            _report(e)
            raise SystemExit(1) from None


def formats_option(help: str) -> Callable[[F], F]:
    """``-f/--format``, repeatable: the output formats."""
    return click.option(
        "-f", "--format", "formats", multiple=True, type=click.Choice(FORMATS), help=help
    )


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


_Target = tuple[Path | InFolder | None, Format]
"""Where one output of a command goes (None: standard output), and its format."""


def _file_of(target: Path | InFolder | None) -> Path | None:
    return target.path if isinstance(target, InFolder) else target


def _one_stdin(configs: Sequence[Path]) -> None:
    if sum(str(c) == "-" for c in configs) > 1:
        raise click.UsageError("standard input (-) can be read only once")


@cli.command("render")
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
    say: _Say,
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
    _one_stdin(configs)
    plans = _plan_outputs(configs, outputs, formats)
    images = any(fmt in IMAGE_FORMATS for _, targets in plans for _, fmt in targets)
    if images and len(plans) > 1 and (os.cpu_count() or 1) > 1:
        if _render_several(plans, settings, plot, say):
            raise SystemExit(1)
        return
    # Started before torch is imported: the painter imports matplotlib meanwhile.
    painter = Painter.start_if_useful(images=images)
    failed = False
    with painter or contextlib.nullcontext():
        for config, targets in plans:
            try:
                _render_one(config, targets, settings, plot, say, painter)
            except LrplotError as e:
                _report(e)
                failed = True
    if failed:
        raise SystemExit(1)


def _render_several(
    plans: list[tuple[Path, list[_Target]]], settings: Settings, plot: PlotChanges, say: _Say
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
                outcome = _prepared(config, settings, plot)
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
            _report(e)
            failed = True
    return failed


def _render_one(
    config: Path,
    targets: list[_Target],
    settings: Settings,
    plot: PlotChanges,
    say: _Say,
    painter: Painter | None,
) -> None:
    """Render one config to its targets (None: standard output); print what it says."""
    with _stdout() if any(path is None for path, _ in targets) else _no_stream() as stream:
        outcome = _run(
            config,
            settings,
            plot=plot,
            outputs=[(stream if path is None else path, fmt) for path, fmt in targets],
            painter=painter,
        )
    _say_rendered(say, outcome)


def _say_rendered(say: _Say, outcome: Outcome) -> None:
    """What ``render`` says of a config it rendered: warnings, notices, files written."""
    _say_notices(say, outcome)
    for path in outcome.written:
        say.status(f"Wrote {path}")
    say.detail(f"{outcome.schedule.spec.source}: {outcome.schedule.summary()}")


@contextlib.contextmanager
def _no_stream() -> Iterator[None]:
    yield None


def _say_notices(say: _Say, outcome: Outcome) -> None:
    for warning in outcome.warnings:
        say.status(f"Warning: {warning}")
    for notice in outcome.notices:
        say.status(f"Notice: {notice}")


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
                targets.append((None, _stdout_format(formats)))
            elif output.endswith(("/", os.sep)) or _is_dir(Path(output)):
                targets.extend((InFolder(Path(output) / f"{stem}.{fmt}"), fmt) for fmt in chosen)
            else:
                if several:
                    raise click.UsageError(
                        f"with several configs, -o must be a folder (ending in /), not {output!r}"
                    )
                targets.append((Path(output), _file_format(output, formats)))
        for target, _ in targets:
            path = _file_of(target)
            if path is not None and _is_dir(path):
                raise click.UsageError(f"{path} is a folder; add / to write into it")
            _not_an_input(path, configs)
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


def _not_an_input(output: Path | None, configs: Sequence[Path]) -> None:
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


def _stdout_format(formats: Sequence[Format]) -> Format:
    if len(formats) != 1:
        raise click.UsageError("-o - needs exactly one --format, e.g. -f csv -o -")
    return formats[0]


def _file_format(
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


COMPARE_FORMATS: tuple[Format, ...] = ("png", "svg", "pdf", "csv")


@cli.command("compare")
@click.argument("configs", nargs=-1, required=True, type=CONFIG_ARGUMENT)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="PATH",
    help="A .png, .svg, .pdf or .csv file, or - with one --format. Repeatable. "
    "Default: compare.png in the current folder.",
)
@click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(COMPARE_FORMATS),
    help="Format for -o - and for files without a known extension.",
)  # fmt: skip
@click.option(
    "--axis",
    type=click.Choice(["epoch", "step"]),
    help="Align the schedules by epoch or by optimizer step. Default: by step when their "
    "epochs differ in length (steps_per_epoch above 1 that differ), else by epoch.",
)
@click.option(
    "--hf-log-order",
    "hf_order",
    type=click.Choice(HF_ORDERS),
    help=f"How an HF trainer_state.json logged learning_rate: {AFTER_SCHEDULER} (transformers "
    f"4.50 and earlier: at step N, the lr of step N) or {BEFORE_SCHEDULER} (4.51 and later, "
    "and ReduceLROnPlateau in every version: the lr of step N - 1). Default: ReduceLROnPlateau's "
    "order for a plan of it, else that of the transformers_version in the config.json beside "
    "the log, else the order the plans fit.",
)
@config_options
@plot_options
@verbosity_options
def compare_command(
    configs: tuple[Path, ...],
    outputs: tuple[str, ...],
    formats: tuple[Format, ...],
    axis: Axis | None,
    hf_order: HfOrder | None,
    settings: Settings,
    plot: PlotChanges,
    say: _Say,
) -> None:
    """Overlay the schedules of several CONFIGs on one plot, epochs or steps aligned.

    Lines are named by what differs between the configs (mode='triangular2') when that
    is short, else by each config's title or file name; the plot's title says what they
    share. A CONFIG may also be a
    logged run (HF's trainer_state.json, a Lightning CSVLogger metrics.csv, or lrplot's
    own CSV): its lr is drawn as markers at the logged steps, aligned by optimizer step,
    and a Warning: names the first step where it did not follow the planned schedules;
    a Notice: says in which order an HF log was read, and why.
    The CSV is in long form (schedule,epoch,lr, or schedule,step,lr) for pandas and
    duckdb; epoch is fractional for schedules stepped per batch.

    \b
    Examples:
      lrplot compare configs/tutorial/CyclicLR-*.yaml -o cyclic.png
      lrplot compare a.yaml b.yaml --log-y -o both.svg -o both.csv
      lrplot compare plan.yaml output/trainer_state.json -o followed.png
      lrplot compare a.yaml b.yaml -f csv -o - | duckdb -c "select * from read_csv('/dev/stdin')"
    """
    from lrplot.config.options import PlotOptions
    from lrplot.config.runlogs import is_logged_run, read_logged_lr
    from lrplot.outputs.compare import check_logged, comparison_outputs, file_names, schedule_names
    from lrplot.outputs.files import write_files

    _one_stdin(configs)
    targets: list[tuple[Path | None, Format]] = []
    for output in outputs or ["compare.png"]:
        if output == "-":
            targets.append((None, _stdout_format(formats)))
        else:
            targets.append((Path(output), _file_format(output, formats, COMPARE_FORMATS)))
        _not_an_input(targets[-1][0], configs)
    logs = [path for path in configs if str(path) != "-" and is_logged_run(path)]
    if logs and axis == "epoch":
        raise click.UsageError(
            "a logged run lines up with plans by optimizer step: leave out --axis epoch"
        )
    logged = [
        (read_logged_lr(path), f"{name} (logged)")
        for path, name in zip(logs, file_names([str(p) for p in logs]), strict=True)
    ]
    configs = tuple(path for path in configs if path not in logs)
    images = any(fmt in IMAGE_FORMATS for _, fmt in targets)
    painter = Painter.start_if_useful(images=images)
    with painter or contextlib.nullcontext():
        outcomes = [_run(config, settings, plot=plot) for config in configs]
        for outcome in outcomes:
            _say_notices(say, outcome)
        schedules = [outcome.schedule for outcome in outcomes]
        names = schedule_names(schedules, [str(c) for c in configs])
        checked = check_logged(logged, schedules, names, hf_order=hf_order)
        for notice in checked.notices:
            say.status(f"Notice: {notice}")
        for warning in checked.warnings:
            say.status(f"Warning: {warning}")
        filled = comparison_outputs(
            schedules=schedules,
            names=names,
            outputs=targets,
            options=PlotOptions().merged(
                yscale=plot.yscale, size=plot.size, dpi=plot.dpi, transparent=plot.transparent
            ),
            painter=painter,
            axis=axis,
            logged=checked.runs,
        )
    write_files({path: fill for path, fill in filled if path is not None})
    for path, fill in filled:
        if path is None:
            with _stdout() as stream:
                fill(stream)
        else:
            say.status(f"Wrote {path}")


@cli.command("list")
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
        _echo(summary_table(width=shutil.get_terminal_size((100, 24)).columns), nl=False)
        return
    try:
        text = describe_class(name)
    except UsageError as e:
        raise _usage(e, param_hint="NAME") from None
    _echo(text, nl=False)


@cli.command("validate")
@click.argument("configs", nargs=-1, required=True, type=CONFIG_ARGUMENT)
@click.option(
    "--strict", is_flag=True, help="Exit 1 if any config has a Warning: (for CI and hooks)."
)
@config_options
@verbosity_options
def validate_command(
    configs: tuple[Path, ...], strict: bool, settings: Settings, say: _Say
) -> None:
    """Check each CONFIG: load, build and simulate it, writing nothing.

    Prints each schedule's length, its start, min, max and final lr, where its lr peaks
    and each horizon in the steps its scheduler is given; or the Error lines. Warning:
    lines name likely mistakes torch accepts. Exits 1 if any config fails, or with
    --strict has a warning. Quick enough for a pre-commit hook.

    \b
    Examples:
      lrplot validate configs/**/*.yaml
      lrplot validate --strict -q my-schedule.yaml && echo ok
    """
    from lrplot.checks.mistakes import review

    _one_stdin(configs)
    failed, warned = False, 0
    for config in configs:
        try:
            outcome = _run(config, settings)
        except LrplotError as e:
            _report(e)
            failed = True
            continue
        _say_notices(say, outcome)
        warned += len(outcome.warnings)
        if not say.quiet:
            schedule = outcome.schedule
            _echo(f"{schedule.spec.source}: ok: {schedule.summary()}")
            facts = review(schedule)
            if facts:
                _echo(f"  {facts}")
    if failed:
        raise SystemExit(1)
    if strict and warned:
        raise LrplotError(f"{warned} warning{'s' * (warned > 1)}, and --strict fails on any")


@cli.command("schema")
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

    _echo(json.dumps(config_schema(), indent=2))


@cli.command("preview")
@click.argument("config", type=CONFIG_ARGUMENT)
@click.option(
    "--width",
    type=click.IntRange(min=30),
    help="Columns to use.  [default: the terminal's width]",
)
@click.option(
    "--height", type=click.IntRange(2, 100), default=12, show_default=True,
    help="Rows of plot.",
)  # fmt: skip
@click.option("--log-y", is_flag=True, help="Log scale for the learning rate.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour param groups.  [default: when the output is a terminal]",
)
@config_options
def preview_command(
    config: Path,
    width: int | None,
    height: int,
    log_y: bool,
    color: bool | None,
    settings: Settings,
) -> None:
    """Draw the schedule of CONFIG in the terminal, for a look without an image viewer.

    \b
    Examples:
      lrplot preview configs/tutorial/OneCycleLR.yaml
      lrplot preview steplr.yaml --set scheduler.gamma=0.5 --log-y --width 80
    """
    from lrplot.draw.preview import preview

    outcome = _run(config, settings, plot=PlotChanges(yscale="log" if log_y else None))
    schedule = outcome.schedule
    for warning in outcome.warnings:
        _err(f"Warning: {warning}")
    for notice in outcome.notices:
        _err(f"Notice: {notice}")
    use_color = (sys.stdout is not None and sys.stdout.isatty()) if color is None else color

    def paint(text: str, colour: str) -> str:
        return click.style(text, fg=colour) if use_color else text

    columns = width or shutil.get_terminal_size((80, 24)).columns
    text = preview(schedule=schedule, width=columns, height=height, log_y=log_y, paint=paint)
    _echo(text, nl=False, color=use_color)


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
            _err(f"{verb} {self.config_dir / config}")


def _parse_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Shard | None:
    from lrplot.gallery.build import Shard

    if value is None:
        return None
    try:
        return Shard.parse(value)
    except UsageError as e:
        raise _usage(e) from None


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
    say: _Say,
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
                _err(f"{label}: {out_dir / name}")
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
            _err(f"Run: lrplot gallery {config_dir} -o {out_dir}{given}{allow}")
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
        _err(f"Error: {message}")
    if not report.ok:
        raise SystemExit(1)


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
