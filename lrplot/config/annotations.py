"""torch's type annotations, read into a small type tree lrplot checks config values
against, describes in messages, and writes as JSON Schema.

Annotations are parsed with :mod:`ast` (never evaluated): ``float | list[float]``,
``Literal['min', 'max']``, ``tuple[float, float]``, ``Callable[[int], float]`` ...
Anything lrplot cannot read is ``unknown``: values are passed on and torch judges them.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lrplot.config.file import child_key
from lrplot.errors import ConfigError, describe_value


@dataclass(frozen=True)
class Kind:
    """A type, in the cases lrplot understands.

    ``name`` is one of: int, float, bool, str, null, any, callable, mapping, literal,
    sequence (``items[0]`` per element), tuple (``items`` per position), union
    (``items`` are the members), unrepresentable (a Tensor: no config value is one),
    unknown.
    """

    name: str
    items: tuple[Kind, ...] = ()
    choices: tuple[Any, ...] = ()
    as_tuple: bool = False  # a sequence torch wants as a tuple: tuple[float, ...]


UNKNOWN = Kind("unknown")
_SIMPLE = {
    "int": "int",
    "float": "float",
    "SupportsFloat": "float",
    "bool": "bool",
    "str": "str",
    "None": "null",
    "NoneType": "null",
    "Any": "any",
    "object": "any",
    "Callable": "callable",
}
_SEQUENCES = {"list", "List", "Sequence", "Iterable", "Collection"}
_TUPLES = {"tuple", "Tuple"}
_MAPPINGS = {"dict", "Dict", "Mapping"}
_UNREPRESENTABLE = {"Tensor", "Optimizer", "LRScheduler", "device", "dtype", "Module"}


@functools.cache
def parse_annotation(text: str | None) -> Kind:
    """The :class:`Kind` of an annotation's text (``unknown`` when there is none)."""
    if text is None:
        return UNKNOWN
    try:
        return _kind(ast.parse(text, mode="eval").body)
    except SyntaxError:
        return UNKNOWN


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value  # a quoted forward reference
    return None


def _kind(node: ast.expr) -> Kind:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([_kind(node.left), _kind(node.right)])
    if isinstance(node, ast.Constant) and node.value is None:
        return Kind("null")
    if isinstance(node, ast.Subscript):
        base = _name(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Union":
            return _union([_kind(a) for a in args])
        if base == "Optional":
            return _union([_kind(args[0]), Kind("null")])
        if base == "Literal":
            return Kind(
                "literal", choices=tuple(a.value for a in args if isinstance(a, ast.Constant))
            )
        if base == "Callable":
            return Kind("callable")
        if base in _SEQUENCES:
            return Kind("sequence", items=(_kind(args[0]),))
        if base in _TUPLES:
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
                return Kind("sequence", items=(_kind(args[0]),), as_tuple=True)
            return Kind("tuple", items=tuple(_kind(a) for a in args))
        if base in _MAPPINGS:
            return Kind("mapping")
        return UNKNOWN
    name = _name(node)
    if name in _SIMPLE:
        return Kind(_SIMPLE[name])
    if name in _UNREPRESENTABLE:
        return Kind("unrepresentable")
    return UNKNOWN


def _union(members: list[Kind]) -> Kind:
    flat: list[Kind] = []
    for member in members:
        for each in member.items if member.name == "union" else (member,):
            if each not in flat:
                flat.append(each)
    return flat[0] if len(flat) == 1 else Kind("union", items=tuple(flat))


def members(kind: Kind) -> tuple[Kind, ...]:
    """The members of a union, or the kind itself."""
    return kind.items if kind.name == "union" else (kind,)


ExpressionFactory = Callable[[Any, str], Any]
"""Turns the text given for a ``Callable`` argument into a callable (key path for errors)."""


def check_value(
    value: Any, annotation: str | None, *, key: str, expression: ExpressionFactory
) -> Any:
    """Check ``value`` against an annotation; return it (lists made tuples as needed).

    Raise ConfigError saying what was expected. Annotations lrplot cannot read are
    trusted to torch, which reports its own errors.
    """
    converted, problem = judge_value(value, annotation, key=key, expression=expression)
    if problem is not None:
        raise ConfigError(problem, key=key)
    return converted


def judge_value(
    value: Any, annotation: str | None, *, key: str, expression: ExpressionFactory
) -> tuple[Any, str | None]:
    """``(converted value, None)`` when ``value`` fits the annotation, else ``(value,
    what was expected)``: torch's hints are narrower than what it accepts, so a caller
    may let torch decide. An expression string that does not compile raises."""
    kind = parse_annotation(annotation)
    verdict, converted = _check(kind, value, key, expression)
    if verdict is not False:
        return converted, None
    hint = ""
    if isinstance(value, str) and _check(kind, _number(value), key, expression)[0]:
        hint = "; write the number without quotes"
    return value, f"expected {describe(kind)}, got {describe_value(value)}{hint}"


def widened_per_group(annotation: str | None) -> str | None:
    """The annotation of an argument torch takes per param group: ``X`` widened to
    ``X | list[X]`` (as it is already written for some arguments, not for others)."""
    if annotation is None or is_per_group(annotation):
        return annotation
    return f"{annotation} | list[{annotation}]"


def _number(text: str) -> int | float | None:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return None


Verdict = tuple[bool | None, Any]  # True, False, or None (cannot tell); the converted value


def _check(kind: Kind, value: Any, key: str, expression: ExpressionFactory) -> Verdict:
    name = kind.name
    if name == "union":
        unsure = False
        for member in kind.items:
            verdict, converted = _check(member, value, key, expression)
            if verdict:
                return True, converted
            unsure = unsure or verdict is None
        return (None if unsure else False), value
    number = isinstance(value, int | float) and not isinstance(value, bool)
    simple = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": number,
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "null": value is None,
        "any": True,
        "mapping": isinstance(value, dict),
        "unrepresentable": False,
        "literal": any(value == c and type(value) is type(c) for c in kind.choices),
    }
    if name in simple:
        return simple[name], value
    if name == "callable":
        if callable(value):  # a Python caller passed a function: their code, their choice
            return True, value
        if not isinstance(value, str):
            return False, value
        return True, expression(value, key)
    if name in ("sequence", "tuple"):
        return _check_items(kind, value, key, expression)
    return None, value


