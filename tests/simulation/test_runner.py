"""lrplot's numbers are torch's numbers: every config and every scheduler against a plain loop."""

from __future__ import annotations

import importlib.util
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from torch.optim import SGD, Adam, lr_scheduler

from lrplot import ConfigError, SimulationError, load_spec, parse_spec, simulate
from lrplot.checks.notices import collect, collect_warnings
from lrplot.config.options import PlotOptions
from lrplot.schedulers.registry import scheduler_classes
from tests.conftest import CONFIG_FILES, CONFIGS_DIR, config_id
from tests.reference import reference_run, steps_per_epoch


def bits(values: Any) -> list[str]:
    """Floats as hex: equal lists mean bit-identical values (0.0 and -0.0 differ)."""
    return [float(v).hex() for v in values]


def assert_matches_the_reference(schedule: Any, expected: dict[str, Any]) -> None:
    """Every recorded number of ``schedule`` is bit for bit the reference loop's."""
    assert len(schedule.lr) == len(expected["lr"])
    for got, want in zip(schedule.lr, expected["lr"], strict=True):
        assert len(got) == schedule.steps
        assert bits(got) == bits(want)
    for got, want in zip(schedule.momentum, expected["momentum"], strict=False):
        assert bits(got) == bits(want)
    if expected["metric"] is None:
        assert schedule.metric is None
    else:
        assert schedule.metric is not None
        fed = [v if v is not None else float("nan") for v in expected["metric"]]
        assert bits(schedule.metric) == bits(fed)
    if expected["resumed"] is None:
        assert schedule.resumed == ()
    else:
        assert [bits(c) for c in schedule.resumed] == [bits(c) for c in expected["resumed"]]


@pytest.mark.parametrize("config", CONFIG_FILES, ids=config_id)
def test_every_config_matches_a_plain_torch_loop(config: Path) -> None:
    raw = yaml.safe_load(config.read_text())
    if any(
        str(entry["type"]).startswith("timm.")
        for entry in raw.get("schedulers", [raw.get("scheduler")])
    ):
        pytest.skip(
            "a timm scheduler is stepped as timm's train.py steps it, not by a torch loop: "
            "tests/schedulers/test_timm.py::test_the_deit_example_is_timms_numbers runs that"
        )
    expected = reference_run(raw, config.parent)
    schedule = simulate(spec=load_spec(path=config, allow_import=True))

    steps = raw.get("epochs", 100) * steps_per_epoch(raw.get("steps_per_epoch"))
    assert schedule.steps == steps
    assert_matches_the_reference(schedule, expected)


def _scheduler_types(raw: dict[str, Any]) -> list[str]:
    found = [raw["type"]]
    for child in raw.get("schedulers", []):
        found += _scheduler_types(child)
    return found


def _types_in_configs() -> set[str]:
    found = set()
    for path in CONFIG_FILES:
        raw = yaml.safe_load(path.read_text())
        for entry in raw.get("schedulers", [raw.get("scheduler")]):
            found.update(_scheduler_types(entry))
    return found


@pytest.mark.parametrize("name", list(scheduler_classes()))
def test_every_torch_scheduler_has_a_config(name: str) -> None:
    assert name in _types_in_configs(), f"add a config for {name} to configs/schedulers/"


def test_the_registry_lists_every_scheduler_torch_ships() -> None:
    shipped = {
        name
        for name in lr_scheduler.__all__
        if isinstance(getattr(lr_scheduler, name), type) and name != "LRScheduler"
    }
    assert shipped <= set(scheduler_classes())
    assert "SWALR" in scheduler_classes()


@pytest.mark.parametrize("config", CONFIG_FILES, ids=config_id)
def test_momentum_is_recorded_exactly_when_a_scheduler_cycles_it(config: Path) -> None:
    raw = yaml.safe_load(config.read_text())
    cycles = any(
        t in ("CyclicLR", "OneCycleLR") and entry.get("cycle_momentum", True)
        for entry in raw.get("schedulers", [raw.get("scheduler")])
        for t in _scheduler_types(entry)
    )
    schedule = simulate(spec=load_spec(path=config, allow_import=True))
    assert bool(schedule.momentum) == bool(cycles)


