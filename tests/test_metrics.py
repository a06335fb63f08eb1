"""The metric fed to ReduceLROnPlateau: the documented synthetic loss, expressions, lists."""

from __future__ import annotations

import pytest

from lrplot import ConfigError, parse_spec, simulate
from lrplot.loop import Interval, Stepping, TrainingLoop
from lrplot.metrics import metric_values, parse_metric, synthetic_loss
from tests.reference import synthetic_loss as documented_loss


def test_synthetic_loss_is_the_documented_formula() -> None:
    assert list(synthetic_loss(steps=500)) == documented_loss(500)
    assert list(synthetic_loss(steps=50, seed=7)) == documented_loss(50, seed=7)


def test_synthetic_loss_falls_then_plateaus() -> None:
    values = list(synthetic_loss(steps=300))
    assert values[0] > 0.95
    assert all(0.09 <= v <= 0.112 for v in values[200:])


def test_the_default_metric_is_the_synthetic_loss_with_seed_0() -> None:
    spec = parse_spec(data={"epochs": 40, "scheduler": {"type": "ReduceLROnPlateau"}})
    schedule = simulate(spec=spec)
    assert schedule.metric is not None
    assert list(schedule.metric) == documented_loss(40)


def test_the_seed_can_be_chosen() -> None:
    spec = parse_spec(
        data={
            "epochs": 40,
            "scheduler": {"type": "ReduceLROnPlateau"},
            "metric": {"curve": "synthetic", "seed": 3},
        }
    )
    schedule = simulate(spec=spec)
    assert schedule.metric is not None
    assert list(schedule.metric) == documented_loss(40, seed=3)


def values_of(
    metric: object, *, epochs: int, per_epoch: int, interval: Interval = "step"
) -> list[float]:
    """The metric a scheduler with ``interval`` is fed over a run."""
    loop, stepping = TrainingLoop(epochs, per_epoch), Stepping(interval)
    fed = metric_values(
        parse_metric(metric),
        count=loop.calls(stepping),
        positions=loop.positions(stepping),
        taker="it",
    )
    return list(fed.values)


def test_expressions_see_epoch_and_global_step() -> None:
    values = values_of("epoch * 1000 + step", epochs=2, per_epoch=3)
    assert values == [0.0, 1.0, 2.0, 1003.0, 1004.0, 1005.0]


def test_once_an_epoch_an_expression_sees_the_epochs_last_step() -> None:
    values = values_of("epoch * 1000 + step", epochs=3, per_epoch=4, interval="epoch")
    assert values == [3.0, 1007.0, 2011.0]


def test_a_number_is_a_constant_metric() -> None:
    assert values_of(0.5, epochs=3, per_epoch=1) == [0.5] * 3


def test_a_list_gives_one_value_per_step() -> None:
    assert values_of([3, 2, 1, 0], epochs=3, per_epoch=1) == [3.0, 2.0, 1.0]


def test_the_synthetic_loss_spans_the_steps_it_is_fed_at() -> None:
    assert values_of("synthetic", epochs=5, per_epoch=10, interval="epoch") == documented_loss(5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "metric: expected an expression in epoch and step"),
        ([1, "x"], r"metric\[1\]: expected a number, got 'x'"),
        ([], "got an empty list"),
        ({"curve": "cosine"}, "metric.curve: unknown curve 'cosine'"),
        ({"seed": 1.5}, "metric.seed: expected an integer, got 1.5"),
        ({"sed": 1}, "metric.sed: unknown key; allowed: curve, seed"),
        ("epoch +", "metric: invalid expression"),
    ],
)
def test_bad_metrics(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_metric(value)


def test_non_finite_expression_values_name_the_step() -> None:
    with pytest.raises(ConfigError, match=r"'1e308 \* 10 \*\* step' gave inf at epoch=1, step=1"):
        values_of("1e308 * 10 ** step", epochs=3, per_epoch=1)
