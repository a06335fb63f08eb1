"""MMEngine's lr schedulers (``type: mmengine.<Class>``), bit for bit against MMEngine itself."""

from __future__ import annotations

import copy
import csv
import io
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrplot import load_spec, simulate
from lrplot.cli import cli
from lrplot.config.catalog import example_config
from lrplot.config.schema import config_schema
from lrplot.schedulers.facts import MMENGINE_SCHEDULERS
from tests.conftest import hide_package

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry() -> Any:
    """MMEngine's ``PARAM_SCHEDULERS`` registry, or the test skipped naming MMEngine."""
    pytest.importorskip("mmengine")
    pytest.importorskip("mmengine.optim.scheduler")
    return pytest.importorskip("mmengine.registry").PARAM_SCHEDULERS


def mmengine_run(
    registry: Any,
    param_scheduler: list[dict[str, Any]],
    *,
    epochs: int,
    per_epoch: int,
    optimizer: str = "SGD",
    lr: float = 0.02,
    groups: list[dict[str, Any]] | None = None,
    metric: list[float] | None = None,
    resume_at: int | None = None,
) -> list[list[float]]:
    """What MMEngine's runner does with ``param_scheduler``, written out as a plain loop:
    each entry built as ``Runner._build_param_scheduler`` builds it (``end`` defaulting to
    the run's epochs or iterations, ``epoch_length`` the iterations of an epoch), then
    stepped as ``ParamSchedulerHook`` steps them in ``EpochBasedTrainLoop``: iteration ones
    after each iteration, epoch ones after each epoch, then ``ReduceOnPlateauLR`` with the
    epoch's metric after validation; resumed at ``resume_at`` as ``Runner.resume`` loads a
    checkpoint (fresh ones built, the optimizer's state, then each scheduler's). Returns
    each group's lr before each iteration."""
    import torch

    def build() -> tuple[Any, list[Any]]:
        params = [{"params": [torch.zeros(1, 1)], **g} for g in (groups or [{}])]
        opt = getattr(torch.optim, optimizer)(params, lr=lr)
        built = []
        for entry in param_scheduler:
            cfg = copy.deepcopy(entry)
            cfg.setdefault("end", epochs if cfg.get("by_epoch", True) else epochs * per_epoch)
            built.append(
                registry.build(cfg, default_args={"optimizer": opt, "epoch_length": per_epoch})
            )
        return opt, built

    lrs: list[list[float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MMEngine's: scheduler.step() before optimizer.step()
        opt, schedulers = build()
        lrs = [[] for _ in opt.param_groups]
        for epoch in range(epochs):
            for batch in range(per_epoch):
                if resume_at is not None and epoch * per_epoch + batch == resume_at:
                    saved = copy.deepcopy((opt.state_dict(), [s.state_dict() for s in schedulers]))
                    opt, schedulers = build()
                    opt.load_state_dict(saved[0])
                    for scheduler, state in zip(schedulers, saved[1], strict=True):
                        scheduler.load_state_dict(state)
                for index, group in enumerate(opt.param_groups):
                    lrs[index].append(group["lr"])
                for scheduler in schedulers:  # after_train_iter
                    if not scheduler.by_epoch:
                        scheduler.step()
            for scheduler in schedulers:  # after_train_epoch
                if scheduler.by_epoch:
                    scheduler.step()
            if metric is not None:  # after_val_epoch
                for scheduler in schedulers:
                    if scheduler.by_epoch and getattr(scheduler, "need_val_args", False):
                        scheduler.step({scheduler.monitor: metric[epoch]})
    return lrs


def config_text(
    param_scheduler: list[dict[str, Any]],
    *,
    epochs: int,
    per_epoch: int,
    optimizer: str = "SGD",
    lr: float = 0.02,
    extra: str = "",
) -> str:
    """An lrplot config of the same run: each entry ``mmengine.<type>`` in ``schedulers:``."""
    entries = [
        json.dumps({**entry, "type": "mmengine." + entry["type"]}) for entry in param_scheduler
    ]
    return (
        f"epochs: {epochs}\nsteps_per_epoch: {per_epoch}\n"
        f"optimizer: {{type: {optimizer}, lr: {lr}}}\n"
        + extra
        + "schedulers:\n"
        + "".join(f"  - {entry}\n" for entry in entries)
    )


def rendered(runner: CliRunner, config: Path) -> tuple[list[dict[str, str]], str]:
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def hexes(values: list[float]) -> list[str]:
    return [float(v).hex() for v in values]


def column(rows: list[dict[str, str]], name: str) -> list[str]:
    return hexes([float(row[name]) for row in rows])


MMDET_1X = [  # mmdet/configs/_base_/schedules/schedule_1x.py
    {"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 500},
    {
        "type": "MultiStepLR",
        "begin": 0,
        "end": 12,
        "by_epoch": True,
        "milestones": [8, 11],
        "gamma": 0.1,
    },
]


def test_mmdetections_1x_config_renders_mmengines_numbers(
    registry: Any, runner: CliRunner
) -> None:
    config = ROOT / "configs" / "mmengine" / "mmdet-1x.yaml"
    rows, stderr = rendered(runner, config)
    expected = mmengine_run(registry, MMDET_1X, epochs=12, per_epoch=1000)
    assert len(rows) == 12_000
    assert column(rows, "lr") == hexes(expected[0])
    assert stderr == ""


CASES: dict[str, tuple[list[dict[str, Any]], int, int]] = {
    "cosine-warmup-converted": (
        [  # as mmpretrain's schedules: the warm-up and cosine given in epochs, run per iteration
            {
                "type": "LinearLR",
                "start_factor": 0.001,
                "by_epoch": True,
                "end": 5,
                "convert_to_iter_based": True,
            },
            {
                "type": "CosineAnnealingLR",
                "eta_min": 1.0e-5,
                "by_epoch": True,
                "begin": 5,
                "convert_to_iter_based": True,
            },
        ],
        20,
        7,
    ),
    "poly-overlapping-warmup": (
        [  # as mmseg's: PolyLR per iteration, with a warm-up overlapping it (they compound)
            {"type": "LinearLR", "start_factor": 0.1, "by_epoch": False, "begin": 0, "end": 15},
            {"type": "PolyLR", "eta_min": 1.0e-4, "power": 0.9, "by_epoch": False},
        ],
        4,
        25,
    ),
    "poly-by-epoch": (
        [{"type": "PolyLR", "power": 2.0, "begin": 2, "end": 9}],
        12,
        3,
    ),
    "constant": ([{"type": "ConstantLR", "factor": 0.25, "begin": 1, "end": 4}], 8, 2),
    "exponential-bounded": (
        [{"type": "ExponentialLR", "gamma": 0.8, "by_epoch": False, "begin": 3, "end": 20}],
        5,
        6,
    ),
    "step-converted": (
        [{"type": "StepLR", "step_size": 2, "gamma": 0.5, "convert_to_iter_based": True}],
        9,
        4,
    ),
    "multistep-counted-from-begin": (
        [{"type": "MultiStepLR", "milestones": [2, 4, 4], "gamma": 0.5, "begin": 3}],
        12,
        2,
    ),
    "one-cycle": (
        [{"type": "OneCycleLR", "eta_max": 0.1, "by_epoch": False, "pct_start": 0.25}],
        3,
        20,
    ),
    "one-cycle-three-phase": (
        [
            {
                "type": "OneCycleLR",
                "eta_max": 0.1,
                "total_steps": 50,
                "three_phase": True,
                "anneal_strategy": "linear",
                "by_epoch": False,
                "end": 50,
            }
        ],
        3,
        20,
    ),
    "cosine-restart": (
        [
            {
                "type": "CosineRestartLR",
                "periods": [10, 15, 20],
                "restart_weights": [1, 0.6, 0.3],
                "eta_min": 0.001,
                "by_epoch": False,
            }
        ],
        5,
        10,
    ),
    "cosine-restart-converted": (
        [
            {
                "type": "CosineRestartLR",
                "periods": [2, 3],
                "restart_weights": [1, 0.5],
                "eta_min_ratio": 0.1,
                "convert_to_iter_based": True,
            }
        ],
        6,
        5,
    ),
    "cosine-by-epoch-past-t-max": (
        [{"type": "CosineAnnealingLR", "T_max": 4, "eta_min_ratio": 0.05}],
        11,
        3,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_mmengine_schedulers_render_mmengines_numbers(
    case: str, registry: Any, runner: CliRunner, write_config
) -> None:
    param_scheduler, epochs, per_epoch = CASES[case]
    config = write_config(config_text(param_scheduler, epochs=epochs, per_epoch=per_epoch))
    rows, stderr = rendered(runner, config)
    expected = mmengine_run(registry, param_scheduler, epochs=epochs, per_epoch=per_epoch)
    assert len(rows) == epochs * per_epoch
    assert column(rows, "lr") == hexes(expected[0])
    if case == "cosine-by-epoch-past-t-max":  # rendered on purpose: the warning is right
        assert stderr.startswith("Warning: "), stderr
        assert stderr.endswith("[cosine-rises]\n"), stderr
        assert stderr.count("\n") == 1
    else:
        assert stderr == ""


PLATEAU = [
    {"type": "LinearLR", "start_factor": 0.01, "by_epoch": False, "begin": 0, "end": 8},
    {"type": "ReduceOnPlateauLR", "monitor": "loss", "patience": 1, "factor": 0.5},
]
LOSSES = [1.0, 0.8, 0.79, 0.79, 0.85, 0.7, 0.71, 0.72, 0.73, 0.74]


def test_a_plateau_is_fed_the_metric_after_each_epoch(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        config_text(PLATEAU, epochs=10, per_epoch=4, extra=f"metric: {LOSSES}\n")
    )
    rows, stderr = rendered(runner, config)
    expected = mmengine_run(registry, PLATEAU, epochs=10, per_epoch=4, metric=LOSSES)
    assert column(rows, "lr") == hexes(expected[0])
    assert len(set(column(rows, "lr")[8:])) > 2  # it cut the lr, more than once
    assert [row["metric"] for row in rows if row["metric"]] == [str(v) for v in LOSSES]
    assert stderr == ""


def test_a_plateau_ending_early_is_run_as_mmengine_runs_it(
    registry: Any, runner: CliRunner, write_config
) -> None:
    plateau = [
        {
            "type": "ReduceOnPlateauLR",
            "monitor": "acc",
            "rule": "greater",
            "patience": 0,
            "factor": 0.5,
            "begin": 1,
            "end": 6,
            "min_value": 0.004,
        }
    ]
    accuracies = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    config = write_config(
        config_text(plateau, epochs=8, per_epoch=2, extra=f"metric: {accuracies}\n")
    )
    rows, _ = rendered(runner, config)
    expected = mmengine_run(registry, plateau, epochs=8, per_epoch=2, metric=accuracies)
    assert column(rows, "lr") == hexes(expected[0])


def test_per_group_lrs_and_a_resumed_run(registry: Any, runner: CliRunner, write_config) -> None:
    param_scheduler: list[dict[str, Any]] = [
        {"type": "LinearLR", "start_factor": 0.1, "by_epoch": False, "end": 10},
        {"type": "OneCycleLR", "eta_max": [0.05, 0.2], "by_epoch": False, "begin": 10},
        {"type": "MultiStepLR", "milestones": [3], "gamma": 0.5},
    ]
    config = write_config(
        "epochs: 6\nsteps_per_epoch: 5\nresume_at: 13\n"
        "optimizer: {type: AdamW, lr: 0.01, param_groups: [{name: a}, {name: b, lr: 0.03}]}\n"
        "schedulers:\n"
        + "".join(
            f"  - {json.dumps({**e, 'type': 'mmengine.' + e['type']})}\n" for e in param_scheduler
        )
    )
    rows, _ = rendered(runner, config)
    groups = [{}, {"lr": 0.03}]
    plain = mmengine_run(
        registry, param_scheduler, epochs=6, per_epoch=5, optimizer="AdamW", lr=0.01,
        groups=groups,
    )  # fmt: skip
    resumed = mmengine_run(
        registry, param_scheduler, epochs=6, per_epoch=5, optimizer="AdamW", lr=0.01,
        groups=groups, resume_at=13,
    )  # fmt: skip
    for index, group in enumerate("ab"):
        assert column(rows, f"lr_{group}") == hexes(plain[index])
        assert column(rows, f"lr_resumed_{group}") == hexes(resumed[index])


@pytest.mark.parametrize("name", list(MMENGINE_SCHEDULERS))
def test_lrplot_list_shows_each_class_with_a_config_that_runs(
    name: str, registry: Any, runner: CliRunner
) -> None:
    import jsonschema
    import yaml

    result = runner.invoke(cli, ["list", name])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{name} (scheduler, mmengine.optim.scheduler.lr_scheduler)")
    assert "  convert_to_iter_based  true or false  default False\n" in result.stdout
    assert "  interval " not in result.stdout  # by_epoch says when: the loop's keys are refused
    example = example_config(name)
    jsonschema.validate(yaml.safe_load(example), config_schema())
    spec = load_spec(text=example, source=name)
    assert simulate(spec=spec).steps == 100


# Refusals: one line each.


def said(runner: CliRunner, config: Path) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", str(config)])
    return result.exit_code, result.stderr


def test_without_mmengine_a_config_naming_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, write_config
) -> None:
    hide_package(monkeypatch, "mmengine")
    config = write_config("schedulers:\n  - {type: mmengine.LinearLR, end: 5}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: schedulers[0].type: 'mmengine.LinearLR' is a scheduler of MMEngine, "
        "which is not installed: pip install 'lrplot[mmengine]' (or pip install mmengine) "
        "(line 2)\n",
    )


def test_an_unknown_mmengine_scheduler_is_refused_with_the_names(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: mmengine.CosineAnnealingWarmRestarts}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.type: unknown MMEngine scheduler "
        "'mmengine.CosineAnnealingWarmRestarts' (did you mean mmengine.CosineAnnealingLR?); "
        "MMEngine's lr schedulers (each "
        "mmengine.NAME): LinearLR, ConstantLR, CosineAnnealingLR, ExponentialLR, MultiStepLR, "
        "StepLR, PolyLR, OneCycleLR, CosineRestartLR, ReduceOnPlateauLR (line 1)\n",
    )


def test_an_mmengine_name_without_its_prefix_is_pointed_to_it(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: CosineRestartLR, periods: [10]}\n")
    code, stderr = said(runner, config)
    assert code == 1
    assert stderr.startswith(
        f"Error: {config}: scheduler.type: unknown scheduler 'CosineRestartLR' (did you mean "
        "mmengine.CosineRestartLR?); torch's schedulers: "
    )


def test_the_loops_own_keys_are_refused_by_epoch_says_when(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: mmengine.StepLR, step_size: 2, interval: epoch}\n")
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.interval: MMEngine's ParamSchedulerHook steps "
        "mmengine.StepLR after every iteration (by_epoch: false) or every epoch (by_epoch: "
        "true, the default); by_epoch says which, not interval (line 1)\n",
    )


def test_an_mmengine_scheduler_nested_in_sequential_lr_is_refused(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "scheduler:\n  type: SequentialLR\n  milestones: [5]\n  schedulers:\n"
        "    - {type: mmengine.LinearLR, end: 5}\n    - {type: ExponentialLR, gamma: 0.9}\n"
    )
    assert said(runner, config) == (
        1,
        f"Error: {config}: scheduler.schedulers[0]: mmengine.LinearLR is stepped by MMEngine's "
        "ParamSchedulerHook, not by another scheduler: list it in schedulers: (its begin and "
        "end say when it acts) (line 5)\n",
    )


def test_an_argument_mmengine_does_not_take_is_refused(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config("scheduler: {type: mmengine.LinearLR, total_iters: 5}\n")
    code, stderr = said(runner, config)
    assert code == 1
    assert stderr.startswith(f"Error: {config}: scheduler.total_iters: ")
    assert "start_factor" in stderr
    assert stderr.count("\n") == 1


def test_mmengines_own_refusal_is_one_line(registry: Any, runner: CliRunner, write_config) -> None:
    config = write_config("scheduler: {type: mmengine.LinearLR, start_factor: 2.0, end: 5}\n")
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler.start_factor: MMEngine rejected the arguments of "
        "LinearLR: Starting multiplicative factor should between 0 and 1. (line 1)\n"
    )


def test_end_before_begin_is_mmengines_error(
    registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(
        "epochs: 10\nscheduler: {type: mmengine.ExponentialLR, gamma: 0.9, begin: 20}\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler.begin: MMEngine rejected the arguments of ExponentialLR: "
        "end "
        "should be larger than begin, but got begin=20, end=10 (line 2)\n"
    )


RUN = "epochs: 12\nsteps_per_epoch: 1000\noptimizer: {type: SGD, lr: 0.02}\nschedulers:\n"

SPANS_WARNED = {
    "a warm-up by iteration past the run": (
        "{type: mmengine.LinearLR, start_factor: 0.001, by_epoch: false, end: 15000}",
        "end is 15,000, but the run has 12,000 iterations, so LinearLR's warm-up over end - "
        "begin - 1 = 14,999 iterations never ends (11,999 of them run); end: 12000 ends it "
        "with the run (line 5) [horizon-long]",
    ),
    "a warm-up by epoch past the run": (
        "{type: mmengine.ConstantLR, factor: 0.5, begin: 1, end: 15}",
        "end is 15, but the run has 12 epochs, so ConstantLR's warm-up over end - begin - 1 "
        "= 13 epochs never ends (10 of them run); end: 12 ends it with the run (line 5) "
        "[horizon-long]",
    ),
    "a warm-up converted to iterations past the run": (
        "{type: mmengine.LinearLR, start_factor: 0.001, end: 15, convert_to_iter_based: true}",
        "end is 15, but the run has 12 epochs (12,000 iterations; convert_to_iter_based makes "
        "end 15,000), so LinearLR's warm-up over end - begin - 1 = 14,999 iterations never "
        "ends (11,999 of them run); end: 12 ends it with the run (line 5) [horizon-long]",
    ),
    "a cosine sized to an end past the run": (
        "{type: mmengine.CosineAnnealingLR, begin: 2, end: 24}",
        "end is 24, but the run has 12 epochs, so CosineAnnealingLR, sized to end - begin, is "
        "cut at 45% of its length; end: 12 fits the run (line 5) [schedule-cut-short]",
    ),
    "a poly decay sized to an end past the run": (
        "{type: mmengine.PolyLR, by_epoch: false, end: 20000}",
        "end is 20,000, but the run has 12,000 iterations, so PolyLR, sized to end - begin, "
        "is cut at 60% of its length; end: 12000 fits the run (line 5) [schedule-cut-short]",
    ),
    "a one-cycle sized to an end past the run": (
        "{type: mmengine.OneCycleLR, eta_max: 0.1, by_epoch: false, end: 24000}",
        "end is 24,000, but the run has 12,000 iterations, so OneCycleLR, sized to end - "
        "begin, is cut at 50% of its length; end: 12000 fits the run (line 5) "
        "[schedule-cut-short]",
    ),
    "a begin past the run": (
        "{type: mmengine.MultiStepLR, begin: 12, end: 24, milestones: [3]}",
        "begin is 12, but the run has 12 epochs, counted from 0, so MultiStepLR never changes "
        "the lr (line 5) [horizon-long]",
    ),
    "a milestone past the run": (
        "{type: mmengine.MultiStepLR, milestones: [8, 11, 14]}",
        "milestones: MultiStepLR counts milestones from begin 0: milestone 14 is epoch 14, and "
        "the run's last epoch is 11, so it is never reached (line 5) [horizon-long]",
    ),
    "milestones counted from begin, past the run": (
        "{type: mmengine.MultiStepLR, begin: 2, milestones: [9, 10, 11]}",
        "milestones: MultiStepLR counts milestones from begin 2: milestones 10, 11 are epochs "
        "12, 13, and the run's last epoch is 11, so they are never reached (line 5) "
        "[horizon-long]",
    ),
    "a milestone at its end": (
        "{type: mmengine.MultiStepLR, begin: 2, end: 7, milestones: [3, 4, 5]}",
        "milestones: MultiStepLR counts milestones from begin 2: milestone 5 is epoch 7, and "
        "it acts only before its end, epoch 7, so it is never reached (line 5) [horizon-long]",
    ),
    "a milestone by iteration past the run": (
        "{type: mmengine.MultiStepLR, by_epoch: false, milestones: [8000, 12000]}",
        "milestones: MultiStepLR counts milestones from begin 0: milestone 12000 is iteration "
        "12,000, and the run's last iteration is 11,999, so it is never reached (line 5) "
        "[horizon-long]",
    ),
}

SPANS_QUIET = {
    "MMDetection's milestones": "{type: mmengine.MultiStepLR, milestones: [8, 11]}",
    "a milestone counted from begin, in the last epoch": (
        "{type: mmengine.MultiStepLR, begin: 1, milestones: [10]}"
    ),
    "a milestone converted, in the run": (
        "{type: mmengine.MultiStepLR, milestones: [11], convert_to_iter_based: true}"
    ),
    "a warm-up ending with the run": "{type: mmengine.LinearLR, by_epoch: false, end: 12000}",
    "a warm-up converted, within the run": (
        "{type: mmengine.LinearLR, start_factor: 0.001, end: 1, convert_to_iter_based: true}"
    ),
    "an end that only stops it": "{type: mmengine.MultiStepLR, end: 24, milestones: [8]}",
    "a cosine sized by its T_max": "{type: mmengine.CosineAnnealingLR, T_max: 12, end: 24}",
    "a one-cycle sized by its total_steps": (
        "{type: mmengine.OneCycleLR, eta_max: 0.1, by_epoch: false, total_steps: 12000, "
        "end: 24000}"
    ),
    "a begin in the run's last epoch": "{type: mmengine.ExponentialLR, gamma: 0.9, begin: 11}",
    "no end: the run's": "{type: mmengine.PolyLR, by_epoch: false}",
}


@pytest.mark.parametrize("name", SPANS_WARNED)
def test_a_span_past_the_run_warns_in_its_exact_words(
    name: str, registry: Any, runner: CliRunner, write_config
) -> None:
    entry, message = SPANS_WARNED[name]
    config = write_config(f"{RUN}  - {entry}\n")
    code, stderr = said(runner, config)
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("Warning:")]
    if not message.startswith("milestones: "):
        message = f"{message.split()[0]}: {message}"  # end, or begin
    assert warnings == [f"Warning: {config}: schedulers[0].{message}"]


@pytest.mark.parametrize("name", SPANS_QUIET)
def test_a_span_within_the_run_stays_quiet(
    name: str, registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(f"{RUN}  - {SPANS_QUIET[name]}\n")
    code, stderr = said(runner, config)
    assert code == 0, stderr
    assert "Warning:" not in stderr


WINDOW_WARNED = {
    "a step_size as long as the run": (
        "{type: mmengine.StepLR, step_size: 12}",
        "step_size: StepLR is stepped 12 times, so a step_size of 12 never decays the lr "
        "(line 5) [horizon-long]",
    ),
    "a step_size past its window": (
        "{type: mmengine.StepLR, step_size: 5, begin: 8}",
        "step_size: StepLR is stepped 4 times, epochs 8 to 11, so a step_size of 5 never "
        "decays the lr (line 5) [horizon-long]",
    ),
    "a step_size converted, past the run": (
        "{type: mmengine.StepLR, step_size: 12, convert_to_iter_based: true}",
        "step_size: StepLR is stepped 12,000 times (convert_to_iter_based: 1,000 iterations "
        "an epoch), so a step_size of 12,000 never decays the lr (line 5) [horizon-long]",
    ),
    "a T_max past the run": (
        "{type: mmengine.CosineAnnealingLR, T_max: 20, end: 12}",
        "T_max: T_max is 20, but CosineAnnealingLR is stepped 12 times: the cosine is cut at "
        "60% of its way down; T_max: 12 ends at eta_min (line 5) [schedule-cut-short]",
    ),
    "a T_max past its window": (
        "{type: mmengine.CosineAnnealingLR, T_max: 12000, by_epoch: false, begin: 2000}",
        "T_max: T_max is 12,000, but CosineAnnealingLR is stepped 10,000 times, iterations "
        "2,000 to 11,999: the cosine is cut at 83% of its way down; T_max: 10000 ends at "
        "eta_min (line 5) [schedule-cut-short]",
    ),
    "a T_max shorter than its window": (
        "{type: mmengine.CosineAnnealingLR, T_max: 8}",
        "T_max: T_max is 8, but CosineAnnealingLR is stepped 12 times: past step 8 the cosine "
        "rises again, for 3 steps; T_max: 12 anneals once over its steps (line 5) "
        "[cosine-rises]",
    ),
    "a total_steps past the run": (
        "{type: mmengine.OneCycleLR, eta_max: 0.1, by_epoch: false, total_steps: 24000}",
        "total_steps: total_steps is 24,000, but OneCycleLR is stepped 12,000 times: the "
        "schedule is cut at 50% of its length; total_steps: 12000 fits the run (line 5) "
        "[schedule-cut-short]",
    ),
    "periods past the run": (
        "{type: mmengine.CosineRestartLR, periods: [6, 10], restart_weights: [1, 0.5], "
        "eta_min: 0.0}",
        "periods: periods sum to 16, but CosineRestartLR is stepped 12 times: the cosine it "
        "ends in is cut at 60% of its way down; periods summing to 12 fit the run (line 5) "
        "[schedule-cut-short]",
    ),
    "a period that never starts": (
        "{type: mmengine.CosineRestartLR, periods: [6, 6, 6], restart_weights: [1, 0.5, 0.5], "
        "eta_min: 0.0}",
        "periods: periods sum to 18, but CosineRestartLR is stepped 12 times: the cosine of "
        "period 6 never starts; periods summing to 12 fit the run (line 5) "
        "[schedule-cut-short]",
    ),
    "periods converted, past their window": (
        "{type: mmengine.CosineRestartLR, periods: [4, 4, 4], restart_weights: [1, 1, 1], "
        "eta_min: 0.0, begin: 2, convert_to_iter_based: true}",
        "periods: periods sum to 12,000, but CosineRestartLR is stepped 10,000 times, "
        "iterations 2,000 to 11,999 (convert_to_iter_based: 1,000 iterations an epoch): the "
        "cosine it ends in is cut at 50% of its way down; periods summing to 10,000 fit the "
        "run (line 5) [schedule-cut-short]",
    ),
}

WINDOW_QUIET = {
    "a step_size that decays once": "{type: mmengine.StepLR, step_size: 11}",
    "a step_size within its window": "{type: mmengine.StepLR, step_size: 3, begin: 8}",
    "a step_size converted, within the run": (
        "{type: mmengine.StepLR, step_size: 11, convert_to_iter_based: true}"
    ),
    "a T_max a little past the run": "{type: mmengine.CosineAnnealingLR, T_max: 13, end: 12}",
    "a T_max one short of its window": "{type: mmengine.CosineAnnealingLR, T_max: 11}",
    "a T_max its window's": (
        "{type: mmengine.CosineAnnealingLR, T_max: 10000, by_epoch: false, begin: 2000}"
    ),
    "a total_steps 1% past the run": (
        "{type: mmengine.OneCycleLR, eta_max: 0.1, by_epoch: false, total_steps: 12120}"
    ),
    "periods summing to the run": (
        "{type: mmengine.CosineRestartLR, periods: [6, 6], restart_weights: [1, 0.5], "
        "eta_min: 0.0}"
    ),
    "periods ending before the run": (
        "{type: mmengine.CosineRestartLR, periods: [4, 4], restart_weights: [1, 0.5], "
        "eta_min: 0.0}"
    ),
}


@pytest.mark.parametrize("name", WINDOW_WARNED)
def test_a_horizon_past_the_entrys_window_warns_in_its_exact_words(
    name: str, registry: Any, runner: CliRunner, write_config
) -> None:
    entry, message = WINDOW_WARNED[name]
    config = write_config(f"{RUN}  - {entry}\n")
    code, stderr = said(runner, config)
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [f"Warning: {config}: schedulers[0].{message}"]


@pytest.mark.parametrize("name", WINDOW_QUIET)
def test_a_horizon_within_the_entrys_window_stays_quiet(
    name: str, registry: Any, runner: CliRunner, write_config
) -> None:
    config = write_config(f"{RUN}  - {WINDOW_QUIET[name]}\n")
    code, stderr = said(runner, config)
    assert code == 0, stderr
    assert "Warning:" not in stderr


def test_what_an_end_sizes_is_mmengines(registry: Any) -> None:
    """The facts' end_sizes against MMEngine's classes: the ones whose warm-up (total_iters)
    or length (T_max, total_iters, total_steps) follows end, but when end_sized_unless is
    given."""
    import torch

    def sizes(name: str, args: dict[str, Any]) -> set[Any]:
        built = []
        for end in (10, 20):
            params = [torch.zeros(1, requires_grad=True)]
            optimizer = torch.optim.SGD(params, lr=0.1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scheduler = registry.build(
                    {"type": name, "optimizer": optimizer, **args, "begin": 2, "end": end}
                )
            built.append(
                tuple(getattr(scheduler, a, None) for a in ("total_iters", "T_max", "total_steps"))
            )
        return set(built)

    for type_name, facts in MMENGINE_SCHEDULERS.items():
        name = type_name.removeprefix("mmengine.")
        args = {k: v for k, v in facts.example.items() if k not in ("begin", "end")}
        unless = facts.end_sized_unless
        args.pop(unless or "", None)
        assert (len(sizes(name, args)) > 1) is (facts.end_sizes is not None), name
        if unless is not None:
            assert len(sizes(name, {**args, unless: 5})) == 1, name
        if facts.end_sizes == "warmup":
            params = [torch.zeros(1, requires_grad=True)]
            optimizer = torch.optim.SGD(params, lr=0.1)
            built = registry.build({"type": name, "optimizer": optimizer, "begin": 2, "end": 9})
            assert built.total_iters == 9 - 2 - 1, name