# The tutorial's examples, written from its table as a user would, not read from configs/.
def _tutorial(
    optimizer: Callable[[list[torch.Tensor]], Any],
    scheduler: Callable[[Any], Any],
) -> tuple[Callable[[list[torch.Tensor]], Any], Callable[[Any], Any]]:
    return optimizer, scheduler


def adam(p: list[torch.Tensor]) -> Any:
    return Adam(p, lr=0.1)


def sgd(p: list[torch.Tensor]) -> Any:
    return SGD(p, lr=0.1, momentum=0.9)


def cyclic(mode: Any, **extra: Any) -> Callable[[Any], Any]:
    return lambda o: lr_scheduler.CyclicLR(
        o, base_lr=0.001, max_lr=0.1, step_size_up=20, mode=mode, **extra
    )


TUTORIAL = {
    "LambdaLR": _tutorial(adam, lambda o: lr_scheduler.LambdaLR(o, lambda epoch: 0.95**epoch)),
    "StepLR": _tutorial(adam, lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.8)),
    "MultiStepLR": _tutorial(
        adam, lambda o: lr_scheduler.MultiStepLR(o, milestones=[30, 80], gamma=0.1)
    ),
    "ExponentialLR": _tutorial(adam, lambda o: lr_scheduler.ExponentialLR(o, gamma=0.95)),
    "CosineAnnealingLR": _tutorial(
        adam, lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.001)
    ),
    "ReduceLROnPlateau": _tutorial(
        adam, lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=10)
    ),
    "CyclicLR-1": _tutorial(sgd, cyclic("triangular")),
    "CyclicLR-2": _tutorial(sgd, cyclic("triangular2")),
    "CyclicLR-exp": _tutorial(sgd, cyclic("exp_range", gamma=0.95)),
    "OneCycleLR": _tutorial(
        sgd,
        lambda o: lr_scheduler.OneCycleLR(
            o, max_lr=0.1, total_steps=100, pct_start=0.3, anneal_strategy="cos"
        ),
    ),
}


