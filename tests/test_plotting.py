"""Plots are real images of the right size, carry their labels, and repeat byte for byte."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lrplot import load_spec, render, simulate
from lrplot.export import Format
from lrplot.simulation import Schedule
from tests.conftest import CONFIG_FILES, CONFIGS_DIR


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


def test_text_is_drawn_as_written(write_config, recwarn: pytest.WarningsRecorder) -> None:
    # `$` would start matplotlib's math (and this one fails to parse), labels starting
    # with `_` would be dropped from the legend, and the font lacks these glyphs.
    path = write_config(
        "title: 'cost $\\frac{$ and $x^$ 学习率'\nepochs: 4\n"
        "optimizer: {type: SGD, lr: 0.1, param_groups: [{name: _warm}, {name: _b}]}\n"
        "scheduler: {type: StepLR, step_size: 2}\n"
    )
    text = svg_texts(render(schedule=simulate(spec=load_spec(path=path)), format="svg"))
    assert "<!-- cost $\\frac{$ and $x^$ 学习率 -->" in text
    assert "<!-- _warm -->" in text
    assert "<!-- _b -->" in text
    assert not recwarn.list


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_same_schedule_gives_the_same_bytes(step_schedule: Schedule, fmt: Format) -> None:
    assert render(schedule=step_schedule, format=fmt) == render(schedule=step_schedule, format=fmt)


def svg_of(config: str, **options) -> str:
    from lrplot.options import PlotOptions
    from lrplot.plotting import draw, plot_data

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


def test_long_schedules_are_thinned_keeping_every_extreme(write_config) -> None:
    from lrplot.plotting import MAX_POINTS, plot_data

    path = write_config(
        "epochs: 200000\noptimizer: {type: SGD, lr: 1.0}\n"
        "scheduler: {type: LambdaLR, lr_lambda: '(epoch * 7919) % 1000 / 1000 + 0.001'}\n"
    )
    schedule = simulate(spec=load_spec(path=path))
    (line,) = plot_data(schedule).series
    lr = schedule.lr[0]
    assert len(line.y) <= MAX_POINTS + 4
    assert (min(line.y), max(line.y)) == (min(lr), max(lr))
    assert (line.x[0], line.x[-2], line.x[-1]) == (0.0, 199_999.0, 200_000.0)
    assert all(lr[int(x)] == y for x, y in zip(line.x[:-1], line.y[:-1], strict=True))
    assert line.y[-1] == lr[-1]


def test_steps_are_placed_in_epochs(write_config) -> None:
    from lrplot.plotting import plot_data

    path = write_config("epochs: 2\nsteps_per_epoch: 5\nscheduler: {type: StepLR, step_size: 3}\n")
    (line,) = plot_data(simulate(spec=load_spec(path=path))).series
    assert list(line.x) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]


def test_what_matplotlib_cannot_draw_is_an_error_not_a_traceback() -> None:
    from array import array

    from lrplot.errors import OutputError
    from lrplot.plotting import PlotData, Series, draw

    line = Series("", array("d", [0.0, 1.0]), array("d", [1.0, 1.0]))
    with pytest.raises(OutputError, match=r"^matplotlib could not draw the plot: ValueError: "):
        draw(PlotData(title="", epochs=float("inf"), series=(line,)), ["png"])


def test_several_lines_label_the_line_on_top(two_group_schedule: Schedule) -> None:
    text = svg_texts(render(schedule=two_group_schedule, format="svg"))
    head = two_group_schedule.lr[two_group_schedule.spec.optimizer.groups.index(
        next(g for g in two_group_schedule.spec.optimizer.groups if g.name == "head")
    )]  # fmt: skip
    backbone_final = min(two_group_schedule.lr, key=lambda lr: lr[-1])[-1]
    assert f"<!-- start {head[0]:.3g} -->" in text
    assert f"<!-- final {head[-1]:.3g} -->" in text
    assert f"<!-- final {backbone_final:.3g} -->" not in text


def lines_through_labels(schedule: Schedule, **options: object) -> list[str]:
    """The start/peak/final labels that an lr line runs through or that leave the axes,
    measured on the drawn figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cbook import pts_to_poststep
    from matplotlib.path import Path as MplPath

    from lrplot.options import PlotOptions
    from lrplot.plotting import _figure, plot_data

    data = plot_data(schedule, options=PlotOptions(**options) if options else None)  # type: ignore[arg-type]
    figure = _figure(data)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    axes = figure.axes[0]
    frame = axes.get_window_extent(renderer)
    bad = []
    for label in axes.texts:
        text = label.get_text()
        if text.split(" ")[0] not in ("start", "peak", "final"):
            continue
        box = label.get_window_extent(renderer)
        if not (
            frame.x0 <= box.x0
            and box.x1 <= frame.x1 + 1
            and frame.y0 <= box.y0
            and box.y1 <= frame.y1
        ):
            bad.append(f"{text} leaves the axes")
        for line in axes.get_lines()[: len(data.series)]:
            stepped = pts_to_poststep(line.get_xdata(), line.get_ydata())
            path = axes.transData.transform_path(MplPath(stepped.T))
            if path.intersects_bbox(box, filled=False):
                bad.append(f"{text} is crossed by {line.get_label()}")
    return bad


