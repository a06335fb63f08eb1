"""The metric fed to ReduceLROnPlateau: the documented synthetic loss, expressions, lists."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot import ConfigError, parse_spec, simulate
from lrplot.cli import cli
from lrplot.config.loop import Interval, Stepping, TrainingLoop
from lrplot.config.metrics import metric_values, parse_metric, synthetic_loss
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


def test_a_step_fed_no_new_value_is_fed_the_last_again(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 2\nsteps_per_epoch: 3\nscheduler: {type: ReduceLROnPlateau, every: 2}\n"
        "metric: {file: m.csv, column: val_loss}\n"
    )
    (config.parent / "m.csv").write_text("epoch,step,val_loss\n0,1,1.0\n1,5,0.9\n")
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    fed = [row["metric"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert fed == ["", "1.0", "", "1.0", "", "0.9"]
    assert result.stderr == (
        f"Notice: {config}: metric: m.csv, 'val_loss': ReduceLROnPlateau is stepped 1 time "
        "with no value logged since the last (first at step 3): it is fed the latest again, "
        "as Lightning feeds its monitor's\n"
    )


def test_a_run_resumed_into_the_same_log_replaces_what_it_logs_again(
    runner: CliRunner, write_config
) -> None:
    config = write_config(
        "epochs: 4\nsteps_per_epoch: 2\n"
        "scheduler: {type: ReduceLROnPlateau, interval: epoch}\n"
        "metric: {file: m.csv, column: val_loss}\n"
    )
    # Lightning appends a run resumed at step 2 to the metrics.csv of the run it resumes.
    (config.parent / "m.csv").write_text(
        "epoch,step,val_loss\n0,1,1.0\n1,3,0.9\n2,5,0.8\n1,3,0.7\n2,5,0.6\n3,7,0.5\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    fed = [row["metric"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert fed == ["", "1.0", "", "0.7", "", "0.6", "", "0.5"]
    assert result.stderr == (
        f"Notice: {config}: metric: m.csv, 'val_loss': 2 of its 6 values are not used: steps "
        "3, 5, logged again later (a run resumed into the same log)\n"
    )


def test_values_logged_between_two_steps_feed_the_latest(
    runner: CliRunner, write_config, tmp_path: Path
) -> None:
    config = write_config(
        "epochs: 4\nsteps_per_epoch: 3\nscheduler: {type: ReduceLROnPlateau, interval: epoch}\n"
        "metric: {file: m.csv, column: loss}\n"
    )
    (tmp_path / "m.csv").write_text("step,loss\n" + "".join(f"{s},{12 - s}\n" for s in range(12)))
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    fed = [row["metric"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert fed == ["", "", "10.0", "", "", "7.0", "", "", "4.0", "", "", "1.0"]
    assert result.stderr == (
        f"Notice: {config}: metric: m.csv, 'loss': 8 of its 12 values are not used: steps 0, "
        "1, 3, 4, 6, 7, ... (8 in all), each followed by another before ReduceLROnPlateau is "
        "stepped\n"
    )


def test_a_log_without_steps_feeds_its_values_in_order(
    runner: CliRunner, write_config, tmp_path: Path
) -> None:
    config = write_config(
        "epochs: 3\nsteps_per_epoch: 2\nscheduler: {type: ReduceLROnPlateau, interval: epoch}\n"
        "metric: {file: m.csv, column: loss}\n"
    )
    (tmp_path / "m.csv").write_text("loss\n3\n2\n1\n0.5\n")
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    fed = [row["metric"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert fed == ["", "3.0", "", "2.0", "", "1.0"]
    assert result.stderr == ""
