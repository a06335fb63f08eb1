"""Warnings for schedules torch accepts but their author most likely did not mean."""

from __future__ import annotations

import csv
import io
import itertools
import statistics
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.config.codes import CODES
from tests.conftest import CONFIG_FILES, DATA_DIR, config_id
from tests.reference import reference_run
from tests.trainers import Trainers

SGD = "optimizer: {type: SGD, lr: 0.1}\n"
SEQUENTIAL = (
    "epochs: 100\nscheduler:\n  type: SequentialLR\n  schedulers:\n"
    "    - {{type: LinearLR, start_factor: 0.1, total_iters: 10}}\n"
    "    - {{type: CosineAnnealingLR, T_max: 140}}\n  milestones: {milestones}"
)
# Lightning's CIFAR-10 tutorial: OneCycleLR(epochs=30, steps_per_epoch=...) on 157 batches
ONE_CYCLE = (
    "epochs: 30\nsteps_per_epoch: 157\n"
    "scheduler: {{type: OneCycleLR, max_lr: 0.1, epochs: 30, steps_per_epoch: {per_epoch}{more}}}"
)
ACCURACY = "[0.50, 0.48, 0.55, 0.61, 0.66, 0.70, 0.73, 0.75, 0.76, 0.77]"
OVERFITTING = "[0.412, 0.371, 0.362, 0.378, 0.405, 0.441, 0.486, 0.532, 0.581, 0.634]"

