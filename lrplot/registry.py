"""What the installed torch offers: scheduler and optimizer classes, their arguments and types.

Everything here is read from torch at run time (``inspect.signature``), so a newer torch's
schedulers and arguments work without a change to lrplot. torch is imported lazily.
"""

from __future__ import annotations

import ast
import difflib
import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lrplot.configfile import child_key, describe_value
from lrplot.errors import ConfigError

NESTED_SCHEDULERS = ("SequentialLR", "ChainedScheduler")
"""Schedulers whose ``schedulers:`` argument is a list of scheduler mappings."""

_REQUIRED: Any = inspect.Parameter.empty
_NOT_LISTED = ("last_epoch",)


@dataclass(frozen=True)
class Parameter:
    """One keyword argument of a torch class, as its signature declares it."""

    name: str
    annotation: str | None
    default: Any

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> str:
        """``name`` for a required argument, ``name=default`` otherwise."""
        return self.name if self.required else f"{self.name}={self.default!r}"


@dataclass(frozen=True)
class Signature:
    """The arguments a config may give a class (``optimizer``/``params`` excluded)."""

    parameters: dict[str, Parameter]
    takes_any: bool  # the class also accepts **kwargs

    def describe(self) -> str:
        """The arguments a config would set (``last_epoch`` is for resuming: left out)."""
        shown = [p.describe() for p in self.parameters.values() if p.name not in _NOT_LISTED]
        return ", ".join(shown) or "no arguments"


@functools.cache
def scheduler_classes() -> dict[str, type]:
    """Every scheduler class the installed torch ships, by name."""
    from torch.optim import lr_scheduler, swa_utils

    found: dict[str, type] = {}
    candidates = [getattr(lr_scheduler, name, None) for name in lr_scheduler.__all__]
    candidates.append(swa_utils.SWALR)
    for cls in candidates:
        if (
            inspect.isclass(cls)
            and issubclass(cls, lr_scheduler.LRScheduler)
            and cls is not lr_scheduler.LRScheduler
        ):
            found[cls.__name__] = cls
    return dict(sorted(found.items()))


@functools.cache
def optimizer_classes() -> dict[str, type]:
    """Every optimizer class in ``torch.optim``, by name."""
    import torch.optim

    found = {
        name: cls
        for name, cls in vars(torch.optim).items()
        if inspect.isclass(cls)
        and issubclass(cls, torch.optim.Optimizer)
        and cls is not torch.optim.Optimizer
        and not name.startswith("_")
    }
    return dict(sorted(found.items()))


def is_scheduler_class(cls: object) -> bool:
    """True for a subclass of torch's ``LRScheduler`` (ReduceLROnPlateau included)."""
    from torch.optim.lr_scheduler import LRScheduler

    return inspect.isclass(cls) and issubclass(cls, LRScheduler)


