"""Warnings about the run a config plans: a resume that changes the schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot import Config, Settings, load_spec, run, simulate
from lrplot.cli import cli

# A user's scheduler with a hand-written state_dict() that leaves out where in its cycle
# it is: an uninterrupted run is fine, a resumed one starts its cycle over.
LEAN_STATE = """
from torch.optim.lr_scheduler import LRScheduler

class Sawtooth(LRScheduler):
    def __init__(self, optimizer, period=4, last_epoch=-1):
        self.period = period
        self.position = 0
        super().__init__(optimizer, last_epoch)

    def step(self, epoch=None):
        self.position = (self.position + 1) % self.period if self.last_epoch >= 0 else 0
        super().step()

    def get_lr(self):
        return [base * (1 - self.position / self.period) for base in self.base_lrs]

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "_step_count": self._step_count}
"""

CONFIG = "epochs: 10\nscheduler: {type: sawtooth.py:Sawtooth, period: 4}\nresume_at: 6\n"


@pytest.fixture
def lean(tmp_path: Path) -> Path:
    (tmp_path / "sawtooth.py").write_text(LEAN_STATE)
    config = tmp_path / "lean.yaml"
    config.write_text(CONFIG)
    return config


def test_a_resume_that_changes_the_lr_is_a_warning_naming_the_first_step(
    lean: Path, runner: CliRunner
) -> None:
    schedule = simulate(spec=load_spec(path=lean, allow_import=True))
    assert schedule.resume_difference() == (0, 7)
    result = runner.invoke(cli, ["validate", str(lean), "--allow-import"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Warning: {lean}: resume_at: resumed at step 6, the learning rate differs from the "
        "uninterrupted run's from step 7 (epoch 7) on: 0.07500000000000001 instead of 0.025 "
        "(line 3) [resume-changes]\n"
    )


def test_the_same_warning_under_every_command(
    lean: Path, runner: CliRunner, tmp_path: Path
) -> None:
    outcome = run(config=Config(path=lean), settings=Settings(allow_import=True))
    expected = [f"Warning: {w}" for w in outcome.warnings]
    assert len(expected) == 1
    out = tmp_path / "gallery"
    commands = [
        ["render", str(lean), "-o", str(tmp_path / "x.png")],
        ["validate", str(lean)],
        ["preview", str(lean), "--width", "60"],
        ["compare", str(lean), str(lean), "-o", str(tmp_path / "c.png")],
        ["gallery", str(lean.parent), "-o", str(out), "-j", "1"],
    ]
    for command in commands:
        result = runner.invoke(cli, [*command, "--allow-import"])
        assert result.exit_code == 0, result.stderr
        warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
        assert warnings == expected * (2 if command[0] == "compare" else 1)


def test_a_faithful_resume_says_nothing(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 10\nsteps_per_epoch: 3\n"
        "scheduler: {type: OneCycleLR, max_lr: 1, total_steps: 30}\n"
    )
    result = runner.invoke(cli, ["validate", str(config), "--resume-at", "11"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_resume_at_from_the_command_line_names_its_flag(runner: CliRunner, write_config) -> None:
    config = write_config("epochs: 10\nscheduler: {type: StepLR, step_size: 3}\n")
    result = runner.invoke(cli, ["validate", str(config), "--resume-at", "10"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: resume_at: 10 is past the run's last step, 9 (epochs 10 x "
        "steps_per_epoch 1 = 10 steps, from 0): resume at a step in it (from --resume-at 10)\n"
    )
    result = runner.invoke(cli, ["validate", str(config), "--resume-at", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--resume-at': 0 is not in the range x>=1." in result.stderr


def test_a_linear_axis_that_hides_low_stages_suggests_a_log_axis(tmp_path: Path) -> None:
    staged = tmp_path / "staged.yaml"
    staged.write_text("epochs: 120\nscheduler: {type: MultiStepLR, milestones: [30, 60, 90]}\n")
    cosine = tmp_path / "cosine.yaml"
    cosine.write_text("epochs: 100\nscheduler: {type: CosineAnnealingLR, T_max: 100}\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["render", str(staged), "-o", str(tmp_path / "s.png")])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"Notice: {staged}: 25% of the lr values are at most 1/100 of the highest (0.1, the "
        "lowest 0.0001): on a linear axis they look like zero; --log-y (or plot: {yscale: "
        "log}) tells them apart"
    )
    logged = runner.invoke(cli, ["render", str(staged), "--log-y", "-o", str(tmp_path / "l.png")])
    assert "Notice:" not in logged.stderr
    for numbers in (["validate", str(staged)], ["render", str(staged), "-f", "csv", "-o", "-"]):
        assert "Notice:" not in runner.invoke(cli, numbers).stderr  # no plot, nothing hidden
    smooth = runner.invoke(cli, ["render", str(cosine), "-o", str(tmp_path / "c.png")])
    assert "Notice:" not in smooth.stderr
