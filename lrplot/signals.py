"""How lrplot ends: with its status, on Ctrl-C, on a closed pipe; and where a Ctrl-C must wait."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import NoReturn


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) back until the block ends, then act on it as the handler
    in place would have. For imports that must not be interrupted half-way: torch's
    C++ start-up aborts the whole process (SIGABRT, "terminate called after throwing
    pybind11::error_already_set") when a KeyboardInterrupt is raised inside it. Only in
    the main thread, where Python runs signal handlers; elsewhere, the block just runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        if callable(previous):
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGINT)


def end_now(status: int) -> NoReturn:
    """End with ``status`` at once, once standard output and error are flushed, skipping
    Python's teardown of the modules loaded: after torch, that takes about 0.3 s and
    does nothing lrplot needs (every file a command writes is complete and closed when
    it returns, and its helper and worker processes are stopped). If a stream cannot be
    flushed, Python ends as usual, and says why."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status)


def end_by_signal(signum: int, *, quiet_stdout: bool = False) -> NoReturn:
    """End killed by ``signum``, as programs stopped by Ctrl-C (SIGINT) or a closed pipe
    (SIGPIPE) do, and as Python itself does after an unhandled Ctrl-C. Shells report it
    as 128 + the signal (130, 141), and a shell script running lrplot stops on Ctrl-C,
    which it would not if lrplot exited normally (the shell would take it as handled)."""
    if quiet_stdout:  # nothing more can reach the reader; flushing must not fail again
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if os.name == "posix":
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    sys.exit(128 + signum)


def interrupted() -> NoReturn:
    """Say so on stderr, and end as interrupted (see :func:`end_by_signal`)."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("Interrupted.\n")
    end_by_signal(signal.SIGINT)
