"""Safe YAML reading: plain data only, duplicate keys, alias bombs, merge keys, line numbers."""

from __future__ import annotations

import pytest

from lrplot.config.file import parse_config_text
from lrplot.errors import ConfigError
from lrplot.limits import MAX_DEPTH


def parse(text: str) -> object:
    return parse_config_text(text, source="c.yaml").data


def test_plain_data_and_line_numbers() -> None:
    document = parse_config_text(
        "epochs: 10\nscheduler:\n  type: MultiStepLR\n  milestones:\n    - 3\n    - 6\n",
        source="c.yaml",
    )
    assert document.data == {
        "epochs": 10,
        "scheduler": {"type": "MultiStepLR", "milestones": [3, 6]},
    }
    assert document.line("scheduler.type") == 3
    assert document.line("scheduler.milestones[1]") == 6
    assert document.line("scheduler.gamma") == 2  # missing key: its parent's line


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e-3", 0.001),
        ("2E5", 200000.0),
        ("-1.5e2", -150.0),
        ("0.1", 0.1),
        ("10", 10),
        ("1_000", 1000),
        ("010", 10),
        ("0x1f", 31),
        ("0o17", 15),
        (".5", 0.5),
        ("-.inf", float("-inf")),
    ],
)
def test_numbers(text: str, value: float) -> None:
    data = parse(f"x: {text}")
    assert data == {"x": value}
    assert type(data["x"]) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # YAML 1.1 reads these as booleans, sexagesimal and octal numbers; YAML 1.2,
        # JSON and editors read them as text and decimals, and so do we.
        ("yes", "yes"),
        ("on", "on"),
        ("No", "No"),
        ("1:30", "1:30"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
    ],
)
def test_scalars_are_read_as_yaml_1_2(text: str, value: object) -> None:
    assert parse(f"x: {text}") == {"x": value}


def test_nan_is_a_float() -> None:
    value = parse("x: .nan")["x"]  # type: ignore[index]
    assert value != value


@pytest.mark.parametrize("text", ['x: "\\ud800"', '"\\udfff": 1'])
def test_a_lone_surrogate_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match=r"which is not a character \(line 1\)$"):
        parse(text)


def test_a_huge_document_is_refused_while_reading() -> None:
    text = "x: [" + ", ".join(["1"] * 100_001) + "]"
    with pytest.raises(ConfigError, match=r"more than 100,000 values.*\(line 1\)$"):
        parse(text)


def test_merge_keys_work_and_may_be_overridden() -> None:
    data = parse("base: &b {lr: 0.1, momentum: 0.9}\nopt:\n  <<: *b\n  lr: 0.5\n")
    assert data == {"base": {"lr": 0.1, "momentum": 0.9}, "opt": {"lr": 0.5, "momentum": 0.9}}


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"^c.yaml: a: duplicate key 'a' \(first set on line 1\)"
    ):
        parse("a: 1\nb: 2\na: 3\n")


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['true']",
        "x: !!python/name:os.system",
        "x: !!binary aGVsbG8=",
        "x: !!timestamp 2001-12-14",
        "x: !!set {a, b}",
        "x: !custom 3",
    ],
)
def test_tags_are_refused_with_their_line(text: str) -> None:
    with pytest.raises(
        ConfigError, match=r"is not allowed; a config holds plain data only \(line 1\)$"
    ):
        parse(text)


def test_date_like_values_stay_text() -> None:
    assert parse("title: 2024-01-01") == {"title": "2024-01-01"}


def test_an_alias_bomb_is_refused_quickly() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(ConfigError, match="more than 100,000 values, counting what each alias"):
        parse("\n".join(levels))


def test_a_self_referencing_alias_is_refused() -> None:
    with pytest.raises(ConfigError):
        parse("a: &a [*a]")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(ConfigError, match=f"nested more than {MAX_DEPTH} levels deep"):
        parse("x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))


def test_keys_must_be_text() -> None:
    with pytest.raises(ConfigError, match=r"keys must be plain text, got '3'"):
        parse("3: a")
    with pytest.raises(ConfigError, match="keys must be plain text"):
        parse("? [a, b]\n: c")


def test_json_is_accepted() -> None:
    assert parse('{"scheduler": {"type": "StepLR", "step_size": 3}}') == {
        "scheduler": {"type": "StepLR", "step_size": 3}
    }
