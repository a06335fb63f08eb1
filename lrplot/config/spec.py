"""Loading and validating a schedule config into a :class:`Spec`, with key paths in errors."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrplot.config.annotations import is_per_group, judge_value, widened_per_group
from lrplot.config.expressions import Expression, compile_expression
from lrplot.config.file import (
    ConfigDocument,
    child_key,
    load_config_document,
    nearest,
    parse_config_text,
)
from lrplot.config.keys import (
    CONFIG,
    DEFAULT_LR,
    DEFAULT_OPTIMIZER,
    GROUP_NAME_PATTERN,
    SCHEDULE,
    SIMPLE_KINDS,
    STEPS,
    check_value,
    show_whole,
)
from lrplot.config.loop import Batches, Interval, Stepping, TrainingLoop
from lrplot.config.metrics import MetricSpec, parse_metric
from lrplot.config.options import PlotOptions, parse_plot_options
from lrplot.config.overrides import apply_overrides, set_value
from lrplot.errors import (
    ConfigError,
    LrplotError,
    describe_value,
    excerpt,
    name_excerpt,
    printable,
)
from lrplot.limits import MAX_TITLE_LENGTH
from lrplot.schedulers.custom import is_custom_reference, load_custom_class
from lrplot.schedulers.facts import NO_FACTS, TRANSFORMERS, SchedulerFacts, scheduler_facts
from lrplot.schedulers.registry import (
    Maker,
    Signature,
    did_you_mean,
    facts_of,
    named_schedule,
    optimizer_classes,
    schedule_names,
    scheduler_classes,
    scheduler_signature,
    signature,
    takes_epoch,
    transformers_schedule,
    type_name_of,
)

_GROUP_NAME = re.compile(GROUP_NAME_PATTERN)


@dataclass(frozen=True)
class SchedulerSpec:
    """A scheduler to build: what makes it (a class or a function), checked arguments,
    and nested schedulers."""

    type_name: str
    cls: Maker
    args: dict[str, Any]
    key: str
    facts: SchedulerFacts = NO_FACTS
    children: tuple[SchedulerSpec, ...] = ()
    doubts: Mapping[str, str] = field(default_factory=dict)
    """Arguments (by key path) that do not fit torch's type hints, with what was
    expected: torch decides whether they run (see ``_Validator.arguments``)."""
    interval: Interval = "step"
    """How the training loop steps it (see :mod:`lrplot.config.loop`): after batches, or epochs."""
    frequency: int = 1
    every: int | None = None
    """Steps it after every ``every``-th optimizer step of the run, if given."""
    fractional_epoch: bool = False

    @property
    def name(self) -> str:
        return str(getattr(self.cls, "__name__", self.type_name))

    @property
    def library(self) -> str:
        """Whose code makes it, as messages say: ``torch``, ``transformers``, or its name
        (a user's own)."""
        if self.custom:
            return self.name
        return "transformers" if self.type_name.startswith(TRANSFORMERS) else "torch"

    def numbers(self, arg: str) -> list[float]:
        """The finite numbers of list argument ``arg`` (milestones), in its order: torch
        runs lists holding others (``.inf``), which no step reaches."""
        values = self.args.get(arg)
        if not isinstance(values, list | tuple):
            return []
        return [float(v) for v in values if _is_number(v) and math.isfinite(v)]

    @property
    def stepping(self) -> Stepping:
        """When the training loop steps it (see :mod:`lrplot.config.loop`)."""
        return Stepping(self.interval, self.frequency, self.every)

    def calls(self, loop: TrainingLoop) -> int:
        """How many times the training loop steps it in a run."""
        return loop.calls(self.stepping)

    def epochs_per_count(self, steps_per_epoch: int) -> float:
        """How many epochs one unit of what it counts (milestones, ``T_0``) spans: one of
        its steps, or with ``fractional_epoch``, one epoch."""
        if self.fractional_epoch:
            return 1.0
        if self.interval == "epoch":
            return float(self.frequency)
        return (self.every or self.frequency) / steps_per_epoch

    def cadence(self) -> str:
        """How the loop steps it, when not after every batch: `` per epoch``,
        `` every 4 batches``, `` every 500 steps``, `` with fractional epochs``."""
        unit = "batch" if self.interval == "step" else "epoch"
        text = f" every {self.frequency} {unit}es" if self.frequency > 1 else ""
        if self.every is not None and self.every > 1:
            text = f" every {self.every:,} steps"
        if unit == "epoch":
            text = text.replace("epoches", "epochs") or " per epoch"
        if self.fractional_epoch:
            text += " with fractional epochs"
        return text

    @property
    def custom(self) -> bool:
        """A user's own class or function (``path/file.py:Class``), not one torch or
        transformers ships."""
        return is_custom_reference(self.type_name)

    def walk(self) -> Iterator[SchedulerSpec]:
        """This scheduler and every nested one, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class GroupSpec:
    """One optimizer param group: a dummy tensor with per-group overrides."""

    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class OptimizerSpec:
    """The optimizer to build over the dummy parameters."""

    type_name: str
    cls: type
    args: dict[str, Any]
    groups: tuple[GroupSpec, ...]
    key: str = "optimizer"
    doubts: Mapping[str, str] = field(default_factory=dict)
    """As :attr:`SchedulerSpec.doubts`, for the optimizer and its param groups."""


@dataclass(frozen=True)
class Spec:
    """A validated schedule config; ``simulate(spec=...)`` runs it."""

    source: str
    epochs: int
    steps_per_epoch: int
    optimizer: OptimizerSpec
    schedulers: tuple[SchedulerSpec, ...]
    """What the training loop steps, in list order (see :mod:`lrplot.config.loop`)."""
    metric: MetricSpec | None
    title: str | None = None
    description: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    """The config's keys of simple kinds (see :data:`lrplot.config.keys.CONFIG`), with defaults."""
    data: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, repr=False)
    plot: PlotOptions = field(default_factory=PlotOptions)
    set_by: Mapping[str, str] = field(default_factory=dict, repr=False)
    batches: Batches | None = None
    """Where ``steps_per_epoch`` came from, when the config gave the data."""
    resume_at: int | None = None
    """The step a resumed run starts again at, from a checkpoint (``resume_at:``)."""
    silence: frozenset[str] = frozenset()
    """The warnings this config means (``silence:``; see :mod:`lrplot.checks.mistakes`)."""

    @property
    def scheduler(self) -> SchedulerSpec:
        """The (first) scheduler the training loop steps."""
        return self.schedulers[0]

    def walk(self) -> Iterator[SchedulerSpec]:
        """Every scheduler, nested ones included, in list order, depth first."""
        for scheduler in self.schedulers:
            yield from scheduler.walk()

    @property
    def doubts(self) -> dict[str, str]:
        """Every value that did not fit torch's type hints, by key path, with what was
        expected (see ``SchedulerSpec.doubts``)."""
        doubts = {**self.optimizer.doubts}
        for scheduler in self.walk():
            doubts.update(scheduler.doubts)
        return doubts

    def line(self, key: str | None) -> int | None:
        """The line of ``key`` (or of its nearest enclosing key) in the config file."""
        return nearest(self.lines, key or "")

    def origin(self, key: str | None) -> str | None:
        """The ``--set`` that gave ``key`` (or a key enclosing it), if one did."""
        return nearest(self.set_by, key or "")

    @property
    def steps(self) -> int:
        """How many scheduler steps are simulated (and values recorded)."""
        return self.epochs * self.steps_per_epoch

    @property
    def loop(self) -> TrainingLoop:
        """The training loop it runs in: its length, and how it counts ``frequency``."""
        if self.batches is not None:
            return self.batches.training_loop(self.epochs)
        return TrainingLoop(self.epochs, self.steps_per_epoch)

    @property
    def display_title(self) -> str:
        """The ``title:`` given, else one made from the scheduler and optimizer."""
        return self.title or default_title(self)


