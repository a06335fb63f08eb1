"""Measuring each text once draws the same bytes, and leaves matplotlib as it found it."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from lrplot import load_spec, simulate
from lrplot.draw import text_layout
from lrplot.draw.plotting import draw, drawing, plot_data
from tests.conftest import CONFIGS_DIR

# A legend, panels and a step axis on top; a log axis; regime marks and point labels.
EXAMPLES = [
    CONFIGS_DIR / "schedulers" / "LambdaLR.yaml",
    CONFIGS_DIR / "schedulers" / "OneCycleLR.yaml",
    CONFIGS_DIR / "recipes" / "warmup-cosine.yaml",
    CONFIGS_DIR / "tutorial" / "CyclicLR-exp.yaml",
]


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda path: path.stem)
def test_the_memo_draws_what_matplotlib_draws_without_it(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = EXAMPLES[(EXAMPLES.index(config) + 1) % len(EXAMPLES)]
    monkeypatch.setattr(text_layout, "_MEMO", {})
    draw(plot_data(simulate(spec=load_spec(path=other))), ["png", "svg", "pdf"])  # remembered
    data = plot_data(simulate(spec=load_spec(path=config, allow_import=True)))
    remembered = draw(data, ["png", "svg", "pdf"])  # saved in turn from one figure
    monkeypatch.setattr(text_layout, "measured_once", contextlib.nullcontext)
    assert draw(data, ["png", "svg", "pdf"]) == remembered


def test_texts_are_remembered_only_while_lrplot_draws() -> None:
    from matplotlib.text import Text

    before = Text.__dict__["_get_layout"]
    with text_layout.measured_once():
        inside = Text.__dict__["_get_layout"]
        with text_layout.measured_once():
            assert Text.__dict__["_get_layout"] is inside
        assert Text.__dict__["_get_layout"] is inside
    assert inside is not before
    assert Text.__dict__["_get_layout"] is before


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_layout, "_MEMO_SIZE", 5)
    monkeypatch.setattr(text_layout, "_MEMO", {})
    data = plot_data(simulate(spec=load_spec(path=CONFIGS_DIR / "tutorial" / "StepLR.yaml")))
    with drawing(data):
        assert 0 < len(text_layout._MEMO) <= 5


def test_one_figures_texts_are_remembered_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.text import Text

    measured = []
    original = Text.__dict__["_get_layout"]

    def counted(self: Text, renderer: object) -> object:
        measured.append(self.get_text())
        return original(self, renderer)

    monkeypatch.setattr(Text, "_get_layout", counted)
    monkeypatch.setattr(text_layout, "_MEMO", {})
    data = plot_data(simulate(spec=load_spec(path=CONFIGS_DIR / "tutorial" / "StepLR.yaml")))
    draw(data, ["png", "svg", "pdf"])
    first = len(measured)
    draw(data, ["png", "svg", "pdf"])
    assert first > 0
    assert len(measured) == first  # every text of the second figure was remembered
