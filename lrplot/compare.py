"""Several schedules on one axis (``lrplot compare``): overlay plot data and long-form CSV.

Each schedule is named by its ``title:``, else by its file's stem. x is epochs, unless
schedules model epochs of different lengths (steps per epoch above 1 that differ): a
run model changes what an epoch is (twice the GPUs, half the steps per epoch), and then
the optimizer steps are what line up. A schedule of one step per epoch is a per-epoch
view that lines up with any. ``axis`` chooses either way. A schedule with several param
groups contributes one line per group (``name/group``).

Long-form CSV (``schedule,epoch,lr`` or ``schedule,step,lr``), one row per step of each
schedule: ``epoch`` is the step's position in epochs (fractional when the schedule steps
per batch), so rows from different schedules line up in pandas or duckdb.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal

from lrplot.errors import OutputError, printable
from lrplot.export import CHUNK_ROWS
from lrplot.files import Fill
from lrplot.limits import MAX_PLOTTED_GROUPS
from lrplot.options import PlotOptions
from lrplot.plotting import PlotData, Series, series_of

if TYPE_CHECKING:
    from lrplot.painter import Painter
    from lrplot.simulation import Schedule

LINE_STYLES = ("-", "--", ":", "-.")
Axis = Literal["epoch", "step"]
AXES: tuple[Axis, ...] = ("epoch", "step")


def aligned_axis(schedules: Sequence[Schedule], axis: Axis | None = None) -> Axis:
    """``axis`` if given; else steps when the schedules' epochs differ in length (steps
    per epoch above 1 that differ), epochs otherwise."""
    if axis is not None:
        return axis
    lengths = {s.spec.steps_per_epoch for s in schedules} - {1}
    return "epoch" if len(lengths) <= 1 else "step"


def file_names(paths: Sequence[str]) -> list[str]:
    """A short name per config file: its stem, with as many of its folders as it takes
    to tell apart files of the same stem (``tutorial/StepLR``, ``schedulers/StepLR``);
    ``-`` is ``stdin``."""
    parts = [("stdin",) if p == "-" else PurePath(p).with_suffix("").parts for p in paths]
    names = []
    for mine in parts:
        others = {p for p in parts if p != mine}  # the same file twice cannot be told apart
        depth = 1
        while depth < len(mine) and any(p[-depth:] == mine[-depth:] for p in others):
            depth += 1
        names.append(PurePath(*mine[-depth:]).as_posix())
    return names


def schedule_names(schedules: Sequence[Schedule], paths: Sequence[str]) -> list[str]:
    """A legend name per schedule: its ``title:``, else its file's name (see
    :func:`file_names`), made unique."""
    untitled = [
        path for schedule, path in zip(schedules, paths, strict=True) if not schedule.spec.title
    ]
    shown = dict(zip(untitled, file_names(untitled), strict=True))
    names: list[str] = []
    for schedule, path in zip(schedules, paths, strict=True):
        name = schedule.spec.title or printable(shown[path])
        base, count = name, 2
        while name in names:
            name, count = f"{base} ({count})", count + 1
        names.append(name)
    return names


def _lines(schedule: Schedule, name: str) -> list[tuple[str, int]]:
    groups = schedule.group_names
    if len(groups) == 1:
        return [(name, 0)]
    return [(f"{name}/{group}", index) for index, group in enumerate(groups)]


def comparison_data(
    schedules: Sequence[Schedule],
    names: Sequence[str],
    *,
    options: PlotOptions,
    axis: Axis | None = None,
) -> PlotData:
    """One figure with every schedule's lr, aligned on ``axis`` (see :func:`aligned_axis`)."""
    axis = aligned_axis(schedules, axis)
    series: list[Series] = []
    count = sum(len(schedule.lr) for schedule in schedules)
    if count > MAX_PLOTTED_GROUPS:
        raise OutputError(
            f"a plot draws at most {MAX_PLOTTED_GROUPS} lines, and these configs have "
            f"{count:,} param groups in all; the CSV output holds them all"
        )
    for schedule, name in zip(schedules, names, strict=True):
        for label, index in _lines(schedule, name):
            (line,) = series_of(
                schedule, [label], [schedule.lr[index]], lines_in_figure=count, axis=axis
            )
            # Schedules often coincide for a while: a style each keeps every line visible.
            series.append(replace(line, linestyle=LINE_STYLES[len(series) % len(LINE_STYLES)]))
    title = " vs ".join(names) if len(" vs ".join(names)) <= 60 else f"{len(names)} schedules"
    return PlotData(
        title=title,
        epochs=max(s.spec.epochs if axis == "epoch" else s.steps for s in schedules),
        series=tuple(series),
        axis=axis,
        label_points=False,
        legend_title=None,
        options=options,
    )


def comparison_outputs(
    *,
    schedules: Sequence[Schedule],
    names: Sequence[str],
    outputs: Sequence[tuple[Path | None, str]],
    options: PlotOptions,
    painter: Painter | None = None,
    axis: Axis | None = None,
) -> list[tuple[Path | None, Fill]]:
    """What fills each ``(path, format)`` output: the images drawn once (by ``painter``
    if given), the long-form CSV streamed when written."""
    from lrplot.export import IMAGE_FORMATS
    from lrplot.files import bytes_writer, text_writer
    from lrplot.plotting import draw

    images = sorted({fmt for _, fmt in outputs if fmt in IMAGE_FORMATS})
    drawn: dict[str, bytes] = {}
    axis = aligned_axis(schedules, axis)
    if images:
        data = comparison_data(schedules, names, options=options, axis=axis)
        drawn = painter.draw(data, images) if painter else draw(data, images)
    return [
        (
            path,
            text_writer(iter_long_csv(schedules, names, axis=axis))
            if fmt == "csv"
            else bytes_writer(drawn[fmt]),
        )
        for path, fmt in outputs
    ]


def iter_long_csv(
    schedules: Sequence[Schedule], names: Sequence[str], *, axis: Axis | None = None
) -> Iterator[str]:
    """The long-form CSV in chunks, header first (``schedule,<axis>,lr``)."""
    axis = aligned_axis(schedules, axis)
    yield f"schedule,{axis},lr\n"
    for schedule, name in zip(schedules, names, strict=True):
        for label, index in _lines(schedule, name):
            prefix = _csv_field(label) + ","
            positions = (
                _epoch_texts(schedule) if axis == "epoch" else map(str, range(schedule.steps))
            )
            rows = zip(positions, map(repr, schedule.lr[index]), strict=True)
            while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
                yield "".join(f"{prefix}{epoch},{lr}\n" for epoch, lr in chunk)


def _epoch_texts(schedule: Schedule) -> Iterator[str]:
    per_epoch = schedule.spec.steps_per_epoch
    if per_epoch == 1:
        return map(str, range(schedule.steps))
    return (repr(step / per_epoch) for step in range(schedule.steps))


def _csv_field(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()
