"""Your own schedulers, from Python: ``trace(build, ...)`` runs what ``build(optimizer)`` makes.

``build`` is given the optimizer lrplot builds (over dummy parameters, as for a config's
``optimizer:``) and returns a scheduler, or a list of them, of that optimizer: any
object following torch's protocol (``step()``, and the lr in the optimizer's param
groups). The run keys are a config's (``epochs``, ``steps_per_epoch``, ``optimizer``,
``interval``, ``frequency``, ``every``, ``fractional_epoch``, ``metric``, ``resume_at``,
``title``), checked as a config's are, and the loop is the simulator's own
(:mod:`lrplot.config.loop`): ``build`` is called once to see what it makes, then once
per run (again for the run resumed, with ``resume_at``), so it must build new
schedulers each time. A scheduler whose ``step()`` takes an argument it requires
(``ReduceLROnPlateau.step(metrics)``) is fed the metric.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrplot.config.file import child_key
from lrplot.config.keys import CONFIG
from lrplot.config.metrics import MetricSpec, parse_metric
from lrplot.config.spec import SchedulerSpec, Spec
from lrplot.config.validation.schedulers import SchedulerChecks
from lrplot.config.validation.validator import run_checks
from lrplot.errors import ConfigError, LrplotError, describe_value
from lrplot.limits import DEFAULT_MAX_STEPS
from lrplot.schedulers.registry import (
    facts_of,
    optimizer_classes,
    scheduler_classes,
    scheduler_signature,
)
from lrplot.simulation.runner import BUILD_KEY, Schedule, build_optimizer, made_by, simulate

SOURCE = "lrplot.trace"
"""How errors name the run (where a config's name its file)."""


def trace(
    build: Callable[[Any], Any],
    *,
    epochs: int | None = None,
    steps_per_epoch: int | Mapping[str, Any] | None = None,
    optimizer: str | type | Mapping[str, Any] | None = None,
    lr: float | None = None,
    interval: str | Sequence[str] | None = None,
    frequency: int | Sequence[int] | None = None,
    every: int | Sequence[int | None] | None = None,
    fractional_epoch: bool | Sequence[bool] | None = None,
    metric: Any = None,
    resume_at: int | None = None,
    title: str | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Schedule:
    """Run the schedulers ``build(optimizer)`` returns in lrplot's training loop and record
    every batch's lr. Each key is a config's (left out: its default); ``interval``,
    ``frequency``, ``every`` and ``fractional_epoch`` apply to every scheduler returned,
    or give one per scheduler as a list. ``optimizer``: a torch.optim class or its name, or
    a config's ``optimizer:`` mapping; ``lr`` sets its lr. Errors are
    :class:`~lrplot.errors.LrplotError`\\ s named ``lrplot.trace``."""
    try:
        return simulate(
            spec=_spec(
                build,
                run={"epochs": epochs, "steps_per_epoch": steps_per_epoch},
                optimizer=_optimizer(optimizer, lr),
                loop={
                    "interval": interval,
                    "frequency": frequency,
                    "every": every,
                    "fractional_epoch": fractional_epoch,
                },
                metric=metric,
                resume_at=resume_at,
                title=title,
            ),
            max_steps=max_steps,
        )
    except LrplotError as e:
        key = "lr" if lr is not None and e.key == "optimizer.lr" else e.key
        raise type(e)(e.message, source=SOURCE, key=key) from None


def _spec(
    build: Callable[[Any], Any],
    *,
    run: Mapping[str, Any],
    optimizer: dict[str, Any],
    loop: Mapping[str, Any],
    metric: Any,
    resume_at: int | None,
    title: str | None,
) -> Spec:
    """The Spec of a traced run: a config's checks of each key, the schedulers made by
    ``build`` (on an optimizer of their own, only to see what they are)."""
    if not callable(build):
        raise ConfigError(
            "expected a function taking the optimizer and returning its scheduler(s), "
            f"got {describe_value(build)}",
            key=BUILD_KEY,
        )
    data = {
        name: value
        for name, value in {**run, "resume_at": resume_at, "title": title}.items()
        if value is not None
    }
    data["optimizer"] = optimizer
    checks = run_checks(data=data, source=SOURCE)
    values = checks.simple_values(data)
    steps_per_epoch, batches = checks.steps(
        data.get("steps_per_epoch", CONFIG["steps_per_epoch"].default)
    )
    optimizer_spec = checks.optimizer(optimizer)
    made = made_by(build, build_optimizer(optimizer_spec))
    schedulers = tuple(
        _looped(checks, scheduler, index, len(made), loop) for index, scheduler in enumerate(made)
    )
    metric_spec: MetricSpec | None = None
    if any(s.facts.metric for s in schedulers):
        metric_spec = parse_metric(metric, base_dir=Path.cwd())
    elif metric is not None:
        raise ConfigError(
            "given, but no scheduler here takes one: only a scheduler whose step() takes a "
            "metric (ReduceLROnPlateau) is fed it",
            key="metric",
        )
    checks.check_resume(values.get("resume_at"), values["epochs"], steps_per_epoch)
    return Spec(
        source=SOURCE,
        epochs=values["epochs"],
        steps_per_epoch=steps_per_epoch,
        optimizer=optimizer_spec,
        schedulers=schedulers,
        metric=metric_spec,
        title=values.get("title"),
        values=values,
        data=data,
        batches=batches,
        resume_at=values.get("resume_at"),
        build=build,
    )


def _optimizer(
    optimizer: str | type | Mapping[str, Any] | None, lr: float | None
) -> dict[str, Any]:
    """The config's ``optimizer:`` mapping the ``optimizer`` and ``lr`` given make."""
    if optimizer is None:
        raw: dict[str, Any] = {}
    elif isinstance(optimizer, str):
        raw = {"type": optimizer}
    elif inspect.isclass(optimizer):
        if optimizer_classes().get(optimizer.__name__) is not optimizer:
            raise ConfigError(
                f"{optimizer.__name__} is not one of torch.optim's optimizers; lrplot builds "
                "those (name one, or give a mapping such as {'type': 'AdamW', 'lr': 0.001})",
                key="optimizer",
            )
        raw = {"type": optimizer.__name__}
    elif isinstance(optimizer, Mapping):
        raw = dict(optimizer)
    else:
        raise ConfigError(
            "expected a torch.optim class or its name, or a mapping such as "
            f"{{'type': 'AdamW', 'lr': 0.001}}, got {describe_value(optimizer)}",
            key="optimizer",
        )
    if lr is not None:
        if "lr" in raw:
            raise ConfigError("give lr= or the optimizer's lr, not both", key="lr")
        raw["lr"] = lr
    return raw


def _looped(
    checks: SchedulerChecks, scheduler: Any, index: int, count: int, loop: Mapping[str, Any]
) -> SchedulerSpec:
    """How the loop steps the ``index``-th of the ``count`` schedulers ``build`` made:
    the loop keys given (one for all, or a list of one per scheduler), checked as a
    config's."""
    raw: dict[str, Any] = {}
    listed: set[str] = set()
    for name, value in loop.items():
        if isinstance(value, list | tuple):
            if len(value) != count:
                raise ConfigError(
                    f"{len(value)} values for {count} scheduler{'s' * (count != 1)}; give one "
                    "value, or a list of one per scheduler",
                    key=name,
                )
            listed.add(name)
            value = value[index]
        if value is not None:
            raw[name] = value
    cls = type(scheduler)
    try:
        keys = checks.loop_keys(raw, "", True, cls)
    except ConfigError as e:
        key = e.key or ""
        raise ConfigError(e.message, key=child_key(key, index) if key in listed else key) from None
    facts = facts_of(cls)
    if not facts.metric and _step_requires_argument(cls):
        facts = replace(facts, metric=True)
    if facts.metric and keys.get("fractional_epoch"):
        where = "fractional_epoch"
        raise ConfigError(
            f"{cls.__name__} is stepped with the metric, not an epoch; fractional_epoch is for "
            "a scheduler such as CosineAnnealingWarmRestarts",
            key=child_key(where, index) if where in listed else where,
        )
    own = scheduler_classes().get(cls.__name__) is cls
    return SchedulerSpec(
        type_name=cls.__name__ if own else f"{cls.__module__}:{cls.__qualname__}",
        cls=cls,
        args=_held_arguments(scheduler),
        key=BUILD_KEY if count == 1 else child_key(BUILD_KEY, index),
        facts=facts,
        **keys,
    )


def _step_requires_argument(cls: type) -> bool:
    """Whether ``cls.step()`` requires an argument (a metric, as ReduceLROnPlateau's)."""
    try:
        parameters = list(inspect.signature(cls.step).parameters.values())[1:]  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return False
    first = parameters[0] if parameters else None
    return (
        first is not None
        and first.kind in (first.POSITIONAL_ONLY, first.POSITIONAL_OR_KEYWORD)
        and first.default is first.empty
    )


_NOT_HELD = ("last_epoch", "verbose")
"""Arguments a built scheduler's attribute of that name does not tell (it counts on)."""


def _held_arguments(scheduler: Any) -> dict[str, Any]:
    """The arguments a built scheduler still holds as attributes of their names, numbers,
    flags and text only (``StepLR.step_size``): what titles and marks show of it."""
    held: dict[str, Any] = {}
    for name in scheduler_signature(type(scheduler)).parameters:
        try:
            value = getattr(scheduler, name, None) if name not in _NOT_HELD else None
        except Exception:  # a property of the caller's that fails: it tells nothing
            continue
        if isinstance(value, bool | int | float | str):
            held[name] = value
    return held
