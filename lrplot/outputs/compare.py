"""Several schedules on one axis (``lrplot compare``): overlay plot data and long-form CSV.

Each schedule is named by its ``title:``, else by its file's stem; in the plot's legend,
by what differs between them when that is short (:func:`legend_and_title`). x is epochs, unless
schedules model epochs of different lengths (steps per epoch above 1 that differ): a
run model changes what an epoch is (twice the GPUs, half the steps per epoch), and then
the optimizer steps are what line up. A schedule of one step per epoch is a per-epoch
view that lines up with any. ``axis`` chooses either way. A schedule with several param
groups contributes one line per group (``name/group``).

A logged run (HF's ``trainer_state.json``, a Lightning CSVLogger ``metrics.csv``, or
lrplot's own CSV; see :mod:`lrplot.config.runlogs`) is drawn as markers at lrplot's steps of its
logged ones (an HF log in the order decided by :func:`hf_placed`), and checked against
the planned schedules (:func:`check_logged`): each logged lr against the param group its
name says, Lightning's logged momentum against the plan's.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal

from lrplot.config.options import PlotOptions
from lrplot.config.runlogs import (
    AFTER_SCHEDULER,
    BEFORE_SCHEDULER,
    HF_ORDERS,
    HfOrder,
    LoggedLr,
    LoggedSeries,
    hf_order_of,
)
from lrplot.draw.plotting import PlotData, Series, series_of
from lrplot.errors import OutputError, name_excerpt, printable
from lrplot.limits import MAX_LISTED, MAX_PLOTTED_GROUPS
from lrplot.outputs.export import CHUNK_ROWS
from lrplot.outputs.files import Fill

if TYPE_CHECKING:
    from lrplot.draw.painter import Painter
    from lrplot.simulation.runner import Schedule

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
    from lrplot.config.spec import show_value

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
    count += sum(len(run.learning_rates) for run, _ in logged)
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
    ends = [s.spec.span if axis == "epoch" else s.steps for s in schedules]
    for run, name in logged:
        for logged_series in run.learning_rates:
            steps, values = run.placed(logged_series)
            label = name if len(run.learning_rates) == 1 else f"{name}/{logged_series.name}"
            series.append(_logged_series(label, steps, values))
            ends.append(max(steps, default=0) + 1)
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
    """Markers at the logged steps (thinned to :data:`~lrplot.draw.plotting.MAX_POINTS`,
    keeping every extreme)."""
    import numpy as np

    from lrplot.draw.plotting import kept_points

    x, y = np.array(steps, dtype=np.float64), np.array(values, dtype=np.float64)
    kept = kept_points(y)
    return Series(label, array("d", x[kept].tobytes()), array("d", y[kept].tobytes()), points=True)


_ORDERS: dict[HfOrder, str] = {
    AFTER_SCHEDULER: "the order of transformers <= 4.50 (learning_rate logged after "
    "lr_scheduler.step(): at step N, the lr of step N)",
    BEFORE_SCHEDULER: "the order of transformers >= 4.51 (learning_rate logged before "
    "lr_scheduler.step(): at step N, the lr of step N - 1)",
}
"""How an HF log's order is named in the notice that says which was used."""


@dataclass(frozen=True)
class LoggedCheck:
    """What ``compare`` says of its logged runs: each ``(run, name)`` placed at lrplot's
    steps (an HF log in the order decided), the notices and the warnings."""

    runs: tuple[tuple[LoggedLr, str], ...]
    notices: tuple[str, ...]
    warnings: tuple[str, ...]


def check_logged(
    logged: Sequence[tuple[LoggedLr, str]],
    schedules: Sequence[Schedule],
    names: Sequence[str],
    *,
    hf_order: HfOrder | None = None,
) -> LoggedCheck:
    """Each logged run against the planned schedules: an HF log's order decided (by
    ``hf_order``, else :func:`hf_placed`), a notice for what is not compared, and the
    warnings of :func:`logged_warnings`."""
    runs: list[tuple[LoggedLr, str]] = []
    notices: list[str] = []
    for run, label in logged:
        if run.logger == "HF Trainer":
            run, notice = hf_placed(run, schedules, names, hf_order)
            notices.append(notice)
        runs.append((run, label))
        notices.extend(_left_out(run, schedules, names))
    return LoggedCheck(tuple(runs), tuple(notices), tuple(logged_warnings(runs, schedules, names)))


