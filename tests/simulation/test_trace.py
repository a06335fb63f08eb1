"""lrplot.trace: your own scheduler objects, run in lrplot's loop, are torch's numbers bit for bit;
what a caller's function does wrong is one clear error; a Schedule shows itself in Jupyter."""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
from typing import Any

import pytest
import torch
from torch.optim import SGD, Adam, lr_scheduler

import lrplot
from lrplot import ConfigError, LrplotError, SimulationError

# The plain loops here step schedulers with no optimizer step, as lrplot's do: torch says so.
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step:UserWarning")


def bits(values: Any) -> list[str]:
    """Floats as hex: equal lists mean bit-identical values (0.0 and -0.0 differ)."""
    return [float(v).hex() for v in values]


def sgd(lr: float = 0.1) -> SGD:
    """What lrplot builds by default: SGD over one dummy parameter, lr 0.1."""
    return SGD([torch.zeros(1, 1)], lr=lr)


class Halving:
    """A scheduler of its own: torch's protocol (step(), the lr in the optimizer), no
    torch base class. Halves the lr every ``every`` steps."""

    def __init__(self, optimizer: Any, every: int) -> None:
        self.optimizer, self.every, self.count = optimizer, every, 0

    def step(self) -> None:
        self.count += 1
        if self.count % self.every == 0:
            for group in self.optimizer.param_groups:
                group["lr"] *= 0.5

    def get_last_lr(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return {"count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.count = state["count"]


class Patient:
    """A ReduceLROnPlateau-like class of its own: step(metric), a tenth of the lr after
    ``patience`` values that do not improve on the best."""

    def __init__(self, optimizer: Any, patience: int) -> None:
        self.optimizer, self.patience = optimizer, patience
        self.best, self.bad = math.inf, 0

    def step(self, metric: float) -> None:
        if metric < self.best:
            self.best, self.bad = metric, 0
            return
        self.bad += 1
        if self.bad > self.patience:
            for group in self.optimizer.param_groups:
                group["lr"] *= 0.1
            self.bad = 0


def per_batch(optimizer: Any, schedulers: list[Any], steps: int) -> list[float]:
    """The plain loop: record the lr, then step each scheduler, after every batch."""
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        for scheduler in schedulers:
            scheduler.step()
    return lrs


def test_one_scheduler_is_torchs_numbers() -> None:
    schedule = lrplot.trace(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=40), epochs=60)
    optimizer = sgd()
    expected = per_batch(optimizer, [lr_scheduler.CosineAnnealingLR(optimizer, T_max=40)], 60)
    assert schedule.steps == 60
    assert bits(schedule.lr[0]) == bits(expected)


def test_warm_up_then_cosine_in_a_sequential_lr() -> None:
    def build(opt: Any) -> Any:
        warm = lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=10)
        cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=90, eta_min=1e-4)
        return lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[10])

    schedule = lrplot.trace(build, epochs=5, steps_per_epoch=20, optimizer="AdamW", lr=3e-4)
    optimizer = torch.optim.AdamW([torch.zeros(1, 1)], lr=3e-4)
    made = build(optimizer)
    assert bits(schedule.lr[0]) == bits(per_batch(optimizer, [made], 100))


def test_a_list_of_two_chained_schedulers_steps_each_in_order() -> None:
    def build(opt: Any) -> list[Any]:
        return [
            lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=8),
            lr_scheduler.ExponentialLR(opt, gamma=0.97),
        ]

    schedule = lrplot.trace(build, epochs=30)
    optimizer = sgd()
    assert bits(schedule.lr[0]) == bits(per_batch(optimizer, build(optimizer), 30))


def test_per_batch_and_per_epoch_intervals() -> None:
    def build(opt: Any) -> list[Any]:
        return [
            lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=7),
            lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
        ]

    schedule = lrplot.trace(build, epochs=6, steps_per_epoch=5, interval=["step", "epoch"])
    optimizer = sgd()
    warm, decay = build(optimizer)
    expected = []
    for _ in range(6):
        for _ in range(5):
            expected.append(optimizer.param_groups[0]["lr"])
            warm.step()
        decay.step()
    assert schedule.steps == 30
    assert bits(schedule.lr[0]) == bits(expected)


def test_every_second_batch_with_frequency() -> None:
    schedule = lrplot.trace(
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9), epochs=3, steps_per_epoch=6,
        frequency=2,
    )  # fmt: skip
    optimizer = sgd()
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
    expected = []
    for _ in range(3):
        for batch in range(6):
            expected.append(optimizer.param_groups[0]["lr"])
            if (batch + 1) % 2 == 0:
                scheduler.step()
    assert bits(schedule.lr[0]) == bits(expected)


