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
from typing import Any, cast

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import NATIVE_FILES
from tests.trainers import TrainerRun, Trainers

PARSER_OUTPUT = "unused"


def parsed(path: Path, *, script: bool = False) -> dict[str, Any]:
    """The file's keys as ``HfArgumentParser(TrainingArguments)`` reads them (its own
    ``parse_yaml_file`` or ``parse_json_file``), but ``output_dir``; with ``script``, its
    TrainingArguments' keys, the others left to a run_*.py's own dataclasses."""
    import dataclasses

    from transformers import HfArgumentParser, TrainingArguments

    parser = HfArgumentParser(cast(Any, TrainingArguments))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.suffix == ".json":
            (args,) = parser.parse_json_file(path, allow_extra_keys=script)
        else:
            (args,) = parser.parse_yaml_file(path, allow_extra_keys=script)
        import yaml

        keys = yaml.safe_load(path.read_text())
    fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    return {key: getattr(args, key) for key in keys if key != "output_dir" and key in fields}


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
    from accelerate.data_loader import BatchSamplerShard  # type: ignore[import-untyped]
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


@pytest.mark.parametrize(
    "stop", ["max_steps: 20\n", "num_train_epochs: 2.5\n"], ids=["max_steps", "epochs"]
)
def test_a_run_that_ends_within_an_epoch_places_its_steps_in_the_trainers_epochs(
    stop: str, trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "args.yaml"  # 64 samples / 8 = 8 steps an epoch: 20 end in the third
    path.write_text("output_dir: o\nlearning_rate: 1.0e-3\nwarmup_steps: 3\n" + stop)
    run = trained(trainers, path, 64)
    rows, _ = planned(runner, path, "--dataset-size", "64")
    assert_same(rows, run)
    assert [int(row["epoch"]) for row in rows] == list(run.epochs)
    assert run.epochs[-1] == 2


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


@pytest.mark.parametrize(
    "config", [p for p in NATIVE_FILES if "lightning" not in p.name], ids=lambda p: p.name
)
def test_the_shipped_native_files_are_the_trainers_runs(
    config: Path, trainers: Trainers, runner: CliRunner
) -> None:
    from lrplot.formats import read

    rows, _ = planned(runner, config)  # max_steps set: no data set size needed
    found = read(path=config, text=None, source=None, base_dir=None, file_format="auto")
    if found.file_format == "trl":
        from tests.formats.test_trl_config import trl_parsed

        fields = trl_parsed(config)
    else:
        fields = parsed(config, script=True)
    assert_same(rows, trainers.hf(**fields, dataset_size=64))


def test_yaml_is_read_as_pyyamls_safe_load_reads_it(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    text, dataset_size = CASES["drop-last-one-step-warmup"]
    path = tmp_path / "yes.yaml"
    path.write_text(text.replace("true", "yes"))  # YAML 1.1's true, as HfArgumentParser reads
    assert parsed(path)["dataloader_drop_last"] is True
    rows, _ = planned(runner, path, "--dataset-size", str(dataset_size))
    assert_same(rows, trained(trainers, path, dataset_size))


def said(runner: CliRunner, path: Path, text: str, *options: str) -> tuple[int, str]:
    """What ``lrplot validate -q`` says of ``text`` written at ``path``, and its exit code."""
    path.write_text(text)
    result = runner.invoke(cli, ["validate", "-q", str(path), *options])
    return result.exit_code, result.stderr


REFUSED = {
    "unknown keys": (
        "output_dir: o\nmax_steps: 10\nlearning_rat: 1.0e-3\nfoo: 1\n",
        (),
        "learning_rat: Some keys are not used by the HfArgumentParser: ['foo', "
        "'learning_rat'] (did you mean learning_rate?); HfArgumentParser(TrainingArguments) "
        "of transformers 5.24.0 fails on them (line 3)",
    ),
    "warmup_ratio, gone": (
        "max_steps: 10\nwarmup_ratio: 0.1\n",
        (),
        "warmup_ratio: Some keys are not used by the HfArgumentParser: ['warmup_ratio'] "
        "(transformers 5.24.0 has no warmup_ratio: since 5.15, warmup_steps below 1 is the "
        "share of the run, warmup_steps: 0.1); HfArgumentParser(TrainingArguments) of "
        "transformers 5.24.0 fails on them (line 2)",
    ),
    "a number YAML 1.1 reads as text": (
        "max_steps: 10\nlearning_rate: 2e-5\n",
        (),
        "learning_rate: '2e-5' is text, not a number, for HfArgumentParser, which keeps it "
        "so, and the Trainer fails on it: PyYAML (YAML 1.1) reads a number only with a dot "
        "and a signed exponent: write 2.0e-5 (line 2)",
    ),
    "a number quoted": (
        "max_steps: 10\nweight_decay: '0.01'\n",
        (),
        "weight_decay: '0.01' is text, not a number, for HfArgumentParser, which keeps it "
        "so, and the Trainer fails on it: write it without quotes (line 2)",
    ),
    "warm-up steps as text": (
        "max_steps: 10\nwarmup_steps: '5'\n",
        (),
        "warmup_steps: text '5': HfArgumentParser keeps it, and TrainingArguments fails on "
        "it ('<' not supported between instances of 'str' and 'int'): write it without "
        "quotes (line 2)",
    ),
    "not a number": (
        "max_steps: 10\nlearning_rate: abc\n",
        (),
        "learning_rate: expected a number, got text 'abc' (line 2)",
    ),
    "not a whole number": (
        "max_steps: 2.5\n",
        (),
        "max_steps: expected a whole number, got 2.5 (line 1)",
    ),
    "too small": (
        "max_steps: 10\nper_device_train_batch_size: 0\n",
        (),
        "per_device_train_batch_size: 0 is below 1; the Trainer needs at least 1 (line 2)",
    ),
    "negative warm-up": (
        "max_steps: 10\nwarmup_steps: -1\n",
        (),
        "warmup_steps: -1 is below 0; the Trainer needs at least 0 (line 2)",
    ),
    "infinite": (
        "max_steps: 10\nlearning_rate: .inf\n",
        (),
        "learning_rate: expected a finite number, got inf (line 2)",
    ),
    "no such schedule": (
        "max_steps: 10\nlr_scheduler_type: cosin\n",
        (),
        "lr_scheduler_type: 'cosin' is not a valid SchedulerType (did you mean cosine?), "
        "please select one of ['linear', 'cosine', 'cosine_with_restarts', 'polynomial', "
        "'constant', 'constant_with_warmup', 'inverse_sqrt', 'reduce_lr_on_plateau', "
        "'cosine_with_min_lr', 'cosine_warmup_with_min_lr', 'warmup_stable_decay', "
        "'greedy'] (line 2)",
    ),
    "stepped on metrics": (
        "max_steps: 10\nlr_scheduler_type: reduce_lr_on_plateau\n",
        (),
        "lr_scheduler_type: reduce_lr_on_plateau is stepped with each evaluation's metric, "
        "which a TrainingArguments file is not planned with yet: write an lrplot config "
        "(configs/transformers/get_reduce_on_plateau_schedule.yaml, `every: eval_steps`) "
        "(line 2)",
    ),
    "drop_last not a flag": (
        "max_steps: 10\ndataloader_drop_last: 'no'\n",
        (),
        "dataloader_drop_last: expected true or false, got text 'no' (torch's DataLoader: "
        "drop_last should be a boolean value) (line 2)",
    ),
    "kwargs not a mapping": (
        "max_steps: 10\nlr_scheduler_kwargs: [1]\n",
        (),
        "lr_scheduler_kwargs: expected a mapping of the schedule's arguments, got a list "
        "[1] (line 2)",
    ),
    "kwargs not JSON": (
        "max_steps: 10\nlr_scheduler_kwargs: '{bad'\n",
        (),
        "lr_scheduler_kwargs: not JSON text of a mapping: Expecting property name enclosed "
        "in double quotes: line 1 column 2 (char 1) (line 2)",
    ),
    "no data set size": (
        "output_dir: o\nnum_train_epochs: 3\n",
        (),
        "num_train_epochs: the Trainer counts optimizer steps from the data set's size, "
        "which TrainingArguments do not hold: give it with --dataset-size N (the training "
        "samples, after tokenising), or set max_steps (or compare it with its run's "
        "trainer_state.json) (line 2)",
    ),
    "no data set size, all defaults": (
        "output_dir: o\n",
        (),
        "the Trainer counts optimizer steps from the data set's size, which "
        "TrainingArguments do not hold: give it with --dataset-size N (the training "
        "samples, after tokenising), or set max_steps (or compare it with its run's "
        "trainer_state.json)",
    ),
    "no step": (
        "num_train_epochs: 0\n",
        ("--dataset-size", "10"),
        "num_train_epochs: the Trainer makes no optimizer step: ceil(num_train_epochs 0 x "
        "2) = 0 (line 1)",
    ),
    "no batch": (
        "num_train_epochs: 1\ndataloader_drop_last: true\n",
        ("--dataset-size", "4"),
        "per_device_train_batch_size: the data makes no optimizer step per epoch: 4 "
        "samples / 8 per batch = 0 batches (dropping the last short batch)",
    ),
    "a batch no run has": (
        "num_train_epochs: 1\nper_device_train_batch_size: 10000000000000000\n",
        ("--dataset-size", "10"),
        "per_device_train_batch_size: must be at most 1,000,000,000,000,000, got "
        "10,000,000,000,000,000; no run is so long (line 2)",
    ),
    "4.x warm-up steps are whole": (
        "max_steps: 10\nwarmup_steps: 0.1\n",
        ("--transformers-version", "4.57"),
        "warmup_steps: warmup_steps must be of type int and must be 0 or a positive "
        "integer (transformers 4.57: a share of the run is warmup_ratio) (line 2)",
    ),
    "4.x warm-up ratio above 1": (
        "max_steps: 10\nwarmup_ratio: 1.5\n",
        ("--transformers-version", "4.57"),
        "warmup_ratio: warmup_ratio must lie in range [0,1] (line 2)",
    ),
    "an argument the schedule does not take": (
        "max_steps: 10\nlr_scheduler_type: cosine\nlr_scheduler_kwargs: {num_cycle: 2}\n",
        (),
        "lr_scheduler_type: transformers rejected the arguments of get_scheduler: "
        "get_cosine_schedule_with_warmup() got an unexpected keyword argument 'num_cycle' "
        "(line 2)",
    ),
    "torch's refusal, named by the file's key": (
        "max_steps: 10\nlearning_rate: -1.0\n",
        (),
        "learning_rate: torch rejected the arguments of AdamW: Invalid learning rate: -1.0 "
        "(line 2)",
    ),
    "a --set of the file's key": (
        "max_steps: 10\n",
        ("--set", "learning_rate=-2.0"),
        "learning_rate: torch rejected the arguments of AdamW: Invalid learning rate: -2.0 "
        "(from --set learning_rate=-2.0)",
    ),
    "an lrplot config named TrainingArguments": (
        "epochs: 3\nscheduler: {type: StepLR, step_size: 1}\n",
        ("--config-format", "transformers"),
        "epochs: Some keys are not used by the HfArgumentParser: ['epochs', 'scheduler']; "
        "HfArgumentParser(TrainingArguments) of transformers 5.24.0 fails on them (line 1)",
    ),
    "not a mapping": (
        "[1, 2]\n",
        ("--config-format", "transformers"),
        "expected a mapping of TrainingArguments' fields, got a list of 2 items",
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_each_refusal_in_its_exact_words(name: str, runner: CliRunner, tmp_path: Path) -> None:
    text, options, message = REFUSED[name]
    path = tmp_path / "args.yaml"
    assert said(runner, path, text, *options) == (1, f"Error: {path}: {message}\n")


def test_a_quoted_json_number_is_text_too(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "args.json"
    assert said(runner, path, '{"max_steps": 10, "learning_rate": "2e-5"}') == (
        1,
        f"Error: {path}: learning_rate: '2e-5' is text, not a number, for HfArgumentParser, "
        "which keeps it so, and the Trainer fails on it: write it without quotes (line 1)\n",
    )


def test_a_version_that_is_none_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    code, message = said(
        runner, tmp_path / "a.yaml", "max_steps: 10\n", "--transformers-version", "3.1"
    )
    assert code == 2
    assert message.endswith(
        "Error: Invalid value for '--transformers-version': '3.1': expected a transformers "
        "version number from 4.0 on, such as 4.57 or 5.10.4\n"
    )


LRPLOT_KEYS = (
    "unknown key; allowed keys: title, description, epochs, steps_per_epoch, optimizer, "
    "scheduler, schedulers, metric, resume_at, plot, silence (line 1)"
)


def test_the_format_is_told_by_the_keys(runner: CliRunner, tmp_path: Path) -> None:
    # lrplot's config (it has a scheduler:) with a TrainingArguments key: lrplot's error
    path = tmp_path / "a.yaml"
    text = "learning_rate: 0.1\nscheduler: {type: StepLR, step_size: 1}\n"
    assert said(runner, path, text) == (1, f"Error: {path}: learning_rate: {LRPLOT_KEYS}\n")
    # a TrainingArguments file named lrplot's
    said_as_lrplot = said(runner, path, "max_steps: 10\n", "--config-format", "lrplot")
    assert said_as_lrplot == (1, f"Error: {path}: max_steps: {LRPLOT_KEYS}\n")
    assert said(runner, path, "max_steps: 10\n") == (0, "")


PLANS = {
    "4.x: warmup_steps wins over warmup_ratio": (
        "max_steps: 10\nwarmup_steps: 3\nwarmup_ratio: 0.5\n",
        ("--transformers-version", "4.57"),
        "transformers 4.57's rules): num_training_steps = max_steps 10 = 10; "
        "num_warmup_steps = warmup_steps 3 = 3; get_scheduler('linear')",
    ),
    "4.x: warmup_ratio when warmup_steps is 0": (
        "max_steps: 10\nwarmup_ratio: 0.25\n",
        ("--transformers-version", "4.57"),
        "transformers 4.57's rules): num_training_steps = max_steps 10 = 10; "
        "num_warmup_steps = ceil(10 x warmup_ratio 0.25) = 3; get_scheduler('linear')",
    ),
    "5.0 to 5.14: warmup_ratio replaces warmup_steps": (
        "max_steps: 10\nwarmup_steps: 3\nwarmup_ratio: 0.25\n",
        ("--transformers-version", "5.10"),
        "transformers 5.10's rules): num_training_steps = max_steps 10 = 10; "
        "num_warmup_steps = ceil(10 x warmup_ratio 0.25, a share below 1) = 3; "
        "get_scheduler('linear')",
    ),
    "5.x: warmup_steps 1.0 is one step": (
        "max_steps: 10\nwarmup_steps: 1.0\n",
        (),
        "transformers 5.24.0's rules): num_training_steps = max_steps 10 = 10; "
        "num_warmup_steps = warmup_steps 1.0 = 1; get_scheduler('linear')",
    ),
    "before 4.52: an epoch's partial accumulation dropped": (
        "num_train_epochs: 2\ngradient_accumulation_steps: 3\n",
        ("--dataset-size", "60", "--world-size", "1", "--transformers-version", "4.51"),
        "transformers 4.51's rules): 60 samples / 8 per batch = 8 batches (the last one "
        "short) / 3 accumulated = 2 optimizer steps (transformers<4.52: rounded down, at "
        "least 1) per epoch; num_training_steps = ceil(num_train_epochs 2 x 2) = 4; "
        "num_warmup_steps = ceil(4 x warmup_ratio 0.0) = 0; get_scheduler('linear')",
    ),
}


@pytest.mark.parametrize("name", PLANS)
def test_each_releases_rules(name: str, runner: CliRunner, tmp_path: Path) -> None:
    text, options, plan = PLANS[name]
    path = tmp_path / "args.yaml"
    path.write_text(text)
    result = runner.invoke(cli, ["validate", str(path), *options])
    assert result.exit_code == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if line.startswith("Notice:")]
    assert notices == [f"Notice: {path}: the Trainer's plan ({plan}"]  # warnings: test_native


def test_a_key_that_changes_the_run_unread_is_named(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "args.yaml"
    plan = (
        f"Notice: {path}: the Trainer's plan (transformers 5.24.0's rules): "
        "num_training_steps = max_steps 10 = 10; num_warmup_steps = warmup_steps 0 = 0; "
        "get_scheduler('linear')\n"
    )
    for quiet in ("auto_find_batch_size: false\n", "deepspeed: null\n"):
        path.write_text("max_steps: 10\n" + quiet)
        result = runner.invoke(cli, ["validate", str(path)])
        assert (result.exit_code, result.stderr) == (0, plan)
    path.write_text("max_steps: 10\nauto_find_batch_size: true\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert (result.exit_code, result.stderr) == (
        0,
        f"Notice: {path}: auto_find_batch_size: not read: the Trainer halves the batch size "
        "when it runs out of memory; planned as without it\n" + plan,
    )


def test_the_docs_example_plans_as_the_docs_say(runner: CliRunner, tmp_path: Path) -> None:
    import re

    from tests.conftest import ROOT

    page = (ROOT / "docs" / "config.md").read_text()
    section = page[page.index("## Native configs") : page.index("## Every key")]
    config = re.search(r"```yaml\n(# TrainingArguments.*?)```", section, re.DOTALL)
    shown = re.search(r"```text\n(Notice: args.yaml.*?)```", section, re.DOTALL)
    command = re.search(r"\$ lrplot validate args.yaml (.*)\n", section)
    assert config
    assert shown
    assert command
    path = tmp_path / "args.yaml"
    path.write_text(config[1])
    result = runner.invoke(
        cli, ["validate", str(path), *command[1].split()], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == " ".join(shown[1].split()).replace("args.yaml", str(path)) + "\n"


def test_without_transformers_a_file_says_what_to_install(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrplot.formats import transformers_args

    monkeypatch.setattr(transformers_args, "installed_transformers", lambda: None)
    path = tmp_path / "args.yaml"
    assert said(runner, path, "max_steps: 10\n") == (
        1,
        f"Error: {path}: a TrainingArguments file is planned with transformers' own "
        "schedules, and transformers is not installed: pip install 'lrplot[transformers]' "
        "(or pip install transformers)\n",
    )


def test_a_data_set_no_run_has_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    code, message = said(runner, tmp_path / "a.yaml", "max_steps: 10\n", "--world-size", "0")
    assert code == 2
    assert message.endswith(
        "Error: Invalid value for '--world-size': 0 is not in the range 1<=x<=1000000000000000.\n"
    )


def test_from_python_the_facts_are_settings(tmp_path: Path) -> None:
    import lrplot

    path = tmp_path / "args.yaml"
    path.write_text(CASES["constant-with-warmup-accumulation-remainder"][0])
    facts = lrplot.RunFacts(dataset_size=60, world_size=2)
    outcome = lrplot.run(config=lrplot.Config(path=path), settings=lrplot.Settings(native=facts))
    assert outcome.schedule.steps == 4 * 2  # 8 batches, 4 each, 2 optimizer steps an epoch


def test_a_warning_names_the_files_key(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "long-warmup.yaml"
    path.write_text(
        "output_dir: out\nlearning_rate: 0.001\nlr_scheduler_type: linear\n"
        "warmup_steps: 5000\nnum_train_epochs: 3\nper_device_train_batch_size: 8\n"
    )
    _, stderr = planned(runner, path, "--dataset-size", "800")
    warned = [line for line in stderr.splitlines() if line.startswith("Warning:")]
    assert warned == [
        f"Warning: {path}: warmup_steps: get_scheduler is stepped 300 times, so its "
        "num_warmup_steps of 5,000 never ends (line 4) [horizon-long]"
    ]
