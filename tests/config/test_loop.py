"""The training loop's arithmetic: steps per epoch from the data, and when each scheduler steps."""

from __future__ import annotations

import csv
import io
from importlib.metadata import version
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lrplot.cli import cli
from lrplot.config.loop import LOOPS, Batches, Interval, LoopName, Stepping, TrainingLoop
from tests.reference import batches_per_process, reference_run, steps_per_epoch


@settings(max_examples=200, deadline=None)
@given(
    dataset_size=st.integers(1, 200_000),
    batch_size=st.integers(1, 4096),
    world_size=st.integers(1, 512),
    grad_accum=st.integers(1, 64),
    drop_last=st.booleans(),
    loop=st.sampled_from(LOOPS),
)
def test_steps_per_epoch_are_what_the_loops_samplers_and_loaders_make(
    dataset_size: int,
    batch_size: int,
    world_size: int,
    grad_accum: int,
    drop_last: bool,
    loop: LoopName,
) -> None:
    data: dict[str, int | bool | str] = {
        "dataset_size": dataset_size,
        "batch_size": batch_size,
        "world_size": world_size,
        "grad_accum": grad_accum,
        "drop_last": drop_last,
        "loop": loop,
    }
    batches = Batches(dataset_size, batch_size, world_size, grad_accum, drop_last, loop)
    assert batches.batches == batches_per_process(data)
    if batches.batches == 0:  # transformers counts 1, but an empty epoch trains nothing
        assert batches.steps == 0
    else:
        assert batches.steps == steps_per_epoch(data)


@pytest.mark.parametrize("loop", LOOPS)
def test_two_processes_split_as_torch_and_accelerate_split_them(loop: LoopName) -> None:
    from accelerate.data_loader import BatchSamplerShard  # type: ignore[import-untyped]
    from torch.utils.data import BatchSampler, DataLoader, DistributedSampler, SequentialSampler

    data: Any = range(100_001)
    if loop.startswith("transformers"):
        batches = BatchSampler(SequentialSampler(data), 40, drop_last=False)
        lengths = [
            len(BatchSamplerShard(batches, num_processes=2, process_index=i)) for i in (0, 1)
        ]
    else:
        lengths = [
            len(DataLoader(data, batch_size=40, sampler=DistributedSampler(data, 2, rank=i)))
            for i in (0, 1)
        ]
    counted = Batches(100_001, 40, world_size=2, grad_accum=2, loop=loop)
    assert lengths == [counted.batches] * 2
    assert counted.batches % 2  # a last, partial accumulation: the loops differ on it
    assert counted.steps == steps_per_epoch({**vars(counted)})


@settings(max_examples=200, deadline=None)
@given(
    interval=st.sampled_from(["step", "epoch"]),
    frequency=st.integers(1, 12),
    epochs=st.integers(1, 12),
    per_epoch=st.integers(1, 12),
)
def test_the_counts_agree_with_the_positions(
    interval: Interval, frequency: int, epochs: int, per_epoch: int
) -> None:
    loop, stepping = TrainingLoop(epochs, per_epoch), Stepping(interval, frequency)
    positions = list(loop.positions(stepping))
    assert len(positions) == loop.calls(stepping)
    for position in range(epochs * per_epoch + 1):
        done = sum(1 for _, step in positions if step < position)
        assert loop.calls_before(stepping, position) == done
    for epoch, step in positions:
        assert step // per_epoch == epoch
        batch = step % per_epoch
        if interval == "step":
            assert (batch + 1) % frequency == 0
        else:
            assert batch == per_epoch - 1
            assert (epoch + 1) % frequency == 0


@pytest.mark.parametrize(
    ("interval", "frequency", "expected"),
    [
        ("step", 1, [(0, 0), (0, 1), (0, 2), (1, 3), (1, 4), (1, 5)]),
        ("step", 2, [(0, 1), (1, 4)]),
        ("epoch", 1, [(0, 2), (1, 5)]),
        ("epoch", 2, [(1, 5)]),
    ],
)
def test_positions_by_hand(
    interval: Interval, frequency: int, expected: list[tuple[int, int]]
) -> None:
    assert list(TrainingLoop(2, 3).positions(Stepping(interval, frequency))) == expected


