"""Plots are real images of the right size, carry their labels, and repeat byte for byte."""

from __future__ import annotations

import itertools
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from lrplot import load_spec, render, simulate
from lrplot.outputs.export import Format
from lrplot.simulation.runner import Schedule
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
    from lrplot.config.options import PlotOptions
    from lrplot.draw.plotting import draw, plot_data

    schedule = simulate(spec=load_spec(path=CONFIGS_DIR / f"{config}.yaml", allow_import=True))
    data = plot_data(schedule, options=PlotOptions(**options) if options else None)
    return draw(data, ["svg"])["svg"].decode()


@pytest.mark.parametrize(
    ("config", "texts"),
    [
        ("tutorial/MultiStepLR", ["x0.1", "start 0.1", "final 0.001"]),
        ("recipes/warmup-cosine", ["end of warm-up → CosineAnnealingLR", "peak 0.001"]),
        ("schedulers/CosineAnnealingWarmRestarts", ["restart"]),
        ("tutorial/OneCycleLR", ["end of warm-up", "peak 0.1", "Momentum"]),
        ("schedulers/OneCycleLR", ["Beta1", "Step"]),  # "Beta1 (momentum)" is too tall here
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
    from lrplot.draw.plotting import MAX_POINTS, plot_data

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
    from lrplot.draw.plotting import plot_data

    path = write_config("epochs: 2\nsteps_per_epoch: 5\nscheduler: {type: StepLR, step_size: 3}\n")
    (line,) = plot_data(simulate(spec=load_spec(path=path))).series
    assert list(line.x) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]


def test_what_matplotlib_cannot_draw_is_an_error_not_a_traceback() -> None:
    from array import array

    from lrplot.draw.plotting import PlotData, Series, draw
    from lrplot.errors import OutputError

    line = Series("", array("d", [0.0, 1.0]), array("d", [1.0, 1.0]))
    with pytest.raises(OutputError, match=r"^matplotlib could not draw the plot: ValueError: "):
        draw(PlotData(title="", epochs=float("inf"), series=(line,)), ["png"])


def test_every_line_has_its_start_and_final_labelled(two_group_schedule: Schedule) -> None:
    text = svg_texts(render(schedule=two_group_schedule, format="svg"))
    for column in two_group_schedule.lr:
        assert f"<!-- start {column[0]:.3g} -->" in text
        assert f"<!-- final {column[-1]:.3g} -->" in text


@pytest.mark.parametrize("size", [(4.0, 3.0), (6.0, 6.0), (8.0, 4.5), (12.0, 4.0)])
def test_long_titles_wrap_to_fit_the_figure_width_in_two_lines(size: tuple[float, float]) -> None:
    from lrplot.config.options import PlotOptions
    from lrplot.draw.plotting import drawing, plot_data

    config = CONFIGS_DIR / "recipes" / "warmup-plateau-logged-loss.yaml"
    data = plot_data(simulate(spec=load_spec(path=config)), options=PlotOptions(size=size))
    with drawing(data) as figure:
        title = figure.axes[0].title
        box = title.get_window_extent(figure.canvas.get_renderer())  # type: ignore[attr-defined]
        assert box.x0 >= 0
        assert box.x1 <= figure.bbox.width
        assert title.get_text().count("\n") == 1


def test_titles_wrap_between_arguments_not_inside_them() -> None:
    from lrplot.draw.plotting import wrap_title

    title = "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10, scale_fn=1 / 2 ** (x - 1))"
    assert wrap_title(f"{title} · SGD(lr=0.01)", width=60).splitlines() == [
        "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10,",
        "scale_fn=1 / 2 ** (x - 1)) · SGD(lr=0.01)",
    ]
    assert wrap_title(f"{title} · SGD(lr=0.01)", width=40).splitlines() == [
        "CyclicLR(base_lr=0.01, max_lr=0.1,",
        "step_size_up=10,",
        "scale_fn=1 / 2 ** (x - 1))",
        "SGD(lr=0.01)",
    ]
    assert wrap_title("x" * 130, width=60).splitlines() == ["x" * 60, "x" * 60, "x" * 10]


def test_lines_at_the_same_value_are_labelled_in_the_colour_of_the_one_on_top(
    write_config,
) -> None:
    from matplotlib.colors import same_color

    from lrplot.draw.plotting import drawing, plot_data

    path = write_config(
        "epochs: 6\noptimizer: {type: SGD, lr: 0.1, param_groups: [{}, {}, {}]}\n"
        "scheduler: {type: StepLR, step_size: 2}\n"
    )
    with drawing(plot_data(simulate(spec=load_spec(path=path)))) as figure:
        axes = figure.axes[0]
        top = axes.get_lines()[2].get_color()  # drawn last, over the two others
        labels = [t for t in axes.texts if t.get_text().startswith(("start", "final"))]
        assert len(labels) == 2
        assert all(same_color(label.get_color(), top) for label in labels)


def marks_of(write_config, text: str) -> list[tuple[float, str]]:
    from lrplot.draw.plotting import regime_marks

    return regime_marks(simulate(spec=load_spec(path=write_config(text))))


def test_nested_milestones_and_the_phases_of_a_three_phase_cycle_are_marked(write_config) -> None:
    chained = marks_of(
        write_config,
        "epochs: 40\nscheduler:\n  type: ChainedScheduler\n  schedulers:\n"
        "    - {type: MultiStepLR, milestones: [10, 30], gamma: 0.5}\n"
        "    - {type: ExponentialLR, gamma: 0.99}\n",
    )
    assert chained == [(10.0, "x0.5"), (30.0, "x0.5")]
    sequential = marks_of(
        write_config,
        "epochs: 40\nscheduler:\n  type: SequentialLR\n  milestones: [10]\n  schedulers:\n"
        "    - {type: ConstantLR, factor: 0.5, total_iters: 10}\n"
        "    - {type: MultiStepLR, milestones: [5], gamma: 0.1}\n",
    )
    # Half the lr until the switch is a warm-up too.
    assert sequential == [(10.0, "end of warm-up → MultiStepLR"), (15.0, "x0.1")]
    three = marks_of(
        write_config,
        "epochs: 100\nscheduler: {type: OneCycleLR, max_lr: 1.0, total_steps: 100, "
        "three_phase: true}\n",
    )
    assert three == [(29.0, "end of warm-up"), (58.0, "back to the initial lr")]


def test_a_warm_up_is_named_whatever_makes_it(write_config) -> None:
    lambda_warm_up = marks_of(
        write_config,
        "epochs: 50\nscheduler: {type: LambdaLR, lr_lambda: 'min(1.0, (epoch + 1) / 10) "
        "* 0.97 ** max(0, epoch - 9)'}\n",
    )
    assert lambda_warm_up == [(9.0, "end of warm-up")]
    cyclic = marks_of(
        write_config,
        "epochs: 50\nscheduler: {type: CyclicLR, base_lr: 0.01, max_lr: 0.1, step_size_up: 5}\n",
    )
    assert cyclic == []


def test_every_groups_reductions_are_marked_naming_the_groups_when_not_all(write_config) -> None:
    marks = marks_of(
        write_config,
        "epochs: 60\noptimizer: {type: SGD, lr: 0.1, param_groups: [{name: a}, "
        "{name: b, lr: 0.01}]}\nscheduler: {type: ReduceLROnPlateau, patience: 2, "
        "min_lr: [0.05, 0.0]}\nmetric: '1.0'\n",
    )
    labels = [label for _, label in marks]
    assert labels[0] == "reduced"
    assert "reduced b" in labels


def test_long_step_axes_read_500k_1m_and_no_axis_has_an_offset() -> None:
    from array import array

    from lrplot.draw.plotting import PlotData, Series, drawing

    line = Series("", array("d", [0.0, 10.0, 20.0]), array("d", [2e-5, 1e-5, 1e-5]))
    data = PlotData(title="", epochs=20, series=(line,), steps_per_epoch=100_000)
    with drawing(data) as figure:
        figure.canvas.draw()
        axes = figure.axes[0]
        top = axes.child_axes[0].xaxis
        shown = [t.get_text() for t in top.get_ticklabels() if t.get_text()]
        assert "1M" in shown
        assert "2M" in shown
        assert axes.yaxis.get_offset_text().get_text() == ""
        assert "1e-05" in [t.get_text() for t in axes.yaxis.get_ticklabels()]


def test_equal_momentum_of_several_groups_is_one_line_named_in_the_legend(write_config) -> None:
    from lrplot.draw.plotting import plot_data

    path = write_config(
        "epochs: 20\noptimizer: {type: SGD, lr: 0.1, momentum: 0.9, "
        "param_groups: [{}, {lr: 0.01}]}\n"
        "scheduler: {type: OneCycleLR, max_lr: [0.1, 0.01], total_steps: 20}\n"
    )
    svg = render(schedule=simulate(spec=load_spec(path=path)), format="svg").decode()
    (panel,) = plot_data(simulate(spec=load_spec(path=path))).panels
    assert [line.label for line in panel.series] == ["momentum, every group"]
    assert "<!-- momentum, every group -->" in svg


LAID_OUT = [
    "recipes/warmup-plateau-logged-loss",  # a panel, a step axis, a long title
    "schedulers/LambdaLR",  # a legend
    "schedulers/OneCycleLR",  # a momentum panel
    "recipes/resume-warmup-cosine",  # an overlay and its legend
]


@pytest.mark.parametrize("config", LAID_OUT)
def test_every_text_is_inside_the_figure_and_stacked_axes_keep_apart(config: str) -> None:
    from lrplot.config.options import PlotOptions
    from lrplot.draw.plotting import drawing, plot_data
    from tests.draw.test_labels import SIZES, schedule_of, texts_of

    data = plot_data(schedule_of(CONFIGS_DIR / f"{config}.yaml"))
    for size in SIZES:
        with drawing(replace(data, options=PlotOptions(size=size))) as figure:
            width, height = figure.bbox.width, figure.bbox.height
            for _, text, (x0, y0, x1, y1) in texts_of(figure):
                assert min(x0, y0) >= 0, (config, size, text)
                assert x1 <= width, (config, size, text)
                assert y1 <= height, (config, size, text)
            frames = [axes.get_window_extent() for axes in figure.axes]
            for upper, lower in itertools.pairwise(frames):
                assert lower.y1 < upper.y0, (config, size)
