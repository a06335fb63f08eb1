"""Each text measured once per figure style: a memo over matplotlib's ``Text._get_layout``.

matplotlib measures a text every time its extent is asked for: the layout, the axis
labels placed beside their ticks, the title placed above the top axis and every save
each ask again, and tick labels such as ``0`` or ``20`` repeat from figure to figure.
For one renderer, the measure is a pure function of the text, its font, alignment,
rotation and the figure's dpi, so :func:`measured_once` remembers it per renderer while
lrplot draws (inside :func:`lrplot.draw.plotting.drawing`, whose style is always the
same). The bytes drawn are the same, in less time (measured in benchmarks/). This is the one module
that touches matplotlib's private text internals.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

_MEMO: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[Any, list[Any], Any]]] = (
    weakref.WeakKeyDictionary()
)
"""Per renderer (a save's, or the layout's), the texts it measured."""
_MEMO_SIZE = 4096  # texts remembered by one renderer: a figure has about a hundred
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
        memo = _MEMO.setdefault(renderer, {})
        known = memo.get(key)
        if known is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            known = memo[key] = original(self, renderer)
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
