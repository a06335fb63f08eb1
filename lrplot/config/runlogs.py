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

import bisect
import codecs
import csv
import io
import json
import math
import os
import re
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

from lrplot.errors import ConfigError, Unread, data_name, data_value, name_excerpt, printable
from lrplot.limits import (
    DEFAULT_MAX_STEPS,
    MAX_LOG_BYTES,
    MAX_LOG_JSON_VALUES,
    MAX_LOG_LINE,
    MAX_LOGGED_STEP,
    MAX_MODEL_CONFIG_BYTES,
    MAX_NUMBER_LENGTH,
    OPERATIONS_PER_STEP,
)
from lrplot.schedulers.releases import BEFORE_SCHEDULER_SINCE, is_since, release_of


@dataclass(frozen=True)
class Logged:
    """The values of one column or key of a log, in order, with the step each was logged
    at when the log says (``step`` column or key)."""

    values: Sequence[float]
    """An ``array('d')``: eight bytes a value, whatever the file's size."""
    steps: Sequence[int] | None
    """An ``array('q')``; None unless the log says the step of every value."""


class _Unreadable(Exception):
    """What keeps a log's row, cell or key from being read: ``where`` (a column or a
    JSON key path, shown as the error's key), ``line`` (a CSV's), and the message; each
    reader below words it for where the log was named."""

    def __init__(self, message: str, where: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.where, self.line = message, where, line


HIDDEN = (
    "is a hidden file (its name, a folder's on its way or the name a link leads to starts "
    "with a dot, as .env's and .git's do); lrplot does not read one as a log"
)
"""Why a log or metric file that is hidden is not read: such files hold settings and
secrets, not logged runs."""


def is_hidden(path: Path, *, below: Path | None = None) -> bool:
    """Whether ``path`` is hidden: its name, or the name of the file a link leads to,
    starts with a dot; for a name a config gives (relative to its folder ``below``), a
    folder's on the way there too (``.git/config``, a link into ``.secrets/``)."""

    def hidden(parts: tuple[str, ...]) -> bool:
        return any(part.startswith(".") and part not in (".", "..") for part in parts)

    where = path if below is None else below / path
    try:
        target = where.resolve()
    except (OSError, RuntimeError):  # a loop of links: refused when it is read
        target = where
    if below is None:
        return hidden((path.name, target.name))
    try:
        inside = target.relative_to(below.resolve()).parts
    except (OSError, RuntimeError, ValueError):  # outside: refused when it is read
        inside = (target.name,)
    return hidden(path.parts) or hidden(inside)


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
    if is_hidden(Path(name), below=folder):
        raise ConfigError(f"{shown}: {HIDDEN}", key=where)
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
        if key is not None:
            return _json_log(_log_text(raw), key)
        assert column is not None
        return _csv_log(_csv_rows(raw), column)
    except _Unreadable as e:
        if e.line is not None:
            at = f"{shown}, line {e.line}" + (f", column {e.where}" if e.where else "")
        else:
            at = f"{shown}, {e.where}" if e.where else shown
        raise ConfigError(
            f"{at}{':' if e.where or e.line else ''} {e.message}", key=where
        ) from None


def _utf8(raw: bytes) -> None:
    """_Unreadable unless ``raw`` is UTF-8 (checked a chunk at a time, keeping nothing)."""
    if len(raw) > MAX_LOG_BYTES:
        raise _Unreadable(f"is larger than {MAX_LOG_BYTES // 2**20} MiB")
    decoder = codecs.getincrementaldecoder("utf-8")()
    view, chunk = memoryview(raw), 2**20
    for start in range(0, len(raw), chunk):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start : start + chunk], final=start + chunk >= len(raw))
        except UnicodeDecodeError as e:
            raise _Unreadable(f"is not UTF-8 text (byte {start - pending + e.start})") from None


def _log_text(raw: bytes) -> str:
    """A JSON log's bytes (read up to one past the limit) as text; _Unreadable if it can
    hold more than :data:`~lrplot.limits.MAX_LOG_JSON_VALUES` containers and values."""
    _utf8(raw)
    count = raw.count(b"[") + raw.count(b"{") + raw.count(b",")
    if count > MAX_LOG_JSON_VALUES:
        raise _Unreadable(
            f"may hold up to {count:,} values and lists (its '[', '{{' and ',' counted), "
            f"more than the limit of {MAX_LOG_JSON_VALUES:,} for a JSON log"
        )
    return raw.decode("utf-8-sig")


