"""Logged training runs read back: a metric a config feeds, or the lr a run followed.

Two loggers are read as they write:

- **a CSV with a header**, such as Lightning's CSVLogger ``metrics.csv``: each row is one
  logging event, and a metric not logged at that event is a blank cell, which is skipped;
- **HF Trainer's** ``trainer_state.json``: ``log_history`` is a list of events, each a
  mapping; those that have the key give its value (with their ``step``).

A file a config names is data: it is read only inside the config's folder, a regular
file of at most :data:`~lrplot.limits.MAX_LOG_BYTES`.

The learning rate a run logged (:func:`read_logged_lr`, for ``lrplot compare``) is placed
at the optimizer step whose lr it is, lrplot's step ``k`` being the lr before the
``k``-th optimizer step (0-based):

- HF's Trainer logs ``learning_rate`` with ``step`` = ``global_step``, after that many
  optimizer and scheduler steps: the lr the next optimizer step uses, lrplot's step
  ``global_step``;
- Lightning's ``LearningRateMonitor`` logs ``lr-<Optimizer>`` (``lr-<Optimizer>/pg<i>``
  for more param groups) with ``step`` = ``global_step``, before that batch's optimizer
  step: again lrplot's step ``step``;
- lrplot's own CSV (``epoch[,step],lr...``) holds one row per step.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lrplot.configfile import read_below, read_named_file
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
    try:
        text = _log_text(raw)
    except ConfigError as e:
        raise ConfigError(f"{shown} {e.message}", key=where) from None
    if key is not None:
        return _json_log(text, shown, key, where)
    assert column is not None
    return _csv_log(text, shown, column, where)


def _log_text(raw: bytes) -> str:
    """A log's bytes (read up to one past the limit) as text; ConfigError saying what
    keeps them from being one."""
    if len(raw) > MAX_LOG_BYTES:
        raise ConfigError(f"is larger than {MAX_LOG_BYTES // 2**20} MiB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"is not UTF-8 text (byte {e.start})") from None


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


Logger = Literal["HF Trainer", "Lightning", "lrplot"]


@dataclass(frozen=True)
class LoggedLr:
    """The learning rates a run logged: per logged series (one per param group), the
    optimizer steps they were logged at (see the module docstring) and the values."""

    source: str
    logger: Logger
    series: tuple[tuple[str, tuple[int, ...], tuple[float, ...]], ...]
    """``(name, steps, values)``: ``learning_rate``, ``lr-AdamW``, ``lr_head``..."""


def is_logged_run(path: Path) -> bool:
    """Whether ``lrplot compare`` reads ``path`` as a logged run, not a config: a
    ``.csv``, or a ``.json`` holding a ``log_history`` (a trainer_state.json)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return True
    if suffix != ".json":
        return False
    try:
        head = read_named_file(path, source=str(path), limit=MAX_LOG_BYTES + 1, what="log")
    except ConfigError:
        return path.name == "trainer_state.json"  # the error is said when it is read
    return b'"log_history"' in head


def read_logged_lr(path: Path) -> LoggedLr:
    """The learning rates logged in ``path``: HF's trainer_state.json, a Lightning
    CSVLogger metrics.csv, or lrplot's own CSV. ConfigError (naming the file) for
    anything that keeps it from being read as one of them."""
    shown = printable(str(path))
    raw = read_named_file(path, source=shown, limit=MAX_LOG_BYTES + 1, what="log")
    try:
        text = _log_text(raw)
    except ConfigError as e:
        raise ConfigError(e.message, source=shown) from None
    if path.suffix.lower() == ".json":
        return _hf_lr(text, shown)
    return _csv_lr(text, shown)


def _hf_lr(text: str, shown: str) -> LoggedLr:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ConfigError("is not JSON", source=shown) from None
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise ConfigError("has no log_history list; is it an HF trainer_state.json?", source=shown)
    steps: list[int] = []
    values: list[float] = []
    for index, event in enumerate(history):
        if not isinstance(event, dict) or "learning_rate" not in event:
            continue
        where = f"{shown}, log_history[{index}]"
        step = event.get("step")
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ConfigError(f"{where}.step: expected a step number, got {excerpt(step)}")
        values.append(_number(event["learning_rate"], f"{where}.learning_rate", ""))
        steps.append(step)
    if not values:
        raise ConfigError("logs no learning_rate", source=shown)
    return LoggedLr(shown, "HF Trainer", (("learning_rate", tuple(steps), tuple(values)),))


def _csv_lr(text: str, shown: str) -> LoggedLr:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0] if rows else []
    lightning = [i for i, name in enumerate(header) if name.startswith("lr-")]
    ours = [i for i, name in enumerate(header) if name == "lr" or name.startswith("lr_")]
    ours = [i for i in ours if not header[i].startswith("lr_resumed")]
    if lightning and "step" in header:
        logger: Logger = "Lightning"
        columns, step_column = lightning, header.index("step")
    elif ours and header[:1] == ["epoch"]:
        logger = "lrplot"
        columns, step_column = ours, header.index("step") if "step" in header else 0
    else:
        raise ConfigError(
            "is neither a Lightning CSVLogger log (lr-<Optimizer> and step columns) nor "
            "lrplot's CSV (epoch, lr columns)",
            source=shown,
        )
    series = []
    for column in columns:
        steps: list[int] = []
        values: list[float] = []
        for line, row in enumerate(rows[1:], start=2):
            cell = row[column].strip() if column < len(row) else ""
            if not cell:
                continue
            where = f"{shown}, line {line}"
            values.append(_number(cell, f"{where}, column {name_excerpt(header[column])}", ""))
            step = row[step_column].strip() if step_column < len(row) else ""
            if not step.isdigit():
                raise ConfigError(f"{where}: expected a step number, got {excerpt(step)}")
            steps.append(int(step))
        series.append((header[column], tuple(steps), tuple(values)))
    if not any(values for _, _, values in series):
        raise ConfigError("logs no learning rate", source=shown)
    return LoggedLr(shown, logger, tuple(series))
