"""The training loop's arithmetic: steps per epoch from the data, and when each scheduler steps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrplot.loop import Batches, Interval, Stepping, TrainingLoop
from tests.reference import steps_per_epoch


@settings(max_examples=300, deadline=None)
@given(
    dataset_size=st.integers(1, 10**7),
    batch_size=st.integers(1, 4096),
    world_size=st.integers(1, 512),
    grad_accum=st.integers(1, 64),
    drop_last=st.booleans(),
)
def test_steps_per_epoch_are_what_a_sampler_loader_and_accumulation_make(
    dataset_size: int, batch_size: int, world_size: int, grad_accum: int, drop_last: bool
) -> None:
    data: dict[str, int | bool] = {
        "dataset_size": dataset_size,
        "batch_size": batch_size,
        "world_size": world_size,
        "grad_accum": grad_accum,
        "drop_last": drop_last,
    }
    batches = Batches(dataset_size, batch_size, world_size, grad_accum, drop_last)
    assert batches.steps == steps_per_epoch(data)


def test_the_arithmetic_is_shown_in_words() -> None:
    assert Batches(1281167, 64, world_size=8, grad_accum=2).explain() == (
        "1,281,167 samples / 8 processes = 160,146 each / 64 per batch = 2,503 batches "
        "(the last one short) / 2 accumulated = 1,251 optimizer steps"
    )
    assert Batches(1000, 64, drop_last=True).explain() == (
        "1,000 samples / 64 per batch = 15 batches (dropping the last short batch)"
    )


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
