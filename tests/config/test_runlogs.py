"""Logged runs read back: a CSV column or a trainer_state.json key, inside the config's
folder; the lr, momentum and weight decay a run logged, by name, and the runs in one log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lrplot import ConfigError
from lrplot.config.runlogs import (
    AFTER_SCHEDULER,
    BEFORE_SCHEDULER,
    Logged,
    RunStart,
    hf_order_of,
    is_logged_run,
    read_log,
    read_logged_lr,
)
from tests.trainers import Trainers


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
    monkeypatch.setattr("lrplot.config.runlogs.MAX_LOG_BYTES", 2**20)
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


def test_lightning_columns_are_read_by_name(trainers: Trainers) -> None:
    run = trainers.lightning(
        groups=("backbone", "head"),
        group_lrs=(0.1, 0.01),
        scheduler={"type": "StepLR", "step_size": 2},
        log_weight_decay=True,
    )
    logged = read_logged_lr(run.log)
    assert logged.logger == "Lightning"
    assert [(s.name, s.kind, s.group) for s in logged.series] == [
        ("lr-SGD/backbone", "lr", "backbone"),
        ("lr-SGD/backbone-momentum", "momentum", "backbone"),
        ("lr-SGD/backbone-weight_decay", "weight_decay", "backbone"),
        ("lr-SGD/head", "lr", "head"),
        ("lr-SGD/head-momentum", "momentum", "head"),
        ("lr-SGD/head-weight_decay", "weight_decay", "head"),
    ]
    steps = tuple(range(run.optimizer_steps))
    lr = {s.name: s for s in logged.series}
    # LearningRateMonitor logs before each optimizer step, at step = global_step.
    assert (lr["lr-SGD/head"].steps, lr["lr-SGD/head"].values) == (steps, run.lrs[1])
    assert lr["lr-SGD/backbone"].values == run.lrs[0]
    assert lr["lr-SGD/backbone-momentum"].values == run.momenta[0]
    assert logged.starts == ()


def test_a_momentum_column_is_one_whose_lr_column_is_there_too(tmp_path: Path) -> None:
    # A group may itself be named x-momentum: its lr column then has no lr-SGD/x beside it.
    log = tmp_path / "metrics.csv"
    log.write_text(
        "epoch,lr-SGD/a,lr-SGD/a-momentum,lr-SGD/b-momentum,lr-SGD/b-weight_decay,step\n"
        ",0.1,0.9,0.2,0.0,0\n"
    )
    logged = read_logged_lr(log)
    assert [(s.name, s.kind, s.group) for s in logged.series] == [
        ("lr-SGD/a", "lr", "a"),
        ("lr-SGD/a-momentum", "momentum", "a"),
        ("lr-SGD/b-momentum", "lr", "b-momentum"),
        ("lr-SGD/b-weight_decay", "lr", "b-weight_decay"),
    ]


def test_a_log_of_several_runs_keeps_the_last_runs_value_at_each_step(tmp_path: Path) -> None:
    history = [
        {"learning_rate": lr, "step": step}
        for step, lr in [(1, 0.1), (2, 0.2), (3, 0.3), (2, 0.25), (3, 0.3), (4, 0.4), (4, 0.5)]
    ]
    log = tmp_path / "trainer_state.json"
    log.write_text(json.dumps({"log_history": [{"eval_loss": 1.0, "step": 0}, *history]}))
    logged = read_logged_lr(log)
    assert logged.starts == (
        RunStart("log_history[4]", 2, 3),
        RunStart("log_history[7]", 4, 4),
    )
    (series,) = logged.series
    assert series.steps == (1, 2, 3, 4)
    assert series.values == (0.1, 0.25, 0.3, 0.5)
    assert series.earlier == {2: ((1, 0.2),), 4: ((2, 0.4),)}
    assert series.last_run == {2: 2, 4: 3}


def test_a_step_logged_again_with_the_same_values_is_the_same_run(tmp_path: Path) -> None:
    # Lightning logs a step once per batch of an accumulation, and a new run's first
    # step may be the last one's: the same values, so nothing tells them apart.
    log = tmp_path / "metrics.csv"
    log.write_text(
        "epoch,lr-SGD,lr-SGD-momentum,step,train_loss\n"
        ",0.1,0.9,0,\n,0.1,0.9,0,\n0,,,0,1.5\n,0.05,0.9,1,\n,0.05,0.9,1,\n,0.05,0.8,1,\n"
    )
    logged = read_logged_lr(log)
    assert logged.starts == (RunStart(where="line 7", step=1, after=1),)
    lr, momentum = logged.series
    assert (lr.steps, lr.values, lr.earlier) == ((0, 1), (0.1, 0.05), {})
    assert (momentum.values, momentum.earlier) == ((0.9, 0.8), {1: ((1, 0.9),)})


@pytest.mark.parametrize(
    ("config", "version", "unversioned"),
    [
        (None, None, "no config.json beside it"),
        ('{"model_type": "bert", "transformers_version": "4.50.3"}', "4.50.3", ""),
        ('{"transformers_version": "4.51.0.dev0"}', "4.51.0.dev0", ""),
        ('{"model_type": "bert"}', None, "its config.json has no transformers_version"),
        (
            '{"transformers_version": "sk-live-abc123"}',
            None,
            "its config.json has no transformers_version",
        ),
        ('{"transformers_version": 4.5}', None, "its config.json has no transformers_version"),
        ("[1, 2]", None, "its config.json has no transformers_version"),
        ("{", None, "its config.json is not JSON"),
        (b"\xff", None, "its config.json is not JSON"),
    ],
)
def test_the_transformers_version_comes_from_the_config_json_beside_the_log(
    config: str | bytes | None, version: str | None, unversioned: str, tmp_path: Path
) -> None:
    log = tmp_path / "trainer_state.json"
    log.write_text('{"log_history": [{"learning_rate": 0.1, "step": 1}]}')
    if isinstance(config, str):
        (tmp_path / "config.json").write_text(config)
    elif config is not None:
        (tmp_path / "config.json").write_bytes(config)
    logged = read_logged_lr(log)
    assert (logged.transformers_version, logged.unversioned) == (version, unversioned)


def test_a_config_json_is_read_only_inside_the_logs_folder_and_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    log = run / "trainer_state.json"
    log.write_text('{"log_history": [{"learning_rate": 0.1, "step": 1}]}')
    (tmp_path / "config.json").write_text('{"transformers_version": "4.50.0"}')
    (run / "config.json").symlink_to(tmp_path / "config.json")
    assert read_logged_lr(log).unversioned == "its config.json leads out of the log's folder"
    (run / "config.json").unlink()
    os.mkfifo(run / "config.json")
    assert read_logged_lr(log).unversioned == "its config.json is not a regular file"
    (run / "config.json").unlink()
    monkeypatch.setattr("lrplot.config.runlogs.MAX_MODEL_CONFIG_BYTES", 2**20)
    (run / "config.json").write_text('{"transformers_version": "4.50.0", "x": "' + "x" * 2**20)
    assert read_logged_lr(log).unversioned == "its config.json is larger than 1 MiB"


def test_the_order_of_a_transformers_version() -> None:
    assert [hf_order_of(v) for v in ("4.50.3", "4.51.0", "4.51.0.dev0", "5.24.0", "3.9")] == [
        AFTER_SCHEDULER, BEFORE_SCHEDULER, BEFORE_SCHEDULER, BEFORE_SCHEDULER, AFTER_SCHEDULER
    ]  # fmt: skip