def tutorial_loop(
    make_optimizer: Callable[[list[torch.Tensor]], Any],
    make_scheduler: Callable[[Any], Any],
    epochs: int,
    *,
    feed_epoch: bool = False,
) -> list[float]:
    """The tutorial's helper: record param_groups[0]["lr"] before each scheduler.step()."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = make_optimizer([torch.tensor([1.0], requires_grad=True)])
        scheduler = make_scheduler(optimizer)
        lrs = []
        for epoch in range(epochs):
            optimizer.step()
            lrs.append(optimizer.param_groups[0]["lr"])
            if feed_epoch:
                scheduler.step(epoch)
            else:
                scheduler.step()
    return lrs


@pytest.mark.parametrize("name", list(TUTORIAL))
def test_tutorial_examples_match_the_tutorial_loop(name: str) -> None:
    make_optimizer, make_scheduler = TUTORIAL[name]
    expected = tutorial_loop(
        make_optimizer, make_scheduler, 100, feed_epoch=name == "ReduceLROnPlateau"
    )
    schedule = simulate(spec=load_spec(path=CONFIGS_DIR / "tutorial" / f"{name}.yaml"))
    assert bits(schedule.lr[0]) == bits(expected)


def test_tutorial_custom_scheduler_matches_the_tutorial_loop() -> None:
    path = CONFIGS_DIR / "tutorial" / "custom_lr.py"
    module_spec = importlib.util.spec_from_file_location("tutorial_custom_lr", path)
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    expected = tutorial_loop(lambda p: SGD(p, lr=0.1), module.CustomLR, 20)

    spec = load_spec(path=CONFIGS_DIR / "tutorial" / "CustomLR.yaml", allow_import=True)
    assert bits(simulate(spec=spec).lr[0]) == bits(expected)


def _spec(scheduler: dict[str, Any], **top: Any) -> Any:
    return parse_spec(data={"scheduler": scheduler, **top})


def test_per_batch_stepping_records_epochs_times_steps_values() -> None:
    spec = _spec({"type": "StepLR", "step_size": 7}, epochs=3, steps_per_epoch=5)
    schedule = simulate(spec=spec)
    assert schedule.steps == 15
    assert len(schedule.lr[0]) == 15
    assert list(schedule.epoch_axis())[:6] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_torch_warnings_do_not_leak(recwarn: pytest.WarningsRecorder) -> None:
    simulate(spec=_spec({"type": "StepLR", "step_size": 2}, epochs=5))
    assert len(recwarn) == 0


def test_other_torch_warnings_become_notices(monkeypatch: pytest.MonkeyPatch) -> None:
    original = lr_scheduler.ExponentialLR.get_lr

    def get_lr_with_warning(self: Any) -> Any:
        warnings.warn("something torch wants you to know", UserWarning, stacklevel=1)
        return original(self)

    monkeypatch.setattr(lr_scheduler.ExponentialLR, "get_lr", get_lr_with_warning)
    schedule = simulate(spec=_spec({"type": "ExponentialLR", "gamma": 0.9}, epochs=3))
    assert schedule.torch_warnings == ("something torch wants you to know",)
    assert collect(schedule, PlotOptions()) == (
        "<dict>: torch warned: something torch wants you to know",
    )


def test_max_steps_is_checked_before_simulating() -> None:
    spec = _spec({"type": "StepLR", "step_size": 2}, epochs=1000, steps_per_epoch=1000)
    with pytest.raises(ConfigError, match=r"1,000,000 steps, more than the limit of 999,999"):
        simulate(spec=spec, max_steps=999_999)


def test_torch_construction_errors_keep_the_key_path() -> None:
    spec = _spec(
        {
            "type": "SequentialLR",
            "schedulers": [{"type": "ConstantLR"}, {"type": "ExponentialLR", "gamma": 0.9}],
            "milestones": [5, 10],
        }
    )
    with pytest.raises(ConfigError) as caught:
        simulate(spec=spec)
    assert str(caught.value).startswith(
        "<dict>: scheduler.milestones: torch rejected the arguments of SequentialLR: "
    )


def test_torch_errors_while_stepping_name_the_nested_scheduler_and_step() -> None:
    spec = _spec(
        {
            "type": "SequentialLR",
            "schedulers": [
                {"type": "ConstantLR", "total_iters": 2},
                {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 3},
            ],
            "milestones": [2],
        },
        epochs=10,
    )
    with pytest.raises(SimulationError) as caught:
        simulate(spec=spec)
    message = str(caught.value)
    assert message.startswith("<dict>: scheduler.schedulers[1].total_steps: torch failed at step ")
    assert "Tried to step 4 times. The specified number of total steps is 3" in message


def test_lr_lambda_results_are_checked_with_the_epoch() -> None:
    spec = _spec({"type": "LambdaLR", "lr_lambda": "1 / (5 - epoch)"}, epochs=10)
    with pytest.raises(ConfigError) as caught:
        simulate(spec=spec)
    assert str(caught.value) == (
        "<dict>: scheduler.lr_lambda: '1 / (5 - epoch)': division by zero at epoch=5"
    )
    spec = _spec({"type": "LambdaLR", "lr_lambda": "1e300 * 1e10 * epoch"}, epochs=10)
    with pytest.raises(ConfigError) as caught:
        simulate(spec=spec)
    assert str(caught.value) == (
        "<dict>: scheduler.lr_lambda: '1e300 * 1e10 * epoch' gave nan at epoch=0; "
        "a learning-rate factor must be a finite number"
    )


def test_a_negative_lr_lambda_is_torchs_business_with_a_warning() -> None:
    spec = _spec({"type": "LambdaLR", "lr_lambda": "1 - epoch / 5"}, epochs=10)
    schedule = simulate(spec=spec)
    assert schedule.lr[0][6] == 0.1 * (1 - 6 / 5)
    assert collect(schedule, PlotOptions()) == ()
    assert collect_warnings(schedule) == (
        f"<dict>: scheduler: the learning rate goes negative at step 6 (epoch 6): "
        f"{schedule.lr[0][6]!r}; torch allows it, but an optimizer would then climb the loss "
        "[negative-lr]",
    )


def test_adam_beta1_is_recorded_as_momentum() -> None:
    spec = _spec(
        {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 10},
        epochs=10,
        optimizer={"type": "Adam"},
    )
    schedule = simulate(spec=spec)
    assert schedule.momentum
    assert schedule.momentum[0][0] == 0.95  # OneCycleLR starts beta1 at max_momentum


# Torch's schedulers that take lrplot's fast step, with arguments for a long run.
LONG_RUN_ARGS: dict[str, dict[str, Any]] = {
    "LambdaLR": {"lr_lambda": lambda e: 0.999**e},
    "MultiplicativeLR": {"lr_lambda": lambda e: 0.9995},
    "StepLR": {"step_size": 7},
    "MultiStepLR": {"milestones": [100, 900, 2000]},
    "ConstantLR": {"total_iters": 50},
    "LinearLR": {"total_iters": 500},
    "ExponentialLR": {"gamma": 0.999},
    "PolynomialLR": {"total_iters": 2500, "power": 1.5},
    "CosineAnnealingLR": {"T_max": 300, "eta_min": 0.001},
    "CyclicLR": {
        "base_lr": 0.01,
        "max_lr": 0.1,
        "step_size_up": 37,
        "mode": "exp_range",
        "gamma": 0.999,
    },
    "OneCycleLR": {"max_lr": 0.2, "total_steps": 3000, "three_phase": True},
    "SWALR": {"swa_lr": 0.05, "anneal_epochs": 400},
}
FAST = set(LONG_RUN_ARGS)


@pytest.mark.parametrize("config", CONFIG_FILES, ids=config_id)
def test_the_fast_step_is_used_exactly_for_torchs_plain_schedulers(config: Path) -> None:
    from lrplot.simulation.runner import _build_scheduler, build_optimizer
    from lrplot.simulation.torch_compat import fast_step

    spec = load_spec(path=config, allow_import=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = _build_scheduler(
            spec.scheduler, build_optimizer(spec.optimizer), {}, {}, run=spec
        )
    made = type(scheduler)  # a transformers schedule function makes torch's LambdaLR
    plain = made.__name__ in FAST and scheduler_classes().get(made.__name__) is made
    assert (fast_step(scheduler) is not None) == plain


@pytest.mark.parametrize("group_count", [1, 2])
@pytest.mark.parametrize("name", sorted(FAST))
def test_the_fast_step_equals_torchs_step_over_a_long_run(name: str, group_count: int) -> None:
    from lrplot.simulation.torch_compat import fast_step

    args = LONG_RUN_ARGS[name]
    cls = scheduler_classes()[name]
    runs = []
    for use_fast in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            both: list[dict[str, Any]] = [
                {"params": [torch.zeros(1)]},
                {"params": [torch.zeros(1)], "lr": 0.03},
            ]
            groups = both[:group_count]
            optimizer = SGD(groups, lr=0.1, momentum=0.9)
            scheduler = cls(optimizer, **args)
            step = fast_step(scheduler) if use_fast else scheduler.step
            assert step is not None
            values = []
            for _ in range(3000):
                values.append([(g["lr"], g["momentum"]) for g in optimizer.param_groups])
                step()
        runs.append(values)
    assert runs[0] == runs[1]


def test_no_fast_step_for_a_subclass_or_another_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    from lrplot.simulation.torch_compat import fast_step

    class MyStepLR(lr_scheduler.StepLR):
        pass

    optimizer = SGD([torch.zeros(1)], lr=0.1)
    assert fast_step(MyStepLR(optimizer, step_size=3)) is None
    plain = lr_scheduler.StepLR(optimizer, step_size=3)
    assert fast_step(plain) is not None
    monkeypatch.setattr(torch, "__version__", "2.99.0")
    assert fast_step(plain) is None


TRAINING_RUNS = {
    "warm-up per batch, plateau per epoch": """
