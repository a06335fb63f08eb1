"""What lrplot says about a schedule besides its numbers: ``Notice:`` and ``Warning:`` lines.

Each is one line, ``file: [key: ]message``, made from the config and the simulated
schedule. Notices: an argument ignored, a value torch ran against its own type hints,
what torch warned of, values a log scale cannot draw, and for plots, values a linear
axis shows as zero. Warnings are likely mistakes in
the run being planned (:mod:`lrplot.checks.mistakes`). :func:`collect` and
:func:`collect_warnings` gather them, and :func:`lrplot.pipeline.run` calls both for
every command, so each command prints the same ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrplot.config.options import PlotOptions
    from lrplot.config.spec import Spec
    from lrplot.simulation.runner import Schedule


def collect(schedule: Schedule, options: PlotOptions) -> tuple[str, ...]:
    """Every notice about ``schedule`` drawn with ``options``, in a fixed order."""
    spec = schedule.spec
    warned = [f"{spec.source}: torch warned: {text}" for text in schedule.torch_warnings]
    notices = [
        *spec.notices,
        *accepted_doubts(spec),
        *schedule.notices,
        *warned,
        *log_scale(schedule, options),
    ]
    return tuple(dict.fromkeys(notices))


def accepted_doubts(spec: Spec) -> list[str]:
    """Values that did not fit torch's type hints, which torch ran anyway: the plot is
    what torch computes with them, which may not be what was meant."""
    notices = []
    for key, problem in spec.doubts.items():
        line = spec.line(key)
        where = f" (line {line})" if line is not None and spec.origin(key) is None else ""
        notices.append(
            f"{spec.source}: {spec.file_key(key)}: {problem}, but torch accepts it: plotted as "
            f"torch computes it{where}"
        )
    return notices


def log_scale(schedule: Schedule, options: PlotOptions) -> list[str]:
    """On a log scale, a notice for each group whose lr reaches 0 or below: those
    values cannot be drawn, so the line has gaps or stops there."""
    if options.yscale != "log":
        return []
    return [
        f"{schedule.spec.source}: on a log scale, learning rates of 0 and below are not "
        f"drawn: {schedule.learning_rate(group)} is {schedule.lr[group][step]!r} at "
        f"{schedule.at_step(step)}"
        for group, step in schedule.first_below(0.0, inclusive=True)
    ]


HIDDEN_SHARE = 0.2
"""The share of a run's steps near the foot of a linear axis that earns a notice."""


def linear_hides(schedule: Schedule, options: PlotOptions) -> list[str]:
    """For a plot drawn (not for CSV or JSON, nor ``validate``: :func:`lrplot.pipeline.produce`
    adds it), on a linear axis, a notice when much of the run is drawn within 1% of the
    axis' height (stages of 0.001 and 0.0001 under 0.1, a group at 1e-5 beside one at
    1e-3): those values look like zero, and a log axis tells them apart."""
    import numpy as np

    if options.yscale != "linear":
        return []
    columns = [np.frombuffer(column, dtype=np.float64) for column in schedule.lr if len(column)]
    top = max((float(values.max()) for values in columns), default=0.0)
    if not top > 0:
        return []
    low = [values[(values > 0) & (values <= top / 100)] for values in columns]
    count = sum(len(values) for values in low)
    steps = sum(len(values) for values in columns)
    if not steps or count < HIDDEN_SHARE * steps:
        return []
    lowest = min(float(values.min()) for values in low if len(values))
    return [
        f"{schedule.spec.source}: {count / steps:.0%} of the lr values are at most "
        f"1/100 of the highest ({top:.3g}, the lowest {lowest:.3g}): on a linear axis "
        "they look like zero; --log-y (or plot: {yscale: log}) tells them apart"
    ]


def collect_warnings(schedule: Schedule) -> tuple[str, ...]:
    """Every warning about ``schedule`` its config does not silence, in a fixed order: a
    native file's own mistakes (:mod:`lrplot.checks.native`) first."""
    from lrplot.checks.mistakes import warnings_of

    native = schedule.spec.native
    if native is None:
        return warnings_of(schedule)
    from lrplot.checks.native import native_warnings

    return native_warnings(native, schedule.spec.source) + warnings_of(schedule)