def closest(name: str, choices: list[str]) -> str | None:
    """The choice closest to ``name`` (case-insensitive first), for 'did you mean'."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return lowered[name.lower()]
    matches = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, choices: list[str]) -> str:
    """`` (did you mean X?)`` or an empty string."""
    match = closest(name, choices)
    return f" (did you mean {match}?)" if match else ""


def signature(cls: type, *, skip: tuple[str, ...] = (), skip_first: bool = True) -> Signature:
    """The config-settable arguments of ``cls``: its ``__init__`` minus the first one
    (the optimizer, or the params) and any named in ``skip``."""
    try:
        sig = inspect.signature(cls)
    except (TypeError, ValueError):
        return Signature({}, takes_any=True)
    params: dict[str, Parameter] = {}
    takes_any = False
    for index, p in enumerate(sig.parameters.values()):
        if p.kind is p.VAR_KEYWORD:
            takes_any = True
            continue
        if p.kind is p.VAR_POSITIONAL or (skip_first and index == 0) or p.name in skip:
            continue
        params[p.name] = Parameter(p.name, _annotation_text(p), p.default)
    return Signature(params, takes_any)


def _annotation_text(p: inspect.Parameter) -> str | None:
    annotation = p.annotation
    if annotation is inspect.Parameter.empty:
        # Unannotated: trust the type of a plain default (SWALR's anneal_epochs=10).
        default = p.default
        if isinstance(default, bool | int | float | str) and default is not _REQUIRED:
            return type(default).__name__
        return None
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


ExpressionFactory = Callable[[Any, str], Any]
"""Turns the text given for a ``Callable`` argument into a callable (key path for errors)."""


def check_value(
    value: Any, annotation: str | None, *, key: str, expression: ExpressionFactory
) -> Any:
    """Check ``value`` against a torch annotation; return it (lists made tuples as needed).

    Raise ConfigError saying what was expected. Annotations lrplot cannot read are
    trusted to torch, which reports its own errors.
    """
    if annotation is None:
        return value
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return value
    checker = _Checker(expression)
    verdict, converted = checker.check(node, value, key)
    if verdict is False:
        hint = ""
        if isinstance(value, str) and checker.check(node, _number(value), key)[0]:
            hint = "; write the number without quotes"
        raise ConfigError(
            f"expected {describe_annotation(annotation)}, got {describe_value(value)}{hint}",
            key=key,
        )
    return converted


def _number(text: str) -> int | float | None:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return None


def is_per_group(annotation: str | None) -> bool:
    """True for ``X | list[X]`` arguments: one value for all groups, or a list, one each."""
    if annotation is None:
        return False
    try:
        members = list(_union_members(ast.parse(annotation, mode="eval").body))
    except SyntaxError:
        return False
    sequences = [
        m for m in members if isinstance(m, ast.Subscript) and _base_name(m.value) in _SEQUENCES
    ]
    return bool(sequences) and len(sequences) < len(members)


def expects_expression(annotation: str | None) -> bool:
    """True when the annotation names a Callable (lr_lambda, scale_fn, ...)."""
    return annotation is not None and "Callable" in annotation


def describe_annotation(annotation: str) -> str:
    """Plain words for a type annotation: ``float | list[float]`` -> a number or a list..."""
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return annotation
    words = list(dict.fromkeys(_describe(node)))
    return " or ".join(words) if words else annotation


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value  # a quoted forward reference
    return None


_SEQUENCES = {"list", "List", "Sequence", "Iterable", "Collection", "tuple", "Tuple"}
_UNREPRESENTABLE = {"Tensor", "Optimizer", "LRScheduler", "device", "dtype", "Module"}


def _union_members(node: ast.expr) -> Iterator[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        yield from _union_members(node.left)
        yield from _union_members(node.right)
    elif isinstance(node, ast.Subscript) and _base_name(node.value) in {"Union", "Optional"}:
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        yield from args
        if _base_name(node.value) == "Optional":
            yield ast.Constant(None)
    else:
        yield node


def _subscript_args(node: ast.Subscript) -> list[ast.expr]:
    return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]


class _Checker:
    """Matches YAML values against annotation ASTs: True, False, or None (cannot tell)."""

    def __init__(self, expression: ExpressionFactory) -> None:
        self.expression = expression

    def check(self, node: ast.expr, value: Any, key: str) -> tuple[bool | None, Any]:
        members = list(_union_members(node))
        if len(members) > 1:
            unsure = False
            for member in members:
                verdict, converted = self.check(member, value, key)
                if verdict:
                    return True, converted
                unsure = unsure or verdict is None
            return (None if unsure else False), value
        return self.check_one(node, value, key)

    def check_one(self, node: ast.expr, value: Any, key: str) -> tuple[bool | None, Any]:
        if isinstance(node, ast.Constant) and node.value is None:
            return value is None, value
        if isinstance(node, ast.Subscript):
            return self.check_generic(node, value, key)
        name = _base_name(node)
        if name in {"int"}:
            return isinstance(value, int) and not isinstance(value, bool), value
        if name in {"float", "SupportsFloat"}:
            return isinstance(value, int | float) and not isinstance(value, bool), value
        if name == "bool":
            return isinstance(value, bool), value
        if name == "str":
            return isinstance(value, str), value
        if name in {"None", "NoneType"}:
            return value is None, value
        if name in {"Any", "object"}:
            return True, value
        if name == "Callable":
            return self.check_callable(value, key)
        if name in _UNREPRESENTABLE:
            return False, value
        return None, value

    def check_callable(self, value: Any, key: str) -> tuple[bool | None, Any]:
        if callable(value):  # a Python caller passed a function: their code, their choice
            return True, value
        if not isinstance(value, str):
            return False, value
        return True, self.expression(value, key)

    def check_generic(self, node: ast.Subscript, value: Any, key: str) -> tuple[bool | None, Any]:
        name = _base_name(node.value)
        args = _subscript_args(node)
        if name == "Literal":
            choices = [a.value for a in args if isinstance(a, ast.Constant)]
            ok = any(value == c and type(value) is type(c) for c in choices)
            return ok, value
        if name == "Callable":
            return self.check_callable(value, key)
        if name in _SEQUENCES:
            return self.check_sequence(name, args, value, key)
        if name in {"dict", "Dict", "Mapping"}:
            return isinstance(value, dict), value
        return None, value

    def check_sequence(
        self, name: str, args: list[ast.expr], value: Any, key: str
    ) -> tuple[bool | None, Any]:
        if not isinstance(value, list | tuple):
            return False, value
        is_tuple = name in {"tuple", "Tuple"}
        variadic = not is_tuple or (
            len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis
        )
        if not variadic and len(args) != len(value):
            return False, value
        items = []
        verdict: bool | None = True
        for index, item in enumerate(value):
            item_node = args[0] if variadic else args[index]
            item_verdict, converted = self.check(item_node, item, child_key(key, index))
            if item_verdict is False:
                return False, value
            if item_verdict is None:
                verdict = None
            items.append(converted)
        return verdict, (tuple(items) if is_tuple else items)


def _describe(node: ast.expr) -> list[str]:
    members = list(_union_members(node))
    if len(members) > 1:
        return [word for member in members for word in _describe(member)]
    if isinstance(node, ast.Constant) and node.value is None:
        return ["null"]
    if isinstance(node, ast.Subscript):
        name = _base_name(node.value)
        args = _subscript_args(node)
        if name == "Literal":
            return [
                "one of " + ", ".join(repr(a.value) for a in args if isinstance(a, ast.Constant))
            ]
        if name == "Callable":
            return ["an expression string"]
        if name in _SEQUENCES:
            fixed = name in {"tuple", "Tuple"} and not (
                len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis
            )
            inner = " or ".join(dict.fromkeys(_plural(w) for w in _describe(args[0])))
            count = f"{len(args)} " if fixed else ""
            return [f"a list of {count}{inner}"]
        return [ast.unparse(node)]
    words = {
        "int": "an integer",
        "float": "a number",
        "SupportsFloat": "a number",
        "bool": "true or false",
        "str": "text",
        "None": "null",
        "Callable": "an expression string",
    }
    name = _base_name(node)
    if name in _UNREPRESENTABLE:
        return []
    return [words.get(name or "", name or ast.unparse(node))]


def _plural(word: str) -> str:
    for article in ("an ", "a "):
        if word.startswith(article):
            noun = word[len(article) :]
            return noun if noun.endswith("s") else noun + "s"
    return word
