"""What lrplot knows about torch's schedulers and optimizers beyond their signatures, in one table.

Signatures, type hints and defaults are read from the installed torch (see
:mod:`lrplot.registry`); this module holds what they do not say: which arguments torch
takes as one value or as a list with one value per param group (its type hints are
narrower), which arguments are expressions and in what variables, and the words torch's
error messages use for an argument. Cheap to import: no torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SchedulerFacts:
    """Facts about one of torch's scheduler classes."""

    per_group: tuple[str, ...] = ()
    """Arguments torch takes as one value for every param group or as a list with one
    value per group (``_format_param``, or its own list check), whatever its hint says."""

    expressions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Callable arguments given as expression strings, with the variables each may use
    (the first is torch's own name for the value it passes)."""


SCHEDULERS: Mapping[str, SchedulerFacts] = {
    "LambdaLR": SchedulerFacts(per_group=("lr_lambda",), expressions={"lr_lambda": ("epoch",)}),
    "MultiplicativeLR": SchedulerFacts(
        per_group=("lr_lambda",), expressions={"lr_lambda": ("epoch",)}
    ),
    "CyclicLR": SchedulerFacts(
        per_group=("base_lr", "max_lr", "base_momentum", "max_momentum"),
        expressions={"scale_fn": ("x", "epoch")},
    ),
    "OneCycleLR": SchedulerFacts(per_group=("max_lr", "base_momentum", "max_momentum")),
    "ReduceLROnPlateau": SchedulerFacts(per_group=("min_lr",)),
    "SWALR": SchedulerFacts(per_group=("swa_lr",)),
}
"""Facts per scheduler class name; a class not listed has none of these traits."""

NO_FACTS = SchedulerFacts()

ARGUMENT_WORDS: Mapping[str, tuple[str, ...]] = {
    "lr": ("learning rate",),
    "betas": ("beta parameter", "betas", "beta1", "beta2"),
    "eps": ("epsilon",),
    "weight_decay": ("weight decay",),
    "etas": ("eta values",),
    "d": ("clipping threshold d",),
    "nesterov": ("nesterov momentum",),
}
"""How torch's messages name an argument, besides its own name: ``Invalid learning
rate: -1`` is about ``lr``."""


def scheduler_facts(name: str) -> SchedulerFacts:
    """The facts of torch's scheduler class ``name`` (none for others)."""
    return SCHEDULERS.get(name, NO_FACTS)