# Per code: configs that warn with it, and near misses that do not (two of each at least).
CASES: dict[str, tuple[list[str], list[str]]] = {
    "horizon-unit": (
        [
            "epochs: 100\nsteps_per_epoch: 50\nscheduler: {type: CosineAnnealingLR, T_max: 100}",
            "epochs: 30\nsteps_per_epoch: 100\nscheduler: {type: StepLR, step_size: 30}",
            # an lr_lambda in epochs, stepped every batch: the lr is all but 0 for most of it
            "epochs: 100\nsteps_per_epoch: 50\n"
            "scheduler: {type: LambdaLR, lr_lambda: '0.95 ** epoch'}",
            "epochs: 100\nsteps_per_epoch: 50\n"
            "scheduler: {type: MultiplicativeLR, lr_lambda: '0.95'}",
            "epochs: 20\nsteps_per_epoch: 100\n"
            "scheduler: {type: LambdaLR, lr_lambda: 'max(0, 1 - epoch / 20)', frequency: 2}",
        ],
        [
            "epochs: 100\nsteps_per_epoch: 50\n"
            "scheduler: {type: CosineAnnealingLR, T_max: 100, interval: epoch}",
            "epochs: 100\nsteps_per_epoch: 50\nscheduler: {type: CosineAnnealingLR, T_max: 5000}",
            # a transformers schedule counts optimizer steps: ten of warm-up, not ten epochs
            "epochs: 10\nsteps_per_epoch: 20\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 10, "
            "num_training_steps: 200}",
            "epochs: 100\nsteps_per_epoch: 50\n"
            "scheduler: {type: LambdaLR, lr_lambda: '0.95 ** epoch', interval: epoch}",
            "epochs: 10\nsteps_per_epoch: 500\n"
            "scheduler: {type: LambdaLR, lr_lambda: '0.9995 ** epoch'}",
            # the lr below a millionth of its peak, but for less than half the run
            "epochs: 100\nsteps_per_epoch: 50\n"
            "scheduler: {type: LambdaLR, lr_lambda: '1 if epoch < 2600 else 1e-7'}",
        ],
    ),
    "horizon-ratio": (
        [
            "epochs: 3\nsteps_per_epoch: 100\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 0.06, "
            "num_training_steps: 300}",
            "epochs: 3\nsteps_per_epoch: 100\nscheduler: {type: transformers.get_scheduler, "
            "name: cosine, num_warmup_steps: 0.1, num_training_steps: 300}",
        ],
        [
            "epochs: 3\nsteps_per_epoch: 100\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 18, "
            "num_training_steps: 300}",
            "epochs: 3\nsteps_per_epoch: 100\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 0, "
            "num_training_steps: 300}",
            "epochs: 3\nsteps_per_epoch: 100\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 1.5, "
            "num_training_steps: 300}",
        ],
    ),
    "horizon-long": (
        [
            "epochs: 100\nscheduler: {type: LinearLR, start_factor: 0.1, total_iters: 200}",
            "epochs: 90\nscheduler: {type: MultiStepLR, milestones: [30, 60, 90]}",
            SEQUENTIAL.format(milestones="[150]"),
            "epochs: 100\nscheduler:\n  type: SequentialLR\n  schedulers:\n"
            "    - {type: LinearLR, start_factor: 0.1, total_iters: 10}\n"
            "    - {type: ConstantLR}\n    - {type: CosineAnnealingLR, T_max: 90}\n"
            "  milestones: [10, 100]",
            # a warm-up at the end of its schedule: no decay
            "epochs: 100\nscheduler: {type: transformers.get_linear_schedule_with_warmup, "
            "num_warmup_steps: 100, num_training_steps: 100}",
        ],
        [
            "epochs: 100\nscheduler: {type: LinearLR, start_factor: 0.1, total_iters: 100}",
            "epochs: 100\nscheduler: {type: transformers.get_linear_schedule_with_warmup, "
            "num_warmup_steps: 99, num_training_steps: 100}",
            "epochs: 90\nscheduler: {type: MultiStepLR, milestones: [30, 60, 89]}",
            SEQUENTIAL.format(milestones="[99]"),
        ],
    ),
    "cosine-rises": (
        [
            "epochs: 100\nscheduler: {type: CosineAnnealingLR, T_max: 20}",
            "epochs: 100\nscheduler: {type: CosineAnnealingLR, T_max: 50}",
        ],
        [
            "epochs: 100\nscheduler: {type: CosineAnnealingLR, T_max: 99}",
            "epochs: 100\nscheduler: {type: CosineAnnealingLR, T_max: 100}",
        ],
    ),
    "lr-at-zero": (
        [
            "epochs: 100\nscheduler: {type: PolynomialLR, total_iters: 20}",
            "epochs: 3\nsteps_per_epoch: 200\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 60, "
            "num_training_steps: 300}",
        ],
        [
            "epochs: 100\nscheduler: {type: PolynomialLR, total_iters: 100}",
            "epochs: 3\nsteps_per_epoch: 200\nscheduler: {type: "
            "transformers.get_linear_schedule_with_warmup, num_warmup_steps: 60, "
            "num_training_steps: 600}",
        ],
    ),
    "schedule-cut-short": (
        [
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 1000}",
            "epochs: 100\nscheduler: {type: CosineAnnealingLR, T_max: 200}",
            "epochs: 50\nsteps_per_epoch: 100\n"
            "scheduler: {type: CosineAnnealingWarmRestarts, T_0: 60, fractional_epoch: true}",
            # OneCycleLR's own epochs x steps_per_epoch, more than the run's
            ONE_CYCLE.format(per_epoch=175, more=""),
            ONE_CYCLE.format(per_epoch=157, more=", interval: epoch"),
            "epochs: 40\n"
            "scheduler: {type: OneCycleLR, max_lr: 0.1, epochs: 50, steps_per_epoch: 1}",
        ],
        [
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 500}",
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 504}",
            ONE_CYCLE.format(per_epoch=157, more=""),
            ONE_CYCLE.format(per_epoch=158, more=""),  # 30 steps more: within 1%
            "epochs: 40\nscheduler: "
            "{type: OneCycleLR, max_lr: 0.1, epochs: 40, steps_per_epoch: 1, interval: epoch}",
        ],
    ),
    "decays-often": (
        [
            # step_size in epochs, stepped every batch: 299 decays by 0.1
            "epochs: 90\nsteps_per_epoch: 100\nscheduler: {type: StepLR, step_size: 30}",
            "epochs: 100\nscheduler: {type: StepLR, step_size: 1, gamma: 0.86}",  # 3.3e-7
        ],
        [
            # torchvision's MobileNetV2 and V3 recipes: the lr ends at 0.0024, 2.8e-4 of its start
            "epochs: 300\nscheduler: {type: StepLR, step_size: 1, gamma: 0.98}",
            "epochs: 600\nscheduler: {type: StepLR, step_size: 2, gamma: 0.973}",
            "epochs: 100\nscheduler: {type: StepLR, step_size: 1, gamma: 0.87}",  # 1.03e-6
            "epochs: 100\nscheduler: {type: StepLR, step_size: 30}",
        ],
    ),
    "restarts-often": (
        [
            "epochs: 100\nsteps_per_epoch: 100\n"
            "scheduler: {type: CosineAnnealingWarmRestarts, T_0: 10}",
            "epochs: 200\nscheduler: {type: CosineAnnealingWarmRestarts, T_0: 1}",
        ],
        [
            "epochs: 100\nsteps_per_epoch: 10\n"
            "scheduler: {type: CosineAnnealingWarmRestarts, T_0: 10}",
            "epochs: 100\nsteps_per_epoch: 100\n"
            "scheduler: {type: CosineAnnealingWarmRestarts, T_0: 2, T_mult: 2}",
            # stepped 5,000 times, but with fractional epochs T_0 counts the 50 epochs
            "epochs: 50\nsteps_per_epoch: 100\n"
            "scheduler: {type: CosineAnnealingWarmRestarts, T_0: 1, fractional_epoch: true}",
        ],
    ),
    "cycle-never-peaks": (
        [
            "epochs: 100\nscheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1}",
            "epochs: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 150}",
        ],
        [
            "epochs: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 50}",
            "epochs: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 99}",
        ],
    ),
    "cycles-often": (
        [
            "epochs: 10\nsteps_per_epoch: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 1}",
            "epochs: 20\nsteps_per_epoch: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 2}",
        ],
        [
            "epochs: 10\nsteps_per_epoch: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 3}",
            "epochs: 10\nsteps_per_epoch: 100\n"
            "scheduler: {type: CyclicLR, base_lr: 0.001, max_lr: 0.1, step_size_up: 20}",
        ],
    ),
    "never-stepped": (
        [
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: ReduceLROnPlateau, interval: step, frequency: 1000}",
            "epochs: 10\nscheduler: {type: StepLR, step_size: 1, interval: epoch, frequency: 11}",
            "epochs: 10\nsteps_per_epoch: 50\nscheduler: {type: ReduceLROnPlateau, every: 501}",
            "epochs: 10\nsteps_per_epoch: {dataset_size: 40, batch_size: 8, grad_accum: 2, "
            "loop: lightning}\nscheduler: {type: ReduceLROnPlateau, frequency: 3}",
        ],
        [
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: ReduceLROnPlateau, interval: step, frequency: 50}",
            "epochs: 10\nscheduler: {type: StepLR, step_size: 1, interval: epoch, frequency: 10}",
            "epochs: 10\nsteps_per_epoch: 50\nscheduler: {type: ReduceLROnPlateau, every: 500}",
            "epochs: 10\nsteps_per_epoch: {dataset_size: 40, batch_size: 8, grad_accum: 2, "
            "loop: lightning}\nscheduler: {type: ReduceLROnPlateau, frequency: 5}",
        ],
    ),
    "plateau-per-batch": (
        [
            "epochs: 20\nsteps_per_epoch: 100\nscheduler: {type: ReduceLROnPlateau, patience: 3}",
            "epochs: 20\nsteps_per_epoch: 50\n"
            "scheduler: {type: transformers.get_reduce_on_plateau_schedule, patience: 3}",
        ],
        [
            "epochs: 20\nsteps_per_epoch: 100\n"
            "scheduler: {type: ReduceLROnPlateau, patience: 3, interval: epoch}",
            "epochs: 20\nscheduler: {type: ReduceLROnPlateau, patience: 3}",
        ],
    ),
    "plateau-mode": (
        [
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, mode: max, patience: 3}",
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, patience: 3}\nmetric: '0.5 + step'",
            # an accuracy fed to mode min: a dip of less than 5% is no improvement
            f"epochs: 10\nscheduler: {{type: ReduceLROnPlateau, patience: 1}}\nmetric: {ACCURACY}",
        ],
        [
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, mode: min, patience: 3}",
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, mode: max, patience: 3}\n"
            "metric: '1 - 0.5 * 0.9 ** step'",
            # a validation loss that falls, then rises as the model overfits: mode min is right
            "epochs: 10\nscheduler: {type: ReduceLROnPlateau, patience: 1}\n"
            f"metric: {OVERFITTING}",
            # an accuracy that rises, then falls: mode max is right
            "epochs: 10\nscheduler: {type: ReduceLROnPlateau, mode: max, patience: 1}\n"
            "metric: [0.61, 0.70, 0.74, 0.72, 0.66, 0.60, 0.55, 0.52, 0.50, 0.48]",
        ],
    ),
    "metric-never-improves": (
        [
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, patience: 3}\nmetric: 0.5",
            "epochs: 4\nscheduler: {type: ReduceLROnPlateau, patience: 0}\n"
            "metric: [1.0, 1.0, 1.0, 1.0]",
        ],
        [
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, patience: 3}",
            "epochs: 4\nscheduler: {type: ReduceLROnPlateau, patience: 0}\n"
            "metric: [1.0, 1.0, 0.9, 0.9]",
        ],
    ),
    "lr-grows": (
        [
            "epochs: 100\nscheduler: {type: ExponentialLR, gamma: 1.05}",
            "epochs: 50\nscheduler: {type: LambdaLR, lr_lambda: '1.1 ** epoch'}",
            "epochs: 200\nscheduler: {type: ExponentialLR, gamma: 1.04}",
            # six decades and more, but to an lr of 6.8e6: no range test
            "epochs: 100\nscheduler: {type: ExponentialLR, gamma: 1.2}",
        ],
        [
            "epochs: 100\nscheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 100}",
            "epochs: 100\nscheduler: {type: LinearLR, start_factor: 0.01, total_iters: 10}",
            # a range test: lr 1e-8 to 1 in 100 steps (0.1 x 1e-7 to 0.1 x 10)
            "epochs: 1\nsteps_per_epoch: 100\n"
            "scheduler: {type: LambdaLR, lr_lambda: '1e-7 * 1e8 ** (epoch / 99)'}",
        ],
    ),
    "negative-lr": (
        [
            "epochs: 30\nscheduler: {type: StepLR, step_size: 7, gamma: -1}",
            "epochs: 10\nscheduler: {type: LambdaLR, lr_lambda: '1 - epoch / 5'}",
        ],
        [
            "epochs: 100\nscheduler: {type: LambdaLR, lr_lambda: '1 - epoch / 100'}",
            "epochs: 10\nscheduler: {type: LambdaLR, lr_lambda: 'max(0, 1 - epoch / 5)'}",
        ],
    ),
}