epochs: 12
steps_per_epoch: 7
optimizer: {type: AdamW, lr: 0.001}
schedulers:
  - {type: LinearLR, start_factor: 0.01, total_iters: 20}
  - {type: ReduceLROnPlateau, factor: 0.5, patience: 1, interval: epoch}
metric: "1.0 if epoch < 4 else 0.5"
""",
    "every 2nd epoch, then every 3rd batch": """
epochs: 9
steps_per_epoch: 10
schedulers:
  - {type: StepLR, step_size: 1, gamma: 0.9, interval: epoch, frequency: 2}
  - {type: ExponentialLR, gamma: 0.99, frequency: 3}
""",
    "epoch schedulers step after step ones, in list order": """
epochs: 6
steps_per_epoch: 4
schedulers:
  - {type: MultiplicativeLR, lr_lambda: "0.5", interval: epoch}
  - {type: LambdaLR, lr_lambda: "1 + epoch"}
  - {type: ConstantLR, factor: 0.25, total_iters: 5, interval: epoch}
""",
    "warm restarts with fractional epochs": """
epochs: 25
steps_per_epoch: 13
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
scheduler: {type: CosineAnnealingWarmRestarts, T_0: 5, T_mult: 2, fractional_epoch: true}
""",
    "fractional epochs every 4th batch": """