def load_spec(
    *,
    path: str | Path | None = None,
    text: str | None = None,
    source: str | None = None,
    base_dir: str | Path | None = None,
    allow_import: bool = False,
    overrides: Sequence[str] = (),
    resume_at: int | None = None,
) -> Spec:
    """Read and validate a config from ``path`` or from YAML/JSON ``text``.

    ``source`` is how the config is named in messages (default: ``path`` as given).
    ``base_dir`` is the folder that paths in the config are relative to (default: the
    config file's folder; for ``text``, the current folder). ``overrides`` are
    ``"key.path=value"`` settings applied first (``--set``). Code named in the config (a
    custom scheduler class) is imported only when ``allow_import`` is true. ``resume_at``
    replaces the config's (``--resume-at``).
    """
    if (path is None) == (text is None):
        raise TypeError("load_spec() takes exactly one of path= or text=")
    folder = Path(base_dir) if base_dir is not None else None
    if path is not None:
        shown = printable(source or str(path))
        document = load_config_document(Path(path), source=shown)
        folder = folder or Path(path).resolve().parent
    else:
        assert text is not None
        shown = printable(source or "<text>")
        document = parse_config_text(text, source=shown)
    document = apply_overrides(document, overrides)
    if resume_at is not None:
        document = set_value(document, "resume_at", resume_at, origin=f"--resume-at {resume_at}")
    return _Validator(document, base_dir=folder, allow_import=allow_import).spec()


