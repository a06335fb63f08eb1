"""Placing a laid-out figure's labels where they overlap no other text and cross no line.

Works in display pixels, on a figure whose layout has run: the y axis is given room for
the labels (a lane on top for the regime marks' labels, a label's height below and
above the lines for the start, peak and final lr), then each label takes the first
place that is free. A label with no free place is left out: a plot stays readable
at any size, and what it leaves out is in the CSV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.lines import Line2D
    from matplotlib.text import Annotation

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 in display pixels."""
Place = Literal["start", "peak", "final"]

LABEL_SIZE = 8.0
"""Points: the size of point labels and regime labels."""
_GAP = 4.0  # pixels between a point and its label, and around a lane's label
MARK_COLOR = "#57606a"


@dataclass(frozen=True)
class PointLabel:
    """A point to label: ``text`` at ``(x, y)`` in data, of line ``line``."""

    place: Place
    text: str
    x: float
    y: float
    line: int


@dataclass
class Layout:
    """What a figure's labels are placed among: the lr axes, its lines (with their data,
    drawn as steps), the x of each regime mark, and the labels to place."""

    axes: Axes
    lines: Sequence[tuple[Sequence[float], Sequence[float]]]
    marks: Sequence[tuple[float, str]]
    mark_lines: Sequence[Sequence[Line2D]]
    points: Sequence[PointLabel]
    colors: Sequence[str | None]
    log: bool
    share: float = 1.0
    """The part of the figure's height the lr axes gets (the rest is panels)."""
    mark_color: str | None = MARK_COLOR
    placed: list[Annotation] | None = None


def arrange(layout: Layout, renderer: RendererBase | None) -> list[Box]:
    """Give the lr axes room for the labels, then place them (again, if they were
    placed before the layout last ran). Return the boxes of the labels placed.

    Without a ``renderer`` (before the layout runs), only give the room, guessing the
    axes' height, so that the layout sees about the y ticks it will end with."""
    axes = layout.axes
    for artist in layout.placed or []:
        artist.remove()
    layout.placed = []
    figure = axes.get_figure(root=True)
    assert figure is not None
    dpi = figure.dpi
    if renderer is None:
        lane, room = _room(layout, LABEL_SIZE * 1.4 * dpi / 72)
        guess = figure.bbox.height * layout.share * 0.7
        _set_ylim(layout, top=lane + room, bottom=room, pixels=guess)
        return []
    lane, room = _room(layout, _text_size("Ag", axes, renderer)[1])
    frame = axes.get_window_extent(renderer)
    _set_ylim(layout, top=lane + room, bottom=room, pixels=frame.height)
    edges = (frame.x0, frame.y0, frame.x1, frame.y1)
    lane_bottom = frame.y1 - lane
    fraction = (lane_bottom - frame.y0) / max(frame.height, 1.0)
    pixels = [_to_pixels(axes, x, y) for x, y in layout.lines]
    mark_x = [float(axes.transData.transform((x, 1.0))[0]) for x, _ in layout.marks]
    boxes: list[Box] = []
    for (x, label), at in zip(layout.marks, mark_x, strict=True):
        if not label:
            continue
        width, high = _text_size(label, axes, renderer)
        y1 = frame.y1 - _GAP
        for box in (
            (at + 3, y1 - high, at + 3 + width, y1),
            (at - 3 - width, y1 - high, at - 3, y1),
        ):
            if _inside(box, edges) and not any(_overlap(box, other) for other in boxes):
                boxes.append(box)
                _annotate(layout, label, (x, 1.0), box, at, frame.y1, dpi, lane=True)
                break
    band = (frame.x0 + 1, frame.y0 + 1, frame.x1 - 1, lane_bottom - 1)
    cuts: list[list[tuple[float, float]]] = [[] for _ in layout.marks]
    for point in layout.points:
        if not (math.isfinite(point.y) and (point.y > 0 or not layout.log)):
            continue
        width, high = _text_size(point.text, axes, renderer)
        px, py = (float(v) for v in axes.transData.transform((point.x, point.y)))
        free = [
            box
            for box in _candidates(point.place, px, py, width, high)
            if _inside(box, band)
            and not any(_overlap(box, other) for other in boxes)
            and not any(_crosses(line, _grown(box, _GAP / 2)) for line in pixels)
        ]
        # Best a place no regime mark runs through; else the marks' dashes make way.
        chosen = next((b for b in free if not _marks_in(b, mark_x)), free[0] if free else None)
        if chosen is None:
            continue
        for index in _marks_in(chosen, mark_x):
            cuts[index].append((chosen[1] - 2, chosen[3] + 2))
        boxes.append(chosen)
        color = layout.colors[point.line] if len(layout.colors) > 1 else None
        _annotate(layout, point.text, (point.x, point.y), chosen, px, py, dpi, color=color)
    for (x, _), lines, gaps in zip(layout.marks, layout.mark_lines, cuts, strict=True):
        if lines:
            ys = _dashes_between(gaps, frame.y0, frame.height, fraction)
            lines[0].set_data([x] * len(ys), ys)
    return boxes


