"""Files on disk: sets written all-or-nothing, and folders whose contents are not trusted.

Every file lrplot writes goes to a temporary file beside it first. A set of files (one
schedule's outputs) is renamed into place only once all are complete, and if a rename
fails half-way the ones already renamed are put back, so a reader sees the old set or
the new one.

A :class:`Folder` is a folder lrplot was given whose contents it does not trust (a
gallery committed to a repository): inside it, no symbolic link is followed, for reading
or for writing, and only regular files are read. Links and special files that stand
where lrplot writes are replaced, not written through.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from lrplot.errors import OutputError, printable

Fill = Callable[[IO[bytes]], object]
"""What writes a file's content into an open binary stream."""

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
_NO_LINK = getattr(os, "O_NOFOLLOW", 0)
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)  # a named pipe must not block a read
_CHUNK = 1 << 20
MAX_FOLDER_DEPTH = 64
"""The deepest a name inside a :class:`Folder` goes (configs mirror their folders)."""


def bytes_writer(data: bytes) -> Fill:
    """What fills a file with ``data``."""
    return lambda f: f.write(data)


def text_writer(chunks: Iterable[str]) -> Fill:
    """What fills a file with text given in chunks, as UTF-8."""
    return lambda f: f.writelines(chunk.encode() for chunk in chunks)


def temporary_name(name: str) -> str:
    """A fresh name for a temporary (or backup) file beside ``name``."""
    return f".{name}.{secrets.token_hex(4)}.tmp"


def is_temporary_name(name: str) -> bool:
    """True for names :func:`temporary_name` makes (left behind by a killed run)."""
    stem, dot, suffix = name.rpartition(".")
    head, _, token = stem.rpartition(".")
    return (
        name.startswith(".")
        and dot == "."
        and suffix == "tmp"
        and len(token) == 8
        and all(c in "0123456789abcdef" for c in token)
        and len(head) > 1
    )


@dataclass
class _Slot:
    """One file of a set: where it goes (a folder's descriptor and a name in it)."""

    folder: int
    name: str
    shown: str  # how messages name it
    fill: Fill
    temporary: str | None = None
    backup: str | None = None
    placed: bool = False


def _write_slots(slots: list[_Slot]) -> None:
    """Fill each slot's temporary file (unless it has one already), then rename them all
    into place; on a failure, put back what was replaced and remove every temporary."""
    current: _Slot | None = None
    try:
        for current in slots:
            if current.temporary is None:
                current.temporary = _fill_temporary(current)
            _keep_mode(current)
        for current in slots:
            current.backup = _link_backup(current)
        for current in slots:
            assert current.temporary is not None
            os.replace(
                current.temporary,
                current.name,
                src_dir_fd=current.folder,
                dst_dir_fd=current.folder,
            )
            current.temporary, current.placed = None, True
    except BaseException as e:
        for slot in slots:
            _restore(slot)
        if isinstance(e, OSError):
            shown = current.shown if current else "?"
            raise OutputError(f"cannot write: {e.strerror or e}", source=shown) from None
        raise
    finally:
        for slot in slots:
            for leftover in (slot.temporary, slot.backup):
                if leftover is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(leftover, dir_fd=slot.folder)
            slot.temporary = slot.backup = None


def _fill_temporary(slot: _Slot) -> str:
    name, stream = _open_temporary(slot.folder, slot.name)
    try:
        with stream:
            slot.fill(stream)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=slot.folder)
        raise
    return name


def _open_temporary(folder: int, name: str) -> tuple[str, IO[bytes]]:
    """A new temporary file beside ``name`` in ``folder``, open for writing."""
    temporary = temporary_name(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temporary, flags, 0o666, dir_fd=folder)  # the umask applies
    return temporary, os.fdopen(fd, "wb")


def _keep_mode(slot: _Slot) -> None:
    """A file replaced keeps its permissions; a new one has the umask's."""
    old = _lstat(slot.name, slot.folder)
    if old is not None and stat.S_ISREG(old.st_mode) and slot.temporary is not None:
        os.chmod(slot.temporary, stat.S_IMODE(old.st_mode), dir_fd=slot.folder)


