"""timm's schedulers (``type: timm.<Class>``), bit for bit against timm itself, stepped in a
plain loop written here as timm's train.py steps them."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import CONFIGS_DIR, hide_package


@pytest.fixture(scope="module")
def timm_scheduler() -> Any:
    """``timm.scheduler``, or the test skipped naming timm."""
    pytest.importorskip("timm")
    return pytest.importorskip("timm.scheduler")


def build_timm(
    timm_scheduler: Any,
    name: str,
    kwargs: dict[str, Any],
    *,
    lr: float,
    groups: list[dict[str, Any]] | None,
    optimizer_state: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """An AdamW over one tensor per group (its state loaded, if given), then timm's class."""
    import torch

    params = [{"params": [torch.zeros(1, 1)], **g} for g in (groups or [{}])]
    optimizer = torch.optim.AdamW(params, lr=lr)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # PlateauLRScheduler's deprecation
        return optimizer, getattr(timm_scheduler, name)(optimizer, **kwargs)


def timm_run(
    timm_scheduler: Any,
    name: str,
    kwargs: dict[str, Any],
    *,
    epochs: int,
    updates_per_epoch: int,
    lr: float = 0.01,
    groups: list[dict[str, Any]] | None = None,
    metric: list[float] | None = None,
    resume_epoch: int | None = None,
    on_updates: bool | None = None,
) -> list[list[float]]:
    """Each group's lr before every optimizer update, timm's class stepped as timm's
    train.py steps it: ``num_updates`` counted from ``epoch * updates_per_epoch``,
    ``step_update(num_updates)`` after each update, ``step(epoch + 1, metric[epoch])``
    after each epoch; resumed at ``resume_epoch`` as ``--resume`` does (a fresh optimizer
    loads the saved state, the scheduler is built on it and stepped to that epoch)."""
    if on_updates is None:
        on_updates = not kwargs.get("t_in_epochs", True)
    optimizer, scheduler = build_timm(timm_scheduler, name, kwargs, lr=lr, groups=groups)
    lrs: list[list[float]] = [[] for _ in optimizer.param_groups]
    for epoch in range(epochs):
        if epoch == resume_epoch:
            saved = optimizer.state_dict()
            optimizer, scheduler = build_timm(
                timm_scheduler, name, kwargs, lr=lr, groups=groups, optimizer_state=saved
            )
            if epoch > 0 and on_updates:
                scheduler.step_update(epoch * updates_per_epoch)
            elif epoch > 0:
                scheduler.step(epoch)
        num_updates = epoch * updates_per_epoch
        for _ in range(updates_per_epoch):
            for column, group in zip(lrs, optimizer.param_groups, strict=True):
                column.append(group["lr"])
            num_updates += 1
            scheduler.step_update(num_updates=num_updates, metric=0.5)
        scheduler.step(epoch + 1, metric[epoch] if metric is not None else None)
    return lrs


def rendered(runner: CliRunner, config: Path) -> tuple[list[dict[str, str]], str]:
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def hexes(values: list[float]) -> list[str]:
    return [float(v).hex() for v in values]


def column(rows: list[dict[str, str]], name: str) -> list[str]:
    return hexes([float(row[name]) for row in rows])


