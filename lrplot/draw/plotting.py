"""Drawing a schedule with matplotlib (object API, no pyplot), byte-for-byte reproducible.

:func:`plot_data` gathers what a figure shows (cheap, no matplotlib); :func:`draw` turns
it into image bytes, in this process or in a :class:`lrplot.draw.painter.Painter`.

A figure shows the lr of each param group against epochs, drawn as steps (the value
recorded before step ``i`` holds until step ``i + 1``); a step axis on top when the
scheduler steps per batch; dashed lines where the schedule changes regime; the start,
peak and final lr labelled; and, below, momentum (when cycled) and the metric fed to
ReduceLROnPlateau. Long schedules are thinned for drawing, keeping every extreme.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import os
import sys
import textwrap
import warnings
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from lrplot.config.keys import DEFAULT_SIZE
from lrplot.config.options import PlotOptions
from lrplot.draw.labels import MARK_COLOR, Layout, PointLabel, arrange
from lrplot.errors import OutputError
from lrplot.limits import MAX_MARKS, MAX_PLOTTED, MAX_PLOTTED_GROUPS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

    from lrplot.config.spec import SchedulerSpec
    from lrplot.simulation.runner import Schedule

TITLE_WIDTH = 75
"""Characters per title line that fit the default figure width (in proportion on others)."""
TITLE_LINES = 2
"""Lines a title takes at most, at any figure size."""
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
    color: str | None = None
    """Its own colour (a panel's line that stands for every group), else the next one."""


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
        columns = schedule.momentum
        if len(columns) > 1 and all(column == columns[0] for column in columns):
            # One line for every group, in a colour of no group's, named in the legend.
            (line,) = series_of(schedule, [f"{name.lower()}, every group"], columns[:1])
            momentum: tuple[Series, ...] = (replace(line, color=MARK_COLOR),)
        else:
            momentum = series_of(schedule, labels, columns, quantity="momentum")
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
        epochs=spec.span,
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
    per_epoch, epochs = schedule.spec.steps_per_epoch, schedule.spec.span
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
    """Where the schedule changes regime, in epochs, with a short label: what each
    scheduler's facts say a plot marks (:data:`lrplot.schedulers.facts.Mark`), nested ones
    included, and from the lr of every group, where a warm-up ends and where a plateau
    scheduler reduced it (naming the groups, when not all)."""
    spec = schedule.spec
    per_epoch, epochs = spec.steps_per_epoch, spec.span
    marks: list[tuple[float, str]] = []
    for scheduler in spec.schedulers:
        unit = scheduler.epochs_per_count(per_epoch)
        marks += _counted_marks(scheduler, unit, 0.0, epochs, per_epoch)
    warmed = {end for column in schedule.lr if (end := _warm_up_end(column)) is not None}
    marks += [(end / per_epoch, "end of warm-up") for end in sorted(warmed)]
    if any(s.facts.marks == "reductions" for s in _all_schedulers(spec.schedulers)):
        import numpy as np

        names = [f"group {n}" if n.isdigit() else n for n in schedule.group_names]
        cut: dict[int, list[str]] = {}
        for name, column in zip(names, schedule.lr, strict=True):
            values = np.frombuffer(column, dtype=np.float64)
            for lower in np.flatnonzero(values[1:] < values[:-1]) + 1:
                cut.setdefault(int(lower), []).append(name)
        for step, groups in sorted(cut.items()):
            who = "" if len(groups) == len(names) else f" {', '.join(groups)}"
            marks.append((step / per_epoch, f"reduced{who}"))
    inside = [(x, label) for x, label in marks if 0 < x < epochs]
    return bounded_marks(_merged(inside), epochs)


def _merged(marks: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Marks at the same place as one, their labels joined (``end of warm-up ->
    CosineAnnealingLR``)."""
    at: dict[float, list[str]] = {}
    for x, label in marks:
        if label not in at.setdefault(x, []):
            at[x].append(label)
    return [
        (x, " ".join(sorted(labels, key=lambda t: t.startswith("→")))) for x, labels in at.items()
    ]


def _all_schedulers(schedulers: Sequence[SchedulerSpec]) -> Iterator[SchedulerSpec]:
    for scheduler in schedulers:
        yield scheduler
        yield from _all_schedulers(scheduler.children)


def _warm_up_end(column: array[float]) -> int | None:
    """The step a warm-up ends: the lr rises without falling from its start to its
    highest value (by half at least), in the first half of the run, and never rises
    again by a tenth as much (a cycle, even a damped one, is not a warm-up)."""
    import numpy as np

    if len(column) < 3:
        return None
    values = np.frombuffer(column, dtype=np.float64)
    peak = int(np.argmax(values))  # the first of the highest
    start, top = float(values[0]), float(values[peak])
    if not (0 < peak <= len(values) // 2 and top > 0 and start < top / 1.5):
        return None
    if np.any(values[1 : peak + 1] < values[:peak]):
        return None
    after = values[peak:]
    if np.any(after - np.minimum.accumulate(after) > (top - start) / 10):
        return None
    return peak


def _counted_marks(
    scheduler: SchedulerSpec, unit: float, offset: float, epochs: float, per_epoch: int
) -> list[tuple[float, str]]:
    """The marks at counts a scheduler's arguments give (milestones, restarts, one-cycle
    phases), in epochs, from ``offset`` (where its SequentialLR segment starts), its
    nested schedulers' too."""
    args, kind = scheduler.args, scheduler.facts.marks
    marks: list[tuple[float, str]] = []
    if kind == "milestones":
        marks += [
            (offset + m * unit, _factor(args))
            for m in sorted(set(scheduler.numbers("milestones")))
        ]
    if kind == "boundaries":
        milestones = scheduler.numbers("milestones")
        starts = [0.0, *milestones]
        marks += [
            (offset + m * unit, f"→ {c.name}")
            for m, c in zip(milestones, scheduler.children[1:], strict=False)
        ]
        for start, child in zip(starts, scheduler.children, strict=False):
            marks += _counted_marks(child, unit, offset + start * unit, epochs, per_epoch)
    elif scheduler.children:  # ChainedScheduler: each child steps with it
        for child in scheduler.children:
            marks += _counted_marks(child, unit, offset, epochs, per_epoch)
    interval = next((a for a, k in scheduler.facts.horizons.items() if k == "interval"), None)
    size = args.get(interval) if interval else None
    if _is_number(size) and size >= 1:  # StepLR: every step_size
        at = size
        while offset + at * unit < epochs and len(marks) < MAX_MARKS:
            marks.append((offset + at * unit, _factor(args)))
            at += size
    if kind == "restarts" and _is_number(args.get("T_0")) and args["T_0"] > 0:
        period, restart = args["T_0"], args["T_0"]
        multiplier = args.get("T_mult", 1) if _is_number(args.get("T_mult", 1)) else 1
        while offset + restart * unit < epochs and len(marks) < MAX_MARKS:
            marks.append((offset + restart * unit, "restart"))
            period *= max(multiplier, 1)
            restart += period
    if scheduler.name == "OneCycleLR" and args.get("three_phase") is True:
        total = args.get("total_steps")
        if not _is_number(total):
            total = (args.get("epochs") or 0) * (args.get("steps_per_epoch") or 0)
        pct = args.get("pct_start", 0.3)
        if _is_number(total) and _is_number(pct):
            marks.append((offset + (2 * pct * total - 2) * unit, "back to the initial lr"))
    return marks


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _factor(args: dict[str, Any]) -> str:
    """A decay's mark: ``x0.1`` (its ``gamma``, torch's default 0.1 if not given)."""
    gamma = args.get("gamma", 0.1)
    return f"x{gamma:g}" if _is_number(gamma) else "x"


def bounded_marks(marks: list[tuple[float, str]], epochs: float) -> list[tuple[float, str]]:
    """At most :data:`~lrplot.limits.MAX_MARKS` marks: of marks closer together than a
    plot can tell apart (1/MAX_MARKS of its width), the first is kept."""
    kept: list[tuple[float, str]] = []
    for x, label in sorted(marks):
        if not kept or x - kept[-1][0] >= epochs / MAX_MARKS:
            kept.append((x, label))
    return kept[:MAX_MARKS]


def title_lines(title: str, width_inches: float) -> tuple[str, float]:
    """``title`` wrapped to at most :data:`TITLE_LINES` lines over a figure
    ``width_inches`` wide, and its font size: 11 points, smaller (down to 8) rather
    than a third line, and at 8 points the rest cut with an ellipsis."""
    lines, size, width = [title], 11.0, len(title)
    for size in (11.0, 10.0, 9.0, 8.0):
        scale = (width_inches - 1) / (DEFAULT_SIZE[0] - 1) * 11.0 / size
        width = max(round(TITLE_WIDTH * scale), 16)
        lines = wrap_title(title, width=width).split("\n")
        if len(lines) <= TITLE_LINES:
            return "\n".join(lines), size
    kept = lines[:TITLE_LINES]
    kept[-1] = kept[-1][: width - 1].rstrip(" ,·+") + "…"
    return "\n".join(kept), size


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """Wrap a long title, breaking first between schedulers (after " + ") and before the
    optimizer (at " · ", which the break replaces), then between arguments (after
    ", "), and inside one only if it is longer than a line."""
    if len(title) <= width:
        return title
    glue = "\ue000"  # a private-use character: textwrap does not break at it
    pieces: list[tuple[str, str]] = []  # (text, what joins it to the text before on a line)
    for index, part in enumerate(title.split(" · ")):
        for number, scheduler in enumerate(_between_schedulers(part).split("\ue001")):
            joiner = "" if index == number == 0 else (" · " if number == 0 else " ")
            if len(scheduler) <= width:
                pieces.append((scheduler, joiner))
                continue
            chunks = ", ".join(chunk.replace(" ", glue) for chunk in scheduler.split(", "))
            lines = textwrap.wrap(chunks, width=width, break_on_hyphens=False)
            pieces += [
                (line.replace(glue, " "), joiner if not n else "") for n, line in enumerate(lines)
            ]
    wrapped: list[str] = []
    for text, joiner in pieces:
        if wrapped and joiner and len(wrapped[-1]) + len(joiner) + len(text) <= width:
            wrapped[-1] += joiner + text
        else:
            wrapped.append(text)
    return "\n".join(wrapped)


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

    The layout is computed, the labels placed in it (:mod:`lrplot.draw.labels`), and again
    (the labels' room changes the y ticks), then frozen: left to each save, it would be
    redone per format and a second file's coordinates would depend on which came first.
    """
    images = {}
    with drawing(data) as figure:
        for fmt in formats:
            buffer = io.BytesIO()
            figure.savefig(
                buffer, format=fmt, metadata=_METADATA[fmt], transparent=data.options.transparent
            )
            images[fmt] = buffer.getvalue()
    return images


@contextlib.contextmanager
def drawing(data: PlotData) -> Iterator[Figure]:
    """The figure of ``data``, laid out with its labels placed, inside lrplot's style
    (what :func:`draw` saves, and what tests measure)."""
    import_matplotlib()
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lrplot.draw.text_layout import measured_once

    style = {**STYLE, **(_TRANSPARENT_STYLE if data.options.transparent else {})}
    # From matplotlib's own defaults: a matplotlibrc in the current folder or the user's
    # settings must not change the bytes (or switch on TeX). matplotlib warns of glyphs
    # its font lacks (drawn as boxes); nothing to act on.
    with matplotlib.style.context(["default", style]), warnings.catch_warnings(), measured_once():
        warnings.simplefilter("ignore")
        try:
            figure, layout = _figure(data)
            renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
            engine = figure.get_layout_engine()
            assert engine is not None
            # The layout is costly; run once more only if the room the labels took
            # made a y tick label wider (narrower ones fit the layout as it is).
            arrange(layout, None)
            engine.execute(figure)
            widest = _widest_ticks(figure)
            _fit_ylabels(figure, renderer)
            arrange(layout, renderer)
            if any(new > old for new, old in zip(_widest_ticks(figure), widest, strict=True)):
                engine.execute(figure)
                _fit_ylabels(figure, renderer)
                arrange(layout, renderer)
            _declutter(figure)
            # "none" would leave a placeholder engine, and a save would then draw twice.
            figure.set_layout_engine(None)
            yield figure
        except (ArithmeticError, ValueError, MemoryError) as e:  # values matplotlib cannot lay out
            raise OutputError(
                f"matplotlib could not draw the plot: {type(e).__name__}: {e}; "
                "CSV and JSON outputs still work",
                source=data.source,
            ) from None


def _widest_ticks(figure: Figure) -> list[int]:
    """The length of the longest y tick label in view, of each axes (a proxy for its
    width: the digits of lrplot's font are all as wide)."""
    return [
        max((len(label) for _, label in _ticks_in_view(each, minor=False)), default=0)
        for each in figure.axes
    ]


def _ticks_in_view(axes: Axes, *, minor: bool) -> list[tuple[float, str]]:
    """The y ticks (major or minor) in view, with their labels as the axis writes them."""
    low, high = sorted(axes.get_ylim())
    axis = axes.yaxis
    locs = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
    formatter = axis.get_minor_formatter() if minor else axis.get_major_formatter()
    shown = [float(loc) for loc in locs if low <= loc <= high]
    return list(zip(shown, formatter.format_ticks(shown), strict=True))


_SHORT_LABELS = {"Learning Rate": "LR", "Beta1 (momentum)": "Beta1", "Momentum": "Mom."}


def _fit_ylabels(figure: Figure, renderer: RendererBase) -> None:
    """A y label taller than its axes (a small figure, or panels) is shortened, so that
    the labels of stacked axes do not run into each other."""
    for each in figure.axes:
        label = each.yaxis.label
        text = label.get_text()
        full = next((k for k, v in _SHORT_LABELS.items() if v == text), text)
        label.set_text(full)
        if full in _SHORT_LABELS:
            tall = label.get_window_extent(renderer).height
            if tall > each.get_window_extent(renderer).height:
                label.set_text(_SHORT_LABELS[full])


def _declutter(figure: Figure) -> None:
    """On a log axis whose tick labels would overlap (3x10^-5 over 4x10^-5, on a short
    axes), only the powers of ten are written."""
    from matplotlib.ticker import NullFormatter

    for each in figure.axes:
        if each.get_yscale() == "log" and _crowded(each):
            each.yaxis.set_minor_formatter(NullFormatter())


def _crowded(axes: Axes) -> bool:
    """Whether two of the y tick labels in view would overlap (log axes' labels, with
    their powers of ten, are about one and a half lines tall)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    placed = [
        float(axes.transData.transform((0, loc))[1])
        for minor in (False, True)
        for loc, label in _ticks_in_view(axes, minor=minor)
        if label
    ]
    size = FontProperties(size=matplotlib.rcParams["ytick.labelsize"]).get_size_in_points()
    tall = 1.5 * size * axes.get_figure(root=True).dpi / 72  # type: ignore[union-attr]
    return any(upper - lower < tall for lower, upper in itertools.pairwise(sorted(placed)))


def _figure(data: PlotData) -> tuple[Figure, Layout]:
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

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
            line.x, line.y, label=line.label, drawstyle="steps-post", linestyle=line.linestyle
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
    title, size = title_lines(data.title, options.size[0])
    axes.set_title(title, parse_math=False, fontsize=size)
    axes.set_ylabel("Learning Rate")
    axes.set_xlim(0, data.epochs)
    if options.yscale == "log":
        axes.set_yscale("log")
    else:
        axes.yaxis.set_major_formatter(FuncFormatter(_tick))
    handles = [*axes.get_lines()[: len(data.series) + len(data.overlays)]]
    for panel_axes, panel in zip(lower, data.panels, strict=True):
        for line in panel.series:
            if line.points:
                panel_axes.plot(line.x, line.y, label=line.label, marker="o", markersize=3,
                                linewidth=1.0)  # fmt: skip
                continue
            drawn_line, = panel_axes.plot(
                line.x, line.y, label=line.label, drawstyle="steps-post", linewidth=1.5,
                color=line.color,
            )  # fmt: skip
            if line.color is not None and len(data.series) > 1:
                handles.append(drawn_line)
        panel_axes.set_ylabel(panel.label, fontsize=8)
        panel_axes.tick_params(labelsize=8)
    if len(handles) > 1:
        _legend(figure, handles, data.legend_title)
    for upper in [axes, *lower][:-1]:  # panels share the x axis: labels on the lowest only
        upper.tick_params(labelbottom=False)
    bottom = lower[-1] if lower else axes
    bottom.set_xlabel(data.axis.capitalize())
    if data.axis == "step" and data.epochs >= COMPACT_FROM:
        bottom.xaxis.set_major_formatter(FuncFormatter(_compact))
    if data.steps_per_epoch > 1:
        per_epoch = data.steps_per_epoch

        def to_steps(epochs: Any) -> Any:
            return epochs * per_epoch

        def to_epochs(steps: Any) -> Any:
            return steps / per_epoch

        top = axes.secondary_xaxis("top", functions=(to_steps, to_epochs))
        top.set_xlabel("Step", fontsize=8)
        top.tick_params(labelsize=8)
        if data.epochs * per_epoch >= COMPACT_FROM:
            top.xaxis.set_major_formatter(FuncFormatter(_compact))
    mark_lines = [
        [each.axvline(mark, color="#8b949e", linestyle="--", linewidth=0.8, zorder=0)
         for each in (axes, *lower)]
        for mark, _ in data.marks
    ]  # fmt: skip
    colors = [to_hex(line.get_color()) for line in axes.get_lines()[: len(data.series)]]
    layout = Layout(
        axes=axes,
        lines=[(line.x, line.y) for line in (*data.series, *data.overlays)],
        marks=data.marks,
        mark_lines=mark_lines,
        points=_points_to_label(data.series) if data.label_points else [],
        colors=colors,
        log=options.yscale == "log",
        share=3.0 / (3.0 + len(data.panels)),
        mark_color=None if options.transparent else MARK_COLOR,
    )
    return figure, layout


COMPACT_FROM = 10_000
"""Step axes at least this long write their ticks as 500k, 1M, 1.5M."""


def _compact(value: float, _: object = None) -> str:
    """A tick of a long step axis: 0, 500k, 1M, 1.5M."""
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.0f}"


def _tick(value: float, _: object = None) -> str:
    """A tick of a linear lr axis, whole (0.0001, 2e-06), with no offset or factor
    written apart at the axis' end (where it collides with the step axis)."""
    return "0" if value == 0 else f"{value:.6g}"


def _legend(figure: Figure, handles: Sequence[Any], title: str | None) -> None:
    """The legend, under the axes: it covers no line and no label, at any size."""
    labels = [str(handle.get_label()) for handle in handles]
    entry = max(len(label) for label in labels) * 0.6 * 8 + 36  # points, with its line
    room = figure.get_figwidth() * 72 - 24
    legend = figure.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=max(1, min(len(labels), int(room // entry))),
        title=title,
        fontsize=8,
        title_fontsize=8,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)


def _darker(color: Any) -> tuple[float, float, float]:
    """A line's colour at half its brightness: dashes over the line stay visible."""
    from matplotlib.colors import to_rgb

    red, green, blue = to_rgb(color)
    return (red * 0.5, green * 0.5, blue * 0.5)


def _points_to_label(lines: Sequence[Series]) -> list[PointLabel]:
    """The start, peak (when it is not an end) and final lr of each line, the line on
    top first; of lines at the same value there, only the last drawn (on top)."""
    labels = []
    for place in ("start", "final", "peak"):
        seen: dict[float, PointLabel] = {}
        for number, line in enumerate(lines):
            values = line.y
            last = len(values) - 2  # the closing copy of the last value is not a point
            if last < 0 or line.points:
                continue
            index = {"start": 0, "final": last}.get(place)
            if index is None:
                index = max(range(last + 1), key=values.__getitem__)
                if not (0 < index < last and values[index] > max(values[0], values[last])):
                    continue
            value = values[index]
            at = line.x[index + 1] if place == "final" else line.x[index]
            seen[value] = PointLabel(place, f"{place} {_number(value)}", at, value, number)
        labels += sorted(seen.values(), key=lambda label: -label.y)
    return labels


def _number(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else str(value)


def plot(*, schedule: Schedule, format: str = "png") -> bytes:
    """The schedule as a PNG, SVG or PDF image (see the module docstring)."""
    return draw(plot_data(schedule), [format])[format]


def warm_up() -> None:
    """Import matplotlib and draw a small figure, so the next draw pays no start-up."""
    line = Series("", array("d", [0.0, 1.0]), array("d", [1.0, 1.0]))
    draw(PlotData(title="", epochs=1, series=(line,)), ["png"])
