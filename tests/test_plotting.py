"""Plots are real images of the right size, carry their labels, and repeat byte for byte."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from lrplot import load_spec, render, simulate
from lrplot.simulation import Schedule
from tests.conftest import CONFIGS_DIR


@pytest.fixture(scope="module")
def step_schedule() -> Schedule:
    return simulate(spec=load_spec(path=CONFIGS_DIR / "tutorial" / "StepLR.yaml"))


@pytest.fixture(scope="module")
def two_group_schedule() -> Schedule:
    return simulate(spec=load_spec(path=CONFIGS_DIR / "schedulers" / "LambdaLR.yaml"))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_texts(data: bytes) -> str:
    """matplotlib writes each text as paths, preceded by a comment holding the text."""
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return data.decode()


def test_png_is_a_png_of_the_documented_size(step_schedule: Schedule) -> None:
    assert png_size(render(schedule=step_schedule, format="png")) == (800, 450)


def test_svg_parses_and_has_title_and_axis_labels(step_schedule: Schedule) -> None:
    text = svg_texts(render(schedule=step_schedule, format="svg"))
    assert "<!-- StepLR(step_size=10, gamma=0.8) · Adam(lr=0.1) -->" in text
    assert "<!-- Epoch -->" in text
    assert "<!-- Learning Rate -->" in text


def test_pdf_is_a_pdf(step_schedule: Schedule) -> None:
    data = render(schedule=step_schedule, format="pdf")
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_several_groups_get_a_legend(two_group_schedule: Schedule) -> None:
    text = svg_texts(render(schedule=two_group_schedule, format="svg"))
    assert "<!-- backbone -->" in text
    assert "<!-- head -->" in text
    assert "<!-- param group -->" in text


def test_one_group_has_no_legend(step_schedule: Schedule) -> None:
    assert "<!-- param group -->" not in svg_texts(render(schedule=step_schedule, format="svg"))


def test_a_title_from_the_config_wins(write_config) -> None:
    path = write_config("title: My warm-up\nepochs: 5\nscheduler: {type: LinearLR}\n")
    text = svg_texts(render(schedule=simulate(spec=load_spec(path=path)), format="svg"))
    assert "<!-- My warm-up -->" in text


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_same_schedule_gives_the_same_bytes(step_schedule: Schedule, fmt: str) -> None:
    assert render(schedule=step_schedule, format=fmt) == render(schedule=step_schedule, format=fmt)


def svg_of(config: str, **options) -> str:
    from lrplot.plotting import PlotOptions, draw, plot_data

    schedule = simulate(spec=load_spec(path=CONFIGS_DIR / f"{config}.yaml", allow_import=True))
    data = plot_data(schedule, options=PlotOptions(**options) if options else None)
    return draw(data, ["svg"])["svg"].decode()


@pytest.mark.parametrize(
    ("config", "texts"),
    [
        ("tutorial/MultiStepLR", ["x0.1", "start 0.1", "final 0.001"]),
        ("recipes/warmup-cosine", ["→ CosineAnnealingLR", "peak 0.001"]),
        ("schedulers/CosineAnnealingWarmRestarts", ["restart"]),
        ("tutorial/OneCycleLR", ["end of warm-up", "peak 0.1", "Momentum"]),
        ("schedulers/OneCycleLR", ["Beta1 (momentum)", "Step"]),
        ("recipes/plateau-synthetic-loss", ["reduced", "Metric"]),
    ],
)
def test_plots_mark_regimes_label_points_and_add_panels(config: str, texts: list[str]) -> None:
    svg = svg_of(config)
    for text in texts:
        assert f"<!-- {text} -->" in svg, text


def test_log_scale() -> None:
    svg = svg_of("recipes/resnet-step-decay", yscale="log")
    assert "<!-- $\\mathdefault{10^{-4}}$ -->" in svg


def test_long_schedules_are_thinned_keeping_every_extreme() -> None:
    from array import array

    from lrplot.plotting import MAX_POINTS, _thin

    y = array("d", ((i * 7919) % 1000 / 1000 for i in range(200_001)))
    x = array("d", range(len(y)))
    tx, ty = _thin(x, y)
    assert len(ty) <= MAX_POINTS + 4
    assert (min(ty), max(ty)) == (min(y), max(y))
    assert (tx[0], tx[-1]) == (0.0, 200_000.0)
    assert all(y[int(i)] == v for i, v in zip(tx, ty, strict=True))
