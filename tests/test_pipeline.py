"""The one pipeline: every command loads, simulates and notices a config the same way."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lrplot import Config, Settings, run
from lrplot.cli import cli
from tests.conftest import CONFIGS_DIR

NOTICED = (
    "epochs: 12\n"
    "plot: {yscale: log}\n"
    "scheduler:\n"
    "  type: LambdaLR\n"
    "  lr_lambda: '1 - epoch / 5'\n"
    "  verbose: true\n"
)


def notices(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("Notice: ", "Warning: "))]


def test_a_config_says_the_same_warnings_and_notices_under_every_command(
    runner: CliRunner, tmp_path: Path
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    config = configs / "noticed.yaml"
    config.write_text(NOTICED)
    outcome = run(config=Config(path=config))
    expected = [
        *(f"Warning: {warning}" for warning in outcome.warnings),  # the lr goes negative
        *(f"Notice: {notice}" for notice in outcome.notices),  # verbose, a log scale hides it
    ]
    assert len(expected) == 3
    render = runner.invoke(cli, ["render", str(config), "-o", str(tmp_path / "x.png")])
    validate = runner.invoke(cli, ["validate", str(config)])
    preview = runner.invoke(cli, ["preview", str(config), "--width", "60"])
    out = tmp_path / "gallery"
    gallery = runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "-v", "-j", "1"])
    again = runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "-v", "-j", "1"])
    for result in (render, validate, preview, gallery, again):  # again: skipped, not rendered
        assert result.exit_code == 0, result.stderr
        assert notices(result.stderr) == expected


def test_run_writes_files_streams_and_bytes(tmp_path: Path) -> None:
    import io

    stream = io.BytesIO()
    outcome = run(
        config=Config(path=CONFIGS_DIR / "tutorial" / "StepLR.yaml"),
        settings=Settings(overrides=("epochs=3",)),
        outputs=[(tmp_path / "a.csv", "csv"), (stream, "csv"), (None, "csv")],
    )
    assert outcome.written == (tmp_path / "a.csv",)
    text = "epoch,lr\n0,0.1\n1,0.1\n2,0.1\n"
    assert (tmp_path / "a.csv").read_text() == text
    assert stream.getvalue().decode() == text
    assert outcome.data == {"csv": text.encode()}
