"""The one operation budget: every cost a config can cause is counted before the run
starts, and a run over it is one ``Error:`` line naming the key and the bound."""

from __future__ import annotations

import inspect
import math

import pytest
from click.testing import CliRunner

from lrplot import parse_spec
from lrplot.cli import cli
from lrplot.limits import SHIFTED_PER_OPERATION
from lrplot.simulation.budget import operations

pytest.importorskip("transformers")

LIMIT = (
    "more than the limit of 16,000 (16 per step allowed by --max-steps 1,000; raise it with "
    "--max-steps)"
)


def validate(runner: CliRunner, config: object, *extra: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(config), "--max-steps", "1000", *extra])
    return result.exit_code, result.stderr


def passes(runner: CliRunner, config: object) -> bool:
    code, stderr = validate(runner, config)
    return code == 0 and "Error" not in stderr


def milestones(count: int) -> str:
    return "[" + ", ".join(str(5 * i) for i in range(1, count + 1)) + "]"


def test_a_list_argument_counts_its_length_at_every_step(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 1000\nscheduler:\n  type: MultiStepLR\n"
        f"  milestones: {milestones(20)}\n  fractional_epoch: true\n"
    )
    assert validate(runner, config) == (
        1,
        f"Error: {config}: scheduler.milestones: 1,000 steps x 23 operations each (param "
        "groups x schedulers, an expression counted by its size, with fractional_epoch a "
        "list by its length: "
        f"milestones holds 20) = 23,000, {LIMIT} (line 4)\n",
    )
    config.write_text(config.read_text().replace(milestones(20), milestones(10)))
    assert passes(runner, config)  # 1,000 x 13: within the budget


def test_a_list_read_one_item_a_step_costs_no_more(runner: CliRunner, write_config) -> None:
    """Stepped plainly, MultiStepLR looks its step up in a Counter; nested in
    SequentialLR, it is stepped with an epoch once, when its turn comes: the same
    milestones that are over the budget with fractional_epoch run."""
    plain = write_config(
        f"epochs: 1000\nscheduler:\n  type: MultiStepLR\n  milestones: {milestones(2000)}\n"
    )
    assert passes(runner, plain)
    nested = write_config(
        "epochs: 1000\nscheduler:\n  type: SequentialLR\n  milestones: [2]\n  schedulers:\n"
        "    - {type: LinearLR, total_iters: 2}\n"
        f"    - {{type: MultiStepLR, milestones: {milestones(2000)}}}\n",
        "nested.yaml",
    )
    assert passes(runner, nested)
    plain.write_text(plain.read_text() + "  fractional_epoch: true\n")
    code, stderr = validate(runner, plain)
    assert code == 1
    assert stderr.startswith(f"Error: {plain}: scheduler.milestones: 1,000 steps x 2,003 ")


GREEDY = "epochs: 100000\nscheduler:\n  type: transformers.get_greedy_schedule\n"
GREEDY_LIMIT = (
    "more than the limit of 1,600,000 (16 per step allowed by --max-steps 100,000; raise it "
    "with --max-steps)"
)


def validate_greedy(runner: CliRunner, config: object) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(config), "--max-steps", "100000"])
    return result.exit_code, result.stderr


def test_greedy_lrs_smoothing_window_counts_what_it_shifts(
    runner: CliRunner, write_config
) -> None:
    config = write_config(GREEDY + "  smooth: true\n  window_size: 10000\n")
    assert validate_greedy(runner, config) == (
        1,
        f"Error: {config}: scheduler.window_size: 100,000 steps x 3 operations each (param "
        "groups x schedulers, an expression counted by its size) + 1,855,479 for a window of "
        "up to 10,000 values (smooth: true), shifted at each of its 100,000 steps "
        "(950,005,000 values shifted, 512 an operation) = 2,155,479, "
        f"{GREEDY_LIMIT} (line 5)\n",
    )
    config.write_text(GREEDY + "  smooth: true\n  window_size: 5000\n")
    assert validate_greedy(runner, config)[0] == 0  # 300,000 + 952,154
    config.write_text(GREEDY + "  smooth: false\n  window_size: 400000\n")
    assert validate_greedy(runner, config)[0] == 0  # no smoothing, no window


