"""Every input a user can get wrong gives one ``Error:`` line, exit 1, and no output file.

Most cases are files in ``tests/data/bad/``; the first line of each says what lrplot must
print after ``Error: <file>: `` (``{dir}`` stands for that folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.limits import MAX_CONFIG_BYTES
from tests.conftest import DATA_DIR

BAD_DIR = DATA_DIR / "bad"
BAD_CONFIGS = sorted(BAD_DIR.glob("*.yaml"))
PREFIX = "# expect: "


def expected_message(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith(PREFIX), f"{path.name} must start with '{PREFIX}...'"
    return first[len(PREFIX) :].replace("{dir}", str(BAD_DIR))


def test_the_corpus_is_large() -> None:
    assert len(BAD_CONFIGS) >= 40


@pytest.mark.parametrize("path", BAD_CONFIGS, ids=lambda p: p.stem)
def test_bad_config_gives_its_one_line_error(
    path: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out.png"
    output.write_bytes(b"the previous picture")
    monkeypatch.chdir(BAD_DIR)
    result = runner.invoke(
        cli, ["render", path.name, "-o", str(output), "-o", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {path.name}: {expected_message(path)}\n"
    assert result.stdout == ""
    assert output.read_bytes() == b"the previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


@pytest.fixture(scope="module")
def gallery_of_the_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The gallery's stderr lines for the whole corpus, rendered once (to PNG and CSV: a
    config can fail to be drawn only), from its folder as render's test runs it."""
    out = tmp_path_factory.mktemp("gallery")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(BAD_DIR)
        result = CliRunner().invoke(
            cli, ["gallery", ".", "-o", str(out), "-f", "png", "-f", "csv", "--jobs", "2"]
        )
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert f"{out}: 0 rendered, 0 skipped, " in result.stderr
    return result.stderr.splitlines()


@pytest.mark.parametrize("path", BAD_CONFIGS, ids=lambda p: p.stem)
def test_the_gallery_fails_a_bad_config_with_renders_message(
    path: Path, gallery_of_the_corpus: list[str]
) -> None:
    """Each config's failure line in the gallery is its ``Error:`` line from render
    (``file: key: message (line N)``)."""
    source = f"{path.name}: "
    assert [line for line in gallery_of_the_corpus if line.startswith(f"Error: {source}")] == [
        f"Error: {source}{expected_message(path)}"
    ]


def run_render(runner: CliRunner, config: str, tmp_path: Path) -> tuple[int, str]:
    result = runner.invoke(cli, ["render", config, "-o", str(tmp_path / "out.png")])
    assert not (tmp_path / "out.png").exists()
    assert result.stdout == ""
    return result.exit_code, result.stderr


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    assert run_render(runner, missing, tmp_path) == (1, f"Error: {missing}: file not found\n")


def test_folder(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    assert run_render(runner, str(folder), tmp_path) == (
        1,
        f"Error: {folder}: is a folder, not a config file\n",
    )


def test_empty_file(runner: CliRunner, tmp_path: Path, write_config) -> None:
    path = write_config("# nothing but a comment\n")
    assert run_render(runner, str(path), tmp_path) == (
        1,
        f"Error: {path}: the config is empty; it needs at least a `scheduler:` mapping\n",
    )


def test_unreadable_file(
    runner: CliRunner, tmp_path: Path, write_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    path = write_config("scheduler: {type: StepLR, step_size: 1}\n")
    real_open = os.open

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    assert run_render(runner, str(path), tmp_path) == (
        1,
        f"Error: {path}: permission denied: cannot read the file\n",
    )


def test_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"title: caf\xe9\nscheduler: {type: StepLR, step_size: 1}\n")
    assert run_render(runner, str(path), tmp_path) == (
        1,
        f"Error: {path}: not UTF-8 text (bad byte at offset 10)\n",
    )


def test_too_large(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
    assert run_render(runner, str(path), tmp_path) == (
        1,
        f"Error: {path}: the file is larger than 1024 KiB; a schedule config is a few lines\n",
    )


def test_one_bad_config_does_not_stop_the_others(
    runner: CliRunner, tmp_path: Path, write_config
) -> None:
    good = write_config("epochs: 3\nscheduler: {type: StepLR, step_size: 1}\n", "good.yaml")
    bad = write_config("scheduler: {type: StepLr, step_size: 1}\n", "bad.yaml")
    result = runner.invoke(cli, ["render", str(bad), str(good), "-o", f"{tmp_path}/out/"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: scheduler.type: unknown scheduler 'StepLr'")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.png"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "-"], "-o - needs exactly one --format, e.g. -f csv -o -"),
        (["-o", "out.txt"], "cannot tell the format of 'out.txt' from its extension"),
        (
            ["-f", "csv", "-o", "out.png"],
            "'out.png' is png by its extension, but --format says csv",
        ),
        (["-o", "a.png", "-o", "a.png"], "a.png would be written twice"),
        (["-f", "gif"], "Invalid value for '-f' / '--format': 'gif' is not one of"),
        (["--max-steps", "0"], "Invalid value for '--max-steps'"),
    ],
)
def test_command_line_misuse_is_a_usage_error(
    args: list[str],
    message: str,
    runner: CliRunner,
    write_config,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = write_config("scheduler: {type: StepLR, step_size: 1}\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["render", str(config), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("Usage: lrplot render")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_several_configs_need_a_folder(runner: CliRunner, write_config) -> None:
    a = write_config("scheduler: {type: StepLR, step_size: 1}\n", "a.yaml")
    b = write_config("scheduler: {type: StepLR, step_size: 2}\n", "b.yaml")
    result = runner.invoke(cli, ["render", str(a), str(b), "-o", "out.png"])
    assert result.exit_code == 2
    assert (
        "with several configs, -o must be a folder (ending in /), not 'out.png'" in result.stderr
    )


def test_no_config_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render"])
    assert result.exit_code == 2
    assert "Missing argument 'CONFIGS...'" in result.stderr
