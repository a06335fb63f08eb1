"""Drawing a schedule with matplotlib (object API, no pyplot), byte-for-byte reproducible.

:func:`plot_data` gathers what a figure shows (cheap, no matplotlib); :func:`draw` turns
it into image bytes, in this process or in a :class:`lrplot.painter.Painter`.
"""

from __future__ import annotations

import io
import textwrap
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrplot.simulation import Schedule

FIGURE_SIZE = (8.0, 4.5)
"""Inches; at the default 100 dpi a PNG is 800 x 450 pixels."""
DPI = 100
TITLE_WIDTH = 75
"""Characters per title line that fit the default figure width."""

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

_METADATA: dict[str, dict[str, Any]] = {
    # No dates and no version strings in files: identical bytes for identical plots.
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


@dataclass(frozen=True)
class PlotData:
    """Everything a figure shows, as plain data (it travels to a painter process)."""

    title: str
    epochs: int
    x: array[float]  # one more than the values: the last value holds until the end
    series: tuple[tuple[str, array[float]], ...]  # (legend label, lr values)


def plot_data(schedule: Schedule) -> PlotData:
    """The figure's content for a schedule."""
    x = schedule.epoch_axis()
    x.append(float(schedule.spec.epochs))
    series = []
    for name, lr in zip(schedule.group_names, schedule.lr, strict=True):
        values = array("d", lr)
        values.append(lr[-1])
        series.append((f"group {name}" if name.isdigit() else name, values))
    return PlotData(
        title=wrap_title(schedule.spec.display_title),
        epochs=schedule.spec.epochs,
        x=x,
        series=tuple(series),
    )


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """Wrap a long title, breaking first between scheduler and optimizer (at " · ")."""
    if len(title) <= width:
        return title
    parts = title.split(" · ")
    return "\n".join(line for part in parts for line in textwrap.wrap(part, width=width))


def draw(data: PlotData, formats: Sequence[str]) -> dict[str, bytes]:
    """The figure in each of ``formats`` (png, svg, pdf).

    Each format gets a figure of its own: saving one figure twice lays it out twice, and
    the second file's coordinates would then depend on which format came first.
    """
    import matplotlib

    images = {}
    with matplotlib.rc_context(cast(Any, STYLE)):
        for fmt in formats:
            buffer = io.BytesIO()
            _figure(data).savefig(buffer, format=fmt, metadata=_METADATA[fmt])
            images[fmt] = buffer.getvalue()
    return images


def _figure(data: PlotData) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    # Value i holds from step i until step i + 1: drawn as steps.
    for label, values in data.series:
        axes.plot(data.x, values, label=label, drawstyle="steps-post")
    axes.set_title(data.title)
    axes.set_xlabel("Epoch")
    axes.set_ylabel("Learning Rate")
    axes.set_xlim(0, data.epochs)
    if len(data.series) > 1:
        axes.legend(title="param group")
    return figure


def plot(*, schedule: Schedule, format: str = "png") -> bytes:
    """The schedule as a PNG, SVG or PDF image: lr against epoch, one line per param group."""
    return draw(plot_data(schedule), [format])[format]


def warm_up() -> None:
    """Import matplotlib and draw a small figure, so the next draw pays no start-up."""
    data = PlotData("", 1, array("d", [0.0, 1.0]), (("", array("d", [1.0, 1.0])),))
    draw(data, ["png"])