def parse_spec(
    *,
    data: Mapping[str, Any],
    source: str = "<dict>",
    base_dir: str | Path | None = None,
    allow_import: bool = False,
) -> Spec:
    """Validate an already-parsed config mapping (for notebooks and tests)."""
    document = ConfigDocument(data=data, source=source)
    folder = Path(base_dir) if base_dir is not None else None
    return _Validator(document, base_dir=folder, allow_import=allow_import).spec()


class _Validator:
    def __init__(
        self, document: ConfigDocument, *, base_dir: Path | None, allow_import: bool
    ) -> None:
        self.document = document
        self.source = document.source
        self.base_dir = base_dir
        self.allow_import = allow_import
        self.notices: list[str] = []
        self.group_count = 0

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(
            message,
            source=self.source,
            key=key,
            line=self.document.line(key),
            origin=self.document.origin(key),
        )

    def notice(self, key: str, message: str) -> None:
        self.notices.append(f"{self.source}: {key}: {message}")

    def spec(self) -> Spec:
        try:
            return self.validate()
        except LrplotError as e:
            raise e.located(
                source=self.source,
                line=self.document.line(e.key) if e.key else None,
                origin=self.document.origin(e.key) if e.key else None,
            ) from None

    def validate(self) -> Spec:
        data = self.document.data
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"expected a mapping of keys ({', '.join(CONFIG)}), "
                # Not quoted: a file read by mistake (a secret) is text here, whole.
                f"got {describe_value(data, quote=False)}",
                source=self.source,
            )
        for name in data:
            if name not in CONFIG:
                raise self.error(
                    name,
                    f"unknown key{did_you_mean(name, list(CONFIG))}; "
                    f"allowed keys: {', '.join(CONFIG)}",
                )
        for key in CONFIG.values():
            given = key.name in data or (key.alternative is not None and key.alternative in data)
            if key.required and not given:
                raise ConfigError(
                    f"missing `{key.name}:`; every config has one, e.g. "
                    f"`{key.name}: {key.example}`",
                    source=self.source,
                )
            if key.alternative and key.name in data and key.alternative in data:
                raise self.error(
                    key.alternative,
                    f"give `{key.name}:` or `{key.alternative}:`, not both",
                )
        values = self.simple_values(data)
        epochs = values["epochs"]
        steps_per_epoch, batches = self.steps(data.get("steps_per_epoch", 1))
        optimizer = self.optimizer(data.get("optimizer"))
        self.group_count = len(optimizer.groups)
        schedulers = self.schedulers(data)
        metric: MetricSpec | None = None
        fed = [s for s in schedulers if s.facts.metric]
        if fed:
            metric = parse_metric(data.get("metric"), base_dir=self.base_dir)
        elif "metric" in data:
            self.notice(
                "metric",
                "ignored: only ReduceLROnPlateau is fed a metric, not "
                + " or ".join(dict.fromkeys(s.name for s in schedulers)),
            )
        loop = batches.training_loop(epochs) if batches else TrainingLoop(epochs, steps_per_epoch)
        for scheduler in schedulers:
            self.check_length(scheduler, loop)
        resume_at = values.get("resume_at")
        steps = epochs * steps_per_epoch
        if resume_at is not None and resume_at >= steps:
            raise self.error(
                "resume_at",
                f"{resume_at:,} is past the run's last step, {steps - 1:,} (epochs {epochs} x "
                f"steps_per_epoch {steps_per_epoch} = {steps:,} steps, from 0): resume at a "
                "step in it",
            )
        return Spec(
            source=self.source,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            optimizer=optimizer,
            schedulers=schedulers,
            metric=metric,
            title=values.get("title"),
            description=values.get("description"),
            values=values,
            data=data,
            notices=tuple(self.notices),
            lines=self.document.lines,
            set_by=self.document.set_by,
            plot=parse_plot_options(data.get("plot")),
            batches=batches,
            resume_at=resume_at,
            silence=values.get("silence", frozenset()),
        )

    def steps(self, value: Any) -> tuple[int, Batches | None]:
        """``steps_per_epoch``: a whole number, or the data it comes from."""
        key = "steps_per_epoch"
        if not isinstance(value, Mapping):
            return check_value(CONFIG[key], value, path=key), None
        for name in value:
            if name not in STEPS:
                raise self.error(
                    child_key(key, name),
                    f"unknown key{did_you_mean(name, list(STEPS))}; allowed: {', '.join(STEPS)}",
                )
        given = {}
        for name, step_key in STEPS.items():
            if name in value:
                given[name] = check_value(step_key, value[name], path=child_key(key, name))
            elif step_key.required:
                optional = sum(not k.required for k in STEPS.values())
                raise self.error(
                    key,
                    f"missing `{name}:`; the data needs {', '.join(STEPS)} (the last "
                    f"{optional} are optional)",
                )
        batches = Batches(**given)
        if batches.steps < 1:
            raise self.error(
                key,
                f"the data makes no optimizer step per epoch: {batches.explain()}",
            )
        return batches.steps, batches

    def schedulers(self, data: Mapping[str, Any]) -> tuple[SchedulerSpec, ...]:
        """``scheduler:``, or each entry of ``schedulers:``."""
        if "scheduler" in data:
            return (self.scheduler(data["scheduler"], "scheduler", looped=True),)
        raw = data["schedulers"]
        if not isinstance(raw, list) or not raw:
            raise self.error(
                "schedulers",
                "expected a non-empty list of scheduler mappings such as "
                f"[{{type: StepLR, step_size: 10}}], got {describe_value(raw)}",
            )
        return tuple(
            self.scheduler(item, child_key("schedulers", index), looped=True)
            for index, item in enumerate(raw)
        )

    def simple_values(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The config's keys of simple kinds (text, counts, choices, flags), checked, with
        their defaults; display text given as null counts as absent."""
        values = {}
        for key in CONFIG.values():
            if key.kind not in SIMPLE_KINDS:
                continue
            value = data.get(key.name)
            if value is None and (key.name not in data or key.kind in ("line", "paragraph")):
                if key.default is not None:
                    values[key.name] = key.default
                continue
            values[key.name] = check_value(key, value, path=key.name)
        return values

    def optimizer(self, raw: Any) -> OptimizerSpec:
        key = "optimizer"
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise self.error(
                key,
                f"expected a mapping such as {{type: Adam, lr: 0.1}}, got {describe_value(raw)}",
            )
        type_name = raw.get("type", DEFAULT_OPTIMIZER)
        classes = optimizer_classes()
        if not isinstance(type_name, str) or type_name not in classes:
            raise self.error(
                child_key(key, "type"),
                f"unknown optimizer {name_excerpt(type_name)}"
                f"{did_you_mean(str(type_name), list(classes))}; "
                f"torch.optim has: {', '.join(classes)}",
            )
        cls = classes[type_name]
        sig = signature(cls)
        written = {k: v for k, v in raw.items() if k not in ("type", "param_groups")}
        doubts: dict[str, str] = {}
        args = self.arguments(written, sig, key, type_name, doubts=doubts)
        if "lr" in sig.parameters and "lr" not in args:
            args["lr"] = DEFAULT_LR
        groups = self.groups(raw.get("param_groups", [{}]), sig, type_name, doubts)
        return OptimizerSpec(type_name=type_name, cls=cls, args=args, groups=groups, doubts=doubts)

    def groups(
        self, raw: Any, sig: Signature, type_name: str, doubts: dict[str, str]
    ) -> tuple[GroupSpec, ...]:
        key = "optimizer.param_groups"
        if not isinstance(raw, list) or not raw:
            raise self.error(
                key,
                "expected a non-empty list of mappings such as [{}, {lr: 0.01}], "
                f"got {describe_value(raw)}",
            )
        groups = []
        seen: set[str] = set()
        for index, group in enumerate(raw):
            group_key = child_key(key, index)
            if group is None:
                group = {}
            if not isinstance(group, Mapping):
                raise self.error(
                    group_key, f"expected a mapping of overrides, got {describe_value(group)}"
                )
            name = group.get("name", str(index))
            if not isinstance(name, str) or not _GROUP_NAME.match(name):
                raise self.error(
                    child_key(group_key, "name"),
                    f"expected a short name of letters, digits, '_', '.' or '-', "
                    f"got {excerpt(name)}",
                )
            if name in seen:
                raise self.error(child_key(group_key, "name"), f"two groups are named {name!r}")
            seen.add(name)
            overrides = {k: v for k, v in group.items() if k != "name"}
            args = self.arguments(
                overrides, sig, group_key, type_name, check_required=False, doubts=doubts
            )
            groups.append(GroupSpec(name=name, args=args))
        return tuple(groups)

    def scheduler(self, raw: Any, key: str, *, looped: bool = False) -> SchedulerSpec:
        """A scheduler mapping; ``looped``: one the training loop steps itself, which may
        say how (``interval``, ``frequency``, ``fractional_epoch``)."""
        if not isinstance(raw, Mapping):
            raise self.error(
                key,
                "expected a mapping such as {type: StepLR, step_size: 10}, "
                f"got {describe_value(raw)}",
            )
        classes = scheduler_classes()
        if "type" not in raw:
            raise self.error(key, f"missing `type:`; torch's schedulers: {', '.join(classes)}")
        type_name = raw["type"]
        type_key = child_key(key, "type")
        if not isinstance(type_name, str):
            raise self.error(
                type_key, f"expected a scheduler name, got {describe_value(type_name)}"
            )
        cls: Maker
        if is_custom_reference(type_name):
            cls = load_custom_class(
                type_name, base_dir=self.base_dir, allow_import=self.allow_import, key=type_key
            )
        elif type_name.startswith(TRANSFORMERS):
            try:
                cls = transformers_schedule(type_name, key=type_key)
            except ConfigError as e:
                raise self.error(type_key, e.message) from None
        elif type_name in classes:
            cls = classes[type_name]
        else:
            hint = did_you_mean(type_name, list(classes))
            if scheduler_facts(TRANSFORMERS + type_name) is not NO_FACTS:
                hint = f" (did you mean {TRANSFORMERS}{type_name}?)"
            raise self.error(
                type_key,
                f"unknown scheduler {name_excerpt(type_name)}{hint}; "
                f"torch's schedulers: {', '.join(classes)} "
                "(or transformers.<function> for HuggingFace's, path/to/file.py:ClassName "
                "for your own)",
            )
        facts = facts_of(cls)
        nested = facts.nested
        sig = scheduler_signature(cls)
        children: tuple[SchedulerSpec, ...] = ()
        if nested:
            children = self.children(raw.get("schedulers"), child_key(key, "schedulers"), cls)
        written = {
            k: v
            for k, v in raw.items()
            if k != "type" and k not in SCHEDULE and not (nested and k == "schedulers")
        }
        loop = self.loop_keys(raw, key, looped, cls)
        if "verbose" in written and "verbose" not in sig.parameters and not sig.takes_any:
            del written["verbose"]
            self.notice(
                child_key(key, "verbose"),
                f"ignored: this torch's {type_name} has no `verbose` argument any more; "
                "delete the line",
            )
        doubts: dict[str, str] = {}
        args = self.arguments(
            written,
            sig,
            key,
            type_name_of(cls).removeprefix(TRANSFORMERS),
            per_group=self.group_count,
            facts=facts,
            doubts=doubts,
        )
        if facts.named_by:  # transformers' get_scheduler(name=...): that schedule's traits
            by, value = facts.named_by, args.get(facts.named_by)
            named = named_schedule(cls, value)
            names = schedule_names(cls)
            if named is None:
                shown = name_excerpt(value) if isinstance(value, str) else describe_value(value)
                close = did_you_mean(value, names) if isinstance(value, str) else ""
                raise self.error(
                    child_key(key, by),
                    f"unknown schedule {shown}{close}; names: {', '.join(names)}",
                )
            facts = scheduler_facts(named)
            if facts.refused:
                raise self.error(child_key(key, by), f"{named} cannot be plotted: {facts.refused}")
        return SchedulerSpec(
            type_name=type_name,
            cls=cls,
            args=args,
            key=key,
            facts=facts,
            children=children,
            doubts=doubts,
            **loop,
        )

    def loop_keys(
        self, raw: Mapping[str, Any], key: str, looped: bool, cls: Maker
    ) -> dict[str, Any]:
        """How the training loop steps a scheduler (:data:`lrplot.config.keys.SCHEDULE`)."""
        given = {k: raw[k] for k in SCHEDULE if k in raw}
        if given and not looped:
            first = next(iter(given))
            raise self.error(
                child_key(key, first),
                f"{first} is for a scheduler the training loop steps; this one is stepped by "
                "the scheduler it is nested in",
            )
        loop = {k: check_value(SCHEDULE[k], v, path=child_key(key, k)) for k, v in given.items()}
        if "every" in loop and "frequency" in loop:
            raise self.error(
                child_key(key, "every"),
                "every counts optimizer steps over the whole run, frequency those of each "
                "epoch (or epochs): give one of them",
            )
        if "every" in loop and loop.get("interval") == "epoch":
            raise self.error(
                child_key(key, "every"),
                "every counts optimizer steps, so it needs interval: step (the default), not "
                "epoch; frequency: N steps it every N epochs",
            )
        if not loop.get("fractional_epoch"):
            return loop
        where, name = child_key(key, "fractional_epoch"), type_name_of(cls)
        if loop.get("interval") == "epoch":
            raise self.error(
                where,
                "fractional_epoch steps it with step(epoch + i / steps_per_epoch) after each "
                f"batch i, so {name} needs interval: step (the default), not epoch",
            )
        if facts_of(cls).metric:
            raise self.error(
                where,
                f"{name} is stepped with the metric, not an epoch; fractional_epoch is for "
                "a scheduler such as CosineAnnealingWarmRestarts",
            )
        if not takes_epoch(cls):
            raise self.error(
                where,
                f"{name}.step() takes no epoch, so it cannot be stepped with "
                "step(epoch + i / steps_per_epoch); fractional_epoch is for a scheduler such "
                "as CosineAnnealingWarmRestarts",
            )
        return loop

    def children(self, raw: Any, key: str, cls: Maker) -> tuple[SchedulerSpec, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.error(
                key,
                f"{type_name_of(cls)} needs `schedulers:`, a list of scheduler mappings, "
                f"got {describe_value(raw)}",
            )
        return tuple(self.scheduler(item, child_key(key, i)) for i, item in enumerate(raw))

    def arguments(
        self,
        written: Mapping[str, Any],
        sig: Signature,
        key: str,
        owner: str,
        *,
        check_required: bool = True,
        per_group: int = 0,
        facts: SchedulerFacts = NO_FACTS,
        doubts: dict[str, str],
    ) -> dict[str, Any]:
        """The arguments ``written`` for ``owner``, checked against its signature.

        A value that does not fit torch's type hint is not refused here: torch's hints
        are narrower than what it runs (``step_size: 10.5``). It is passed on as written
        and its problem recorded in ``doubts`` (by key path), for torch to decide: if
        torch fails, the problem is the error; if not, it is a notice."""
        args: dict[str, Any] = {}
        for name, value in written.items():
            arg_key = child_key(key, name)
            huge = _past_floats(value, arg_key)
            if huge is not None:
                raise self.error(
                    huge[0],
                    f"{show_whole(huge[1])} is past the largest float (about 1.8e308); "
                    f"{owner} computes with floats",
                )
            param = sig.parameters.get(name)
            if param is None and not sig.takes_any:
                raise self.error(arg_key, _unknown_argument(name, owner, sig, facts.nested))
            annotation = param.annotation if param else None
            if name in facts.per_group:
                annotation = widened_per_group(annotation)
            converted, problem = judge_value(
                value, annotation, key=arg_key, expression=self.expression_factory(facts, name)
            )
            args[name] = converted
            if problem is not None:
                doubts[arg_key] = problem
            groups_given = isinstance(value, list) and (
                name in facts.per_group or is_per_group(annotation)
            )
            if per_group and groups_given and len(value) != per_group:
                doubts[arg_key] = (  # torch checks it only where it uses it
                    f"{len(value)} values given, one per param group, but the optimizer "
                    f"has {per_group} group{'s' if per_group > 1 else ''}; give "
                    f"{per_group} or a single value for all"
                )
        if check_required:
            for param in sig.parameters.values():
                if param.required and param.name not in written:
                    takes = _takes(owner, sig, nested=facts.nested)
                    raise self.error(
                        child_key(key, param.name),
                        f"missing: {owner} needs {param.name}; {owner} takes: {takes}",
                    )
        return args

    def expression_factory(self, facts: SchedulerFacts, name: str) -> Any:
        variables = facts.expressions.get(name, ("epoch",))

        def make(value: Any, key: str) -> Expression:
            return compile_expression(value, variables=variables, key=key)

        return make

    def check_length(self, scheduler: SchedulerSpec, loop: TrainingLoop) -> None:
        """A scheduler that needs the run's length (OneCycleLR) needs ``total_steps`` (or
        its own ``epochs`` and ``steps_per_epoch``) of at least the times the loop steps
        it: torch would otherwise fail at the step past it."""
        if not scheduler.facts.needs_length:
            return
        args, key = scheduler.args, scheduler.key
        epochs, steps_per_epoch = loop.epochs, loop.steps_per_epoch
        calls = scheduler.calls(loop)
        every_batch = calls == epochs * steps_per_epoch
        stepped = f"plots {calls} steps" if every_batch else f"steps it {calls} times"
        taken = f"{calls} steps are plotted" if every_batch else f"it is stepped {calls} times"
        how = "" if every_batch else f",{scheduler.cadence()}"
        if args.get("total_steps") is not None:
            total, total_key = args["total_steps"], child_key(key, "total_steps")
        elif args.get("epochs") is not None and args.get("steps_per_epoch") is not None:
            own = (args["epochs"], args["steps_per_epoch"])
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in own):
                return  # torch refuses them, in its own words
            total, total_key = own[0] * own[1], child_key(key, "epochs")
        else:
            raise self.error(
                child_key(key, "total_steps"),
                f"missing: {scheduler.name} needs total_steps (or epochs and steps_per_epoch); "
                f"this config {stepped}, so total_steps: {calls}",
            )
        if not isinstance(total, int) or isinstance(total, bool):
            return  # torch refuses it, in its own words
        if total < calls:
            raise self.error(
                total_key,
                f"{scheduler.name}'s total_steps is {total}, but {taken} (epochs {epochs} x "
                f"steps_per_epoch {steps_per_epoch}{how}); make total_steps at least {calls} "
                "or plot fewer steps",
            )


_SHOWN_ITEMS = 8
"""The most items of a list (or nested schedulers) a description shows."""


def show_value(value: Any) -> str:
    if isinstance(value, Expression):
        return " ".join(value.text.split())  # an expression may span lines inside ( )
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, list | tuple):
        return _show_items([show_value(v) for v in value[:_SHOWN_ITEMS]], len(value))
    return repr(value)


def _show_items(shown: list[str], count: int) -> str:
    """``[a, b, c]``, or ``[a, b, ... (1,000 in all)]`` for a long list."""
    more = f", ... ({count:,} in all)" if count > len(shown) else ""
    return "[" + ", ".join(shown) + more + "]"


def describe_scheduler(scheduler: SchedulerSpec) -> str:
    """``StepLR(step_size=10, gamma=0.8)``: the type and its non-default arguments."""
    sig = signature(scheduler.cls)
    parts = []
    if scheduler.children:
        children = [describe_scheduler(c) for c in scheduler.children[:_SHOWN_ITEMS]]
        parts.append(_show_items(children, len(scheduler.children)))
    for name, value in scheduler.args.items():
        param = sig.parameters.get(name)
        if param is not None and not param.required and _same(param.default, value):
            continue
        parts.append(f"{name}={show_value(value)}")
    return _clip(f"{scheduler.name}({', '.join(parts)})")


def _clip(text: str, limit: int = MAX_TITLE_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_optimizer(optimizer: OptimizerSpec) -> str:
    """``SGD(lr=0.1, momentum=0.9; head: lr=0.5)``: lr, other non-default arguments, and
    each param group's overrides."""
    sig = signature(optimizer.cls)
    parts = []
    args = dict(sorted(optimizer.args.items(), key=lambda item: item[0] != "lr"))
    for name, value in args.items():
        param = sig.parameters.get(name)
        if name != "lr" and param is not None and _same(param.default, value):
            continue
        parts.append(f"{name}={show_value(value)}")
    text = ", ".join(parts)
    for group in optimizer.groups:
        if group.args:
            overrides = ", ".join(f"{k}={show_value(v)}" for k, v in group.args.items())
            text += f"; {group.name}: {overrides}"
        if len(text) > MAX_TITLE_LENGTH:
            break
    return _clip(f"{optimizer.type_name}({text})")


