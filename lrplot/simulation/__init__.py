"""Running a checked Spec: a dummy-parameter optimizer, its schedulers, and torch's internals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "Schedule",
    "simulate",
    "trace",
]

__getattr__ = lazy_names(
    __name__,
    {
        "Schedule": "lrplot.simulation.runner",
        "simulate": "lrplot.simulation.runner",
        "trace": "lrplot.simulation.trace",
    },
)

if TYPE_CHECKING:
    from lrplot.simulation.runner import Schedule, simulate
    from lrplot.simulation.trace import trace
