"""CSV and JSON contents, exact float round trips, and writing a schedule's files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from lrplot import OutputError, load_spec, parse_spec, simulate, to_csv, to_json, write
from lrplot.outputs.export import format_of
from tests.conftest import CONFIGS_DIR, DATA_DIR
from tests.reference import reference_run


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def reference_for(path: Path) -> dict[str, Any]:
    return reference_run(yaml.safe_load(path.read_text()), path.parent)


def test_single_group_csv_reads_back_to_torchs_floats() -> None:
    path = CONFIGS_DIR / "tutorial" / "CosineAnnealingLR.yaml"
    rows = rows_of(to_csv(simulate(spec=load_spec(path=path))))
    assert rows[0] == ["epoch", "lr"]
    expected = reference_for(path)["lr"][0]
    assert [int(r[0]) for r in rows[1:]] == list(range(100))
    assert [float(r[1]).hex() for r in rows[1:]] == [v.hex() for v in expected]


def test_per_batch_csv_has_epoch_step_and_momentum() -> None:
    path = CONFIGS_DIR / "schedulers" / "OneCycleLR.yaml"
    rows = rows_of(to_csv(simulate(spec=load_spec(path=path))))
    assert rows[0] == ["epoch", "step", "lr", "momentum"]
    assert len(rows) == 1 + 30 * 50
    assert [r[0] for r in rows[1:52]] == ["0"] * 50 + ["1"]
    assert [int(r[1]) for r in rows[1:]] == list(range(1500))
    expected = reference_for(path)
    assert [float(r[2]) for r in rows[1:]] == expected["lr"][0]
    assert [float(r[3]) for r in rows[1:]] == expected["momentum"][0]


def test_several_groups_get_a_column_each_named_after_the_group() -> None:
    path = CONFIGS_DIR / "schedulers" / "LambdaLR.yaml"
    rows = rows_of(to_csv(simulate(spec=load_spec(path=path))))
    assert rows[0] == ["epoch", "lr_backbone", "lr_head"]
    expected = reference_for(path)["lr"]
    assert [float(r[1]) for r in rows[1:]] == expected[0]
    assert [float(r[2]) for r in rows[1:]] == expected[1]


def test_unnamed_groups_are_numbered() -> None:
    spec = parse_spec(
        data={
            "epochs": 2,
            "optimizer": {"type": "SGD", "momentum": 0.9, "param_groups": [{}, {"lr": 0.5}]},
            "scheduler": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 1},
        }
    )
    header = to_csv(simulate(spec=spec)).splitlines()[0]
    assert header == "epoch,lr_0,lr_1,momentum_0,momentum_1"


def test_plateau_csv_has_the_metric_it_was_fed() -> None:
    path = CONFIGS_DIR / "tutorial" / "ReduceLROnPlateau.yaml"
    rows = rows_of(to_csv(simulate(spec=load_spec(path=path))))
    assert rows[0] == ["epoch", "lr", "metric"]
    assert [float(r[2]) for r in rows[1:]] == [float(e) for e in range(100)]


@pytest.mark.golden
def test_csv_format_golden(golden) -> None:
    schedule = simulate(spec=load_spec(path=DATA_DIR / "small-two-groups-per-batch.yaml"))
    golden("small-two-groups-per-batch.csv", to_csv(schedule))


@pytest.mark.golden
def test_training_run_csv_format_golden(golden) -> None:
    schedule = simulate(spec=load_spec(path=DATA_DIR / "small-training-run.yaml"))
    golden("small-training-run.csv", to_csv(schedule))


def test_a_training_runs_columns_are_the_reference_loops() -> None:
    path = DATA_DIR / "small-training-run.yaml"
    schedule = simulate(spec=load_spec(path=path))
    rows = rows_of(to_csv(schedule))
    assert rows[0] == [
        "epoch", "step", "lr_body", "lr_head", "metric", "lr_resumed_body", "lr_resumed_head"
    ]  # fmt: skip
    expected = reference_for(path)
    assert [r[4] for r in rows[1:]] == ["" if v is None else repr(v) for v in expected["metric"]]
    assert [float(r[5]) for r in rows[1:]] == expected["resumed"][0]
    data = json.loads(to_json(schedule))
    assert data["resume_at"] == 10
    assert data["steps_per_epoch"] == 4
    assert data["columns"]["metric"] == expected["metric"]  # null where not fed


def test_json_has_the_same_columns_as_csv() -> None:
    path = CONFIGS_DIR / "schedulers" / "OneCycleLR.yaml"
    schedule = simulate(spec=load_spec(path=path))
    data = json.loads(to_json(schedule))
    rows = rows_of(to_csv(schedule))
    assert list(data["columns"]) == rows[0]
    assert data["columns"]["lr"] == [float(r[2]) for r in rows[1:]]
    assert data["epochs"] == 30
    assert data["steps_per_epoch"] == 50
    assert (
        data["title"] == "OneCycleLR(max_lr=0.01, epochs=30, steps_per_epoch=50) · AdamW(lr=0.001)"
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.png", "png"),
        ("a.SVG", "svg"),
        ("x/y.pdf", "pdf"),
        ("a.csv", "csv"),
        ("a.json", "json"),
        ("a.txt", None),
        ("png", None),
    ],
)
def test_format_of(name: str, fmt: str | None) -> None:
    assert format_of(name) == fmt


def test_write_refuses_an_unknown_extension(tmp_path: Path) -> None:
    schedule = simulate(spec=parse_spec(data={"epochs": 2, "scheduler": {"type": "ConstantLR"}}))
    with pytest.raises(OutputError, match="cannot tell the format from the extension"):
        write(schedule=schedule, path=tmp_path / "a.gif")


def test_missing_folders_are_created(tmp_path: Path) -> None:
    schedule = simulate(spec=parse_spec(data={"epochs": 2, "scheduler": {"type": "ConstantLR"}}))
    path = write(schedule=schedule, path=tmp_path / "a" / "b" / "s.csv")
    assert path.read_text().startswith("epoch,lr\n")
