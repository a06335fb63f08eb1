"""Drawing a schedule with matplotlib (object API, no pyplot), byte-for-byte reproducible."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from lrplot.simulation import Schedule

FIGURE_SIZE = (8.0, 4.5)
"""Inches; at the default 100 dpi a PNG is 800 x 450 pixels."""
DPI = 100

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


TITLE_WIDTH = 75
"""Characters per title line that fit the default figure width."""


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """Wrap a long title, breaking first between scheduler and optimizer (at " · ")."""
    if len(title) <= width:
        return title
    parts = title.split(" · ")
    return "\n".join(line for part in parts for line in textwrap.wrap(part, width=width))


def plot(*, schedule: Schedule, format: str = "png") -> bytes:
    """The schedule as a PNG, SVG or PDF image: lr against epoch, one line per param group."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, STYLE)):
        figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
        axes = figure.add_subplot()
        # Value i holds from step i until step i + 1: drawn as steps, ending at the last epoch.
        x = schedule.epoch_axis()
        x.append(float(schedule.spec.epochs))
        names = schedule.group_names
        for name, lr in zip(names, schedule.lr, strict=True):
            label = f"group {name}" if name.isdigit() else name
            axes.plot(x, [*lr, lr[-1]], label=label, drawstyle="steps-post")
        axes.set_title(wrap_title(schedule.spec.display_title))
        axes.set_xlabel("Epoch")
        axes.set_ylabel("Learning Rate")
        axes.set_xlim(0, schedule.spec.epochs)
        if len(names) > 1:
            axes.legend(title="param group")
        buffer = io.BytesIO()
        figure.savefig(buffer, format=format, metadata=_METADATA[format])
    return buffer.getvalue()
