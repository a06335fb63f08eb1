"""Running a schedule: a dummy-parameter optimizer, its schedulers, the training loop, lr recorded.

The recorded numbers are exactly what a plain torch loop records: the lr before each
batch, the schedulers stepped as :mod:`lrplot.config.loop` describes. For one scheduler stepped
after every batch, that is::

    for step in range(epochs * steps_per_epoch):
        lrs.append(optimizer.param_groups[0]["lr"])
        scheduler.step()            # scheduler.step(metric[step]) for ReduceLROnPlateau

With ``resume_at: N``, the run is also resumed as a training script resumes from a
checkpoint: after ``N`` batches, the optimizer's and every scheduler's ``state_dict()``
are saved; a fresh optimizer and fresh schedulers are built from the config, the
optimizer's state is loaded, then each scheduler's, and the loop carries on from batch
``N`` (PyTorch Lightning and HF's Trainer restore in that order).
"""

from __future__ import annotations

import copy
import inspect
import itertools
import math
import re
import warnings
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lrplot.config.expressions import Expression, quoted
from lrplot.config.loop import TrainingLoop
from lrplot.config.metrics import metric_values
from lrplot.config.spec import OptimizerSpec, SchedulerSpec, Spec
from lrplot.errors import (
    ConfigError,
    ExpressionError,
    LrplotError,
    SimulationError,
    failed_assertion,
    one_line,
)
from lrplot.limits import DEFAULT_MAX_STEPS
from lrplot.schedulers.deepspeed import deepspeed_logs
from lrplot.schedulers.facts import ARGUMENT_WORDS
from lrplot.schedulers.mmengine import QUIET_WARNINGS as MMENGINE_WARNINGS
from lrplot.schedulers.mmengine import build as build_mmengine
from lrplot.schedulers.mmengine import is_mmengine, metric_step
from lrplot.simulation.budget import check_work
from lrplot.simulation.torch_compat import (
    cycles_momentum,
    fast_step,
    no_compiler_import,
    raising_scheduler,
)

MomentumKey = Literal["momentum", "betas"]

