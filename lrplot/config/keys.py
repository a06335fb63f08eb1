"""The keys of a config, in one table: what each holds, its default and its bounds.

Validation (:mod:`lrplot.config.spec`, :mod:`lrplot.config.options`), the JSON schema
(:mod:`lrplot.config.schema`), the command line's plot flags and the reference in ``docs/``
all read this table, so a key is added or changed here, once. Simple kinds (text, whole
numbers, choices, flags, bounded integers) need nothing more; keys with a structure of
their own (``optimizer``, ``scheduler``, ``metric``, ``plot``) name the parser that reads
them. Cheap to import: no torch.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lrplot.config.codes import CODES
from lrplot.config.loop import LOOPS
from lrplot.errors import ConfigError, describe_value, excerpt, printable
from lrplot.limits import MAX_COUNT, MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH

Kind = Literal[
    "line",  # one line of display text, at most `limit` characters
    "paragraph",  # display text, line breaks kept, at most `limit` characters
    "count",  # a whole number of at least 1
    "choice",  # one of `choices`
    "flag",  # true or false
    "integer",  # a whole number from `low` to `high`
    "size",  # WIDTHxHEIGHT in inches, or [width, height]
    "codes",  # a list of some of `choices`
    "steps",  # a count, or a mapping of the data it comes from (STEPS)
    "optimizer",
    "scheduler",
    "schedulers",
    "metric",
    "plot",
]


@dataclass(frozen=True)
class Key:
    """One key of a config (or of one of its mappings)."""

    name: str
    kind: Kind
    doc: str
    default: Any = None
    required: bool = False
    limit: int | None = None
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    example: str | None = None
    """The value as the reference's example config writes it (YAML), if not the default."""
    alternative: str | None = None
    """A key that may stand instead of this one (``schedulers`` for ``scheduler``): one of
    the two is required, if this one is, and not both."""


SIMPLE_KINDS = ("line", "paragraph", "count", "choice", "flag", "integer", "size", "codes")
"""Kinds :func:`check_value` reads; the others have parsers of their own."""

GROUP_NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,40}$"
"""What a param group's ``name:`` may be: it names CSV columns and legend entries."""

DEFAULT_OPTIMIZER = "SGD"
DEFAULT_LR = 0.1
DEFAULT_SIZE = (8.0, 4.5)
"""Figure size in inches: 800 x 450 pixels at the default dpi."""
SIZE_BOUNDS = (1.0, 50.0)
"""Each side of a figure, in inches."""

PLOT: Mapping[str, Key] = {
    key.name: key
    for key in (
        Key("yscale", "choice", "the learning rate's axis", "linear", choices=("linear", "log")),
        Key(
            "size",
            "size",
            "inches, WIDTHxHEIGHT or [width, height]; pixels = size x dpi",
            DEFAULT_SIZE,
            low=SIZE_BOUNDS[0],
            high=SIZE_BOUNDS[1],
            example="[10, 5]",
        ),
        Key("dpi", "integer", "pixels per inch", 100, low=10, high=1000),
        Key(
            "transparent",
            "flag",
            "no background, grey text: reads on light and dark pages",
            False,
            example="true",
        ),
    )
}
"""The keys of ``plot:`` (command-line flags win over them)."""

STEPS: Mapping[str, Key] = {
    key.name: key
    for key in (
        Key("dataset_size", "count", "samples in the training set", required=True),
        Key("batch_size", "count", "samples per batch, per process", required=True),
        Key("world_size", "count", "processes training together (GPUs)", 1),
        Key("grad_accum", "count", "batches accumulated per optimizer step", 1),
        Key("drop_last", "flag", "the DataLoader drops a last, short batch", False),
        Key(
            "loop",
            "choice",
            "the training loop that counts them: a plain torch loop, Lightning's Trainer, or "
            "transformers' Trainer (the installed one's rule, or one named)",
            "torch",
            choices=LOOPS,
        ),
    )
}
"""The keys of ``steps_per_epoch:`` given as the data it comes from (see
:mod:`lrplot.config.loop`)."""

SCHEDULE: Mapping[str, Key] = {
    key.name: key
    for key in (
        Key(
            "interval",
            "choice",
            "when the training loop steps it: after batches, or after epochs",
            "step",
            choices=("step", "epoch"),
        ),
        Key(
            "frequency",
            "count",
            "steps it after every Nth batch (or epoch), counted from the start of each epoch",
            1,
        ),
        Key(
            "every",
            "count",
            "instead of interval and frequency: steps it after every Nth optimizer step, "
            "counted over the whole run (HF's eval_steps)",
            example="500",
        ),
        Key(
            "fractional_epoch",
            "flag",
            "steps it with step(epoch + i / steps_per_epoch) after batch i, as torch's "
            "documentation does for CosineAnnealingWarmRestarts",
            False,
        ),
    )
}
"""Keys of a scheduler the training loop steps (``scheduler:``, or an entry of
``schedulers:``) besides its arguments: how the loop steps it (Lightning's meaning)."""