def _lines(raw: bytes) -> Iterator[str]:
    """The physical lines of a CSV log (a bare ``\r`` ends one), each read with a bound:
    _Unreadable at one over :data:`~lrplot.limits.MAX_LOG_LINE` characters."""
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
    number = 0
    while line := text.readline(MAX_LOG_LINE + 1):
        number += 1
        if len(line) > MAX_LOG_LINE:
            raise _Unreadable(
                f"is longer than the limit of {MAX_LOG_LINE:,} characters a line", line=number
            )
        yield line


def _csv_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    """Each row of a CSV log with the line it starts on, read a line at a time (a bare
    ``\r`` ends a line, as in any CSV); _Unreadable for a row csv cannot read."""
    _utf8(raw)
    reader = csv.reader(_lines(raw))
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            long = "field larger" in str(e)
            raise _Unreadable(
                f"a field is longer than csv's limit of {csv.field_size_limit():,} characters"
                if long
                else "cannot be read as CSV",
                line=line,
            ) from None
        yield line, row
        line = reader.line_num + 1


def _no_column(column: str, header: Sequence[str]) -> _Unreadable:
    """That a CSV has no ``column``, saying which it has (those that look like names)."""
    asked = f"has no column {name_excerpt(column)}"
    names = [name for name in header if data_name(name).startswith("'")]
    if header and not names:
        fields = (
            f"one field of {len(header[0]):,} characters"
            if len(header) == 1
            else f"{len(header):,} fields"
        )
        return _Unreadable(f"{asked}; its first line is not a header of column names ({fields})")
    listed = ", ".join(repr(name) for name in names[:20]) or "none"
    if len(names) > 20:
        listed += f" and {len(names) - 20:,} more"
    others = len(header) - len(names)
    if others:
        what = (
            "field that is not a column name"
            if others == 1
            else "fields that are not column names"
        )
        listed += f" (and {others:,} {what})"
    return _Unreadable(f"{asked}; its columns: {listed}")


def _column(header: Sequence[str], index: int) -> str:
    """A CSV column as an error names it: its name if it looks like one, else its place."""
    name = header[index]
    return name if data_name(name).startswith("'") else f"column {index + 1}"


def _csv_log(rows: Iterator[tuple[int, list[str]]], column: str) -> Logged:
    _, header = next(rows, (1, []))
    if column not in header:
        raise _no_column(column, header)
    index = header.index(column)
    step_index = header.index("step") if "step" in header else None
    values, steps = array("d"), array("q")
    stepped, shown = step_index is not None, name_excerpt(column)
    for line, row in rows:
        cell = row[index].strip() if index < len(row) else ""
        if not cell:
            continue  # not logged at this event
        values.append(_number(cell, shown, line))
        if step_index is None:
            continue
        step = row[step_index].strip() if step_index < len(row) else ""
        number = _metric_step(step, line) if step else None
        if number is None:
            stepped = False
        elif stepped:
            steps.append(number)
    return Logged(values, steps if stepped else None)


def _metric_step(step: str, line: int) -> int | None:
    """A metric CSV's step cell (``9``, or ``9.0`` as pandas writes it), None if it is
    not a number."""
    if len(step) > MAX_NUMBER_LENGTH or not _is_number(step):
        return None
    number = int(float(step))
    if abs(number) >= MAX_LOGGED_STEP:
        raise _Unreadable(_STEP_BOUND + f", got {data_value(step)}", "'step'", line)
    return number


_STEP_BOUND = "expected a step number below 2**53"


class _Event(NamedTuple):
    """What lrplot keeps of one object of a trainer_state.json: the wanted key's value
    and the ``step`` (each :data:`_ABSENT` if the object has none)."""

    value: object
    step: object


_ABSENT: Final = Unread("nothing")
_OBJECT: Final = Unread("an object")
"""What lrplot keeps of an object without the wanted key (a value, when it stands where
a number goes)."""


