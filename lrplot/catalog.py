"""What ``lrplot list`` shows: torch's schedulers and optimizers, their arguments, and a
minimal config to copy, all read from the installed torch."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

from lrplot.annotations import describe_annotation
from lrplot.registry import (
    NESTED_SCHEDULERS,
    Parameter,
    did_you_mean,
    import_torch,
    is_metric_scheduler,
    optimizer_classes,
    scheduler_classes,
    signature,
)
from lrplot.spec import DEFAULT_LR

# Example values for arguments torch requires, where a number chosen from the type alone
# would make a dull schedule; the rest come from the argument's type.
_EXAMPLES: dict[str, Any] = {
    "lr_lambda": "0.95 ** epoch",
    "step_size": 30,
    "milestones": [30, 80],
    "gamma": 0.9,
    "T_max": 100,
    "T_0": 10,
    "base_lr": 0.001,
    "max_lr": 0.1,
    "swa_lr": 0.01,
    "total_steps": 100,
}
_CLASS_EXAMPLES: dict[tuple[str, str], Any] = {("MultiplicativeLR", "lr_lambda"): "0.95"}
_BY_TYPE = {"an integer": 10, "a number": 0.1, "true or false": True, "text": "value"}


def _signature(name: str, cls: type) -> Any:
    if name in NESTED_SCHEDULERS:
        return signature(cls, skip=("schedulers", "optimizer"), skip_first=False)
    return signature(cls)


def summary_table(width: int = 100) -> str:
    """Every scheduler and optimizer, one entry each, with its arguments and defaults."""
    torch = import_torch()

    lines = [f"Schedulers (torch {torch.__version__}); lrplot list NAME for one:"]
    for title, classes in (
        ("", scheduler_classes()),
        (
            "Optimizers (torch's defaults, but lr: lrplot's is 0.1 unless a config sets it):",
            optimizer_classes(),
        ),
    ):
        if title:
            lines += ["", title]
        pad = max(map(len, classes)) + 2
        for name, cls in classes.items():
            arguments = _signature(name, cls).describe()
            if title and arguments.startswith("lr="):  # an optimizer: lrplot's default lr
                torch_lr, _, rest = arguments.partition(", ")
                arguments = f"lr={DEFAULT_LR!r} (torch's: {torch_lr[3:]})" + (
                    f", {rest}" if rest else ""
                )
            if name in NESTED_SCHEDULERS:
                arguments = "schedulers (a list of scheduler mappings), " + arguments
            lines.append(
                textwrap.fill(
                    arguments,
                    width=max(width, pad + 32),
                    initial_indent=f"  {name:<{pad}}",
                    subsequent_indent=" " * (pad + 2),
                )
            )
    return "\n".join(lines) + "\n"


def find(name: str) -> tuple[str, str, type]:
    """``("scheduler" | "optimizer", name, class)``, the name matched exactly or else in
    any case; KeyError with a suggestion if unknown."""
    schedulers, optimizers = scheduler_classes(), optimizer_classes()
    if name in schedulers:
        return "scheduler", name, schedulers[name]
    if name in optimizers:
        return "optimizer", name, optimizers[name]
    known = [*schedulers, *optimizers]
    folded = [k for k in known if k.casefold() == name.casefold()]
    if len(folded) == 1:  # `lrplot list steplr`
        return find(folded[0])
    raise KeyError(f"no scheduler or optimizer named {name!r}{did_you_mean(name, known)}")


def describe_class(name: str) -> str:
    """One class: what it does, its arguments (type, default) and a config to copy."""
    kind, name, cls = find(name)
    sig = _signature(name, cls)
    doc = inspect.getdoc(cls) or ""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    lines = [f"{name} ({kind}, {cls.__module__}): {first}", "", "Arguments:"]
    if name in NESTED_SCHEDULERS:
        lines.append("  schedulers  a list of scheduler mappings  required")
    rows = [_argument_row(p, optimizer=kind == "optimizer") for p in sig.parameters.values()]
    pad = max((len(r[0]) for r in rows), default=0) + 2
    for argument, kind_text, default in rows:
        lines.append(f"  {argument:<{pad}}{kind_text}  {default}")
    if not rows and name not in NESTED_SCHEDULERS:
        lines.append("  (none)")
    lines += ["", "A config to start from:", "", textwrap.indent(example_config(name), "  ")]
    return "\n".join(lines)


def _argument_row(param: Parameter, *, optimizer: bool) -> tuple[str, str, str]:
    kind = describe_annotation(param.annotation) if param.annotation else "any value"
    if optimizer and param.name == "lr":
        default = f"default {DEFAULT_LR!r} in lrplot (torch's: {param.default!r})"
    elif param.required:
        default = "required"
    elif param.name == "last_epoch":
        default = "default -1 (to resume a run; leave it out)"
    else:
        default = f"default {param.default!r}"
    return param.name, kind, default


def example_config(name: str) -> str:
    """A minimal config using ``name`` that lrplot validates and simulates."""
    kind, name, cls = find(name)
    if kind == "optimizer":
        return (
            f"optimizer:\n  type: {name}\n  lr: 0.1\nscheduler:\n  type: StepLR\n  step_size: 30\n"
        )
    if name in NESTED_SCHEDULERS:
        extra = "  milestones: [10]\n" if name == "SequentialLR" else ""
        return (
            f"scheduler:\n  type: {name}\n  schedulers:\n"
            "    - {type: LinearLR, start_factor: 0.1, total_iters: 10}\n"
            "    - {type: ExponentialLR, gamma: 0.97}\n" + extra
        )
    lines = ["scheduler:", f"  type: {name}"]
    for param in signature(cls).parameters.values():
        needed = param.required or (name == "OneCycleLR" and param.name == "total_steps")
        if needed:
            lines.append(f"  {param.name}: {_yaml(_example(name, param))}")
    if is_metric_scheduler(cls):
        lines.append(
            "metric: synthetic   # what step() is fed: an expression in epoch and step, a "
            "list of numbers, or synthetic (a falling loss)"
        )
    return "\n".join(lines) + "\n"


def _example(owner: str, param: Parameter) -> Any:
    if (owner, param.name) in _CLASS_EXAMPLES:
        return _CLASS_EXAMPLES[owner, param.name]
    if param.name in _EXAMPLES:
        return _EXAMPLES[param.name]
    words = describe_annotation(param.annotation) if param.annotation else ""
    for word, value in _BY_TYPE.items():
        if words.startswith(word):
            return value
    return 1


def _yaml(value: Any) -> str:
    if isinstance(value, str) and not value.isidentifier():
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
