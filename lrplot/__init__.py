"""lrplot: see a PyTorch learning-rate schedule before you spend GPU hours on it.

From a notebook::

    import lrplot
    outcome = lrplot.run(config=lrplot.Config(path="configs/tutorial/StepLR.yaml"))
    outcome.schedule.lr[0]              # array('d'): the lr before each step
    outcome.notices                     # what the command line prints as Notice: lines
    outcome.warnings                    # ... and as Warning: lines (likely mistakes)
    png = lrplot.render(schedule=outcome.schedule, format="png")

    # Your own scheduler objects: build(optimizer) returns them; the result shows in Jupyter.
    lrplot.trace(lambda opt: torch.optim.lr_scheduler.StepLR(opt, 30), epochs=90)

The names below are imported on first use, so that ``import lrplot`` (and
``lrplot --help``) stays instant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "ConfigError": "lrplot.errors",
    "ExpressionError": "lrplot.errors",
    "LrplotError": "lrplot.errors",
    "OutputError": "lrplot.errors",
    "SimulationError": "lrplot.errors",
    "FORMATS": "lrplot.outputs.export",
    "columns": "lrplot.outputs.export",
    "render": "lrplot.outputs.export",
    "to_csv": "lrplot.outputs.export",
    "to_json": "lrplot.outputs.export",
    "write": "lrplot.outputs.export",
    "build_gallery": "lrplot.gallery.build",
    "RunFacts": "lrplot.formats",
    "Config": "lrplot.pipeline",
    "Outcome": "lrplot.pipeline",
    "PlotChanges": "lrplot.pipeline",
    "Settings": "lrplot.pipeline",
    "run": "lrplot.pipeline",
    "DEFAULT_MAX_STEPS": "lrplot.limits",
    "Schedule": "lrplot.simulation.runner",
    "simulate": "lrplot.simulation.runner",
    "trace": "lrplot.simulation.trace",
    "Spec": "lrplot.config.spec",
    "load_spec": "lrplot.config.validation.validator",
    "parse_spec": "lrplot.config.validation.validator",
}

__all__ = [
    "DEFAULT_MAX_STEPS",
    "FORMATS",
    "Config",
    "ConfigError",
    "ExpressionError",
    "LrplotError",
    "Outcome",
    "OutputError",
    "PlotChanges",
    "RunFacts",
    "Schedule",
    "Settings",
    "SimulationError",
    "Spec",
    "__version__",
    "build_gallery",
    "columns",
    "load_spec",
    "parse_spec",
    "render",
    "run",
    "simulate",
    "to_csv",
    "to_json",
    "trace",
    "write",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lrplot' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from lrplot.config.spec import Spec
    from lrplot.config.validation.validator import load_spec, parse_spec
    from lrplot.errors import (
        ConfigError,
        ExpressionError,
        LrplotError,
        OutputError,
        SimulationError,
    )
    from lrplot.formats import RunFacts
    from lrplot.gallery.build import build_gallery
    from lrplot.limits import DEFAULT_MAX_STEPS
    from lrplot.outputs.export import FORMATS, columns, render, to_csv, to_json, write
    from lrplot.pipeline import Config, Outcome, PlotChanges, Settings, run
    from lrplot.simulation.runner import Schedule, simulate
    from lrplot.simulation.trace import trace
