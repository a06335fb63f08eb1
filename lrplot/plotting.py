"""Drawing a schedule with matplotlib (object API, no pyplot), byte-for-byte reproducible.

:func:`plot_data` gathers what a figure shows (cheap, no matplotlib); :func:`draw` turns
it into image bytes, in this process or in a :class:`lrplot.painter.Painter`.

A figure shows the lr of each param group against epochs, drawn as steps (the value
recorded before step ``i`` holds until step ``i + 1``); a step axis on top when the
scheduler steps per batch; dashed lines where the schedule changes regime; the start,
peak and final lr labelled; and, below, momentum (when cycled) and the metric fed to
ReduceLROnPlateau. Long schedules are thinned for drawing, keeping every extreme.
"""

from __future__ import annotations

import bisect
import io
import math
import os
import sys
import textwrap
import warnings
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from lrplot.errors import OutputError
from lrplot.keys import DEFAULT_SIZE
from lrplot.limits import MAX_MARKS, MAX_PLOTTED, MAX_PLOTTED_GROUPS
from lrplot.options import PlotOptions

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrplot.simulation import Schedule
    from lrplot.spec import SchedulerSpec

TITLE_WIDTH = 75
"""Characters per title line that fit the default figure width (in proportion on others)."""
MAX_POINTS = 4000
"""Points drawn per line at most; longer series keep each bucket's first, min, max, last."""
MAX_FIGURE_POINTS = 64_000
"""Points one figure draws at most, all its lines together (a bound on drawing time)."""

