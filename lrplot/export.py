"""Turning a simulated schedule into output files: CSV, JSON and plots, written atomically.

CSV columns, in order:

- ``epoch``: the epoch of the step (0-based; repeats when ``steps_per_epoch > 1``);
- ``step``: the global scheduler step (0-based), only when ``steps_per_epoch > 1``;
- ``lr``: the learning rate before that step; with several param groups, one column per
  group named ``lr_<group name>`` (names default to the group's index: ``lr_0, lr_1``);
- ``momentum`` (``momentum_<group name>``): when the scheduler cycles momentum (CyclicLR,
  OneCycleLR); for Adam-like optimizers this is ``betas[0]``;
- ``metric``: for ReduceLROnPlateau, the value fed to ``step()``.

Floats are written with ``repr``, the shortest text that reads back to the same float.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.errors import OutputError

if TYPE_CHECKING:
    from lrplot.options import PlotOptions
    from lrplot.painter import Painter
    from lrplot.simulation import Schedule

IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "json")
FORMATS = (*IMAGE_FORMATS, *DATA_FORMATS)
"""Every output format, named by its file extension."""

CHUNK_ROWS = 65536
"""Rows formatted at a time when CSV and JSON are streamed."""


def format_of(path: str | Path) -> str | None:
    """The output format a file name's extension names, or None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def columns(schedule: Schedule) -> list[tuple[str, Iterable[object]]]:
    """The CSV/JSON columns of a schedule: ``(name, values)`` in order."""
    spec = schedule.spec
    per_epoch = spec.steps_per_epoch
    cols: list[tuple[str, Iterable[object]]] = []
    if per_epoch == 1:
        cols.append(("epoch", range(spec.steps)))
    else:
        epochs = itertools.chain.from_iterable(
            itertools.repeat(epoch, per_epoch) for epoch in range(spec.epochs)
        )
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
    return cols


def iter_csv(schedule: Schedule) -> Iterator[str]:
    """The CSV text in chunks (header first), so a million rows stream to disk."""
    cols = columns(schedule)
    yield ",".join(name for name, _ in cols) + "\n"
    texts = [map(str if name in ("epoch", "step") else repr, values) for name, values in cols]
    rows = map(",".join, zip(*texts, strict=True))
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        yield "\n".join(chunk) + "\n"


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


def render(*, schedule: Schedule, format: str) -> bytes:
    """The schedule in one output format (see :data:`FORMATS`), as bytes."""
    if format == "csv":
        return to_csv(schedule).encode()
    if format == "json":
        return to_json(schedule).encode()
    if format in IMAGE_FORMATS:
        from lrplot.plotting import plot

        return plot(schedule=schedule, format=format)
    raise ValueError(f"unknown format {format!r}; formats: {', '.join(FORMATS)}")


def render_all(
    *,
    schedule: Schedule,
    formats: Sequence[str],
    painter: Painter | None = None,
    plot: PlotOptions | None = None,
) -> dict[str, bytes]:
    """The schedule in each of ``formats``; images are drawn by ``painter`` if given,
    with ``plot`` options (default: the config's ``plot:``)."""
    from lrplot.plotting import draw, plot_data

    images = [fmt for fmt in formats if fmt in IMAGE_FORMATS]
    rendered: dict[str, bytes] = {}
    if images:
        data = plot_data(schedule, options=plot)
        try:
            rendered = painter.draw(data, images) if painter else draw(data, images)
        except OutputError as e:
            raise e.located(source=schedule.spec.source) from None
    for fmt in formats:
        if fmt not in IMAGE_FORMATS:
            rendered[fmt] = render(schedule=schedule, format=fmt)
    return {fmt: rendered[fmt] for fmt in formats}


def write(*, schedule: Schedule, path: str | Path, format: str | None = None) -> Path:
    """Write the schedule to ``path`` (format from the extension unless given), atomically."""
    path = Path(path)
    chosen = format or format_of(path)
    if chosen is None:
        raise OutputError(
            f"cannot tell the format from the extension; use one of: {', '.join(FORMATS)}",
            source=str(path),
        )
    write_all(schedule=schedule, outputs=[(path, chosen)])
    return path


def write_all(
    *,
    schedule: Schedule,
    outputs: Sequence[tuple[Path, str]],
    painter: Painter | None = None,
    plot: PlotOptions | None = None,
) -> None:
    """Write each ``(path, format)`` atomically; all images are drawn from one figure.

    CSV and JSON are streamed in chunks. With a ``painter``, images are drawn in its
    helper process.
    """
    from lrplot.files import Fill, bytes_writer, text_writer, write_files

    images = [fmt for fmt in IMAGE_FORMATS if any(fmt == f for _, f in outputs)]
    drawn = render_all(schedule=schedule, formats=images, painter=painter, plot=plot)
    files: dict[Path, Fill] = {}
    for path, fmt in outputs:
        if fmt in DATA_FORMATS:
            files[path] = text_writer(iter_csv(schedule) if fmt == "csv" else iter_json(schedule))
        else:
            files[path] = bytes_writer(drawn[fmt])
    write_files(files)
