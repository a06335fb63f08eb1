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

import contextlib
import itertools
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from lrplot.errors import OutputError

if TYPE_CHECKING:
    from lrplot.simulation import Schedule

IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "json")
FORMATS = (*IMAGE_FORMATS, *DATA_FORMATS)
"""Every output format, named by its file extension."""

_CHUNK_ROWS = 65536


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
    while chunk := list(itertools.islice(rows, _CHUNK_ROWS)):
        yield "\n".join(chunk) + "\n"


def to_csv(schedule: Schedule) -> str:
    """The whole CSV as one string."""
    return "".join(iter_csv(schedule))


def to_json(schedule: Schedule) -> str:
    """A JSON document: the schedule's description and its columns as lists."""
    spec = schedule.spec
    data = {
        "title": spec.display_title,
        "source": spec.source,
        "epochs": spec.epochs,
        "steps_per_epoch": spec.steps_per_epoch,
        "groups": list(schedule.group_names),
        "columns": {name: [_json_number(v) for v in values] for name, values in columns(schedule)},
    }
    return json.dumps(data, indent=1, allow_nan=False) + "\n"


def _json_number(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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


def write(*, schedule: Schedule, path: str | Path, format: str | None = None) -> Path:
    """Write the schedule to ``path`` (format from the extension unless given), atomically."""
    path = Path(path)
    chosen = format or format_of(path)
    if chosen is None:
        raise OutputError(
            f"cannot tell the format from the extension; use one of: {', '.join(FORMATS)}",
            source=str(path),
        )
    if chosen == "csv":
        write_atomic(path, lambda f: f.writelines(chunk.encode() for chunk in iter_csv(schedule)))
    else:
        data = render(schedule=schedule, format=chosen)
        write_atomic(path, lambda f: f.write(data))
    return path


def write_atomic(path: Path, fill: Callable[[IO[bytes]], object]) -> None:
    """Write a file through a temporary file in the same folder, then rename it into place.

    Readers see the old file or the whole new one, never a part; on any failure the old
    file is left as it was and the temporary file removed.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError(f"cannot write here: {e.strerror or e}", source=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(e, OSError):
            raise OutputError(f"cannot write: {e.strerror or e}", source=str(path)) from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
