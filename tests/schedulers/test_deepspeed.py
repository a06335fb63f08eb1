"""DeepSpeed's schedulers (``type: deepspeed.<Class>``), bit for bit against DeepSpeed itself."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import hide_package


@pytest.fixture(scope="module")
def lr_schedules() -> Any:
    """``deepspeed.runtime.lr_schedules``, or the test skipped naming DeepSpeed."""
    pytest.importorskip("deepspeed")
    return pytest.importorskip("deepspeed.runtime.lr_schedules")


@pytest.fixture(autouse=True)
def _quiet_deepspeed() -> Iterator[None]:
    """DeepSpeed logs to the stdout it was imported with: kept quiet in the reference loops."""
    logger = logging.getLogger("DeepSpeed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def deepspeed_run(
    lr_schedules: Any,
    name: str,
    kwargs: dict[str, Any],
    *,
    steps: int,
    optimizer: str = "AdamW",
    groups: list[dict[str, Any]] | None = None,
    lr: float = 0.01,
    per_epoch: int | None = None,
    resume_at: int | None = None,
) -> dict[str, list[list[float]]]:
    """What a plain loop records of DeepSpeed's class ``name``: each group's lr (and
    beta1 or momentum) before each step, the scheduler stepped after each batch (or after
    each epoch of ``per_epoch`` batches), resumed at ``resume_at`` as DeepSpeed's engine
    loads a checkpoint (the optimizer's state, then the scheduler's)."""
    import torch

    def build() -> tuple[Any, Any]:
        params = [{"params": [torch.zeros(1, 1)], **g} for g in (groups or [{}])]
        opt = getattr(torch.optim, optimizer)(params, lr=lr)
        return opt, getattr(lr_schedules, name)(opt, **kwargs)

    def momentum(group: dict[str, Any]) -> float:
        return float(group["betas"][0] if "betas" in group else group.get("momentum", 0.0))

    opt, scheduler = build()
    out: dict[str, list[list[float]]] = {
        "lr": [[] for _ in opt.param_groups],
        "momentum": [[] for _ in opt.param_groups],
    }
    for step in range(steps):
        if resume_at is not None and step == resume_at:
            saved = opt.state_dict(), scheduler.state_dict()
            opt, scheduler = build()
            opt.load_state_dict(saved[0])
            scheduler.load_state_dict(saved[1])
        for index, group in enumerate(opt.param_groups):
            out["lr"][index].append(group["lr"])
            out["momentum"][index].append(momentum(group))
        if per_epoch is None or (step + 1) % per_epoch == 0:
            scheduler.step()
    return out


def rendered(runner: CliRunner, config: Path) -> tuple[list[dict[str, str]], str]:
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def hexes(values: list[float]) -> list[str]:
    return [float(v).hex() for v in values]


def column(rows: list[dict[str, str]], name: str) -> list[str]:
    return hexes([float(row[name]) for row in rows])


CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "warmup-log": ("WarmupLR", {"warmup_num_steps": 10}),
    "warmup-linear": (
        "WarmupLR",
        {
            "warmup_min_lr": 0.0001,
            "warmup_max_lr": 0.003,
            "warmup_num_steps": 7,
            "warmup_type": "linear",
        },
    ),
    "warmup-one-step": ("WarmupLR", {"warmup_num_steps": 1, "warmup_type": "linear"}),
    "decay-log": (
        "WarmupDecayLR",
        {"total_num_steps": 40, "warmup_max_lr": 0.002, "warmup_num_steps": 8},
    ),
    "decay-linear": (
        "WarmupDecayLR",
        {
            "total_num_steps": 40,
            "warmup_min_lr": 0.0005,
            "warmup_num_steps": 8,
            "warmup_type": "linear",
        },
    ),
    "cosine-log": (
        "WarmupCosineLR",
        {"total_num_steps": 40, "warmup_num_steps": 6, "warmup_min_ratio": 0.1},
    ),
    "cosine-linear": (
        "WarmupCosineLR",
        {
            "total_num_steps": 40,
            "warmup_num_steps": 6,
            "cos_min_ratio": 0.05,
            "warmup_type": "linear",
        },
    ),
    "one-cycle-decay": (
        "OneCycle",
        {
            "cycle_min_lr": 0.001,
            "cycle_max_lr": 0.01,
            "cycle_first_step_size": 10,
            "cycle_second_step_size": 14,
            "decay_step_size": 3,
            "decay_lr_rate": 0.2,
            "decay_mom_rate": 0.01,
        },
    ),
    "one-cycle-stairs": (
        "OneCycle",
        {
            "cycle_min_lr": 0.001,
            "cycle_max_lr": 0.01,
            "cycle_first_step_size": 12,
            "cycle_first_stair_count": 4,
            "cycle_second_stair_count": 3,
        },
    ),
    "range-test": (
        "LRRangeTest",
        {
            "lr_range_test_min_lr": 0.0001,
            "lr_range_test_step_size": 5,
            "lr_range_test_step_rate": 0.5,
        },
    ),
    "range-test-staircase": (
        "LRRangeTest",
        {
            "lr_range_test_min_lr": 0.0001,
            "lr_range_test_step_size": 5,
            "lr_range_test_staircase": True,
        },
    ),
}


def scheduler_yaml(name: str, kwargs: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump({"scheduler": {"type": f"deepspeed.{name}", **kwargs}})


@pytest.mark.parametrize("case", CASES)
def test_deepspeed_schedulers_render_deepspeeds_numbers(
    case: str, lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    name, kwargs = CASES[case]
    config = write_config(
        "epochs: 5\nsteps_per_epoch: 10\noptimizer: {type: AdamW, lr: 0.01}\n"
        + scheduler_yaml(name, kwargs)
    )
    rows, _ = rendered(runner, config)
    expected = deepspeed_run(lr_schedules, name, kwargs, steps=50)
    assert column(rows, "lr") == hexes(expected["lr"][0])
    if name == "OneCycle":
        assert column(rows, "momentum") == hexes(expected["momentum"][0])
    else:
        assert "momentum" not in rows[0]


def test_per_group_values_stepped_per_epoch_and_resumed(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    kwargs = {"total_num_steps": 6, "warmup_max_lr": [0.002, 0.004], "warmup_num_steps": 3}
    config = write_config(
        "epochs: 8\nsteps_per_epoch: 4\nresume_at: 13\n"
        "optimizer: {type: AdamW, lr: 0.01, param_groups: [{name: a}, {name: b}]}\n"
        "scheduler:\n  type: deepspeed.WarmupDecayLR\n  interval: epoch\n"
        "  total_num_steps: 6\n  warmup_max_lr: [0.002, 0.004]\n  warmup_num_steps: 3\n"
    )
    rows, _ = rendered(runner, config)
    plain = deepspeed_run(
        lr_schedules, "WarmupDecayLR", kwargs, steps=32, groups=[{}, {}], per_epoch=4
    )
    resumed = deepspeed_run(
        lr_schedules,
        "WarmupDecayLR",
        kwargs,
        steps=32,
        groups=[{}, {}],
        per_epoch=4,
        resume_at=13,
    )
    for index, group in enumerate("ab"):
        assert column(rows, f"lr_{group}") == hexes(plain["lr"][index])
        assert column(rows, f"lr_resumed_{group}") == hexes(resumed["lr"][index])


def test_one_cycle_resumed_keeps_deepspeeds_momentum(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    name, kwargs = CASES["one-cycle-decay"]
    config = write_config(
        "epochs: 1\nsteps_per_epoch: 40\nresume_at: 17\noptimizer: {type: Adam, lr: 0.01}\n"
        + scheduler_yaml(name, kwargs)
    )
    rows, _ = rendered(runner, config)
    plain = deepspeed_run(lr_schedules, name, kwargs, steps=40, optimizer="Adam")
    resumed = deepspeed_run(lr_schedules, name, kwargs, steps=40, optimizer="Adam", resume_at=17)
    assert column(rows, "lr") == hexes(plain["lr"][0])
    assert column(rows, "lr_resumed") == hexes(resumed["lr"][0])
    assert column(rows, "momentum") == hexes(plain["momentum"][0])


def test_one_cycle_on_sgd_cycles_no_momentum_as_deepspeed_logs(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    name, kwargs = CASES["one-cycle-stairs"]
    config = write_config(
        "epochs: 1\nsteps_per_epoch: 30\noptimizer: {type: SGD, lr: 0.01, momentum: 0.9}\n"
        + scheduler_yaml(name, kwargs)
    )
    rows, stderr = rendered(runner, config)
    expected = deepspeed_run(lr_schedules, name, kwargs, steps=30, optimizer="SGD")
    assert column(rows, "lr") == hexes(expected["lr"][0])
    assert "momentum" not in rows[0]
    assert stderr == (
        f"Notice: {config}: DeepSpeed logged: cycle_momentum is disabled because optimizer "
        "SGD does not support momentum, no betas attribute in defaults\n"
    )


def test_what_deepspeed_prints_on_import_and_build_stays_out_of_the_csv(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: deepspeed.WarmupLR, warmup_num_steps: 3}\n")
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("epoch,lr\n0,0.0\n1,0.0\n2,0.06309297535714574\n")
    assert result.stderr == ""


def test_an_unknown_warmup_type_is_run_as_deepspeed_runs_it(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    kwargs = {"warmup_num_steps": 4, "warmup_type": "cosine"}
    config = write_config("epochs: 6\n" + scheduler_yaml("WarmupLR", kwargs))
    rows, stderr = rendered(runner, config)
    lrs = deepspeed_run(lr_schedules, "WarmupLR", kwargs, steps=6, lr=0.1)["lr"][0]
    assert column(rows, "lr") == hexes(lrs)
    assert stderr == (
        f"Notice: {config}: DeepSpeed logged: Using unknown warmup_type: cosine. The "
        "increasing function is set to default (log)\n"
    )


# Refusals: exact messages.


def said(runner: CliRunner, config: Path) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(config)])
    return result.exit_code, result.stderr


def test_an_unknown_deepspeed_scheduler_is_refused_with_the_names(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: deepspeed.WarmupCosine}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.type: unknown DeepSpeed scheduler "
        "'deepspeed.WarmupCosine' (did you mean deepspeed.WarmupCosineLR?); DeepSpeed's "
        "schedulers (each deepspeed.NAME): WarmupLR, WarmupDecayLR, WarmupCosineLR, "
        "OneCycle, LRRangeTest (line 1)\n",
    )


def test_a_deepspeed_name_without_its_prefix_is_pointed_to_it(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: WarmupDecayLR, total_num_steps: 10}\n")
    code, message = said(runner, config)
    assert code == 1
    assert message.startswith(
        f"Error: {config}: scheduler.type: unknown scheduler 'WarmupDecayLR' (did you mean "
        "deepspeed.WarmupDecayLR?); torch's schedulers: "
    )


def test_deepspeeds_own_refusal_is_one_line(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler:\n  type: deepspeed.WarmupLR\n  warmup_num_steps: 0\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.warmup_num_steps: DeepSpeed rejected the arguments of "
        "WarmupLR: warmup_num_steps must be a positive integer, got 0 (line 3)\n",
    )


def test_fractional_epochs_are_refused_for_a_batch_count(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: deepspeed.WarmupLR, fractional_epoch: true}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.fractional_epoch: deepspeed.WarmupLR.step() takes no "
        "epoch, so it cannot be stepped with step(epoch + i / steps_per_epoch); "
        "fractional_epoch is for a scheduler such as CosineAnnealingWarmRestarts (line 1)\n",
    )


def test_without_deepspeed_a_config_naming_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, write_config
) -> None:
    hide_package(monkeypatch, "deepspeed")
    config = write_config("scheduler: {type: deepspeed.WarmupLR}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.type: 'deepspeed.WarmupLR' is a scheduler of DeepSpeed, "
        "which is not installed: pip install 'lrplot[deepspeed]' (or pip install deepspeed) "
        "(line 1)\n",
    )


# Mistakes: exact warnings, and a near miss that stays quiet.


def warnings_of(runner: CliRunner, config: Path) -> list[str]:
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def test_a_warm_up_longer_than_the_run_is_warned_of(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("epochs: 50\nscheduler: {type: deepspeed.WarmupLR}\n")
    assert warnings_of(runner, config) == [
        f"Warning: {config}: scheduler.warmup_num_steps: WarmupLR is stepped 50 times, "
        "so its warmup_num_steps of 1,000 never ends (line 2) [horizon-long]",
    ]
    near = write_config(
        "epochs: 50\nscheduler: {type: deepspeed.WarmupLR, warmup_num_steps: 50}\n"
    )
    assert warnings_of(runner, near) == []


def test_total_num_steps_shorter_than_the_run_is_warned_of(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler:\n  type: deepspeed.WarmupDecayLR\n  warmup_num_steps: 10\n"
    config = write_config(text + "  total_num_steps: 60\n")
    assert warnings_of(runner, config) == [
        f"Warning: {config}: scheduler.total_num_steps: total_num_steps is 60, but "
        "WarmupDecayLR is stepped 100 times: the last 40 steps are past its end; "
        "total_num_steps: 100 fits the run (line 5) [lr-at-zero]",
    ]
    near = write_config(text + "  total_num_steps: 99\n")
    assert warnings_of(runner, near) == []


NESTED_HEAD = "epochs: 2\nsteps_per_epoch: 10\noptimizer: {type: AdamW, lr: 0.01}\nscheduler:\n"


def test_deepspeeds_schedulers_chained_run_as_torch_chains_them(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    import torch

    config = write_config(
        NESTED_HEAD.replace("epochs: 2", "epochs: 2\nresume_at: 3")
        + "  type: ChainedScheduler\n  schedulers:\n"
        "    - {type: deepspeed.WarmupLR, warmup_num_steps: 6, warmup_type: linear}\n"
        "    - {type: ExponentialLR, gamma: 0.9}\n"
    )

    def build() -> tuple[Any, Any]:
        opt = torch.optim.AdamW([torch.zeros(1, 1)], lr=0.01)
        first = lr_schedules.WarmupLR(opt, warmup_num_steps=6, warmup_type="linear")
        second = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        return opt, torch.optim.lr_scheduler.ChainedScheduler([first, second], optimizer=opt)

    def run(resume_at: int | None) -> list[float]:
        opt, chained = build()
        lrs = []
        for step in range(20):
            if step == resume_at:  # a checkpoint's optimizer, then its scheduler
                saved = opt.state_dict(), chained.state_dict()
                opt, chained = build()
                opt.load_state_dict(saved[0])
                chained.load_state_dict(saved[1])
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            chained.step()
        return lrs

    rows, _ = rendered(runner, config)
    assert column(rows, "lr") == hexes(run(None))
    assert column(rows, "lr_resumed") == hexes(run(3))


SEQUENCE = (
    "  type: SequentialLR\n  milestones: [{milestone}]\n  schedulers:\n"
    "    - {{type: LinearLR, start_factor: 0.1, total_iters: 5}}\n"
    "    - {{type: deepspeed.WarmupDecayLR, total_num_steps: 15, warmup_num_steps: 2}}\n"
)


def test_deepspeeds_schedulers_in_a_sequence_are_refused_where_torch_fails(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(NESTED_HEAD + SEQUENCE.format(milestone=5))
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.schedulers[1].type: deepspeed.WarmupDecayLR cannot run "
        "in SequentialLR: it is not a torch LRScheduler, and SequentialLR restarts it at its "
        "milestone, 5, with _update_lr(0), which DeepSpeed's schedulers do not have (torch "
        "fails: 'WarmupDecayLR' object has no attribute '_update_lr'); ChainedScheduler "
        "takes DeepSpeed's schedulers, or give it as the config's scheduler (line 9)\n",
    )
    config = write_config(
        NESTED_HEAD + "  type: SequentialLR\n  milestones: [5]\n  schedulers:\n"
        "    - {type: deepspeed.WarmupLR, warmup_num_steps: 5}\n"
        "    - {type: ExponentialLR, gamma: 0.9}\n"
    )
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.schedulers[0].type: deepspeed.WarmupLR cannot run in "
        "SequentialLR: it is not a torch LRScheduler, and SequentialLR starts its first "
        "scheduler with _initial_step(), which DeepSpeed's schedulers do not have (torch "
        "fails: 'WarmupLR' object has no attribute '_initial_step'); ChainedScheduler takes "
        "DeepSpeed's schedulers, or give it as the config's scheduler (line 8)\n",
    )


def test_a_sequence_whose_deepspeed_turn_is_past_the_run_runs_as_torch_runs_it(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    import torch

    # 20 steps: torch reaches milestone 20 (and fails there), never 21
    code, stderr = said(runner, write_config(NESTED_HEAD + SEQUENCE.format(milestone=20)))
    assert code == 1
    assert "at its milestone, 20, with _update_lr(0)" in stderr
    config = write_config(NESTED_HEAD + SEQUENCE.format(milestone=21))
    opt = torch.optim.AdamW([torch.zeros(1, 1)], lr=0.01)
    sequence = torch.optim.lr_scheduler.SequentialLR(
        opt,
        [
            torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
            lr_schedules.WarmupDecayLR(opt, total_num_steps=15, warmup_num_steps=2),
        ],
        milestones=[21],
    )
    expected = []
    for _ in range(20):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        sequence.step()
    rows, _ = rendered(runner, config)
    assert column(rows, "lr") == hexes(expected)


def test_total_num_steps_past_the_run_is_warned_of(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler:\n  type: deepspeed.WarmupCosineLR\n  warmup_num_steps: 10\n"
    config = write_config(text + "  total_num_steps: 200\n")
    assert warnings_of(runner, config) == [
        f"Warning: {config}: scheduler.total_num_steps: total_num_steps is 200, but "
        "WarmupCosineLR is stepped 100 times: the schedule is cut at 50% of its length; "
        "total_num_steps: 100 fits the run (line 5) [schedule-cut-short]",
    ]
    near = write_config(text + "  total_num_steps: 101\n")
    assert warnings_of(runner, near) == []


@pytest.mark.parametrize(
    ("kind", "warmup", "said"),
    [
        ("WarmupDecayLR", 100, "at total_num_steps 100"),
        ("WarmupCosineLR", 100, "at total_num_steps 100"),
    ],
)
def test_a_warm_up_to_the_schedules_end_is_warned_of(
    kind: str, warmup: int, said: str, lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    text = f"epochs: 100\nscheduler:\n  type: deepspeed.{kind}\n  total_num_steps: 100\n"
    config = write_config(text + f"  warmup_num_steps: {warmup}\n")
    assert warnings_of(runner, config) == [
        f"Warning: {config}: scheduler.warmup_num_steps: warmup_num_steps is {warmup}, {said}: "
        f"{kind}'s warm-up takes all of its schedule, so it never decays; a warmup_num_steps "
        "below 100 leaves it its decay (line 5) [horizon-long]",
    ]
    near = write_config(text + "  warmup_num_steps: 99\n")
    assert warnings_of(runner, near) == []


def test_a_warm_up_past_total_num_steps_within_the_run_is_warned_of(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler:\n  type: deepspeed.WarmupDecayLR\n  total_num_steps: 60\n"
    config = write_config(text + "  warmup_num_steps: 80\n")
    assert warnings_of(runner, config) == [
        f"Warning: {config}: scheduler.total_num_steps: total_num_steps is 60, but "
        "WarmupDecayLR is stepped 100 times: the last 40 steps are past its end; "
        "total_num_steps: 100 fits the run (line 4) [lr-at-zero]",
        f"Warning: {config}: scheduler.warmup_num_steps: warmup_num_steps is 80, past "
        "total_num_steps 60: WarmupDecayLR's warm-up takes all of its schedule, so it never "
        "decays; a warmup_num_steps below 60 leaves it its decay (line 5) [horizon-long]",
    ]


def test_a_one_cycle_rise_longer_than_the_run_is_warned_of(
    lr_schedules: Any, runner: CliRunner, write_config
) -> None:
    text = (
        "epochs: 100\nscheduler: {type: deepspeed.OneCycle, cycle_min_lr: 0.0001, "
        "cycle_max_lr: 0.001, cycle_first_step_size: %d}\n"
    )
    config = write_config(text % 150)
    assert warnings_of(runner, config) == [
        f"Warning: {config}: scheduler.cycle_first_step_size: OneCycle is stepped 100 times, "
        "so its cycle_first_step_size of 150 never ends (line 2) [horizon-long]",
    ]
    near = write_config(text % 50)  # up over 50 steps, down over the other 50
    assert warnings_of(runner, near) == []
