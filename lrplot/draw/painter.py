"""Drawing plots in a helper process, which imports matplotlib while this one imports torch.

A command that writes images spends most of its time importing torch (about 1.3 s) and
matplotlib (about 0.4 s). They do not depend on each other, so on a machine with two or
more cores the CLI starts a :class:`Painter` first: a Python process that imports
matplotlib and warms it up, then draws :class:`~lrplot.draw.plotting.PlotData` on request.
Should the helper fail in any way, drawing falls back to this process.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

from lrplot.draw.plotting import PlotData, draw

_PACKAGE = str(Path(__file__).resolve().parent.parent)

# The helper's whole program: import this lrplot (argv[2], its folder), and nothing else
# from that folder, then serve the connection whose file descriptor is argv[1].
_PROGRAM = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "lrplot", sys.argv[2] + "/__init__.py", submodule_search_locations=[sys.argv[2]]
)
module = importlib.util.module_from_spec(spec)
sys.modules["lrplot"] = module
spec.loader.exec_module(module)
from lrplot.draw.painter import serve
serve(int(sys.argv[1]))
"""


class Painter:
    """A helper process that draws plots; use as a context manager."""

    def __init__(self) -> None:
        self._conn, child = multiprocessing.Pipe()
        try:
            # In a session of its own, the helper is out of the terminal's reach: Ctrl-C
            # stops this process only, and the helper ends when its connection closes.
            # Its stderr is dropped: whatever fails there is drawn again, and reported,
            # here; what it prints goes to this process's stderr, as when drawing here
            # (stdout carries data only). -P, and no folder added to the path: a file in
            # the current folder (or beside lrplot) cannot stand in for a module; cwd:
            # matplotlib reads a matplotlibrc in the current folder when it is imported.
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-c", _PROGRAM, str(child.fileno()), _PACKAGE],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=2,
                stderr=subprocess.DEVNULL,
                cwd=_PACKAGE,
                start_new_session=True,
            )
        finally:
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
        except (OSError, ValueError):
            return None

    def draw(self, data: PlotData, formats: Sequence[str]) -> dict[str, bytes]:
        """What :func:`lrplot.draw.plotting.draw` returns, drawn by the helper if it can."""
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
        self._process.wait()
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


def draw_in_worker(task: tuple[PlotData, Sequence[str]] | None) -> dict[str, bytes] | None:
    """What :func:`lrplot.draw.plotting.draw` returns for ``task`` (nothing to draw: empty),
    in a worker process (see :mod:`lrplot.gallery.workers`); None if drawing fails there: the
    caller draws again itself, as with a :class:`Painter`, and sees the real error."""
    if task is None:
        return {}
    try:
        return draw(*task)
    except Exception:
        return None


def serve(fd: int) -> None:
    """The helper's loop: warm up, then draw what arrives on the connection ``fd``."""
    from lrplot.draw.plotting import warm_up

    conn = Connection(fd)
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