def _room(layout: Layout, height: float) -> tuple[float, float]:
    """The pixels a label ``height`` tall needs: the lane on top (when a mark is
    named), and the room above and below the lines."""
    lane = height + 2 * _GAP if any(label for _, label in layout.marks) else 0.0
    return lane, height + _GAP + 2


def _marks_in(box: Box, mark_x: Sequence[float]) -> list[int]:
    return [index for index, x in enumerate(mark_x) if box[0] - 1 <= x <= box[2] + 1]


def _dashes_between(
    gaps: Sequence[tuple[float, float]], bottom: float, height: float, top: float
) -> list[float]:
    """A mark's y in axes fractions, from 0 to ``top``, broken (NaN) at each gap (in
    pixels) a label takes."""
    ys = [0.0]
    for low, high in sorted(gaps):
        ys += [(low - bottom) / height, math.nan, (high - bottom) / height]
    return [*ys, top]


def _candidates(place: Place, px: float, py: float, width: float, high: float) -> list[Box]:
    """Where a point's label may go, best first: beside-above, beside-below, then a
    label's height further out each way."""
    lefts = {
        "start": [px + 3],
        "final": [px - 3 - width],
        "peak": [px - width / 2, px + 3, px - 3 - width],
    }[place]
    boxes = []
    for step in (0.0, high + 2):
        for left in lefts:
            boxes.append((left, py + _GAP + step, left + width, py + _GAP + step + high))
            boxes.append((left, py - _GAP - step - high, left + width, py - _GAP - step))
    return boxes


def _annotate(
    layout: Layout,
    text: str,
    xy: tuple[float, float],
    box: Box,
    px: float,
    py: float,
    dpi: float,
    *,
    lane: bool = False,
    color: str | None = None,
) -> None:
    """Draw ``text`` with its box's lower left corner where it was placed, as an offset
    from ``xy`` (so that the label moves with its point)."""
    points = 72.0 / dpi
    annotation = layout.axes.annotate(
        text,
        xy,
        xycoords=("data", "axes fraction") if lane else "data",
        xytext=((box[0] - px) * points, (box[1] - py) * points),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=LABEL_SIZE,
        color=(layout.mark_color if lane else color),
        parse_math=False,
        annotation_clip=False,
    )
    annotation.set_in_layout(False)
    annotation.set_gid("mark-label" if lane else "point-label")
    assert layout.placed is not None
    layout.placed.append(annotation)


def _text_size(text: str, axes: Axes, renderer: RendererBase) -> tuple[float, float]:
    """Width and height in pixels of ``text`` in a label's font, as a label's box."""
    from matplotlib.text import Text

    measured = Text(0, 0, text, fontsize=LABEL_SIZE, parse_math=False)
    figure = axes.get_figure(root=True)
    assert figure is not None
    measured.set_figure(figure)
    extent = measured.get_window_extent(renderer)
    return float(extent.width), float(extent.height)


def _set_ylim(layout: Layout, *, top: float, bottom: float, pixels: float) -> None:
    """Set the y axis so that the lines' values leave ``top`` and ``bottom`` pixels free."""
    axes = layout.axes
    values = [
        v for _, ys in layout.lines for v in ys if math.isfinite(v) and (v > 0 or not layout.log)
    ]
    if not values:
        return
    scale = math.log10 if layout.log else float
    low, high = scale(min(values)), scale(max(values))
    if high - low < 1e-12 * max(abs(high), 1e-300) or high == low:
        spread = 0.5 if layout.log else (abs(high) * 0.1 or 1.0)
        low, high = low - spread, high + spread
    usable = max(pixels - top - bottom, pixels * 0.3, 1.0)
    per_pixel = (high - low) / usable
    lower, upper = low - bottom * per_pixel, high + top * per_pixel
    if layout.log:
        axes.set_ylim(10.0**lower, 10.0**upper)
    else:
        axes.set_ylim(lower, upper)


def _to_pixels(
    axes: Axes, xs: Sequence[float], ys: Sequence[float]
) -> tuple[list[float], list[float]]:
    import numpy as np

    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    keep = np.isfinite(y) & ((y > 0) if axes.get_yscale() == "log" else True)
    points = axes.transData.transform(np.column_stack([x[keep], y[keep]]))
    return list(points[:, 0]), list(points[:, 1])


def _crosses(line: tuple[list[float], list[float]], box: Box) -> bool:
    """Whether a line drawn as steps (each value held until the next x) enters ``box``."""
    import bisect

    xs, ys = line
    if not xs:
        return False
    first = max(bisect.bisect_right(xs, box[0]) - 1, 0)
    end = bisect.bisect_right(xs, box[2])
    seen = ys[first : max(end, first + 1)]
    return bool(seen) and min(seen) <= box[3] and max(seen) >= box[1] and xs[0] <= box[2]


def _inside(box: Box, area: Box) -> bool:
    return box[0] >= area[0] and box[2] <= area[2] and box[1] >= area[1] and box[3] <= area[3]


def _grown(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
