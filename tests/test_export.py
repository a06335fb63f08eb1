"""CSV and JSON contents, exact float round trips, and atomic writes that never leave a part."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from lrplot import OutputError, load_spec, parse_spec, simulate, to_csv, to_json, write
from lrplot.export import format_of, write_atomic
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


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "schedule.csv"
    target.write_text("old\n")

    def fill(f: Any) -> None:
        f.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(target, fill)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["schedule.csv"]


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")

    def fill(f: Any) -> None:
        f.write(b"half a picture")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, fill)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.csv", lambda f: f.write(b"x"))
    finally:
        os.umask(old)
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o644


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_atomic(path, lambda f: f.write(b"new"))
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"new", 0o600)


def test_a_link_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    write_atomic(link, lambda f: f.write(b"new"))
    assert link.is_symlink()
    assert (tmp_path / "real.csv").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    import stat
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_atomic(pipe, lambda f: f.write(b"through the pipe"))
    reader.join(timeout=30)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_file_where_a_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    with pytest.raises(
        OutputError, match=r"cannot write here: .*a\.yaml is a file, not a folder$"
    ):
        write_atomic(tmp_path / "a.yaml" / "b" / "c.png", lambda f: f.write(b"x"))


def test_missing_folders_are_created(tmp_path: Path) -> None:
    schedule = simulate(spec=parse_spec(data={"epochs": 2, "scheduler": {"type": "ConstantLR"}}))
    path = write(schedule=schedule, path=tmp_path / "a" / "b" / "s.csv")
    assert path.read_text().startswith("epoch,lr\n")


def test_several_files_are_written_as_a_set(tmp_path: Path) -> None:
    from lrplot.export import bytes_writer, write_all_atomic

    first, second = tmp_path / "a.png", tmp_path / "a.csv"
    first.write_bytes(b"old picture")
    second.write_bytes(b"old data")

    def full_disk(f: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=f"^{second}: cannot write: No space left on device$"):
        write_all_atomic({first: bytes_writer(b"new picture"), second: full_disk})
    assert first.read_bytes() == b"old picture"  # written, but never renamed into place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.png"]
    write_all_atomic({first: bytes_writer(b"new picture"), second: bytes_writer(b"new data")})
    assert (first.read_bytes(), second.read_bytes()) == (b"new picture", b"new data")
