r"""A config's schedulers, nested ones and how the loop steps them, checked into
:class:`SchedulerSpec`\ s."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lrplot.config.file import child_key
from lrplot.config.keys import SCHEDULE, check_value
from lrplot.config.loop import TrainingLoop
from lrplot.config.spec import SchedulerSpec
from lrplot.config.validation.arguments import Checks
from lrplot.errors import ConfigError, describe_value, name_excerpt
from lrplot.schedulers.custom import is_custom_reference, load_custom_class
from lrplot.schedulers.deepspeed import is_deepspeed
from lrplot.schedulers.facts import (
    DEEPSPEED,
    MMENGINE,
    NO_FACTS,
    TIMM,
    TRANSFORMERS,
    scheduler_facts,
)
from lrplot.schedulers.mmengine import by_epoch, is_mmengine
from lrplot.schedulers.registry import (
    LIBRARY_PREFIXES,
    Maker,
    did_you_mean,
    facts_of,
    library_scheduler,
    named_schedule,
    schedule_names,
    scheduler_classes,
    scheduler_signature,
    takes_epoch,
    transformers_schedule,
    type_name_of,
)
from lrplot.schedulers.timm import per_epoch, takes_metric


class SchedulerChecks(Checks):
    """``scheduler:`` or ``schedulers:``, nested ones, how the loop steps each, and whether
    each fits the run."""

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
        elif type_name.startswith(LIBRARY_PREFIXES):
            try:
                cls = library_scheduler(type_name, key=type_key)
            except ConfigError as e:
                raise self.error(type_key, e.message) from None
        elif type_name in classes:
            cls = classes[type_name]
        else:
            hint = did_you_mean(type_name, list(classes))
            for prefix in (TRANSFORMERS, *LIBRARY_PREFIXES):
                if scheduler_facts(prefix + type_name) is not NO_FACTS:
                    hint = f" (did you mean {prefix}{type_name}?)"
            raise self.error(
                type_key,
                f"unknown scheduler {name_excerpt(type_name)}{hint}; "
                f"torch's schedulers: {', '.join(classes)} "
                "(or transformers.<function> for HuggingFace's, path/to/file.py:ClassName "
                "for your own)",
            )
        facts = facts_of(cls)
        if facts.timm_steps and not looped:
            raise self.error(
                type_key,
                f"{type_name} cannot be nested: timm's schedulers are stepped with the epoch "
                "or update count (step(epoch), step_update(num_updates)), which the scheduler "
                "nesting it does not pass; give it as the config's scheduler",
            )
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
            type_name_of(cls)
            .removeprefix(TRANSFORMERS)
            .removeprefix(DEEPSPEED)
            .removeprefix(MMENGINE)
            .removeprefix(TIMM),
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
        if is_mmengine(cls):
            loop = {"interval": "epoch" if by_epoch(args) else "step"}
        if facts.timm_steps:  # what the loop counts for it: the count its lr moves with
            loop = {"interval": "epoch" if per_epoch(args, cls) else "step"}
            facts = replace(facts, metric=takes_metric(args, cls))
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
        if is_mmengine(cls):
            self.mmengine_loop(given, key, looped, cls)
            return {}
        if given and facts_of(cls).timm_steps:
            first = next(iter(given))
            raise self.error(
                child_key(key, first),
                f"{first} does not apply to {type_name_of(cls)}: lrplot steps it as timm's "
                "train.py does, step_update(num_updates) after every optimizer update and "
                "step(epoch + 1) after every epoch; t_in_epochs says which moves the lr",
            )
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

    def mmengine_loop(self, given: Mapping[str, Any], key: str, looped: bool, cls: Maker) -> None:
        """An MMEngine scheduler is stepped by its runner's rules alone: by the loop, as
        ``by_epoch`` says (see :mod:`lrplot.schedulers.mmengine`)."""
        name = type_name_of(cls)
        if not looped:
            raise self.error(
                key,
                f"{name} is stepped by MMEngine's ParamSchedulerHook, not by another "
                "scheduler: list it in schedulers: (its begin and end say when it acts)",
            )
        if given:
            first = next(iter(given))
            raise self.error(
                child_key(key, first),
                f"MMEngine's ParamSchedulerHook steps {name} after every iteration "
                "(by_epoch: false) or every epoch (by_epoch: true, the default); by_epoch "
                f"says which, not {first}",
            )

    def children(self, raw: Any, key: str, cls: Maker) -> tuple[SchedulerSpec, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.error(
                key,
                f"{type_name_of(cls)} needs `schedulers:`, a list of scheduler mappings, "
                f"got {describe_value(raw)}",
            )
        return tuple(self.scheduler(item, child_key(key, i)) for i, item in enumerate(raw))

    def check_sequence(self, scheduler: SchedulerSpec, calls: int) -> None:
        """DeepSpeed's schedulers in a SequentialLR (stepped ``calls`` times), which torch
        runs only until one has its turn: they are not torch ``LRScheduler``\\ s, and
        SequentialLR starts its first scheduler with ``_initial_step()`` and each later one,
        at its milestone, with ``_update_lr(0)`` (torch/optim/lr_scheduler.py), which
        DeepSpeed's lack. ChainedScheduler only calls ``step()``, and takes them."""
        sequence = scheduler_classes()["SequentialLR"]
        if not (inspect.isclass(scheduler.cls) and issubclass(scheduler.cls, sequence)):
            for child in scheduler.children:
                self.check_sequence(child, calls)
            return
        milestones = scheduler.args.get("milestones")
        if (
            not isinstance(milestones, list | tuple)
            or len(milestones) != len(scheduler.children) - 1
            or not all(isinstance(m, int) and not isinstance(m, bool) for m in milestones)
        ):
            return  # torch refuses them, in its own words
        bounds = [0, *milestones, calls]
        for index, child in enumerate(scheduler.children):
            start = bounds[index]
            if is_deepspeed(child.cls) and start <= calls:
                name = child.type_name
                if index == 0:
                    how = "starts its first scheduler with _initial_step()"
                    said = "object has no attribute '_initial_step'"
                else:
                    how = f"restarts it at its milestone, {start}, with _update_lr(0)"
                    said = "object has no attribute '_update_lr'"
                raise self.error(
                    child_key(child.key, "type"),
                    f"{name} cannot run in SequentialLR: it is not a torch LRScheduler, and "
                    f"SequentialLR {how}, which DeepSpeed's schedulers do not have (torch "
                    f"fails: '{name.removeprefix(DEEPSPEED)}' {said}); ChainedScheduler "
                    "takes DeepSpeed's schedulers, or give it as the config's scheduler",
                )
            self.check_sequence(child, max(0, min(bounds[index + 1], calls) - start))

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
