"""Property tests of logs and metric files: whatever a file holds, lrplot succeeds or says
what is wrong in one ``Error:`` line, in the promised form, quoting nothing it should not.

Hypothesis generates CSV and JSON logs (through ``compare``) and metric files (through
``validate`` and ``render``); examples are bounded as in tests/test_fuzz.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrplot.cli import cli

FUZZ = settings(
    max_examples=int(os.environ.get("LRPLOT_FUZZ_EXAMPLES", "400")) // 10,
    deadline=5000,  # milliseconds per example: a hang or a blow-up fails the test
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECRET = "SECRETxyz"
"""Text a file holds that must never be quoted back: it looks like neither a number nor,
with its ``=``, a column name."""

CELLS = [
    "", " ", "0", "1", "7", "-1", "0.1", "1e-3", "nan", "inf", "-inf", "1e999", "²", "٣",
    "9" * 400, "9" * 5000, str(2**53 - 1), str(2**53), str(2**63), "1_0", "0x1F", "x",
    f"{SECRET}=1", '"', '"a,b"', "\r", "\n", "\r\n", "\x00", "\ufeff", "é", "1" * 140_000,
]  # fmt: skip
COLUMNS = [
    "epoch", "step", "lr", "lr_head", "lr-SGD", "lr-AdamW/head", "lr-SGD-momentum", "loss",
    "val_loss", f"{SECRET}=1", "a b", "", "step",
]  # fmt: skip
NUMBERS = [
    "0", "1", "0.1", "-1", "1e-3", "1e999", "NaN", "Infinity", "-Infinity", "9" * 400,
    "9" * 5000, str(2**53), str(2**63), "true", "null", f'"{SECRET}=1"', '"0.1"', "{}", "[]",
    '{"learning_rate": 1}',
]  # fmt: skip


def csv_text(header: list[str], rows: list[list[str]], ending: str) -> str:
    return ending.join(",".join(row) for row in [header, *rows]) + ending


csv_logs = st.builds(
    csv_text,
    st.lists(st.sampled_from(COLUMNS), max_size=5),
    st.lists(st.lists(st.sampled_from(CELLS), max_size=5), max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
events = st.lists(
    st.dictionaries(
        st.sampled_from(["learning_rate", "step", "eval_loss", "loss", "epoch", SECRET]),
        st.sampled_from(NUMBERS),
        max_size=4,
    ),
    max_size=5,
)


def json_text(history: list[dict[str, str]], shape: str) -> str:
    listed = ", ".join(
        "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in event.items()) + "}"
        for event in history
    )
    return shape.replace("HISTORY", f"[{listed}]")


json_logs = st.builds(
    json_text,
    events,
    st.sampled_from(
        ['{"log_history": HISTORY}', "HISTORY", '{"log_history": HISTORY', '{"a": HISTORY}']
    ),
)


def one_error_or_success(result: Result, source: str) -> None:
    """Exit 0; or exit 1 with one ``Error: <source>: ...`` line that quotes no secret."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr
    if result.exit_code == 0:
        return
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert errors == lines[-1:], result.stderr
    assert errors[0].startswith(f"Error: {source}: "), errors[0]
    assert errors[0].isprintable()


def _in_folder(name: str, text: str) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return folder, path


@FUZZ
@given(
    st.one_of(
        csv_logs.map(lambda t: ("m.csv", t)), json_logs.map(lambda t: ("trainer_state.json", t))
    )
)
def test_compare_reads_or_refuses_any_log(log: tuple[str, str]) -> None:
    name, text = log
    folder, path = _in_folder(name, text)
    with folder:
        out = Path(folder.name) / "out.csv"
        result = CliRunner().invoke(cli, ["compare", str(path), "-o", str(out)])
        one_error_or_success(result, str(path))


RENDERED = (
    "epochs: 2\nsteps_per_epoch: 2\nscheduler: {type: ReduceLROnPlateau}\nmetric: {file: %s, %s}\n"
)


@FUZZ
@given(
    st.one_of(
        csv_logs.map(lambda t: ("m.csv", t, "column: loss")),
        csv_logs.map(lambda t: ("m.csv", t, "column: lr")),
        json_logs.map(lambda t: ("t.json", t, "key: eval_loss")),
    ),
    st.sampled_from(["validate", "render"]),
)
def test_validate_and_render_read_or_refuse_any_metric_file(
    metric: tuple[str, str, str], command: str
) -> None:
    name, text, how = metric
    folder, path = _in_folder(name, text)
    with folder:
        config = path.parent / "c.yaml"
        config.write_text(RENDERED % (name, how))
        arguments = [command, str(config)]
        if command == "render":
            arguments += ["-f", "csv", "-o", str(path.parent / "out.csv")]
        one_error_or_success(CliRunner().invoke(cli, arguments), str(config))
