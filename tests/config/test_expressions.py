"""The safe evaluator agrees with Python's own arithmetic and refuses everything else."""

from __future__ import annotations

import pytest

from lrplot.config.expressions import compile_expression
from lrplot.errors import ExpressionError
from lrplot.limits import MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH
from tests.reference import python_eval

AGREES_WITH_PYTHON = [
    "0.95 ** epoch",
    "1 / (1 + 0.05 * epoch)",
    "min(1.0, (epoch + 1) / 5) * 0.5 ** (epoch // 10)",
    "0.9 if epoch % 10 == 0 else 1.0",
    "1.0 if 3 <= epoch < 7 else 0.1",
    "0.5 * (1 + cos(pi * epoch / 20))",
    "0.5 * (1 + math.cos(math.pi * epoch / 20))",
    "max(0.1, 1 - epoch / 50)",
    "abs(-epoch) / (epoch + 1)",
    "sqrt(epoch + 1) / (epoch + 1)",
    "exp(-0.1 * epoch) + log(epoch + 2) - log10(epoch + 1) + log2(4)",
    "floor(epoch / 3) + ceil(epoch / 4) - trunc(epoch / 5)",
    "epoch > 3 and epoch < 8",
    "epoch < 3 or epoch > 8",
    "not epoch",
    "-epoch + +epoch - (-2) ** 2",
    "pow(0.5, epoch)",
    "tanh(epoch) * atan2(epoch, 3) + sinh(0.1) - cosh(0.1) + sin(epoch) * tan(0.3)",
    "epoch != 4",
    "e ** -epoch + tau",
]


@pytest.mark.parametrize("text", AGREES_WITH_PYTHON)
def test_results_equal_pythons_bit_for_bit(text: str) -> None:
    expression = compile_expression(text, variables=("epoch",))
    for epoch in [0, 1, 2, 3, 5, 9, 10, 11, 19, 20, 99, 1000]:
        expected = float(python_eval(text, {"epoch": epoch}))
        assert expression(epoch=epoch).hex() == expected.hex(), (text, epoch)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("epoch.real", "attribute access not allowed in an expression"),
        ("().__class__", "attribute access not allowed in an expression"),
        ("[1, 2][0]", "subscripts not allowed in an expression"),
        ("(lambda: 1)()", "calling 'lambda: 1' is not allowed"),
        ("[x for x in (1, 2)]", "comprehensions not allowed in an expression"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("__import__('os')", "unknown function '__import__'"),
        ("epoch if 'a' else 1", "strings not allowed in an expression; only numbers"),
        ("step * 2", "unknown name 'step'; names allowed: epoch, pi, e, tau, inf"),
        ("math.system", "unknown name math.'system'"),
        ("min(epoch)", "min() takes 2 to 16 arguments, got 1"),
        ("sqrt(x=1)", "sqrt() takes no keyword arguments"),
        ("(y := 3)", "assignment (:=) not allowed in an expression"),
        ("epoch << 2", "operator LShift not allowed in an expression"),
        ("epoch in (1, 2)", "comparison In not allowed in an expression"),
        ("f'{epoch}'", "strings not allowed in an expression"),
        ("sqrt", "sqrt is a function; call it, as in sqrt(...)"),
        ("1j", "complex values not allowed in an expression; only numbers"),
    ],
)
def test_refused_constructs(text: str, problem: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, variables=("epoch",), key="scheduler.lr_lambda")
    assert str(caught.value).startswith("scheduler.lr_lambda: ")
    assert problem in str(caught.value)


@pytest.mark.parametrize("text", ["0.95 **", "epoch +* 2", "(epoch", "", "   ", "a b"])
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ExpressionError, match=r"invalid expression|the expression is empty"):
        compile_expression(text, variables=("epoch",))


def test_length_limit() -> None:
    text = "+".join(["epoch"] * (MAX_EXPRESSION_LENGTH // 5))
    with pytest.raises(ExpressionError, match=f"the limit is {MAX_EXPRESSION_LENGTH}"):
        compile_expression(text, variables=("epoch",))


@pytest.mark.parametrize("text", ["9 ** 9 ** 9", "10 ** 10 ** 10", "(10 ** 400) * epoch"])
def test_huge_powers_are_refused_instead_of_computed(text: str) -> None:
    # Computed as Python integers, 9 ** 9 ** 9 would take minutes: the evaluator
    # must refuse it from the operands' sizes.
    expression = compile_expression(text, variables=("epoch",))
    with pytest.raises(ExpressionError, match="too large for a float at epoch=1"):
        expression(epoch=1)


@pytest.mark.parametrize("depth", [MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_DEPTH + 1, 400])
def test_nesting_limit(depth: int) -> None:
    text = "-" * depth + "epoch"
    if depth <= MAX_EXPRESSION_DEPTH:
        expected = -3.0 if depth % 2 else 3.0
        assert compile_expression(text, variables=("epoch",))(epoch=3.0) == expected
    else:
        with pytest.raises(
            ExpressionError, match=f"nested more than {MAX_EXPRESSION_DEPTH} operations deep"
        ):
            compile_expression(text, variables=("epoch",))


def test_huge_integer_literal_is_refused() -> None:
    with pytest.raises(ExpressionError, match="a number in the expression is too large"):
        compile_expression("1" + "0" * 400, variables=("epoch",))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1 / epoch", "division by zero at epoch=0"),
        ("epoch % 0", "division by zero at epoch=0"),
        ("log(epoch)", "math domain error at epoch=0"),
        ("sqrt(epoch - 1)", "math domain error at epoch=0"),
        (
            "(epoch - 1) ** 0.5",
            "math domain error (a negative number to a fractional power) at epoch=0",
        ),
    ],
)
def test_math_errors_name_the_values(text: str, problem: str) -> None:
    expression = compile_expression(text, variables=("epoch",))
    with pytest.raises(ExpressionError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        expression(epoch=0)


def test_several_variables() -> None:
    expression = compile_expression("epoch * 100 + step", variables=("epoch", "step"))
    assert expression(epoch=2, step=7) == 207.0


def test_non_text_is_refused() -> None:
    with pytest.raises(
        ExpressionError, match=r'expected an expression string such as "0\.95 \*\* epoch"'
    ):
        compile_expression(0.95, variables=("epoch",))  # type: ignore[arg-type]


def test_a_long_expression_is_cut_short_in_messages() -> None:
    text = "epoch + " * 40 + "1 / 0"
    expression = compile_expression(text, variables=("epoch",))
    with pytest.raises(ExpressionError) as caught:
        expression(epoch=1)
    assert str(caught.value) == f"{text[:77] + '...'!r}: division by zero at epoch=1"