# torch warns when a scheduler steps without a real training step; lrplot has none to make.
_IGNORED_TORCH_WARNINGS = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`",
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler",
    *MMENGINE_WARNINGS,
)


@dataclass(frozen=True)
class Schedule:
    """The recorded schedule: one lr array per param group, momentum when cycled.

    Arrays are ``array.array('d')``; ``numpy.asarray(schedule.lr[0])`` views one without
    copying. Value ``i`` is what the group held before batch ``i``.
    """

    spec: Spec
    lr: tuple[array[float], ...]
    momentum: tuple[array[float], ...] = ()
    momentum_key: MomentumKey = "momentum"
    """Where the momentum was read: ``momentum``, or ``betas`` (its first) for Adam-like
    optimizers."""
    metric: array[float] | None = None
    """The metric fed after each batch (to the first scheduler that takes one); NaN
    after a batch none was fed after."""
    torch_warnings: tuple[str, ...] = ()
    """What torch warned of while it ran (each once); :func:`lrplot.checks.notices.collect`
    makes them notices."""
    resumed: tuple[array[float], ...] = ()
    """With ``resume_at``: each group's lr in the resumed run (before ``resume_at``, the
    same as ``lr``)."""
    notices: tuple[str, ...] = ()
    """What lrplot says of the run as it fed it (a logged metric's values not used):
    ``file: key: message`` lines."""
    start_momentum: tuple[float, ...] = ()
    """Each group's momentum (or ``betas[0]``) before the first batch, when its optimizer
    has one: where it stays unless a scheduler cycles it (then see ``momentum``)."""

    @property
    def steps(self) -> int:
        return self.spec.steps

    def __repr__(self) -> str:
        return f"<Schedule of {self.spec.source}: {self.summary()}>"

    def _repr_svg_(self) -> str:
        """The plot, as SVG: how Jupyter shows a schedule (drawn when shown)."""
        return self._image("svg").decode()

    def _repr_png_(self) -> bytes:
        """The plot, as PNG (for front ends that show no SVG)."""
        return self._image("png")

    def _image(self, fmt: Literal["svg", "png"]) -> bytes:
        # The one import of a wing above (pyproject.toml's contracts allow it): drawing,
        # loaded only when a notebook shows a schedule.
        from lrplot.outputs.export import render

        return render(schedule=self, format=fmt)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.spec.optimizer.groups)

    def first_below(self, bound: float, *, inclusive: bool = False) -> list[tuple[int, int]]:
        """``(group, step)`` for each group whose lr goes below ``bound`` (or reaches it,
        with ``inclusive``), at the first step it does."""
        found = []
        for group, column in enumerate(self.lr):
            low = min(column, default=math.inf)  # in C: the scan below runs only on a find
            if low > bound or (low == bound and not inclusive):
                continue
            step = next(i for i, v in enumerate(column) if v < bound or (inclusive and v == bound))
            found.append((group, step))
        return found

    def resume_difference(self) -> tuple[int, int] | None:
        """``(group, step)`` of the first lr the resumed run records differently from the
        uninterrupted one (the earliest step; the first group there); None if none."""
        found = None
        for group, (plain, resumed) in enumerate(zip(self.lr, self.resumed, strict=False)):
            if plain == resumed:  # in C: the scan below runs only on a difference
                continue
            step = next(i for i, (a, b) in enumerate(zip(plain, resumed, strict=True)) if a != b)
            if found is None or step < found[1]:
                found = (group, step)
        return found

    def learning_rate(self, group: int) -> str:
        """``the learning rate of param group head`` (of the only group: ``the learning
        rate``), as messages name it."""
        name = f" of param group {self.group_names[group]}" if len(self.lr) > 1 else ""
        return f"the learning rate{name}"

    def at_step(self, step: int) -> str:
        """``step 12 (epoch 3)``, as messages name a step."""
        return f"step {step:,} (epoch {step // self.spec.steps_per_epoch})"

    def summary(self) -> str:
        """One line: the length (and where steps per epoch came from), and each group's
        start, min, max and final lr."""
        spec = self.spec
        per_epoch = f" x {spec.steps_per_epoch:,}" if spec.steps_per_epoch > 1 else ""
        parts = [f"{spec.steps:,} steps ({spec.epochs} epochs{per_epoch})"]
        if spec.stop_at is not None and spec.steps < spec.epochs * spec.steps_per_epoch:
            stopped = f", stopped after step {spec.stop_at:,}"
            parts[0] = f"{spec.steps:,} steps ({spec.epochs} epochs{per_epoch}{stopped})"
        if spec.batches is not None:
            parts[0] += f"; steps per epoch: {spec.batches.explain()}"
        for name, lr in zip(self.group_names, self.lr, strict=True):
            label = "lr" if len(self.lr) == 1 else f"lr {name}"
            parts.append(
                f"{label} start {lr[0]:.3g}, min {min(lr):.3g}, max {max(lr):.3g}, "
                f"final {lr[-1]:.3g}"
            )
        return "; ".join(parts)

    def epoch_axis(self) -> array[float]:
        """Each step's position in epochs (fractional when ``steps_per_epoch > 1``)."""
        per_epoch = self.spec.steps_per_epoch
        if per_epoch == 1:
            return array("d", range(self.steps))
        return array("d", (step / per_epoch for step in range(self.steps)))


def simulate(*, spec: Spec, max_steps: int = DEFAULT_MAX_STEPS) -> Schedule:
    """Build the optimizer and schedulers of ``spec``, run the training loop and record
    every batch's lr (and, with ``resume_at``, run it resumed too)."""
    steps, resume_at = spec.steps, spec.resume_at
    keys: dict[int, str] = {}
    resumed: tuple[array[float], ...] = ()
    try:
        check_work(spec, max_steps)
        feeds, notices = _feeds(spec)
        with warnings.catch_warnings(record=True) as caught, deepspeed_logs() as logged:
            warnings.simplefilter("default")
            for message in _IGNORED_TORCH_WARNINGS:
                warnings.filterwarnings("ignore", message=re.escape(message))
            run = _Run(spec, feeds, keys)
            said = list(run.said)
            start_momentum = run.recorder.momenta()
            if resume_at is None:
                run.go(0, steps)
            else:
                run.go(0, resume_at)
                saved = run.checkpoint()
                run.go(resume_at, steps)
                again = _Run(spec, feeds, keys, resumed_at=resume_at, momentum=False)
                again.restore(saved)
                again.go(resume_at, steps)
                said += again.said
                resumed = tuple(
                    column[:resume_at] + rest
                    for column, rest in zip(run.recorder.lr, again.recorder.lr, strict=True)
                )
        _check_finite(run.recorder.lr, spec)
        if resumed:
            _check_finite(list(resumed), spec)
    except LrplotError as e:
        raise e.located(
            source=spec.source, line=spec.line(e.key), origin=spec.origin(e.key)
        ) from None
    return Schedule(
        spec=spec,
        lr=tuple(run.recorder.lr),
        momentum=tuple(run.recorder.momentum),
        momentum_key=run.recorder.momentum_key,
        metric=_metric_column(spec, feeds),
        torch_warnings=tuple(dict.fromkeys(one_line(str(w.message)) for w in caught)),
        resumed=resumed,
        notices=notices
        + tuple(f"{spec.source}: DeepSpeed logged: {text}" for text in logged)
        + tuple(dict.fromkeys(f"{spec.source}: {text}" for text in said)),
        start_momentum=start_momentum,
    )


def _feeds(spec: Spec) -> tuple[tuple[array[float] | None, ...], tuple[str, ...]]:
    """The metric values each scheduler the loop steps is fed, in order (None for those
    stepped without one; NaN where it is not stepped), and the notices of feeding them."""
    feeds: list[array[float] | None] = []
    notices: list[str] = []
    loop = spec.loop
    for scheduler in spec.schedulers:
        if not scheduler.facts.metric or spec.metric is None:
            feeds.append(None)
            continue
        fed = metric_values(
            spec.metric,
            count=scheduler.calls(loop),
            positions=loop.positions(scheduler.stepping),
            taker=scheduler.name,
            cadence=scheduler.cadence().strip() or "per batch",
            resume_at=spec.resume_at,
        )
        feeds.append(fed.values)
        notices += [f"{spec.source}: {text}" for text in fed.notices]
    return tuple(feeds), tuple(dict.fromkeys(notices))


def _metric_column(spec: Spec, feeds: Sequence[array[float] | None]) -> array[float] | None:
    """The values fed to the first scheduler fed one, each at the batch it was fed after."""
    for scheduler, feed in zip(spec.schedulers, feeds, strict=True):
        if feed is None:
            continue
        if len(feed) == spec.steps:
            return feed
        column = array("d", [math.nan]) * spec.steps
        positions = spec.loop.positions(scheduler.stepping)
        for (_, step), value in zip(positions, feed, strict=True):
            column[step] = value
        return column
    return None


class _Run:
    """One training run of a config: its optimizer and schedulers, and the lr recorded."""

    def __init__(
        self,
        spec: Spec,
        feeds: Sequence[array[float] | None],
        keys: dict[int, str],
        *,
        resumed_at: int | None = None,
        momentum: bool = True,
    ) -> None:
        self.spec, self.feeds, self.keys, self.resumed_at = spec, feeds, keys, resumed_at
        self.said: list[str] = []
        """What a library warned of or logged while its schedulers were built (timm's)."""
        self.optimizer = build_optimizer(spec.optimizer)
        if spec.build is not None:
            self.schedulers = made_by(spec.build, self.optimizer, count=len(spec.schedulers))
            keys.update(
                {id(s): c.key for s, c in zip(self.schedulers, spec.schedulers, strict=True)}
            )
        else:
            self.schedulers = [self._built(scheduler) for scheduler in spec.schedulers]
        self.recorder = _Recorder(
            self.optimizer,
            record_momentum=momentum and any(cycles_momentum(s) for s in self.schedulers),
        )

    def go(self, start: int, stop: int) -> None:
        """Run batches ``start`` to ``stop`` (not included)."""
        try:
            if _every_batch(self.spec.schedulers):
                scheduler, feed = self.schedulers[0], self.feeds[0]
                step = fast_step(scheduler) if feed is None else None
                self.recorder.run(step or scheduler.step, start, stop, feed)
                return
            self._loop(start, stop)
        except LrplotError:
            raise
        except (Exception, SystemExit) as e:  # SystemExit: sys.exit() in a custom class
            raise self._failure(e, self.recorder.step) from None

    def _loop(self, start: int, stop: int) -> None:
        """The training loop of :mod:`lrplot.config.loop`, for any intervals and frequencies."""
        per_epoch, loop = self.spec.steps_per_epoch, self.spec.loop
        after_batch: list[tuple[Callable[[int, int], bool], Callable[[int, int], None]]] = []
        after_epoch: list[tuple[int, Callable[[int, int], None]]] = []
        for spec, scheduler, feed in zip(
            self.spec.schedulers, self.schedulers, self.feeds, strict=True
        ):
            if spec.facts.timm_steps and self.spec.build is None:
                update, epoch_end = _timm_actions(spec, scheduler, feed, start, loop)
                after_batch.append((_always, update))
                after_epoch.append((1, epoch_end))
                continue
            action = _action(spec, scheduler, feed, start, loop)
            if spec.interval == "step":
                after_batch.append((loop.stepper(spec.stepping), action))
            else:
                after_epoch.append((spec.frequency, action))
        record, recorder = self.recorder.record, self.recorder
        for position in range(start, stop):
            recorder.step = position
            record()
            epoch, batch = divmod(position, per_epoch)
            for stepped, action in after_batch:
                if stepped(batch, position):
                    action(epoch, batch)
            if batch == per_epoch - 1:
                for frequency, action in after_epoch:
                    if (epoch + 1) % frequency == 0:
                        action(epoch, batch)

    def checkpoint(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """What a training script saves: the optimizer's and each scheduler's state."""
        try:
            with no_compiler_import():
                optimizer = self.optimizer.state_dict()
            return copy.deepcopy((optimizer, [s.state_dict() for s in self.schedulers]))
        except (Exception, SystemExit) as e:
            raise self._failure(e, self.recorder.step, doing="saving its state_dict()") from None

    def restore(self, saved: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        """What a resuming script does with a checkpoint: load the optimizer's state,
        then each scheduler's (a timm scheduler is built afresh on the loaded optimizer
        and stepped to the epoch resumed at, as timm's train.py does)."""
        optimizer, schedulers = saved
        try:
            with no_compiler_import():
                self.optimizer.load_state_dict(optimizer)
            for index, state in enumerate(schedulers):
                spec = self.spec.schedulers[index]
                if spec.facts.timm_steps and self.spec.build is None:
                    self.schedulers[index] = self._timm_resumed(spec)
                    continue
                self.schedulers[index].load_state_dict(state)
            # Loading replaces the optimizer's param group dicts: record from the new ones.
            self.recorder = _Recorder(self.optimizer, record_momentum=bool(self.recorder.momentum))
        except (Exception, SystemExit) as e:
            raise self._failure(
                e, self.resumed_at or 0, doing="loading its state_dict()"
            ) from None

    def _built(self, spec: SchedulerSpec) -> Any:
        """``spec``'s scheduler on this run's optimizer; what timm says as it builds one kept."""
        if not spec.facts.timm_steps:
            return _build_scheduler(
                spec, self.optimizer, self.keys, self.spec.doubts, run=self.spec
            )
        from lrplot.schedulers.timm import timm_said

        with timm_said() as said:
            scheduler = _build_scheduler(
                spec, self.optimizer, self.keys, self.spec.doubts, run=self.spec
            )
        self.said += [f"timm said: {text}" for text in said]
        return scheduler

    def _timm_resumed(self, spec: SchedulerSpec) -> Any:
        """A timm scheduler built on the loaded optimizer, stepped to the epoch resumed at."""
        from lrplot.schedulers.timm import resume

        scheduler = self._built(spec)
        per_epoch = self.spec.steps_per_epoch
        resume(
            scheduler,
            start_epoch=(self.resumed_at or 0) // per_epoch,
            updates_per_epoch=per_epoch,
            epochs=spec.interval == "epoch",
        )
        return scheduler

    def _failure(self, e: BaseException, step: int, doing: str = "") -> SimulationError:
        """The error to report for ``e``, raised by torch or a user's class at ``step``."""
        spec = self.spec
        key = raising_scheduler(e.__traceback__, self.keys) or spec.scheduler.key
        culprit = next((s for s in spec.walk() if s.key == key), spec.scheduler)
        who = f"{culprit.name} failed" if culprit.custom else f"{culprit.library} failed"
        when = f"at step {step} of {spec.steps}"
        if doing:
            when = f"{doing} {when}"
        if self.resumed_at is not None or doing:
            when += f" of the run resumed at step {spec.resume_at}"
        text = f"{who} {when}: {_message(e, culprit.custom)}"
        doubts = {**culprit.doubts, **spec.doubts}
        written = _arguments_of(culprit) if spec.build is None else {}  # a caller's: not keys
        blamed, explained = _blame(e, written, doubts)
        return SimulationError(_explained(explained, text), key=blamed or culprit.key)


def _every_batch(schedulers: Sequence[SchedulerSpec]) -> bool:
    """One scheduler, stepped plainly after every batch: the common case, run fastest."""
    first, *others = schedulers
    return (
        not others
        and not first.facts.timm_steps
        and first.interval == "step"
        and first.frequency == 1
        and first.every in (None, 1)
        and not first.fractional_epoch
    )


def _action(
    spec: SchedulerSpec,
    scheduler: Any,
    feed: array[float] | None,
    start: int,
    loop: TrainingLoop,
) -> Callable[[int, int], None]:
    """What the loop does to step ``scheduler`` after batch ``batch`` of ``epoch``."""
    step: Callable[..., Any] = metric_step(scheduler) or scheduler.step
    per_epoch = loop.steps_per_epoch
    if feed is not None:
        index = itertools.count(loop.calls_before(spec.stepping, start)).__next__

        def fed(epoch: int, batch: int) -> None:
            value = feed[index()]
            if value == value:  # NaN: a step the log has no value for, not stepped
                step(value)

        return fed
    if spec.fractional_epoch:

        def fractional(epoch: int, batch: int) -> None:
            step(epoch + batch / per_epoch)

        return fractional
    plain = fast_step(scheduler) or step

    def stepped(epoch: int, batch: int) -> None:
        plain()

    return stepped


def _always(batch: int, position: int) -> bool:
    return True


def _timm_actions(
    spec: SchedulerSpec,
    scheduler: Any,
    feed: array[float] | None,
    start: int,
    loop: TrainingLoop,
) -> tuple[Callable[[int, int], None], Callable[[int, int], None]]:
    """What the loop does to a timm scheduler after each batch and after each epoch:
    ``step_update`` and ``step`` as timm's train.py calls them, ``step`` with the metric fed
    to it (None where the log has none; see :mod:`lrplot.schedulers.timm`)."""
    from lrplot.schedulers.timm import actions

    after_update, after_epoch = actions(scheduler)
    per_epoch = loop.steps_per_epoch

    def update(epoch: int, batch: int) -> None:
        after_update(epoch * per_epoch + batch)

    if feed is None:

        def epoch_end(epoch: int, batch: int) -> None:
            after_epoch(epoch, None)

        return update, epoch_end
    index = itertools.count(loop.calls_before(spec.stepping, start)).__next__

    def fed(epoch: int, batch: int) -> None:
        value = feed[index()]
        after_epoch(epoch, value if value == value else None)  # NaN: none logged

    return update, fed


class _Recorder:
    """Records each group's lr (and momentum) before every batch."""

    def __init__(self, optimizer: Any, *, record_momentum: bool) -> None:
        self.groups: list[dict[str, Any]] = optimizer.param_groups
        self.lr = [array("d") for _ in self.groups]
        self.momentum = [array("d") for _ in self.groups] if record_momentum else []
        self.momentum_key: MomentumKey = "betas" if "betas" in optimizer.defaults else "momentum"
        self.step = 0  # the last batch reached (the one that raised, if any)
        self.record = self._recording()

    def _recording(self) -> Callable[[], None]:
        """A function appending every group's lr (and momentum) once."""
        pairs = list(zip(self.groups, self.lr, strict=True))
        momenta = list(zip(self.groups, self.momentum, strict=False))
        beta = self.momentum_key == "betas"

        def record() -> None:
            for group, column in pairs:
                column.append(group["lr"])
            for group, column in momenta:
                column.append(group["betas"][0] if beta else group["momentum"])

        return record

    def momenta(self) -> tuple[float, ...]:
        """Each group's momentum (or ``betas[0]``) now; () when the optimizer has neither."""
        if not all("betas" in group or "momentum" in group for group in self.groups):
            return ()
        return tuple(
            float(group["betas"][0] if "betas" in group else group["momentum"])
            for group in self.groups
        )

    def run(
        self, step: Callable[..., Any], start: int, stop: int, metric: array[float] | None
    ) -> None:
        """Batches ``start`` to ``stop`` of one scheduler stepped after each, with
        ``metric[i]`` after batch ``i`` if given."""
        # These loops run up to millions of times: one per common shape, locals only.
        i = start
        groups, lr_columns, momentum_columns = self.groups, self.lr, self.momentum
        try:
            if len(groups) == 1 and metric is None:
                group, lr = groups[0], lr_columns[0].append
                if not momentum_columns:
                    for i in range(start, stop):  # noqa: B007 - i is read in finally
                        lr(group["lr"])
                        step()
                elif self.momentum_key == "betas":
                    momentum = momentum_columns[0].append
                    for i in range(start, stop):  # noqa: B007 - i is read in finally
                        lr(group["lr"])
                        momentum(group["betas"][0])
                        step()
                else:
                    momentum = momentum_columns[0].append
                    for i in range(start, stop):  # noqa: B007 - i is read in finally
                        lr(group["lr"])
                        momentum(group["momentum"])
                        step()
                return
            record = self.record
            for i in range(start, stop):
                record()
                if metric is None:
                    step()
                elif metric[i] == metric[i]:  # NaN: a step the log has no value for
                    step(metric[i])
        finally:
            self.step = i


def _check_finite(columns: list[array[float]], spec: Spec) -> None:
    """Refuse a schedule whose lr overflowed to inf or became NaN: it cannot be plotted."""
    for name, column in zip(spec.optimizer.groups, columns, strict=True):
        if math.isfinite(sum(column)):  # any inf or nan makes the sum non-finite
            continue
        step = next((i for i, value in enumerate(column) if not math.isfinite(value)), None)
        if step is None:  # only the sum overflowed
            continue
        group = f" of param group {name.name}" if len(columns) > 1 else ""
        key, why = _non_finite_argument(spec)
        if why is None:
            why = (
                "the arguments make it grow without bound"
                if math.isinf(column[step])
                else "an undefined operation such as inf - inf or 0 * inf"
            )
        raise SimulationError(
            f"the learning rate{group} became {column[step]!r} at step {step} "
            f"(epoch {step // spec.steps_per_epoch}); {why}",
            key=key,
        )


def _non_finite_argument(spec: Spec) -> tuple[str, str | None]:
    """The first argument written as inf or nan, which most likely made the lr so; else
    the scheduler, with no reason to give."""
    arguments = _arguments_of(spec.optimizer)
    for index, group in enumerate(spec.optimizer.groups):
        arguments.update(
            {f"optimizer.param_groups[{index}].{n}": (n, v) for n, v in group.args.items()}
        )
    for scheduler in spec.walk():
        arguments.update(_arguments_of(scheduler))
    for key, (name, value) in arguments.items():
        if isinstance(value, float) and not math.isfinite(value):
            return key, f"{name} is {value!r}"
    return spec.scheduler.key, None


def build_optimizer(spec: OptimizerSpec) -> Any:
    """The optimizer of ``spec`` over one dummy parameter per param group."""
    import torch

    groups = [{"params": [torch.zeros(1, 1)], **group.args} for group in spec.groups]
    try:
        with no_compiler_import():
            return spec.cls(groups, **spec.args)
    except Exception as e:
        arguments = _arguments_of(spec)
        for index, group in enumerate(spec.groups):
            group_key = f"{spec.key}.param_groups[{index}]"
            arguments.update({f"{group_key}.{n}": (n, v) for n, v in group.args.items()})
        blamed, explained = _blame(e, arguments, spec.doubts)
        text = f"torch rejected the arguments of {spec.type_name}: {_message(e, False)}"
        raise ConfigError(_explained(explained, text), key=blamed or spec.key) from None


def _build_scheduler(
    spec: SchedulerSpec,
    optimizer: Any,
    keys: dict[int, str],
    doubts: Mapping[str, str],
    *,
    run: Spec,
) -> Any:
    """Build ``spec``'s scheduler (its children first), for the ``run``. ``doubts``: the
    config's values that did not fit torch's hints, to blame first if torch fails (see
    :func:`_blame`)."""
    children = [
        _build_scheduler(child, optimizer, keys, doubts, run=run) for child in spec.children
    ]
    kwargs = {name: _as_callable(value) for name, value in spec.args.items()}
    try:
        if is_mmengine(spec.cls):
            scheduler = build_mmengine(
                spec.cls, optimizer, kwargs, epochs=run.epochs, epoch_length=run.steps_per_epoch
            )
        elif spec.children:
            scheduler = spec.cls(optimizer=optimizer, schedulers=children, **kwargs)
        elif not inspect.isclass(spec.cls) and _takes_optimizer_by_name(spec.cls):
            scheduler = spec.cls(optimizer=optimizer, **kwargs)  # get_scheduler(name, optimizer)
        else:
            scheduler = spec.cls(optimizer, **kwargs)
    except LrplotError:
        raise
    except (Exception, SystemExit) as e:  # SystemExit: sys.exit() in a custom class
        text, key = _message(e, spec.custom), spec.key
        resumes = spec.args.get("last_epoch", -1)
        if isinstance(resumes, int) and resumes >= 0:
            text = text.rstrip(".") + "; last_epoch resumes a run: leave it out to plot one"
            key = f"{spec.key}.last_epoch"
        blamed, explained = _blame(e, _arguments_of(spec), {**spec.doubts, **doubts})
        text = (
            f"building {spec.name} failed: {text}"
            if spec.custom
            else f"{spec.library} rejected the arguments of {spec.name}: {text}"
        )
        raise ConfigError(_explained(explained, text), key=blamed or key) from None
    _check_made(scheduler, spec, optimizer)
    keys[id(scheduler)] = spec.key
    return scheduler


BUILD_KEY = "build"
"""How errors name the function :func:`made_by` calls (``lrplot.trace``'s first argument)."""
_PROTOCOL = (
    "a scheduler of the optimizer it was given (a torch LRScheduler, or an object with "
    "step() and that optimizer)"
)


def made_by(build: Callable[[Any], Any], optimizer: Any, *, count: int | None = None) -> list[Any]:
    """The schedulers a caller's ``build(optimizer)`` returns (one, or a list of them),
    each checked to follow torch's protocol on ``optimizer``; ``count``: as many as it
    returned before. ConfigError at :data:`BUILD_KEY` for anything else."""
    name = _function_name(build)
    try:
        made = build(optimizer)
    except LrplotError:
        raise
    except (Exception, SystemExit) as e:  # SystemExit: sys.exit() in the caller's code
        raise ConfigError(f"{name} failed: {_message(e, True)}", key=BUILD_KEY) from None
    schedulers = list(made) if isinstance(made, list | tuple) else [made]
    if not schedulers:
        raise ConfigError(
            f"{name} returned an empty {type(made).__name__}, not {_PROTOCOL}", key=BUILD_KEY
        )
    for index, scheduler in enumerate(schedulers):
        where = (
            f"{name} returned" if made is scheduler else f"item {index} of what {name} returned is"
        )
        what = "None" if scheduler is None else type(scheduler).__name__
        if not callable(getattr(scheduler, "step", None)) or not hasattr(scheduler, "optimizer"):
            raise ConfigError(f"{where} {what}, not {_PROTOCOL}", key=BUILD_KEY)
        if scheduler.optimizer is not optimizer:
            raise ConfigError(
                f"{where} a {what} of another optimizer: build it on the optimizer it is given",
                key=BUILD_KEY,
            )
    if count is not None and len(schedulers) != count:
        raise ConfigError(
            f"{name} returned {len(schedulers)} schedulers, {count} the first time it was "
            "called; it must build the same ones every time",
            key=BUILD_KEY,
        )
    return schedulers


def _function_name(build: Callable[[Any], Any]) -> str:
    """``make_schedule(optimizer)``, as messages name a caller's function (``build`` for
    a lambda)."""
    name = str(getattr(build, "__name__", ""))
    return f"{name if name.isidentifier() else BUILD_KEY}(optimizer)"


def _takes_optimizer_by_name(function: Any) -> bool:
    try:
        return "optimizer" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _check_made(scheduler: Any, spec: SchedulerSpec, optimizer: Any) -> None:
    """Refuse what a function made if the loop cannot step it as it would a scheduler of
    ``optimizer``: not a scheduler, or fed a metric lrplot did not plan to feed it."""
    if inspect.isclass(spec.cls):
        return
    from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

    made = type(scheduler).__name__
    steps_it = isinstance(scheduler, LRScheduler) or (
        callable(getattr(scheduler, "step", None))
        and getattr(scheduler, "optimizer", None) is optimizer
    )
    if not steps_it:
        raise ConfigError(
            f"{spec.name} returned {made}, not a scheduler of the optimizer it was given "
            "(a torch LRScheduler, or an object with step() and that optimizer)",
            key=spec.key,
        )
    if isinstance(scheduler, ReduceLROnPlateau) and not spec.facts.metric:
        raise ConfigError(
            f"{spec.name} returned a ReduceLROnPlateau, which is stepped with a metric; "
            "lrplot feeds the config's metric: to the schedulers it knows take one "
            "(ReduceLROnPlateau, transformers.get_reduce_on_plateau_schedule): name one",
            key=spec.key,
        )


def _arguments_of(spec: SchedulerSpec | OptimizerSpec) -> dict[str, tuple[str, Any]]:
    """The arguments a config wrote for ``spec``: key path -> (name, value)."""
    return {f"{spec.key}.{name}": (name, value) for name, value in spec.args.items()}


def _blame(
    e: BaseException, arguments: Mapping[str, tuple[str, Any]], doubts: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The key path of the argument torch's failure ``e`` is about (None if it cannot be
    told), and lrplot's own explanation of it, if any.

    A value that did not fit torch's type hints comes first (torch failed on it, most
    likely, and lrplot says what was expected better than torch's message would); then
    an argument of 0 when torch divided by zero; then an argument torch's message names
    (``Invalid learning rate: -1`` is ``lr``)."""
    if doubts:
        key = next(iter(doubts))
        return key, doubts[key]
    if isinstance(e, ZeroDivisionError):
        zeros = [key for key, (_, value) in arguments.items() if _is_zero(value)]
        if zeros:
            name = arguments[zeros[0]][0]
            return zeros[0], f"{name} is 0, and torch divides by it"
    text = str(e).lower()
    if isinstance(e, AssertionError) and not text.strip():
        text = failed_assertion(e).lower()
    found = []
    for key, (name, _) in arguments.items():
        for phrase in (name, name.replace("_", " "), *ARGUMENT_WORDS.get(name, ())):
            match = re.search(rf"(?<![\w]){re.escape(phrase.lower())}(?![\w])", text)
            if match:
                found.append((match.start(), -len(phrase), key))
    return (min(found)[2] if found else None), None


def _is_zero(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


def _explained(explanation: str | None, text: str) -> str:
    """lrplot's explanation of a failure, if it has one, else torch's message: a value
    that does not fit the hints is explained by what was expected alone."""
    if explanation is None:
        return text
    if explanation.startswith("expected ") or "one per param group" in explanation:
        return explanation
    return f"{explanation}: {text}"


def _as_callable(value: Any) -> Any:
    if isinstance(value, Expression):
        return _factor_function(value)
    if isinstance(value, list) and any(isinstance(v, Expression) for v in value):
        return [_as_callable(v) for v in value]
    return value


def _factor_function(expression: Expression) -> Callable[[float], float]:
    """The callable torch gets for an lr_lambda / scale_fn expression, checking each result."""
    names = expression.variables
    evaluate = expression.evaluate

    def factor(value: float) -> float:
        result = evaluate(dict.fromkeys(names, value))
        if not math.isfinite(result):  # negative is torch's business: a notice says so
            shown = int(value) if float(value).is_integer() else value
            raise ExpressionError(
                f"{quoted(expression.text)} gave {result:.6g} at {names[0]}={shown}; "
                "a learning-rate factor must be a finite number",
                key=expression.key,
            )
        return result

    return factor


def _message(e: BaseException, custom: bool) -> str:
    """The first line of an exception's text; for a user's own code, with its type
    (``ZeroDivisionError: division by zero``), as torch's messages say enough alone."""
    text = str(e).strip()
    if isinstance(e, KeyError) and e.args:
        text = str(e.args[0])
    if isinstance(e, AssertionError) and not text:  # timm's checks: a bare `assert lb < ub`
        text = failed_assertion(e)
    if isinstance(e, SystemExit):
        text = f"it called sys.exit({'' if e.code is None else repr(e.code)})"
    first = text.splitlines()[0] if text else ""
    if custom and not isinstance(e, SystemExit):
        first = f"{type(e).__name__}: {first}" if first else type(e).__name__
    return one_line(first or type(e).__name__)
