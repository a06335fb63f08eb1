"""Logged runs read back: a CSV column or a trainer_state.json key, inside the config's
folder; the lr, momentum and weight decay a run logged, by name, and the runs in one log."""

from __future__ import annotations

import json
import os
from array import array
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lrplot import ConfigError
from lrplot.cli import cli
from lrplot.config.runlogs import (
    AFTER_SCHEDULER,
    BEFORE_SCHEDULER,
    HIDDEN,
    Logged,
    RunStart,
    hf_order_of,
    is_logged_run,
    read_log,
    read_logged_lr,
)
from lrplot.limits import MAX_LOG_JSON_VALUES, MAX_LOG_LINE
from tests.trainers import Trainers


def test_a_csv_column_skips_blank_cells_and_keeps_the_steps(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "\ufeffepoch,step,train_loss,val_loss\n0,9,1.5,\n0,9,,1.25\n1,19,1.0,\n1,19,,0.5\n"
    )
    assert read_log(tmp_path, "m.csv", column="val_loss") == Logged(
        array("d", [1.25, 0.5]), array("q", [9, 19])
    )
    assert read_log(tmp_path, "m.csv", column="train_loss").values == array("d", [1.5, 1.0])


def test_a_csv_without_a_step_column(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("loss\n3\n2.5\n")
    assert read_log(tmp_path, "m.csv", column="loss") == Logged(array("d", [3.0, 2.5]), None)


def test_a_trainer_states_log_history(tmp_path: Path) -> None:
    history = [
        {"loss": 2.0, "learning_rate": 1e-4, "step": 10},
        {"eval_loss": 1.5, "step": 10},
        {"loss": 1.0, "step": 20},
        {"eval_loss": 1.25, "step": 20},
    ]
    (tmp_path / "trainer_state.json").write_text(json.dumps({"log_history": history}))
    logged = read_log(tmp_path, "trainer_state.json", key="eval_loss")
    assert logged == Logged(array("d", [1.5, 1.25]), array("q", [10, 20]))


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
            "t.json, log_history[0].eval_loss: expected a number, got true",
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
            "t.json: log_history[0].step: expected a step number below 2**53, got text of 1 "
            "character",
        ),
        (
            "m.csv",
            b"epoch,step,lr-SGD\n0,x,0.1\n",
            "m.csv: step: expected a step number below 2**53, got text of 1 character (line 2)",
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
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "trainer_state.json").write_text('[{"epochs": 3}]')
    assert is_logged_run(tmp_path / "run" / "trainer_state.json")  # by its name
    (tmp_path / "state.json").write_text('{"log_history": []}')
    assert is_logged_run(tmp_path / "state.json")  # by its key
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
    head = lr["lr-SGD/head"]
    assert (head.steps, head.values) == (array("q", steps), array("d", run.lrs[1]))
    assert lr["lr-SGD/backbone"].values == array("d", run.lrs[0])
    assert lr["lr-SGD/backbone-momentum"].values == array("d", run.momenta[0])
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
    assert series.steps == array("q", [1, 2, 3, 4])
    assert series.values == array("d", [0.1, 0.25, 0.3, 0.5])
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
    assert (lr.steps, lr.values, lr.earlier) == (array("q", [0, 1]), array("d", [0.1, 0.05]), {})
    assert (momentum.values, momentum.earlier) == (array("d", [0.9, 0.8]), {1: ((1, 0.9),)})


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


# Logs and metric files are untrusted data (issue 21): nothing of them is quoted but what
# looks like a column name or a short number, and every cell, number and step is read
# with bounds, so a bad one is one Error: line.

RENDER_FED = "epochs: 3\nscheduler: {type: ReduceLROnPlateau}\nmetric: {file: %s, %s}\n"


def _validate(runner: CliRunner, folder: Path, log: str, data: bytes, how: str) -> Result:
    (folder / log).write_bytes(data)
    (folder / "c.yaml").write_text(RENDER_FED % (log, how))
    return runner.invoke(cli, ["validate", str(folder / "c.yaml")])