def codes_of(stderr: str) -> list[str]:
    return [
        line.rsplit("[", 1)[1].rstrip("]") for line in stderr.splitlines() if "Warning: " in line
    ]


def test_every_code_has_its_cases() -> None:
    native = {"warmup-unit", "constant-warmup", "kwargs-dropped", "warmup-ratio-ignored"}
    # those four: tests/checks/test_native.py
    native.add("epochs-adjusted")  # tests/formats/test_timm_args.py
    native.add("onecycle-per-epoch")  # tests/formats/test_lightning_cli.py
    native.add("plateau-unvalidated")  # tests/formats/test_lightning_cli.py
    native.add("ds-replaces")  # tests/formats/test_deepspeed_beside.py
    assert set(CASES) | {"resume-changes"} | native == set(CODES)  # resume: test_notices.py


@pytest.mark.parametrize(
    ("code", "text", "warns"),
    [
        (code, text, warns)
        for code, (warning, near) in CASES.items()
        for warns, texts in ((True, warning), (False, near))
        for text in texts
    ],
    ids=lambda v: v if isinstance(v, str) and "\n" not in v else None,
)
def test_a_mistake_warns_and_a_near_miss_does_not(
    code: str, text: str, warns: bool, runner: CliRunner, write_config
) -> None:
    config = write_config(SGD + text + "\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    assert (code in codes_of(result.stderr)) is warns, result.stderr


@pytest.mark.parametrize("config", CONFIG_FILES, ids=config_id)
def test_the_shipped_configs_warn_of_nothing(config: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "--strict", "--allow-import", str(config)])
    assert result.exit_code == 0, result.stderr
    assert "Warning: " not in result.stderr


