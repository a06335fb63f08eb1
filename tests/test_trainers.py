"""The real-trainer harness records every optimizer step the trainers make."""

from __future__ import annotations

import math

from tests.trainers import Trainers


def test_an_hf_run_records_each_optimizer_step(trainers: Trainers) -> None:
    run = trainers.hf(num_train_epochs=2, learning_rate=1e-3, gradient_accumulation_steps=3)
    batches = math.ceil(64 / 8)
    assert run.batches_per_epoch == batches
    assert len(run.lrs) == 2  # HF's optimizer: the decayed and the not-decayed parameters
    assert len(run.lrs[0]) == len(run.momenta[1]) == run.optimizer_steps
    assert run.log.is_file()
    assert (run.folder / "config.json").is_file()


def test_a_lightning_run_records_each_group_and_step(trainers: Trainers) -> None:
    run = trainers.lightning(
        groups=("backbone", "head"), scheduler={"type": "StepLR", "step_size": 2}, max_epochs=2
    )
    assert len(run.lrs) == len(run.momenta) == 2
    assert len(run.lrs[0]) == run.optimizer_steps == 2 * run.batches_per_epoch
    assert run.log.name == "metrics.csv"
    assert run.log.read_text().startswith("epoch,lr-SGD/backbone,")