def _link_backup(slot: _Slot) -> str | None:
    """A second name for the file about to be replaced, to put it back if a later rename
    of the set fails (None where there is no file, or links are not supported)."""
    if _lstat(slot.name, slot.folder) is None:
        return None
    backup = temporary_name(slot.name)
    try:
        os.link(
            slot.name,
            backup,
            src_dir_fd=slot.folder,
            dst_dir_fd=slot.folder,
            follow_symlinks=False,
        )
    except OSError:
        return None
    return backup


def _restore(slot: _Slot) -> None:
    if not slot.placed:
        return
    with contextlib.suppress(OSError):
        if slot.backup is not None:
            os.replace(slot.backup, slot.name, src_dir_fd=slot.folder, dst_dir_fd=slot.folder)
            slot.backup = None
        else:
            os.unlink(slot.name, dir_fd=slot.folder)
    slot.placed = False


def _lstat(name: str, folder: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def write_files(files: Mapping[Path, Fill], *, replace: Collection[Path] = ()) -> None:
    """Write files the user named (``render -o``), as a set.

    A symbolic link is written through (its target is replaced, the link kept). What
    cannot be replaced by renaming, such as ``/dev/null`` or a named pipe, is written to
    directly, once every other file of the set is in place. The files in ``replace`` were
    named by lrplot in a folder the user gave (``-o out/``), not by the user: a link or
    special file there is replaced, never written through.
    """
    slots: list[_Slot] = []
    direct: list[tuple[Path, Fill]] = []
    opened: list[int] = []
    current: Path | None = None
    try:
        for current, fill in files.items():
            if current in replace:
                folder = _open_user_folder(current, str(current))
                opened.append(folder)
                slots.append(_Slot(folder, current.name, str(current), fill))
                continue
            target = Path(os.path.realpath(current)) if current.is_symlink() else current
            try:
                found: os.stat_result | None = os.stat(target, follow_symlinks=False)
            except OSError:  # missing, or not inside a folder: opening its folder says which
                found = None
            if found is not None and not (
                stat.S_ISREG(found.st_mode) or stat.S_ISDIR(found.st_mode)
            ):
                direct.append((current, fill))
                continue
            folder = _open_user_folder(target, str(current))
            opened.append(folder)
            slots.append(_Slot(folder, target.name, str(current), fill))
        _write_slots(slots)
        for current, fill in direct:
            with open(current, "wb") as stream:
                fill(stream)
    except OSError as e:
        raise OutputError(f"cannot write: {e.strerror or e}", source=str(current)) from None
    finally:
        for fd in opened:
            os.close(fd)


def _open_user_folder(target: Path, shown: str) -> int:
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder, _DIRECTORY)
    except OSError as e:
        blocking = None
        with contextlib.suppress(OSError):
            blocking = next((p for p in (folder, *folder.parents) if p.is_file()), None)
        reason = f"{blocking} is a file, not a folder" if blocking else e.strerror or e
        raise OutputError(f"cannot write here: {reason}", source=shown) from None


def linked_part(path: Path) -> Path | None:
    """The first part of ``path`` that is a symbolic link, or None: each folder on the
    way, for a relative path (a checkout may commit ``docs -> /elsewhere``), and the last
    part either way (an absolute path's folders are the user's own choice)."""
    parts = [Path(*path.parts[: i + 1]) for i in range(len(path.parts))]
    for part in parts if not path.is_absolute() else parts[-1:]:
        try:
            if part.is_symlink():
                return part
        except (OSError, ValueError):
            return None
    return None


def safe_name(name: str) -> PurePosixPath:
    """``name`` as a path inside a folder: relative, no ``..``, no empty part; else
    ValueError. Names lrplot makes itself pass; names read from a manifest may not."""
    path = PurePosixPath(name)
    if (
        not name
        or path.is_absolute()
        or "\0" in name
        or any(part in ("", ".", "..") for part in name.split("/"))
        or len(path.parts) > MAX_FOLDER_DEPTH
        or not _encodable(name)
    ):
        raise ValueError(f"not a relative path inside the folder: {name!r}")
    return path


def _encodable(name: str) -> bool:
    """Whether ``name`` is a file name the system can take (a lone surrogate is not)."""
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        return False
    return True