epochs: 10
steps_per_epoch: 10
scheduler:
  type: CosineAnnealingWarmRestarts
  T_0: 3
  eta_min: 0.001
  frequency: 4
  fractional_epoch: true
""",
    "plateau every 5th batch on an expression": """
epochs: 8
steps_per_epoch: 10
scheduler: {type: ReduceLROnPlateau, patience: 2, frequency: 5}
metric: "1 / (1 + step) if step < 30 else 0.2"
""",
    "plateau per epoch on the synthetic loss": """
epochs: 40
steps_per_epoch: 3
scheduler: {type: ReduceLROnPlateau, patience: 3, interval: epoch}
metric: {curve: synthetic, seed: 4}
""",
    "data-derived steps, one-cycle per batch": """
epochs: 3
steps_per_epoch: {dataset_size: 10007, batch_size: 32, world_size: 3, grad_accum: 4}
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
scheduler: {type: OneCycleLR, max_lr: 0.5, total_steps: 79}
""",
    "data-derived steps with drop_last": """
epochs: 4
steps_per_epoch: {dataset_size: 1000, batch_size: 64, drop_last: true}
scheduler: {type: CosineAnnealingLR, T_max: 60}
""",
    "two param groups, two cadences": """
epochs: 5
steps_per_epoch: 6
optimizer:
  type: SGD
  lr: 0.1
  param_groups: [{name: body, lr: 0.01}, {name: head}]
schedulers:
  - {type: LinearLR, start_factor: 0.1, total_iters: 6}
  - {type: StepLR, step_size: 2, gamma: 0.5, interval: epoch}
""",
    "resumed SequentialLR mid-epoch": """
epochs: 10
steps_per_epoch: 7
scheduler:
  type: SequentialLR
  schedulers:
    - {type: LinearLR, start_factor: 0.01, total_iters: 14}
    - {type: CosineAnnealingLR, T_max: 56}
  milestones: [14]
resume_at: 23
""",
    "resumed warm-up and plateau": """
epochs: 12
steps_per_epoch: 5
optimizer: {type: Adam, lr: 0.001}
schedulers:
  - {type: LinearLR, start_factor: 0.1, total_iters: 12}
  - {type: ReduceLROnPlateau, factor: 0.5, patience: 1, interval: epoch}
metric: [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
resume_at: 31
""",
    "resumed one-cycle cycling momentum": """
epochs: 6
steps_per_epoch: 10
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
scheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 60}
resume_at: 17
""",
    "resumed fractional warm restarts": """