def test_every_n_steps_over_the_whole_run_with_steps_from_the_data() -> None:
    schedule = lrplot.trace(
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.8),
        epochs=3,
        steps_per_epoch={"dataset_size": 1000, "batch_size": 64},
        every=5,
    )
    optimizer = sgd()
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.8)
    expected = []
    for step in range(3 * 16):  # ceil(1000 / 64) = 16 batches an epoch
        expected.append(optimizer.param_groups[0]["lr"])
        if (step + 1) % 5 == 0:
            scheduler.step()
    assert schedule.spec.steps_per_epoch == 16
    assert bits(schedule.lr[0]) == bits(expected)


class Unreadable(Halving):
    @property
    def every(self) -> int:
        raise RuntimeError("not now")

    @every.setter
    def every(self, value: int) -> None:
        self._every = value

    def step(self) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] *= 0.5


def test_an_attribute_that_fails_to_read_is_not_shown() -> None:
    schedule = lrplot.trace(lambda opt: Unreadable(opt, every=2), epochs=3)
    assert schedule.spec.display_title == "Unreadable() · SGD(lr=0.1)"
    assert list(schedule.lr[0]) == [0.1, 0.05, 0.025]


def test_reduce_lr_on_plateau_is_fed_the_metric() -> None:
    losses = [1.0, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    schedule = lrplot.trace(
        lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5),
        epochs=12,
        steps_per_epoch=4,
        interval="epoch",
        metric=losses,
        optimizer={"type": "Adam", "lr": 0.01},
    )
    optimizer = Adam([torch.zeros(1, 1)], lr=0.01)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=2, factor=0.5)
    expected = []
    for epoch in range(12):
        for _ in range(4):
            expected.append(optimizer.param_groups[0]["lr"])
        scheduler.step(losses[epoch])
    assert bits(schedule.lr[0]) == bits(expected)
    assert min(expected) < 0.01  # it did reduce
    assert schedule.metric is not None
    assert [v for v in schedule.metric if v == v] == losses


def test_a_class_of_ones_own_following_the_protocol() -> None:
    schedule = lrplot.trace(lambda opt: Halving(opt, every=3), epochs=10)
    optimizer = sgd()
    assert bits(schedule.lr[0]) == bits(per_batch(optimizer, [Halving(optimizer, 3)], 10))


