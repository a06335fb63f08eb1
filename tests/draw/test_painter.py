"""The helper process that draws while the main process imports torch."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from lrplot import load_spec, simulate
from lrplot.draw.painter import Painter
from lrplot.draw.plotting import draw, plot_data
from tests.conftest import CONFIGS_DIR, alive


@pytest.fixture(scope="module")
def data():
    spec = load_spec(path=CONFIGS_DIR / "schedulers" / "LambdaLR.yaml")
    return plot_data(simulate(spec=spec))


def test_the_painter_draws_the_same_bytes_as_this_process(data) -> None:
    with Painter() as painter:
        drawn = painter.draw(data, ["png", "svg", "pdf"])
    assert drawn == draw(data, ["png", "svg", "pdf"])


def test_drawing_several_formats_gives_each_the_bytes_it_has_alone(data) -> None:
    together = draw(data, ["png", "svg"])
    assert together == {"png": draw(data, ["png"])["png"], "svg": draw(data, ["svg"])["svg"]}


def test_a_dead_painter_falls_back_to_drawing_here(data) -> None:
    with Painter() as painter:
        painter._process.kill()
        painter._process.wait()
        assert painter.draw(data, ["png"]) == draw(data, ["png"])


def test_the_painter_is_out_of_the_terminals_reach() -> None:
    # Ctrl-C goes to the terminal's foreground process group, so a helper in a session
    # of its own cannot print a KeyboardInterrupt traceback of its own.
    with Painter() as painter:
        assert os.getsid(painter._process.pid) == painter._process.pid != os.getsid(0)


def test_what_the_painter_prints_goes_to_this_process_stderr() -> None:
    with Painter() as painter:
        printed = os.stat(f"/proc/{painter._process.pid}/fd/1")
    ours = os.fstat(2)
    assert (printed.st_dev, printed.st_ino) == (ours.st_dev, ours.st_ino)


def test_the_painter_ends_when_this_process_does(tmp_path) -> None:
    probe = (
        "import os, sys\n"
        "from lrplot.draw.painter import Painter\n"
        "painter = Painter()\n"
        "print(painter._process.pid, flush=True)\n"
        "os._exit(0)\n"  # as if killed: no close()
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(result.stdout)
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)


def test_a_painter_error_is_raised_here_as_usual(data) -> None:
    with Painter() as painter, pytest.raises(KeyError):
        painter.draw(data, ["gif"])


def test_no_painter_where_it_cannot_help(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Painter.start_if_useful(images=False) is None
    assert "torch" in sys.modules  # this test process imported it already
    assert Painter.start_if_useful(images=True) is None
    for name in ("torch", "matplotlib"):
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert Painter.start_if_useful(images=True) is None
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    painter = Painter.start_if_useful(images=True)
    assert painter is not None
    painter.close()