@pytest.mark.parametrize(
    ("log", "data", "how", "message"),
    [
        (
            ".env",
            b"SECRET_TOKEN=abc123\n",
            "column: loss",
            ".env: is a hidden file (its name, a folder's on its way or the name a link leads "
            "to starts with a dot, as .env's and .git's do); lrplot does not read one as a log",
        ),
        (
            "env.csv",
            b"SECRET_TOKEN=abc123\n",
            "column: loss",
            "env.csv has no column 'loss'; its first line is not a header of column names "
            "(one field of 19 characters)",
        ),
        (
            "m.csv",
            b"step,val_loss,API_KEY=abc123,a b\n",
            "column: loss",
            "m.csv has no column 'loss'; its columns: 'step', 'val_loss' (and 2 fields that "
            "are not column names)",
        ),
        (
            "m.csv",
            b"step,val_loss,token=abc123\n",
            "column: loss",
            "m.csv has no column 'loss'; its columns: 'step', 'val_loss' (and 1 field that "
            "is not a column name)",
        ),
        (
            "m.csv",
            b"loss\n1\nhunter2\n",
            "column: loss",
            "m.csv, line 3, column 'loss': expected a number, got text of 7 characters",
        ),
        (
            "m.csv",
            b"loss\n1\n" + b"9" * 400 + b"\n",
            "column: loss",
            "m.csv, line 3, column 'loss': expected a number, got a number of 400 characters",
        ),
        (
            "m.csv",
            b"step,loss\n" + str(2**63).encode() + b",1\n",
            "column: loss",
            "m.csv, line 2, column 'step': expected a step number below 2**53, got "
            "'9223372036854775808'",
        ),
        (
            "m.csv",
            b"loss\n" + b"1" * 200_000 + b"\n",
            "column: loss",
            "m.csv, line 2: a field is longer than csv's limit of 131,072 characters",
        ),
        (
            "m.csv",  # one row of 1 MiB: csv would build every field of it at once
            b"loss\n1," + b"11," * (MAX_LOG_LINE // 3) + b"\n",
            "column: loss",
            "m.csv, line 2: is longer than the limit of 1,048,576 characters a line",
        ),
        (
            "m.csv",
            b"loss" + b",ab" * (MAX_LOG_LINE // 3) + b"\n1\n",
            "column: loss",
            "m.csv, line 1: is longer than the limit of 1,048,576 characters a line",
        ),
        (
            "t.json",  # Python builds every list and value of a JSON file it parses
            b'{"log_history": [' + b"[]," * (MAX_LOG_JSON_VALUES // 2) + b"[]]}",
            "key: eval_loss",
            "t.json may hold up to 8,000,003 values and lists (its '[', '{' and ',' "
            "counted), more than the limit of 8,000,000 for a JSON log",
        ),
        (
            "t.json",
            b'{"log_history": [{"eval_loss": ' + b"9" * 400 + b', "step": 1}]}',
            "key: eval_loss",
            "t.json, log_history[0].eval_loss: expected a number, got a number of 400 digits",
        ),
        (
            "t.json",
            b'{"log_history": [{"eval_loss": "sk-abc123", "step": 1}]}',
            "key: eval_loss",
            "t.json, log_history[0].eval_loss: expected a number, got text of 9 characters",
        ),
        (
            "t.json",
            b'{"log_history": [{"eval_loss": NaN, "step": 1}]}',
            "key: eval_loss",
            "t.json, log_history[0].eval_loss: expected a number, got NaN",
        ),
        (
            "t.json",
            b'{"log_history": [{"eval_loss": 1.0, "step": ' + str(2**53).encode() + b"}]}",
            "key: eval_loss",
            "t.json, log_history[0].step: expected a step number below 2**53, got "
            "9007199254740992",
        ),
    ],
)
def test_a_metric_file_is_quoted_only_where_it_looks_like_names_and_numbers(
    runner: CliRunner, tmp_path: Path, log: str, data: bytes, how: str, message: str
) -> None:
    result = _validate(runner, tmp_path, log, data, how)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'c.yaml'}: metric.file: {message} (line 3)\n"
    assert b"abc123" not in result.stderr_bytes
    assert b"hunter2" not in result.stderr_bytes


@pytest.mark.parametrize(
    ("header", "found"),
    [
        (b"ghp_16C7e42F292c6912E7710c838347Ae178B4a\n", "one field of 40 characters"),
        (b"AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n", "2 fields"),
        (b"sk-proj-abc123def\n", "one field of 17 characters"),
    ],
)
def test_a_token_is_not_a_column_name(
    runner: CliRunner, tmp_path: Path, header: bytes, found: str
) -> None:
    result = _validate(runner, tmp_path, "token.txt", header, "column: loss")
    assert result.stderr == (
        f"Error: {tmp_path / 'c.yaml'}: metric.file: token.txt has no column 'loss'; its first "
        f"line is not a header of column names ({found}) (line 3)\n"
    )


def test_column_names_as_loggers_write_them_are_quoted(runner: CliRunner, tmp_path: Path) -> None:
    header = b"epoch,step,train/loss_epoch,lr-Adam/pg1-momentum,top5_acc,layers.0.grad_norm\n"
    result = _validate(runner, tmp_path, "m.csv", header, "column: loss")
    assert result.stderr == (
        f"Error: {tmp_path / 'c.yaml'}: metric.file: m.csv has no column 'loss'; its columns: "
        "'epoch', 'step', 'train/loss_epoch', 'lr-Adam/pg1-momentum', 'top5_acc', "
        "'layers.0.grad_norm' (line 3)\n"
    )


@pytest.mark.parametrize("name", [".git/tok", ".secrets/creds.csv", "a.csv", "sub/b.csv"])
def test_a_metric_file_in_a_hidden_folder_or_behind_a_link_to_one_is_not_read(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    for folder in (".git", ".secrets", "sub"):
        (tmp_path / folder).mkdir()
    (tmp_path / ".token").write_bytes(b"loss\n1\n")
    (tmp_path / ".secrets" / "creds.csv").write_bytes(b"loss\n1\n")
    (tmp_path / ".git" / "tok").write_bytes(b"loss\n1\n")
    (tmp_path / "a.csv").symlink_to(".token")
    (tmp_path / "sub" / "b.csv").symlink_to("../.secrets/creds.csv")
    (tmp_path / "c.yaml").write_text(RENDER_FED % (name, "column: loss"))
    result = runner.invoke(cli, ["validate", str(tmp_path / "c.yaml")])
    assert result.stderr == (
        f"Error: {tmp_path / 'c.yaml'}: metric.file: {name}: {HIDDEN} (line 3)\n"
    )


def test_a_metric_file_behind_a_link_to_a_plain_name_is_read(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "m.csv").write_bytes(b"loss\n1\n0.5\n0.2\n")
    (tmp_path / "latest.csv").symlink_to("logs/m.csv")
    (tmp_path / "c.yaml").write_text(RENDER_FED % ("./latest.csv", "column: loss"))
    result = runner.invoke(cli, ["validate", str(tmp_path / "c.yaml")])
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_log_behind_a_link_to_a_hidden_file_is_not_read(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".run.csv").write_bytes(b"epoch,step,lr-SGD\n0,0,0.1\n")
    Path("run.csv").symlink_to(".run.csv")
    result = runner.invoke(cli, ["compare", "run.csv", "-o", "out.csv"])
    assert (result.exit_code, result.stderr) == (1, f"Error: run.csv: {HIDDEN}\n")


def test_a_metric_file_within_the_bounds_is_read(runner: CliRunner, tmp_path: Path) -> None:
    steps = f"step,loss\n0,1\n1,{'9' * 100}\n2,0.5\n{2**53 - 1},0.5\n".encode()
    result = _validate(runner, tmp_path, "m.csv", steps, "column: loss")
    assert (result.exit_code, result.stderr) == (
        0,
        f"Notice: {tmp_path / 'c.yaml'}: metric: m.csv, 'loss': 1 of its 4 values are not "
        "used: step 9,007,199,254,740,991, after ReduceLROnPlateau is last stepped, at step 2\n",
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (".run.csv", b"epoch,step,lr-SGD\n0,0,0.1\n", ".run.csv: " + HIDDEN),
        (
            "m.csv",
            b"epoch,step,lr-SGD\n0,0,0.1\n0,1," + b"1" * 200_000 + b"\n",
            "m.csv: a field is longer than csv's limit of 131,072 characters (line 3)",
        ),
        (
            "m.csv",
            "epoch,step,lr-SGD\n0,²,0.1\n".encode(),
            "m.csv: step: expected a step number below 2**53, got text of 1 character (line 2)",
        ),
        (
            "m.csv",
            b"epoch,step,lr-SGD\n0," + b"9" * 5000 + b",0.1\n",
            "m.csv: step: expected a step number below 2**53, got a number of 5,000 "
            "characters (line 2)",
        ),
        (
            "m.csv",
            b"epoch,step,lr-SGD\n0,0,0.1\n\n\n0," + str(2**63).encode() + b",0.1\n",
            "m.csv: step: expected a step number below 2**53, got '9223372036854775808' (line 5)",
        ),
        (
            "m.csv",
            b"epoch,step,lr-SGD\n0,0,0.1\n0,1,sk-live-abc123\n",
            "m.csv: lr-SGD: expected a number, got text of 14 characters (line 3)",
        ),
        (
            "m.csv",
            b"epoch,step,lr-SGD,lr-SGD/API_KEY=abc123\n0,0,0.1,inf\n",
            "m.csv: column 4: expected a number, got 'inf' (line 2)",
        ),
        (
            "m.csv",
            b"step,lr-a\n1,0.1," + b"11," * (MAX_LOG_LINE // 3) + b"\n",
            "m.csv: is longer than the limit of 1,048,576 characters a line (line 2)",
        ),
        (
            "trainer_state.json",
            b'{"x": [' + b"[]," * (MAX_LOG_JSON_VALUES // 2) + b'[]], "log_history": []}',
            "trainer_state.json: may hold up to 8,000,005 values and lists (its '[', '{' and "
            "',' counted), more than the limit of 8,000,000 for a JSON log",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"learning_rate": ' + b"9" * 400 + b', "step": 1}]}',
            "trainer_state.json: log_history[0].learning_rate: expected a number, got a "
            "number of 400 digits",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"learning_rate": 1e999, "step": 1}]}',
            "trainer_state.json: log_history[0].learning_rate: expected a number, got 1e999, "
            "past a float's range",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"learning_rate": Infinity, "step": 1}]}',
            "trainer_state.json: log_history[0].learning_rate: expected a number, got Infinity",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"loss": 1}, {"learning_rate": 0.1, "step": '
            + str(2**63).encode()
            + b"}]}",
            "trainer_state.json: log_history[1].step: expected a step number below 2**53, got "
            "9223372036854775808",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"learning_rate": 0.1, "step": ' + b"9" * 5000 + b"}]}",
            "trainer_state.json: log_history[0].step: expected a step number below 2**53, got "
            "a number of 5,000 digits",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"learning_rate": {"SECRET": "abc123"}, "step": 1}]}',
            "trainer_state.json: log_history[0].learning_rate: expected a number, got an object",
        ),
        (
            # Named as HF names it: a logged run (never read as a config), its keys unquoted.
            "trainer_state.json",
            b'[{"learning_rate": 0, "SECRET_abc123": 0}]',
            "trainer_state.json: has no log_history list; is it an HF trainer_state.json?",
        ),
        (
            "trainer_state.json",
            b'{"log_history": [{"learning_rate": 0.1, "step": "token-abc123"}]}',
            "trainer_state.json: log_history[0].step: expected a step number below 2**53, got "
            "text of 12 characters",
        ),
    ],
)
def test_a_logged_run_with_a_bad_cell_number_or_step_is_one_error_line(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    data: bytes,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(data)
    result = runner.invoke(cli, ["compare", name, "-o", "out.csv"])
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert b"abc123" not in result.stderr_bytes


def test_a_logged_run_within_the_bounds_is_drawn(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # A bare \r ends a row, as in any CSV; the last step below 2**53 is drawn.
    Path("m.csv").write_bytes(f"epoch,step,lr-SGD\n0,0,0.1\r0,{2**53 - 1},0.2\n".encode())
    result = runner.invoke(cli, ["compare", "m.csv", "-o", "out.csv", "-o", "out.png"])
    assert (result.exit_code, result.stderr) == (0, "Wrote out.csv\nWrote out.png\n")
    assert Path("out.csv").read_text() == (
        f"schedule,step,lr\nm (logged),0,0.1\nm (logged),{2**53 - 1},0.2\n"
    )


def test_a_logs_columns_x_rows_count_against_the_operation_budget(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    header = "epoch,step,lr-SGD/pg1,lr-SGD/pg2,lr-SGD/pg3\n"
    rows = "".join(f"0,{step},0.1\n\n" for step in range(4))  # blank lines cost nothing
    Path("m.csv").write_text(header + rows)
    within = runner.invoke(cli, ["compare", "m.csv", "-o", "out.csv", "--max-steps", "1"])
    assert (within.exit_code, within.stderr) == (0, "Wrote out.csv\n")
    Path("m.csv").write_text(header + rows + "0,4\n")
    over = runner.invoke(cli, ["compare", "m.csv", "-o", "out.csv", "--max-steps", "1"])
    assert (over.exit_code, over.stderr) == (
        1,
        "Error: m.csv: lr columns x rows: 3 lr columns x 6 lines (the header and 5 rows) = "
        "18 cells, more than the limit of 16 (16 per step allowed by --max-steps 1; raise "
        "it with --max-steps) (line 10)\n",
    )


def test_a_logs_header_counts_its_columns_against_the_budget_with_no_row(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each column costs work and memory of its own, however few rows the log has.
    monkeypatch.chdir(tmp_path)
    header = "step," + ",".join(f"lr-a{i}" for i in range(16))
    Path("m.csv").write_text(header + "\n1,0.1\n")
    within = runner.invoke(cli, ["compare", "m.csv", "-o", "out.csv", "--max-steps", "2"])
    assert (within.exit_code, within.stderr[-14:]) == (0, "Wrote out.csv\n")
    Path("m.csv").write_text(header + ",lr-a16\n1,0.1\n")
    over = runner.invoke(cli, ["compare", "m.csv", "-o", "out.csv", "--max-steps", "1"])
    assert (over.exit_code, over.stderr) == (
        1,
        "Error: m.csv: lr columns x rows: 17 lr columns x 1 line (the header) = "
        "17 cells, more than the limit of 16 (16 per step allowed by --max-steps 1; raise "
        "it with --max-steps) (line 1)\n",
    )


def test_a_log_at_the_line_and_value_limits_is_read(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fields = (MAX_LOG_LINE - 8) // 2  # cells past the header's are not read
    row = b"1,0.1," + b"1," * fields
    row += b"1" * (MAX_LOG_LINE - len(row) - 2) + b"\r\n"  # the limit, with its ending
    assert len(row) == MAX_LOG_LINE
    Path("m.csv").write_bytes(b"step,lr-a\n" + row + b"2,0.2\n")
    result = runner.invoke(cli, ["compare", "m.csv", "-o", "out.csv"])
    assert (result.exit_code, result.stderr) == (0, "Wrote out.csv\n")
    assert Path("out.csv").read_text() == "schedule,step,lr\nm (logged),1,0.1\nm (logged),2,0.2\n"
    entry = b'{"learning_rate": 0.1, "step": 1}'
    padding = b"," * (MAX_LOG_JSON_VALUES - 5)  # a string's commas count too (5 more below)
    Path("trainer_state.json").write_bytes(
        b'{"log_history": [' + entry + b'], "x": "' + padding + b'"}'
    )
    result = runner.invoke(cli, ["compare", "trainer_state.json", "-o", "out.csv"])
    assert result.exit_code == 0, result.stderr
    assert Path("out.csv").read_text() == "schedule,step,lr\ntrainer_state (logged),0,0.1\n"
    Path("trainer_state.json").write_bytes(
        b'{"log_history": [' + entry + b'], "x": "' + padding + b',"}'
    )
    result = runner.invoke(cli, ["compare", "trainer_state.json", "-o", "out.csv"])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: trainer_state.json: may hold up to 8,000,001 values and lists (its '[', '{' "
        "and ',' counted), more than the limit of 8,000,000 for a JSON log\n",
    )