def scheduler_yaml(name: str, kwargs: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump({"scheduler": {"type": f"timm.{name}", **kwargs}})


_WARMUP = {"warmup_t": 3, "warmup_lr_init": 1e-5}
_CYCLES = {"cycle_limit": 3, "cycle_mul": 1.5, "cycle_decay": 0.5}
_NOISE = {"noise_range_t": [4, 15], "noise_pct": 0.3, "noise_std": 0.8, "noise_seed": 7}

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "cosine": ("CosineLRScheduler", {"t_initial": 20}),
    "cosine-warmup": ("CosineLRScheduler", {"t_initial": 17, "lr_min": 1e-4, **_WARMUP}),
    "cosine-warmup-prefix": (
        "CosineLRScheduler",
        {"t_initial": 14, "warmup_prefix": True, "k_decay": 1.5, **_WARMUP},
    ),
    "cosine-cycles": ("CosineLRScheduler", {"t_initial": 5, **_CYCLES, **_WARMUP}),
    "cosine-cycles-even": (
        "CosineLRScheduler",
        {"t_initial": 6, "cycle_limit": 2, "cycle_decay": 0.7},
    ),
    "cosine-noise": ("CosineLRScheduler", {"t_initial": 20, **_NOISE}),
    "cosine-noise-from": ("CosineLRScheduler", {"t_initial": 20, "noise_range_t": 10}),
    "cosine-per-update": (
        "CosineLRScheduler",
        {"t_initial": 80, "t_in_epochs": False, "warmup_t": 9, "warmup_lr_init": 1e-6},
    ),
    "cosine-per-update-noise": (
        "CosineLRScheduler",
        {"t_initial": 80, "t_in_epochs": False, "noise_range_t": [20, 60]},
    ),
    "tanh": ("TanhLRScheduler", {"t_initial": 20}),
    "tanh-warmup": ("TanhLRScheduler", {"t_initial": 16, "lb": -5.0, "ub": 4.0, **_WARMUP}),
    "tanh-warmup-prefix": (
        "TanhLRScheduler",
        {"t_initial": 15, "warmup_prefix": True, **_WARMUP},
    ),
    "tanh-cycles-noise": ("TanhLRScheduler", {"t_initial": 6, **_CYCLES, **_NOISE}),
    "step": ("StepLRScheduler", {"decay_t": 4, "decay_rate": 0.5}),
    "step-warmup": ("StepLRScheduler", {"decay_t": 3.5, "decay_rate": 0.7, **_WARMUP}),
    "step-warmup-inside": (
        "StepLRScheduler",
        {"decay_t": 5, "decay_rate": 0.3, "warmup_prefix": False, **_WARMUP},
    ),
    "step-per-update-noise": (
        "StepLRScheduler",
        {"decay_t": 15, "decay_rate": 0.8, "t_in_epochs": False, "noise_range_t": 30},
    ),
    "multistep": ("MultiStepLRScheduler", {"decay_t": [5, 9, 14], "decay_rate": 0.5}),
    "multistep-warmup": (
        "MultiStepLRScheduler",
        {"decay_t": [4, 10], "decay_rate": 0.2, **_WARMUP},
    ),
    "multistep-per-update": (
        "MultiStepLRScheduler",
        {"decay_t": [12, 40, 41], "decay_rate": 0.5, "t_in_epochs": False},
    ),
    "poly": ("PolyLRScheduler", {"t_initial": 20}),
    "poly-warmup": ("PolyLRScheduler", {"t_initial": 18, "power": 2.0, "lr_min": 1e-4, **_WARMUP}),
    "poly-cycles-k": ("PolyLRScheduler", {"t_initial": 6, "k_decay": 0.5, **_CYCLES}),
    "poly-per-update-noise": (
        "PolyLRScheduler",
        {"t_initial": 60, "power": 1.0, "t_in_epochs": False, **_NOISE},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_timm_schedulers_render_timms_numbers(
    case: str, timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    name, kwargs = CASES[case]
    config = write_config(
        "epochs: 20\nsteps_per_epoch: 4\noptimizer: {type: AdamW, lr: 0.01}\n"
        + scheduler_yaml(name, kwargs)
    )
    rows, _ = rendered(runner, config)
    expected = timm_run(timm_scheduler, name, kwargs, epochs=20, updates_per_epoch=4)
    assert column(rows, "lr") == hexes(expected[0])
    assert len(set(expected[0])) > 3  # the case shows a schedule, not a constant


METRIC = [0.9, 0.8, 0.85, 0.7, 0.71, 0.72, 0.73, 0.6, 0.61, 0.62, 0.63, 0.64, 0.5, 0.5]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience_t": 1, "decay_rate": 0.5, "mode": "min"},
        {"patience_t": 0, "decay_rate": 0.7, "mode": "max", "cooldown_t": 1, "lr_min": 0.004},
        {"patience_t": 1, "mode": "min", "warmup_t": 2, "warmup_lr_init": 0.001},
        {"patience_t": 1, "mode": "min", "noise_range_t": [3, 10], "noise_seed": 3},
    ],
    ids=["min", "max-cooldown-floor", "warmup", "noise"],
)
def test_plateau_gets_the_eval_metric_after_each_epoch(
    kwargs: dict[str, Any], timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    values = ", ".join(map(str, METRIC))
    config = write_config(
        f"epochs: {len(METRIC)}\nsteps_per_epoch: 3\noptimizer: {{type: AdamW, lr: 0.01}}\n"
        f"metric: [{values}]\n" + scheduler_yaml("PlateauLRScheduler", kwargs)
    )
    rows, _ = rendered(runner, config)
    expected = timm_run(
        timm_scheduler,
        "PlateauLRScheduler",
        kwargs,
        epochs=len(METRIC),
        updates_per_epoch=3,
        metric=METRIC,
    )
    assert column(rows, "lr") == hexes(expected[0])
    assert len(set(expected[0])) > 2


@pytest.mark.parametrize(
    ("name", "kwargs", "resume_epoch"),
    [
        ("CosineLRScheduler", {"t_initial": 10, **_WARMUP, **_NOISE}, 5),
        ("CosineLRScheduler", {"t_initial": 40, "t_in_epochs": False, **_WARMUP}, 3),
        ("MultiStepLRScheduler", {"decay_t": [4, 7], "decay_rate": 0.5}, 4),
        ("PlateauLRScheduler", {"patience_t": 1, "mode": "min", **_WARMUP}, 6),
    ],
    ids=["cosine", "cosine-per-update", "multistep", "plateau-restarts"],
)
def test_resumed_as_train_py_resumes(
    name: str,
    kwargs: dict[str, Any],
    resume_epoch: int,
    timm_scheduler: Any,
    runner: CliRunner,
    write_config,
) -> None:
    values = ", ".join(map(str, METRIC[:12]))
    config = write_config(
        f"epochs: 12\nsteps_per_epoch: 4\nresume_at: {resume_epoch * 4}\n"
        "optimizer: {type: AdamW, lr: 0.01}\n"
        + (f"metric: [{values}]\n" if name == "PlateauLRScheduler" else "")
        + scheduler_yaml(name, kwargs)
    )
    rows, _ = rendered(runner, config)
    metric = METRIC[:12] if name == "PlateauLRScheduler" else None
    run = {"epochs": 12, "updates_per_epoch": 4, "metric": metric}
    plain = timm_run(timm_scheduler, name, kwargs, **run)  # type: ignore[arg-type]
    resumed = timm_run(timm_scheduler, name, kwargs, resume_epoch=resume_epoch, **run)  # type: ignore[arg-type]
    assert column(rows, "lr") == hexes(plain[0])
    assert column(rows, "lr_resumed") == hexes(resumed[0])
    if name == "PlateauLRScheduler":  # timm saves no plateau state: the lr starts over
        assert resumed[0] != plain[0]


def test_param_groups_each_from_its_own_lr(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    kwargs = {"t_initial": 12, **_WARMUP}
    config = write_config(
        "epochs: 12\nsteps_per_epoch: 2\n"
        "optimizer: {type: AdamW, lr: 0.01, param_groups: [{name: a}, {name: b, lr: 0.002}]}\n"
        + scheduler_yaml("CosineLRScheduler", kwargs)
    )
    rows, _ = rendered(runner, config)
    expected = timm_run(
        timm_scheduler,
        "CosineLRScheduler",
        kwargs,
        epochs=12,
        updates_per_epoch=2,
        groups=[{}, {"lr": 0.002}],
    )
    assert column(rows, "lr_a") == hexes(expected[0])
    assert column(rows, "lr_b") == hexes(expected[1])


def test_the_first_lr_is_the_one_set_at_construction(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "epochs: 3\noptimizer: {type: SGD, lr: 0.1}\n"
        "scheduler: {type: timm.StepLRScheduler, decay_t: 1, decay_rate: 0.5, warmup_t: 1, "
        "warmup_lr_init: 0.001}\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "epoch,lr\n0,0.001\n1,0.1\n2,0.05\n"


# Refusals: exact messages.


def said(runner: CliRunner, config: Path) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(config)])
    return result.exit_code, result.stderr


def test_an_unknown_timm_scheduler_is_refused_with_the_names(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: timm.CosineScheduler, t_initial: 10}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.type: unknown timm scheduler 'timm.CosineScheduler' "
        "(did you mean timm.CosineLRScheduler?); timm's schedulers (each timm.NAME): "
        "CosineLRScheduler, TanhLRScheduler, StepLRScheduler, MultiStepLRScheduler, "
        "PlateauLRScheduler, PolyLRScheduler, create_scheduler_v2 (line 1)\n",
    )


def test_a_timm_name_without_its_prefix_is_pointed_to_it(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: CosineLRScheduler, t_initial: 10}\n")
    code, message = said(runner, config)
    assert code == 1
    assert message.startswith(
        f"Error: {config}: scheduler.type: unknown scheduler 'CosineLRScheduler' (did you "
        "mean timm.CosineLRScheduler?); torch's schedulers: "
    )


def test_what_timm_does_not_export_is_not_reachable(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: timm.scheduler_kwargs}\n")
    code, message = said(runner, config)
    assert code == 1
    assert message.startswith(
        f"Error: {config}: scheduler.type: unknown timm scheduler 'timm.scheduler_kwargs'"
    )


def test_timms_own_refusal_is_one_line(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler:\n  type: timm.TanhLRScheduler\n  t_initial: 10\n  lb: 4\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.lb: timm rejected the arguments of TanhLRScheduler: "
        "assert lb < ub failed (line 4)\n",
    )


def test_loop_keys_are_refused_as_timm_steps_its_own(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "scheduler: {type: timm.CosineLRScheduler, t_initial: 10, interval: epoch}\n"
    )
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.interval: interval does not apply to "
        "timm.CosineLRScheduler: lrplot steps it as timm's train.py does, "
        "step_update(num_updates) after every optimizer update and step(epoch + 1) after "
        "every epoch; t_in_epochs says which moves the lr (line 1)\n",
    )


