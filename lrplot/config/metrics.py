"""What ReduceLROnPlateau is fed: an expression, numbers, the synthetic loss, or a logged run's.

One value is fed per step the scheduler takes (once per epoch, for ``interval: epoch``).
A logged run that says the step of each value is fed by step (see :func:`metric_values`);
one that does not, in order.
The synthetic loss (the default) is, at the ``s``-th of ``N`` such steps, in Python's
floats and evaluated as written::

    loss(s) = 0.1 + 0.9 * exp(-20.0 * s / N) + 0.01 * (2.0 * u_s - 1.0)

where ``u_s`` is the ``s``-th draw of ``random.Random(seed).random()`` (``seed`` 0 unless
given). It falls over the first third of the run, then plateaus at 0.1 with +-0.01 noise:
a loss curve shaped like a real one, and the same numbers on every run and machine.
"""

from __future__ import annotations

import math
import random
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lrplot.config.expressions import Expression, compile_expression, quoted
from lrplot.config.file import child_key
from lrplot.config.keys import show_whole
from lrplot.config.runlogs import read_log
from lrplot.errors import ConfigError, ExpressionError, excerpt, name_excerpt, printable

MetricKind = Literal["synthetic", "expression", "values", "file"]
METRIC_VARIABLES = ("epoch", "step")
SYNTHETIC: MetricKind = "synthetic"


@dataclass(frozen=True)
class MetricSpec:
    """How the metric fed to ``ReduceLROnPlateau.step()`` is made."""

    kind: MetricKind
    expression: Expression | None = None
    values: Sequence[float] = ()
    seed: int = 0
    file: str | None = None
    """The logged run read (``values`` hold its numbers), and its column or key."""
    column: str | None = None
    steps: Sequence[int] | None = None
    """The step each of ``values`` was logged at, when the log says for every one."""
    offset: int = 0
    """A logged step less this is the batch (from 0) the value was logged after: 1 for
    HF's Trainer (its ``step`` counts the optimizer steps done), 0 for a CSV such as
    Lightning's (its ``step`` is the batch being trained)."""

    def describe(self) -> str:
        if self.kind == "expression" and self.expression is not None:
            return self.expression.text
        if self.kind == "values":
            return f"{len(self.values)} values given"
        if self.kind == "file":
            return f"{self.column} in {self.file}"
        return "synthetic loss" if self.seed == 0 else f"synthetic loss (seed {self.seed})"


DEFAULT_METRIC = MetricSpec(kind=SYNTHETIC)


def parse_metric(value: Any, *, key: str = "metric", base_dir: Path | None = None) -> MetricSpec:
    """Validate the ``metric:`` value of a config; a logged run's file is read from
    ``base_dir`` (the config's folder; default: the current one)."""
    if value is None or value == SYNTHETIC:
        return DEFAULT_METRIC
    if isinstance(value, bool):
        raise ConfigError(_WHAT_METRIC + f", got {str(value).lower()}", key=key)
    if isinstance(value, int | float):
        value = repr(value)
    if isinstance(value, str):
        return MetricSpec(
            kind="expression",
            expression=compile_expression(value, variables=METRIC_VARIABLES, key=key),
        )
    if isinstance(value, list):
        numbers = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ConfigError(
                    f"expected a number, got {excerpt(item)}", key=child_key(key, index)
                )
            if isinstance(item, int) and abs(item) > sys.float_info.max:
                raise ConfigError(
                    f"{show_whole(item)} is past the largest float (about 1.8e308)",
                    key=child_key(key, index),
                )
            if not math.isfinite(item):
                raise ConfigError(f"{item!r} is not a finite number", key=child_key(key, index))
            numbers.append(float(item))
        if not numbers:
            raise ConfigError(_WHAT_METRIC + ", got an empty list", key=key)
        return MetricSpec(kind="values", values=tuple(numbers))
    if isinstance(value, dict) and "file" in value:
        return _parse_file(value, key, base_dir or Path.cwd())
    if isinstance(value, dict):
        return _parse_synthetic(value, key)
    raise ConfigError(_WHAT_METRIC + f", got {excerpt(value)}", key=key)


