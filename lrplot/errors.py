"""The one exception family lrplot raises for anything a user can cause or fix."""

from __future__ import annotations

import re
from typing import Any

MAX_MESSAGE = 1000
"""Longest message text, in characters: a message quotes only excerpts of what it read."""
MAX_QUOTED = 24
"""Longest excerpt of a value a message quotes, in characters."""
MAX_QUOTED_KEY = 64
"""Longest key path an error shows (a config's keys may be anything)."""
MAX_QUOTED_NAME = 100
"""Longest excerpt of a name a message quotes (a scheduler type, a module, a key)."""


def one_line(text: str) -> str:
    """Collapse a (possibly multi-line) message from elsewhere into one line."""
    return printable(" ".join(text.split()))


def failed_assertion(e: AssertionError) -> str:
    """``assert lb < ub failed``: the source line of a bare assertion (timm checks its
    arguments so), if it can be read; else an empty string."""
    import traceback

    frames = traceback.extract_tb(e.__traceback__)
    line = (frames[-1].line or "").strip() if frames else ""
    return f"{line} failed" if line.startswith("assert ") else ""


def printable(text: str) -> str:
    """``text`` with control, format (right-to-left, zero-width) and other unprintable
    characters shown as escapes: a key named ``"\v"`` must not break an error message's
    single line. A file name's bytes that are not UTF-8 show as ``\xff``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(c: str) -> str:
    if "\udc80" <= c <= "\udcff":  # a byte os.fsdecode could not decode
        return f"\\x{ord(c) - 0xDC00:02x}"
    return c.encode("unicode_escape").decode()


def name_excerpt(name: object) -> str:
    """A name as a message quotes it (a scheduler type, a module): see :func:`excerpt`."""
    return excerpt(name, MAX_QUOTED_NAME)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def excerpt(value: object, limit: int = MAX_QUOTED) -> str:
    """A value as a message quotes it: its ``repr``, cut to about ``limit`` characters
    (a file read by mistake, such as a secret, is not printed whole)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit + 8 else text[:limit] + "..."


MAX_QUOTED_FIELD = 64
"""Longest column name or number read from a data file (a log, a metric file) that a
message quotes; see :func:`data_name` and :func:`data_value`."""
_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/\[\]-]*")
_NAME_SEPARATORS = re.compile(r"[_.:/\[\]-]")
_WORD = re.compile(r"[A-Za-z]{1,20}[0-9]*|[0-9]{1,20}")
"""A part of a name between separators: a word, perhaps numbered (``pg1``, ``top5``),
or a number. A token or key (``ghp_16C7e42F...``, ``AKIAIOSFODNN7EXAMPLE``) mixes them."""
_NUMBER_LIKE = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:nan|inf|infinity)",
    re.IGNORECASE,
)


class Unread:
    """A value of a data file lrplot did not read (a number of too many digits, NaN),
    standing in for it; :func:`data_value` says what it was."""

    __slots__ = ("said",)

    def __init__(self, said: str) -> None:
        self.said = said


def looks_like_name(text: str) -> bool:
    """Whether a column name or key read from a data file looks like one (short, a
    letter or ``_`` then letters, digits and ``_ . : / - [ ]``, each part between those
    a word of at most 20 letters, perhaps numbered, or a number): only such are quoted."""
    return (
        len(text) <= MAX_QUOTED_FIELD
        and _NAME_LIKE.fullmatch(text) is not None
        and all(_WORD.fullmatch(part) for part in _NAME_SEPARATORS.split(text) if part)
    )


def _characters(count: int) -> str:
    return f"{count:,} character{'s' * (count != 1)}"


def data_name(text: str) -> str:
    """A column name or key of a data file as a message shows it: quoted when it looks
    like a name, else only its length (a file read by mistake may hold a secret)."""
    return repr(text) if looks_like_name(text) else f"a field of {_characters(len(text))}"


def data_value(value: object) -> str:
    """A value of a data file as a message shows it: quoted only when it is short and
    looks like a number; else what kind of thing it is (``text of 7 characters``,
    ``an object``), never its content."""
    if isinstance(value, Unread):
        return value.said
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and value.bit_length() > 4 * MAX_QUOTED_FIELD:
        return "a number of over 64 digits"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= MAX_QUOTED_FIELD else f"a number of {len(text):,} digits"
    if isinstance(value, str):
        if not value.strip():
            return "an empty field" if not value else "a field of spaces"
        if not _NUMBER_LIKE.fullmatch(value.strip()):
            return f"text of {_characters(len(value))}"
        return (
            repr(value)
            if len(value) <= MAX_QUOTED_FIELD
            else f"a number of {len(value):,} characters"
        )
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a value"


def describe_value(value: Any, *, quote: bool = True) -> str:
    """A config value in words, for messages: ``text 'x'``, ``null``, ``a list [1, 2]``;
    without ``quote``, text and lists are described by their length only."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"text {excerpt(value)}" if quote else f"text ({len(value):,} characters)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        shown = repr(value)
        if quote:
            return f"a list {shown}" if len(shown) <= 60 else "a list"
        return f"a list of {len(value):,} item{'s' * (len(value) != 1)}"
    return excerpt(value)


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
        self.message = _clip(one_line(message), MAX_MESSAGE)
        self.source = source
        self.key = key
        self.line = line
        self.origin = origin
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [
            _clip(printable(part), limit)
            for part, limit in ((self.source, MAX_MESSAGE // 2), (self.key, MAX_QUOTED_KEY))
            if part
        ]
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


class UsageError(LrplotError):
    """A mistake in how lrplot was called (an option's value, a name to look up), not in a
    config: the command line shows it as a usage error, with exit status 2."""