def test_the_exact_words_of_a_horizon_in_the_wrong_unit(runner: CliRunner, write_config) -> None:
    config = write_config(SGD + CASES["horizon-unit"][0][0] + "\n")
    result = runner.invoke(cli, ["render", str(config), "-o", str(config.with_suffix(".png"))])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"Warning: {config}: scheduler.T_max: T_max is 100, the run's epochs, but "
        "CosineAnnealingLR is stepped every batch (5,000 times), so it counts batches: "
        "T_max: 5000 for the same in batches, or interval: epoch (line 4) [horizon-unit]"
    )


@pytest.mark.parametrize(
    ("text", "warning", "review"),
    [
        (
            "epochs: 100\nscheduler:\n  type: SequentialLR\n  schedulers:\n"
            "    - {type: LinearLR, start_factor: 0.1, total_iters: 20}\n"
            "    - {type: CosineAnnealingLR, T_max: 90}\n  milestones: [10]",
            "scheduler.schedulers[0].total_iters: LinearLR is stepped 10 times, so its "
            "total_iters of 20 never ends (line 6) [horizon-long]",
            "  peak 0.1 at step 10 (epoch 10); SequentialLR milestones 10 of its 100 steps; "
            "LinearLR total_iters 20 of its 10 steps; CosineAnnealingLR T_max 90 of its 90 steps",
        ),
        (
            SEQUENTIAL.format(milestones="[150]"),
            "scheduler.milestones: SequentialLR is stepped 100 times, so milestone 150 is never "
            "reached: CosineAnnealingLR never runs (line 8) [horizon-long]",
            "  SequentialLR milestones 150 of its 100 steps; LinearLR total_iters 10 of its 100 "
            "steps; CosineAnnealingLR T_max 140 of its 0 steps",
        ),
        (
            CASES["horizon-long"][0][3],
            "scheduler.milestones: SequentialLR is stepped 100 times, so milestone 100 is never "
            "reached: CosineAnnealingLR never runs (line 9) [horizon-long]",
            "  SequentialLR milestones 10, 100 of its 100 steps; LinearLR total_iters 10 of its "
            "10 steps; CosineAnnealingLR T_max 90 of its 0 steps",
        ),
    ],
)
def test_a_sequential_schedule_is_judged_segment_by_segment(
    text: str, warning: str, review: str, runner: CliRunner, write_config
) -> None:
    config = write_config(SGD + text + "\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.stderr.splitlines() == [f"Warning: {config}: {warning}"]
    assert result.stdout.splitlines()[1] == review


def test_fractional_epochs_are_judged_in_epochs(runner: CliRunner, write_config) -> None:
    config = write_config(
        SGD + "epochs: 50\nsteps_per_epoch: 100\nscheduler:\n"
        "  {type: CosineAnnealingWarmRestarts, T_0: 50, fractional_epoch: true}\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.stderr.splitlines() == []
    assert result.stdout.splitlines()[1] == "  CosineAnnealingWarmRestarts T_0 50 of its 50 epochs"
    config.write_text(config.read_text().replace("T_0: 50", "T_0: 60"))
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.stderr.splitlines() == [
        f"Warning: {config}: scheduler.T_0: T_0 is 60, but CosineAnnealingWarmRestarts is "
        "stepped with fractional epochs for 50 epochs: it never restarts, and its first cosine "
        "is cut at 83% of its way down; T_0: 50 ends at eta_min (line 5) [schedule-cut-short]"
    ]


def test_silence_and_strict(runner: CliRunner, write_config) -> None:
    mistake = SGD + CASES["cosine-rises"][0][0] + "\n"
    warned = write_config(mistake, "warned.yaml")
    silenced = write_config(mistake + "silence: [cosine-rises]\n", "silenced.yaml")
    strict = runner.invoke(cli, ["validate", "--strict", str(warned), str(silenced)])
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1] == "Error: 1 warning, and --strict fails on any"
    assert runner.invoke(cli, ["validate", "--strict", str(silenced)]).exit_code == 0
    assert runner.invoke(cli, ["validate", str(warned)]).exit_code == 0
    by_flag = runner.invoke(
        cli, ["validate", "--strict", str(warned), "--set", "silence=[cosine-rises]"]
    )
    assert by_flag.exit_code == 0, by_flag.stderr


def test_an_unknown_code_to_silence_is_an_error(runner: CliRunner, write_config) -> None:
    config = write_config(
        SGD + "scheduler: {type: StepLR, step_size: 3}\nsilence: [cosine-rise]\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: silence[0]: unknown warning 'cosine-rise' (did you mean "
        f"cosine-rises?); codes: {', '.join(CODES)} (line 3)\n"
    )


RECIPES = sorted((DATA_DIR / "recipes").glob("*.yaml"))


def warned(runner: CliRunner, config: Path) -> list[str]:
    """The ``Warning:`` lines ``lrplot validate`` prints for ``config``."""
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]


