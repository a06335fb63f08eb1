"""lrplot: see a PyTorch learning-rate schedule before you spend GPU hours on it.

From a notebook::

    import lrplot
    spec = lrplot.load_spec(path="configs/tutorial/StepLR.yaml")
    schedule = lrplot.simulate(spec=spec)
    schedule.lr[0]                      # array('d'): the lr before each step
    png = lrplot.render(schedule=schedule, format="png")
"""

from lrplot.errors import ConfigError, ExpressionError, LrplotError, OutputError, SimulationError
from lrplot.export import FORMATS, columns, render, to_csv, to_json, write
from lrplot.simulation import DEFAULT_MAX_STEPS, Schedule, simulate
from lrplot.spec import Spec, load_spec, parse_spec

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_STEPS",
    "FORMATS",
    "ConfigError",
    "ExpressionError",
    "LrplotError",
    "OutputError",
    "Schedule",
    "SimulationError",
    "Spec",
    "__version__",
    "columns",
    "load_spec",
    "parse_spec",
    "render",
    "simulate",
    "to_csv",
    "to_json",
    "write",
]