def test_greedy_lrs_default_window_counts_too() -> None:
    def spec(window: dict[str, int]) -> object:
        scheduler = {"type": "transformers.get_greedy_schedule", "smooth": True, **window}
        return parse_spec(data={"epochs": 1000, "scheduler": scheduler})

    from transformers.optimization import GreedyLR

    default = inspect.signature(GreedyLR).parameters["window_size"].default
    counted = operations(spec({}))  # type: ignore[arg-type]
    assert counted == operations(spec({"window_size": default}))  # type: ignore[arg-type]
    assert counted > operations(spec({"window_size": 1}))  # type: ignore[arg-type]


def test_greedy_named_by_get_scheduler_counts_its_window(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 100000\nscheduler:\n  type: transformers.get_scheduler\n  name: greedy\n"
        "  scheduler_specific_kwargs: {smooth: true, window_size: 10000}\n"
    )
    code, stderr = validate_greedy(runner, config)
    assert code == 1
    assert stderr.startswith(
        f"Error: {config}: scheduler.scheduler_specific_kwargs.window_size: 100,000 steps x "
    )
    assert stderr.endswith(f"= 2,155,479, {GREEDY_LIMIT} (line 5)\n")


def test_a_window_stepped_less_often_costs_less(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 100000\nschedulers:\n  - type: transformers.get_greedy_schedule\n"
        "    smooth: true\n    window_size: 10000\n    every: 4\n"
    )
    assert validate_greedy(runner, config)[0] == 0  # 25,000 calls: 300,000 + 390,635


@pytest.mark.parametrize(("window", "calls"), [(20, 1000), (20, 7), (1, 50), (3, 3)])
def test_the_window_is_counted_as_transformers_shifts_it(window: int, calls: int) -> None:
    """What the count adds is what transformers' own StreamingAverage holds after each
    of its steps (each step's ``pop(0)`` moves them all), SHIFTED_PER_OPERATION an
    operation."""
    from transformers.optimization import StreamingAverage

    average, held = StreamingAverage(window), 0
    for step in range(calls):
        average.streamavg(float(step))
        held += len(average.values)

    def spec(smooth: bool) -> object:
        scheduler = {"type": "transformers.get_greedy_schedule", "smooth": smooth}
        return parse_spec(
            data={"epochs": calls, "scheduler": {**scheduler, "window_size": window}}
        )

    extra = operations(spec(True)) - operations(spec(False))  # type: ignore[arg-type]
    assert extra == math.ceil(held / SHIFTED_PER_OPERATION)


def test_the_reported_slow_cases_are_refused_at_the_default_limit(
    runner: CliRunner, write_config
) -> None:
    """The issue's cases (99,000 milestones stepped with fractional epochs for 100,000
    steps, 67 s; here 20,000, parsed faster), GreedyLR's window of 400,000 over 800,000
    steps (88 s)."""
    config = write_config(
        "epochs: 100\nsteps_per_epoch: 1000\nscheduler:\n  type: MultiStepLR\n"
        f"  milestones: [{', '.join(['5'] * 20_000)}]\n  fractional_epoch: true\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler.milestones: 100,000 steps x 20,003 operations each (param "
        "groups x schedulers, an expression counted by its size, with fractional_epoch a "
        "list by its length: "
        "milestones holds 20,000) = 2,000,300,000, more than the limit of 160,000,000 (16 per "
        "step allowed by --max-steps 10,000,000; raise it with --max-steps) (line 5)\n"
    )
    config = write_config(
        "epochs: 1\nsteps_per_epoch: 800000\nscheduler:\n"
        "  type: transformers.get_greedy_schedule\n  smooth: true\n  window_size: 400000\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler.window_size: 800,000 steps x 3 operations each (param "
        "groups x schedulers, an expression counted by its size) + 468,750,391 for a "
        "window of up to 400,000 values (smooth: true), shifted at each of its 800,000 steps "
        "(240,000,200,000 values shifted, 512 an operation) = 471,150,391, more than the "
        "limit of 160,000,000 (16 per step allowed by "
        "--max-steps 10,000,000; raise it with --max-steps) (line 6)\n"
    )
