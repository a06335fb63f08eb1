"""What ReduceLROnPlateau is fed: an expression, a list of numbers, or the synthetic loss.

The synthetic loss (the default) is, at step ``s`` of ``N`` steps, in Python's floats and
evaluated as written::

    loss(s) = 0.1 + 0.9 * exp(-20.0 * s / N) + 0.01 * (2.0 * u_s - 1.0)

where ``u_s`` is the ``s``-th draw of ``random.Random(seed).random()`` (``seed`` 0 unless
given). It falls over the first third of the run, then plateaus at 0.1 with +-0.01 noise:
a loss curve shaped like a real one, and the same numbers on every run and machine.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from typing import Any, Literal

from lrplot.configfile import child_key
from lrplot.errors import ConfigError, ExpressionError, excerpt
from lrplot.expressions import Expression, compile_expression, quoted

MetricKind = Literal["synthetic", "expression", "values"]
METRIC_VARIABLES = ("epoch", "step")
SYNTHETIC: MetricKind = "synthetic"


@dataclass(frozen=True)
class MetricSpec:
    """How the metric fed to ``ReduceLROnPlateau.step()`` is made."""

    kind: MetricKind
    expression: Expression | None = None
    values: tuple[float, ...] = ()
    seed: int = 0

    def describe(self) -> str:
        if self.kind == "expression" and self.expression is not None:
            return self.expression.text
        if self.kind == "values":
            return f"{len(self.values)} values given"
        return "synthetic loss" if self.seed == 0 else f"synthetic loss (seed {self.seed})"


DEFAULT_METRIC = MetricSpec(kind=SYNTHETIC)


def parse_metric(value: Any, *, key: str = "metric") -> MetricSpec:
    """Validate the ``metric:`` value of a config."""
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
    if isinstance(value, dict):
        return _parse_synthetic(value, key)
    raise ConfigError(_WHAT_METRIC + f", got {excerpt(value)}", key=key)


_WHAT_METRIC = (
    "expected an expression in epoch and step (such as `epoch`), a list of numbers, "
    "`synthetic`, or {curve: synthetic, seed: N}"
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
    metric: MetricSpec, *, steps: int, steps_per_epoch: int, key: str = "metric"
) -> array[float]:
    """The ``steps`` metric values, one per scheduler step."""
    if metric.kind == "values":
        if len(metric.values) < steps:
            raise ConfigError(
                f"{len(metric.values)} values given, but {steps} steps are plotted; "
                "give one value per step",
                key=key,
            )
        return array("d", metric.values[:steps])
    if metric.kind == "expression":
        assert metric.expression is not None
        return _expression_values(metric.expression, steps, steps_per_epoch, key)
    return synthetic_loss(steps=steps, seed=metric.seed)


def synthetic_loss(*, steps: int, seed: int = 0) -> array[float]:
    """The documented synthetic loss curve (see the module docstring)."""
    draw = random.Random(seed).random
    exp = math.exp
    return array(
        "d",
        (0.1 + 0.9 * exp(-20.0 * s / steps) + 0.01 * (2.0 * draw() - 1.0) for s in range(steps)),
    )


def _expression_values(
    expression: Expression, steps: int, steps_per_epoch: int, key: str
) -> array[float]:
    values = array("d")
    env = {"epoch": 0.0, "step": 0.0}
    for step in range(steps):
        env["epoch"] = step // steps_per_epoch
        env["step"] = step
        value = expression.evaluate(env)
        if not math.isfinite(value):
            raise ExpressionError(
                f"{quoted(expression.text)} gave {value!r} at epoch={env['epoch']:.0f}, "
                f"step={step}; a metric must be a finite number",
                key=key,
            )
        values.append(value)
    return values
