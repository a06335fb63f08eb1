"""What a message quotes of a data file: names that look like names, short numbers."""

from __future__ import annotations

import pytest

from lrplot.errors import Unread, data_name, data_value, looks_like_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("lr-AdamW/head", "'lr-AdamW/head'"),
        ("train/loss_epoch", "'train/loss_epoch'"),
        ("SECRET_TOKEN=abc123", "a field of 19 characters"),
        ("val loss", "a field of 8 characters"),
        ("x" * 65, "a field of 65 characters"),
        ("", "a field of 0 characters"),
    ],
)
def test_a_name_is_quoted_only_when_it_looks_like_one(name: str, shown: str) -> None:
    assert data_name(name) == shown
    assert looks_like_name(name) == shown.startswith("'")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1e-3", "'1e-3'"),
        ("nan", "'nan'"),
        ("hunter2", "text of 7 characters"),
        ("²", "text of 1 character"),
        ("9" * 65, "a number of 65 characters"),
        ("", "an empty field"),
        (" ", "a field of spaces"),
        (0.25, "0.25"),
        (10**70, "a number of 71 digits"),
        (10**300, "a number of over 64 digits"),
        (None, "null"),
        (True, "true"),
        ({}, "an object"),
        ([1], "a list"),
        (Unread("NaN"), "NaN"),
    ],
)
def test_a_value_is_quoted_only_when_short_and_number_like(value: object, shown: str) -> None:
    assert data_value(value) == shown
