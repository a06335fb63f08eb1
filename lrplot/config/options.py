"""How a figure looks: :class:`PlotOptions`, from a config's ``plot:`` and command-line flags."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from lrplot.config.keys import PLOT, check_value
from lrplot.errors import ConfigError
from lrplot.limits import MAX_PIXELS

YScale = Literal["linear", "log"]


@dataclass(frozen=True)
class PlotOptions:
    """How a figure looks: set by a config's ``plot:`` and by command-line options."""

    yscale: YScale = PLOT["yscale"].default
    size: tuple[float, float] = PLOT["size"].default  # inches; pixels = size x dpi
    dpi: int = PLOT["dpi"].default
    transparent: bool = PLOT["transparent"].default

    def merged(self, **changes: Any) -> PlotOptions:
        """These options with the given ones (those not None) replacing them."""
        options = replace(self, **{k: v for k, v in changes.items() if v is not None})
        options.check_pixels(key="plot")
        return options

    def check_pixels(self, *, key: str | None) -> None:
        """Refuse an image too large to draw in memory (50x50 inches at 1000 dpi would
        need ten gigabytes)."""
        width, height = (round(inches * self.dpi) for inches in self.size)
        if width * height > MAX_PIXELS:
            raise ConfigError(
                f"{self.size[0]:g}x{self.size[1]:g} inches at {self.dpi} dpi is "
                f"{width:,} x {height:,} pixels; at most {MAX_PIXELS:,} pixels in all "
                "(5000 x 5000): lower the size or the dpi",
                key=key,
            )


def parse_plot_options(raw: Any, *, key: str = "plot") -> PlotOptions:
    """Validate a config's ``plot:`` mapping."""
    if raw is None:
        return PlotOptions()
    if not isinstance(raw, dict):
        raise ConfigError(
            "expected a mapping such as {yscale: log, size: [8, 4.5], dpi: 100}", key=key
        )
    for name in raw:
        if name not in PLOT:
            raise ConfigError(f"unknown key; allowed: {', '.join(PLOT)}", key=f"{key}.{name}")
    options = {
        name: check_value(PLOT[name], value, path=f"{key}.{name}") for name, value in raw.items()
    }
    result = PlotOptions(**options)
    result.check_pixels(key=key)
    return result