def test_a_timm_scheduler_cannot_be_nested(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "scheduler:\n  type: SequentialLR\n  milestones: [2]\n  schedulers:\n"
        "    - {type: LinearLR}\n    - {type: timm.CosineLRScheduler, t_initial: 10}\n"
    )
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.schedulers[1].type: timm.CosineLRScheduler cannot be "
        "nested: timm's schedulers are stepped with the epoch or update count (step(epoch), "
        "step_update(num_updates)), which the scheduler nesting it does not pass; give it "
        "as the config's scheduler (line 6)\n",
    )


def test_a_resume_inside_an_epoch_is_refused(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "epochs: 5\nsteps_per_epoch: 10\nresume_at: 23\n"
        "scheduler: {type: timm.CosineLRScheduler, t_initial: 5}\n"
    )
    assert said(runner, config) == (
        1,
        f"Error: {config}: resume_at: 23 is inside epoch 2; timm's train.py resumes "
        "CosineLRScheduler at an epoch's start: resume_at: 20 or 30 (steps_per_epoch 10) "
        "(line 3)\n",
    )
    near = write_config(
        "epochs: 5\nsteps_per_epoch: 10\nresume_at: 20\n"
        "scheduler: {type: timm.CosineLRScheduler, t_initial: 5}\n"
    )
    assert said(runner, near) == (0, "")


