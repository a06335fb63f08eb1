"""Judging a config and its run: likely mistakes (``Warning:``) and notices (``Notice:``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "collect",
    "collect_warnings",
    "review",
]

__getattr__ = lazy_names(
    __name__,
    {
        "collect": "lrplot.checks.notices",
        "collect_warnings": "lrplot.checks.notices",
        "review": "lrplot.checks.mistakes",
    },
)

if TYPE_CHECKING:
    from lrplot.checks.mistakes import review
    from lrplot.checks.notices import collect, collect_warnings
