"""Safe arithmetic expressions for lr_lambda, scale_fn and metric: an AST whitelist, never eval.

An expression is parsed with :mod:`ast`, checked node by node against a small grammar
(numbers, the documented variables, arithmetic, comparisons, ``and``/``or``/``not``,
``a if cond else b``, and a fixed set of functions), and compiled into nested closures.
All arithmetic is done on floats, so ``9 ** 9 ** 9`` overflows at once instead of
building a huge integer.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lrplot.errors import ExpressionError, excerpt
from lrplot.limits import MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH

Env = Mapping[str, float]
_Node = Callable[[Env], float]


def _power(base: float, exponent: float) -> float:
    result = base**exponent
    if isinstance(result, complex):
        raise ValueError("a negative number to a fractional power")
    return float(result)


FUNCTIONS: dict[str, tuple[Callable[..., float], int, int]] = {
    # name: (function, fewest arguments, most arguments)
    "min": (min, 2, 16),
    "max": (max, 2, 16),
    "abs": (abs, 1, 1),
    "pow": (_power, 2, 2),
    "sqrt": (math.sqrt, 1, 1),
    "exp": (math.exp, 1, 1),
    "expm1": (math.expm1, 1, 1),
    "log": (math.log, 1, 2),
    "log1p": (math.log1p, 1, 1),
    "log2": (math.log2, 1, 1),
    "log10": (math.log10, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "asin": (math.asin, 1, 1),
    "acos": (math.acos, 1, 1),
    "atan": (math.atan, 1, 1),
    "atan2": (math.atan2, 2, 2),
    "sinh": (math.sinh, 1, 1),
    "cosh": (math.cosh, 1, 1),
    "tanh": (math.tanh, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "trunc": (math.trunc, 1, 1),
}
"""Functions an expression may call, also spelled ``math.<name>``."""

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}
"""Named constants, also spelled ``math.<name>``."""

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_NOT_ALLOWED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignment (:=)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.JoinedStr: "strings",
    ast.Starred: "starred arguments",
    ast.Slice: "slices",
}


def quoted(text: str, limit: int = 80) -> str:
    """An expression's text quoted for a message, cut to about ``limit`` characters."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


@dataclass(frozen=True, eq=False)
class Expression:
    """A compiled, safe expression over a fixed set of float variables."""

    text: str
    variables: tuple[str, ...]
    key: str | None
    _root: _Node
    operations: int = 1
    """How many operations one evaluation takes (its syntax tree's nodes): the cost that
    bounds a run's work (see :func:`lrplot.simulation.runner.check_work`)."""

    def __call__(self, **values: float) -> float:
        """Evaluate with the given variable values; math failures raise ExpressionError."""
        return self.evaluate(values)

    def evaluate(self, values: Env) -> float:
        """Evaluate with a mapping of variable values."""
        env = {name: float(values[name]) for name in self.variables}
        try:
            return float(self._root(env))
        except ZeroDivisionError:
            problem = "division by zero"
        except OverflowError:
            problem = "the result is too large for a float"
        except ValueError as e:
            problem = f"math domain error ({e})" if str(e) != "math domain error" else str(e)
        where = ", ".join(f"{n}={_show(v)}" for n, v in values.items() if n in self.variables)
        raise ExpressionError(f"{quoted(self.text)}: {problem} at {where}", key=self.key)


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def compile_expression(
    text: str, *, variables: Sequence[str], key: str | None = None
) -> Expression:
    """Parse and check ``text``; raise ExpressionError naming what is not allowed."""
    if not isinstance(text, str):
        raise ExpressionError(
            f'expected an expression string such as "0.95 ** {variables[0]}", got {excerpt(text)}',
            key=key,
        )
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_EXPRESSION_LENGTH}",
            key=key,
        )
    if not text.strip():
        raise ExpressionError("the expression is empty", key=key)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        col = f" at column {e.offset}" if e.offset else ""
        raise ExpressionError(
            f"invalid expression {quoted(text)}: {e.msg}{col}", key=key
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"invalid expression {quoted(text)}", key=key) from None
    if _depth(tree.body) > MAX_EXPRESSION_DEPTH:
        raise ExpressionError(
            f"{quoted(text)}: nested more than {MAX_EXPRESSION_DEPTH} operations deep", key=key
        )
    compiler = _Compiler(text, tuple(variables), key)
    operations = sum(1 for node in ast.walk(tree.body) if isinstance(node, ast.expr))
    return Expression(text, tuple(variables), key, compiler.compile(tree.body), operations)


