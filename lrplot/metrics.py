"""What ReduceLROnPlateau is fed: an expression, numbers, the synthetic loss, or a logged run's.

One value is fed per step the scheduler takes (once per epoch, for ``interval: epoch``).
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
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lrplot.configfile import child_key
from lrplot.errors import ConfigError, ExpressionError, excerpt, name_excerpt, printable
from lrplot.expressions import Expression, compile_expression, quoted
from lrplot.runlogs import read_log

MetricKind = Literal["synthetic", "expression", "values", "file"]
METRIC_VARIABLES = ("epoch", "step")
SYNTHETIC: MetricKind = "synthetic"


@dataclass(frozen=True)
class MetricSpec:
    """How the metric fed to ``ReduceLROnPlateau.step()`` is made."""

    kind: MetricKind
    expression: Expression | None = None
    values: tuple[float, ...] = ()
    seed: int = 0
    file: str | None = None
    """The logged run read (``values`` hold its numbers), and its column or key."""
    column: str | None = None

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
    return MetricSpec(kind="file", values=logged.values, file=file, column=name)


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
) -> array[float]:
    """The ``count`` values fed to the scheduler ``taker``, one each time the loop steps
    it (``cadence``: ``per batch``, ``per epoch``, ``every 2 epochs``); ``positions`` are
    the (epoch, step) of each (see :func:`lrplot.loop.call_positions`)."""
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
        return array("d", metric.values[:count])
    if metric.kind == "expression":
        assert metric.expression is not None
        return _expression_values(metric.expression, positions, key)
    return synthetic_loss(steps=count, seed=metric.seed)


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
