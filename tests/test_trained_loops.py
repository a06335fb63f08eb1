"""The loops lrplot models, against the real HF and Lightning trainers: the optimizer steps
they make, when they step a scheduler, and what a metric they logged feeds."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from lrplot.cli import cli
from tests.trainers import TrainerRun, Trainers

HF_PLATEAU = "transformers.get_reduce_on_plateau_schedule"
LIGHTNING_PLATEAU = {"type": "ReduceLROnPlateau", "patience": 0, "factor": 0.5}


def hex_of(values: Any) -> list[str]:
    return [float(v).hex() for v in values]


def render(runner: CliRunner, config: Path) -> tuple[list[dict[str, str]], str]:
    """The CSV rows lrplot renders for ``config``, and the notices it said on stderr (what
    a run's losses warn of is tests/checks/test_mistakes.py's)."""
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    notices = [line for line in result.stderr.splitlines(True) if not line.startswith("Warning:")]
    return list(csv.DictReader(io.StringIO(result.stdout))), "".join(notices)


def beside(run: TrainerRun, folder: Path, config: str) -> Path:
    """``config`` written in ``folder``, with a copy of the run's log beside it."""
    shutil.copy(run.log, folder / run.log.name)
    path = folder / "plan.yaml"
    path.write_text(config)
    return path


def hf_plateau(trainers: Trainers, **kw: Any) -> TrainerRun:
    """An HF run of 3 epochs (unless said), its reduce_lr_on_plateau cutting at once."""
    settings = {
        "num_train_epochs": 3,
        "gradient_accumulation_steps": 2,
        "lr_scheduler_type": "reduce_lr_on_plateau",
        "lr_scheduler_kwargs": {"patience": 0, "factor": 0.5},
        "learning_rate": 1e-3,
        **kw,
    }
    return trainers.hf(**settings)


def hf_plan(data: str, cadence: str, *, epochs: int = 3, lr: float = 0.001) -> str:
    """The plan of :func:`hf_plateau`'s run: ``data`` the steps' data, ``cadence`` how
    its plateau is stepped."""
    return (
        f"epochs: {epochs}\nsteps_per_epoch: {{{data}, loop: transformers}}\n"
        f"optimizer: {{type: AdamW, lr: {lr}}}\n"
        f"scheduler: {{type: {HF_PLATEAU}, patience: 0, factor: 0.5, {cadence}}}\n"
        "metric: {file: trainer_state.json, key: eval_loss}\n"
    )


EVERY_2 = {"dataset_size": 40, "eval_strategy": "steps", "eval_steps": 2}
EVERY_2_DATA = "dataset_size: 40, batch_size: 8, grad_accum: 2"


