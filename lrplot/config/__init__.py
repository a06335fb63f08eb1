"""A config read safely and checked into a Spec: its keys, loop, metric, logs, schema, listing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "PlotOptions",
    "Spec",
    "config_schema",
    "load_spec",
    "parse_spec",
]

__getattr__ = lazy_names(
    __name__,
    {
        "Spec": "lrplot.config.spec",
        "load_spec": "lrplot.config.validation.validator",
        "parse_spec": "lrplot.config.validation.validator",
        "PlotOptions": "lrplot.config.options",
        "config_schema": "lrplot.config.schema",
    },
)

if TYPE_CHECKING:
    from lrplot.config.options import PlotOptions
    from lrplot.config.schema import config_schema
    from lrplot.config.spec import Spec
    from lrplot.config.validation.validator import load_spec, parse_spec
