"""What ``lrplot list`` shows: torch's schedulers and optimizers, their arguments, and a
minimal config to copy, all read from the installed torch."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Mapping
from typing import Any

from lrplot.config.annotations import describe_annotation
from lrplot.config.keys import DEFAULT_LR, SCHEDULE
from lrplot.errors import UsageError, name_excerpt
from lrplot.schedulers.deepspeed import (
    INSTALL_DEEPSPEED,
    deepspeed_installed,
    deepspeed_schedulers,
)
from lrplot.schedulers.facts import DEEPSPEED, MMENGINE, TIMM, TRANSFORMERS
from lrplot.schedulers.mmengine import (
    INSTALL_MMENGINE,
    is_mmengine,
    mmengine_installed,
    mmengine_schedulers,
)
from lrplot.schedulers.registry import (
    INSTALL_TRANSFORMERS,
    Maker,
    Parameter,
    Signature,
    did_you_mean,
    facts_of,
    import_torch,
    listed_libraries,
    optimizer_classes,
    plottable_transformers_schedules,
    schedule_names,
    scheduler_classes,
    scheduler_signature,
    signature,
    takes_epoch,
    transformers_installed,
)
from lrplot.schedulers.timm import INSTALL_TIMM, timm_installed, timm_schedulers

# For a class the facts table does not know (a newer torch's): a value by type.
_BY_TYPE = {"an integer": 10, "a number": 0.1, "true or false": True, "text": "value"}


def _signature(kind: str, cls: Maker) -> Signature:
    return scheduler_signature(cls) if kind == "scheduler" else signature(cls)


def summary_table(width: int = 100) -> str:
    """Every scheduler and optimizer, one entry each, with its arguments and defaults
    (DeepSpeed's, MMEngine's and timm's as lrplot's table holds them: no library imported)."""
    from importlib.metadata import version

    torch = import_torch()

    lines = [f"Schedulers (torch {torch.__version__}); lrplot list NAME for one:"]
    torch_classes = scheduler_classes()
    sections: list[tuple[str, Mapping[str, Signature]]] = [
        ("", {name: scheduler_signature(cls) for name, cls in torch_classes.items()})
    ]
    if transformers_installed():
        schedules = plottable_transformers_schedules()
        sections.append(
            (
                _TRANSFORMERS_TITLE.format(version=version("transformers")),
                {name: scheduler_signature(function) for name, function in schedules.items()},
            )
        )
    for library, known in listed_libraries():
        title = _LIBRARY_TITLES[library.prefix]
        sections.append((title.format(version=version(library.prefix.rstrip("."))), known))
    optimizers = {name: signature(cls) for name, cls in optimizer_classes().items()}
    sections.append((_OPTIMIZERS_TITLE, optimizers))
    for title, signatures in sections:
        if title:
            lines += ["", title]
        shown = {
            name.removeprefix(TRANSFORMERS)
            .removeprefix(DEEPSPEED)
            .removeprefix(MMENGINE)
            .removeprefix(TIMM): (name, sig)
            for name, sig in signatures.items()
        }
        pad = max(map(len, shown)) + 2
        for short, (name, sig) in shown.items():
            optimizer = title == _OPTIMIZERS_TITLE
            arguments = sig.describe()
            if optimizer and arguments.startswith("lr="):  # lrplot's default lr
                torch_lr, _, rest = arguments.partition(", ")
                arguments = f"lr={DEFAULT_LR!r} (torch's: {torch_lr[3:]})" + (
                    f", {rest}" if rest else ""
                )
            if not title and facts_of(torch_classes[name]).nested:
                arguments = "schedulers (a list of scheduler mappings), " + arguments
            lines.append(
                textwrap.fill(
                    arguments,
                    width=max(width, pad + 32),
                    initial_indent=f"  {short:<{pad}}",
                    subsequent_indent=" " * (pad + 2),
                )
            )
    if not deepspeed_installed():
        lines += ["", f"DeepSpeed's schedulers: {INSTALL_DEEPSPEED}"]
    if not mmengine_installed():
        lines += ["", f"MMEngine's lr schedulers: {INSTALL_MMENGINE}"]
    if not timm_installed():
        lines += ["", f"timm's schedulers: {INSTALL_TIMM}"]
    if not transformers_installed():
        lines += ["", f"HuggingFace transformers' schedules: {INSTALL_TRANSFORMERS}"]
    return "\n".join(lines) + "\n"


_TRANSFORMERS_TITLE = "Schedules of HuggingFace transformers {version} (type: transformers.NAME):"
_DEEPSPEED_TITLE = "Schedulers of DeepSpeed {version} (type: deepspeed.NAME, stepped every batch):"
_MMENGINE_TITLE = (
    "Lr schedulers of MMEngine {version} (type: mmengine.NAME in schedulers:, stepped per "
    "iteration or per epoch as by_epoch says):"
)
_TIMM_TITLE = (
    "Schedulers of timm {version} (type: timm.NAME, stepped as timm's train.py steps them):"
)
_LIBRARY_TITLES = {DEEPSPEED: _DEEPSPEED_TITLE, MMENGINE: _MMENGINE_TITLE, TIMM: _TIMM_TITLE}
_OPTIMIZERS_TITLE = (
    "Optimizers (torch's defaults, but lr: lrplot's is 0.1 unless a config sets it):"
)


def find(name: str) -> tuple[str, str, Maker]:
    """``("scheduler" | "optimizer", name, maker)``, the name matched exactly or else in
    any case (a transformers schedule with or without its ``transformers.``, a DeepSpeed
    class with its ``deepspeed.``, an MMEngine one with its ``mmengine.``); UsageError
    (about ``NAME``) with a suggestion if unknown."""
    schedulers: dict[str, Maker] = dict(scheduler_classes())
    if name.removeprefix(TRANSFORMERS).startswith("get_") or name.startswith(TRANSFORMERS):
        schedulers.update(plottable_transformers_schedules())
        name = name if name.startswith(TRANSFORMERS) else TRANSFORMERS + name
    elif name.startswith(DEEPSPEED):
        schedulers.update(deepspeed_schedulers())
    elif name.startswith(MMENGINE):
        schedulers.update(mmengine_schedulers())
    elif name.startswith(TIMM):
        schedulers.update(timm_schedulers())
    optimizers = optimizer_classes()
    if name in schedulers:
        return "scheduler", name, schedulers[name]
    if name in optimizers:
        return "optimizer", name, optimizers[name]
    known = [*schedulers, *optimizers]
    folded = [k for k in known if k.casefold() == name.casefold()]
    if len(folded) == 1:  # `lrplot list steplr`
        return find(folded[0])
    raise UsageError(
        f"no scheduler or optimizer named {name_excerpt(name)}{did_you_mean(name, known)}",
        key="NAME",
    )


def describe_class(name: str) -> str:
    """One class: what it does, its arguments (type, default) and a config to copy."""
    kind, name, cls = find(name)
    sig = _signature(kind, cls)
    nested = kind == "scheduler" and facts_of(cls).nested
    doc = inspect.getdoc(cls) or ""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    lines = [f"{name} ({kind}, {cls.__module__}): {first}"]
    summary = facts_of(cls).summary if kind == "scheduler" else ""
    if summary:
        lines.append(f"In short: {summary}.")
    lines += ["", "Arguments:"]
    if nested:
        lines.append("  schedulers  a list of scheduler mappings  required")
    rows = [_argument_row(p, optimizer=kind == "optimizer") for p in sig.parameters.values()]
    pad = max((len(r[0]) for r in rows), default=0) + 2
    for argument, kind_text, default in rows:
        lines.append(f"  {argument:<{pad}}{kind_text}  {default}")
    if not rows and not nested:
        lines.append("  (none)")
    names = schedule_names(cls)
    if names:
        lines += ["", f"{facts_of(cls).named_by}: one of {', '.join(names)}"]
    if kind == "scheduler":
        lines += ["", *_loop_rows(cls)]
    lines += ["", "A config to start from:", "", textwrap.indent(example_config(name), "  ")]
    return "\n".join(lines)


def _loop_rows(cls: Maker) -> list[str]:
    """How the training loop may step a scheduler (the keys of ``SCHEDULE``), as
    ``lrplot list NAME`` shows them; fractional_epoch only where ``step()`` takes one."""
    if is_mmengine(cls):
        return [
            "How the training loop steps it (an entry of schedulers:): as MMEngine's "
            "ParamSchedulerHook does, after every iteration with by_epoch: false, after every "
            "epoch with by_epoch: true; it acts while begin <= its steps < end (end: the "
            "run's epochs, or iterations, unless given)"
        ]
    if facts_of(cls).timm_steps:
        return [
            "How the training loop steps it: as timm's train.py does, step_update(num_updates) "
            "after every optimizer update and step(epoch + 1, metric) after every epoch; "
            "t_in_epochs (the factory's step_on_epochs) says which moves the lr"
        ]
    fractional = takes_epoch(cls) and not facts_of(cls).metric
    keys = [key for key in SCHEDULE.values() if fractional or key.name != "fractional_epoch"]
    pad = max(len(key.name) for key in keys) + 2
    rows = ["How the training loop steps it (in scheduler: or an entry of schedulers:):"]
    for key in keys:
        default = f"; default {_yaml(key.default)}" if key.default is not None else ""
        rows.append(f"  {key.name:<{pad}}{key.doc}{default}")
    return rows


def _argument_row(param: Parameter, *, optimizer: bool) -> tuple[str, str, str]:
    kind = describe_annotation(param.annotation) if param.annotation else "any value"
    if optimizer and param.name == "lr":
        default = f"default {DEFAULT_LR!r} in lrplot (torch's: {param.default!r})"
    elif param.required:
        default = "required"
    elif param.name in ("last_epoch", "last_batch_iteration", "last_step"):
        default = "default -1 (to resume a run; leave it out)"
    else:
        default = f"default {param.default!r}"
    return param.name, kind, default


def example_config(name: str) -> str:
    """A minimal config using ``name`` that lrplot validates and simulates."""
    kind, name, cls = find(name)
    if kind == "optimizer":
        return (
            f"optimizer:\n  type: {name}\n  lr: {DEFAULT_LR}\nscheduler:\n  type: StepLR\n"
            "  step_size: 30\n"
        )
    facts = facts_of(cls)
    arguments = dict(facts.example) or {
        p.name: _by_type(p) for p in scheduler_signature(cls).parameters.values() if p.required
    }
    lines = ["scheduler:", f"  type: {name}"]
    for argument, value in arguments.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"  {argument}:")
            lines += [f"    - {_yaml(item)}" for item in value]
        else:
            lines.append(f"  {argument}: {_yaml(value)}")
    if facts.metric:
        lines.append(
            "metric: synthetic   # what step() is fed: an expression in epoch and step, a "
            "list of numbers, or synthetic (a falling loss)"
        )
    return "\n".join(lines) + "\n"


def _by_type(param: Parameter) -> Any:
    words = describe_annotation(param.annotation) if param.annotation else ""
    for word, value in _BY_TYPE.items():
        if words.startswith(word):
            return value
    return 1


def _yaml(value: Any) -> str:
    """A value in YAML's flow style: ``[30, 80]``, ``{type: LinearLR, total_iters: 10}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, str) and not value.isidentifier():
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
