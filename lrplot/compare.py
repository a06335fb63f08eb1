"""Several schedules on one axis (``lrplot compare``): overlay plot data and long-form CSV.

Each schedule is named by its ``title:``, else by its file's stem; in the plot's legend,
by what differs between them when that is short (:func:`legend_and_title`). x is epochs, unless
schedules model epochs of different lengths (steps per epoch above 1 that differ): a
run model changes what an epoch is (twice the GPUs, half the steps per epoch), and then
the optimizer steps are what line up. A schedule of one step per epoch is a per-epoch
view that lines up with any. ``axis`` chooses either way. A schedule with several param
groups contributes one line per group (``name/group``).

A logged run (HF's ``trainer_state.json``, a Lightning CSVLogger ``metrics.csv``, or
lrplot's own CSV; see :mod:`lrplot.runlogs`) is drawn as markers at its logged steps, by
optimizer step, and checked against the planned schedules (:func:`logged_warnings`).

Long-form CSV (``schedule,epoch,lr`` or ``schedule,step,lr``), one row per step of each
schedule (and per logged step of each logged run): ``epoch`` is the step's position in
epochs (fractional when the schedule steps per batch), so rows from different schedules
line up in pandas or duckdb.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from array import array
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
    from lrplot.runlogs import LoggedLr
    from lrplot.simulation import Schedule

LINE_STYLES = ("-", "--", ":", "-.")
Axis = Literal["epoch", "step"]
AXES: tuple[Axis, ...] = ("epoch", "step")


LOGGED_TOLERANCE = 1e-6
"""How far (relative) a logged lr may be from the plan's and still follow it: a logger
that stores float32 (7 digits) rounds it that much."""


def aligned_axis(
    schedules: Sequence[Schedule], axis: Axis | None = None, *, logged: bool = False
) -> Axis:
    """``axis`` if given; else steps when the schedules' epochs differ in length (steps
    per epoch above 1 that differ) or a logged run is drawn, epochs otherwise."""
    if axis is not None:
        return axis
    if logged:
        return "step"
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


NAMED_BY_DIFFERENCE = 48
"""Characters a legend name made of the settings that differ may take; longer ones
fall back to the schedule's name."""


def _settings(schedule: Schedule) -> dict[str, str]:
    """A schedule's settings, flat (``scheduler.mode`` -> ``'triangular'``)."""
    from lrplot.spec import show_value

    spec = schedule.spec
    flat = {"epochs": str(spec.epochs), "steps_per_epoch": str(spec.steps_per_epoch)}
    for scheduler in spec.schedulers:
        flat[f"{scheduler.key}.type"] = scheduler.name
        flat.update({f"{scheduler.key}.{k}": show_value(v) for k, v in scheduler.args.items()})
    flat["optimizer.type"] = spec.optimizer.type_name
    flat.update({f"optimizer.{k}": show_value(v) for k, v in spec.optimizer.args.items()})
    return flat


def _shown(key: str, value: str) -> str:
    return value if key.endswith(".type") else f"{key.rpartition('.')[2]}={value}"


def _described(keys: list[str], flat: dict[str, str]) -> str:
    """``mode='triangular2', gamma=0.9``; a type that differs with its arguments that do
    (``StepLR(gamma=0.8)``)."""
    parts = []
    for key in keys:
        prefix = key.rpartition(".")[0]
        if key.endswith(".type"):
            args = [
                _shown(k, flat[k]) for k in keys if k.rpartition(".")[0] == prefix and k != key
            ]
            parts.append(f"{flat[key]}({', '.join(args)})")
        elif f"{prefix}.type" not in keys:
            parts.append(_shown(key, flat[key]))
    return ", ".join(parts)