@settings(max_examples=200, deadline=None)
@given(
    interval=st.sampled_from(["step", "epoch"]),
    frequency=st.integers(1, 12),
    every=st.one_of(st.none(), st.integers(1, 40)),
    epochs=st.integers(1, 6),
    batches=st.integers(1, 20),
    grad_accum=st.integers(1, 5),
)
def test_every_way_of_counting_agrees_with_itself(
    interval: Interval,
    frequency: int,
    every: int | None,
    epochs: int,
    batches: int,
    grad_accum: int,
) -> None:
    lightning = Batches(batches, 1, grad_accum=grad_accum, loop="lightning")
    loop = lightning.training_loop(epochs)
    stepping = Stepping("step" if every else interval, frequency, every)
    positions = list(loop.positions(stepping))
    assert len(positions) == loop.calls(stepping)
    for position in range(loop.steps + 1):
        done = sum(1 for _, step in positions if step < position)
        assert loop.calls_before(stepping, position) == done
    if stepping.interval == "step":
        stepped = loop.stepper(stepping)
        per_epoch = loop.steps_per_epoch
        expected = [s for s in range(loop.steps) if stepped(s % per_epoch, s)]
        assert [step for _, step in positions] == expected


def test_the_arithmetic_names_the_loops_rule() -> None:
    installed = version("transformers")
    data: dict[str, Any] = {"dataset_size": 1281167, "batch_size": 64, "world_size": 8}
    data["grad_accum"] = 2
    assert Batches(**data, loop="lightning").explain() == (
        "1,281,167 samples / 8 processes = 160,146 each / 64 per batch = 2,503 batches "
        "(the last one short) / 2 accumulated = 1,252 optimizer steps (Lightning: rounded up, "
        "a last partial accumulation steps too)"
    )
    assert Batches(**data, loop="transformers").explain() == (
        "1,281,167 samples / 64 per batch = 20,019 batches (the last one short) / 8 processes "
        "= 2,503 each (whole batches, from accelerate's BatchSamplerShard, evened up) / 2 "
        f"accumulated = 1,252 optimizer steps (transformers {installed}: rounded up, at least 1)"
    )
    assert Batches(**data, drop_last=True, loop="transformers<4.52").explain() == (
        "1,281,167 samples / 64 per batch = 20,018 batches (dropping the last short batch) / 8 "
        "processes = 2,502 each (whole batches, from accelerate's BatchSamplerShard, the rest "
        "dropped) / 2 accumulated = 1,251 optimizer steps (transformers<4.52: rounded down, at "
        "least 1)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: ReduceLROnPlateau, interval: step, frequency: 1000}",
            "scheduler.frequency: frequency is 1,000, more than the 50 steps of an epoch, counted "
            "again from each epoch's start, so ReduceLROnPlateau is never stepped (line 3)",
        ),
        (
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: ReduceLROnPlateau, interval: step, frequency: 200}",
            "scheduler.frequency: frequency is 200, more than the 50 steps of an epoch, counted "
            "again from each epoch's start, so ReduceLROnPlateau is never stepped; every: 200 "
            "counts optimizer steps over the whole run (HF's eval_steps) (line 3)",
        ),
        (
            "epochs: 10\nscheduler: {type: StepLR, step_size: 1, interval: epoch, frequency: 11}",
            "scheduler.frequency: frequency is 11, more than the run's 10 epochs, so StepLR is "
            "never stepped (line 2)",
        ),
        (
            "epochs: 10\nsteps_per_epoch: 50\nscheduler: {type: ReduceLROnPlateau, every: 501}",
            "scheduler.every: every is 501, more than the run's 500 steps, so ReduceLROnPlateau "
            "is never stepped (line 3)",
        ),
    ],
)
def test_a_frequency_never_reached_warns_in_these_words(
    text: str, message: str, runner: CliRunner, write_config
) -> None:
    config = write_config(text + "\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0
    assert result.stderr == f"Warning: {config}: {message} [never-stepped]\n"


def test_a_plateau_stepped_every_few_batches_says_so(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 20\nsteps_per_epoch: 100\n"
        "scheduler: {type: ReduceLROnPlateau, patience: 3, frequency: 4}\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.stderr == (
        f"Warning: {config}: scheduler: ReduceLROnPlateau is stepped every 4 batches (25 an "
        "epoch), so patience 3 counts those steps, not epochs: interval: epoch steps it once an "
        "epoch, after validation (line 3) [plateau-per-batch]\n"
    )
    config.write_text(config.read_text().replace("frequency: 4", "every: 400"))
    assert runner.invoke(cli, ["validate", "--strict", str(config)]).exit_code == 0


def test_every_counts_optimizer_steps_across_epochs(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 3\nsteps_per_epoch: 4\nscheduler: {type: StepLR, step_size: 1, every: 3}\n"
        "optimizer: {type: SGD, lr: 1.0}\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    expected = reference_run(yaml.safe_load(config.read_text()), config.parent)["lr"][0]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [float(row["lr"]).hex() for row in rows] == [v.hex() for v in expected]
    assert len(set(expected)) == 4  # stepped after steps 2, 5 and 8: across epoch ends
