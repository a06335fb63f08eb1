"""Reading a config file into plain data: size limit, safe YAML only, key-path line numbers."""

from __future__ import annotations

import os
import re
import select
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lrplot.errors import ConfigError, excerpt, printable
from lrplot.limits import MAX_CONFIG_BYTES, MAX_DEPTH, MAX_KEY_LENGTH, MAX_VALUES

T = TypeVar("T")

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _TooManyNodes(Exception):
    """Raised while composing: the document has more values than a config may."""

    def __init__(self, line: int) -> None:
        self.line = line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading scalars as YAML 1.2 does (and as JSON and editors
    do): ``true``/``false`` only, decimal integers (``010`` is ten), floats with or
    without a dot (``1e-3``), and no sexagesimal ``1:30``; dates stay text. It also stops
    composing once a document has more values than a config may hold."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            raise _TooManyNodes(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
        node: Node | None = super().compose_node(parent, index)
        return node


def _yaml_1_2_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    kept = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
        first: [(tag, regexp) for tag, regexp in entries if tag in kept]
        for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    yaml_1_2 = [
        ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
        ("tag:yaml.org,2002:int", r"[-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
        (
            "tag:yaml.org,2002:float",
            r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
            r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
            "-+.0123456789",
        ),
    ]
    for tag, pattern, firsts in yaml_1_2:
        for first in firsts:
            resolvers.setdefault(first, []).append((tag, re.compile(f"^(?:{pattern})$")))
    return resolvers


def _construct_int(loader: yaml.SafeLoader, node: Any) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if _too_many_digits(text):
        raise ValueError("too many digits")
    if text.startswith(("0x", "0o")):
        return int(text, 16 if text[1] == "x" else 8)
    return int(text, 10)


def _too_many_digits(text: str) -> bool:
    """Whether an integer's text is longer than Python turns into decimal text (4,300
    digits): a hexadecimal or octal one counts by the decimal digits it would have."""
    digits = text.lstrip("+-").removeprefix("0x").removeprefix("0o")
    per_digit = 1.21 if text.lstrip("+-").startswith("0x") else 0.91 if "0o" in text else 1.0
    limit = sys.get_int_max_str_digits() or 10**9
    return len(digits) * per_digit > limit


_Loader.yaml_implicit_resolvers = _yaml_1_2_resolvers()
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _Yaml11Loader(_Loader):
    """Plain values as PyYAML's ``yaml.safe_load`` reads them (YAML 1.1: ``2e-5`` and
    ``yes`` are text and true, ``010`` is eight), as other tools read their files; dates
    stay text. The same limits as :class:`_Loader`."""


_Yaml11Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:timestamp"]
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_yaml_1_1_int(loader: yaml.SafeLoader, node: Any) -> int:
    value: int = yaml.SafeLoader.construct_yaml_int(loader, node)
    return value


_Yaml11Loader.add_constructor("tag:yaml.org,2002:int", _construct_yaml_1_1_int)


@dataclass(frozen=True)
class ConfigDocument:
    """A parsed config: plain data, plus the line where each key path starts, and the
    ``--set`` that gave each overridden key path."""

    data: Any
    source: str
    lines: dict[str, int] = field(default_factory=dict)
    set_by: dict[str, str] = field(default_factory=dict)

    def line(self, key: str) -> int | None:
        """The 1-based line of ``key`` (or of its nearest enclosing key)."""
        return nearest(self.lines, key)

    def origin(self, key: str) -> str | None:
        """``--set a.b=...`` when ``key`` (or a key enclosing it) was given that way."""
        return nearest(self.set_by, key)

    def error(self, key: str | None, message: str) -> ConfigError:
        """A ConfigError about ``key`` (None: the whole file), at its line or its ``--set``."""
        return ConfigError(
            message,
            source=self.source,
            key=key,
            line=self.line(key) if key else None,
            origin=self.origin(key) if key else None,
        )

    def renamed(self, data: Any, names: Mapping[str, str]) -> ConfigDocument:
        """A document of ``data``, translated from this one, whose key ``ours`` has the
        ``--set`` origin, or else the line, of this document's key ``names[ours]`` (so that
        errors about a translation name the file's own lines and options)."""
        lines: dict[str, int] = {}
        set_by: dict[str, str] = {}
        for ours, theirs in names.items():
            origin, line = self.origin(theirs), self.lines.get(theirs)
            if origin is not None:
                set_by[ours] = origin
            elif line is not None:
                lines[ours] = line
        return ConfigDocument(data=data, source=self.source, lines=lines, set_by=set_by)


def nearest(lines: Mapping[str, T], key: str) -> T | None:
    """The value of ``key`` in a key-path map (such as lines), else of its nearest
    enclosing key."""
    while key:
        if key in lines:
            return lines[key]
        key = _parent(key)
    return None


def file_key(names: Mapping[str, str], key: str) -> str:
    """The native file's key for lrplot's ``key``, by a translation's ``names`` (lrplot's
    key paths to the file's): that of ``key``, or of its nearest enclosing key with the rest
    of ``key`` after it; ``key`` itself if it is one of the file's, or none encloses it."""
    if key in names.values():
        return key
    prefix = key
    while prefix and prefix not in names:
        prefix = _parent(prefix)
    return names[prefix] + key[len(prefix) :] if prefix else key


def _parent(key: str) -> str:
    cut = max(key.rfind("."), key.rfind("["))
    return key[:cut] if cut > 0 else ""


def child_key(parent: str, name: str | int) -> str:
    """The key path of ``name`` inside ``parent``: ``a.b`` for names, ``a[0]`` for indexes."""
    if isinstance(name, int):
        return f"{parent}[{name}]"
    return f"{parent}.{name}" if parent else name


def read_config_text(path: Path, *, source: str) -> str:
    """Read a config named on the command line (or from Python) as text (see
    :func:`read_named_file`), refusing non-UTF-8 bytes."""
    return decode_config_bytes(read_named_file(path, source=source), source=source)


def read_named_file(
    path: Path, *, source: str, limit: int = MAX_CONFIG_BYTES + 1, what: str = "config file"
) -> bytes:
    """Read a file named on the command line (or from Python), at most ``limit`` bytes,
    refusing folders and a symbolic link to a file outside both the current folder and
    the link's own: a committed link must not make lrplot read, and quote, a file
    elsewhere. A named pipe is read as it is written (``<(...)``), and one nobody writes
    to reads as empty instead of blocking."""
    try:
        if path.is_symlink():
            real = os.path.realpath(path)
            inside = (os.path.realpath(os.getcwd()), os.path.realpath(path.parent))
            if not any(_within(real, folder) for folder in inside):
                raise ConfigError(
                    "is a symbolic link to a file outside the current folder and its own; "
                    "lrplot does not follow it: name the file itself",
                    source=source,
                )
        if path.is_dir():
            raise ConfigError(f"is a folder, not a {what}", source=source)
        fd = os.open(path, os.O_RDONLY | _NO_WAIT)
    except FileNotFoundError:
        raise ConfigError("file not found", source=source) from None
    except PermissionError:
        raise ConfigError("permission denied: cannot read the file", source=source) from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read the file: {_reason(e)}", source=source) from None
    return _read_at_most(fd, source, regular_only=False, limit=limit)


def read_config_below(folder: Path, name: str) -> bytes:
    """The bytes of the config ``name`` inside ``folder``, a folder of untrusted files (a
    gallery's configs): it must be a regular file, and a link to it must not leave
    ``folder``. At most one byte more than a config may hold is read (see
    :func:`decode_config_bytes`); a named pipe cannot block the read."""
    return read_below(
        folder,
        name,
        limit=MAX_CONFIG_BYTES + 1,
        outside=f"is a symbolic link to a file outside {printable(str(folder))}; the gallery "
        "does not follow links out of its folder",
    )


def read_below(folder: Path, name: str, *, limit: int, outside: str, source: str = "") -> bytes:
    """The bytes of the regular file ``name`` inside ``folder`` (at most ``limit``), which
    must not lead out of it, by ``..`` or a link (``outside``: what to say if it does)."""
    path = folder / name
    source = source or printable(str(path))
    try:
        real = os.path.realpath(path)
        if not _within(real, os.path.realpath(folder)):
            raise ConfigError(outside, source=source)
        fd = os.open(real, os.O_RDONLY | _NO_WAIT)
    except FileNotFoundError:
        raise ConfigError("file not found", source=source) from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read the file: {_reason(e)}", source=source) from None
    return _read_at_most(fd, source, regular_only=True, limit=limit)


_NO_WAIT = getattr(os, "O_NONBLOCK", 0)


def _within(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _read_at_most(
    fd: int, source: str, *, regular_only: bool, limit: int = MAX_CONFIG_BYTES + 1
) -> bytes:
    """At most ``limit`` bytes from ``fd`` (opened not to block), which is closed. Waits
    for a pipe's writer to write; a pipe with none ends at once."""
    try:
        kind = os.fstat(fd).st_mode
        if stat.S_ISDIR(kind):
            raise ConfigError("is a folder, not a config file", source=source)
        if regular_only and not stat.S_ISREG(kind):
            raise ConfigError("is not a regular file", source=source)
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            try:
                chunk = os.read(fd, limit - size)
            except BlockingIOError:  # a writer, who has yet to write
                select.select([fd], [], [])
                continue
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise ConfigError(f"cannot read the file: {_reason(e)}", source=source) from None
    finally:
        os.close(fd)


def _reason(e: BaseException) -> str:
    return (e.strerror if isinstance(e, OSError) else None) or str(e)


def decode_config_bytes(raw: bytes, *, source: str) -> str:
    """Check the size of a config's bytes and decode them as UTF-8."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"the file is larger than {MAX_CONFIG_BYTES // 1024} KiB; "
            "a schedule config is a few lines",
            source=source,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"not UTF-8 text (bad byte at offset {e.start})", source=source
        ) from None


def parse_config_text(text: str, *, source: str, yaml_1_1: bool = False) -> ConfigDocument:
    """Parse YAML (or JSON, a subset of it) into plain dicts, lists and scalars; with
    ``yaml_1_1``, plain values as PyYAML's ``safe_load`` reads them (see
    :class:`_Yaml11Loader`).

    Only plain data is accepted: no tags (``!!python/object`` ...), no duplicate keys,
    and no more than :data:`MAX_VALUES` values after aliases are expanded.
    """
    try:
        loader = (_Yaml11Loader if yaml_1_1 else _Loader)(text)
    except yaml.reader.ReaderError as e:
        raise _reader_error(e, text, source) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.reader.ReaderError as e:
            raise _reader_error(e, text, source) from None
        except yaml.MarkedYAMLError as e:
            raise _yaml_error(e, source) from None
        except yaml.YAMLError as e:
            raise ConfigError(f"invalid YAML: {e}", source=source) from None
        except RecursionError:
            raise ConfigError(
                f"invalid YAML: nested more than {MAX_DEPTH} levels deep", source=source
            ) from None
        except _TooManyNodes as e:
            raise ConfigError(_too_many(), source=source, line=e.line) from None
        if node is None:
            raise ConfigError(
                "the config is empty; it needs at least a `scheduler:` mapping", source=source
            )
        builder = _Builder(loader, source)
        data = builder.build(node, "", 0)
        return ConfigDocument(data=data, source=source, lines=builder.lines)
    finally:
        loader.dispose()


def load_config_document(path: Path, *, source: str) -> ConfigDocument:
    """Read and parse a config file."""
    return parse_config_text(read_config_text(path, source=source), source=source)


def _reader_error(e: yaml.reader.ReaderError, text: str, source: str) -> ConfigError:
    line = text.count("\n", 0, e.position) + 1
    return ConfigError(
        f"invalid YAML: the character {e.character:#06x} is not allowed in YAML text",
        source=source,
        line=line,
    )


def _yaml_error(e: yaml.MarkedYAMLError, source: str) -> ConfigError:
    """PyYAML's complaint, said as what is most likely wrong and where it started."""
    mark = e.problem_mark or e.context_mark
    problem = _clipped(str(e.problem or e.context or "cannot parse"))  # it may quote an alias
    context = str(e.context or "")
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    start = e.context_mark
    started = f"line {start.line + 1}, column {start.column + 1}" if start else ""
    if "found unhashable key" in problem:
        problem = "a key must be plain text"
    elif "found character '\\t'" in problem:
        problem = "a tab where YAML expects spaces: indent with spaces, not tabs"
    elif "expected a single document" in context:
        problem = "more than one YAML document (`---`); a config is one mapping"
    elif "mapping values are not allowed here" in problem:
        problem = (
            "a `key: value` where YAML expects none: most likely this line is indented "
            "more than the key above it, a `:` on the line before lacks its space, or a "
            "text value holds ': ' (quote it)"
        )
    elif "expected <block end>" in problem and start:
        problem = (
            "this line is indented as no key or item above it is: line it up with the "
            f"others of its mapping, which starts at {started}"
        )
    elif context.startswith("while parsing a flow") and start:
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        problem = (
            f"the `{bracket}` at {started} is not closed where YAML expected it: add "
            f"`{closing}` at the end of its {'list' if bracket == '[' else 'mapping'}"
        )
        where = (
            f" (YAML stopped at line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        )
    elif "while scanning a quoted scalar" in context and start:
        problem = f"the quote at {started} is never closed: add the closing quote"
        where = ""
    return ConfigError(f"invalid YAML: {problem}{where}", source=source)


class _Builder:
    """Turns a composed YAML node graph into plain data, with limits and line numbers."""

    def __init__(self, loader: _Loader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[str, int] = {}
        self.count = 0
        self.open: set[int] = set()  # the collections being built: an alias to one loops
        self.sizes: dict[int, int] = {}  # merged_size() of each mapping seen
        self.path_characters = 0  # of the key paths kept in `lines`, aliases repeated

    def error(self, message: str, node: Node, key: str | None = None) -> ConfigError:
        return ConfigError(
            message, source=self.source, key=_short(key) or None, line=node.start_mark.line + 1
        )

    def build(self, node: Node, key: str, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.error(_too_many(), node, key)
        if depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep", node, key)
        if isinstance(node, ScalarNode):
            if node.tag not in _PLAIN_TAGS:
                raise self.error(_tag_message(node.tag), node, key)
            try:
                value = self.loader.construct_object(node)
            except (ValueError, KeyError, IndexError, TypeError, yaml.YAMLError):
                # An explicit tag on text it cannot read: `!!int abc`, `!!bool maybe`, or an
                # integer longer than Python converts (4,300 digits).
                raise self.error(_unreadable(node), node, key) from None
            if isinstance(value, str):
                value = _joined_surrogates(value)
                if not _encodable(value):
                    raise self.error(_surrogate_message(value), node, key)
            return value
        if id(node) in self.open:
            raise self.error(
                "an alias here contains itself; a config cannot be recursive", node, key
            )
        self.open.add(id(node))
        try:
            return self.build_collection(node, key, depth)
        finally:
            self.open.discard(id(node))

    def build_collection(self, node: Node, key: str, depth: int) -> Any:
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.error(_tag_message(node.tag), node, key)
            items = []
            for i, item in enumerate(node.value):
                item_key = child_key(key, i)
                self.lines.setdefault(item_key, item.start_mark.line + 1)
                items.append(self.build(item, item_key, depth + 1))
            return items
        if isinstance(node, MappingNode):
            return self.build_mapping(node, key, depth)
        raise self.error(f"unsupported YAML node {type(node).__name__}", node, key)

    def merged_size(self, node: Node) -> int:
        """How many pairs ``node`` has once its merge keys (``<<: *defaults``) are
        expanded, counted without expanding them (PyYAML's expansion copies pairs, so
        nested merges would cost exponential time and memory before any limit)."""
        if not isinstance(node, MappingNode):
            return 1
        if id(node) in self.sizes:
            return self.sizes[id(node)]
        self.sizes[id(node)] = 0  # a merge that loops counts nothing; PyYAML refuses it
        size = 0
        for key_node, value_node in node.value:
            if key_node.tag != "tag:yaml.org,2002:merge":
                size += 1
            elif isinstance(value_node, SequenceNode):
                size += sum(self.merged_size(item) for item in value_node.value)
            else:
                size += self.merged_size(value_node)
            size = min(size, MAX_VALUES + 1)
        self.sizes[id(node)] = size
        return size

    def build_mapping(self, node: MappingNode, key: str, depth: int) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise self.error(_tag_message(node.tag), node, key)
        if self.merged_size(node) > MAX_VALUES:
            raise self.error(_too_many(), node, key)
        explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        try:
            # YAML merge keys (`<<: *defaults`): merged pairs come first, explicit ones last.
            self.loader.flatten_mapping(node)
        except yaml.MarkedYAMLError as e:
            raise _yaml_error(e, self.source) from None
        merged = len(node.value) - explicit
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
                raise self.error(
                    f"keys must be plain text, got {excerpt(shown)}; quote it if it is a name",
                    key_node,
                    key,
                )
            name = _joined_surrogates(str(key_node.value))
            if not _encodable(name):
                raise self.error(_surrogate_message(name), key_node, key)
            if len(name) > MAX_KEY_LENGTH:
                raise self.error(
                    f"a key of {len(name):,} characters; a config's keys are names, of at most "
                    f"{MAX_KEY_LENGTH}",
                    key_node,
                    key,
                )
            name_key = child_key(key, name)
            self.path_characters += len(name_key)
            if self.path_characters > MAX_VALUES * MAX_KEY_LENGTH:
                raise self.error(_too_many(), key_node, key)
            if index >= merged:
                if name in first_line:
                    raise self.error(
                        f"duplicate key {excerpt(name)} (first set on line {first_line[name]}); "
                        "keep one of them",
                        key_node,
                        name_key,
                    )
                first_line[name] = line
            self.lines[name_key] = line
            result[name] = self.build(value_node, name_key, depth + 1)
        return result


def _unreadable(node: ScalarNode) -> str:
    kind = {
        "tag:yaml.org,2002:int": "an integer",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:bool": "true or false",
    }.get(node.tag, "a value")
    text = str(node.value)
    if node.tag == "tag:yaml.org,2002:int" and _too_many_digits(text.replace("_", "")):
        digits = len(text.lstrip("+-").replace("_", ""))
        return f"an integer of {digits:,} digits; no config value needs so many"
    return f"cannot read {excerpt(text)} as {kind}"


def _too_many() -> str:
    return (
        f"more than {MAX_VALUES:,} values, counting what each alias repeats; "
        "a schedule config has a few dozen"
    )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _joined_surrogates(text: str) -> str:
    """``text`` with each escaped UTF-16 surrogate pair (JSON's ``"\\ud83d\\ude00"``)
    joined into the character it stands for; lone surrogates are left."""
    if _encodable(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return text


def _surrogate_message(text: str) -> str:
    bad = next(c for c in text if not _encodable(c))
    return f"text holds {bad.encode('unicode_escape').decode()}, which is not a character"


def _short(key: str | None, limit: int = 60) -> str | None:
    """A key path cut to ``limit`` characters, for paths many levels deep."""
    if key is None or len(key) <= limit:
        return key
    return key[:limit] + "..."


def _clipped(text: str, limit: int = 100) -> str:
    """A name from the file (a tag, an alias) cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tag_message(tag: str) -> str:
    shown = _clipped(tag.replace("tag:yaml.org,2002:", "!!"))
    return f"YAML tag {shown} is not allowed; a config holds plain data only"