def _json_history(text: str, wanted: str, top: dict[str, object] | None = None) -> list[object]:
    """The ``log_history`` of a trainer_state.json, read in one pass that keeps of each
    object only an :class:`_Event` (:data:`_OBJECT` for one without ``wanted``; the object
    holding ``log_history``, a mapping of it and its ``max_steps``, copied into ``top``),
    and reads no number of over :data:`~lrplot.limits.MAX_NUMBER_LENGTH` characters, nor
    NaN or Infinity (each kept as an :class:`~lrplot.errors.Unread`)."""

    def kept(pairs: list[tuple[str, object]]) -> object:
        found: dict[str, object] = dict.fromkeys(
            (wanted, "step", "log_history", "max_steps"), _ABSENT
        )
        for name, value in pairs:
            if name in found:
                found[name] = value
        if found["log_history"] is not _ABSENT:
            return {"log_history": found["log_history"], "max_steps": found["max_steps"]}
        if found[wanted] is _ABSENT:
            return _OBJECT
        return _Event(found[wanted], found["step"])

    try:
        data = json.loads(
            text,
            object_pairs_hook=kept,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=Unread,
        )
    except (ValueError, RecursionError):
        raise _Unreadable("is not JSON") from None
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise _Unreadable("has no log_history list; is it an HF trainer_state.json?")
    if top is not None:
        top["max_steps"] = data.get("max_steps")
    return history


def _json_int(text: str) -> int | Unread:
    if len(text) > MAX_NUMBER_LENGTH:
        return Unread(f"a number of {len(text):,} digits")
    return int(text)


def _json_float(text: str) -> float | Unread:
    if len(text) > MAX_NUMBER_LENGTH:
        return Unread(f"a number of {len(text):,} characters")
    number = float(text)
    return number if math.isfinite(number) else Unread(f"{text}, past a float's range")