@pytest.mark.parametrize("config", CONFIG_FILES, ids=lambda p: str(p.relative_to(CONFIGS_DIR)))
def test_no_line_runs_through_a_point_label(config: Path) -> None:
    schedule = simulate(spec=load_spec(path=config, allow_import=True))
    assert lines_through_labels(schedule) == []


@pytest.mark.parametrize(
    "config", ["tutorial/OneCycleLR", "recipes/warmup-cosine", "recipes/resnet-step-decay"]
)
def test_no_line_runs_through_a_point_label_on_a_log_axis(config: str) -> None:
    schedule = simulate(spec=load_spec(path=CONFIGS_DIR / f"{config}.yaml"))
    assert lines_through_labels(schedule, yscale="log") == []


@pytest.mark.parametrize("size", [(4.0, 3.0), (6.0, 6.0), (8.0, 4.5), (12.0, 4.0)])
def test_long_titles_wrap_to_fit_the_figure_width(size: tuple[float, float]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lrplot.options import PlotOptions
    from lrplot.plotting import _figure, plot_data

    config = CONFIGS_DIR / "schedulers" / "ChainedScheduler.yaml"
    data = plot_data(simulate(spec=load_spec(path=config)), options=PlotOptions(size=size))
    figure = _figure(data)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    title = figure.axes[0].title.get_window_extent(canvas.get_renderer())  # type: ignore[no-untyped-call]
    assert title.x0 >= 0
    assert title.x1 <= figure.bbox.width


def test_titles_wrap_between_arguments_not_inside_them() -> None:
    from lrplot.plotting import wrap_title

    title = "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10, scale_fn=1 / 2 ** (x - 1))"
    assert wrap_title(f"{title} · SGD(lr=0.01)", width=60).splitlines() == [
        "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10,",
        "scale_fn=1 / 2 ** (x - 1))",
        "SGD(lr=0.01)",
    ]
    assert wrap_title("x" * 130, width=60).splitlines() == ["x" * 60, "x" * 60, "x" * 10]


def test_lines_at_the_same_value_are_labelled_in_the_colour_of_the_one_on_top(
    write_config,
) -> None:
    from lrplot.plotting import _figure, plot_data

    path = write_config(
        "epochs: 6\noptimizer: {type: SGD, lr: 0.1, param_groups: [{}, {}, {}]}\n"
        "scheduler: {type: StepLR, step_size: 2}\n"
    )
    figure = _figure(plot_data(simulate(spec=load_spec(path=path))))
    axes = figure.axes[0]
    top = axes.get_lines()[2].get_color()  # drawn last, over the two others
    labels = [t for t in axes.texts if t.get_text().startswith(("start", "final"))]
    assert len(labels) == 2
    assert all(label.get_color() == top for label in labels)