def test_a_plateau_class_of_ones_own_is_fed_the_metric() -> None:
    values = [3.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    schedule = lrplot.trace(lambda opt: Patient(opt, patience=1), epochs=10, metric=values)
    optimizer = sgd()
    scheduler = Patient(optimizer, patience=1)
    expected = []
    for value in values:
        expected.append(optimizer.param_groups[0]["lr"])
        scheduler.step(value)
    assert bits(schedule.lr[0]) == bits(expected)
    assert len(set(expected)) > 1


def test_resume_at_builds_it_again_and_loads_its_state() -> None:
    schedule = lrplot.trace(lambda opt: Halving(opt, every=4), epochs=20, resume_at=9)
    assert bits(schedule.resumed[0]) == bits(schedule.lr[0])
    assert schedule.resume_difference() is None


def test_a_traced_schedule_is_every_commands_schedule() -> None:
    schedule = lrplot.trace(lambda opt: lr_scheduler.StepLR(opt, step_size=2), epochs=4)
    assert isinstance(schedule, lrplot.Schedule)
    assert lrplot.to_csv(schedule=schedule).splitlines() == [
        "epoch,lr",
        "0,0.1",
        "1,0.1",
        "2,0.010000000000000002",
        "3,0.010000000000000002",
    ]
    assert repr(schedule) == (
        "<Schedule of lrplot.trace: 4 steps (4 epochs); lr start 0.1, min 0.01, max 0.1, "
        "final 0.01>"
    )


def test_the_title_shows_the_arguments_a_scheduler_holds() -> None:
    def build(opt: Any) -> list[Any]:
        return [lr_scheduler.StepLR(opt, step_size=30, gamma=0.5), Halving(opt, every=7)]

    schedule = lrplot.trace(build, epochs=90, interval=["epoch", "step"], lr=0.2)
    assert schedule.spec.display_title == (
        "StepLR(step_size=30, gamma=0.5) per epoch + Halving(every=7) · SGD(lr=0.2)"
    )
    assert lrplot.trace(build, epochs=9, title="Mine").spec.display_title == "Mine"


def test_trace_takes_its_run_keys_by_keyword_only() -> None:
    build, *keys = inspect.signature(lrplot.trace).parameters.values()
    assert build.kind is build.POSITIONAL_OR_KEYWORD
    assert all(p.kind is p.KEYWORD_ONLY for p in keys)


def boom(optimizer: Any) -> Any:
    raise ValueError("no such warm-up")


class Breaks(Halving):
    def step(self) -> None:
        super().step()
        if self.count == 3:
            raise RuntimeError("it broke")


def other_optimizers(optimizer: Any) -> Any:
    return lr_scheduler.StepLR(sgd(), step_size=3)


PROTOCOL = (
    "a scheduler of the optimizer it was given (a torch LRScheduler, or an object with "
    "step() and that optimizer)"
)


@pytest.mark.parametrize(
    ("build", "keys", "message"),
    [
        (boom, {}, "lrplot.trace: build: boom(optimizer) failed: ValueError: no such warm-up"),
        (lambda opt: 3, {}, f"lrplot.trace: build: build(optimizer) returned int, not {PROTOCOL}"),
        (
            lambda opt: None,
            {},
            f"lrplot.trace: build: build(optimizer) returned None, not {PROTOCOL}",
        ),
        (
            lambda opt: [],
            {},
            f"lrplot.trace: build: build(optimizer) returned an empty list, not {PROTOCOL}",
        ),
        (
            lambda opt: [Halving(opt, 2), "cosine"],
            {},
            "lrplot.trace: build: item 1 of what build(optimizer) returned is str, "
            f"not {PROTOCOL}",
        ),
        (
            other_optimizers,
            {},
            "lrplot.trace: build: other_optimizers(optimizer) returned a StepLR of another "
            "optimizer: build it on the optimizer it is given",
        ),
        (
            "StepLR",
            {},
            "lrplot.trace: build: expected a function taking the optimizer and returning its "
            "scheduler(s), got text 'StepLR'",
        ),
        (
            lambda opt: Breaks(opt, 5),
            {"epochs": 10},
            "lrplot.trace: build: Breaks failed at step 2 of 10: RuntimeError: it broke",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"metric": "step"},
            "lrplot.trace: metric: given, but no scheduler here takes one: only a scheduler "
            "whose step() takes a metric (ReduceLROnPlateau) is fed it",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"interval": ["step", "epoch"]},
            "lrplot.trace: interval: 2 values for 1 scheduler; give one value, or a list of one "
            "per scheduler",
        ),
        (
            lambda opt: [Halving(opt, 2), Halving(opt, 3)],
            {"interval": ["step", "batch"]},
            "lrplot.trace: interval[1]: expected step or epoch, got 'batch'",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"optimizer": {"type": "SGD", "lr": 0.5}, "lr": 0.1},
            "lrplot.trace: lr: give lr= or the optimizer's lr, not both",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"lr": -1.0},
            "lrplot.trace: lr: torch rejected the arguments of SGD: Invalid learning rate: -1.0",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"optimizer": Halving},
            "lrplot.trace: optimizer: Halving is not one of torch.optim's optimizers; lrplot "
            "builds those (name one, or give a mapping such as {'type': 'AdamW', 'lr': 0.001})",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"epochs": 0},
            "lrplot.trace: epochs: must be at least 1, got 0",
        ),
        (
            lambda opt: Halving(opt, 2),
            {"epochs": 10, "resume_at": 10},
            "lrplot.trace: resume_at: 10 is past the run's last step, 9 (epochs 10 x "
            "steps_per_epoch 1 = 10 steps, from 0): resume at a step in it",
        ),
    ],
)
def test_what_goes_wrong_is_one_line(build: Any, keys: dict[str, Any], message: str) -> None:
    with pytest.raises(LrplotError) as caught:
        lrplot.trace(build, **keys)
    assert str(caught.value) == message
    assert isinstance(caught.value, ConfigError | SimulationError)


def test_a_build_that_returns_fewer_the_second_time() -> None:
    calls = []

    def build(opt: Any) -> list[Any]:
        calls.append(opt)
        return [Halving(opt, 2)] * (3 - len(calls))

    with pytest.raises(ConfigError) as caught:
        lrplot.trace(build)
    assert str(caught.value) == (
        "lrplot.trace: build: build(optimizer) returned 1 schedulers, 2 the first time it was "
        "called; it must build the same ones every time"
    )


@pytest.fixture(scope="module")
def shown() -> lrplot.Schedule:
    return lrplot.trace(lambda opt: lr_scheduler.OneCycleLR(opt, 0.5, total_steps=50), epochs=50)


def test_a_schedule_shows_itself_as_svg(shown: lrplot.Schedule) -> None:
    svg = shown._repr_svg_()
    assert svg.startswith("<?xml")
    assert "<svg" in svg
    assert svg.rstrip().endswith("</svg>")
    assert shown._repr_svg_() == svg
    assert svg.encode() == lrplot.render(schedule=shown, format="svg")


def test_a_schedule_shows_itself_as_png(shown: lrplot.Schedule) -> None:
    png = shown._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert shown._repr_png_() == png


def test_ipython_shows_a_schedule(shown: lrplot.Schedule) -> None:
    pytest.importorskip("IPython")
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(shown)
    assert data["image/svg+xml"] == shown._repr_svg_()
    assert data["image/png"] == shown._repr_png_()
    assert data["text/plain"] == repr(shown)


def test_tracing_loads_no_drawing() -> None:
    probe = (
        "import sys, lrplot\n"
        "from torch.optim.lr_scheduler import StepLR\n"
        "lrplot.trace(lambda opt: StepLR(opt, 3), epochs=9)\n"
        "drawing = ('matplotlib', 'lrplot.draw', 'lrplot.outputs')\n"
        "print(sorted(m for m in drawing if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