def _depth(tree: ast.AST) -> int:
    """How deeply operations nest: ``x`` is 0, ``-(-(-x))`` is 3 (counted without
    recursion, as the tree may be deep)."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend(
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.expr)
        )
    return deepest


class _Compiler:
    def __init__(self, text: str, variables: tuple[str, ...], key: str | None) -> None:
        self.text = text
        self.variables = variables
        self.key = key

    def fail(self, problem: str) -> ExpressionError:
        return ExpressionError(f"{quoted(self.text)}: {problem}", key=self.key)

    def allowed_names(self) -> str:
        return ", ".join([*self.variables, *CONSTANTS])

    def compile(self, node: ast.expr) -> _Node:
        if isinstance(node, ast.Constant):
            return self.constant(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Attribute) and _is_math(node):
            return self.name(node.attr, qualified=True)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BoolOp):
            return self.boolean(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            test, body, orelse = (self.compile(n) for n in (node.test, node.body, node.orelse))
            return lambda env: body(env) if test(env) else orelse(env)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = _NOT_ALLOWED.get(type(node), type(node).__name__)
        raise self.fail(f"{what} not allowed in an expression")

    def constant(self, value: object) -> _Node:
        if isinstance(value, bool | int | float):
            try:
                number = float(value)
            except OverflowError:
                raise self.fail("a number in the expression is too large") from None
            return lambda env: number
        kind = "strings" if isinstance(value, str | bytes) else f"{type(value).__name__} values"
        raise self.fail(f"{kind} not allowed in an expression; only numbers")

    def name(self, name: str, *, qualified: bool = False) -> _Node:
        if not qualified and name in self.variables:
            return operator.itemgetter(name)
        if name in CONSTANTS:
            number = CONSTANTS[name]
            return lambda env: number
        if name in FUNCTIONS:
            raise self.fail(f"{name} is a function; call it, as in {name}(...)")
        prefix = "math." if qualified else ""
        raise self.fail(f"unknown name {prefix}{name!r}; names allowed: {self.allowed_names()}")

    def binary(self, node: ast.BinOp) -> _Node:
        left, right = self.compile(node.left), self.compile(node.right)
        if isinstance(node.op, ast.Pow):
            return lambda env: _power(left(env), right(env))
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(f"operator {type(node.op).__name__} not allowed in an expression")
        return lambda env: op(left(env), right(env))

    def unary(self, node: ast.UnaryOp) -> _Node:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env: float(not operand(env))
        raise self.fail(f"operator {type(node.op).__name__} not allowed in an expression")

    def boolean(self, node: ast.BoolOp) -> _Node:
        values = [self.compile(v) for v in node.values]
        if isinstance(node.op, ast.And):

            def both(env: Env) -> float:
                result = 0.0
                for value in values:
                    result = value(env)
                    if not result:
                        return result
                return result

            return both

        def either(env: Env) -> float:
            result = 0.0
            for value in values:
                result = value(env)
                if result:
                    return result
            return result

        return either

    def compare(self, node: ast.Compare) -> _Node:
        first = self.compile(node.left)
        ops: list[Callable[[float, float], bool]] = []
        for op in node.ops:
            compare = _COMPARE.get(type(op))
            if compare is None:
                raise self.fail(f"comparison {type(op).__name__} not allowed in an expression")
            ops.append(compare)
        rest = [self.compile(c) for c in node.comparators]

        def chain(env: Env) -> float:
            left = first(env)
            for compare, right_node in zip(ops, rest, strict=True):
                right = right_node(env)
                if not compare(left, right):
                    return 0.0
                left = right
            return 1.0

        return chain

    def call(self, node: ast.Call) -> _Node:
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute) and _is_math(func):
            name = func.attr
        else:
            raise self.fail(
                f"calling {ast.unparse(func)!r} is not allowed; "
                f"functions allowed: {', '.join(FUNCTIONS)}"
            )
        if name not in FUNCTIONS:
            raise self.fail(
                f"unknown function {excerpt(name)}; functions allowed: {', '.join(FUNCTIONS)}"
            )
        if node.keywords:
            raise self.fail(f"{name}() takes no keyword arguments")
        function, fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise self.fail(f"{name}() takes {wanted} arguments, got {len(node.args)}")
        args = [self.compile(a) for a in node.args]
        if len(args) == 1:
            (only,) = args
            return lambda env: float(function(only(env)))
        return lambda env: float(function(*[a(env) for a in args]))


def _is_math(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "math"