def hf_placed(
    run: LoggedLr,
    schedules: Sequence[Schedule],
    names: Sequence[str],
    order: HfOrder | None = None,
) -> tuple[LoggedLr, str]:
    """An HF log in the order it was logged in, and the notice saying which and why:
    ``order`` if given; else, when every plan is stepped in evaluation (ReduceLROnPlateau,
    GreedyLR), the order of every version; else that of the ``transformers_version``
    beside the log; else the order the plans fit over the whole log."""
    said = f"{run.source}: read in "
    if order is not None:
        return run.in_order(order), f"{said}{_ORDERS[order]}, as --hf-log-order says"
    if schedules and all(_stepped_in_evaluation(schedule) for schedule in schedules):
        scheduler = schedules[0].spec.schedulers[0].name
        return run.in_order(BEFORE_SCHEDULER), (
            f"{said}the order HF's Trainer logs {scheduler} in, in every transformers version "
            "(learning_rate logged before the evaluation that steps it: at step N, the lr of "
            f"step N - 1), as {names[0]} steps {scheduler}"
        )
    version = run.transformers_version
    if version is not None:
        order = hf_order_of(version)
        return run.in_order(order), (
            f"{said}{_ORDERS[order]}, as its folder's config.json says transformers_version "
            f"{version}"
        )
    if not schedules:
        return run.in_order(BEFORE_SCHEDULER), (
            f"{said}{_ORDERS[BEFORE_SCHEDULER]}, today's, with no plan to tell by "
            f"({run.unversioned})"
        )
    fits = {
        order: min(
            (_departure(run.in_order(order), schedule)[1], index)
            for index, schedule in enumerate(schedules)
        )
        for order in HF_ORDERS
    }
    (after, _), (before, _) = fits[AFTER_SCHEDULER], fits[BEFORE_SCHEDULER]
    order = AFTER_SCHEDULER if after < before else BEFORE_SCHEDULER
    (differ, index), other = fits[order], max(after, before)
    name = names[index]
    if differ == other == 0:
        why = f"one of the two {name} fits"
    elif differ == 0:
        why = f"the one {name} fits"
    elif differ == other:
        why = f"as {name} differs at {differ:,} logged steps in either"
    else:
        why = f"where {name} differs at fewer logged steps, {differ:,} (in the other: {other:,})"
    return run.in_order(order), f"{said}{_ORDERS[order]}, {why} ({run.unversioned})"


def _stepped_in_evaluation(schedule: Schedule) -> bool:
    """HF's Trainer holds one scheduler; one fed a metric (ReduceLROnPlateau, GreedyLR) it
    steps in evaluation, after logging."""
    schedulers = schedule.spec.schedulers
    return len(schedulers) == 1 and schedulers[0].facts.metric


def _left_out(run: LoggedLr, schedules: Sequence[Schedule], names: Sequence[str]) -> list[str]:
    """Notices for what of ``run`` is compared row by row or not at all: several runs in
    one log, weight decay, momentum a plan has none of, an lr of no planned group."""
    notices = []
    if run.starts:
        starts = [f"{s.where} (step {s.step:,} after step {s.after:,})" for s in run.starts]
        notices.append(
            f"{run.source}: holds {len(starts) + 1} runs, one after another, a run starting "
            f"again at {_listed(starts)}: at each step, what the last run to log it logged "
            "is compared"
        )
    decay = [name_excerpt(s.name) for s in run.series if s.kind == "weight_decay"]
    if decay:
        notices.append(
            f"{run.source}: {_listed(decay)} {_is(decay)} weight decay, which no plan "
            "schedules: not drawn or compared"
        )
    momentum = [name_excerpt(s.name) for s in run.series if s.kind == "momentum"]
    for schedule, name in zip(schedules, names, strict=True):
        _, free = _matched(run, schedule)
        if free:
            shown = [name_excerpt(s.name) for s in free]
            groups = ", ".join(schedule.group_names)
            notices.append(
                f"{run.source}: {_listed(shown)} {_is(shown)} the lr of no param group of "
                f"{name} ({groups}): not compared"
            )
        if momentum and _plan_momentum(schedule, 0) is None:
            notices.append(
                f"{run.source}: {_listed(momentum)} {_is(momentum)} momentum, which "
                f"{name}'s {schedule.spec.optimizer.type_name} has none of: not compared"
            )
    return notices