def torch_lr(text: str, folder: Path) -> list[float]:
    """The lr before each batch of the config ``SGD + text``, in a plain torch loop."""
    return [float(v) for v in reference_run(yaml.safe_load(SGD + text), folder)["lr"][0]]


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.stem)
def test_official_recipes_warn_of_nothing(recipe: Path, runner: CliRunner) -> None:
    """torchvision's MobileNets decay 299 times, Lightning's lr_find grows the lr 1e8
    times, a fine-tuning loss rises: each is meant (the near misses in CASES hold them
    against the rules)."""
    result = runner.invoke(cli, ["validate", "--strict", str(recipe)])
    assert result.exit_code == 0, result.stderr
    assert "Warning: " not in result.stderr


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("epochs: 100\nscheduler: {type: StepLR, step_size: 1, gamma: 0.86}", 3),
        ("epochs: 90\nsteps_per_epoch: 100\nscheduler: {type: StepLR, step_size: 30}", 4),
    ],
)
def test_the_exact_words_of_decays_that_take_the_lr_to_nothing(
    text: str, line: int, runner: CliRunner, write_config, tmp_path: Path
) -> None:
    config = write_config(SGD + text + "\n")
    lr = torch_lr(text, tmp_path)
    decays = sum(1 for before, after in itertools.pairwise(lr) if after != before)
    step_size = yaml.safe_load(text)["scheduler"]["step_size"]
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler.step_size: step_size is {step_size} and StepLR is "
        f"stepped {len(lr):,} times: the lr decays {decays} times, to gamma ** {decays} = "
        f"{lr[-1] / lr[0]:.3g} of its start (line {line}) [decays-often]"
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("epochs: 200\nscheduler: {type: ExponentialLR, gamma: 1.04}", "gamma"),
        ("epochs: 50\nscheduler: {type: LambdaLR, lr_lambda: '1.1 ** epoch'}", "lr_lambda"),
    ],
)
def test_a_growing_lr_names_what_makes_it_grow(
    text: str, key: str, runner: CliRunner, write_config, tmp_path: Path
) -> None:
    config = write_config(SGD + text + "\n")
    lr = torch_lr(text, tmp_path)
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler.{key}: the learning rate keeps growing to the end, from "
        f"{lr[0]:.3g} to {lr[-1]:.3g} ({lr[-1] / lr[0]:,.0f} times its start) (line 3) "
        "[lr-grows]"
    ]


