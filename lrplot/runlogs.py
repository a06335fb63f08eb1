"""Logged training runs read back: a column of a CSV log, or a key of HF's trainer_state.json.

Two loggers are read as they write:

- **a CSV with a header**, such as Lightning's CSVLogger ``metrics.csv``: each row is one
  logging event, and a metric not logged at that event is a blank cell, which is skipped;
- **HF Trainer's** ``trainer_state.json``: ``log_history`` is a list of events, each a
  mapping; those that have the key give its value (with their ``step``).

A file is data, named by a config: it is read only inside the config's folder, a regular
file of at most :data:`~lrplot.limits.MAX_LOG_BYTES`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

from lrplot.configfile import read_below
from lrplot.errors import ConfigError, excerpt, name_excerpt, printable
from lrplot.limits import MAX_LOG_BYTES


@dataclass(frozen=True)
class Logged:
    """The values of one column or key of a log, in order, with the step each was logged
    at when the log says (``step`` column or key), else None."""

    values: tuple[float, ...]
    steps: tuple[int | None, ...]


def read_log(
    folder: Path,
    name: str,
    *,
    column: str | None = None,
    key: str | None = None,
    where: str = "metric",
) -> Logged:
    """The values of ``column`` (a CSV) or ``key`` (a trainer_state.json) in the file
    ``name`` inside ``folder``. ConfigError (at the config key ``where``) naming the file
    and the column or key for anything that keeps it from being read."""
    shown = printable(name)
    try:
        raw = read_below(
            folder,
            name,
            limit=MAX_LOG_BYTES + 1,
            outside="is outside the config's folder; lrplot reads only files beside the "
            "config or below its folder",
            source="-",
        )
    except ConfigError as e:
        raise ConfigError(f"{shown}: {e.message}", key=where) from None
    if len(raw) > MAX_LOG_BYTES:
        raise ConfigError(f"{shown} is larger than {MAX_LOG_BYTES // 2**20} MiB", key=where)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{shown} is not UTF-8 text (byte {e.start})", key=where) from None
    if key is not None:
        return _json_log(text, shown, key, where)
    assert column is not None
    return _csv_log(text, shown, column, where)


def _csv_log(text: str, shown: str, column: str, where: str) -> Logged:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header or column not in header:
        known = ", ".join(name_excerpt(h) for h in (header or [])[:20]) or "none"
        raise ConfigError(
            f"{shown} has no column {name_excerpt(column)}; its columns: {known}", key=where
        )
    index = header.index(column)
    step_index = header.index("step") if "step" in header else None
    values: list[float] = []
    steps: list[int | None] = []
    for line, row in enumerate(rows, start=2):
        cell = row[index].strip() if index < len(row) else ""
        if not cell:
            continue  # not logged at this event
        values.append(_number(cell, f"{shown}, line {line}, column {name_excerpt(column)}", where))
        step = row[step_index].strip() if step_index is not None and step_index < len(row) else ""
        steps.append(int(float(step)) if _is_number(step) else None)
    return Logged(tuple(values), tuple(steps))


def _json_log(text: str, shown: str, key: str, where: str) -> Logged:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ConfigError(f"{shown} is not JSON", key=where) from None
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise ConfigError(
            f"{shown} has no log_history list; is it an HF trainer_state.json?", key=where
        )
    values: list[float] = []
    steps: list[int | None] = []
    for index, event in enumerate(history):
        if not isinstance(event, dict) or key not in event:
            continue
        values.append(_number(event[key], f"{shown}, log_history[{index}].{key}", where))
        step = event.get("step")
        steps.append(step if isinstance(step, int) and not isinstance(step, bool) else None)
    return Logged(tuple(values), tuple(steps))


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _number(value: object, where_in_file: str, where: str) -> float:
    try:
        number = float(value) if isinstance(value, str | int | float) else math.nan
    except ValueError:
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ConfigError(f"{where_in_file}: expected a number, got {excerpt(value)}", key=where)
    return number
