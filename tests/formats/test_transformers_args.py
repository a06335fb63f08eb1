"""TrainingArguments files against transformers itself: each parsed by ``HfArgumentParser``
into ``TrainingArguments`` and trained by a real ``Trainer`` (tests/trainers.py), and
planned by ``lrplot render``: the same lr at every optimizer step, bit for bit, and the
same number of steps."""

from __future__ import annotations

import csv
import io
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.trainers import TrainerRun, Trainers

PARSER_OUTPUT = "unused"


def parsed(path: Path) -> dict[str, Any]:
    """The file's keys as ``HfArgumentParser(TrainingArguments)`` reads them (its own
    ``parse_yaml_file`` or ``parse_json_file``), but ``output_dir``."""
    from transformers import HfArgumentParser, TrainingArguments

    parser = HfArgumentParser(TrainingArguments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.suffix == ".json":
            (args,) = parser.parse_json_file(path)
        else:
            (args,) = parser.parse_yaml_file(path)
        import yaml

        keys = yaml.safe_load(path.read_text())
    return {key: getattr(args, key) for key in keys if key != "output_dir"}


def trained(trainers: Trainers, path: Path, dataset_size: int) -> TrainerRun:
    """The real Trainer's run of the file ``path`` on ``dataset_size`` samples."""
    return trainers.hf(**parsed(path), dataset_size=dataset_size)


def planned(runner: CliRunner, path: Path, *options: str) -> tuple[list[dict[str, str]], str]:
    """lrplot's CSV rows for ``path``, and what it said on stderr."""
    result = runner.invoke(cli, ["render", str(path), "-f", "csv", "-o", "-", *options])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def hex_of(values: Any) -> list[str]:
    return [float(value).hex() for value in values]


def assert_same(rows: list[dict[str, str]], run: TrainerRun) -> None:
    """lrplot's plan is the run: its steps, and both param groups' lr at each."""
    assert len(rows) == run.optimizer_steps
    assert hex_of(row["lr_decay"] for row in rows) == hex_of(run.lrs[0])
    assert hex_of(row["lr_no_decay"] for row in rows) == hex_of(run.lrs[1])


CASES = {
    "linear-ratio-warmup": (
        "output_dir: out\nlearning_rate: 1.0e-3\nlr_scheduler_type: linear\n"
        "warmup_steps: 0.1\nnum_train_epochs: 3\nweight_decay: 0.01\n",
        64,
    ),
    "cosine-integer-warmup": (
        "output_dir: out\nlearning_rate: 2.0e-4\nlr_scheduler_type: cosine\nwarmup_steps: 5\n"
        "num_train_epochs: 2\nper_device_train_batch_size: 4\n",
        64,
    ),
    "cosine-with-min-lr-max-steps": (
        "output_dir: out\nlearning_rate: 1.0e-3\nlr_scheduler_type: cosine_with_min_lr\n"
        "lr_scheduler_kwargs: {min_lr_rate: 0.1}\nwarmup_steps: 0.2\nmax_steps: 30\n",
        64,
    ),
    "constant-with-warmup-accumulation-remainder": (
        "output_dir: out\nlr_scheduler_type: constant_with_warmup\nwarmup_steps: 4\n"
        "num_train_epochs: 4\ngradient_accumulation_steps: 3\n",
        60,
    ),
    "wsd-fractional-epochs": (
        "output_dir: out\nlearning_rate: 1.0e-3\nlr_scheduler_type: warmup_stable_decay\n"
        "lr_scheduler_kwargs: {num_decay_steps: 6, min_lr_ratio: 0.1}\nwarmup_steps: 3\n"
        "num_train_epochs: 2.5\n",
        64,
    ),
    "drop-last-one-step-warmup": (
        "output_dir: out\nlearning_rate: 1.0e-3\nwarmup_steps: 1.0\nnum_train_epochs: 2\n"
        "dataloader_drop_last: true\n",
        60,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_plan_of_a_yaml_file_is_the_trainers_run(
    name: str, trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    text, dataset_size = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    run = trained(trainers, path, dataset_size)
    rows, _ = planned(runner, path, "--dataset-size", str(dataset_size))
    assert_same(rows, run)


POLYNOMIAL_JSON = """{
  "output_dir": "out",
  "learning_rate": 1e-3,
  "lr_scheduler_type": "polynomial",
  "lr_scheduler_kwargs": {"power": 2.0, "lr_end": 1e-7},
  "warmup_steps": 2,
  "num_train_epochs": 3,
  "per_device_train_batch_size": 8,
  "adam_beta1": 0.8,
  "adam_epsilon": 1e-6
}
"""


def test_the_plan_of_a_json_file_is_the_trainers_run(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "polynomial.json"
    path.write_text(POLYNOMIAL_JSON)  # JSON's 1e-3 is a number, unlike YAML 1.1's
    run = trained(trainers, path, 48)
    rows, _ = planned(runner, path, "--dataset-size", "48")
    assert_same(rows, run)


def test_max_steps_needs_no_data_set_size(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    text, dataset_size = CASES["cosine-with-min-lr-max-steps"]
    path = tmp_path / "max-steps.yaml"
    path.write_text(text)
    rows, said = planned(runner, path)
    assert_same(rows, trained(trainers, path, dataset_size))
    assert said == (
        f"Notice: {path}: the Trainer's plan (transformers 5.24.0's rules): "
        "num_training_steps = max_steps 30 = 30; num_warmup_steps = ceil(30 x warmup_steps "
        "0.2, a share below 1) = 6; get_scheduler('cosine_with_min_lr')\n"
    )


TWO_PROCESSES = (
    "output_dir: out\nlearning_rate: 1.0e-3\nlr_scheduler_type: cosine\nwarmup_steps: 0.1\n"
    "num_train_epochs: 2\n"
)


def test_two_processes_share_the_batches_as_accelerate_deals_them(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    from accelerate.data_loader import BatchSamplerShard
    from torch.utils.data import BatchSampler, SequentialSampler

    batches = BatchSampler(SequentialSampler(range(100)), batch_size=8, drop_last=False)
    shares = [
        len(BatchSamplerShard(batches, num_processes=2, process_index=index, even_batches=True))
        for index in (0, 1)
    ]
    assert shares == [7, 7]  # 13 batches, the last round evened up from the start
    path = tmp_path / "two.yaml"
    path.write_text(TWO_PROCESSES)
    # One process seeing 7 batches an epoch runs what each of the two does.
    run = trained(trainers, path, dataset_size=shares[0] * 8)
    rows, said = planned(runner, path, "--dataset-size", "100", "--world-size", "2")
    assert_same(rows, run)
    assert "/ 2 processes = 7 each" in said
    assert math.ceil(2 * shares[0]) == len(rows)


def test_validate_shows_the_trainers_arithmetic(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "args.yaml"
    path.write_text(CASES["constant-with-warmup-accumulation-remainder"][0])
    result = runner.invoke(cli, ["validate", str(path), "--dataset-size", "60"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Notice: {path}: the Trainer's plan (transformers 5.24.0's rules): 60 samples / 8 "
        "per batch = 8 batches (the last one short) / 3 accumulated = 3 optimizer steps "
        "(transformers 5.24.0: rounded up, at least 1) per epoch (1 process: --world-size N "
        "for more); num_training_steps = ceil(num_train_epochs 4 x 3) = 12; "
        "num_warmup_steps = warmup_steps 4 = 4; get_scheduler('constant_with_warmup')\n"
    )
    assert result.stdout.startswith(f"{path}: ok: 12 steps (4 epochs x 3); steps per epoch: ")