STYLE: dict[str, Any] = {
    "svg.hashsalt": "lrplot",  # fixed ids inside SVGs, so the same plot gives the same bytes
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "legend.frameon": False,
}
_TRANSPARENT_STYLE: dict[str, Any] = {
    # Mid-grey text and axes read on a white page and on a dark one alike.
    **dict.fromkeys(("text.color", "axes.labelcolor", "axes.edgecolor"), "#8b949e"),
    **dict.fromkeys(("xtick.color", "ytick.color", "grid.color"), "#8b949e"),
    "grid.alpha": 0.4,
}
_METADATA: dict[str, dict[str, Any]] = {
    # No dates and no version strings in files: identical bytes for identical plots.
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


@dataclass(frozen=True)
class Series:
    """One line: epochs and values, each with one more point than there are steps (the
    last value repeated at the end: it holds until the last step is over)."""

    label: str
    x: array[float]
    y: array[float]
    linestyle: str = "-"
    points: bool = False
    """Values at points (a metric fed once an epoch), not steps that hold."""


@dataclass(frozen=True)
class Panel:
    """A lower panel: momentum or the plateau metric."""

    label: str
    series: tuple[Series, ...]


@dataclass(frozen=True)
class PlotData:
    """Everything a figure shows, as plain data (it travels to a painter process)."""

    title: str
    epochs: float
    series: tuple[Series, ...]  # the lr lines
    steps_per_epoch: int = 1  # > 1: a step axis on top
    marks: tuple[tuple[float, str], ...] = ()  # (epoch, label): where the regime changes
    panels: tuple[Panel, ...] = ()
    overlays: tuple[Series, ...] = ()
    """Drawn dashed over the lr line of the same index (a resumed run's)."""
    axis: Literal["epoch", "step"] = "epoch"
    """What x counts (``epochs`` is then the number of steps)."""
    label_points: bool = True  # start, peak and final lr, of the line on top there
    legend_title: str | None = "param group"
    options: PlotOptions = field(default_factory=PlotOptions)
    source: str | None = None  # the config, as errors name it


def plot_data(schedule: Schedule, *, options: PlotOptions | None = None) -> PlotData:
    """The figure's content for a schedule; ``options`` default to the config's ``plot:``."""
    spec = schedule.spec
    if len(schedule.lr) > MAX_PLOTTED_GROUPS:
        raise OutputError(
            f"a plot draws at most {MAX_PLOTTED_GROUPS} param groups, and this config has "
            f"{len(schedule.lr):,}; CSV and JSON outputs hold them all",
            source=spec.source,
        )
    labels = [f"group {n}" if n.isdigit() else n for n in schedule.group_names]
    panels = []
    if schedule.momentum:
        name = "Beta1 (momentum)" if schedule.momentum_key == "betas" else "Momentum"
        momentum = series_of(schedule, labels, schedule.momentum, quantity="momentum")
        panels.append(Panel(name, momentum))
    if schedule.metric is not None:
        panels.append(Panel("Metric", (_metric_series(schedule, schedule.metric),)))
    overlays: tuple[Series, ...] = ()
    marks = regime_marks(schedule)
    legend_title: str | None = "param group"
    if schedule.resumed and spec.resume_at is not None:
        resumed = f"resumed at step {spec.resume_at:,}"
        if len(labels) == 1:
            labels, legend_title, names = ["uninterrupted"], None, [resumed]
        else:
            names = [f"{label}, {resumed}" for label in labels]
        overlays = series_of(schedule, names, schedule.resumed, lines_in_figure=2 * len(labels))
        marks = sorted([*marks, (spec.resume_at / spec.steps_per_epoch, "resumed")])
    return PlotData(
        title=spec.display_title,
        epochs=spec.epochs,
        series=series_of(
            schedule, labels, schedule.lr, lines_in_figure=len(labels) * (1 + bool(overlays))
        ),
        steps_per_epoch=spec.steps_per_epoch,
        marks=tuple(marks),
        panels=tuple(panels),
        overlays=overlays,
        legend_title=legend_title,
        options=options or spec.plot,
        source=spec.source,
    )


def series_of(
    schedule: Schedule,
    labels: Sequence[str],
    columns: Sequence[array[float]],
    *,
    quantity: str = "lr",
    lines_in_figure: int | None = None,
    axis: Literal["epoch", "step"] = "epoch",
) -> tuple[Series, ...]:
    """Lines for recorded columns of a schedule, closed at its last epoch (the last value
    is repeated there) and thinned to about :data:`MAX_POINTS` points each, fewer when
    the figure has many lines (``lines_in_figure``, default: these): a figure draws at
    most :data:`MAX_FIGURE_POINTS` points in all. x is in epochs, or steps (``axis``)."""
    import numpy as np

    count = lines_in_figure or len(columns)
    points = max(min(MAX_POINTS, MAX_FIGURE_POINTS // max(count, 1)), 400)
    per_epoch, epochs = schedule.spec.steps_per_epoch, float(schedule.spec.epochs)
    if axis == "step":
        per_epoch, epochs = 1, float(schedule.steps)
    lines = []
    for label, column in zip(labels, columns, strict=True):
        values = np.frombuffer(column, dtype=np.float64)
        largest = float(np.abs(values).max())
        if largest > MAX_PLOTTED:
            where = f" ({label})" if len(columns) > 1 else ""
            raise OutputError(
                f"the {quantity}{where} reaches {largest:.3g}, too large to plot (axes "
                f"overflow past {MAX_PLOTTED:g}); CSV and JSON outputs hold such values",
                source=schedule.spec.source,
            )
        steps = kept_points(values, points)
        x = np.append(steps / per_epoch if per_epoch > 1 else steps.astype(np.float64), epochs)
        y = np.append(values[steps], values[-1])
        lines.append(Series(label, array("d", x.tobytes()), array("d", y.tobytes())))
    return tuple(lines)


def _metric_series(schedule: Schedule, column: array[float]) -> Series:
    """The metric's line: steps when fed after every batch; else a point at the end of
    each batch it was fed after (thinned to :data:`MAX_POINTS`)."""
    import numpy as np

    values = np.frombuffer(column, dtype=np.float64)
    fed = np.flatnonzero(~np.isnan(values))
    if len(fed) == len(values):
        return series_of(schedule, ["metric"], [column], quantity="metric")[0]
    largest = float(np.abs(values[fed]).max()) if len(fed) else 0.0
    if largest > MAX_PLOTTED:
        raise OutputError(
            f"the metric reaches {largest:.3g}, too large to plot (axes overflow past "
            f"{MAX_PLOTTED:g}); CSV and JSON outputs hold such values",
            source=schedule.spec.source,
        )
    fed = fed[kept_points(values[fed])]
    x = (fed + 1) / schedule.spec.steps_per_epoch
    return Series(
        "metric", array("d", x.tobytes()), array("d", values[fed].tobytes()), points=True
    )


def kept_points(values: Any, points: int = MAX_POINTS) -> Any:
    """The steps to draw: all of them up to ``points``; beyond, in buckets of consecutive
    steps, each bucket's first, lowest, highest and last (every extreme and every jump
    stays visible)."""
    import numpy as np

    if len(values) <= points:
        return np.arange(len(values))
    size = math.ceil(len(values) / (points // 4))
    whole = len(values) - len(values) % size
    rows = values[:whole].reshape(-1, size)
    starts = np.arange(0, whole, size)
    keep = np.stack(
        [starts, starts + rows.argmin(axis=1), starts + rows.argmax(axis=1), starts + size - 1],
        axis=1,
    )
    return np.unique(np.concatenate([keep.ravel(), np.arange(whole, len(values))]))


def regime_marks(schedule: Schedule) -> list[tuple[float, str]]:
    """Where the schedule changes regime, in epochs, with a short label (what each
    scheduler's facts say a plot marks; see :data:`lrplot.facts.Mark`)."""
    spec = schedule.spec
    marks: list[tuple[float, str]] = []
    kinds = {scheduler.facts.marks for scheduler in spec.schedulers}
    for scheduler in spec.schedulers:
        marks += _counted_marks(scheduler, spec.steps_per_epoch, spec.epochs)
    lr, per_epoch = schedule.lr[0], spec.steps_per_epoch
    if "peak" in kinds:
        peak = max(range(len(lr)), key=lr.__getitem__)
        marks.append((peak / per_epoch, "end of warm-up"))
    if "reductions" in kinds:
        marks += [(i / per_epoch, "reduced") for i in range(1, len(lr)) if lr[i] < lr[i - 1]]
    return bounded_marks([(x, label) for x, label in marks if 0 < x < spec.epochs], spec.epochs)


def _counted_marks(
    scheduler: SchedulerSpec, per_epoch: int, epochs: int
) -> list[tuple[float, str]]:
    """The marks at counts a scheduler's arguments give (milestones, restarts), in epochs."""
    args, kind = scheduler.args, scheduler.facts.marks
    unit = scheduler.epochs_per_count(per_epoch)
    if kind == "milestones":
        gamma = args.get("gamma", 0.1)
        factor = f"x{gamma:g}" if _is_number(gamma) else "x"
        return [(m * unit, factor) for m in sorted(set(_numbers(args.get("milestones"))))]
    if kind == "boundaries":
        after = scheduler.children[1:]
        milestones = _numbers(args.get("milestones"))
        return [(m * unit, f"→ {c.name}") for m, c in zip(milestones, after, strict=False)]
    marks: list[tuple[float, str]] = []
    if kind == "restarts" and _numbers([args.get("T_0")]) and args["T_0"] > 0:
        period, restart = args["T_0"], args["T_0"]
        multiplier = args.get("T_mult", 1) if _is_number(args.get("T_mult", 1)) else 1
        while restart * unit < epochs and len(marks) < MAX_MARKS:
            marks.append((restart * unit, "restart"))
            period *= max(multiplier, 1)
            restart += period
    return marks


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _numbers(values: object) -> list[float]:
    """The finite numbers among ``values`` (torch runs milestones it cannot reach)."""
    return [v for v in values if _is_number(v)] if isinstance(values, list | tuple) else []


def bounded_marks(marks: list[tuple[float, str]], epochs: float) -> list[tuple[float, str]]:
    """At most :data:`~lrplot.limits.MAX_MARKS` marks: of marks closer together than a
    plot can tell apart (1/MAX_MARKS of its width), the first is kept."""
    kept: list[tuple[float, str]] = []
    for x, label in sorted(marks):
        if not kept or x - kept[-1][0] >= epochs / MAX_MARKS:
            kept.append((x, label))
    return kept[:MAX_MARKS]


def _wrapped_title(data: PlotData) -> str:
    # The title is centred over the axes, which leave about an inch to the tick labels.
    width = (data.options.size[0] - 1) / (DEFAULT_SIZE[0] - 1)
    return wrap_title(data.title, width=max(round(TITLE_WIDTH * width), 20))


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """Wrap a long title, breaking first between schedulers (after " + ") and before the
    optimizer (at " · "), then between arguments (after ", "), and inside one only if it
    is longer than a line."""
    if len(title) <= width:
        return title
    glue = "\ue000"  # a private-use character: textwrap does not break at it
    lines = []
    for part in _between_schedulers(title.replace(" · ", "\ue001")).split("\ue001"):
        pieces = [piece.replace(" ", glue) for piece in part.split(", ")]
        for line in textwrap.wrap(", ".join(pieces), width=width, break_on_hyphens=False):
            lines.append(line.replace(glue, " "))
    return "\n".join(lines)


def _between_schedulers(title: str) -> str:
    """``title`` with a break mark after each " + " outside parentheses (one joining
    two schedulers, not one inside an expression)."""
    depth, out = 0, []
    for index, char in enumerate(title):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        out.append(char)
        if char == "+" and depth <= 0 and title[index - 1 : index + 2] == " + ":
            out.append("\ue001")
    return "".join(out).replace("+\ue001 ", "+\ue001")


def import_matplotlib() -> None:
    """Import matplotlib as if started in lrplot's own folder: on import, matplotlib reads
    a ``matplotlibrc`` in the current folder, which in a checkout is anyone's (a link to
    a secret would be quoted in its warnings, one to ``/dev/zero`` read without end)."""
    if "matplotlib" in sys.modules:
        return
    try:
        here = os.getcwd()
    except OSError:  # the current folder was removed: nothing there to read
        here = None
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    try:
        import matplotlib.figure
        import matplotlib.style  # noqa: F401
    finally:
        if here is not None:
            os.chdir(here)


def draw(data: PlotData, formats: Sequence[str]) -> dict[str, bytes]:
    """The figure in each of ``formats`` (png, svg, pdf), from one layout.

    The layout is computed once, then frozen: left to each save, it would be redone per
    format and a second file's coordinates would depend on which format came first.
    """
    import_matplotlib()
    import matplotlib.style

    style = {**STYLE, **(_TRANSPARENT_STYLE if data.options.transparent else {})}
    images = {}
    # From matplotlib's own defaults: a matplotlibrc in the current folder or the user's
    # settings must not change the bytes (or switch on TeX). matplotlib warns of glyphs
    # its font lacks (drawn as boxes); nothing to act on.
    with matplotlib.style.context(["default", style]), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            figure = _figure(data)
            engine = figure.get_layout_engine()
            assert engine is not None
            engine.execute(figure)  # lay out once, with the figure's own dpi and renderer
            figure.set_layout_engine("none")
            for fmt in formats:
                buffer = io.BytesIO()
                figure.savefig(
                    buffer,
                    format=fmt,
                    metadata=_METADATA[fmt],
                    transparent=data.options.transparent,
                )
                images[fmt] = buffer.getvalue()
        except (ArithmeticError, ValueError, MemoryError) as e:  # values matplotlib cannot lay out
            raise OutputError(
                f"matplotlib could not draw the plot: {type(e).__name__}: {e}; "
                "CSV and JSON outputs still work",
                source=data.source,
            ) from None
    return images


def _figure(data: PlotData) -> Figure:
    from matplotlib.figure import Figure

    options = data.options
    figure = Figure(figsize=options.size, dpi=options.dpi, layout="constrained")
    if data.panels:
        ratios = [3.0] + [1.0] * len(data.panels)
        grid = figure.add_gridspec(len(ratios), 1, height_ratios=ratios)
        axes = figure.add_subplot(grid[0])
        lower = [figure.add_subplot(grid[i + 1], sharex=axes) for i in range(len(data.panels))]
    else:
        axes, lower = figure.add_subplot(), []
    for line in data.series:
        if line.points:  # a logged run's values, at the steps it logged them
            axes.plot(line.x, line.y, label=line.label, marker="o", markersize=3.5,
                      linestyle="none", zorder=3)  # fmt: skip
            continue
        axes.plot(
            line.x,
            line.y,
            label=line.label,
            drawstyle="steps-post",
            linestyle=line.linestyle,
        )
    drawn = axes.get_lines()
    for index, line in enumerate(data.overlays):
        axes.plot(
            line.x,
            line.y,
            label=line.label,
            drawstyle="steps-post",
            linestyle=(0, (4, 3)),
            linewidth=1.5,
            color=_darker(drawn[index].get_color()) if len(data.overlays) > 1 else "black",
        )
    # Text is shown as written: `$` would otherwise start TeX-like math, and a label
    # starting with `_` would be left out of the legend.
    title = _wrapped_title(data)
    axes.set_title(title, parse_math=False)
    axes.set_ylabel("Learning Rate")
    axes.set_xlim(0, data.epochs)
    if options.yscale == "log":
        axes.set_yscale("log")
    if data.label_points:
        _label_points(
            axes,
            data.series,
            log=options.yscale == "log",
            room=_axes_points(data, title_lines=title.count("\n") + 1),
            halo=None if options.transparent else "white",
        )
    _mark_regimes(axes, lower, data)
    if len(data.series) > 1 or data.overlays:
        shown = [*data.series, *data.overlays]
        legend = axes.legend(
            axes.get_lines()[: len(shown)],
            [line.label for line in shown],
            title=data.legend_title,
            fontsize=8,
            title_fontsize=8,
        )
        for text in legend.get_texts():
            text.set_parse_math(False)
    for panel_axes, panel in zip(lower, data.panels, strict=True):
        for line in panel.series:
            if line.points:
                panel_axes.plot(line.x, line.y, label=line.label, marker="o", markersize=3,
                                linewidth=1.0)  # fmt: skip
                continue
            panel_axes.plot(
                line.x, line.y, label=line.label, drawstyle="steps-post", linewidth=1.5
            )
        panel_axes.set_ylabel(panel.label, fontsize=8)
        panel_axes.tick_params(labelsize=8)
    for upper in [axes, *lower][:-1]:  # panels share the x axis: labels on the lowest only
        upper.tick_params(labelbottom=False)
    (lower[-1] if lower else axes).set_xlabel(data.axis.capitalize())
    if data.steps_per_epoch > 1:
        per_epoch = data.steps_per_epoch

        def to_steps(epochs: Any) -> Any:
            return epochs * per_epoch

        def to_epochs(steps: Any) -> Any:
            return steps / per_epoch

        top = axes.secondary_xaxis("top", functions=(to_steps, to_epochs))
        top.set_xlabel("Step", fontsize=8)
        top.tick_params(labelsize=8)
    return figure


def _darker(color: Any) -> tuple[float, float, float]:
    """A line's colour at half its brightness: dashes over the line stay visible."""
    from matplotlib.colors import to_rgb

    red, green, blue = to_rgb(color)
    return (red * 0.5, green * 0.5, blue * 0.5)


def _mark_regimes(axes: Axes, lower: list[Axes], data: PlotData) -> None:
    """A dashed line at each regime change, labelled on the side the lr leaves free."""
    line = data.series[0]
    low, high = axes.get_ylim()
    scale = math.log10 if data.options.yscale == "log" else float
    for mark, text in data.marks:
        for each in (axes, *lower):
            each.axvline(mark, color="#8b949e", linestyle="--", linewidth=0.8, zorder=0)
        after = line.y[max(bisect.bisect_right(line.x, mark) - 1, 0)]
        position = (scale(max(after, 1e-300)) - scale(low)) / (scale(high) - scale(low))
        top = position < 0.5  # the line runs low just after the mark: write above it
        axes.annotate(
            text, (mark, 1.0 if top else 0.0), xycoords=("data", "axes fraction"),
            xytext=(2, -3 if top else 3), textcoords="offset points", ha="left",
            va="top" if top else "bottom", rotation=90, fontsize=7, color="#6e7781",
            parse_math=False,
        )  # fmt: skip


_LABEL_SIZE = 8.0  # points
_LABEL_GAP = 5.0  # points between a labelled point and its label


def _axes_points(data: PlotData, *, title_lines: int) -> tuple[float, float]:
    """About how wide and high the lr axes will be, in points, once laid out (the
    layout comes later: this is for placing labels, and errs on the small side)."""
    width, height = data.options.size
    high = height * 72 - 14 * title_lines - 40
    if data.steps_per_epoch > 1:
        high -= 28  # the step axis on top
    high = high * 3 / (3 + len(data.panels)) - 6 * len(data.panels)
    return max(width * 72 - 70, 50.0), max(high, 30.0)


def _label_points(
    axes: Axes,
    lines: Sequence[Series],
    *,
    log: bool,
    room: tuple[float, float],
    halo: str | None,
) -> None:
    """Label the start, the peak (if it is not an end) and the final lr, each of the
    line on top at that point; with several lines, in that line's colour. A label goes
    above its point, or below it where a line would run through it above, or, where
    lines would run through it either way, above with a ``halo`` (the background's
    colour) around its letters. The y axis grows to hold the labels."""
    from matplotlib.patheffects import withStroke

    colors = [drawn.get_color() for drawn in axes.get_lines()[: len(lines)]]
    scale: Callable[[float], float] = math.log10 if log else float
    left, right = axes.get_xlim()
    low, high = (scale(y) for y in axes.get_ylim())
    per_x, per_y = (right - left) / room[0], (high - low) / room[1]
    placed = []
    for place, value, number, index in _points_to_label(lines, log=log):
        text = f"{place} {_number(value)}"
        width = (0.6 * _LABEL_SIZE * len(text) + 2) * per_x
        x = lines[number].x
        at, align = {
            "start": (x[0], "left"),
            "peak": (x[index], "center"),
            "final": (x[index + 1], "right"),  # a final point is drawn to its step's end
        }[place]
        if align == "center" and at - width / 2 < left:  # a peak near an end: beside it
            align = "left"
        elif align == "center" and at + width / 2 > right:
            align = "right"
        shift, span = {
            "left": (3.0, (at, at + width)),
            "center": (0.0, (at - width / 2, at + width / 2)),
            "right": (-3.0, (at - width, at)),
        }[align]
        y, gap, tall = scale(value), _LABEL_GAP * per_y, 1.4 * _LABEL_SIZE * per_y
        above, below = (y + gap, y + gap + tall), (y - gap - tall, y - gap)
        free = [box for box in (above, below) if not _crossed(lines, span, box, log=log)]
        box = free[0] if free else above
        placed.append(_Label(text, at, value, shift, align, box, box is above, not free, number))
    if not placed:
        return
    top = max(high, *(label.box[1] + 3 * per_y for label in placed))
    bottom = min(low, *(label.box[0] - 3 * per_y for label in placed))
    unscale: Callable[[float], float] = (lambda v: 10.0**v) if log else float
    axes.set_ylim(unscale(bottom), unscale(top))
    for label in placed:
        halos = [withStroke(linewidth=3, foreground=halo)] if label.crossed and halo else []
        axes.annotate(
            label.text, (label.x, label.value),
            xytext=(label.shift, _LABEL_GAP if label.above else -_LABEL_GAP),
            textcoords="offset points", ha=label.align, va="bottom" if label.above else "top",
            fontsize=_LABEL_SIZE, parse_math=False, path_effects=halos,
            color=colors[label.line] if len(lines) > 1 else None,
        )  # fmt: skip


@dataclass(frozen=True)
class _Label:
    """A point label, placed: at ``(x, value)``, shifted ``shift`` points sideways."""

    text: str
    x: float
    value: float
    shift: float
    align: str
    box: tuple[float, float]  # the y it covers (log10 on a log axis)
    above: bool
    crossed: bool  # a line runs through it wherever it goes: drawn with a halo
    line: int


def _points_to_label(lines: Sequence[Series], *, log: bool) -> list[tuple[str, float, int, int]]:
    """(place, value, line number, index) of the start, peak and final points to label."""
    labels = []
    for place in ("start", "peak", "final"):
        candidates = []
        for number, line in enumerate(lines):
            values = line.y
            last = len(values) - 2  # the closing copy of the last value is not a point
            index = {"start": 0, "final": last}.get(place)
            if index is None:
                index = max(range(last + 1), key=values.__getitem__)
                if not (0 < index < last and values[index] > max(values[0], values[last])):
                    continue
            value = values[index]
            if math.isfinite(value) and (value > 0 or not log):
                candidates.append((value, number, index))
        if candidates:  # of lines at the same value, the last drawn shows (on top)
            value, number, index = max(candidates)
            labels.append((place, value, number, index))
    return labels


def _crossed(
    lines: Sequence[Series],
    span: tuple[float, float],
    box: tuple[float, float],
    *,
    log: bool,
) -> bool:
    """Whether a line passes through the box ``span`` x ``box`` (y in log10 on a log
    axis): a stepped line covers every y between its lowest and highest value there."""
    for line in lines:
        first = max(bisect.bisect_right(line.x, span[0]) - 1, 0)
        end = bisect.bisect_right(line.x, span[1])
        values = line.y[first:end]
        seen = [math.log10(v) for v in values if v > 0] if log else list(values)
        if seen and min(seen) <= box[1] and max(seen) >= box[0]:
            return True
    return False


def _number(value: float) -> str:
    return f"{value:.3g}" if value != 0 and math.isfinite(value) else str(value)


def plot(*, schedule: Schedule, format: str = "png") -> bytes:
    """The schedule as a PNG, SVG or PDF image (see the module docstring)."""
    return draw(plot_data(schedule), [format])[format]


def warm_up() -> None:
    """Import matplotlib and draw a small figure, so the next draw pays no start-up."""
    line = Series("", array("d", [0.0, 1.0]), array("d", [1.0, 1.0]))
    draw(PlotData(title="", epochs=1, series=(line,)), ["png"])
