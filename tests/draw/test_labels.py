"""Every gallery plot, at three sizes and on both axes, measured as drawn: no text
overlaps another, no label crosses a line not its own, titles take two lines at most,
and every group's regime changes are marked."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from pathlib import Path

import pytest

from lrplot import load_spec, simulate
from lrplot.config.options import PlotOptions
from lrplot.draw.plotting import PlotData, drawing, plot_data
from lrplot.limits import MAX_MARKS
from lrplot.simulation.runner import Schedule
from tests.conftest import CONFIG_FILES, CONFIGS_DIR

SIZES = [(4.0, 3.0), (8.0, 4.5), (12.0, 4.0)]
PLATEAUS = [  # the configs a plateau scheduler reduces, its own or transformers'
    path
    for path in CONFIG_FILES
    if any(word in path.read_text() for word in ("ReduceLROnPlateau", "plateau_schedule"))
]
Box = tuple[float, float, float, float]


def schedule_of(config: Path) -> Schedule:
    return simulate(spec=load_spec(path=config, allow_import=True))


def texts_of(figure) -> list[tuple[str, str, Box]]:
    """(gid, text, box) of every text drawn, in display pixels: titles, axis labels,
    the tick labels of ticks in view, annotations, legends."""
    figure.draw_without_rendering()  # what a save does: labels move beside their ticks
    renderer = figure.canvas.get_renderer()
    every = []
    axes = [*figure.axes, *(child for each in figure.axes for child in each.child_axes)]
    for each in axes:
        every += [each.title, each._left_title, each._right_title, *each.texts]
        for axis in (each.xaxis, each.yaxis):
            every += [axis.label, axis.offsetText]
            for tick in axis._update_ticks():  # the ticks in view, as drawn
                every += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    found = []
    for legend in figure.legends:  # as a whole (its texts are laid out in it)
        extent = legend.get_window_extent(renderer)
        found.append(("legend", "the legend", (extent.x0, extent.y0, extent.x1, extent.y1)))
    for text in dict.fromkeys(every):
        if not text.get_visible() or not text.get_text().strip():
            continue
        extent = text.get_window_extent(renderer)
        if extent.width > 0 and extent.height > 0:
            box = (extent.x0, extent.y0, extent.x1, extent.y1)
            found.append((text.get_gid() or "", text.get_text(), box))
    return found


def overlap(a: Box, b: Box, slack: float = 0.5) -> bool:
    return (
        a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]
    )


def crossing(line, box: Box) -> bool:
    """Whether a drawn line (steps and breaks as drawn, in pixels) enters the box."""
    points = line.get_transform().transform(line.get_xydata())
    if line.get_drawstyle() == "steps-post":
        held = [(x1, y0) for (_, y0), (x1, _) in itertools.pairwise(points)]
        points = [p for pair in zip(points, [*held, points[-1]], strict=False) for p in pair]
    if line.get_linestyle() in ("None", "none", ""):
        points = [p for point in points for p in (point, point)]
    segments = itertools.pairwise(points)
    return any(
        _segment_meets(x0, y0, x1, y1, box)
        for (x0, y0), (x1, y1) in segments
        if all(map(math.isfinite, (x0, y0, x1, y1)))
    )


def _segment_meets(x0: float, y0: float, x1: float, y1: float, box: Box) -> bool:
    """Liang-Barsky: whether the segment enters the box (shrunk by half a pixel)."""
    left, bottom, right, top = box[0] + 0.5, box[1] + 0.5, box[2] - 0.5, box[3] - 0.5
    t0, t1 = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - bottom), (dy, top - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def variants(data: PlotData) -> list[PlotData]:
    return [
        replace(data, options=PlotOptions(size=size, yscale=scale))
        for size in SIZES
        for scale in ("linear", "log")
    ]


@pytest.mark.parametrize("config", CONFIG_FILES, ids=lambda p: str(p.relative_to(CONFIGS_DIR)))
def test_no_text_overlaps_text_or_crosses_a_line_not_its_own(config: Path) -> None:
    schedule = schedule_of(config)
    for data in variants(plot_data(schedule)):
        where = f"{config.name} at {data.options.size} {data.options.yscale}"
        with drawing(data) as figure:
            found = texts_of(figure)
            axes = figure.axes[0]
            for index, (_, text, box) in enumerate(found):
                for _, other, other_box in found[index + 1 :]:
                    assert not overlap(box, other_box), f"{where}: {text!r} overlaps {other!r}"
            for gid, text, box in found:
                if gid not in ("point-label", "mark-label"):
                    continue
                for line in axes.get_lines():
                    assert not crossing(line, box), f"{where}: a line crosses {text!r}"
            title = axes.get_title()
            if data.options.size == (8.0, 4.5):
                assert title.count("\n") <= 1, f"{where}: the title takes 3 lines or more"


@pytest.mark.parametrize("config", PLATEAUS, ids=lambda p: str(p.relative_to(CONFIGS_DIR)))
def test_every_groups_reductions_are_marked(config: Path) -> None:
    schedule = schedule_of(config)
    assert any(s.facts.marks == "reductions" for s in schedule.spec.schedulers)
    marks = [x for x, _ in plot_data(schedule).marks]
    per_epoch, epochs = schedule.spec.steps_per_epoch, schedule.spec.epochs
    for column in schedule.lr:
        for step in range(1, len(column)):
            if column[step] < column[step - 1]:
                at = step / per_epoch
                assert any(abs(x - at) < epochs / MAX_MARKS for x in marks), (config, at)
