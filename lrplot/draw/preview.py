"""A schedule drawn in the terminal with Unicode Braille dots (``lrplot preview``).

Each character cell holds 2 x 4 dots, so a 70-column preview has 140 columns of
resolution. Every dot column covers a range of steps and draws from the lowest to the
highest lr in it (joined to the previous column), so drops and spikes always show.
"""

from __future__ import annotations

import math
import textwrap
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING

from lrplot.errors import OutputError
from lrplot.limits import MAX_PLOTTED

if TYPE_CHECKING:
    from lrplot.simulation.runner import Schedule

_BRAILLE = 0x2800
_DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))  # [column][row]
_COLOURS = ("blue", "yellow", "green", "magenta", "cyan", "red")

Paint = Callable[[str, str], str]
"""Colours a text (``click.style``-like, given a colour name); identity for plain text."""


def preview(
    *,
    schedule: Schedule,
    width: int = 80,
    height: int = 12,
    log_y: bool = False,
    paint: Paint | None = None,
) -> str:
    """The schedule as lines of text at most ``width`` columns wide, ``height`` rows of plot."""
    from lrplot.draw.plotting import wrap_title

    spec = schedule.spec
    columns = list(schedule.lr)
    largest = max((abs(v) for column in columns for v in (min(column), max(column))), default=0)
    if largest > MAX_PLOTTED:
        raise OutputError(
            f"the lr reaches {largest:.3g}, too large to draw; CSV and JSON outputs hold "
            "such values",
            source=spec.source,
        )
    low, high = _range(columns, log_y)
    labels = [_number(_unscale(high, log_y)), _number(_unscale(low, log_y))]
    pad = max(map(len, labels))
    plot_width = max(width - pad - 2, 10)
    canvases = [_draw(c, plot_width, height, low, high, log_y) for c in columns]
    paint = paint or (lambda text, _colour: text)

    title = wrap_title(spec.display_title, width=width).splitlines()
    lines = [*title, ""]
    for row in range(height):
        label = labels[0] if row == 0 else labels[1] if row == height - 1 else ""
        axis = "┤" if label else "│"
        cells = "".join(_cell(canvases, row, col, paint) for col in range(plot_width))
        lines.append(f"{label:>{pad}} {axis}{cells}".rstrip())
    lines += _x_axis(spec.span, plot_width, pad)
    scale = ""
    if log_y:
        hidden = min(min(c) for c in columns) <= 0
        scale = " (log scale; 0 and below drawn at the bottom)" if hidden else " (log scale)"
    lines.append(" " * (pad + 2) + f"epochs; lr{scale}")
    if len(columns) > 1:
        names = [
            f"{paint('⣿', _COLOURS[i % len(_COLOURS)])} {name}"
            for i, name in enumerate(schedule.group_names)
        ]
        lines.append(" " * (pad + 2) + "  ".join(names))
    lines += textwrap.wrap(schedule.summary(), width=max(width, 20))
    return "\n".join(lines) + "\n"


def _range(columns: list[array[float]], log_y: bool) -> tuple[float, float]:
    if log_y:
        positive = [min((v for v in c if v > 0), default=math.inf) for c in columns]
        values = [math.log10(v) for v in (*positive, *map(max, columns)) if 0 < v < math.inf]
    else:
        values = [v for column in columns for v in (min(column), max(column))]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-12 * max(abs(high), 1e-300):
        spread = 1.0 if log_y else abs(high) * 0.1 or 1.0  # a decade, or a tenth
        low, high = low - spread, high + spread
    return low, high


def _scale(value: float, log_y: bool) -> float:
    """A value on the plot's scale; zero and below sit at the bottom of a log scale."""
    if not log_y:
        return value
    return math.log10(value) if value > 0 else -math.inf


def _unscale(value: float, log_y: bool) -> float:
    if not log_y:
        return value
    try:
        return float(10.0**value)
    except OverflowError:
        return math.inf


def _draw(
    column: array[float], width: int, height: int, low: float, high: float, log_y: bool
) -> list[list[int]]:
    """The Braille bits of one line, ``height`` x ``width`` cells."""
    cells = [[0] * width for _ in range(height)]
    rows, dots = height * 4, width * 2
    steps = len(column)

    def row_of(value: float) -> int:
        scaled = max(_scale(value, log_y), low)
        return min(rows - 1, max(0, round((high - scaled) / (high - low) * (rows - 1))))

    previous: float | None = None
    for dot in range(dots):
        start = dot * steps // dots
        stop = max(start + 1, (dot + 1) * steps // dots)
        chunk = column[start:stop]
        values = [min(chunk), max(chunk)] + ([previous] if previous is not None else [])
        top, bottom = row_of(max(values)), row_of(min(values))
        for row in range(min(top, bottom), max(top, bottom) + 1):
            cells[row // 4][dot // 2] |= _DOT_BITS[dot % 2][row % 4]
        previous = chunk[-1]
    return cells


def _cell(canvases: list[list[list[int]]], row: int, col: int, paint: Paint) -> str:
    bits = 0
    owner = None
    for index, canvas in enumerate(canvases):
        if canvas[row][col]:
            bits |= canvas[row][col]
            owner = index if owner is None else owner
    if not bits:
        return " "
    text = chr(_BRAILLE + bits)
    return (
        paint(text, _COLOURS[owner % len(_COLOURS)])
        if len(canvases) > 1 and owner is not None
        else text
    )


def _x_axis(epochs: float, width: int, pad: int) -> list[str]:
    ticks = [round(i * (width - 1) / 4) for i in range(5)]
    axis = "".join("┬" if c in ticks else "─" for c in range(width))
    labels = [" "] * width
    for i, column in enumerate(ticks):
        text = _number(epochs * i / 4)
        start = min(max(column - len(text) // 2, 0), width - len(text))  # inside the plot
        labels[start : start + len(text)] = text
    return [" " * pad + " └" + axis, " " * (pad + 2) + "".join(labels).rstrip()]


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"
