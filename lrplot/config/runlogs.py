"""Logged training runs read back: a metric a config feeds, or the lr a run followed.

Two loggers are read as they write:

- **a CSV with a header**, such as Lightning's CSVLogger ``metrics.csv``: each row is one
  logging event, and a metric not logged at that event is a blank cell, which is skipped;
- **HF Trainer's** ``trainer_state.json``: ``log_history`` is a list of events, each a
  mapping; those that have the key give its value (with their ``step``).

A file a config names is data: it is read only inside the config's folder, a regular
file of at most :data:`~lrplot.limits.MAX_LOG_BYTES`.

The learning rate a run logged (:func:`read_logged_lr`, for ``lrplot compare``) keeps
the step each logger wrote; lrplot's step ``k`` is the lr before the ``k``-th optimizer
step (0-based), and where a logged step falls among them is the logger's order:

- HF's Trainer logs ``learning_rate`` with ``step`` = ``global_step``, after that many
  optimizer steps. Up to transformers 4.50 it read the lr after ``lr_scheduler.step()``
  (:data:`AFTER_SCHEDULER`: lrplot's step ``global_step``, the lr the next step uses);
  since 4.51 before it (:data:`BEFORE_SCHEDULER`: lrplot's step ``global_step - 1``, the
  lr the step just taken used), as it always did for ReduceLROnPlateau and GreedyLR,
  which it steps in evaluation, after logging. ``transformers_version`` of a
  ``config.json`` beside the log says which wrote it (:mod:`lrplot.outputs.compare` decides);
- Lightning's ``LearningRateMonitor`` logs ``lr-<Optimizer>`` (``lr-<Optimizer>/<name>``
  for a param group with a ``name``, ``lr-<Optimizer>/pg<i>`` for the ``i``-th of
  several without one, from 1), and with ``log_momentum`` / ``log_weight_decay`` the
  same name with ``-momentum`` / ``-weight_decay``, with ``step`` = ``global_step``,
  before that batch's optimizer step: lrplot's step ``step``. CSVLogger sorts its
  header, so a column's name, not its place, says what it holds;
- lrplot's own CSV (``epoch[,step],lr...``) holds one row per step.

A log may hold several runs, one after another (a restart from a checkpoint that logs
its steps again, runs appended to one file): a run starts where the steps go back, or
repeat with other values. Each step keeps what the last run to log it logged.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal

from lrplot.errors import ConfigError, excerpt, name_excerpt, printable
from lrplot.limits import MAX_LOG_BYTES, MAX_MODEL_CONFIG_BYTES
from lrplot.schedulers.releases import BEFORE_SCHEDULER_SINCE, is_since, release_of


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
    from lrplot.config.file import read_below

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
HfOrder = Literal["after-scheduler", "before-scheduler"]
AFTER_SCHEDULER: Final = "after-scheduler"
"""HF's Trainer up to transformers 4.50: ``learning_rate`` read after
``lr_scheduler.step()``, the lr of the next step (lrplot's step ``global_step``)."""
BEFORE_SCHEDULER: Final = "before-scheduler"
"""HF's Trainer since transformers 4.51 (and for ReduceLROnPlateau and GreedyLR in every
version): read before the scheduler steps, the lr of the step just taken (lrplot's step
``global_step - 1``)."""
HF_ORDERS: tuple[HfOrder, ...] = (AFTER_SCHEDULER, BEFORE_SCHEDULER)
Kind = Literal["lr", "momentum", "weight_decay"]
_SUFFIXES: tuple[tuple[str, Kind], ...] = (
    ("-momentum", "momentum"),
    ("-weight_decay", "weight_decay"),
)


def hf_order_of(version: str) -> HfOrder:
    """The order the Trainer of transformers ``version`` (a version number) logs in."""
    return BEFORE_SCHEDULER if is_since(version, BEFORE_SCHEDULER_SINCE) else AFTER_SCHEDULER


@dataclass(frozen=True)
class LoggedSeries:
    """One logged column or key: what it holds, the param group it names, and its value
    at each logged step (ascending; the last run's, where several logged a step)."""

    name: str
    """The column or key: ``learning_rate``, ``lr-AdamW/head``, ``lr-SGD-momentum``."""
    kind: Kind
    group: str | None
    """The param group its name says: Lightning's ``head`` or ``pg2``, lrplot's
    ``lr_<group>``; None when it names none (one group)."""
    steps: tuple[int, ...]
    values: tuple[float, ...]
    earlier: Mapping[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    """For a step earlier runs logged other values at: ``(run, value)`` of each (runs
    numbered from 1, in the log's order)."""
    last_run: Mapping[int, int] = field(default_factory=dict)
    """For such a step, the run whose value :attr:`values` holds."""


@dataclass(frozen=True)
class RunStart:
    """Where a run after the first starts in a log: at ``where`` (``line 57``,
    ``log_history[12]``), logging ``step`` after the run before logged ``after``."""

    where: str
    step: int
    after: int


@dataclass(frozen=True)
class LoggedLr:
    """The learning rates a run logged (and its momentum and weight decay, from
    Lightning): each logged series at the steps the logger wrote."""

    source: str
    logger: Logger
    series: tuple[LoggedSeries, ...]
    starts: tuple[RunStart, ...] = ()
    """Where each run after the first starts, when the log holds several."""
    transformers_version: str | None = None
    """HF: the ``transformers_version`` of the ``config.json`` beside the log."""
    unversioned: str = ""
    """HF, without a version: why (``no config.json beside it``)."""
    order: HfOrder | None = None
    """HF: the order it is read in, once decided; None before, and for other loggers."""

    @property
    def shift(self) -> int:
        """Logged step minus lrplot's step: 1 in :data:`BEFORE_SCHEDULER` order."""
        return 1 if self.order == BEFORE_SCHEDULER else 0

    @property
    def learning_rates(self) -> tuple[LoggedSeries, ...]:
        return tuple(series for series in self.series if series.kind == "lr")

    def placed(self, series: LoggedSeries) -> tuple[list[int], list[float]]:
        """``series`` at lrplot's steps (in its order; those before step 0 left out)."""
        steps, values = [], []
        for step, value in zip(series.steps, series.values, strict=True):
            if step - self.shift >= 0:
                steps.append(step - self.shift)
                values.append(value)
        return steps, values

    def in_order(self, order: HfOrder) -> LoggedLr:
        return replace(self, order=order)


def is_logged_run(path: Path) -> bool:
    """Whether ``lrplot compare`` reads ``path`` as a logged run, not a config: a
    ``.csv``, or a ``.json`` holding a ``log_history`` (a trainer_state.json)."""
    from lrplot.config.file import read_named_file

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
    """The learning rates logged in ``path``: HF's trainer_state.json (with the version
    of the ``config.json`` beside it), a Lightning CSVLogger metrics.csv, or lrplot's
    own CSV. ConfigError (naming the file) for anything that keeps it from being read as
    one of them."""
    from lrplot.config.file import read_named_file

    shown = printable(str(path))
    raw = read_named_file(path, source=shown, limit=MAX_LOG_BYTES + 1, what="log")
    try:
        text = _log_text(raw)
    except ConfigError as e:
        raise ConfigError(e.message, source=shown) from None
    if path.suffix.lower() == ".json":
        version, unversioned = _transformers_version(path.parent)
        return replace(_hf_lr(text, shown), transformers_version=version, unversioned=unversioned)
    return _csv_lr(text, shown)


def _transformers_version(folder: Path) -> tuple[str | None, str]:
    """The ``transformers_version`` of ``folder``'s config.json (HF saves the model's
    config beside trainer_state.json), or None and why not. The file is read as any
    log is: inside the folder, a regular file, bounded; nothing of it is quoted but a
    version number."""
    from lrplot.config.file import read_below

    if not os.path.lexists(folder / "config.json"):
        return None, "no config.json beside it"
    try:
        raw = read_below(
            folder,
            "config.json",
            limit=MAX_MODEL_CONFIG_BYTES + 1,
            outside="leads out of the log's folder",
        )
    except ConfigError as e:
        return None, f"its config.json {e.message}"
    if len(raw) > MAX_MODEL_CONFIG_BYTES:
        return None, f"its config.json is larger than {MAX_MODEL_CONFIG_BYTES // 2**20} MiB"
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None, "its config.json is not JSON"
    version = data.get("transformers_version") if isinstance(data, dict) else None
    if not isinstance(version, str) or release_of(version) is None:
        return None, "its config.json has no transformers_version"
    return version, ""


def _hf_lr(text: str, shown: str) -> LoggedLr:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ConfigError("is not JSON", source=shown) from None
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise ConfigError("has no log_history list; is it an HF trainer_state.json?", source=shown)
    rows: list[tuple[str, int, dict[int, float]]] = []
    for index, event in enumerate(history):
        if not isinstance(event, dict) or "learning_rate" not in event:
            continue
        where = f"log_history[{index}]"
        step = event.get("step")
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ConfigError(
                f"{shown}, {where}.step: expected a step number, got {excerpt(step)}"
            )
        value = _number(event["learning_rate"], f"{shown}, {where}.learning_rate", "")
        rows.append((where, step, {0: value}))
    if not rows:
        raise ConfigError("logs no learning_rate", source=shown)
    series, starts = _series(rows, [("learning_rate", "lr", None)])
    return LoggedLr(shown, "HF Trainer", series, starts)


def _csv_lr(text: str, shown: str) -> LoggedLr:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0] if rows else []
    lightning = [i for i, name in enumerate(header) if name.startswith("lr-")]
    ours = [i for i, name in enumerate(header) if name == "lr" or name.startswith("lr_")]
    ours = [i for i in ours if not header[i].startswith("lr_resumed")]
    if lightning and "step" in header:
        logger: Logger = "Lightning"
        indices, step_column = lightning, header.index("step")
        columns = [_lightning_column(header[i], header) for i in indices]
    elif ours and header[:1] == ["epoch"]:
        logger = "lrplot"
        indices, step_column = ours, header.index("step") if "step" in header else 0
        columns = [(header[i], "lr", header[i][3:] or None) for i in indices]
    else:
        raise ConfigError(
            "is neither a Lightning CSVLogger log (lr-<Optimizer> and step columns) nor "
            "lrplot's CSV (epoch, lr columns)",
            source=shown,
        )
    read: list[tuple[str, int, dict[int, float]]] = []
    for line, row in enumerate(rows[1:], start=2):
        values: dict[int, float] = {}
        where = f"{shown}, line {line}"
        for place, column in enumerate(indices):
            cell = row[column].strip() if column < len(row) else ""
            if cell:
                values[place] = _number(
                    cell, f"{where}, column {name_excerpt(header[column])}", ""
                )
        if not values:
            continue
        step = row[step_column].strip() if step_column < len(row) else ""
        if not step.isdigit():
            raise ConfigError(f"{where}: expected a step number, got {excerpt(step)}")
        read.append((f"line {line}", int(step), values))
    series, starts = _series(read, columns)
    if not any(s.values for s in series if s.kind == "lr"):
        raise ConfigError("logs no learning rate", source=shown)
    return LoggedLr(shown, logger, series, starts)


def _lightning_column(name: str, header: Sequence[str]) -> tuple[str, Kind, str | None]:
    """What a ``lr-`` column of LearningRateMonitor holds, and the param group its name
    says: ``lr-SGD/head-momentum`` is ``head``'s momentum when ``lr-SGD/head`` is a
    column too (a group may itself be named ``x-momentum``)."""
    kind: Kind = "lr"
    stem = name
    for suffix, what in _SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in header:
            kind, stem = what, name[: -len(suffix)]
            break
    _, slash, group = stem.partition("/")
    return name, kind, group if slash else None


def _series(
    rows: Sequence[tuple[str, int, Mapping[int, float]]],
    columns: Sequence[tuple[str, Kind, str | None]],
) -> tuple[tuple[LoggedSeries, ...], tuple[RunStart, ...]]:
    """Each column's series from ``rows`` (``(where, step, {column: value})``, in the
    log's order), and where each run after the first starts: where the step goes back,
    or repeats with another value (Lightning logs a step again, with the same values,
    on each batch of an accumulation)."""
    starts: list[RunStart] = []
    run, last, at_last = 1, -1, dict[int, float]()
    logged: list[dict[int, list[tuple[int, float]]]] = [{} for _ in columns]
    for where, step, logged_values in rows:
        again = step == last and any(at_last.get(c, v) != v for c, v in logged_values.items())
        if step < last or again:
            run += 1
            starts.append(RunStart(where, step, last))
        if step != last or again:
            at_last = {}
        at_last.update(logged_values)
        last = step
        for column, value in logged_values.items():
            logged[column].setdefault(step, []).append((run, value))
    series = []
    for (name, kind, group), by_step in zip(columns, logged, strict=True):
        steps = sorted(by_step)
        finals = [by_step[step][-1] for step in steps]
        earlier: dict[int, tuple[tuple[int, float], ...]] = {}
        last_run: dict[int, int] = {}
        for step, (final_run, final) in zip(steps, finals, strict=True):
            others = tuple(dict.fromkeys(
                (r, v) for r, v in by_step[step] if r != final_run and v != final
            ))  # fmt: skip
            if others:
                earlier[step], last_run[step] = others, final_run
        values = tuple(value for _, value in finals)
        series.append(LoggedSeries(name, kind, group, tuple(steps), values, earlier, last_run))
    return tuple(series), tuple(starts)
