"""Atomic sets of files, and folders whose contents are not trusted: no link followed."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from lrplot.errors import OutputError
from lrplot.files import Fill, bytes_writer, write_files


def write_one(path: Path, fill: Fill) -> None:
    write_files({path: fill})


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "schedule.csv"
    target.write_text("old\n")

    def fill(f: Any) -> None:
        f.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        write_one(target, fill)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["schedule.csv"]


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")

    def fill(f: Any) -> None:
        f.write(b"half a picture")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_one(target, fill)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_one(tmp_path / "a.csv", lambda f: f.write(b"x"))
    finally:
        os.umask(old)
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o644


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_one(path, lambda f: f.write(b"new"))
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"new", 0o600)


def test_a_link_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    write_one(link, lambda f: f.write(b"new"))
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
    write_one(pipe, lambda f: f.write(b"through the pipe"))
    reader.join(timeout=30)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_file_where_a_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    with pytest.raises(
        OutputError, match=r"cannot write here: .*a\.yaml is a file, not a folder$"
    ):
        write_one(tmp_path / "a.yaml" / "b" / "c.png", lambda f: f.write(b"x"))


def test_several_files_are_written_as_a_set(tmp_path: Path) -> None:
    first, second = tmp_path / "a.png", tmp_path / "a.csv"
    first.write_bytes(b"old picture")
    second.write_bytes(b"old data")

    def full_disk(f: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=f"^{second}: cannot write: No space left on device$"):
        write_files({first: bytes_writer(b"new picture"), second: full_disk})
    assert first.read_bytes() == b"old picture"  # written, but never renamed into place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.png"]
    write_files({first: bytes_writer(b"new picture"), second: bytes_writer(b"new data")})
    assert (first.read_bytes(), second.read_bytes()) == (b"new picture", b"new data")
