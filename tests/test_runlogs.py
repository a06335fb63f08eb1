"""Logged runs read back: a CSV column or a trainer_state.json key, inside the config's folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lrplot import ConfigError
from lrplot.runlogs import Logged, is_logged_run, read_log, read_logged_lr


def test_a_csv_column_skips_blank_cells_and_keeps_the_steps(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "\ufeffepoch,step,train_loss,val_loss\n0,9,1.5,\n0,9,,1.25\n1,19,1.0,\n1,19,,0.5\n"
    )
    assert read_log(tmp_path, "m.csv", column="val_loss") == Logged((1.25, 0.5), (9, 19))
    assert read_log(tmp_path, "m.csv", column="train_loss").values == (1.5, 1.0)


def test_a_csv_without_a_step_column(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("loss\n3\n2.5\n")
    assert read_log(tmp_path, "m.csv", column="loss") == Logged((3.0, 2.5), (None, None))


def test_a_trainer_states_log_history(tmp_path: Path) -> None:
    history = [
        {"loss": 2.0, "learning_rate": 1e-4, "step": 10},
        {"eval_loss": 1.5, "step": 10},
        {"loss": 1.0, "step": 20},
        {"eval_loss": 1.25, "step": 20},
    ]
    (tmp_path / "trainer_state.json").write_text(json.dumps({"log_history": history}))
    logged = read_log(tmp_path, "trainer_state.json", key="eval_loss")
    assert logged == Logged((1.5, 1.25), (10, 20))


@pytest.mark.parametrize(
    ("name", "data", "how", "message"),
    [
        (
            "m.csv",
            b"a,b\n1,2\n",
            {"column": "c"},
            "m.csv has no column 'c'; its columns: 'a', 'b'",
        ),
        ("m.csv", b"", {"column": "c"}, "m.csv has no column 'c'; its columns: none"),
        (
            "m.csv",
            b"loss\n1\nnan\n",
            {"column": "loss"},
            "m.csv, line 3, column 'loss': expected a number, got 'nan'",
        ),
        ("m.csv", b"loss\n\xff\n", {"column": "loss"}, "m.csv is not UTF-8 text (byte 5)"),
        ("t.json", b"{", {"key": "eval_loss"}, "t.json is not JSON"),
        (
            "t.json",
            b'{"log_history": [{"eval_loss": true}]}',
            {"key": "eval_loss"},
            "t.json, log_history[0].eval_loss: expected a number, got True",
        ),
        (
            "t.json",
            b"[1, 2]",
            {"key": "eval_loss"},
            "t.json has no log_history list; is it an HF trainer_state.json?",
        ),
    ],
)
def test_a_log_that_cannot_be_read_says_why(
    name: str, data: bytes, how: dict[str, str], message: str, tmp_path: Path
) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_log(tmp_path, name, where="metric.file", **how)
    assert caught.value.message == message
    assert caught.value.key == "metric.file"


def test_a_log_is_read_only_inside_the_configs_folder(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text("loss\n1\n")
    (folder / "link.csv").symlink_to(tmp_path / "secret.csv")
    os.mkfifo(folder / "pipe.csv")
    outside = (
        "is outside the config's folder; lrplot reads only files beside the config or below "
        "its folder"
    )
    for name, message in [
        ("../secret.csv", f"../secret.csv: {outside}"),
        ("link.csv", f"link.csv: {outside}"),
        ("pipe.csv", "pipe.csv: is not a regular file"),
        ("missing.csv", "missing.csv: file not found"),
    ]:
        with pytest.raises(ConfigError) as caught:
            read_log(folder, name, column="loss")
        assert caught.value.message == message


def test_a_log_larger_than_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lrplot.runlogs.MAX_LOG_BYTES", 2**20)
    (tmp_path / "big.csv").write_bytes(b"loss\n" + b"1\n" * 2**20)
    with pytest.raises(ConfigError) as caught:
        read_log(tmp_path, "big.csv", column="loss")
    assert caught.value.message == "big.csv is larger than 1 MiB"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "t.json",
            b'{"log_history": [{"loss": 1.0, "step": 1}]}',
            "t.json: logs no learning_rate",
        ),
        (
            "t.json",
            b'{"log_history": [{"learning_rate": 0.1, "step": "x"}]}',
            "t.json, log_history[0].step: expected a step number, got 'x'",
        ),
        (
            "m.csv",
            b"epoch,step,lr-SGD\n0,x,0.1\n",
            "m.csv, line 2: expected a step number, got 'x'",
        ),
        ("m.csv", b"epoch,step,lr-SGD\n0,1,\n", "m.csv: logs no learning rate"),
    ],
)
def test_a_logged_lr_that_cannot_be_read_says_why(
    name: str, data: bytes, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_logged_lr(Path(name))
    assert str(caught.value) == message


def test_which_files_are_logged_runs(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"scheduler": {"type": "StepLR", "step_size": 3}}')
    (tmp_path / "trainer_state.json").write_text('{"log_history": []}')
    assert not is_logged_run(tmp_path / "config.json")
    assert is_logged_run(tmp_path / "trainer_state.json")
    assert is_logged_run(tmp_path / "anything.csv")
    assert not is_logged_run(tmp_path / "config.yaml")