def _parse_file(value: dict[str, Any], key: str, base_dir: Path) -> MetricSpec:
    """``{file: logs/metrics.csv, column: val_loss}`` or ``{file: ..., key: eval_loss}``."""
    for given in value:
        if given not in ("file", "column", "key"):
            raise ConfigError("unknown key; allowed: file, column, key", key=child_key(key, given))
    file, column, log_key = value["file"], value.get("column"), value.get("key")
    if not isinstance(file, str) or not file:
        raise ConfigError(
            f"expected the path of a log, got {excerpt(file)}", key=child_key(key, "file")
        )
    if (column is None) == (log_key is None):
        raise ConfigError(
            "give column: (a CSV's, such as val_loss) or key: (a trainer_state.json's, such "
            "as eval_loss), one of them",
            key=key,
        )
    which = "column" if column is not None else "key"
    name = value[which]
    if not isinstance(name, str) or not name:
        raise ConfigError(f"expected a name, got {excerpt(name)}", key=child_key(key, which))
    logged = read_log(
        base_dir,
        file,
        column=name if which == "column" else None,
        key=name if which == "key" else None,
        where=child_key(key, "file"),
    )
    if not logged.values:
        raise ConfigError(
            f"{printable(file)} has no value of {name_excerpt(name)}", key=child_key(key, "file")
        )
    return MetricSpec(
        kind="file",
        values=logged.values,
        file=file,
        column=name,
        steps=logged.steps,
        offset=1 if which == "key" else 0,
    )


_WHAT_METRIC = (
    "expected an expression in epoch and step (such as `epoch`), a list of numbers, "
    "`synthetic`, {curve: synthetic, seed: N}, or a logged run's {file: ..., column: ...}"
)


def _parse_synthetic(value: dict[str, Any], key: str) -> MetricSpec:
    for name in value:
        if name not in ("curve", "seed"):
            raise ConfigError("unknown key; allowed: curve, seed", key=child_key(key, name))
    if value.get("curve", SYNTHETIC) != SYNTHETIC:
        raise ConfigError(
            f"unknown curve {excerpt(value['curve'])}; the built-in curve is `synthetic`",
            key=child_key(key, "curve"),
        )
    seed = value.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"expected an integer, got {excerpt(seed)}", key=child_key(key, "seed"))
    return MetricSpec(kind=SYNTHETIC, seed=seed)


def metric_values(
    metric: MetricSpec,
    *,
    count: int,
    positions: Iterable[tuple[int, int]],
    taker: str,
    cadence: str = "per batch",
    key: str = "metric",
    resume_at: int | None = None,
) -> Fed:
    """The ``count`` values fed to the scheduler ``taker``, one each time the loop steps
    it (``cadence``: ``per batch``, ``per epoch``, ``every 2 epochs``); ``positions`` are
    the (epoch, step) of each (see :meth:`lrplot.config.loop.TrainingLoop.positions`). A logged
    run with steps feeds each time the latest value logged by then (see
    :func:`fed_by_step`); other values are fed in order."""
    if metric.kind == "file" and metric.steps is not None:
        return fed_by_step(metric, positions, taker, key=key, resume_at=resume_at)
    if metric.kind in ("values", "file"):
        if len(metric.values) < count:
            given = (
                f"{printable(metric.file or '')}, {name_excerpt(metric.column or '')}: "
                f"{len(metric.values):,} values logged"
                if metric.kind == "file"
                else f"{len(metric.values):,} values given"
            )
            raise ConfigError(
                f"{given}, but {taker} is fed {count:,} (one {cadence}); give one value for each",
                key=key,
            )
        return Fed(array("d", metric.values[:count]))
    if metric.kind == "expression":
        assert metric.expression is not None
        return Fed(_expression_values(metric.expression, positions, key))
    return Fed(synthetic_loss(steps=count, seed=metric.seed))


def synthetic_loss(*, steps: int, seed: int = 0) -> array[float]:
    """The documented synthetic loss curve (see the module docstring)."""
    draw = random.Random(seed).random
    exp = math.exp
    return array(
        "d",
        (0.1 + 0.9 * exp(-20.0 * s / steps) + 0.01 * (2.0 * draw() - 1.0) for s in range(steps)),
    )


def _expression_values(
    expression: Expression, positions: Iterable[tuple[int, int]], key: str
) -> array[float]:
    values = array("d")
    env = {"epoch": 0.0, "step": 0.0}
    for epoch, step in positions:
        env["epoch"] = epoch
        env["step"] = step
        value = expression.evaluate(env)
        if not math.isfinite(value):
            raise ExpressionError(
                f"{quoted(expression.text)} gave {value!r} at epoch={epoch}, "
                f"step={step}; a metric must be a finite number",
                key=key,
            )
        values.append(value)
    return values


@dataclass(frozen=True)
class Fed:
    """What a metric feeds a scheduler, and what lrplot says of that (of a logged run's
    values fed by step)."""

    values: array[float]
    """One value each time the loop steps the scheduler; NaN where it is not stepped."""
    notices: tuple[str, ...] = ()
    """What to say of the log's values (not used, fed twice), each ``key: message``."""


_SHOWN_STEPS = 6
"""The most logged steps a notice names."""


