"""The one exception family lrplot raises for anything a user can cause or fix."""

from __future__ import annotations


def one_line(text: str) -> str:
    """Collapse a (possibly multi-line) message from elsewhere into one line."""
    return printable(" ".join(text.split()))


def printable(text: str) -> str:
    """``text`` with control and other unprintable characters shown as escapes (a key
    named ``"\v"`` must not break an error message's single line)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class LrplotError(Exception):
    """Base of every error a user can cause; shown as ``Error: <source>: <key>: <message>``.

    ``source`` is the config file (as the user named it), ``key`` the dotted key path
    inside it (``scheduler.schedulers[1].gamma``), ``line`` the 1-based line in the file,
    and ``origin`` the ``--set`` that gave the value, shown instead of the line.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        line: int | None = None,
        origin: str | None = None,
    ) -> None:
        self.message = one_line(message)
        self.source = source
        self.key = key
        self.line = line
        self.origin = origin
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [printable(p) for p in (self.source, self.key) if p]
        text = self.message
        if self.origin is not None:
            text += f" (from {printable(self.origin)})"
        elif self.line is not None:
            text += f" (line {self.line})"
        return ": ".join([*parts, text])

    def located(
        self, *, source: str | None = None, line: int | None = None, origin: str | None = None
    ) -> LrplotError:
        """Fill in the file (and line, or ``--set``) where the error was found, if not
        already known."""
        if self.source is None:
            self.source = source
        if self.line is None and self.origin is None:
            self.line, self.origin = line, origin
        self.args = (str(self),)
        return self


class ConfigError(LrplotError):
    """The config file cannot be read, parsed or validated."""


class ExpressionError(ConfigError):
    """An expression string is invalid, or failed when evaluated."""


class SimulationError(LrplotError):
    """torch raised while building or stepping the schedule."""


class OutputError(LrplotError):
    """An output could not be written."""