def legend_and_title(
    schedules: Sequence[Schedule], names: Sequence[str]
) -> tuple[list[str], str | None]:
    """Legend names by what differs between the untitled schedules' settings
    (``mode=triangular2``), when that is short and tells each apart, else ``names``;
    and a title from what they share (``CyclicLR(base_lr=0.001, max_lr=0.1) · SGD(lr=0.1)``),
    or None when they share no scheduler."""
    settings = [_settings(schedule) for schedule in schedules]
    keys = list(dict.fromkeys(key for flat in settings for key in flat))
    differ = [key for key in keys if len({flat.get(key) for flat in settings}) > 1]
    legend = list(names)
    differing = [_described([key for key in differ if key in flat], flat) for flat in settings]
    if (
        len(schedules) > 1
        and all(differing)
        and len(set(differing)) == len(differing)
        and max(map(len, differing)) <= NAMED_BY_DIFFERENCE
    ):
        legend = [
            name if schedule.spec.title else text
            for schedule, name, text in zip(schedules, names, differing, strict=True)
        ]
    shared = [key for key in keys if key not in differ and all(key in flat for flat in settings)]
    parts = []
    for prefix in dict.fromkeys(key.rpartition(".")[0] for key in shared if key.endswith(".type")):
        args = [_shown(k, settings[0][k]) for k in shared if k.rpartition(".")[0] == prefix]
        kind = settings[0][f"{prefix}.type"]
        parts.append(f"{kind}({', '.join(a for a in args if a != kind)})")
    schedulers = [p for p in parts if not p.startswith(settings[0]["optimizer.type"] + "(")]
    if not schedulers or "optimizer.type" not in shared:
        return legend, " + ".join(schedulers) or None
    return legend, f"{' + '.join(schedulers)} · {parts[-1]}" if len(parts) > 1 else parts[0]


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
    logged: Sequence[tuple[LoggedLr, str]] = (),
) -> PlotData:
    """One figure with every schedule's lr, aligned on ``axis`` (see :func:`aligned_axis`),
    and each logged run's ``(run, name)`` as markers at its logged steps."""
    axis = aligned_axis(schedules, axis, logged=bool(logged))
    series: list[Series] = []
    count = sum(len(schedule.lr) for schedule in schedules)
    count += sum(len(run.series) for run, _ in logged)
    if count > MAX_PLOTTED_GROUPS:
        raise OutputError(
            f"a plot draws at most {MAX_PLOTTED_GROUPS} lines, and these configs have "
            f"{count:,} param groups in all; the CSV output holds them all"
        )
    legend, shared = legend_and_title(schedules, names) if schedules else (list(names), None)
    for schedule, name in zip(schedules, legend, strict=True):
        for label, index in _lines(schedule, name):
            (line,) = series_of(
                schedule, [label], [schedule.lr[index]], lines_in_figure=count, axis=axis
            )
            # Schedules often coincide for a while: a style each keeps every line visible.
            series.append(replace(line, linestyle=LINE_STYLES[len(series) % len(LINE_STYLES)]))
    ends = [s.spec.epochs if axis == "epoch" else s.steps for s in schedules]
    for run, name in logged:
        for label, steps, values in run.series:
            series.append(_logged_series(name if len(run.series) == 1 else f"{name}/{label}",
                                         steps, values))  # fmt: skip
            ends.append(max(steps) + 1)
    shown = [*legend, *(name for _, name in logged)]
    title = " vs ".join(shown) if len(" vs ".join(shown)) <= 60 else f"{len(shown)} schedules"
    if shared is not None and not logged and len(schedules) > 1:
        title = shared
    return PlotData(
        title=title,
        epochs=max(ends),
        series=tuple(series),
        axis=axis,
        label_points=False,
        legend_title=None,
        options=options,
    )


def _logged_series(label: str, steps: Sequence[int], values: Sequence[float]) -> Series:
    """Markers at the logged steps (thinned to :data:`~lrplot.plotting.MAX_POINTS`,
    keeping every extreme)."""
    import numpy as np

    from lrplot.plotting import kept_points

    x, y = np.array(steps, dtype=np.float64), np.array(values, dtype=np.float64)
    kept = kept_points(y)
    return Series(label, array("d", x[kept].tobytes()), array("d", y[kept].tobytes()), points=True)


