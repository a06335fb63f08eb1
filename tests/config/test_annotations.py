"""Reading torch's annotations: checking config values, describing types, per-group lists."""

from __future__ import annotations

from typing import Any

import pytest

from lrplot.config.annotations import check_value, describe_annotation, is_per_group
from lrplot.errors import ConfigError


def check(value: Any, annotation: str | None) -> Any:
    return check_value(value, annotation, key="k", expression=lambda text, key: ("expr", text))


@pytest.mark.parametrize(
    ("annotation", "value", "result"),
    [
        ("int", 3, 3),
        ("float", 3, 3),
        ("float", 0.5, 0.5),
        ("float | list[float]", [0.1, 0.2], [0.1, 0.2]),
        ("tuple[float, float]", [0.9, 0.99], (0.9, 0.99)),
        ("tuple[float | torch.Tensor, float | torch.Tensor]", [0.9, 0.99], (0.9, 0.99)),
        ("Iterable[int]", [30, 80], [30, 80]),
        ("Literal['min', 'max']", "max", "max"),
        ("bool", True, True),
        ("int | None", None, None),
        ("Optional[int]", 4, 4),
        ("Callable[[int], float]", "0.5", ("expr", "0.5")),
        (
            "Callable[[int], float] | list[Callable[[int], float]]",
            ["a", "b"],
            [("expr", "a"), ("expr", "b")],
        ),
        ("SomethingUnknown", {"any": "thing"}, {"any": "thing"}),
        (None, "anything", "anything"),
    ],
)
def test_accepted_values(annotation: str | None, value: Any, result: Any) -> None:
    assert check(value, annotation) == result


@pytest.mark.parametrize(
    ("annotation", "value", "message"),
    [
        ("int", 2.5, "k: expected an integer, got 2.5"),
        ("int", True, "k: expected an integer, got true"),
        ("float", "x", "k: expected a number, got text 'x'"),
        ("float | torch.Tensor", None, "k: expected a number, got null"),
        ("tuple[float, float]", [1.0], "k: expected a list of 2 numbers, got a list [1.0]"),
        ("Literal['cos', 'linear']", "sin", "k: expected one of 'cos', 'linear', got text 'sin'"),
        ("bool", "yes please", "k: expected true or false, got text 'yes please'"),
        ("float | list[float]", {}, "k: expected a number or a list of numbers, got a mapping"),
        ("int", "10", "k: expected an integer, got text '10'; write the number without quotes"),
        (
            "float",
            "1e-3",
            "k: expected a number, got text '1e-3'; write the number without quotes",
        ),
        ("int", "1.5", "k: expected an integer, got text '1.5'"),
    ],
)
def test_refused_values(annotation: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check(value, annotation)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("annotation", "words"),
    [
        ("float | list[float]", "a number or a list of numbers"),
        (
            "Callable[[int], float] | list[Callable[[int], float]]",
            "an expression string or a list of expression strings",
        ),
        ("int | None", "an integer or null"),
    ],
)
def test_describe_annotation(annotation: str, words: str) -> None:
    assert describe_annotation(annotation) == words


@pytest.mark.parametrize(
    ("annotation", "per_group"),
    [
        ("float | list[float]", True),
        ("list[float] | float", True),
        ("Callable[[int], float] | list[Callable[[int], float]]", True),
        ("list[int]", False),
        ("Iterable[int]", False),
        ("float", False),
        ("int | None", False),
        (None, False),
    ],
)
def test_per_group_arguments(annotation: str | None, per_group: bool) -> None:
    assert is_per_group(annotation) is per_group