def _json_log(text: str, key: str) -> Logged:
    history = _json_history(text, key)
    del text
    values, steps = array("d"), array("q")
    stepped = True
    for index, event in enumerate(history):
        if not isinstance(event, _Event) or event.value is _ABSENT:
            continue
        values.append(_number(event.value, f"log_history[{index}].{key}"))
        step = event.step
        if isinstance(step, int) and not isinstance(step, bool):
            if abs(step) >= MAX_LOGGED_STEP:
                raise _Unreadable(
                    _STEP_BOUND + f", got {data_value(step)}", f"log_history[{index}].step"
                )
            steps.append(step)
        else:
            stepped = False
    return Logged(values, steps if stepped else None)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _number(value: object, where: str, line: int | None = None) -> float:
    """A logged value (a cell's text, a JSON value) as a finite float; _Unreadable (at
    ``where``, ``line``) saying what it is instead."""
    readable = isinstance(value, str | int | float) and not isinstance(value, bool)
    if isinstance(value, str) and len(value) > MAX_NUMBER_LENGTH:
        readable = False
    try:
        number = float(value) if readable else math.nan  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        shown = {} if isinstance(value, _Event) else value  # an object, as lrplot keeps it
        raise _Unreadable(f"expected a number, got {data_value(shown)}", where, line)
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
    steps: Sequence[int]
    """An ``array('q')``, as :attr:`values` is an ``array('d')``: 8 bytes a value."""
    values: Sequence[float]
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
    max_steps: int | None = None
    """HF: the optimizer steps its Trainer planned (trainer_state.json's ``max_steps``:
    ``args.max_steps``, or ``ceil(num_train_epochs x`` the steps of an epoch``)``)."""

    @property
    def shift(self) -> int:
        """Logged step minus lrplot's step: 1 in :data:`BEFORE_SCHEDULER` order."""
        return 1 if self.order == BEFORE_SCHEDULER else 0

    @cached_property
    def learning_rates(self) -> tuple[LoggedSeries, ...]:
        """The series of kind ``lr`` (kept once: a log may hold many thousand)."""
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
    ``.csv``, a ``trainer_state.json``, or a ``.json`` holding a ``log_history``."""
    from lrplot.config.file import read_named_file

    suffix = path.suffix.lower()
    if suffix == ".csv":
        return True
    if suffix != ".json":
        return False
    if path.name == "trainer_state.json" or is_hidden(path):
        return True  # a hidden one is refused when it is read
    try:
        head = read_named_file(path, source=str(path), limit=MAX_LOG_BYTES + 1, what="log")
    except ConfigError:
        return False  # read as a config, which says the error
    return b'"log_history"' in head


def read_logged_lr(path: Path, *, max_steps: int = DEFAULT_MAX_STEPS) -> LoggedLr:
    """The learning rates logged in ``path``: HF's trainer_state.json (with the version
    of the ``config.json`` beside it), a Lightning CSVLogger metrics.csv, or lrplot's
    own CSV. ConfigError (naming the file, and the row or key) for anything that keeps
    it from being read as one of them; a CSV's lr columns x lines (its header and rows)
    count against the operation budget of ``max_steps`` (see
    :data:`~lrplot.limits.OPERATIONS_PER_STEP`)."""
    from lrplot.config.file import read_named_file

    shown = printable(str(path))
    if is_hidden(path):
        raise ConfigError(HIDDEN, source=shown)
    raw = read_named_file(path, source=shown, limit=MAX_LOG_BYTES + 1, what="log")
    try:
        if path.suffix.lower() == ".json":
            run = _hf_lr(_log_text(raw), shown)
            version, unversioned = _transformers_version(path.parent)
            return replace(run, transformers_version=version, unversioned=unversioned)
        return _csv_lr(_csv_rows(raw), shown, OPERATIONS_PER_STEP * max_steps, max_steps)
    except _Unreadable as e:
        raise ConfigError(e.message, source=shown, key=e.where, line=e.line) from None


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
    top: dict[str, object] = {}
    history = _json_history(text, "learning_rate", top)
    del text
    runs = _Runs([("learning_rate", "lr", None)], "log_history[{}]")
    for index, event in enumerate(history):
        if not isinstance(event, _Event):
            continue
        step = event.step
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < MAX_LOGGED_STEP:
            raise _Unreadable(
                f"{_STEP_BOUND}, got {data_value(step)}", f"log_history[{index}].step"
            )
        value = _number(event.value, f"log_history[{index}].learning_rate")
        runs.add(index, step, {0: value})
    del history
    if not runs.values[0]:
        raise _Unreadable("logs no learning_rate")
    series, starts = runs.series()
    given = top.get("max_steps")
    planned = given if isinstance(given, int) and not isinstance(given, bool) else None
    if planned is not None and not 0 < planned < MAX_LOGGED_STEP:
        planned = None
    return LoggedLr(shown, "HF Trainer", series, starts, max_steps=planned)


_STEP_DIGITS = re.compile(r"[0-9]{1,16}")


def _csv_lr(
    rows: Iterator[tuple[int, list[str]]], shown: str, budget: int, max_steps: int
) -> LoggedLr:
    """A Lightning or lrplot CSV's lr columns; the header and each row cost one operation
    per lr column, and past ``budget`` (allowed by ``max_steps``) the log is refused
    where it passes."""
    _, header = next(rows, (1, []))
    lightning = [i for i, name in enumerate(header) if name.startswith("lr-")]
    ours = [i for i, name in enumerate(header) if name == "lr" or name.startswith("lr_")]
    ours = [i for i in ours if not header[i].startswith("lr_resumed")]
    if lightning and "step" in header:
        logger: Logger = "Lightning"
        indices, step_column = lightning, header.index("step")
        names = frozenset(header)
        columns = [_lightning_column(header[i], names) for i in indices]
    elif ours and header[:1] == ["epoch"]:
        logger = "lrplot"
        indices, step_column = ours, header.index("step") if "step" in header else 0
        columns = [(header[i], "lr", header[i][3:] or None) for i in indices]
    else:
        raise _Unreadable(
            "is neither a Lightning CSVLogger log (lr-<Optimizer> and step columns) nor "
            "lrplot's CSV (epoch, lr columns)"
        )
    cost = _cost(len(indices), 0, budget, max_steps, 1)  # the header costs as a row does
    runs = _Runs(columns, "line {}")
    named = [_column(header, i) for i in indices]  # once, not at each cell
    for line, row in rows:
        if not row:
            continue  # a blank line
        cost = _cost(len(indices), cost, budget, max_steps, line)
        values: dict[int, float] = {}
        for place in range(bisect.bisect_left(indices, len(row))):
            cell = row[indices[place]].strip()
            if cell:
                values[place] = _number(cell, named[place], line)
        if not values:
            continue
        step = row[step_column].strip() if step_column < len(row) else ""
        if not _STEP_DIGITS.fullmatch(step) or int(step) >= MAX_LOGGED_STEP:
            raise _Unreadable(
                f"{_STEP_BOUND}, got {data_value(step)}", _column(header, step_column), line
            )
        runs.add(line, int(step), values)
    series, starts = runs.series()
    if not any(s.values for s in series if s.kind == "lr"):
        raise _Unreadable("logs no learning rate")
    return LoggedLr(shown, logger, series, starts)


def _cost(columns: int, cost: int, budget: int, max_steps: int, line: int) -> int:
    """``cost`` and one more line of ``columns`` lr columns; _Unreadable (at ``line``)
    past ``budget``."""
    cost += columns
    if cost > budget:
        lines = cost // columns
        raise _Unreadable(
            f"{columns:,} lr columns x {lines:,} line{'s' * (lines > 1)} (the header"
            + (f" and {lines - 1:,} row{'s' * (lines > 2)}" if lines > 1 else "")
            + f") = {cost:,} cells, more than the limit of {budget:,} "
            f"({OPERATIONS_PER_STEP} per step allowed by --max-steps {max_steps:,}; raise "
            "it with --max-steps)",
            "lr columns x rows",
            line,
        )
    return cost


def _lightning_column(name: str, header: frozenset[str]) -> tuple[str, Kind, str | None]:
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


def _kept(code: Literal["q", "d"], numbers: object) -> array[Any]:
    """A numpy array's numbers as an ``array`` (8 bytes each; a tuple of Python numbers
    costs about 40)."""
    kept = array(code)
    kept.frombytes(numbers.tobytes())  # type: ignore[attr-defined]
    return kept


class _Runs:
    """Each column's series gathered from a log's rows, in the log's order, and where
    each run after the first starts: where the step goes back, or repeats with another
    value (Lightning logs a step again, with the same values, on each batch of an
    accumulation). A value costs three array entries, whatever the file's size."""

    def __init__(self, columns: Sequence[tuple[str, Kind, str | None]], place: str) -> None:
        self.columns, self.place = columns, place
        """``place`` formats where a row is: ``line {}``."""
        self.steps = [array("q") for _ in columns]
        self.values = [array("d") for _ in columns]
        self.runs = [array("q") for _ in columns]
        self.starts: list[RunStart] = []
        self.run, self.last, self.at_last = 1, -1, dict[int, float]()

    def add(self, where: int, step: int, logged_values: Mapping[int, float]) -> None:
        """The row at ``where`` logs ``step``, with ``{column: value}``."""
        again = step == self.last and any(
            self.at_last.get(c, v) != v for c, v in logged_values.items()
        )
        if step < self.last or again:
            self.run += 1
            self.starts.append(RunStart(self.place.format(where), step, self.last))
        if step != self.last or again:
            self.at_last = {}
        self.at_last.update(logged_values)
        self.last = step
        for column, value in logged_values.items():
            self.steps[column].append(step)
            self.values[column].append(value)
            self.runs[column].append(self.run)

    def series(self) -> tuple[tuple[LoggedSeries, ...], tuple[RunStart, ...]]:
        """Each column at its steps, ascending, keeping at each what the last run to log
        it logged (and what earlier runs logged otherwise)."""
        import numpy as np

        series = []
        for c, (name, kind, group) in enumerate(self.columns):
            steps = np.frombuffer(self.steps[c], dtype=np.int64)
            values = np.frombuffer(self.values[c], dtype=np.float64)
            runs = np.frombuffer(self.runs[c], dtype=np.int64)
            order = np.argsort(steps, kind="stable")  # a step's values in the log's order
            ordered = steps[order]
            ends = np.flatnonzero(np.append(ordered[1:] != ordered[:-1], bool(len(order))))
            firsts = np.append(0, ends[:-1] + 1)
            finals = order[ends]
            earlier: dict[int, tuple[tuple[int, float], ...]] = {}
            last_run: dict[int, int] = {}
            for group_at in np.flatnonzero(ends > firsts).tolist():
                members = order[firsts[group_at] : ends[group_at] + 1].tolist()
                final_run, final = int(runs[members[-1]]), float(values[members[-1]])
                others = tuple(dict.fromkeys(
                    (r, v)
                    for r, v in zip(runs[members].tolist(), values[members].tolist(), strict=True)
                    if r != final_run and v != final
                ))  # fmt: skip
                if others:
                    step = int(ordered[ends[group_at]])
                    earlier[step], last_run[step] = others, final_run
            series.append(
                LoggedSeries(
                    name,
                    kind,
                    group,
                    _kept("q", ordered[ends]),
                    _kept("d", values[finals]),
                    earlier,
                    last_run,
                )
            )
            self.steps[c], self.values[c], self.runs[c] = array("q"), array("d"), array("q")
            del steps, values, runs, order, ordered  # so the column's arrays are freed
        return tuple(series), tuple(self.starts)
