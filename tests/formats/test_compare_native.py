"""``lrplot compare training_args.yaml trainer_state.json``: a real Trainer's log against
the plan of its own TrainingArguments, whose step count the log supplies."""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import ROOT
from tests.formats.test_transformers_args import parsed
from tests.trainers import Trainers

ARGS = (
    "output_dir: out\nlearning_rate: 1.0e-3\nlr_scheduler_type: cosine\nwarmup_steps: 0.2\n"
    "num_train_epochs: 3\ngradient_accumulation_steps: 3\n"
)


def long_rows(text: str) -> dict[str, dict[int, str]]:
    """A long CSV's lr at each step, by schedule, as hex."""
    rows: dict[str, dict[int, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        rows.setdefault(row["schedule"], {})[int(row["step"])] = float(row["lr"]).hex()
    return rows


def test_a_run_against_its_own_plan(trainers: Trainers, runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "training_args.yaml"
    path.write_text(ARGS)
    run = trainers.hf(**parsed(path), dataset_size=60)
    result = runner.invoke(cli, ["compare", str(path), str(run.log), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Notice: {path}: the Trainer's plan (transformers 5.24.0's rules): "
        f"num_training_steps = max_steps 9 of {run.log} = 9; num_warmup_steps = ceil(9 x "
        "warmup_steps 0.2, a share below 1) = 2; get_scheduler('cosine')\n"
        f"Notice: {run.log}: read in the order of transformers >= 4.51 (learning_rate logged "
        "before lr_scheduler.step(): at step N, the lr of step N - 1), as its folder's "
        "config.json says transformers_version 5.24.0\n"
    )
    rows = long_rows(result.stdout)
    trained = {step: lr.hex() for step, lr in enumerate(run.lrs[0])}
    assert len(trained) == run.optimizer_steps == 9  # 20 batches / 3 = 7 an epoch, 3 epochs
    assert rows["trainer_state (logged)"] == trained
    assert rows["training_args/decay"] == rows["training_args/no_decay"] == trained


def test_a_run_off_its_plan_is_a_warning(
    trainers: Trainers, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "training_args.yaml"
    path.write_text(ARGS)
    run = trainers.hf(**parsed(path), dataset_size=60)
    # The same arguments with 100 samples (a data set grown since): 12 steps, not 9.
    result = runner.invoke(
        cli,
        ["compare", str(path), str(run.log), "--dataset-size", "100", "-f", "csv", "-o", "-"],
    )
    assert result.exit_code == 0, result.stderr
    planned = long_rows(result.stdout)["training_args/decay"]
    assert len(planned) == 15  # ceil(13 batches / 3) = 5 an epoch
    warning = result.stderr.splitlines()[-1]
    assert warning == (
        f"Warning: {run.log}: the run did not follow training_args: at step 1 (logged at "
        f"step 2), the learning rate logged {run.lrs[0][1]!r} where the plan has "
        f"{float.fromhex(planned[1])!r} (the first of 8 logged steps that differ)"
    )


def test_without_a_log_or_a_size_the_error_names_both(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "training_args.yaml"
    path.write_text(ARGS)
    result = runner.invoke(cli, ["compare", str(path), "-f", "csv", "-o", "-"])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {path}: num_train_epochs: the Trainer counts optimizer steps from the data "
        "set's size, which TrainingArguments do not hold: give it with --dataset-size N (the "
        "training samples, after tokenising), or set max_steps (or compare it with its run's "
        "trainer_state.json) (line 5)\n",
    )


SECTION = "### TRL recipes, and compare against a trainer_state.json"


def test_the_docs_transcripts_print_what_they_show(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/config.md's TRL and compare section: its recipe and its shipped run
    (docs/runs/tiny-bert/, a real Trainer's log) give what its console blocks show."""
    pytest.importorskip("trl")
    text = (ROOT / "docs" / "config.md").read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    (recipe,) = re.findall(r"```text\n(# A TRL SFT recipe.*?)```", text, flags=re.DOTALL)
    (tmp_path / "recipe.yaml").write_text(recipe)
    shutil.copytree(ROOT / "docs" / "runs", tmp_path / "docs" / "runs")
    monkeypatch.chdir(tmp_path)
    commands = [
        part.partition("\n")
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)
        for part in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]
    ]
    assert len(commands) == 4
    for command, _, shown in commands:
        words = shlex.split(command)
        assert words[0] == "lrplot"
        result = runner.invoke(cli, words[1:])
        assert result.output == shown, command
        assert result.exit_code == ("Error:" in shown), command