def test_the_exact_words_of_a_mode_against_its_metric(runner: CliRunner, write_config) -> None:
    config = write_config(SGD + CASES["plateau-mode"][0][2] + "\n")
    values = yaml.safe_load(ACCURACY)
    start, end = statistics.fmean(values[:2]), statistics.fmean(values[-2:])  # fifths
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler: mode is min, but the metric it is fed rises (from about "
        f"{start:.3g} to {end:.3g}), so it takes improvements for a plateau; a metric that "
        "rises wants mode: max (an accuracy) (line 3) [plateau-mode]"
    ]


@pytest.mark.parametrize("case", [2, 4])
def test_the_exact_words_of_an_lr_lambda_in_epochs_stepped_every_batch(
    case: int, runner: CliRunner, write_config, tmp_path: Path
) -> None:
    text = CASES["horizon-unit"][0][case]
    raw = yaml.safe_load(text)
    config = write_config(SGD + text + "\n")
    lr = torch_lr(text, tmp_path)
    # Counted in epochs: the same lambda stepped once an epoch, where its last epoch ends.
    loop = ("interval", "frequency")
    once = {**raw, "scheduler": {k: v for k, v in raw["scheduler"].items() if k not in loop}}
    once["scheduler"]["interval"] = "epoch"
    in_epochs = torch_lr(yaml.safe_dump(once), tmp_path)[-1]
    dead = [step for step, value in enumerate(lr) if value <= max(lr) * 1e-6]
    frequency = raw["scheduler"].get("frequency", 1)
    per_epoch = raw["steps_per_epoch"] // frequency
    how = "every batch" if frequency == 1 else f"every {frequency} batches"
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler.lr_lambda: {raw['scheduler']['type']} is stepped {how} "
        f"({raw['epochs'] * per_epoch:,} times), so the epoch its lr_lambda is given counts "
        f"batches: the learning rate is below a millionth of its peak for "
        f"{100 * len(dead) / len(lr):.0f}% of the run, from step {dead[0]:,} (epoch "
        f"{dead[0] // raw['steps_per_epoch']}); counted in epochs, it would end at "
        f"{in_epochs:.3g}: interval: epoch steps it once an epoch, or write epoch // "
        f"{per_epoch} for the epoch (line 4) [horizon-unit]"
    ]


