"""Warnings for schedules torch accepts but their author most likely did not mean."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.codes import CODES
from tests.conftest import CONFIG_FILES, config_id

SGD = "optimizer: {type: SGD, lr: 0.1}\n"

# Per code: configs that warn with it, and near misses that do not (two of each at least).
CASES: dict[str, tuple[list[str], list[str]]] = {
    "horizon-unit": (
        [
            "epochs: 100\nsteps_per_epoch: 50\nscheduler: {type: CosineAnnealingLR, T_max: 100}",
            "epochs: 30\nsteps_per_epoch: 100\nscheduler: {type: StepLR, step_size: 30}",
        ],
        [
            "epochs: 100\nsteps_per_epoch: 50\n"
            "scheduler: {type: CosineAnnealingLR, T_max: 100, interval: epoch}",
            "epochs: 100\nsteps_per_epoch: 50\nscheduler: {type: CosineAnnealingLR, T_max: 5000}",
        ],
    ),
    "horizon-long": (
        [
            "epochs: 100\nscheduler: {type: LinearLR, start_factor: 0.1, total_iters: 200}",
            "epochs: 90\nscheduler: {type: MultiStepLR, milestones: [30, 60, 90]}",
        ],
        [
            "epochs: 100\nscheduler: {type: LinearLR, start_factor: 0.1, total_iters: 100}",
            "epochs: 90\nscheduler: {type: MultiStepLR, milestones: [30, 60, 89]}",
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
        ],
        [
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 500}",
            "epochs: 10\nsteps_per_epoch: 50\n"
            "scheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 504}",
        ],
    ),
    "decays-often": (
        [
            "epochs: 100\nscheduler: {type: StepLR, step_size: 1, gamma: 0.99}",
            "epochs: 200\nscheduler: {type: StepLR, step_size: 2, gamma: 0.99}",
        ],
        [
            "epochs: 100\nscheduler: {type: StepLR, step_size: 2, gamma: 0.99}",
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
        ],
        [
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, mode: min, patience: 3}",
            "epochs: 40\nscheduler: {type: ReduceLROnPlateau, mode: max, patience: 3}\n"
            "metric: '1 - 0.5 * 0.9 ** step'",
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
        ],
        [
            "epochs: 100\nscheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 100}",
            "epochs: 100\nscheduler: {type: LinearLR, start_factor: 0.01, total_iters: 10}",
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
    assert set(CASES) | {"resume-changes"} == set(CODES)  # resume: tests/test_notices.py


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


def test_a_segment_of_a_sequential_schedule_is_judged_in_its_own_steps(
    runner: CliRunner, write_config
) -> None:
    config = write_config(
        SGD + "epochs: 100\nscheduler:\n  type: SequentialLR\n  schedulers:\n"
        "    - {type: LinearLR, start_factor: 0.1, total_iters: 20}\n"
        "    - {type: CosineAnnealingLR, T_max: 90}\n  milestones: [10]\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.stderr.splitlines() == [
        f"Warning: {config}: scheduler.schedulers[0].total_iters: LinearLR is stepped 10 times, "
        "so its total_iters of 20 never ends (line 6) [horizon-long]"
    ]
    assert result.stdout.splitlines()[1] == (
        "  peak 0.1 at step 10 (epoch 10); LinearLR total_iters 20 of its 10 steps; "
        "CosineAnnealingLR T_max 90 of its 90 steps"
    )


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
