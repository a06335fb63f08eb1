"""How lrplot ends when interrupted (Ctrl-C) or when the reader of its output goes away."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import NoReturn


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