def logged_warnings(
    logged: Sequence[tuple[LoggedLr, str]], schedules: Sequence[Schedule], names: Sequence[str]
) -> list[str]:
    """For each logged run that follows none of the planned schedules (every logged lr
    within :data:`LOGGED_TOLERANCE` of the plan's at its step), a warning per plan naming
    the first logged step that differs, with both values."""
    warnings = []
    for run, _ in logged:
        differences = [_first_difference(run, schedule) for schedule in schedules]
        if None in differences:
            continue
        for name, difference in zip(names, differences, strict=True):
            warnings.append(f"{run.source}: the run did not follow {name}: {difference}")
    return warnings


def _first_difference(run: LoggedLr, schedule: Schedule) -> str | None:
    """Where ``run``'s logged lr first differs from ``schedule``'s (each logged series
    against the param group of its place), or None if it never does."""
    found: list[tuple[int, str]] = []
    for group, (label, steps, values) in enumerate(run.series[: len(schedule.lr)]):
        plan = schedule.lr[group]
        what = "the learning rate" if len(run.series) == 1 else label
        differ = 0
        first: tuple[int, str] | None = None
        for step, value in zip(steps, values, strict=True):
            if step == len(plan):
                continue  # the lr after the last step: not part of a plan
            if step > len(plan):
                text = f"it logs step {step:,}, past the plan's last step, {len(plan) - 1:,}"
            elif math.isclose(value, plan[step], rel_tol=LOGGED_TOLERANCE, abs_tol=1e-12):
                continue
            else:
                text = f"{what} logged {value!r} where the plan has {plan[step]!r}"
            differ += 1
            first = first or (step, text)
        if first is not None:
            step, text = first
            total = f" (the first of {differ:,} logged steps that differ)" if differ > 1 else ""
            found.append((step, f"at step {step:,}, {text}{total}"))
    return min(found)[1] if found else None


def comparison_outputs(
    *,
    schedules: Sequence[Schedule],
    names: Sequence[str],
    outputs: Sequence[tuple[Path | None, str]],
    options: PlotOptions,
    painter: Painter | None = None,
    axis: Axis | None = None,
    logged: Sequence[tuple[LoggedLr, str]] = (),
) -> list[tuple[Path | None, Fill]]:
    """What fills each ``(path, format)`` output: the images drawn once (by ``painter``
    if given), the long-form CSV streamed when written."""
    from lrplot.export import IMAGE_FORMATS
    from lrplot.files import bytes_writer, text_writer
    from lrplot.plotting import draw

    images = sorted({fmt for _, fmt in outputs if fmt in IMAGE_FORMATS})
    drawn: dict[str, bytes] = {}
    axis = aligned_axis(schedules, axis, logged=bool(logged))
    if images:
        data = comparison_data(schedules, names, options=options, axis=axis, logged=logged)
        drawn = painter.draw(data, images) if painter else draw(data, images)
    return [
        (
            path,
            text_writer(iter_long_csv(schedules, names, axis=axis, logged=logged))
            if fmt == "csv"
            else bytes_writer(drawn[fmt]),
        )
        for path, fmt in outputs
    ]


def iter_long_csv(
    schedules: Sequence[Schedule],
    names: Sequence[str],
    *,
    axis: Axis | None = None,
    logged: Sequence[tuple[LoggedLr, str]] = (),
) -> Iterator[str]:
    """The long-form CSV in chunks, header first (``schedule,<axis>,lr``); a logged run's
    rows at its logged steps."""
    axis = aligned_axis(schedules, axis, logged=bool(logged))
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
    for run, name in logged:
        for label, steps, values in run.series:
            prefix = _csv_field(name if len(run.series) == 1 else f"{name}/{label}") + ","
            yield "".join(
                f"{prefix}{step},{value!r}\n" for step, value in zip(steps, values, strict=True)
            )


def _epoch_texts(schedule: Schedule) -> Iterator[str]:
    per_epoch = schedule.spec.steps_per_epoch
    if per_epoch == 1:
        return map(str, range(schedule.steps))
    return (repr(step / per_epoch) for step in range(schedule.steps))


def _csv_field(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()
