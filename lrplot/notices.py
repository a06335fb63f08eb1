"""What lrplot says about a schedule besides its numbers: ``Notice:`` and ``Warning:`` lines.

Each is one line, ``file: [key: ]message``, made from the config and the simulated
schedule. Notices: an argument ignored, a value torch ran against its own type hints,
what torch warned of, values a log scale cannot draw. Warnings are likely mistakes in
the run being planned (:mod:`lrplot.mistakes`). :func:`collect` and
:func:`collect_warnings` gather them, and :func:`lrplot.pipeline.run` calls both for
every command, so each command prints the same ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrplot.options import PlotOptions
    from lrplot.simulation import Schedule
    from lrplot.spec import Spec


def collect(schedule: Schedule, options: PlotOptions) -> tuple[str, ...]:
    """Every notice about ``schedule`` drawn with ``options``, in a fixed order."""
    spec = schedule.spec
    warned = [f"{spec.source}: torch warned: {text}" for text in schedule.torch_warnings]
    notices = [
        *spec.notices,
        *accepted_doubts(spec),
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
            f"{spec.source}: {key}: {problem}, but torch accepts it: plotted as torch "
            f"computes it{where}"
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


def collect_warnings(schedule: Schedule) -> tuple[str, ...]:
    """Every warning about ``schedule`` its config does not silence, in a fixed order."""
    from lrplot.mistakes import warnings_of

    return warnings_of(schedule)