def _check_items(kind: Kind, value: Any, key: str, expression: ExpressionFactory) -> Verdict:
    if not isinstance(value, list | tuple):
        return False, value
    fixed = kind.name == "tuple"
    if fixed and len(kind.items) != len(value):
        return False, value
    items = []
    verdict: bool | None = True
    for index, item in enumerate(value):
        item_kind = kind.items[index] if fixed else kind.items[0]
        item_verdict, converted = _check(item_kind, item, child_key(key, index), expression)
        if item_verdict is False:
            return False, value
        if item_verdict is None:
            verdict = None
        items.append(converted)
    return verdict, (tuple(items) if fixed or kind.as_tuple else items)


def is_per_group(annotation: str | None) -> bool:
    """True for ``X | list[X]`` arguments: one value for all groups, or a list, one each."""
    kinds = members(parse_annotation(annotation))
    sequences = [k for k in kinds if k.name == "sequence"]
    return bool(sequences) and len(sequences) < len(kinds)


def describe_annotation(annotation: str) -> str:
    """Plain words for an annotation: ``float | list[float]`` -> a number or a list..."""
    kind = parse_annotation(annotation)
    return annotation if kind == UNKNOWN else describe(kind)


def describe(kind: Kind) -> str:
    """Plain words for a kind: ``a number or a list of numbers``."""
    words = list(dict.fromkeys(_words(kind)))
    return " or ".join(words) if words else "a value"


_WORDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "str": "text",
    "null": "null",
    "any": "any value",
    "callable": "an expression string",
    "mapping": "a mapping",
    "unknown": "a value",
}


def _words(kind: Kind) -> Iterator[str]:
    if kind.name == "union":
        for member in kind.items:
            yield from _words(member)
    elif kind.name == "literal":
        yield "one of " + ", ".join(repr(c) for c in kind.choices)
    elif kind.name in ("sequence", "tuple"):
        inner = kind.items if kind.name == "tuple" else kind.items[:1]
        nouns = " or ".join(dict.fromkeys(_plural(w) for i in inner for w in _words(i)))
        count = f"{len(kind.items)} " if kind.name == "tuple" else ""
        yield f"a list of {count}{nouns}"
    elif kind.name != "unrepresentable":
        yield _WORDS[kind.name]


def _plural(word: str) -> str:
    for article in ("an ", "a "):
        if word.startswith(article):
            noun = word[len(article) :]
            return noun if noun.endswith("s") else noun + "s"
    return word


def json_schema(kind: Kind, *, expression: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema for values of ``kind`` (``expression`` for Callable arguments)."""
    simple: dict[str, dict[str, Any]] = {
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "bool": {"type": "boolean"},
        "str": {"type": "string"},
        "null": {"type": "null"},
        "mapping": {"type": "object"},
        "callable": expression,
    }
    if kind.name in simple:
        return dict(simple[kind.name])
    if kind.name == "literal":
        return {"enum": list(kind.choices)}
    if kind.name == "sequence":
        return {"type": "array", "items": json_schema(kind.items[0], expression=expression)}
    if kind.name == "tuple":
        return {
            "type": "array",
            "prefixItems": [json_schema(i, expression=expression) for i in kind.items],
            "minItems": len(kind.items),
            "maxItems": len(kind.items),
        }
    if kind.name == "union":
        options = [
            json_schema(m, expression=expression)
            for m in kind.items
            if m.name != "unrepresentable"
        ]
        if any(not option for option in options):
            return {}
        return options[0] if len(options) == 1 else {"anyOf": options}
    return {}  # any, unknown: whatever torch accepts
