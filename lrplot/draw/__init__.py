"""Drawing a schedule: the figure, its labels, the painter process, the terminal preview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "Painter",
    "PlotData",
    "draw",
    "plot_data",
]

__getattr__ = lazy_names(
    __name__,
    {
        "PlotData": "lrplot.draw.plotting",
        "draw": "lrplot.draw.plotting",
        "plot_data": "lrplot.draw.plotting",
        "Painter": "lrplot.draw.painter",
    },
)

if TYPE_CHECKING:
    from lrplot.draw.painter import Painter
    from lrplot.draw.plotting import PlotData, draw, plot_data