CONFIG: Mapping[str, Key] = {
    key.name: key
    for key in (
        Key(
            "title",
            "line",
            "plot title, shown as written ($ and _ included); default: made from the arguments",
            limit=MAX_TITLE_LENGTH,
            example="My warm-up",
        ),
        Key(
            "description",
            "paragraph",
            "shown in the gallery's index pages",
            limit=MAX_DESCRIPTION_LENGTH,
            example="Why we use it",
        ),
        Key("epochs", "count", "how many epochs are plotted", 100),
        Key(
            "steps_per_epoch",
            "steps",
            "optimizer steps (batches) per epoch, or the data they come from: " + ", ".join(STEPS),
            1,
            example="{dataset_size: 50000, batch_size: 128}",
        ),
        Key(
            "optimizer",
            "optimizer",
            "any torch.optim class: `type`, its keyword arguments, and `param_groups`",
            {"type": DEFAULT_OPTIMIZER, "lr": DEFAULT_LR},
        ),
        Key(
            "scheduler",
            "scheduler",
            "any torch.optim.lr_scheduler class, SWALR, or your own: `type`, its arguments, "
            "and how the loop steps it: " + ", ".join(SCHEDULE),
            required=True,
            example="{type: StepLR, step_size: 10}",
            alternative="schedulers",
        ),
        Key(
            "schedulers",
            "schedulers",
            "instead of `scheduler:`, several on one optimizer, stepped in list order",
            example="[{type: LinearLR, total_iters: 500}, {type: StepLR, step_size: 30, "
            "interval: epoch}]",
            alternative="scheduler",
        ),
        Key(
            "metric",
            "metric",
            "what ReduceLROnPlateau's step() is fed: an expression, numbers, the synthetic "
            "loss, or a logged run's file",
            "synthetic",
        ),
        Key(
            "resume_at",
            "count",
            "also run it resumed from a checkpoint at this step, and compare",
            example="5000",
        ),
        Key("plot", "plot", "how its plots look: " + ", ".join(PLOT), {}),
        Key(
            "silence",
            "codes",
            "warnings this config means, by code (see docs/warnings.md)",
            (),
            choices=tuple(CODES),
            example="[cosine-rises]",
        ),
    )
}
"""The top-level keys of a config, in the order messages and the reference list them."""


def check_value(key: Key, value: Any, *, path: str) -> Any:
    """The value of a simple key (line, paragraph, count, choice, flag, integer, size),
    checked against its kind and bounds; ConfigError at ``path`` otherwise."""
    if key.kind in ("line", "paragraph"):
        return _text(key, value, path)
    if key.kind in ("count", "steps"):  # steps: its whole-number form
        return _count(value, path)
    if key.kind == "choice":
        if value not in key.choices or not isinstance(value, str):
            raise ConfigError(
                f"expected {' or '.join(key.choices)}, got {excerpt(value)}", key=path
            )
        return value
    if key.kind == "flag":
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, got {excerpt(value)}", key=path)
        return value
    if key.kind == "integer":
        assert key.low is not None
        assert key.high is not None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not key.low <= value <= key.high
        ):
            raise ConfigError(
                f"expected a whole number from {key.low:g} to {key.high:g}, got {excerpt(value)}",
                key=path,
            )
        return value
    if key.kind == "size":
        return parse_size(value, key=path)
    if key.kind == "codes":
        return _codes(key, value, path)
    raise ValueError(f"{key.name} is a {key.kind}: it has a parser of its own")


def _text(key: Key, value: Any, path: str) -> str:
    """Display text: at most ``limit`` characters, no control characters but line breaks
    and tabs; a line's every run of white space becomes one space."""
    if not isinstance(value, str):
        raise ConfigError(f"expected text, got {describe_value(value)}", key=path)
    text: str = " ".join(value.split()) if key.kind == "line" else value
    if key.limit is not None and len(text) > key.limit:
        raise ConfigError(f"{len(text):,} characters long; at most {key.limit:,}", key=path)
    control = next((c for c in text if not (c.isprintable() or c in "\n\t")), None)
    if control is not None:
        raise ConfigError(
            f"holds {printable(control)}, a control character; this is display text", key=path
        )
    return text


def _codes(key: Key, value: Any, path: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(
            f"expected a list of codes such as [{key.choices[0]}], got {describe_value(value)}",
            key=path,
        )
    for index, code in enumerate(value):
        if code not in key.choices or not isinstance(code, str):
            close = (
                difflib.get_close_matches(code, key.choices, n=1) if isinstance(code, str) else []
            )
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(
                f"unknown warning {excerpt(code)}{hint}; codes: {', '.join(key.choices)}",
                key=f"{path}[{index}]",
            )
    return frozenset(value)


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        hint = ""
        if isinstance(value, float) and value.is_integer() and 1 <= value < 1e15:
            hint = f"; write it as {int(value)}"  # `epochs: 1e3` is a float in YAML
        raise ConfigError(
            f"expected a whole number of at least 1, got {describe_value(value)}{hint}", key=path
        )
    if value < 1:
        raise ConfigError(f"must be at least 1, got {show_whole(value)}", key=path)
    if value > MAX_COUNT:
        raise ConfigError(
            f"must be at most {MAX_COUNT:,}, got {show_whole(value)}; no run is so long", key=path
        )
    return value


def show_whole(value: int) -> str:
    """A whole number as a message shows it: written out, or by its digits if long."""
    if abs(value) < 10**24:
        return str(value) if abs(value) < 10**6 else f"{value:,}"
    digits = math.floor(math.log10(abs(value))) + 1
    digits -= 10 ** (digits - 1) > abs(value)  # log10 of 999...9 rounds up to its length
    return f"a {'negative ' if value < 0 else ''}number of {digits:,} digits"


def parse_size(value: Any, *, key: str = "size") -> tuple[float, float]:
    """``"8x4.5"`` or ``[8, 4.5]`` (inches) -> ``(8.0, 4.5)``."""
    parts: list[Any] = value.lower().split("x") if isinstance(value, str) else value
    try:
        width, height = (float(p) for p in parts)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a 400-digit integer
        raise ConfigError(
            f"expected WIDTHxHEIGHT in inches such as 8x4.5, got {excerpt(value)}", key=key
        ) from None
    low, high = SIZE_BOUNDS
    if not (low <= width <= high and low <= height <= high):
        raise ConfigError(
            f"width and height must be {low:g} to {high:g} inches, got {excerpt(value)}", key=key
        )
    return width, height
