"""Each text measured once per kind of renderer: a memo over matplotlib's ``Text._get_layout``.

matplotlib measures a text every time its extent is asked for: the layout, the axis
labels placed beside their ticks, the title placed above the top axis and every save
each ask again, and tick labels such as ``0`` or ``20`` repeat from figure to figure.
The measure is a pure function of the text, its font, alignment, rotation, the figure's
dpi and the renderer's kind and scale (``points_to_pixels``: Agg measures in pixels at
its dpi, SVG and PDF in points), given the style, so :func:`measured_once` remembers it
across figures and saves while lrplot draws (inside :func:`lrplot.draw.plotting.drawing`,
whose style is always the same). The bytes drawn are the same, in less time (measured in
benchmarks/). This is the one module that touches matplotlib's private text internals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_MEMO: dict[tuple[Any, ...], tuple[Any, list[Any], Any]] = {}
"""The texts measured, by renderer kind and scale and everything else the measure reads."""
_MEMO_SIZE = 4096  # texts remembered: a figure has about a hundred, many alike
_depth = 0


@contextlib.contextmanager
def measured_once() -> Iterator[None]:
    """Within this block, matplotlib measures each distinct text once (re-entrant)."""
    global _depth
    from matplotlib.text import Text

    original = Text.__dict__["_get_layout"]

    def layout(self: Text, renderer: Any) -> tuple[Any, list[Any], Any]:
        if self.get_wrap() or self.get_usetex():  # wrapping depends on where the text is
            return original(self, renderer)  # type: ignore[no-any-return]
        key = (
            type(getattr(renderer, "_renderer", renderer)),  # SVG's or PDF's in a MixedMode one
            renderer.points_to_pixels(72.0),
            self.get_figure(root=True).dpi,  # type: ignore[union-attr]
            self.get_text(),
            self.get_fontproperties(),
            self.get_parse_math(),
            self._linespacing,  # type: ignore[attr-defined]
            self._get_multialignment(),  # type: ignore[attr-defined]
            self.get_rotation(),
            self.get_rotation_mode(),
            self.get_horizontalalignment(),
            self.get_verticalalignment(),
        )
        known = _MEMO.get(key)
        if known is None:
            if len(_MEMO) >= _MEMO_SIZE:
                _MEMO.clear()
            known = _MEMO[key] = original(self, renderer)
        bbox, lines, box = known
        return bbox.frozen(), list(lines), box

    if _depth == 0:
        Text._get_layout = layout  # type: ignore[attr-defined]
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            Text._get_layout = original  # type: ignore[attr-defined]
