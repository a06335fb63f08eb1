"""Drawing plots in a helper process, which imports matplotlib while this one imports torch.

A command that writes images spends most of its time importing torch (about 1.3 s) and
matplotlib (about 0.4 s). They do not depend on each other, so on a machine with two or
more cores the CLI starts a :class:`Painter` first: a spawned process that imports
matplotlib and warms it up, then draws :class:`~lrplot.plotting.PlotData` on request.
Should the helper fail in any way, drawing falls back to this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from types import TracebackType

from lrplot.plotting import PlotData, draw


class Painter:
    """A helper process that draws plots; use as a context manager."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._broken = False

    @classmethod
    def start_if_useful(cls, *, images: bool) -> Painter | None:
        """A painter when images will be drawn, a second core can warm it up, and this
        process has yet to import torch and matplotlib (else drawing here is quicker)."""
        cold = "torch" not in sys.modules and "matplotlib" not in sys.modules
        if not images or not cold or (os.cpu_count() or 1) < 2:
            return None
        try:
            return cls()
        except OSError:
            return None

    def draw(self, data: PlotData, formats: Sequence[str]) -> dict[str, bytes]:
        """What :func:`lrplot.plotting.draw` returns, drawn by the helper if it can."""
        if not self._broken:
            try:
                self._conn.send((data, list(formats)))
                ok, result = self._conn.recv()
                if ok:
                    return dict(result)
            except (EOFError, OSError):
                pass
            self._broken = True
        return draw(data, formats)  # here, where an error is raised as usual

    def close(self) -> None:
        """Stop the helper process. It holds nothing worth a graceful exit, which would
        cost a tenth of a second tearing matplotlib down."""
        self._process.terminate()
        self._process.join()
        self._conn.close()

    def __enter__(self) -> Painter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _serve(conn: Connection) -> None:
    from lrplot.plotting import warm_up

    warm_up()
    while True:
        try:
            data, formats = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send((True, draw(data, formats)))
        except Exception as e:  # the caller draws again itself and sees the real error
            conn.send((False, repr(e)))