def test_without_timm_a_config_naming_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, write_config
) -> None:
    hide_package(monkeypatch, "timm")
    config = write_config("scheduler: {type: timm.CosineLRScheduler, t_initial: 10}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.type: 'timm.CosineLRScheduler' is a scheduler of timm, "
        "which is not installed: pip install 'lrplot[timm]' (or pip install timm) (line 1)\n",
    )


# What timm says as it builds a scheduler: notices, not lines of its own.


def test_what_timm_warns_and_logs_is_a_notice(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    plateau = write_config(
        "metric: [0.5, 0.6, 0.6]\nepochs: 3\nscheduler: {type: timm.PlateauLRScheduler}\n"
    )
    _, stderr = rendered(runner, plateau)
    assert stderr == (
        f"Notice: {plateau}: timm said: PlateauLRScheduler is deprecated and will be removed "
        "in a future timm release. Its metric-driven state (best metric, patience and "
        "cooldown counters) is not saved in checkpoints, so a resumed run restarts the "
        "plateau logic, and checkpoint support will not be added. Use a fixed schedule such "
        "as cosine or wsd, sweep.py can branch WSD cooldowns at several budgets to compare "
        "against a plateau-driven decay.\n"
    )
    logged = write_config("epochs: 1\nscheduler: {type: timm.CosineLRScheduler, t_initial: 1}\n")
    _, stderr = rendered(runner, logged)
    assert stderr == (
        f"Notice: {logged}: timm said: Cosine annealing scheduler will have no effect on the "
        "learning rate since t_initial = t_mul = eta_mul = 1.\n"
    )
    near = write_config("epochs: 2\nscheduler: {type: timm.CosineLRScheduler, t_initial: 2}\n")
    assert rendered(runner, near)[1] == ""


def test_a_falling_metric_is_judged_in_timms_default_mode_max(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 4\nscheduler: {type: timm.PlateauLRScheduler, patience_t: 1}\n"
    config = write_config("metric: [0.5, 0.4, 0.3, 0.3]\n" + text)  # falls, as a loss does
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warned == [
        f"Warning: {config}: scheduler: mode is max, but the metric it is fed falls (from "
        "about 0.5 to 0.3), so it takes improvements for a plateau; a metric that falls wants "
        "mode: min (a loss) (line 3) [plateau-mode]"
    ]
    near = write_config("metric: [0.5, 0.6, 0.7, 0.7]\n" + text)  # rises, as top1 does
    result = runner.invoke(cli, ["validate", str(near)])
    assert result.exit_code == 0, result.stderr
    assert "Warning:" not in result.stderr


def test_a_metric_that_never_improves_names_timms_patience_t(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 4\nscheduler: {type: timm.PlateauLRScheduler, patience_t: 1}\n"
    config = write_config("metric: [0.5, 0.5, 0.5, 0.5]\n" + text)
    result = runner.invoke(cli, ["validate", str(config)])
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warned == [
        f"Warning: {config}: metric: the metric never improves on its first value, 0.5 "
        "(mode max), so PlateauLRScheduler cuts the lr after every patience_t + 1 steps "
        "(line 1) [metric-never-improves]"
    ]
    near = write_config("metric: [0.5, 0.5, 0.6, 0.6]\n" + text)
    result = runner.invoke(cli, ["validate", str(near)])
    assert result.exit_code == 0, result.stderr
    assert "Warning:" not in result.stderr


def test_list_and_the_schema_know_timms_schedulers(timm_scheduler: Any, runner: CliRunner) -> None:
    from importlib.metadata import version

    listed = runner.invoke(cli, ["list"])
    assert listed.exit_code == 0, listed.stderr
    assert (
        f"\nSchedulers of timm {version('timm')} (type: timm.NAME, stepped as timm's train.py "
        "steps them):\n  CosineLRScheduler  " in listed.stdout
    )
    assert "timm's schedulers: pip install" not in listed.stdout
    one = runner.invoke(cli, ["list", "timm.CosineLRScheduler"])
    assert one.exit_code == 0, one.stderr
    assert one.stdout.startswith("timm.CosineLRScheduler (scheduler, timm.scheduler.cosine_lr): ")
    assert "\n    type: timm.CosineLRScheduler\n    t_initial: 100\n" in one.stdout
    assert "How the training loop steps it: as timm's train.py does" in one.stdout
    schema = runner.invoke(cli, ["schema"])
    assert schema.exit_code == 0, schema.stderr
    assert '"const": "timm.PolyLRScheduler"' in schema.stdout
    assert '"const": "timm.create_scheduler_v2"' in schema.stdout


def test_without_timm_list_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    hide_package(monkeypatch, "timm")
    listed = runner.invoke(cli, ["list"])
    assert listed.exit_code == 0, listed.stderr
    assert "\ntimm's schedulers: pip install 'lrplot[timm]' (or pip install timm)\n" in (
        listed.stdout
    )
    assert "Schedulers of timm" not in listed.stdout


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sched": "cosine", "num_epochs": 10, "warmup_epochs": 2, "cooldown_epochs": 2},
        {"sched": "poly", "num_epochs": 12, "step_on_epochs": False, "updates_per_epoch": 3},
        {"sched": "plateau", "num_epochs": 12, "patience_epochs": 1, "plateau_mode": "min"},
    ],
    ids=["cosine", "poly-per-update", "plateau"],
)
def test_the_factory_by_name(
    kwargs: dict[str, Any], timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    values = ", ".join(map(str, METRIC[:12]))
    config = write_config(
        "epochs: 12\nsteps_per_epoch: 3\noptimizer: {type: AdamW, lr: 0.01}\n"
        f"metric: [{values}]\n" + scheduler_yaml("create_scheduler_v2", kwargs)
    )
    rows, _ = rendered(runner, config)
    import torch

    optimizer = torch.optim.AdamW([torch.zeros(1, 1)], lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        scheduler, _ = timm_scheduler.create_scheduler_v2(optimizer, **kwargs)
    lrs = []
    for epoch in range(12):
        for update in range(3):
            lrs.append(optimizer.param_groups[0]["lr"])
            scheduler.step_update(epoch * 3 + update + 1)
        scheduler.step(epoch + 1, METRIC[epoch])
    assert column(rows, "lr") == hexes(lrs)
    assert len(set(lrs)) > 2


def test_the_deit_example_is_timms_numbers(timm_scheduler: Any, runner: CliRunner) -> None:
    import yaml

    path = CONFIGS_DIR / "timm" / "deit-cosine.yaml"
    raw = yaml.safe_load(path.read_text())
    rows, stderr = rendered(runner, path)
    kwargs = {k: v for k, v in raw["scheduler"].items() if k != "type"}
    expected = timm_run(
        timm_scheduler,
        "CosineLRScheduler",
        kwargs,
        epochs=raw["epochs"],
        updates_per_epoch=raw.get("steps_per_epoch", 1),
        lr=raw["optimizer"]["lr"],
    )
    assert column(rows, "lr") == hexes(expected[0])
    assert stderr == ""


def _warned(runner: CliRunner, config: Path) -> list[str]:
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def test_a_t_initial_past_the_run_is_cut_short(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "epochs: 100\nscheduler: {type: timm.CosineLRScheduler, t_initial: 200}\n"
    )
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.t_initial: t_initial is 200, but CosineLRScheduler is "
        "stepped 100 times: its decay is cut at 50% of its way down; t_initial: 100 ends at "
        "lr_min (line 2) [schedule-cut-short]"
    ]
    near = write_config("epochs: 100\nscheduler: {type: timm.CosineLRScheduler, t_initial: 110}\n")
    assert _warned(runner, near) == []


def test_a_prefixed_warmup_leaves_t_initial_fewer_steps(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = (
        "epochs: 100\nscheduler: {type: timm.TanhLRScheduler, warmup_t: 10, warmup_prefix: true, "
    )
    config = write_config(text + "t_initial: 100}\n")
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.t_initial: t_initial is 100, but TanhLRScheduler is "
        "stepped 100 times, 90 past its warmup_t of 10 (warmup_prefix): its decay is cut at 90% "
        "of its way down; t_initial: 90 ends at lr_min (line 2) [schedule-cut-short]"
    ]
    assert _warned(runner, write_config(text + "t_initial: 90}\n")) == []


def test_cycles_past_the_run_are_cut_short(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler: {type: timm.CosineLRScheduler, t_initial: 20, cycle_mul: 1.5, "
    config = write_config(text + "cycle_limit: 5}\n")
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.t_initial: t_initial is 20 with cycle_limit 5: cycles of "
        "20, 30, 45, 67.5, 101.2 (263.8 steps), but CosineLRScheduler is stepped 100 times: the "
        "cycle of 101.2 never starts, and the cycle it ends in is cut at 7% of its way down; "
        "cycles summing to 100 end at lr_min (line 2) [schedule-cut-short]"
    ]
    assert _warned(runner, write_config(text + "cycle_limit: 3}\n")) == []  # 95 steps


def test_cycles_ending_long_before_the_run_hold_lr_min(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler: {type: timm.CosineLRScheduler, lr_min: 1.0e-5, "
    config = write_config(text + "t_initial: 20, cycle_limit: 4}\n")
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.t_initial: t_initial is 20 with cycle_limit 4: cycles of "
        "20, 20, 20, 20 (80 steps), but CosineLRScheduler is stepped 100 times: its schedule "
        "ends after 80, and the lr is held at lr_min (1e-05) for the last 20 steps (20%); "
        "cycles summing to 100 fit the run (line 2) [lr-at-zero]"
    ]
    assert _warned(runner, write_config(text + "t_initial: 23, cycle_limit: 4}\n")) == []
    # A cooldown at lr_min of up to a tenth of the run is timm's recipe (cooldown_epochs).
    assert _warned(runner, write_config(text + "t_initial: 90}\n")) == []


def test_a_warmup_past_the_run_never_ends(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler: {type: timm.CosineLRScheduler, t_initial: 100, "
    config = write_config(text + "warmup_t: 101}\n")
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.warmup_t: CosineLRScheduler is stepped 100 times, so its "
        "warmup_t of 101 never ends (line 2) [horizon-long]"
    ]
    assert _warned(runner, write_config(text + "warmup_t: 99}\n")) == []


def test_a_decay_t_past_the_run_never_decays(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler: {type: timm.StepLRScheduler, decay_t: "
    config = write_config(text + "100}\n")
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.decay_t: StepLRScheduler is stepped 100 times, so a "
        "decay_t of 100 never decays the lr (line 2) [horizon-long]"
    ]
    assert _warned(runner, write_config(text + "99}\n")) == []


def test_a_milestone_past_the_run_is_never_reached_one_count_early(
    timm_scheduler: Any, runner: CliRunner, write_config
) -> None:
    text = "epochs: 100\nscheduler: {type: timm.MultiStepLRScheduler, decay_rate: 0.5, decay_t: "
    config = write_config(text + "[50, 101]}\n")
    assert _warned(runner, config) == [
        f"Warning: {config}: scheduler.decay_t: MultiStepLRScheduler is stepped 100 times, so "
        "milestone 101 is never reached (timm's milestone m acts from t = m - 1: milestones up "
        "to 100 are reached) (line 2) [horizon-long]"
    ]
    # 100 acts at t = 99, the last epoch: timm's own numbers decay there.
    assert _warned(runner, write_config(text + "[50, 100]}\n")) == []
    lr = "optimizer: {type: AdamW, lr: 0.01}\n"
    rows, _ = rendered(runner, write_config(lr + text + "[50, 100]}\n"))
    lrs = timm_run(
        timm_scheduler,
        "MultiStepLRScheduler",
        {"decay_rate": 0.5, "decay_t": [50, 100]},
        epochs=100,
        updates_per_epoch=1,
    )
    assert column(rows, "lr")[-1] == hexes(lrs[0])[-1] != hexes(lrs[0])[-2]
