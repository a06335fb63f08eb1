"""Every gallery plot, at three sizes and on both axes, measured as drawn: no text
overlaps another, no label crosses a line not its own, titles take two lines at most,
and every group's regime changes are marked."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import pytest

from lrplot import simulate
from lrplot.config.options import PlotOptions
from lrplot.draw.plotting import PlotData, drawing, plot_data
from lrplot.limits import MAX_MARKS
from lrplot.pipeline import Config, Settings, load
from lrplot.simulation.runner import Schedule
from tests.conftest import CONFIG_FILES, CONFIGS_DIR, TOOL_FILES

SIZES = [(4.0, 3.0), (8.0, 4.5), (12.0, 4.0)]
PLATEAUS = [  # the configs a plateau scheduler reduces, its own or transformers'
    path
    for path in CONFIG_FILES
    if any(word in path.read_text() for word in ("ReduceLROnPlateau", "plateau_schedule"))
]
Box = tuple[float, float, float, float]


def schedule_of(config: Path) -> Schedule:
    """The config's schedule as the gallery loads it (an lrplot config, or another tool's file)."""
    return simulate(spec=load(config=Config(path=config), settings=Settings(allow_import=True)))


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
    import numpy as np

    points = line.get_transform().transform(line.get_xydata())
    if len(points) == 0:
        return False
    if line.get_drawstyle() == "steps-post":  # p0, (x1, y0), p1, (x2, y1), ..., pn, pn
        held = np.column_stack([points[1:, 0], points[:-1, 1]])
        points = np.stack([points, np.vstack([held, points[-1:]])], axis=1).reshape(-1, 2)
    if line.get_linestyle() in ("None", "none", ""):  # markers: each point a segment
        points = np.repeat(points, 2, axis=0)
    start, end = points[:-1], points[1:]
    finite = np.isfinite(start).all(axis=1) & np.isfinite(end).all(axis=1)
    return _segments_meet(start[finite], end[finite], box)


def _segments_meet(start, end, box: Box) -> bool:
    """Liang-Barsky, for every segment at once: whether one enters the box (shrunk by
    half a pixel)."""
    import numpy as np

    left, bottom, right, top = box[0] + 0.5, box[1] + 0.5, box[2] - 0.5, box[3] - 0.5
    (x0, y0), (x1, y1) = start.T, end.T
    dx, dy = x1 - x0, y1 - y0
    p = np.stack([-dx, dx, -dy, dy])
    q = np.stack([x0 - left, right - x0, y0 - bottom, top - y0])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = q / p
    parallel_outside = ((p == 0) & (q < 0)).any(axis=0)
    t0 = np.maximum(0.0, np.where(p < 0, t, -np.inf).max(axis=0))
    t1 = np.minimum(1.0, np.where(p > 0, t, np.inf).min(axis=0))
    return bool((~parallel_outside & (t0 <= t1)).any())


def variants(data: PlotData) -> list[PlotData]:
    return [
        replace(data, options=PlotOptions(size=size, yscale=scale))
        for size in SIZES
        for scale in ("linear", "log")
    ]


LABELS = ("point-label", "mark-label")


@dataclass(frozen=True)
class Drawn:
    """One variant of a config's plot, measured as drawn."""

    where: str
    size: tuple[float, float]
    texts: list[tuple[str, str, Box]]
    crossed: list[tuple[str, list[bool]]]  # each label's text, and whether each line crosses it
    title: str


def measure(config: Path) -> list[Drawn] | str:
    """Every variant of ``config``'s plot measured (in a worker process); or the
    traceback of what failed, for its test to show."""
    try:
        drawn = []
        for data in variants(plot_data(schedule_of(config))):
            with drawing(data) as figure:
                found = texts_of(figure)
                axes = figure.axes[0]
                lines = axes.get_lines()
                crossed = [
                    (text, [crossing(line, box) for line in lines])
                    for gid, text, box in found
                    if gid in LABELS
                ]
                where = f"{config.name} at {data.options.size} {data.options.yscale}"
                drawn.append(Drawn(where, data.options.size, found, crossed, axes.get_title()))
        return drawn
    except Exception:
        return traceback.format_exc()


@pytest.fixture(scope="module")
def measured(request: pytest.FixtureRequest) -> dict[Path, list[Drawn] | str]:
    """The plots of the configs this session tests, drawn and measured on two cores
    at once (forked workers, which inherit matplotlib warmed up)."""
    from lrplot.gallery.workers import in_order

    wanted = [
        cast(Path, item.callspec.params["config"])
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname == TEST_LABELS
    ]
    return {
        config: "its worker process died" if drawn is None else drawn
        for config, drawn in in_order(measure, wanted, workers=2)
    }


TEST_LABELS = "test_no_text_overlaps_text_or_crosses_a_line_not_its_own"


@pytest.mark.parametrize(
    "config", [*CONFIG_FILES, *TOOL_FILES], ids=lambda p: str(p.relative_to(CONFIGS_DIR))
)
def test_no_text_overlaps_text_or_crosses_a_line_not_its_own(
    config: Path, measured: dict[Path, list[Drawn] | str]
) -> None:
    drawn = measured[config]
    if isinstance(drawn, str):
        pytest.fail(f"{config.name} could not be measured:\n{drawn}")
    assert len(drawn) == len(SIZES) * 2
    for each in drawn:
        where, found = each.where, each.texts
        for index, (_, text, box) in enumerate(found):
            for _, other, other_box in found[index + 1 :]:
                assert not overlap(box, other_box), f"{where}: {text!r} overlaps {other!r}"
        for text, lines in each.crossed:
            for crossed in lines:
                assert not crossed, f"{where}: a line crosses {text!r}"
        if each.size == (8.0, 4.5):
            assert each.title.count("\n") <= 1, f"{where}: the title takes 3 lines or more"


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
