"""Likely mistakes torch accepts silently: the ``Warning:`` lines, from a config and its run.

Each warning has a code a config can silence when it means the schedule (``silence:
[cosine-rises]``). Horizons are judged in the steps each scheduler is really given:
the times the training loop steps it (:mod:`lrplot.config.loop`), or its segment of a
SequentialLR; which arguments are horizons, and of what kind, is in the facts table
(:data:`lrplot.schedulers.facts.SchedulerFacts.horizons`). Each rule, and the official recipes it
is held against, is in docs/warnings.md. Cheap to import: no torch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from lrplot.config.codes import Code
from lrplot.schedulers.facts import MMENGINE
from lrplot.schedulers.mmengine import CONVERT
from lrplot.schedulers.registry import scheduler_signature

if TYPE_CHECKING:
    from lrplot.config.spec import SchedulerSpec, Spec
    from lrplot.simulation.runner import Schedule


OFTEN = 100
"""Restarts, cycles or decays past this many in a run are called too many."""

NEGLIGIBLE = 1e-6
"""An lr below this share of its start (or its peak) trains nothing: decays down to it
are what make many of them a mistake."""

SWEEP = 1e6
"""A range test (Lightning's ``lr_find``, fastai's) sweeps the lr over at least this
factor, six decades, ..."""

SWEEP_END = 10.0
"""... and stops at an lr of at most this, where every model has diverged."""


@dataclass(frozen=True)
class Mistake:
    """One likely mistake: its code, the config key it is about, and what to say."""

    code: Code
    key: str
    message: str


def warnings_of(schedule: Schedule) -> tuple[str, ...]:
    """The ``Warning:`` lines of ``schedule`` (``file: key: message (line N) [code]``),
    but those its config silences."""
    spec = schedule.spec
    lines = []
    for mistake in find_mistakes(schedule):
        if mistake.code in spec.silence:
            continue
        line, origin = spec.line(mistake.key), spec.origin(mistake.key)
        where = f" (line {line})" if line is not None and origin is None else ""
        where = f" (from {origin})" if origin is not None else where
        key = spec.file_key(mistake.key)
        lines.append(f"{spec.source}: {key}: {mistake.message}{where} [{mistake.code}]")
    return tuple(dict.fromkeys(lines))


def find_mistakes(schedule: Schedule) -> list[Mistake]:
    """Every likely mistake in ``schedule``, silenced or not, in a fixed order."""
    spec = schedule.spec
    found: list[Mistake] = []
    for scheduler, steps, per_batch in stepped(spec):
        found += _horizons(scheduler, steps, per_batch, spec)
    found += _mmengine_spans(spec)
    found += _lambda_units(schedule)
    found += _cycle_lengths(schedule)
    found += _never_stepped(spec)
    found += _plateaus(schedule)
    if not found:
        found += _growth(schedule)
    found += _negative(schedule)
    found += _resume(schedule)
    return found


def stepped(spec: Spec) -> Iterator[tuple[SchedulerSpec, int, bool]]:
    """Each scheduler with the length of the run in what it counts (the times it is
    stepped, or with ``fractional_epoch`` the epochs), and whether those are batches (a
    horizon in epochs would be a mistake): a nested scheduler is stepped in its
    SequentialLR segment, or with its ChainedScheduler."""
    for scheduler in spec.schedulers:
        calls = scheduler.calls(spec.loop)
        per_batch = not scheduler.fractional_epoch and calls > spec.epochs
        counts = spec.epochs if scheduler.fractional_epoch else calls
        yield from _nested(scheduler, counts, per_batch)


def _nested(
    scheduler: SchedulerSpec, steps: int, per_batch: bool
) -> Iterator[tuple[SchedulerSpec, int, bool]]:
    yield scheduler, steps, per_batch
    if not scheduler.children:
        return
    milestones = sorted(scheduler.numbers("milestones"))
    if not milestones:  # ChainedScheduler: every child every step
        for child in scheduler.children:
            yield from _nested(child, steps, per_batch)
        return
    bounds = [0, *(min(max(int(m), 0), steps) for m in milestones), steps]
    for index, child in enumerate(scheduler.children):
        if index + 1 < len(bounds):
            yield from _nested(child, max(bounds[index + 1] - bounds[index], 0), per_batch)


def _horizons(scheduler: SchedulerSpec, steps: int, per_batch: bool, spec: Spec) -> list[Mistake]:
    found: list[Mistake] = []
    name, args = scheduler.name, scheduler.args
    times = f"{steps:,} time{'s' * (steps != 1)}"
    if scheduler.fractional_epoch:
        times = f"with fractional epochs for {steps:,} epoch{'s' * (steps != 1)}"
    for arg, kind in scheduler.facts.horizons.items():
        key = f"{scheduler.key}.{arg}"
        if kind == "milestones":
            milestones = sorted(scheduler.numbers(arg))
            late = [m for m in milestones if m >= steps]
            if late and steps:
                shown = ", ".join(f"{m:g}" for m in late)
                # A nested scheduler after a milestone never reached never runs.
                idle = [c.name for c in scheduler.children[len(milestones) - len(late) + 1 :]]
                never = f": {' and '.join(idle)} never run{'s' * (len(idle) == 1)}" if idle else ""
                found.append(
                    Mistake(
                        "horizon-long",
                        key,
                        (
                            f"{name} is stepped {times}, so milestone{'s' * (len(late) > 1)} "
                            f"{shown} {'are' if len(late) > 1 else 'is'} never reached{never}"
                        ),
                    )
                )
            continue
        value = args.get(arg)
        if kind == "cycle" and value is None:
            value = 2000  # CyclicLR's default step_size_up
        if value is None and scheduler.facts.horizons_in_steps:  # DeepSpeed's 1000 steps
            value = _default(scheduler, arg)
        if kind == "warmup" and scheduler.facts.horizons_in_steps and _is_share(value) and steps:
            found.append(
                Mistake(
                    "horizon-ratio",
                    key,
                    (
                        f"{arg} is {value:g}, a share of the run, but {name} counts it in "
                        "steps, so its warm-up ends after step 0: there is none (a number "
                        "below 1 is a share in TrainingArguments' warmup_steps, not here); "
                        f"{arg}: {math.ceil(value * steps):,} is {100 * value:.3g}% of its "
                        f"{steps:,} steps"
                    ),
                )
            )
            continue
        if not _is_count(value) or not steps:
            continue
        in_epochs = per_batch and not scheduler.facts.horizons_in_steps
        if in_epochs and value == spec.epochs and steps >= 2 * value:
            found.append(
                Mistake(
                    "horizon-unit",
                    key,
                    (
                        f"{arg} is {value}, the run's epochs, but {name} is stepped "
                        f"{scheduler.cadence().strip() or 'every batch'} ({times}), so it counts "
                        f"batches: {arg}: {_scaled(value, steps, spec)} "
                        "for the same in batches, or interval: epoch"
                    ),
                )
            )
            continue
        mistake = _judge(kind, arg, value, steps, times, scheduler)
        if mistake:
            found.append(Mistake(mistake[0], key, mistake[1]))
    if scheduler.facts.after_warmup and steps:
        found += _after_warmup(scheduler, steps)
    if not any(m.code == "horizon-long" for m in found):
        found += _warmup_to_the_end(scheduler)
    return found


def _after_warmup(scheduler: SchedulerSpec, steps: int) -> list[Mistake]:
    """A timm class's horizons counted from 0, or past its warm-up with ``warmup_prefix``
    (:attr:`~lrplot.schedulers.facts.SchedulerFacts.after_warmup`), judged in the steps left."""
    args = scheduler.args
    warmup = args.get("warmup_t", 0)
    prefixed = bool(args.get("warmup_prefix", False)) and _is_count(warmup)
    left = steps - warmup if prefixed else steps
    if left <= 0:
        return []
    times = f"{steps:,} time{'s' * (steps != 1)}"
    if prefixed:
        times += f", {left:,} past its warmup_t of {warmup:,} (warmup_prefix)"
    found: list[Mistake] = []
    for arg, kind in scheduler.facts.after_warmup.items():
        key, value = f"{scheduler.key}.{arg}", args.get(arg)
        if kind == "milestones-early":
            # bisect_right(decay_t, t + 1): milestone m acts from t = m - 1.
            late = sorted(m for m in scheduler.numbers(arg) if m > left)
            if late:
                many = len(late) > 1
                shown = ", ".join(f"{m:g}" for m in late)
                found.append(
                    Mistake(
                        "horizon-long",
                        key,
                        (
                            f"{scheduler.name} is stepped {times}, so milestone{'s' * many} "
                            f"{shown} {'are' if many else 'is'} never reached (timm's milestone "
                            f"m acts from t = m - 1: milestones up to {left:,} are reached)"
                        ),
                    )
                )
            continue
        if not _is_count(value):
            continue
        if kind == "cycles":
            mistake = _timm_cycles(scheduler, value, left, times)
        else:
            mistake = _judge(kind, arg, value, left, times, scheduler)
        if mistake:
            found.append(Mistake(mistake[0], key, mistake[1]))
    return found


def _timm_cycles(
    scheduler: SchedulerSpec, t_initial: int, steps: int, times: str
) -> tuple[Code, str] | None:
    """What is wrong with a timm class's cycles (``t_initial``, each ``cycle_mul`` times
    longer, ``cycle_limit`` of them) in ``steps`` steps: cycles cut or never started (as a
    T_max past the run is), or ended long before the run, the lr held at ``lr_min`` after
    (timm's ``i < self.cycle_limit``; a cooldown of up to 10% of the run is a recipe)."""
    args = scheduler.args
    mul = args.get("cycle_mul", 1.0)
    limit = args.get("cycle_limit", 1)
    if not _is_number(mul) or mul <= 0 or not _is_count(limit):
        return None
    periods = [t_initial * mul**i for i in range(limit)]
    total = sum(periods)
    shown = ", ".join(f"{p:,.4g}" for p in periods)
    cycles = f"t_initial is {t_initial:,}"
    if limit > 1:
        cycles += f" with cycle_limit {limit}: cycles of {shown} ({total:,.4g} steps)"
    lr_min = args.get("lr_min", 0.0)
    if total < steps - steps // 10:
        held = steps - math.ceil(total)
        fix = (
            f"t_initial: {steps:,} fits the run"
            if limit == 1 and mul == 1
            else (f"cycles summing to {steps:,} fit the run")
        )
        return "lr-at-zero", (
            f"{cycles}, but {scheduler.name} is stepped {times}: its schedule ends after "
            f"{math.ceil(total):,}, and the lr is held at lr_min ({lr_min:g}) for the last "
            f"{held:,} steps ({_share(held, steps)}); {fix}"
        )
    period, ran, never, cut = _cycles_run(periods, steps)
    if not never and not cut:
        return None
    said = f"{cycles}, but {scheduler.name} is stepped {times}: "
    if never:
        many = len(never) > 1
        said += f"the cycle{'s' * many} of {', '.join(f'{p:,.4g}' for p in never)} never "
        said += "start" if many else "starts"
    if cut:
        which = "the cycle it ends in" if limit > 1 else "its decay"
        said += f"{', and ' if never else ''}{which} is cut at "
        said += f"{100 * ran / period:.0f}% of its way down"
    fix = (
        f"t_initial: {steps:,} ends at lr_min"
        if limit == 1
        else (f"cycles summing to {steps:,} end at lr_min")
    )
    return "schedule-cut-short", f"{said}; {fix}"


_N = TypeVar("_N", int, float)


def _cycles_run(periods: Sequence[_N], steps: int) -> tuple[_N, _N, list[_N], bool]:
    """``steps`` steps through cycles of ``periods``, back to back: the length of the last
    cycle begun and the steps it ran, the cycles never begun, and whether the last is cut
    before 90% of its way (as a T_max past the run is)."""
    starts = list(itertools.accumulate(periods[:-1], initial=0))
    last = max(i for i, start in enumerate(starts) if start < steps)
    ran = steps - starts[last]
    return periods[last], ran, list(periods[last + 1 :]), periods[last] > ran + ran // 10


def _warmup_to_the_end(scheduler: SchedulerSpec) -> list[Mistake]:
    """A warm-up at or past the end of the schedule it warms up (DeepSpeed's WarmupDecayLR,
    transformers' get_linear_schedule_with_warmup): the decay after it never happens."""
    kinds = {kind: arg for arg, kind in scheduler.facts.horizons.items()}
    warmup_arg, length_arg = kinds.get("warmup"), kinds.get("length")
    if warmup_arg is None or length_arg is None:
        return []
    warmup = scheduler.args.get(warmup_arg)
    length = scheduler.args.get(length_arg)
    if warmup is None and scheduler.facts.horizons_in_steps:
        warmup = _default(scheduler, warmup_arg)
    if length is None and scheduler.facts.horizons_in_steps:
        length = _default(scheduler, length_arg)
    if not (_is_count(warmup) and _is_count(length)) or warmup < length:
        return []
    return [
        Mistake(
            "horizon-long",
            f"{scheduler.key}.{warmup_arg}",
            (
                f"{warmup_arg} is {warmup:,}, {'past' if warmup > length else 'at'} "
                f"{length_arg} {length:,}: {scheduler.name}'s warm-up takes all of its "
                f"schedule, so it never decays; a {warmup_arg} below {length:,} leaves it "
                "its decay"
            ),
        )
    ]


def _judge(
    kind: str, arg: str, value: int, steps: int, times: str, scheduler: SchedulerSpec
) -> tuple[Code, str] | None:
    """What, if anything, is wrong with horizon ``arg`` = ``value`` of ``kind`` for a
    scheduler stepped ``steps`` times."""
    name, args = scheduler.name, scheduler.args
    stepped = f"{name} is stepped {times}"
    if kind == "warmup" and value > steps:
        return "horizon-long", f"{stepped}, so its {arg} of {value:,} never ends"
    if kind == "anneal" and value >= steps:
        return "horizon-long", f"{stepped}, so its annealing over {arg} {value:,} never ends"
    if kind == "interval":
        if value >= steps:
            return "horizon-long", f"{stepped}, so a {arg} of {value:,} never decays the lr"
        decays, rate = (steps - 1) // value, _rate(scheduler)
        if steps // value > OFTEN // 2 and rate is not None and rate**decays < NEGLIGIBLE:
            return "decays-often", (
                f"{arg} is {value:,} and {stepped}: the lr decays {decays:,} times, to "
                f"{scheduler.facts.rate} ** {decays:,} = {rate**decays:.3g} of its start"
            )
    if kind == "period":
        if value < steps - 1:
            return "cosine-rises", (
                f"T_max is {value:,}, but {stepped}: past step {value:,} the cosine rises "
                f"again, for {steps - 1 - value:,} steps; T_max: {steps} anneals once over "
                "its steps"
            )
        if value > steps + steps // 10:
            return "schedule-cut-short", (
                f"T_max is {value:,}, but {stepped}: the cosine is cut at {_share(steps, value)} "
                f"of its way down; T_max: {steps} ends at eta_min"
            )
    if kind == "decay":
        if value > steps + steps // 10:
            return "schedule-cut-short", (
                f"{arg} is {value:,}, but {stepped}: the decay is cut at {_share(steps, value)}"
            )
        if value < steps // 2:
            return "lr-at-zero", (
                f"{arg} is {value:,}, but {stepped}: the lr is 0 for the last "
                f"{steps - value:,} steps ({_share(steps - value, steps)})"
            )
    if kind == "length":
        if value > steps + max(1, steps // 100):
            return "schedule-cut-short", (
                f"{arg} is {value:,}, but {stepped}: the schedule is cut at "
                f"{_share(steps, value)} of its length; {arg}: {steps} fits the run"
            )
        if value < steps - max(1, steps // 100):
            return "lr-at-zero", (
                f"{arg} is {value:,}, but {stepped}: the last {steps - value:,} steps are "
                f"past its end; {arg}: {steps} fits the run"
            )
    if kind == "restart":
        if value > steps + steps // 10:
            return "schedule-cut-short", (
                f"{arg} is {value:,}, but {stepped}: it never restarts, and its first cosine "
                f"is cut at {_share(steps, value)} of its way down; {arg}: {steps} ends at "
                "eta_min"
            )
        restarts = _restarts(value, _count_or(args.get("T_mult"), 1), steps)
        if restarts > OFTEN:
            return "restarts-often", (
                f"{arg} is {value:,} and {stepped}: the lr restarts {restarts:,} times"
            )
    if kind == "cycle":
        down = _count_or(args.get("step_size_down"), value)
        if value >= steps:
            return "cycle-never-peaks", (
                f"{arg} is {value:,}, but {stepped}: the lr never reaches max_lr (it gets "
                f"{_share(steps, value)} of the way up); {arg}: {max(steps // 2, 1)} peaks "
                "half-way"
            )
        if steps // (value + down) > OFTEN * 2:
            return "cycles-often", (
                f"{arg} is {value:,} and {stepped}: the lr goes up and down "
                f"{steps // (value + down):,} times"
            )
    return None


def _mmengine_spans(spec: Spec) -> list[Mistake]:
    """MMEngine entries whose ``begin``, milestones or ``end`` lie past the run (``end``
    where the facts say it sizes them): one that never acts, a milestone never reached, a
    warm-up that never ends, a schedule cut.
    Judged in the unit the entry is written in (epochs, or iterations with ``by_epoch:
    false``); ``convert_to_iter_based`` multiplies both by the epoch's iterations."""
    found: list[Mistake] = []
    for scheduler in spec.schedulers:
        if not scheduler.type_name.startswith(MMENGINE):
            continue
        args, facts, name = scheduler.args, scheduler.facts, scheduler.name
        begin, end = args.get("begin", 0), args.get("end")
        if not _is_number(begin) or (end is not None and not _is_number(end)):
            continue  # MMEngine refuses them, or runs them, in its own words
        steps = scheduler.calls(spec.loop)
        in_epochs = bool(args.get("by_epoch", True))
        unit = "epoch" if in_epochs else "iteration"
        run = spec.epochs if in_epochs else steps
        scale = spec.steps_per_epoch if args.get(CONVERT) else 1
        has = f"the run has {run:,} {unit}{'s' * (run != 1)}"
        if begin >= run:
            found.append(
                Mistake(
                    "horizon-long",
                    f"{scheduler.key}.begin",
                    f"begin is {begin:,}, but {has}, counted from 0, so {name} never "
                    "changes the lr",
                )
            )
            continue
        if facts.milestones_from_begin:
            found += _mmengine_milestones(scheduler, begin, end, run, unit)
        found += _mmengine_window(scheduler, begin, end, run, scale, unit)
        sized = facts.end_sizes is not None and facts.end_sized_unless not in args
        if end is None or end <= run or not sized:
            continue
        first, last, stop = int(begin * scale), int(end * scale), steps
        at = f"end is {end:,}, but {has}"
        if scale > 1:
            at += f" ({stop:,} iterations; convert_to_iter_based makes end {last:,})"
        if facts.end_sizes == "warmup":
            counted = "epochs" if scale == 1 and in_epochs else "iterations"
            message = (
                f"{at}, so {name}'s warm-up over end - begin - 1 = {last - first - 1:,} "
                f"{counted} never ends ({stop - 1 - first:,} of them run); end: {run} ends "
                "it with the run"
            )
            found.append(Mistake("horizon-long", f"{scheduler.key}.end", message))
            continue
        found.append(
            Mistake(
                "schedule-cut-short",
                f"{scheduler.key}.end",
                (
                    f"{at}, so {name}, sized to end - begin, is cut at "
                    f"{_share(stop - first, last - first)} of its length; end: {run} fits "
                    "the run"
                ),
            )
        )
    return found


def _mmengine_milestones(
    scheduler: SchedulerSpec, begin: int | float, end: int | float | None, run: int, unit: str
) -> list[Mistake]:
    """Milestones counted from ``begin`` that fall at or past the entry's ``end`` or the
    run's: never reached (``_ParamScheduler.step`` acts only while ``begin <= step <
    end``)."""
    arg = scheduler.facts.milestones_from_begin
    assert arg is not None
    stop = run if end is None else min(end, run)
    late = [m for m in sorted(scheduler.numbers(arg)) if begin + m >= stop]
    if not late:
        return []
    many = len(late) > 1
    shown = ", ".join(f"{m:g}" for m in late)
    at = ", ".join(f"{begin + m:,g}" for m in late)
    bound = f"the run's last {unit} is {run - 1:,}"
    if stop < run:
        bound = f"it acts only before its end, {unit} {stop:,g}"
    return [
        Mistake(
            "horizon-long",
            f"{scheduler.key}.{arg}",
            (
                f"{scheduler.name} counts {arg} from begin {begin:g}: milestone{'s' * many} "
                f"{shown} {'are' if many else 'is'} {unit}{'s' * many} {at}, and {bound}, so "
                f"{'they are' if many else 'it is'} never reached"
            ),
        )
    ]


def _mmengine_window(
    scheduler: SchedulerSpec,
    begin: int | float,
    end: int | float | None,
    run: int,
    scale: int,
    unit: str,
) -> list[Mistake]:
    """Horizons counted from ``begin`` (:attr:`~lrplot.schedulers.facts.SchedulerFacts.
    window_horizons`) judged as torch's are, in the steps the entry acts on: ``begin`` to
    its ``end`` or the run's (``_ParamScheduler.step`` counts ``last_step`` only while
    ``begin <= step < end``); converted to iterations as ``build_iter_from_epoch`` does."""
    first = int(begin * scale)
    stop = run * scale if end is None else min(int(end * scale), run * scale)
    steps = stop - first
    if steps <= 0:
        return []
    counted = "iteration" if scale > 1 or unit == "iteration" else unit
    times = f"{steps:,} time{'s' * (steps != 1)}"
    if first or stop < run * scale:
        times += f", {counted}s {first:,} to {stop - 1:,}"
    if scale > 1:
        times += f" (convert_to_iter_based: {scale:,} iterations an epoch)"
    found: list[Mistake] = []
    for arg, kind in scheduler.facts.window_horizons.items():
        key, value = f"{scheduler.key}.{arg}", scheduler.args.get(arg)
        if kind == "periods":
            periods = value if isinstance(value, list) else []
            if periods and all(_is_count(p) for p in periods):
                said = _periods_cut(scheduler, [p * scale for p in periods], steps, times)
                if said:
                    found.append(Mistake("schedule-cut-short", key, said))
            continue
        if not _is_count(value):
            continue
        mistake = _judge(kind, arg, value * scale, steps, times, scheduler)
        if mistake:
            found.append(Mistake(mistake[0], key, mistake[1]))
    return found


def _periods_cut(
    scheduler: SchedulerSpec, periods: list[int], steps: int, times: str
) -> str | None:
    """What is wrong with restart ``periods`` (CosineRestartLR's) for an entry acting on
    ``steps`` steps, if anything: cosines that never start, and one cut before 90% of its
    way down (as a T_max past the run is)."""
    period, ran, never, cut = _cycles_run(periods, steps)
    if not never and not cut:
        return None
    total = sum(periods)
    said = f"periods sum to {total:,}, but {scheduler.name} is stepped {times}: "
    if never:
        many = len(never) > 1
        shown = ", ".join(f"{p:,}" for p in never)
        said += (
            f"the cosine{'s' * many} of period{'s' * many} {shown} never start{'s' * (not many)}"
        )
    if cut:
        said += f"{', and ' if never else ''}the cosine it ends in is cut at "
        said += f"{_share(ran, period)} of its way down"
    return f"{said}; periods summing to {steps:,} fit the run"


def _never_stepped(spec: Spec) -> list[Mistake]:
    """A scheduler the loop never steps: its ``frequency`` (or ``every``) is never reached."""
    found: list[Mistake] = []
    loop = spec.loop
    for scheduler in spec.schedulers:
        if scheduler.calls(loop):
            continue
        every, frequency, batches = scheduler.every, scheduler.frequency, loop.counted_batches
        key, never = "frequency", f"so {scheduler.name} is never stepped"
        if every is not None:
            key, why = "every", f"every is {every:,}, more than the run's {loop.steps:,} steps"
        elif scheduler.interval == "epoch":
            why = f"frequency is {frequency:,}, more than the run's {spec.epochs:,} epochs"
        elif loop.grad_accum > 1 and frequency <= batches:
            why = (
                f"frequency is {frequency:,}, but Lightning checks it against the batches of "
                f"the epoch only where the optimizer steps (every {loop.grad_accum} batches, "
                f"and the last of {batches:,}), none a multiple of {frequency:,}"
            )
        else:
            counted = "batches" if loop.grad_accum > 1 else "steps"
            why = (
                f"frequency is {frequency:,}, more than the {batches:,} {counted} of an "
                "epoch, counted again from each epoch's start"
            )
            if loop.grad_accum == 1 and frequency <= loop.steps:
                never += (
                    f"; every: {frequency} counts optimizer steps over the whole run "
                    "(HF's eval_steps)"
                )
        found.append(Mistake("never-stepped", f"{scheduler.key}.{key}", f"{why}, {never}"))
    return found


def _plateaus(schedule: Schedule) -> list[Mistake]:
    spec = schedule.spec
    found: list[Mistake] = []
    for scheduler in spec.schedulers:
        if not scheduler.facts.metric:
            continue
        calls = scheduler.calls(spec.loop)
        if scheduler.every is None and calls > spec.epochs:  # every: an evaluation cadence
            patience = scheduler.args.get("patience", 10)
            how = scheduler.cadence().strip() or "every batch"
            counted = "batches" if scheduler.frequency == 1 else "those steps"
            found.append(
                Mistake(
                    "plateau-per-batch",
                    scheduler.key,
                    (
                        f"{scheduler.name} is stepped {how} ({calls // spec.epochs:,} an "
                        f"epoch), so patience {patience} counts {counted}, not epochs: "
                        "interval: epoch steps it once an epoch, after validation"
                    ),
                )
            )
    if schedule.metric is None:
        return found
    taker = next(s for s in spec.schedulers if s.facts.metric)
    values = [v for v in schedule.metric if v == v]
    mode = taker.args.get("mode", _default(taker, "mode") or "min")  # timm's: max
    if len(values) < 3 or mode not in ("min", "max"):
        return found
    first, rest = values[0], values[1:]
    start, end = _mean(values[: len(values) // 5 or 1]), _mean(values[-(len(values) // 5 or 1) :])
    rising, falling = end > start * 1.05 + 1e-12, end < start * 0.95 - 1e-12
    # A metric that first improves (a validation loss before the model overfits) is one
    # the mode is right for, whichever way it ends.
    gain = first - min(values) if mode == "min" else max(values) - first
    improved = gain > 0.05 * abs(first) + 1e-12
    if ((mode == "min" and rising) or (mode == "max" and falling)) and not improved:
        trend = "rises" if rising else "falls"
        wanted = "max (an accuracy)" if rising else "min (a loss)"
        found.append(
            Mistake(
                "plateau-mode",
                f"{taker.key}.mode" if "mode" in taker.args else taker.key,
                f"mode is {mode}, but the metric it is fed {trend} (from about {start:.3g} to "
                f"{end:.3g}), so it takes improvements for a plateau; a metric that {trend} wants "
                f"mode: {wanted}",
            )
        )
        return found
    improves = min(rest) < first if mode == "min" else max(rest) > first
    if not improves:
        found.append(
            Mistake(
                "metric-never-improves",
                "metric",
                f"the metric never improves on its first value, {first!r} (mode {mode}), so "
                f"{taker.name} cuts the lr after every {_patience(taker)} + 1 steps",
            )
        )
    return found


def review(schedule: Schedule) -> str:
    """What a reviewer checks besides the summary, in one line: where a warm-up ends
    (the lr's peak, when it is not at an end) and each horizon in the steps its
    scheduler is given (``T_max 100 of 100 steps``). Empty if there is neither."""
    parts = []
    column = schedule.lr[0]
    peak = max(range(len(column)), key=column.__getitem__) if len(column) else 0
    if 0 < peak < len(column) - 1 and column[peak] > 1.01 * max(column[0], column[-1]):
        parts.append(f"peak {column[peak]:.3g} at {schedule.at_step(peak)}")
    for scheduler, steps, _ in stepped(schedule.spec):
        shown = []
        for arg, kind in scheduler.facts.horizons.items():
            value = scheduler.args.get(arg)
            milestones = sorted(scheduler.numbers(arg)) if kind == "milestones" else []
            if milestones:
                shown.append(f"{arg} {', '.join(f'{m:g}' for m in milestones)}")
            elif _is_count(value):
                shown.append(f"{arg} {value:,}")
        unit = "epochs" if scheduler.fractional_epoch else "steps"
        if shown:
            parts.append(f"{scheduler.name} {', '.join(shown)} of its {steps:,} {unit}")
    return "; ".join(parts)


def _growth(schedule: Schedule) -> list[Mistake]:
    found: list[Mistake] = []
    for group, column in enumerate(schedule.lr):
        start, end = column[0], column[-1]
        late = column[int(len(column) * 0.9)]
        sweep = end >= SWEEP * start and end <= SWEEP_END  # a range test: it means to grow
        if (
            start > 0
            and end > 10 * start
            and end > late * 1.01
            and end == max(column)
            and not sweep
        ):
            found.append(
                Mistake(
                    "lr-grows",
                    _grower(schedule.spec),
                    (
                        f"{schedule.learning_rate(group)} keeps growing to the end, from "
                        f"{start:.3g} to {end:.3g} ({end / start:,.0f} times its start)"
                    ),
                )
            )
    return found


def _grower(spec: Spec) -> str:
    """The key of what most likely makes the lr grow: a rate above 1 (``gamma: 1.04``),
    else an ``lr_lambda``, else the scheduler the loop steps first."""
    rates = [(s, s.facts.rate) for s in spec.walk() if s.facts.rate and s.facts.rate in s.args]
    for scheduler, rate in rates:
        value = scheduler.args[rate]
        if _is_number(value) and value > 1:
            return f"{scheduler.key}.{rate}"
    for scheduler, rate in rates:
        if not _is_number(scheduler.args[rate]):
            return f"{scheduler.key}.{rate}"
    return spec.scheduler.key


def _lambda_units(schedule: Schedule) -> list[Mistake]:
    """A lambda of torch's epoch count written in epochs, but stepped every batch: the lr
    is all but 0 for most of the run, where counted in epochs it would not be. Judged on
    the run's own lr, so for a scheduler the loop steps alone."""
    spec = schedule.spec
    scheduler, calls, per_batch = next(stepped(spec))
    arg = next((a for a, names in scheduler.facts.expressions.items() if names[0] == "epoch"), "")
    if len(spec.schedulers) > 1 or not per_batch or arg not in scheduler.args:
        return []
    import numpy as np

    per_epoch = spec.loop.calls_per_epoch(scheduler.frequency)
    how = scheduler.cadence().strip() or "every batch"
    # Where the lr stands once the scheduler is stepped epochs - 1 times: the run's last
    # epoch, had it been stepped once an epoch.
    positions = spec.loop.positions(scheduler.stepping)
    in_epochs = 0
    if spec.epochs > 1:
        in_epochs = next(itertools.islice(positions, spec.epochs - 2, None))[1] + 1
    found: list[Mistake] = []
    for group, column in enumerate(schedule.lr):
        lrs = np.asarray(column)
        bound = float(lrs.max()) * NEGLIGIBLE
        dead = lrs <= bound
        if bound <= 0 or 2 * int(dead.sum()) < len(lrs) or column[in_epochs] <= bound:
            continue
        found.append(
            Mistake(
                "horizon-unit",
                f"{scheduler.key}.{arg}",
                (
                    f"{scheduler.name} is stepped {how} ({calls:,} times), so the epoch its "
                    f"{arg} is given counts batches: {schedule.learning_rate(group)} is below "
                    f"a millionth of its peak for {_share(int(dead.sum()), len(lrs))} of the "
                    f"run, from {schedule.at_step(int(dead.argmax()))}; counted in epochs, it "
                    f"would end at {column[in_epochs]:.3g}: interval: epoch steps it once an "
                    f"epoch, or write epoch // {per_epoch} for the epoch"
                ),
            )
        )
    return found


def _cycle_lengths(schedule: Schedule) -> list[Mistake]:
    """A schedule given its length as its own ``epochs`` and ``steps_per_epoch``
    (OneCycleLR) for more steps than the loop gives it: the cycle is cut."""
    spec, found = schedule.spec, []
    for scheduler in spec.schedulers:
        args = scheduler.args
        epochs, per_epoch = args.get("epochs"), args.get("steps_per_epoch")
        if not scheduler.facts.needs_length or args.get("total_steps") is not None:
            continue
        calls = scheduler.calls(spec.loop)
        if not (_is_count(epochs) and _is_count(per_epoch) and calls):
            continue
        planned = epochs * per_epoch
        if planned <= calls + max(1, calls // 100):
            continue
        cut = (
            f"its cycle of {epochs} x {per_epoch} = {planned:,} steps is cut at "
            f"{_share(calls, planned)}, and {schedule.learning_rate(0)} ends at "
            f"{schedule.lr[0][-1]:.3g}"
        )
        divisor = _argument(scheduler, "final_div_factor")
        if len(spec.schedulers) == 1 and _is_number(divisor) and divisor > 0:
            cut += f" instead of about {schedule.lr[0][0] / divisor:.3g}"  # its start / that
        if scheduler.interval == "epoch" and per_epoch > 1:
            found.append(
                Mistake(
                    "schedule-cut-short",
                    f"{scheduler.key}.interval",
                    (
                        f"{scheduler.name} counts batches (steps_per_epoch {per_epoch}), but "
                        f"interval: epoch steps it {calls:,} times "
                        f"({scheduler.cadence().strip()}): {cut}; interval: step steps it "
                        "after every batch"
                    ),
                )
            )
            continue
        how = scheduler.cadence().strip()
        fits = {"steps_per_epoch": 1, "epochs": calls}
        if scheduler.interval == "step":
            how = f"{spec.epochs} epochs x {calls // spec.epochs}"
            fits = {"steps_per_epoch": calls // spec.epochs, "epochs": spec.epochs}
        wrong = {k: v for k, v in fits.items() if args[k] != v}  # one at least
        found.append(
            Mistake(
                "schedule-cut-short",
                f"{scheduler.key}.{next(iter(wrong))}",
                (
                    f"{scheduler.name} is stepped {calls:,} times ({how}), but {cut}; "
                    f"{' and '.join(f'{k}: {v}' for k, v in wrong.items())} "
                    f"fit{'s' * (len(wrong) == 1)} the run"
                ),
            )
        )
    return found


def _negative(schedule: Schedule) -> list[Mistake]:
    return [
        Mistake(
            "negative-lr",
            schedule.spec.scheduler.key,
            (
                f"{schedule.learning_rate(group)} goes negative at {schedule.at_step(step)}: "
                f"{schedule.lr[group][step]!r}; torch allows it, but an optimizer would then "
                "climb the loss"
            ),
        )
        for group, step in schedule.first_below(0.0)
    ]


def _resume(schedule: Schedule) -> list[Mistake]:
    spec, found = schedule.spec, schedule.resume_difference()
    if found is None:
        return []
    group, step = found
    return [
        Mistake(
            "resume-changes",
            "resume_at",
            (
                f"resumed at step {spec.resume_at:,}, {schedule.learning_rate(group)} differs "
                f"from the uninterrupted run's from {schedule.at_step(step)} on: "
                f"{schedule.resumed[group][step]!r} instead of {schedule.lr[group][step]!r}"
            ),
        )
    ]


def _argument(scheduler: SchedulerSpec, name: str, default: Any = None) -> Any:
    """The value of argument ``name`` of ``scheduler``: as written, else its signature's
    default (``default`` if it has none)."""
    if name in scheduler.args:
        return scheduler.args[name]
    parameter = scheduler_signature(scheduler.cls).parameters.get(name)
    return default if parameter is None or parameter.required else parameter.default


def _patience(scheduler: SchedulerSpec) -> str:
    """The name of a plateau scheduler's patience argument (timm's ``patience_t``)."""
    return "patience_t" if scheduler.facts.timm_steps else "patience"


def _default(scheduler: SchedulerSpec, name: str) -> Any:
    """The default of ``scheduler``'s argument ``name`` (None if it has none)."""
    parameter = scheduler_signature(scheduler.cls).parameters.get(name)
    return None if parameter is None or parameter.required else parameter.default


def _rate(scheduler: SchedulerSpec) -> float | None:
    """The factor of each of ``scheduler``'s decays (its ``gamma``), if it is one: a
    number between 0 and 1."""
    value = _argument(scheduler, scheduler.facts.rate) if scheduler.facts.rate else None
    return float(value) if _is_number(value) and 0 < value < 1 else None


def _restarts(period: int, multiplier: int, steps: int) -> int:
    """How many times CosineAnnealingWarmRestarts restarts within ``steps``."""
    count, at = 0, period
    while at < steps:
        count += 1
        period *= max(multiplier, 1)
        at += period
        if count > OFTEN * 10:
            break
    return count


def _scaled(value: int, steps: int, spec: Spec) -> int:
    """``value`` epochs in the steps a scheduler stepped ``steps`` times a run is given."""
    return value * steps // spec.epochs


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_share(value: object) -> TypeGuard[float]:
    """A fraction of something: a float strictly between 0 and 1."""
    return isinstance(value, float) and 0 < value < 1


def _count_or(value: Any, default: int) -> int:
    return value if _is_count(value) else default