def test_hf_steps_with_a_remainder_and_a_plateau_every_n_steps(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run = hf_plateau(trainers, eval_on_start=True, **EVERY_2)
    assert len(set(run.lrs[0])) > 1  # the plateau cut the lr
    config = beside(run, tmp_path, hf_plan(EVERY_2_DATA, "every: 2"))
    rows, said = render(runner, config)
    assert hex_of(row["lr"] for row in rows) == hex_of(run.lrs[0])
    assert said == (
        f"Notice: {config}: metric: trainer_state.json, 'eval_loss': 2 of its 6 values are not "
        "used: step 0, logged before training (as HF's eval_on_start: no scheduler is stepped); "
        "step 9, after get_reduce_on_plateau_schedule is last stepped, at step 8\n"
    )
    checked = runner.invoke(cli, ["validate", str(config)])
    assert checked.stdout.startswith(
        f"{config}: ok: {run.optimizer_steps} steps (3 epochs x {run.optimizer_steps // 3}); "
        f"steps per epoch: 40 samples / 8 per batch = {run.batches_per_epoch} batches (all full) "
        "/ 2 accumulated"
    )


def test_hf_evaluating_each_epoch_with_drop_last(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run = hf_plateau(
        trainers,
        dataset_size=60,
        num_train_epochs=4,
        dataloader_drop_last=True,
        eval_strategy="epoch",
        eval_on_start=True,
        learning_rate=3e-3,
    )
    assert len(set(run.lrs[0])) > 1
    data = "dataset_size: 60, batch_size: 8, grad_accum: 2, drop_last: true"
    config = beside(run, tmp_path, hf_plan(data, "interval: epoch", epochs=4, lr=0.003))
    rows, said = render(runner, config)
    assert len(rows) == run.optimizer_steps
    assert hex_of(row["lr"] for row in rows) == hex_of(run.lrs[0])
    assert said == (
        f"Notice: {config}: metric: trainer_state.json, 'eval_loss': 1 of its 5 values are not "
        "used: step 0, logged before training (as HF's eval_on_start: no scheduler is stepped)\n"
    )


def test_a_resumed_hf_run_feeds_a_plan_resumed_where_it_was(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run = hf_plateau(trainers, resume_at=4, **EVERY_2)
    config = beside(run, tmp_path, hf_plan(EVERY_2_DATA, "every: 2") + "resume_at: 4\n")
    rows, _ = render(runner, config)
    assert len(rows) == 4 + len(run.lrs[0])
    assert hex_of(row["lr_resumed"] for row in rows[4:]) == hex_of(run.lrs[0])
    assert len(set(run.lrs[0])) > 1


def lightning_stepped(
    trainers: Trainers, tmp_path: Path, frequency: int
) -> tuple[TrainerRun, Path]:
    """A Lightning run of 3 epochs of 7 batches, accumulating 2, whose StepLR is stepped
    with ``interval: step`` and ``frequency``; and its plan."""
    run = trainers.lightning(
        dataset_size=60,
        drop_last=True,
        max_epochs=3,
        accumulate_grad_batches=2,
        scheduler={"type": "StepLR", "step_size": 1, "gamma": 0.5},
        interval="step",
        frequency=frequency,
    )
    config = tmp_path / "plan.yaml"
    config.write_text(
        "epochs: 3\nsteps_per_epoch:\n"
        "  {dataset_size: 60, batch_size: 8, grad_accum: 2, drop_last: true, loop: lightning}\n"
        "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        f"scheduler: {{type: StepLR, step_size: 1, gamma: 0.5, frequency: {frequency}}}\n"
    )
    return run, config


def test_lightning_steps_on_a_last_partial_accumulation_and_counts_frequency_in_batches(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run, config = lightning_stepped(trainers, tmp_path, 2)
    rows, said = render(runner, config)
    assert said == ""
    assert len(rows) == run.optimizer_steps
    assert hex_of(row["lr"] for row in rows) == hex_of(run.lrs[0])
    checked = runner.invoke(cli, ["validate", str(config)])
    assert checked.stdout.startswith(
        f"{config}: ok: {run.optimizer_steps} steps (3 epochs x {run.optimizer_steps // 3}); "
        f"steps per epoch: 60 samples / 8 per batch = {run.batches_per_epoch} batches "
        f"(dropping the last short batch) / 2 accumulated = {run.optimizer_steps // 3} "
        "optimizer steps (Lightning: rounded up, a last partial accumulation steps too); "
    )


def test_a_frequency_lightning_never_reaches_warns(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run, config = lightning_stepped(trainers, tmp_path, 5)
    assert len(set(run.lrs[0])) == 1  # Lightning never stepped it
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert hex_of(row["lr"] for row in rows) == hex_of(run.lrs[0])
    assert result.stderr == (
        f"Warning: {config}: scheduler.frequency: frequency is 5, but Lightning checks it "
        "against the batches of the epoch only where the optimizer steps (every 2 batches, and "
        "the last of 7), none a multiple of 5, so StepLR is never stepped (line 5) "
        "[never-stepped]\n"
    )


def lightning_plateau(trainers: Trainers, **kw: Any) -> TrainerRun:
    """A Lightning run whose ReduceLROnPlateau is fed the val_loss of each epoch."""
    return trainers.lightning(
        dataset_size=40, max_epochs=4, scheduler=LIGHTNING_PLATEAU, interval="epoch", **kw
    )


PLATEAU_PLAN = (
    "epochs: 4\nsteps_per_epoch: {dataset_size: 40, batch_size: 8, loop: lightning}\n"
    "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
    "scheduler: {type: ReduceLROnPlateau, patience: 0, factor: 0.5, interval: epoch}\n"
    "metric: {file: metrics.csv, column: val_loss}\n"
)


def test_lightnings_val_loss_feeds_its_plateau_each_epoch(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run = lightning_plateau(trainers)
    assert len(set(run.lrs[0])) > 1
    rows, said = render(runner, beside(run, tmp_path, PLATEAU_PLAN))
    assert said == ""
    assert hex_of(row["lr"] for row in rows) == hex_of(run.lrs[0])


def test_a_plan_stepped_before_anything_is_logged_is_an_error(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    config = beside(
        lightning_plateau(trainers), tmp_path, PLATEAU_PLAN.replace(", interval: epoch", "")
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: metric: metrics.csv, 'val_loss': ReduceLROnPlateau is first stepped "
        "at step 0 (epoch 0), but no value is logged by then (the first is at step 4); for a "
        "run resumed from a checkpoint, give resume_at: the step it resumed at (line 5)\n"
    )


def test_a_resumed_lightning_log_feeds_a_plan_resumed_where_it_starts(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    run = lightning_plateau(trainers, resume_at_epoch=2)
    config = beside(run, tmp_path, PLATEAU_PLAN + "resume_at: 10\n")
    rows, said = render(runner, config)
    assert len(rows) == 10 + len(run.lrs[0])
    assert said == (
        f"Notice: {config}: metric: metrics.csv, 'val_loss': logs nothing before step 10, "
        "where the run resumes (resume_at): ReduceLROnPlateau is not stepped the 2 times before "
        "it, so the run resumes with it unstepped\n"
    )
    without = beside(run, tmp_path, PLATEAU_PLAN)
    result = runner.invoke(cli, ["validate", str(without)])
    assert result.stderr == (
        f"Error: {without}: metric: metrics.csv, 'val_loss': ReduceLROnPlateau is first stepped "
        "at step 4 (epoch 0), but no value is logged by then (the first is at step 14); for a "
        "run resumed from a checkpoint, give resume_at: the step it resumed at (line 5)\n"
    )