def _listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``; past :data:`~lrplot.limits.MAX_LISTED`, the
    rest counted."""
    shown = list(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown.append(f"{len(items) - MAX_LISTED:,} more")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _is(items: Sequence[str]) -> str:
    return "is" if len(items) == 1 else "are"


def _matched(
    run: LoggedLr, schedule: Schedule
) -> tuple[dict[int, LoggedSeries], list[LoggedSeries]]:
    """The lr series logged for each param group of ``schedule``, by the names loggers
    give groups (see :func:`_labels`), and the lr series of none."""
    free = list(run.learning_rates)
    matched = {}
    for index, name in enumerate(schedule.group_names):
        for label in _labels(run, name, index):
            found = next((series for series in free if series.group == label), None)
            if found is not None:
                matched[index] = found
                free.remove(found)
                break
    return matched, free


def _labels(run: LoggedLr, name: str, index: int) -> list[str | None]:
    """What a logger calls param group ``index`` named ``name`` (its index when it has no
    ``name:``), best first: Lightning ``<name>`` for a named group, else ``pg<index + 1>``;
    lrplot ``<name>``; a log that names no group (HF's one ``learning_rate``) the first."""
    labels: list[str | None] = []
    if run.logger == "lrplot" or (run.logger == "Lightning" and name != str(index)):
        labels.append(name)
    if run.logger == "Lightning":
        labels.append(f"pg{index + 1}")
    if index == 0:
        labels.append(None)
    return labels


def _plan_momentum(schedule: Schedule, group: int) -> Callable[[int], float] | None:
    """The plan's momentum (or ``betas[0]``) of ``group`` at each step, when its optimizer
    has one: as cycled, else where it started."""
    if schedule.momentum:
        return schedule.momentum[group].__getitem__
    if not schedule.start_momentum:
        return None
    start = schedule.start_momentum[group]
    return lambda _step: start


def logged_warnings(
    logged: Sequence[tuple[LoggedLr, str]], schedules: Sequence[Schedule], names: Sequence[str]
) -> list[str]:
    """For each logged run that follows none of the planned schedules (every logged lr,
    and momentum where the plan has one, within :data:`LOGGED_TOLERANCE` of the plan's
    at its step), a warning per plan naming the first logged step that differs, with
    both values."""
    warnings = []
    for run, _ in logged:
        differences = [_departure(run, schedule)[0] for schedule in schedules]
        if None in differences:
            continue
        for name, difference in zip(names, differences, strict=True):
            warnings.append(f"{run.source}: the run did not follow {name}: {difference}")
    return warnings


def _departure(run: LoggedLr, schedule: Schedule) -> tuple[str | None, int]:
    """Where ``run``'s logged values first differ from ``schedule``'s (each logged lr
    against the param group it is logged for, with its momentum where the plan has
    one), or None if they never do; and how many logged values differ in all."""
    found: list[tuple[tuple[int, int], str]] = []
    total = 0
    single = len(run.learning_rates) == 1
    momenta = {s.name: s for s in run.series if s.kind == "momentum"}
    matched = _matched(run, schedule)[0]
    if not matched:
        groups = ", ".join(schedule.group_names)
        count = sum(len(series.values) for series in run.learning_rates)
        return f"it logs the lr of none of the plan's param groups ({groups})", count
    for group, series in sorted(matched.items()):
        plan = schedule.lr[group]
        compared: list[tuple[LoggedSeries, str, Callable[[int], float]]] = [
            (series, "the learning rate" if single else series.name, plan.__getitem__)
        ]
        momentum, at = momenta.get(f"{series.name}-momentum"), _plan_momentum(schedule, group)
        if momentum is not None and at is not None:
            compared.append((momentum, "the momentum" if single else momentum.name, at))
        for logged, what, planned in compared:
            first, differ = _first_difference(run, logged, what, planned, len(plan))
            total += differ
            if first is not None:
                found.append(((first[0], len(found)), first[1]))
    return (min(found)[1] if found else None), total


def _first_difference(
    run: LoggedLr,
    series: LoggedSeries,
    what: str,
    planned: Callable[[int], float],
    length: int,
) -> tuple[tuple[int, str] | None, int]:
    """``(step, text)`` of the first of ``series``' values that differs from the plan's
    (``planned``, ``length`` steps) at lrplot's step, and how many do."""
    differ = 0
    first: tuple[int, int, str] | None = None
    for step, value in zip(series.steps, series.values, strict=True):
        at = step - run.shift
        if at == length and not run.shift:
            continue  # the lr after the last step: not part of a plan
        if at < 0:
            text = "it logs a step before the plan's first, 0"
        elif at >= length:
            text = f"it logs step {at:,}, past the plan's last step, {length - 1:,}"
        elif math.isclose(value, planned(at), rel_tol=LOGGED_TOLERANCE, abs_tol=1e-12):
            continue
        else:
            text = f"{what} logged {value!r} where the plan has {planned(at)!r}"
        differ += 1
        first = first or (at, step, text)
    if first is None:
        return None, 0
    at, step, text = first
    where = f"at step {at:,} (logged at step {step:,})" if run.shift else f"at step {at:,}"
    notes = [f"the first of {differ:,} logged steps that differ"] if differ > 1 else []
    if step in series.earlier:
        runs = [f"run {r} logged {v!r}" for r, v in series.earlier[step][:MAX_LISTED]]
        value = series.values[series.steps.index(step)]
        runs.append(f"run {series.last_run[step]} (compared) {value!r}")
        notes.append(f"the runs in the log disagree at this step: {', '.join(runs)}")
    return (at, f"{where}, {text}" + (f" ({'; '.join(notes)})" if notes else "")), differ


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
    from lrplot.draw.plotting import draw
    from lrplot.outputs.export import IMAGE_FORMATS
    from lrplot.outputs.files import bytes_writer, text_writer

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
        for logged_series in run.learning_rates:
            label = name if len(run.learning_rates) == 1 else f"{name}/{logged_series.name}"
            prefix = _csv_field(label) + ","
            steps, values = run.placed(logged_series)
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
