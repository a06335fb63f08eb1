"""Version numbers read into the releases whose rules lrplot models."""

from __future__ import annotations

import pytest

from lrplot.schedulers.releases import BEFORE_SCHEDULER_SINCE, HF_CEIL_SINCE, is_since, release_of


@pytest.mark.parametrize(
    ("version", "release"),
    [("4.51.0", (4, 51)), ("4.52.0.dev0", (4, 52)), ("5.24.0+cpu", (5, 24)), ("3.9", (3, 9))],
)
def test_a_version_number_gives_its_release(version: str, release: tuple[int, int]) -> None:
    assert release_of(version) == release


@pytest.mark.parametrize("text", ["", "latest", "4", "4.51.0 ; rm -rf /", "x" * 500])
def test_text_that_is_no_version_number_gives_none(text: str) -> None:
    assert release_of(text) is None


def test_the_rules_change_at_their_releases() -> None:
    assert [is_since(v, HF_CEIL_SINCE) for v in ("4.51.3", "4.52.0")] == [False, True]
    assert [is_since(v, BEFORE_SCHEDULER_SINCE) for v in ("4.50.3", "4.51.0")] == [False, True]
