"""The native files' mistakes (lrplot.checks.native): each warning in its exact words,
and a near miss that stays quiet."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot.cli import cli

WARNED = {
    "warmup_steps 1.0, one step": (
        "max_steps: 10\nwarmup_steps: 1.0\n",
        (),
        "warmup_steps: 1.0 is 1 warm-up step for transformers 5.24.0, not the whole run: a "
        "float of 1 or more counts steps, a share of the run is below 1 (line 2) [warmup-unit]",
    ),
    "warmup_steps 2.5, cut to whole steps": (
        "max_steps: 10\nwarmup_steps: 2.5\n",
        (),
        "warmup_steps: 2.5 is 2 warm-up steps for transformers 5.24.0 (int() of it): a float "
        "of 1 or more counts whole steps, a share of the run is below 1 (line 2) "
        "[warmup-unit]",
    ),
    "warmup_ratio 5, steps": (
        "max_steps: 10\nwarmup_ratio: 5\n",
        ("--transformers-version", "5.10"),
        "warmup_ratio: 5 is 5 warm-up steps for transformers 5.10, which counts a "
        "warmup_ratio of 1 or more as steps, not a share of the run: steps are warmup_steps, "
        "a share is below 1 (line 2) [warmup-unit]",
    ),
    "4.x warmup_steps overrides warmup_ratio": (
        "max_steps: 10\nwarmup_steps: 3\nwarmup_ratio: 0.5\n",
        ("--transformers-version", "4.57"),
        "warmup_ratio: 0.5 is ignored: transformers 4.57's get_warmup_steps takes "
        "warmup_steps 3 when it is above 0, so the warm-up is 3 steps, not ceil(10 x 0.5) = "
        "5; set only one of them (line 3) [warmup-ratio-ignored]",
    ),
    "4.x warmup_steps 1 from --set overrides warmup_ratio": (
        "max_steps: 10\nwarmup_ratio: 0.05\n",
        ("--transformers-version", "4.46.3", "--set", "warmup_steps=1"),
        "warmup_ratio: 0.05 is ignored: transformers 4.46.3's get_warmup_steps takes "
        "warmup_steps 1 when it is above 0, so the warm-up is 1 step, not ceil(10 x 0.05) = "
        "1; set only one of them (line 2) [warmup-ratio-ignored]",
    ),
    "constant with a warm-up": (
        "max_steps: 10\nlr_scheduler_type: constant\nwarmup_steps: 0.2\n",
        (),
        "warmup_steps: get_scheduler('constant') drops the warm-up (2 warm-up steps): the lr "
        "is learning_rate from step 0; constant_with_warmup warms up (line 3) "
        "[constant-warmup]",
    ),
    "kwargs constant_with_warmup drops": (
        "max_steps: 10\nlr_scheduler_type: constant_with_warmup\nwarmup_steps: 2\n"
        "lr_scheduler_kwargs: {num_cycles: 2}\n",
        (),
        "lr_scheduler_kwargs: get_scheduler('constant_with_warmup') drops them (num_cycles): "
        "its schedule takes none (line 4) [kwargs-dropped]",
    ),
    "a --set names its origin": (
        "max_steps: 10\nlr_scheduler_type: constant\n",
        ("--set", "warmup_steps=3"),
        "warmup_steps: get_scheduler('constant') drops the warm-up (3 warm-up steps): the lr "
        "is learning_rate from step 0; constant_with_warmup warms up (from --set "
        "warmup_steps=3) [constant-warmup]",
    ),
}

QUIET = {
    "warmup_steps 1, an int": ("max_steps: 10\nwarmup_steps: 1\n", ()),
    "warmup_steps 3.0, whole steps": ("max_steps: 10\nwarmup_steps: 3.0\n", ()),
    "warmup_steps 0.5, a share": ("max_steps: 10\nwarmup_steps: 0.5\n", ()),
    "warmup_ratio 0.5, a share": (
        "max_steps: 10\nwarmup_ratio: 0.5\n",
        ("--transformers-version", "5.10"),
    ),
    "4.x counts whole warmup_steps": (
        "max_steps: 10\nwarmup_steps: 3\n",
        ("--transformers-version", "4.57"),
    ),
    "4.x warmup_ratio alone": (
        "max_steps: 10\nwarmup_ratio: 0.5\n",
        ("--transformers-version", "4.57"),
    ),
    "4.x warmup_steps with warmup_ratio 0": (
        "max_steps: 10\nwarmup_steps: 3\nwarmup_ratio: 0.0\n",
        ("--transformers-version", "4.57"),
    ),
    "4.x warmup_ratio with warmup_steps 0": (
        "max_steps: 10\nwarmup_steps: 0\nwarmup_ratio: 0.5\n",
        ("--transformers-version", "4.57"),
    ),
    "5.x rules: warmup_ratio replaces warmup_steps": (
        "max_steps: 10\nwarmup_steps: 3\nwarmup_ratio: 0.5\n",
        ("--transformers-version", "5.10"),
    ),
    "constant without a warm-up": (
        "max_steps: 10\nlr_scheduler_type: constant\nlr_scheduler_kwargs: {}\n",
        (),
    ),
    "constant_with_warmup's warm-up is used": (
        "max_steps: 10\nlr_scheduler_type: constant_with_warmup\nwarmup_steps: 2\n",
        (),
    ),
    "kwargs a schedule takes": (
        "max_steps: 10\nlr_scheduler_type: cosine\nlr_scheduler_kwargs: {num_cycles: 0.5}\n",
        (),
    ),
}


def warnings(runner: CliRunner, path: Path, text: str, options: tuple[str, ...]) -> list[str]:
    path.write_text(text)
    result = runner.invoke(cli, ["validate", str(path), *options])
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


@pytest.mark.parametrize("name", WARNED)
def test_each_native_warning_in_its_exact_words(
    name: str, runner: CliRunner, tmp_path: Path
) -> None:
    text, options, message = WARNED[name]
    path = tmp_path / "args.yaml"
    assert warnings(runner, path, text, options) == [f"Warning: {path}: {message}"]


@pytest.mark.parametrize("name", QUIET)
def test_each_near_miss_stays_quiet(name: str, runner: CliRunner, tmp_path: Path) -> None:
    text, options = QUIET[name]
    assert warnings(runner, tmp_path / "args.yaml", text, options) == []


def test_an_argument_the_schedule_does_not_take_is_an_error(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "args.yaml"  # the Trainer fails on it: no warning, lrplot's Error
    path.write_text("max_steps: 10\nlr_scheduler_type: linear\nlr_scheduler_kwargs: {power: 2}\n")
    result = runner.invoke(cli, ["validate", "-q", str(path)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {path}: lr_scheduler_type: transformers rejected the arguments of "
        "get_scheduler: get_linear_schedule_with_warmup() got an unexpected keyword argument "
        "'power' (line 2)\n",
    )
