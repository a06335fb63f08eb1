"""The one way a config becomes outputs, run by every command: load, simulate, notices, outputs.

``render``, ``validate``, ``preview``, ``compare`` and ``gallery`` differ only in which
configs they read and what they ask for; each calls :func:`run` per config, so each
loads, checks and simulates a config the same way and says the same ``Notice:`` lines
about it. Commands choose inputs and print; nothing here prints.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from lrplot.errors import LrplotError
from lrplot.formats import RunFacts
from lrplot.limits import DEFAULT_MAX_STEPS

if TYPE_CHECKING:
    from lrplot.config.options import PlotOptions
    from lrplot.config.spec import Spec
    from lrplot.draw.painter import Painter
    from lrplot.outputs.export import Format
    from lrplot.simulation.runner import Schedule


@dataclass(frozen=True)
class Settings:
    """How configs are loaded and simulated: ``--set``, ``--allow-import``, ``--max-steps``,
    ``--resume-at``, and what a native file cannot say (``--config-format``, ``--dataset-size``,
    ...)."""

    overrides: tuple[str, ...] = ()
    allow_import: bool = False
    max_steps: int = DEFAULT_MAX_STEPS
    resume_at: int | None = None
    native: RunFacts = field(default_factory=RunFacts)


@dataclass(frozen=True)
class Config:
    """Where a config comes from: a file (``path``), or YAML ``text`` named ``source``
    whose relative paths are relative to ``base_dir`` (standard input, a gallery)."""

    path: Path | None = None
    text: str | None = None
    source: str | None = None
    base_dir: Path | None = None


@dataclass(frozen=True)
class PlotChanges:
    """Plot options given besides the config's ``plot:`` (on the command line); each one
    given replaces the config's."""

    yscale: str | None = None
    size: tuple[float, float] | None = None
    dpi: int | None = None
    transparent: bool | None = None


@dataclass(frozen=True)
class InFolder:
    """A file lrplot names in a folder it was given (``-o out/``): a link or special file
    there is replaced, never written through (see :func:`lrplot.outputs.files.write_files`)."""

    path: Path


NO_CHANGES = PlotChanges()
DEFAULT_SETTINGS = Settings()

Target = Path | InFolder | IO[bytes] | None
"""Where an output goes: a file (written atomically, with the others of the run as a
set), a binary stream (written after the files), or None (returned as bytes)."""


@dataclass(frozen=True)
class Outcome:
    """What :func:`run` made of one config."""

    schedule: Schedule
    options: PlotOptions
    """The plot options used: the config's ``plot:`` with the changes given."""
    notices: tuple[str, ...]
    """Everything lrplot says about the config besides its numbers (``Notice:`` lines)."""
    warnings: tuple[str, ...] = ()
    """Likely mistakes in the run it plans (``Warning:`` lines)."""
    data: dict[str, bytes] = field(default_factory=dict)
    """The outputs asked for with no target, by format."""
    written: tuple[Path, ...] = ()
    """The files written, in the order asked."""


def run(
    *,
    config: Config,
    settings: Settings = DEFAULT_SETTINGS,
    plot: PlotChanges = NO_CHANGES,
    outputs: Sequence[tuple[Target, Format]] = (),
    painter: Painter | None = None,
) -> Outcome:
    """Load, validate and simulate ``config``, collect its notices, and produce each of
    ``outputs``. Every user error is an :class:`~lrplot.errors.LrplotError` naming the
    config (and, where there is one, the key and line)."""
    prepared = prepare(config=config, settings=settings, plot=plot)
    return produce(outcome=prepared, outputs=outputs, painter=painter)


def prepare(
    *, config: Config, settings: Settings = DEFAULT_SETTINGS, plot: PlotChanges = NO_CHANGES
) -> Outcome:
    """What :func:`run` makes of ``config`` before its outputs: the schedule, the plot
    options and what lrplot says about it (see :func:`produce`)."""
    from lrplot.checks.notices import collect, collect_warnings
    from lrplot.simulation.runner import simulate

    spec, located = loaded(config=config, settings=settings)
    try:
        schedule = simulate(spec=spec, max_steps=settings.max_steps)
    except LrplotError as e:
        raise located(e) from None
    try:
        options = spec.plot.merged(
            yscale=plot.yscale, size=plot.size, dpi=plot.dpi, transparent=plot.transparent
        )
    except LrplotError as e:  # the config's plot: with the command line's
        raise type(e)(e.message, source=spec.source, key=e.key) from None
    return Outcome(schedule, options, collect(schedule, options), collect_warnings(schedule))


def produce(
    *,
    outcome: Outcome,
    outputs: Sequence[tuple[Target, Format]],
    painter: Painter | None = None,
    drawn: Mapping[str, bytes] | None = None,
) -> Outcome:
    """``outcome`` (from :func:`prepare`) with each of ``outputs`` produced: files
    written as a set, streams filled, the rest returned as data; with an image among
    them, the notices about the plot added. Images are drawn by
    ``painter`` (or here), unless ``drawn`` has them already."""
    from lrplot.checks.notices import linear_hides
    from lrplot.outputs.export import IMAGE_FORMATS, fills
    from lrplot.outputs.files import write_files

    made = fills(
        schedule=outcome.schedule,
        formats=[fmt for _, fmt in outputs],
        plot=outcome.options,
        painter=painter,
        drawn=drawn,
    )
    files = {_path(target): made[fmt] for target, fmt in outputs if _is_file(target)}
    write_files(files, replace={t.path for t, _ in outputs if isinstance(t, InFolder)})
    data: dict[str, bytes] = {}
    for target, fmt in outputs:
        if target is None:
            buffer = io.BytesIO()
            made[fmt](buffer)
            data[fmt] = buffer.getvalue()
        elif not _is_file(target):
            made[fmt](cast(IO[bytes], target))
    notices = outcome.notices
    if any(fmt in IMAGE_FORMATS for _, fmt in outputs):
        notices += tuple(linear_hides(outcome.schedule, outcome.options))
    return replace(outcome, notices=notices, data=data, written=tuple(files))


def _is_file(target: Target) -> bool:
    return isinstance(target, Path | InFolder)


def _path(target: Target) -> Path:
    return target.path if isinstance(target, InFolder) else cast(Path, target)


def load(*, config: Config, settings: Settings = DEFAULT_SETTINGS) -> Spec:
    """The validated config (see :func:`lrplot.config.validation.validator.load_spec`),
    or the plan of a native file (see :mod:`lrplot.formats`)."""
    return loaded(config=config, settings=settings)[0]


def loaded(
    *, config: Config, settings: Settings = DEFAULT_SETTINGS
) -> tuple[Spec, Callable[[LrplotError], LrplotError]]:
    """:func:`load`'s config, and what names an error about it as the file's keys (a
    native file's are not lrplot's)."""
    from lrplot.config.validation.validator import load_spec
    from lrplot.formats import read, translate

    found = read(
        path=config.path,
        text=config.text,
        source=config.source,
        base_dir=config.base_dir,
        file_format=settings.native.file_format,
    )
    if found.file_format != "lrplot":
        spec, translation = translate(
            found,
            facts=replace(settings.native, allow_import=settings.allow_import),
            overrides=settings.overrides,
            resume_at=settings.resume_at,
        )
        return spec, translation.located
    spec = load_spec(
        text=found.text,
        source=found.source,
        base_dir=found.base_dir,
        allow_import=settings.allow_import,
        overrides=settings.overrides,
        resume_at=settings.resume_at,
    )
    return spec, _as_is


def _as_is(error: LrplotError) -> LrplotError:
    return error