@pytest.mark.parametrize("case", [0, 1])
def test_the_exact_words_of_a_share_of_the_run_where_steps_go(
    case: int, runner: CliRunner, write_config, tmp_path: Path
) -> None:
    from transformers import TrainingArguments

    text = CASES["horizon-ratio"][0][case]
    share = yaml.safe_load(text)["scheduler"]["num_warmup_steps"]
    config = write_config(SGD + text + "\n")
    # What the Trainer makes of the share, and what the function does with it: its
    # warm-up is over after step 0.
    steps = TrainingArguments(output_dir=str(tmp_path), warmup_steps=share).get_warmup_steps(300)
    lr = torch_lr(text, tmp_path)
    assert lr[0] == 0
    assert lr[1] > 0.99 * max(lr)
    name = "get_linear_schedule_with_warmup" if case == 0 else "get_scheduler"
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler.num_warmup_steps: num_warmup_steps is {share}, a share "
        f"of the run, but {name} counts it in steps, so its warm-up ends after step 0: there "
        "is none (a number below 1 is a share in TrainingArguments' warmup_steps, not here); "
        f"num_warmup_steps: {steps} is {100 * share:.3g}% of its 300 steps (line 4) "
        "[horizon-ratio]"
    ]


def test_the_exact_words_of_a_one_cycle_longer_than_its_run(
    runner: CliRunner, write_config, tmp_path: Path
) -> None:
    planned = ONE_CYCLE.format(per_epoch=175, more="")
    cut = torch_lr(planned, tmp_path)
    whole = torch_lr(planned.replace("steps_per_epoch: 157", "steps_per_epoch: 175"), tmp_path)
    config = write_config(SGD + planned + "\n")
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler.steps_per_epoch: OneCycleLR is stepped {len(cut):,} times "
        f"(30 epochs x 157), but its cycle of 30 x 175 = {len(whole):,} steps is cut at "
        f"{100 * len(cut) / len(whole):.0f}%, and the learning rate ends at {cut[-1]:.3g} "
        f"instead of about {whole[-1]:.3g}; steps_per_epoch: 157 fits the run (line 4) "
        "[schedule-cut-short]"
    ]
    per_epoch = ONE_CYCLE.format(per_epoch=157, more=", interval: epoch")
    once = torch_lr(per_epoch, tmp_path)
    config = write_config(SGD + per_epoch + "\n")
    assert warned(runner, config) == [
        f"Warning: {config}: scheduler.interval: OneCycleLR counts batches (steps_per_epoch "
        "157), but interval: epoch steps it 30 times (per epoch): its cycle of 30 x 157 = "
        f"4,710 steps is cut at 1%, and the learning rate ends at {once[-1]:.3g} instead of "
        f"about {whole[-1]:.3g}; interval: step steps it after every batch (line 4) "
        "[schedule-cut-short]"
    ]


