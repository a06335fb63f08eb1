"""``lrplot render`` end to end through click's CliRunner; ``--help`` and ``--version``."""

from __future__ import annotations

import csv
import io
import json
from importlib.metadata import version
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import CONFIGS_DIR, DATA_DIR, GOLDEN_DIR
from tests.reference import reference_run

STEP_LR = CONFIGS_DIR / "tutorial" / "StepLR.yaml"


def test_render_without_output_writes_stem_png_here(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["render", str(STEP_LR)])
    assert result.exit_code == 0, result.output
    assert result.stderr == "Wrote StepLR.png\n"
    assert result.stdout == ""
    assert (tmp_path / "StepLR.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_render_to_every_format_by_extension(runner: CliRunner, tmp_path: Path) -> None:
    outputs = [tmp_path / f"s.{ext}" for ext in ("png", "svg", "pdf", "csv", "json")]
    args = ["render", str(STEP_LR)]
    for path in outputs:
        args += ["-o", str(path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == "".join(f"Wrote {p}\n" for p in outputs)
    png, svg, pdf, csv_file, json_file = outputs
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.read_text().lstrip().startswith("<?xml")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert csv_file.read_text().splitlines()[0] == "epoch,lr"
    assert len(csv_file.read_text().splitlines()) == 101
    data = json.loads(json_file.read_text())
    assert len(data["columns"]["lr"]) == 100


def test_csv_to_stdout_is_only_csv(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(STEP_LR), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["epoch", "lr"]
    assert len(rows) == 101
    assert all(int(r[0]) == i and float(r[1]) > 0 for i, r in enumerate(rows[1:]))
    assert result.stderr == ""


def test_long_option_names(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(STEP_LR), "--format", "json", "--output", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["columns"]["epoch"][-1] == 99


def test_render_into_a_folder_in_several_formats(runner: CliRunner, tmp_path: Path) -> None:
    configs = [str(p) for p in sorted((CONFIGS_DIR / "tutorial").glob("Cyclic*.yaml"))]
    out = tmp_path / "out"
    result = runner.invoke(cli, ["render", *configs, "-o", f"{out}/", "-f", "svg", "-f", "csv"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    stems = sorted(Path(c).stem for c in configs)
    assert names == sorted(f"{s}.{e}" for s in stems for e in ("csv", "svg"))


def test_an_existing_folder_needs_no_slash(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["render", str(STEP_LR), "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "StepLR.png").exists()


def test_format_for_a_file_without_extension(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "schedule.data"
    result = runner.invoke(cli, ["render", str(STEP_LR), "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text().startswith("epoch,lr\n")


def test_notices_go_to_stderr_and_do_not_fail(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 20\nscheduler: {type: StepLR, step_size: 10, verbose: false}\nmetric: epoch\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"Notice: {config}: scheduler.verbose: ignored: this torch's StepLR has no `verbose` "
        "argument any more; delete the line\n"
        f"Notice: {config}: metric: ignored: only ReduceLROnPlateau is fed a metric, not StepLR\n"
    )
    assert result.stdout.startswith("epoch,lr\n")


def test_a_negative_lr_is_a_warning_with_its_step(runner: CliRunner, write_config) -> None:
    text = "epochs: 30\nscheduler: {type: StepLR, step_size: 7, gamma: -1}\n"
    config = write_config(text)
    lr = reference_run(yaml.safe_load(text), config.parent)["lr"][0]
    step = next(i for i, value in enumerate(lr) if value < 0)
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Warning: {config}: scheduler: the learning rate goes negative at step {step} (epoch "
        f"{step}): {lr[step]!r}; torch allows it, but an optimizer would then climb the loss "
        "(line 2) [negative-lr]\n"
    )


@pytest.mark.parametrize("output", ["z.png", "z.csv"])
def test_a_log_scale_notes_the_lr_it_cannot_draw(
    runner: CliRunner, tmp_path: Path, output: str
) -> None:
    """Whatever is written: a config says the same notices under every command."""
    result = runner.invoke(
        cli,
        [
            "render",
            str(STEP_LR),
            "--set",
            "scheduler.gamma=0",
            "--log-y",
            "-o",
            str(tmp_path / output),
        ],
    )
    assert result.exit_code == 0, result.output
    notice = (
        f"Notice: {STEP_LR}: on a log scale, learning rates of 0 and below are not drawn: "
        "the learning rate is 0.0 at step 10 (epoch 10)\n"
    )
    assert result.stderr == notice + f"Wrote {tmp_path / output}\n"


def test_custom_scheduler_needs_allow_import(runner: CliRunner, tmp_path: Path) -> None:
    config = CONFIGS_DIR / "tutorial" / "CustomLR.yaml"
    refused = runner.invoke(cli, ["render", str(config), "-o", str(tmp_path / "c.csv")])
    assert refused.exit_code == 1
    assert "--allow-import" in refused.stderr
    assert str(CONFIGS_DIR / "tutorial" / "custom_lr.py") in refused.stderr
    allowed = runner.invoke(
        cli, ["render", str(config), "--allow-import", "-o", str(tmp_path / "c.csv")]
    )
    assert allowed.exit_code == 0, allowed.output
    assert len((tmp_path / "c.csv").read_text().splitlines()) == 21


def test_allow_import_from_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    config = CONFIGS_DIR / "tutorial" / "CustomLR.yaml"
    result = runner.invoke(
        cli,
        ["render", str(config), "-o", str(tmp_path / "c.csv")],
        env={"LRPLOT_ALLOW_IMPORT": "1"},
    )
    assert result.exit_code == 0, result.output


def test_max_steps_option(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["render", str(STEP_LR), "--max-steps", "99", "-f", "csv", "-o", "-"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {STEP_LR}: epochs: 100 epochs x 1 steps_per_epoch = 100 steps, "
        "more than the limit of 99 (raise it with --max-steps)\n"
    )


def test_version_names_lrplot_torch_and_matplotlib(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    from lrplot import __version__

    assert result.stdout == (
        f"lrplot {__version__} (torch {version('torch')}, matplotlib {version('matplotlib')})\n"
    )


def _command_paths() -> list[list[str]]:
    group = cli
    assert isinstance(group, click.Group)
    return [[], *([name] for name in sorted(group.commands))]


@pytest.mark.golden
@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "lrplot")
def test_help_of_every_command(path: list[str], runner: CliRunner, golden) -> None:
    result = runner.invoke(cli, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert runner.invoke(cli, [*path, "-h"], terminal_width=100).stdout == result.stdout
    golden(f"help-{'-'.join(path) or 'lrplot'}.txt", result.stdout)


def test_a_config_from_standard_input(runner: CliRunner, tmp_path: Path) -> None:
    text = STEP_LR.read_text()
    result = runner.invoke(cli, ["render", "-", "-f", "csv", "-o", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["epoch,lr", "0,0.1"]
    result = runner.invoke(cli, ["render", "-", "-o", f"{tmp_path}/"], input=text)
    assert (tmp_path / "stdin.png").exists()
    bad = runner.invoke(cli, ["render", "-"], input="scheduler: {type: StepLr}\n")
    assert bad.stderr.startswith("Error: <stdin>: scheduler.type: unknown scheduler 'StepLr'")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8 text (bad byte at offset 0)"),
        (
            b"#" * (1024 * 1024 + 1),
            "the file is larger than 1024 KiB; a schedule config is a few lines",
        ),
    ],
)
def test_stdin_is_read_as_files_are(runner: CliRunner, data: bytes, message: str) -> None:
    result = runner.invoke(cli, ["validate", "-"], input=data)
    assert result.exit_code == 1
    assert result.stderr == f"Error: <stdin>: {message}\n"


def test_stdin_only_once(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", "-", "-", "-o", "out/"], input="")
    assert result.exit_code == 2
    assert "standard input (-) can be read only once" in result.stderr


def test_json_configs(runner: CliRunner, write_config) -> None:
    config = write_config(
        '{"epochs": 3, "scheduler": {"type": "StepLR", "step_size": 1}}', "c.json"
    )
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 4


def test_quiet_and_verbose(runner: CliRunner, tmp_path: Path) -> None:
    out = str(tmp_path / "s.csv")
    quiet = runner.invoke(cli, ["render", str(STEP_LR), "-o", out, "-q"])
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    verbose = runner.invoke(cli, ["render", str(STEP_LR), "-o", out, "-v"])
    assert verbose.stderr == (
        f"Wrote {out}\n{STEP_LR}: 100 steps (100 epochs); "
        "lr start 0.1, min 0.0134, max 0.1, final 0.0134\n"
    )
    failing = runner.invoke(cli, ["render", str(tmp_path / "nope.yaml"), "-q"])
    assert failing.stderr.startswith("Error: ")


def test_validate_prints_summaries_or_errors(runner: CliRunner, write_config) -> None:
    good = CONFIGS_DIR / "tutorial" / "OneCycleLR.yaml"
    bad = write_config("scheduler: {type: StepLR, step_size: ten}\n")
    result = runner.invoke(cli, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{good}: ok: 100 steps (100 epochs); lr start 0.004, min 4e-07, max 0.1, final 4e-07\n"
        "  peak 0.1 at step 29 (epoch 29); OneCycleLR total_steps 100 of its 100 steps\n"
    )
    assert result.stderr == (
        f"Error: {bad}: scheduler.step_size: expected an integer, got text 'ten' (line 1)\n"
    )
    only_good = runner.invoke(cli, ["validate", "-q", str(good)])
    assert (only_good.exit_code, only_good.stdout) == (0, "")


def test_validate_writes_nothing(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["validate", str(STEP_LR)]).exit_code == 0
    assert list(tmp_path.iterdir()) == []


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_plot_size_and_dpi_from_flags_and_config(
    runner: CliRunner, tmp_path: Path, write_config
) -> None:
    out = tmp_path / "a.png"
    assert (
        runner.invoke(
            cli, ["render", str(STEP_LR), "--size", "6x3", "--dpi", "50", "-o", str(out)]
        ).exit_code
        == 0
    )
    assert png_size(out) == (300, 150)
    config = write_config(
        "plot: {size: [4, 2], dpi: 80}\nscheduler: {type: StepLR, step_size: 3}\n"
    )
    assert runner.invoke(cli, ["render", str(config), "-o", str(out)]).exit_code == 0
    assert png_size(out) == (320, 160)
    assert (
        runner.invoke(cli, ["render", str(config), "--dpi", "40", "-o", str(out)]).exit_code == 0
    )
    assert png_size(out) == (160, 80)  # the flag wins over the config


def test_transparent_background(runner: CliRunner, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "t.png"
    assert (
        runner.invoke(cli, ["render", str(STEP_LR), "--transparent", "-o", str(out)]).exit_code
        == 0
    )
    with Image.open(out) as image:
        assert image.mode == "RGBA"
        corner = image.getpixel((2, 2))  # nothing is drawn there
        assert isinstance(corner, tuple)
        assert corner[3] == 0  # fully transparent


@pytest.mark.parametrize("size", ["8", "0x3", "axb", "100x2"])
def test_bad_sizes_are_usage_errors(size: str, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(STEP_LR), "--size", size])
    assert result.exit_code == 2
    assert "Invalid value for '--size'" in result.stderr


def test_an_image_too_large_to_draw_is_refused(
    runner: CliRunner, tmp_path: Path, write_config
) -> None:
    out = tmp_path / "big.png"
    result = runner.invoke(cli, ["render", str(STEP_LR), "--size", "50x50", "--dpi", "900"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: --size and --dpi: 50x50 inches at 900 dpi is 45,000 x 45,000 pixels; "
        "at most 25,000,000 pixels in all (5000 x 5000): lower the size or the dpi\n"
    )
    config = write_config("plot: {dpi: 300}\nscheduler: {type: StepLR, step_size: 3}\n")
    result = runner.invoke(cli, ["render", str(config), "--size", "40x40", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {config}: plot: 40x40 inches at 300 dpi is 12,000 x 12,000 pixels;"
    )
    assert not out.exists()
    result = runner.invoke(cli, ["render", str(config), "--size", "5x5", "-o", str(out)])
    assert result.exit_code == 0
    assert png_size(out) == (1500, 1500)


@pytest.mark.parametrize("command", ["render", "compare"])
def test_an_output_that_is_the_config_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    config = tmp_path / "s.yaml"
    config.write_text(STEP_LR.read_text())
    (tmp_path / "alias.yaml").symlink_to("s.yaml")
    result = runner.invoke(
        cli, [command, str(config), "-f", "csv", "-o", str(tmp_path / "alias.yaml")]
    )
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: -o {tmp_path / 'alias.yaml'} would overwrite the config {config}\n"
    )
    assert config.read_text() == STEP_LR.read_text()


def test_the_pre_commit_hooks_run_validate() -> None:
    import yaml

    from tests.conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"lrplot-validate", "lrplot-validate-system"}
    for hook in hooks:
        assert hook["entry"].split() == ["lrplot", "validate", "--strict", "--"]
        command = hook["entry"].split()[1:]
        assert cli.get_command(click.Context(cli), command[0]) is not None


def test_after_a_double_dash_a_name_like_an_option_is_a_config(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    steering = "-sscheduler={type: ExponentialLR, gamma: 0.99} #.yaml"
    Path(steering).write_text(STEP_LR.read_text())
    Path("broken.yaml").write_text("scheduler:\n  type: StepLR\n  step_size: ten\n")
    result = runner.invoke(cli, ["validate", "--strict", "-q", "--", steering, "broken.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: broken.yaml: scheduler.step_size: expected an integer, got text 'ten' (line 3)\n"
    )
    result = runner.invoke(cli, ["validate", "--strict", "--", steering])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{steering}: ok: ")


@pytest.mark.parametrize(
    ("arguments", "notice"),
    [
        ("type: StepLR\n  step_size: 10.5", "scheduler.step_size: expected an integer, got 10.5"),
        (
            "type: MultiStepLR\n  milestones: [10, eighty]",
            "scheduler.milestones: expected a list of integers, got a list [10, 'eighty']",
        ),
    ],
)
def test_a_value_torch_runs_against_its_own_hints_is_plotted_with_a_notice(
    arguments: str, notice: str, runner: CliRunner, write_config, tmp_path: Path
) -> None:
    text = f"epochs: 30\nscheduler:\n  {arguments}\n"
    config = write_config(text)
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Notice: {config}: {notice}, but torch accepts it: plotted as torch computes it "
        "(line 4)\n"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = reference_run(yaml.safe_load(text), tmp_path)["lr"][0]
    assert [float(row["lr"]) for row in rows] == expected


def test_a_training_run_said_in_yaml_json_set_or_python_is_the_same_run(
    runner: CliRunner, tmp_path: Path
) -> None:
    import json

    import yaml

    from lrplot import parse_spec, simulate, to_csv

    source = DATA_DIR / "small-training-run.yaml"
    data = yaml.safe_load(source.read_text())
    (tmp_path / "run.json").write_text(json.dumps(data))
    (tmp_path / "bare.yaml").write_text("epochs: 4\n")
    overrides = [
        f"--set={key}={json.dumps(data[key])}"
        for key in ("optimizer", "steps_per_epoch", "schedulers", "metric")
    ]
    runs = {
        "yaml": ["render", str(source)],
        "json": ["render", str(tmp_path / "run.json")],
        "--set": ["render", str(tmp_path / "bare.yaml"), *overrides, "--resume-at", "10"],
    }
    outputs = {}
    for how, command in runs.items():
        result = runner.invoke(cli, [*command, "-f", "csv", "-o", "-"])
        assert result.exit_code == 0, (how, result.stderr)
        outputs[how] = result.stdout
    outputs["python"] = to_csv(simulate(spec=parse_spec(data=data)))
    expected = (GOLDEN_DIR / "small-training-run.csv").read_text()
    assert outputs == dict.fromkeys(outputs, expected)


def test_validate_shows_where_steps_per_epoch_come_from(runner: CliRunner, write_config) -> None:
    config = write_config(
        "epochs: 90\n"
        "steps_per_epoch: {dataset_size: 1281167, batch_size: 64, world_size: 8, grad_accum: 2}\n"
        "scheduler: {type: StepLR, step_size: 30, interval: epoch}\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"{config}: ok: 112,590 steps (90 epochs x 1,251); steps per epoch: 1,281,167 "
        "samples / 8 processes = 160,146 each / 64 per batch = 2,503 batches (the last one "
        "short) / 2 accumulated = 1,251 optimizer steps; lr start 0.1, min 0.001, max 0.1, "
        "final 0.001\n  StepLR step_size 30 of its 90 steps\n"
    )


TRANSFORMERS_CONFIGS = sorted((CONFIGS_DIR / "transformers").glob("*.yaml"))


def test_every_transformers_schedule_has_a_config() -> None:
    from lrplot.schedulers.registry import plottable_transformers_schedules

    named = {yaml_type(path) for path in TRANSFORMERS_CONFIGS}
    assert named == set(plottable_transformers_schedules())


def yaml_type(path: Path) -> str:
    import yaml

    return str(yaml.safe_load(path.read_text())["scheduler"]["type"])


@pytest.mark.parametrize("config", TRANSFORMERS_CONFIGS, ids=lambda p: p.stem)
def test_transformers_schedules_render_transformers_numbers(
    config: Path, runner: CliRunner
) -> None:
    import csv
    import io

    import yaml

    from tests.reference import reference_run

    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert "Error" not in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = reference_run(yaml.safe_load(config.read_text()), config.parent)["lr"][0]
    assert [float(row["lr"]).hex() for row in rows] == [v.hex() for v in expected]


def test_a_function_returning_a_scheduler_is_imported_when_allowed(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "warmup.py").write_text(
        "from torch.optim.lr_scheduler import LambdaLR\n\n"
        "def linear_warmup(optimizer, steps=4):\n"
        "    return LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / steps))\n\n"
        "def not_a_scheduler(optimizer):\n"
        "    return 42\n"
    )
    config = tmp_path / "cfg.yaml"
    config.write_text("epochs: 6\nscheduler: {type: warmup.py:linear_warmup, steps: 3}\n")
    refused = runner.invoke(cli, ["validate", str(config)])
    assert refused.exit_code == 1
    assert "would import code from" in refused.stderr
    result = runner.invoke(cli, ["render", str(config), "--allow-import", "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    lrs = [float(line.split(",")[1]) for line in result.stdout.splitlines()[1:]]
    assert lrs == [0.1 * min(1.0, (s + 1) / 3) for s in range(6)]
    config.write_text("scheduler: {type: warmup.py:not_a_scheduler}\n")
    bad = runner.invoke(cli, ["validate", str(config), "--allow-import"])
    assert bad.exit_code == 1
    assert bad.stderr == (
        f"Error: {config}: scheduler: not_a_scheduler returned int, not a scheduler of the "
        "optimizer it was given (a torch LRScheduler, or an object with step() and that "
        "optimizer) (line 1)\n"
    )


# Several configs: images drawn in worker processes, the same files and lines as one by one.

SEVERAL = ["StepLR", "OneCycleLR", "ReduceLROnPlateau", "CyclicLR-2"]
ALL_FORMATS = ["-f", "png", "-f", "svg", "-f", "pdf", "-f", "csv", "-f", "json"]


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def several(write_config) -> list[str]:
    """Configs that render, one that fails, and one with notices, in that order."""
    bad = write_config("scheduler: {type: StepLr, step_size: 3}\n", "bad.yaml")
    noticed = write_config(
        "epochs: 20\nscheduler: {type: StepLR, step_size: 10, verbose: false}\nmetric: epoch\n",
        "noticed.yaml",
    )
    configs = [str(CONFIGS_DIR / "tutorial" / f"{name}.yaml") for name in SEVERAL]
    return [configs[0], str(bad), *configs[1:], str(noticed)]


def render_into(runner: CliRunner, configs: list[str], out: Path) -> tuple[int, list[str]]:
    result = runner.invoke(cli, ["render", *configs, "-o", f"{out}/", *ALL_FORMATS])
    return result.exit_code, result.stderr.replace(str(out), "OUT").splitlines()


def test_several_configs_draw_in_workers_the_bytes_and_lines_of_one_at_a_time(
    runner: CliRunner, several: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lrplot.gallery.workers

    pools: list[int] = []
    real_in_order = lrplot.gallery.workers.in_order

    def in_order(*args, workers: int, **kwargs):
        pools.append(workers)
        return real_in_order(*args, workers=workers, **kwargs)

    monkeypatch.setattr(lrplot.gallery.workers, "in_order", in_order)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    code, lines = render_into(runner, several, tmp_path / "workers")
    assert pools == [2]
    alone: list[str] = []
    for config in several:  # one config per command: no pool, the painter's path
        one_code, one_lines = render_into(runner, [config], tmp_path / "alone")
        assert one_code == (1 if config.endswith("bad.yaml") else 0)
        alone += one_lines
    assert pools == [2]
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    sequential = render_into(runner, several, tmp_path / "sequential")
    assert pools == [2]  # one core: one process
    assert code == 1
    assert lines == alone == sequential[1]
    assert lines[5].startswith(f"Error: {several[1]}: scheduler.type: unknown scheduler 'StepLr'")
    assert lines[-1] == "Wrote OUT/noticed.json"
    assert files_in(tmp_path / "workers") == files_in(tmp_path / "alone")
    assert files_in(tmp_path / "workers") == files_in(tmp_path / "sequential")
    assert len(files_in(tmp_path / "workers")) == 5 * 5


def test_an_image_a_worker_cannot_draw_is_drawn_here(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import lrplot.draw.painter

    parent = os.getpid()
    real_draw = lrplot.draw.painter.draw  # type: ignore[attr-defined]

    def draw(data, formats):  # in a worker: dies on one config, fails on another
        if os.getpid() != parent and data.title.startswith("OneCycleLR"):
            os._exit(1)
        if os.getpid() != parent and data.title.startswith("StepLR"):
            raise RuntimeError("no luck")
        return real_draw(data, formats)

    monkeypatch.setattr(lrplot.draw.painter, "draw", draw)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    configs = [str(CONFIGS_DIR / "tutorial" / f"{name}.yaml") for name in SEVERAL]
    code, lines = render_into(runner, configs, tmp_path / "workers")
    assert code == 0, lines
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert render_into(runner, configs, tmp_path / "here") == (code, lines)
    assert files_in(tmp_path / "workers") == files_in(tmp_path / "here")


def test_one_config_does_not_start_a_pool(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lrplot.gallery.workers

    def in_order(*args, **kwargs):
        raise AssertionError("a pool for one config")

    monkeypatch.setattr(lrplot.gallery.workers, "in_order", in_order)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    result = runner.invoke(cli, ["render", str(STEP_LR), "-o", f"{tmp_path}/"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Wrote {tmp_path}/StepLR.png\n"
    result = runner.invoke(cli, ["render", str(STEP_LR), "-", "-o", f"{tmp_path}/", "-f", "csv"],
                           input=STEP_LR.read_text())  # fmt: skip
    assert result.exit_code == 0, result.stderr  # no image: no pool either
    assert (tmp_path / "stdin.csv").read_bytes() == (tmp_path / "StepLR.csv").read_bytes()
