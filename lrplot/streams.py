"""Standard output carries data only: what the code lrplot runs prints goes to stderr, fd 1 too."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TextIO

_CLOSED = -1  # what :func:`_stdout_on_stderr` returns when file descriptor 1 was closed


@contextlib.contextmanager
def prints_to_stderr() -> Iterator[None]:
    """Within the block, what a scheduler prints, whether through ``sys.stdout`` or
    straight to file descriptor 1 (a C extension, a process it starts), goes to stderr:
    stdout may be carrying a CSV (``-o -``). What was written to stdout before stays
    before it."""
    if sys.stdout is not None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
    saved = _stdout_on_stderr()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if saved is not None:
            if sys.stderr is not None:
                with contextlib.suppress(OSError, ValueError):
                    sys.stderr.flush()
            if saved == _CLOSED:
                os.close(1)
            else:
                os.dup2(saved, 1)
                os.close(saved)


def prints_to_stderr_from_now() -> None:
    """:func:`prints_to_stderr` for the rest of this process (a worker's: whatever it
    prints is the code's it runs, never data). Not flushed first: a forked worker's
    stdout holds nothing of its own."""
    saved = _stdout_on_stderr()
    if saved is not None and saved != _CLOSED:
        os.close(saved)
    sys.stdout = _whole_lines_to_stderr() or sys.stderr


def _whole_lines_to_stderr() -> TextIO | None:
    """A stream on stderr's file that writes each line in one call, so that lines two
    workers print at once never run into each other (``print`` writes a text and its
    newline apart, which an unbuffered stderr passes on as two writes); None if there is
    no stderr to write to."""
    try:
        fd = os.dup(2)
    except OSError:
        return None
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    return open(fd, "w", buffering=1, encoding=encoding, errors="backslashreplace")


def _stdout_on_stderr() -> int | None:
    """Point file descriptor 1 at stderr's file (even where it was closed: a file opened
    meanwhile must not take its place); a copy of the one it was, to restore, or
    ``_CLOSED``; None if stderr is closed (nowhere to point it)."""
    try:
        saved = os.dup(1)
    except OSError:
        saved = _CLOSED
    try:
        os.dup2(2, 1)
    except OSError:
        if saved != _CLOSED:
            os.close(saved)
        return None
    return saved
