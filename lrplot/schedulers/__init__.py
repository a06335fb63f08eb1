"""What lrplot knows of torch's and transformers' schedulers: registry, facts, custom classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "SchedulerFacts",
    "optimizer_classes",
    "scheduler_classes",
    "scheduler_facts",
]

__getattr__ = lazy_names(
    __name__,
    {
        "optimizer_classes": "lrplot.schedulers.registry",
        "scheduler_classes": "lrplot.schedulers.registry",
        "SchedulerFacts": "lrplot.schedulers.facts",
        "scheduler_facts": "lrplot.schedulers.facts",
    },
)

if TYPE_CHECKING:
    from lrplot.schedulers.facts import SchedulerFacts, scheduler_facts
    from lrplot.schedulers.registry import optimizer_classes, scheduler_classes