class _Inside:
    """How names inside a folder lrplot does not trust are reached: from a descriptor of
    the folder, part by part, never through a symbolic link; and regular files read."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _root(self, *, create: bool) -> int | None:
        linked = linked_part(self.path)
        if linked is not None and linked != self.path:
            raise OutputError(
                f"{printable(str(linked))} on the way is a symbolic link; lrplot writes only "
                "into real folders, never through a link: give the folder it points to",
                source=printable(str(self.path)),
            )
        try:
            if create:
                with contextlib.suppress(FileExistsError):
                    self.path.mkdir(parents=True)
            return os.open(self.path, _DIRECTORY | _NO_LINK)
        except FileNotFoundError:
            return None
        except OSError as e:
            if self.path.is_symlink():
                raise OutputError(
                    "is a symbolic link; lrplot writes only into a real folder, never "
                    "through a link: give the folder it points to",
                    source=printable(str(self.path)),
                ) from None
            raise OutputError(
                f"cannot use the folder: {e.strerror or e}", source=printable(str(self.path))
            ) from None

    @contextlib.contextmanager
    def _folder_of(self, name: str, *, create: bool) -> Iterator[int | None]:
        """The descriptor of the folder holding ``name`` (None if it does not exist, or
        ``name`` is not one a file inside can have, and ``create`` is false); sub-folders
        are entered without following links."""
        try:
            parts = safe_name(name).parts[:-1]
        except ValueError:
            if create:
                raise OutputError(
                    "cannot write: not a name for a file inside the folder",
                    source=printable(str(self.path / name)),
                ) from None
            yield None
            return
        fd = self._root(create=create)
        try:
            for part in parts:
                if fd is None:
                    break
                parent, fd = fd, self._enter(fd, part, name, create=create)
                os.close(parent)
            yield fd
        finally:
            if fd is not None:
                os.close(fd)

    def _enter(self, parent: int, part: str, name: str, *, create: bool) -> int | None:
        try:
            return os.open(part, _DIRECTORY | _NO_LINK, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
        except OSError:
            found = _lstat(part, parent)
            if not create or found is None:
                return None
            if stat.S_ISDIR(found.st_mode):
                raise
            if not stat.S_ISLNK(found.st_mode):
                raise OutputError(
                    f"cannot write here: {printable(part)} is a file, not a folder",
                    source=printable(str(self.path / name)),
                ) from None
            os.unlink(part, dir_fd=parent)  # a link where a folder goes: a real one replaces it
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, dir_fd=parent)
        return os.open(part, _DIRECTORY | _NO_LINK, dir_fd=parent)

    def _open_file(self, folder: int, name: str) -> int | None:
        """A regular file's descriptor, or None (missing, a link, or anything else)."""
        leaf = PurePosixPath(name).name
        try:
            fd = os.open(leaf, os.O_RDONLY | _NO_LINK | _NO_WAIT, dir_fd=folder)
        except OSError:
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return fd

    def read(self, name: str, *, limit: int) -> bytes | None:
        """The bytes of a regular file (None if it is missing or not a regular file);
        OutputError if it is larger than ``limit``."""
        with self._folder_of(name, create=False) as folder:
            fd = None if folder is None else self._open_file(folder, name)
            if fd is None:
                return None
            with os.fdopen(fd, "rb") as f:
                data = f.read(limit + 1)
        if len(data) > limit:
            raise OutputError(
                f"larger than {limit:,} bytes; not a file lrplot wrote",
                source=printable(str(self.path / name)),
            )
        return data

    def sha256(self, name: str) -> str | None:
        """The sha256 of a regular file's bytes (None if missing or not a regular file)."""
        with self._folder_of(name, create=False) as folder:
            fd = None if folder is None else self._open_file(folder, name)
            if fd is None:
                return None
            digest = hashlib.sha256()
            with os.fdopen(fd, "rb") as f:
                while chunk := f.read(_CHUNK):
                    digest.update(chunk)
        return digest.hexdigest()