@pytest.mark.parametrize(
    ("per_epoch", "interval", "warning"),
    [
        (
            10,
            "step",
            "scheduler.steps_per_epoch: OneCycleLR is stepped {steps} times (3 epochs x "
            "{batches}), but its cycle of 3 x 10 = 30 steps is cut at {cut}, and the learning "
            "rate ends at {last:.3g} instead of about {end:.3g}; steps_per_epoch: {batches} "
            "fits the run",
        ),
        (
            8,
            "epoch",
            "scheduler.interval: OneCycleLR counts batches (steps_per_epoch 8), but interval: "
            "epoch steps it 3 times (per epoch): its cycle of 3 x 8 = {steps} steps is cut at "
            "{cut}, and the learning rate ends at {last:.3g} instead of about {end:.3g}; "
            "interval: step steps it after every batch",
        ),
    ],
)
def test_a_cut_cycle_ends_where_lightnings_own_run_ends_it(
    per_epoch: int,
    interval: str,
    warning: str,
    trainers: Trainers,
    runner: CliRunner,
    write_config,
    tmp_path: Path,
) -> None:
    """Lightning runs OneCycleLR(epochs=3, steps_per_epoch=10) on a loader of 8 batches,
    and one of 8 stepped once an epoch: the steps it made and the lr its last step used
    are the warnings'; the lr the whole cycle ends at, a plain torch loop's."""
    cycle = f"{{type: OneCycleLR, max_lr: 0.1, epochs: 3, steps_per_epoch: {per_epoch}"
    whole = torch_lr(f"epochs: 3\nsteps_per_epoch: {per_epoch}\nscheduler: {cycle}}}", tmp_path)
    run = trainers.lightning(
        scheduler={"type": "OneCycleLR", "max_lr": 0.1, "epochs": 3, "steps_per_epoch": per_epoch},
        interval=interval,
    )
    config = write_config(
        SGD + "epochs: 3\nsteps_per_epoch: {dataset_size: 64, batch_size: 8}\n"
        f"scheduler: {cycle}, interval: {interval}}}\n"
    )
    steps, calls = run.optimizer_steps, 3 if interval == "epoch" else run.optimizer_steps
    shown = warning.format(
        steps=steps,
        batches=run.batches_per_epoch,
        cut=f"{100 * calls / (3 * per_epoch):.0f}%",
        last=run.lrs[0][-1],
        end=whole[-1],
    )
    assert warned(runner, config) == [f"Warning: {config}: {shown} (line 4) [schedule-cut-short]"]


def test_the_steps_a_share_of_the_run_stands_for_are_the_hf_trainers(
    trainers: Trainers, runner: CliRunner, write_config, tmp_path: Path
) -> None:
    """HF's Trainer given warmup_steps: 0.06 warms up over the steps the warning names:
    the plan with them is the Trainer's run, lr for lr."""
    run = trainers.hf(warmup_steps=0.06, num_train_epochs=3, learning_rate=5e-5)
    config = write_config(
        "epochs: 3\nsteps_per_epoch: {dataset_size: 64, batch_size: 8}\n"
        "optimizer: {type: AdamW, lr: 5.0e-5}\n"
        "scheduler: {type: transformers.get_linear_schedule_with_warmup, "
        f"num_warmup_steps: 0.06, num_training_steps: {run.optimizer_steps}}}\n"
    )
    (line,) = warned(runner, config)
    suggested = line.split("num_warmup_steps: ")[-1].split(" ")[0]
    assert line.endswith(
        f"num_warmup_steps: {suggested} is 6% of its {run.optimizer_steps} steps (line 4) "
        "[horizon-ratio]"
    )

    def plan(*options: str) -> list[float]:
        out = tmp_path / "plan.csv"
        result = runner.invoke(cli, ["render", str(config), "-q", "-o", str(out), *options])
        assert result.exit_code == 0, result.stderr
        return [float(row["lr"]) for row in csv.DictReader(io.StringIO(out.read_text()))]

    assert plan("--set", f"scheduler.num_warmup_steps={suggested}") == list(run.lrs[0])
    assert plan() != list(run.lrs[0])


def test_a_warm_up_to_its_schedules_end_warns_in_its_exact_words(
    runner: CliRunner, write_config
) -> None:
    config = write_config(
        SGD + "epochs: 100\nscheduler: {type: transformers.get_cosine_schedule_with_warmup, "
        "num_warmup_steps: 100, num_training_steps: 100}\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warned == [
        f"Warning: {config}: scheduler.num_warmup_steps: num_warmup_steps is 100, at "
        "num_training_steps 100: get_cosine_schedule_with_warmup's warm-up takes all of its "
        "schedule, so it never decays; a num_warmup_steps below 100 leaves it its decay "
        f"(line {SGD.count(chr(10)) + 2}) [horizon-long]",
    ]