def fed_by_step(
    metric: MetricSpec,
    positions: Iterable[tuple[int, int]],
    taker: str,
    *,
    key: str = "metric",
    resume_at: int | None = None,
) -> Fed:
    """Feed ``taker``, each time the loop steps it (at ``positions``), the latest value
    logged before or at that step, as the trainers do: HF's steps the scheduler with each
    evaluation's value, Lightning with its monitor's latest. A value logged before any
    training (HF's ``eval_on_start``, step 0) feeds nothing; a value logged again at a
    step already logged (a run resumed, or restarted, into the same log) replaces the
    values from that step on. A step with no value logged by then is an error, but for
    steps before ``resume_at`` in a log that starts there: the scheduler is not stepped
    there (the run before the checkpoint is not in the log). A step with none logged
    since the last is fed that one again, as Lightning feeds its monitor's latest, but
    past the log's last value, where the run ended, it is an error."""
    assert metric.steps is not None
    offset, file = metric.offset, f"{printable(metric.file or '')}, {name_excerpt(metric.column)}"
    kept: list[int] = []  # indexes into values, their steps rising
    replaced: list[int] = []
    before: list[int] = []
    where = f"{key}: {file}"
    for index, step in enumerate(metric.steps):
        if step - offset < 0:
            before.append(index)
            continue
        while kept and metric.steps[kept[-1]] >= step:
            replaced.append(kept.pop())
        kept.append(index)
    values = array("d")
    followed: list[int] = []
    reused: list[int] = []
    skipped = 0
    at, latest = 0, -1  # the next kept value; the index of the last one fed
    last_call = None
    calls = iter(positions)
    for epoch, position in calls:
        last_call = position
        found = -1
        while at < len(kept) and metric.steps[kept[at]] - offset <= position:
            if found >= 0:
                followed.append(found)
            found = kept[at]
            at += 1
        if found < 0 and latest < 0:
            first = metric.steps[kept[0]] if kept else None
            if (
                resume_at is not None
                and position < resume_at
                and (first is None or first - offset >= resume_at)
            ):
                values.append(math.nan)
                skipped += 1
                continue
            logged = f"the first is at step {first:,}" if first is not None else "none is"
            raise ConfigError(
                f"{file}: {taker} is first stepped at step {position + offset:,} (epoch "
                f"{epoch}), but no value is logged by then ({logged}); for a run resumed "
                "from a checkpoint, give resume_at: the step it resumed at",
                key=key,
            )
        if found < 0 and at == len(kept):
            more = 1 + sum(1 for _ in calls)
            shown = f"{metric.steps[latest]:,}"
            raise ConfigError(
                f"{file}: its last value is logged at step {shown}, but {taker} is stepped "
                f"{more:,} more time{'s' * (more > 1)} after it, from step {position + offset:,} "
                f"(epoch {epoch}); give the whole run's log, or plot fewer epochs",
                key=key,
            )
        if found < 0:
            reused.append(position)
            found = latest
        latest = found
        values.append(metric.values[found])
    after = kept[at:]
    notices = []
    parts = [
        (before, "logged before training (as HF's eval_on_start: no scheduler is stepped)"),
        (replaced, "logged again later (a run resumed into the same log)"),
        (followed, f"each followed by another before {taker} is stepped"),
    ]
    if last_call is not None:
        parts.append((after, f"after {taker} is last stepped, at step {last_call + offset:,}"))
    else:
        parts.append((after, f"{taker} is never stepped"))
    unused = sum(len(indexes) for indexes, _ in parts)
    if unused:
        said = "; ".join(
            f"{_steps(metric.steps, sorted(indexes))}, {why}" for indexes, why in parts if indexes
        )
        notices.append(
            f"{where}: {unused:,} of its {len(metric.values):,} values are not used: {said}"
        )
    if reused:
        notices.append(
            f"{where}: {taker} is stepped {len(reused):,} time"
            f"{'s' * (len(reused) > 1)} with no value logged since the last (first at step "
            f"{reused[0] + offset:,}): it is fed the latest again, as Lightning feeds its "
            "monitor's"
        )
    if skipped:
        notices.append(
            f"{where}: logs nothing before step {resume_at:,}, where the run resumes "
            f"(resume_at): {taker} is not stepped the {skipped:,} time{'s' * (skipped > 1)} "
            "before it, so the run resumes with it unstepped"
        )
    return Fed(values, tuple(notices))


def _steps(steps: Sequence[int], indexes: list[int]) -> str:
    """``step 0`` or ``steps 3, 5, ... (12 in all)``: the logged steps of ``indexes``."""
    shown = ", ".join(f"{steps[i]:,}" for i in indexes[:_SHOWN_STEPS])
    more = f", ... ({len(indexes):,} in all)" if len(indexes) > _SHOWN_STEPS else ""
    return f"step{'s' * (len(indexes) > 1)} {shown}{more}"
