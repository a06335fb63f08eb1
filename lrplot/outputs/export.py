"""Turning a simulated schedule into output files: CSV, JSON and plots, written atomically.

CSV columns, in order:

- ``epoch``: the epoch of the step (0-based; repeats when ``steps_per_epoch > 1``);
- ``step``: the global scheduler step (0-based), only when ``steps_per_epoch > 1``;
- ``lr``: the learning rate before that step; with several param groups, one column per
  group named ``lr_<group name>`` (names default to the group's index: ``lr_0, lr_1``);
- ``momentum`` (``momentum_<group name>``): when the scheduler cycles momentum (CyclicLR,
  OneCycleLR); for Adam-like optimizers this is ``betas[0]``;
- ``metric``: for ReduceLROnPlateau, the value fed to its ``step()`` after that batch;
  empty (JSON ``null``) after a batch it is not fed after (``interval: epoch``);
- ``lr_resumed`` (``lr_resumed_<group name>``): with ``resume_at``, the learning rate of
  the run resumed there (before it, the same as ``lr``).

Floats are written with ``repr``, the shortest text that reads back to the same float.
"""

from __future__ import annotations

import io
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lrplot.errors import OutputError
from lrplot.outputs.files import Fill, bytes_writer, text_writer, write_files

if TYPE_CHECKING:
    from lrplot.config.options import PlotOptions
    from lrplot.draw.painter import Painter
    from lrplot.simulation.runner import Schedule

Format = Literal["png", "svg", "pdf", "csv", "json"]
"""An output format, named by its file extension."""
IMAGE_FORMATS: tuple[Format, ...] = ("png", "svg", "pdf")
DATA_FORMATS: tuple[Format, ...] = ("csv", "json")
FORMATS: tuple[Format, ...] = (*IMAGE_FORMATS, *DATA_FORMATS)
"""Every output format."""

CHUNK_ROWS = 65536
"""Rows formatted at a time when CSV and JSON are streamed."""


def format_of(path: str | Path) -> Format | None:
    """The output format a file name's extension names, or None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return next((fmt for fmt in FORMATS if fmt == suffix), None)


def columns(schedule: Schedule) -> list[tuple[str, Iterable[object]]]:
    """The CSV/JSON columns of a schedule: ``(name, values)`` in order."""
    spec = schedule.spec
    per_epoch = spec.steps_per_epoch
    cols: list[tuple[str, Iterable[object]]] = []
    if per_epoch == 1:
        cols.append(("epoch", range(spec.steps)))
    else:
        epochs = (step // per_epoch for step in range(spec.steps))
        cols.append(("epoch", epochs))
        cols.append(("step", range(spec.steps)))
    names = schedule.group_names
    single = len(names) == 1
    for name, values in zip(names, schedule.lr, strict=True):
        cols.append(("lr" if single else f"lr_{name}", values))
    for name, values in zip(names, schedule.momentum, strict=False):
        cols.append(("momentum" if single else f"momentum_{name}", values))
    if schedule.metric is not None:
        cols.append(("metric", schedule.metric))
    for name, values in zip(names, schedule.resumed, strict=False):
        cols.append(("lr_resumed" if single else f"lr_resumed_{name}", values))
    return cols


def iter_csv(schedule: Schedule) -> Iterator[str]:
    """The CSV text in chunks (header first), so a million rows stream to disk."""
    cols = columns(schedule)
    yield ",".join(name for name, _ in cols) + "\n"
    texts = [map(_CSV_TEXT.get(name, repr), values) for name, values in cols]
    rows = map(",".join, zip(*texts, strict=True))
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        yield "\n".join(chunk) + "\n"


def _csv_metric(value: object) -> str:
    """A metric as CSV: ``repr`` (exact); empty for NaN, where none was fed."""
    return "" if value != value else repr(value)


_CSV_TEXT: dict[str, Callable[[object], str]] = {"epoch": str, "step": str, "metric": _csv_metric}
"""How a column's values are written, if not with ``repr`` (the shortest exact text)."""


def to_csv(schedule: Schedule) -> str:
    """The whole CSV as one string."""
    return "".join(iter_csv(schedule))


def iter_json(schedule: Schedule) -> Iterator[str]:
    """A JSON document in chunks: the schedule's description, then its columns as lists.

    Written piecewise, like the CSV, so a long schedule never exists as Python lists.
    """
    spec = schedule.spec
    head = {
        "title": spec.display_title,
        "source": spec.source,
        "epochs": spec.epochs,
        "steps_per_epoch": spec.steps_per_epoch,
        "groups": list(schedule.group_names),
    }
    if spec.resume_at is not None:
        head["resume_at"] = spec.resume_at
    yield json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "columns": {'
    for index, (name, values) in enumerate(columns(schedule)):
        yield ("," if index else "") + f"\n  {json.dumps(name, ensure_ascii=False)}: ["
        texts = map(_json_number, values)
        separator = ""
        while chunk := list(itertools.islice(texts, CHUNK_ROWS)):
            yield separator + ", ".join(chunk)
            separator = ", "
        yield "]"
    yield "\n }\n}\n"


def to_json(schedule: Schedule) -> str:
    """The whole JSON document as one string."""
    return "".join(iter_json(schedule))


def _json_number(value: object) -> str:
    """A number as JSON: ``repr`` for floats (exact), ``null`` where JSON has no number."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    return str(value)


def fills(
    *,
    schedule: Schedule,
    formats: Sequence[Format],
    plot: PlotOptions | None = None,
    painter: Painter | None = None,
    drawn: Mapping[str, bytes] | None = None,
) -> dict[Format, Fill]:
    """What writes the schedule in each of ``formats`` into a file: the images drawn from
    one figure (by ``painter``, if given; none, if ``drawn`` has them already), with
    ``plot`` options (default: the config's ``plot:``); CSV and JSON streamed in chunks,
    as they are written."""
    from lrplot.draw.plotting import draw, plot_data

    images = [fmt for fmt in dict.fromkeys(formats) if fmt in IMAGE_FORMATS]
    if images and drawn is None:
        data = plot_data(schedule, options=plot)
        drawn = painter.draw(data, images) if painter else draw(data, images)
    drawn = drawn or {}
    return {
        fmt: bytes_writer(drawn[fmt]) if fmt in drawn else _streamed(fmt, schedule)
        for fmt in formats
    }


def _streamed(fmt: Format, schedule: Schedule) -> Fill:
    """CSV or JSON, made in chunks anew each time it is written (to a file and a pipe)."""
    chunks = iter_csv if fmt == "csv" else iter_json
    return lambda f: text_writer(chunks(schedule))(f)


def render(*, schedule: Schedule, format: Format, plot: PlotOptions | None = None) -> bytes:
    """The schedule in one output format (see :data:`FORMATS`), as bytes; ``plot``
    options for images (default: the config's ``plot:``)."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; formats: {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    fills(schedule=schedule, formats=[format], plot=plot)[format](buffer)
    return buffer.getvalue()


def write(
    *,
    schedule: Schedule,
    path: str | Path,
    format: Format | None = None,
    plot: PlotOptions | None = None,
) -> Path:
    """Write the schedule to ``path`` (format from the extension unless given), atomically."""
    path = Path(path)
    chosen = format or format_of(path)
    if chosen is None:
        raise OutputError(
            f"cannot tell the format from the extension; use one of: {', '.join(FORMATS)}",
            source=str(path),
        )
    write_files({path: fills(schedule=schedule, formats=[chosen], plot=plot)[chosen]})
    return path
