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