def describe_schedulers(spec: Spec) -> str:
    """Each scheduler the loop steps, with how when not after every batch:
    ``LinearLR(total_iters=2000) + ReduceLROnPlateau(patience=3) per epoch``."""
    return _clip(" + ".join(describe_scheduler(s) + s.cadence() for s in spec.schedulers))


def default_title(spec: Spec) -> str:
    """The generated plot title: ``StepLR(step_size=10, gamma=0.8) · Adam(lr=0.1)``,
    and what a ReduceLROnPlateau is fed (`` · metric: epoch``)."""
    title = f"{describe_schedulers(spec)} · {describe_optimizer(spec.optimizer)}"
    if spec.metric is not None:
        title += f" · metric: {' '.join(spec.metric.describe().split())}"
    return _clip(title)


def _same(default: Any, value: Any) -> bool:
    if isinstance(default, list | tuple) and isinstance(value, list | tuple):
        return list(default) == list(value)
    if _is_number(default) and _is_number(value):
        return bool(default == value)
    return type(default) is type(value) and bool(default == value)


def _past_floats(value: Any, key: str) -> tuple[str, int] | None:
    """The key path and value of the first integer in ``value`` no float holds (a
    400-digit number in JSON), if any."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (key, value) if abs(value) > sys.float_info.max else None
    items: Any = ()
    if isinstance(value, list):
        items = enumerate(value)
    elif isinstance(value, Mapping):
        items = value.items()
    for name, item in items:
        found = _past_floats(item, child_key(key, name))
        if found is not None:
            return found
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unknown_argument(name: str, owner: str, sig: Signature, nested: bool) -> str:
    if name in CONFIG:  # `steps_per_epoch:` indented under `scheduler:`
        return (
            f"{name} is a top-level key, not an argument of {owner}: move it out to the "
            f"start of a line, beside `scheduler:`; {owner} takes: "
            f"{_takes(owner, sig, nested=nested)}"
        )
    return (
        f"unknown argument of {owner}{did_you_mean(name, list(sig.parameters))}; "
        f"{owner} takes: {_takes(owner, sig, nested=nested)}"
    )


def _takes(owner: str, sig: Signature, *, nested: bool = False) -> str:
    """The arguments of ``owner`` for a message: a nested scheduler's ``schedulers`` too."""
    if not nested:
        return sig.describe()
    rest = sig.describe()
    return "schedulers" if rest == "no arguments" else f"schedulers, {rest}"