epochs: 9
steps_per_epoch: 4
scheduler: {type: CosineAnnealingWarmRestarts, T_0: 2, fractional_epoch: true}
resume_at: 10
""",
}


@pytest.mark.parametrize("text", list(TRAINING_RUNS.values()), ids=list(TRAINING_RUNS))
def test_training_runs_match_a_plain_torch_loop(text: str, tmp_path: Path) -> None:
    schedule = simulate(spec=load_spec(text=text, base_dir=tmp_path))
    assert_matches_the_reference(schedule, reference_run(yaml.safe_load(text), tmp_path))


def test_a_plateau_stepped_per_epoch_counts_epochs_not_batches() -> None:
    text = TRAINING_RUNS["warm-up per batch, plateau per epoch"]
    per_epoch = simulate(spec=load_spec(text=text)).lr[0]
    per_batch = simulate(spec=load_spec(text=text.replace(", interval: epoch", ""))).lr[0]
    after_warm_up = range(21, 84)
    # Stepped per epoch, it changes the lr only between epochs (patience counts epochs);
    # stepped per batch, inside them.
    changes = [s for s in after_warm_up if per_epoch[s] != per_epoch[s - 1]]
    assert changes
    assert all(s % 7 == 0 for s in changes)
    assert any(per_batch[s] != per_batch[s - 1] for s in after_warm_up if s % 7)
    assert min(per_batch) < min(per_epoch)


@pytest.mark.parametrize(
    ("name", "log", "metric"),
    [
        (
            "metrics.csv",
            "epoch,step,train_loss,val_loss\n0,4,0.9,\n0,4,,1.0\n1,9,0.8,\n1,9,,1.0\n"
            "2,14,0.7,\n2,14,,1.0\n3,19,,0.9\n4,24,,0.9\n5,29,,0.9\n",
            "{file: logs/metrics.csv, column: val_loss}",
        ),
        (
            "trainer_state.json",
            json.dumps(
                {
                    "log_history": [
                        {"loss": 0.9, "step": 5},
                        *(
                            {"eval_loss": v, "step": 5 * (i + 1)}
                            for i, v in enumerate([1.0, 1.0, 1.0, 0.9, 0.9, 0.9])
                        ),
                    ]
                }
            ),
            "{file: logs/trainer_state.json, key: eval_loss}",
        ),
    ],
)
def test_a_logged_metric_is_read_from_its_file(
    name: str, log: str, metric: str, tmp_path: Path
) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / name).write_text(log)
    text = (
        "epochs: 6\nsteps_per_epoch: 5\nschedulers:\n"
        "  - {type: LinearLR, start_factor: 0.5, total_iters: 5}\n"
        "  - {type: ReduceLROnPlateau, patience: 1, interval: epoch}\n"
        f"metric: {metric}\n"
    )
    schedule = simulate(spec=load_spec(text=text, base_dir=tmp_path))
    expected = reference_run(yaml.safe_load(text), tmp_path)
    assert_matches_the_reference(schedule, expected)
    assert [v for v in expected["metric"] if v is not None] == [1.0, 1.0, 1.0, 0.9, 0.9, 0.9]


def test_a_failure_in_the_resumed_run_says_so(tmp_path: Path) -> None:
    (tmp_path / "stubborn.py").write_text(
        "from torch.optim.lr_scheduler import StepLR\n\n"
        "class Stubborn(StepLR):\n"
        "    def load_state_dict(self, state_dict):\n"
        "        raise ValueError('this checkpoint is not mine')\n"
    )
    config = tmp_path / "cfg.yaml"
    config.write_text(
        "epochs: 10\nscheduler: {type: stubborn.py:Stubborn, step_size: 3}\nresume_at: 6\n"
    )
    with pytest.raises(SimulationError) as caught:
        simulate(spec=load_spec(path=config, allow_import=True))
    assert str(caught.value) == (
        f"{config}: scheduler: Stubborn failed loading its state_dict() at step 6 of 10 of "
        "the run resumed at step 6: ValueError: this checkpoint is not mine (line 2)"
    )