class _Writes(_Inside):
    """Folder's writing half: sets of files placed all-or-nothing, links and special
    files where one goes replaced, folders on the way made."""

    def write(self, files: Mapping[str, Fill]) -> None:
        """Write files as a set (see :func:`write_files`), replacing any link or special
        file that stands where one goes; a folder there is an OutputError."""
        self._write({name: (fill, None) for name, fill in files.items()})

    def open_temporary(self, name: str) -> tuple[str, IO[bytes]]:
        """A new temporary file where ``name`` will go, open for writing (the folders on
        the way made, links there replaced): fill it, close it, then :meth:`place` it.
        Its name is what :func:`is_temporary_name` recognises, so a killed run's are
        found and removed."""
        try:
            with self._folder_of(name, create=True) as folder:
                assert folder is not None
                temporary, stream = _open_temporary(folder, PurePosixPath(name).name)
        except OSError as e:
            raise OutputError(
                f"cannot write: {e.strerror or e}", source=printable(str(self.path / name))
            ) from None
        return str(PurePosixPath(name).parent / temporary), stream

    def place(self, temporaries: Mapping[str, str]) -> None:
        """Rename filled temporary files (name -> temporary, from :meth:`open_temporary`)
        into place as a set; on a failure, the old files stay and the temporaries go."""
        self._write({name: (None, temporary) for name, temporary in temporaries.items()})

    def _write(self, files: Mapping[str, tuple[Fill | None, str | None]]) -> None:
        slots: list[_Slot] = []
        try:
            for name, (fill, temporary) in files.items():
                shown = printable(str(self.path / name))
                with self._folder_of(name, create=True) as folder:
                    assert folder is not None
                    leaf = PurePosixPath(name).name
                    slot = _Slot(os.dup(folder), leaf, shown, fill or (lambda _f: None))
                    slot.temporary = PurePosixPath(temporary).name if temporary else None
                    slots.append(slot)
                    found = _lstat(leaf, folder)
                    if found is not None and stat.S_ISDIR(found.st_mode):
                        raise OutputError("cannot write: a folder is in the way", source=shown)
            _write_slots(slots)
        except OSError as e:
            raise OutputError(
                f"cannot write: {e.strerror or e}", source=printable(str(self.path))
            ) from None
        finally:
            for slot in slots:
                if slot.temporary is not None:  # not placed: refused before the renames
                    with contextlib.suppress(OSError):
                        os.unlink(slot.temporary, dir_fd=slot.folder)
                os.close(slot.folder)


class _Cleanup(_Inside):
    """Folder's cleaning half: what is below it, listed without following links, and
    regular files removed (outputs no longer made, a killed run's temporaries)."""

    def entries(self) -> Iterator[tuple[str, bool]]:
        """``(name, is a regular file)`` for everything below the folder but folders,
        sorted; links are listed, not followed."""
        root = self._root(create=False)
        if root is None:
            return
        try:
            found = sorted(self._walk(root, ""))
        finally:
            os.close(root)
        yield from found

    def _walk(self, root: int, prefix: str) -> Iterator[tuple[str, bool]]:
        """Folder by folder (no recursion: a committed tree may be thousands deep), at
        most :data:`MAX_FOLDER_DEPTH` levels down."""
        pending = [(os.dup(root), prefix)]
        try:
            while pending:
                fd, at = pending.pop()
                try:
                    with os.scandir(fd) as scan:
                        found = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in scan)
                    for entry_name, is_dir in found:
                        name = at + entry_name
                        if not is_dir:
                            mode = _lstat(entry_name, fd)
                            yield name, mode is not None and stat.S_ISREG(mode.st_mode)
                        elif name.count("/") < MAX_FOLDER_DEPTH - 1:
                            with contextlib.suppress(OSError):
                                child = os.open(entry_name, _DIRECTORY | _NO_LINK, dir_fd=fd)
                                pending.append((child, name + "/"))
                finally:
                    os.close(fd)
        finally:
            for fd, _ in pending:
                os.close(fd)

    def remove(self, name: str) -> bool:
        """Remove a regular file (not a link, not a folder); True if one was removed."""
        with self._folder_of(name, create=False) as folder:
            if folder is None:
                return False
            leaf = PurePosixPath(name).name
            found = _lstat(leaf, folder)
            if found is None or not stat.S_ISREG(found.st_mode):
                return False
            try:
                os.unlink(leaf, dir_fd=folder)
            except OSError:
                return False
        return True


class Folder(_Writes, _Cleanup):
    """A folder lrplot was given, whose contents it does not trust.

    The folder itself must not be a symbolic link. Below it, nothing is followed: a
    link (or a special file) where lrplot reads counts as missing, and where it writes
    it is replaced by a real file or folder. Names are ``/``-separated relative paths.
    """
