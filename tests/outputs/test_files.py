"""Atomic sets of files, and folders whose contents are not trusted: no link followed."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from lrplot.errors import OutputError
from lrplot.outputs.files import (
    Fill,
    Folder,
    bytes_writer,
    is_temporary_name,
    temporary_name,
    write_files,
)


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


def test_a_rename_that_fails_half_way_puts_back_the_files_already_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.png", tmp_path / "a.csv"
    first.write_bytes(b"old picture")
    second.write_bytes(b"old data")
    real_replace = os.replace
    renamed: list[str] = []

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        renamed.append(str(dst))
        if len(renamed) == 2:
            raise OSError(errno.EACCES, "Permission denied")
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match=f"^{second}: cannot write: Permission denied$"):
        write_files({first: bytes_writer(b"new picture"), second: bytes_writer(b"new data")})
    assert renamed == ["a.png", "a.csv", "a.png"]  # the last: the old a.png put back
    assert (first.read_bytes(), second.read_bytes()) == (b"old picture", b"old data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.png"]


def test_a_new_file_of_a_set_that_fails_is_removed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="Input/output error"):
        write_files(
            {tmp_path / "new.png": bytes_writer(b"x"), tmp_path / "new.csv": bytes_writer(b"y")}
        )
    assert list(tmp_path.iterdir()) == []


def test_temporary_names_are_recognised() -> None:
    name = temporary_name("StepLR.png")
    assert name.startswith(".StepLR.png.")
    assert name.endswith(".tmp")
    assert is_temporary_name(name)
    for other in (
        "StepLR.png",
        ".StepLR.png.tmp",
        ".x.zzzzzzzz.tmp",
        ".a.0123abcd.tmpx",
        "..0123abcd.tmp",
    ):
        assert not is_temporary_name(other), other


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the one lrplot is given, with a file that must never change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.txt").write_text("precious\n")
    return folder


def test_a_folder_replaces_a_link_where_it_writes_and_leaves_the_target(
    tmp_path: Path, outside: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").symlink_to(outside / "victim.txt")
    Folder(out).write({"README.md": bytes_writer(b"index\n")})
    assert not (out / "README.md").is_symlink()
    assert (out / "README.md").read_bytes() == b"index\n"
    assert (outside / "victim.txt").read_text() == "precious\n"


def test_a_folder_replaces_a_linked_sub_folder_with_a_real_one(
    tmp_path: Path, outside: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "tutorial").symlink_to(outside)
    Folder(out).write({"tutorial/StepLR.png": bytes_writer(b"png")})
    assert not (out / "tutorial").is_symlink()
    assert (out / "tutorial").is_dir()
    assert (out / "tutorial" / "StepLR.png").read_bytes() == b"png"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]


def test_a_folder_replaces_a_named_pipe_instead_of_writing_into_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "a.csv")
    Folder(out).write({"a.csv": bytes_writer(b"epoch,lr\n")})  # would block if opened
    assert (out / "a.csv").read_bytes() == b"epoch,lr\n"


def test_a_folder_reads_only_regular_files(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "link.csv").symlink_to(outside / "victim.txt")
    (out / "zero.csv").symlink_to("/dev/zero")
    (out / "linked").symlink_to(outside)
    os.mkfifo(out / "pipe.csv")
    (out / "sub" / "real.csv").write_bytes(b"data")
    folder = Folder(out)
    for name in ("link.csv", "zero.csv", "pipe.csv", "linked/victim.txt", "missing.csv", "sub"):
        assert folder.read(name, limit=100) is None, name
        assert folder.sha256(name) is None, name
    assert folder.read("sub/real.csv", limit=100) == b"data"
    with pytest.raises(
        OutputError, match=r"real\.csv: larger than 3 bytes; not a file lrplot wrote$"
    ):
        folder.read("sub/real.csv", limit=3)
    assert list(folder.entries()) == [
        ("link.csv", False), ("linked", False), ("pipe.csv", False), ("sub/real.csv", True),
        ("zero.csv", False),
    ]  # fmt: skip


def test_a_folder_removes_only_regular_files(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "out"
    (out / "dir.png").mkdir(parents=True)
    (out / "link.png").symlink_to(outside / "victim.txt")
    (out / "real.png").write_bytes(b"x")
    folder = Folder(out)
    assert [folder.remove(n) for n in ("dir.png", "link.png", "real.png", "nope.png")] == [
        False, False, True, False,
    ]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["dir.png", "link.png"]
    assert (outside / "victim.txt").read_text() == "precious\n"


def test_a_linked_folder_is_refused_as_the_folder_itself(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "gallery").symlink_to(outside)
    with pytest.raises(OutputError) as caught:
        Folder(tmp_path / "gallery").write({"README.md": bytes_writer(b"x")})
    assert str(caught.value) == (
        f"{tmp_path / 'gallery'}: is a symbolic link; lrplot writes only into a real folder, "
        "never through a link: give the folder it points to"
    )
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]


def test_a_folder_where_a_file_goes_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "out" / "a.png").mkdir(parents=True)
    with pytest.raises(OutputError) as caught:
        Folder(tmp_path / "out").write({"a.png": bytes_writer(b"x")})
    assert (
        str(caught.value) == f"{tmp_path / 'out' / 'a.png'}: cannot write: a folder is in the way"
    )


@pytest.mark.parametrize(
    "name", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "\ud800.png", "a/" * 64 + "b"]
)
def test_names_inside_a_folder_must_stay_inside(name: str, tmp_path: Path) -> None:
    from lrplot.outputs.files import safe_name

    with pytest.raises(ValueError, match="not a relative path inside the folder"):
        safe_name(name)


def test_unusable_names_are_missing_to_read_and_refused_to_write(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    for name in ("\ud800.png", "a/" * 64 + "b", "../x"):
        assert folder.read(name, limit=10) is None
        assert folder.sha256(name) is None
        assert not folder.remove(name)
        with pytest.raises(OutputError, match="cannot write: not a name for a file inside"):
            folder.write({name: bytes_writer(b"x")})
    assert list(tmp_path.iterdir()) == []


def test_a_committed_tree_thousands_of_folders_deep_is_walked_without_recursion(
    tmp_path: Path,
) -> None:
    deep = tmp_path / "out"
    deep.mkdir()
    here = os.getcwd()
    os.chdir(deep)  # deeper than a path the system takes: made and undone a folder at a time
    made = 0
    try:
        for made in range(1, 1201):  # noqa: B007 - made is read in finally
            os.mkdir("a")
            os.chdir("a")
        os.chdir(deep)
        (deep / "a" / "x.png").write_bytes(b"x")
        assert list(Folder(deep).entries()) == [("a/x.png", True)]
        (deep / "a" / "x.png").unlink()
    finally:
        # Undone here, pass or fail: pytest's own clean-up recurses and cannot remove it.
        os.chdir(deep)
        for _ in range(made):
            os.chdir("a")
        for _ in range(made):
            os.chdir("..")
            os.rmdir("a")
        os.chdir(here)
