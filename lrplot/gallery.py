"""Batch-rendering a folder of configs into a gallery: manifest, skipping, shards, ``--check``.

Every ``*.yaml``/``*.yml`` under the config folder becomes ``<name>.png``, ``.svg`` and
``.csv`` in the gallery (sub-folders mirrored), plus ``README.md`` and ``index.html``.
``manifest.json`` records, per config, a fingerprint of its bytes (and of any Python file
it imports), what the index shows, and a hash of each output; with the lrplot, torch and
matplotlib versions it lets a re-run skip unchanged configs without importing torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, cast

from lrplot.configfile import (
    decode_config_bytes,
    parse_config_text,
    read_below,
    read_config_below,
)
from lrplot.custom_schedulers import is_file_target
from lrplot.errors import (
    ConfigError,
    LrplotError,
    OutputError,
    UsageError,
    excerpt,
    one_line,
    printable,
)
from lrplot.files import Folder, bytes_writer, is_temporary_name, linked_part
from lrplot.limits import DEFAULT_MAX_STEPS, MAX_CODE_BYTES, MAX_LOG_BYTES
from lrplot.manifest import (
    CONFIG_SUFFIXES,
    MANIFEST,
    MAX_NOTICE_LENGTH,
    MAX_NOTICES,
    OUTPUT_FORMATS,
    Entry,
    Manifest,
    output_stem,
    read_manifest,
)

INDEX_PAGES = ("README.md", "index.html")
_SHARD_MANIFEST = "manifest-{k}-of-{n}.json"
_SHARD_MANIFEST_RE = re.compile(r"^manifest-(\d+)-of-(\d+)\.json$")


@dataclass(frozen=True)
class Failure:
    """A config that could not be rendered, and its ``Error:`` text."""

    config: str
    message: str


@dataclass
class GalleryReport:
    """What a gallery run did (or, with ``check``, found)."""

    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # shard manifests --index-only merged
    listed: list[str] = field(default_factory=list)  # configs the index pages list
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the run (shards merged)
    errors: list[str] = field(default_factory=list)  # about the run: a page not written
    config_notices: list[str] = field(default_factory=list)  # about each config, in order
    config_warnings: list[str] = field(default_factory=list)  # likely mistakes, in order

    @property
    def ok(self) -> bool:
        return not (self.failed or self.errors or self.stale or self.missing or self.orphaned)


class Progress(Protocol):
    """Told how many configs a run covers, then of each as it is skipped, rendered or failed."""

    def start(self, total: int) -> None: ...

    def update(self, event: str, config: str) -> None: ...


@dataclass(frozen=True)
class Shard:
    """The ``index``-th (1-based) of ``count`` deterministic slices of the configs."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"(\d{1,9})/(\d{1,9})", text.strip())
        if not match:
            raise UsageError(f"expected K/N such as 2/4, got {excerpt(text)}")
        index, count = int(match[1]), int(match[2])
        if not 1 <= index <= count:
            raise UsageError(f"K must be between 1 and N, got {excerpt(text)}")
        return cls(index, count)

    def select(self, names: list[str]) -> list[str]:
        return [n for i, n in enumerate(names) if i % self.count == self.index - 1]

    @property
    def manifest_name(self) -> str:
        return _SHARD_MANIFEST.format(k=self.index, n=self.count)


def find_configs(config_dir: Path) -> list[str]:
    """Every config below ``config_dir``, as sorted ``/``-separated relative paths.

    Hidden files and folders are skipped, and linked folders are not entered; a linked
    file is listed (reading it refuses a link that leaves ``config_dir``)."""
    source = printable(str(config_dir))
    linked = linked_part(config_dir)
    if linked is not None and linked != config_dir:
        raise ConfigError(
            f"{printable(str(linked))} on the way is a symbolic link; the gallery reads only "
            "real folders: give the folder it points to",
            source=source,
        )
    try:
        mode = config_dir.lstat().st_mode
    except FileNotFoundError:
        raise ConfigError("is not a folder of configs", source=source) from None
    except (OSError, ValueError) as e:
        reason = (e.strerror if isinstance(e, OSError) else None) or e
        raise ConfigError(f"cannot read the folder: {reason}", source=source) from None
    if stat.S_ISLNK(mode):
        raise ConfigError(
            "is a symbolic link; the gallery reads only a real folder: give the folder it "
            "points to",
            source=source,
        )
    if not stat.S_ISDIR(mode):
        raise ConfigError("is not a folder of configs", source=source)
    found: list[str] = []
    folders = [""]
    while folders:
        prefix = folders.pop()
        try:
            with os.scandir(config_dir / prefix if prefix else config_dir) as scan:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in scan]
        except OSError:
            continue
        for name, is_dir in entries:
            if name.startswith("."):
                continue
            if is_dir:
                folders.append(f"{prefix}{name}/")
            elif name.endswith(CONFIG_SUFFIXES):
                found.append(prefix + name)
    return sorted(found)


def current_versions() -> dict[str, str]:
    """The versions that decide every output's bytes (read without importing torch)."""
    from importlib.metadata import version

    from lrplot import __version__

    return {"lrplot": __version__, "torch": version("torch"), "matplotlib": version("matplotlib")}


def fingerprint(config_dir: Path, config: str, *, allow_import: bool = False) -> str:
    """sha256 of the config's bytes, of the log its ``metric:`` reads (if any, read as the
    config reads it: inside its folder) and, with ``allow_import``, of any Python file its
    scheduler types name (read only if it is a regular file, at most
    :data:`~lrplot.limits.MAX_CODE_BYTES`). Without ``allow_import``, no code the config
    names is opened. ConfigError if the config cannot be read.

    Files are named as the config names them (relative to it), so the fingerprint does
    not depend on where the folder is checked out.
    """
    raw = read_config_below(config_dir, config)
    return _fingerprint(config_dir, config, raw, allow_import)


def _fingerprint(config_dir: Path, config: str, raw: bytes, allow_import: bool) -> str:
    digest = hashlib.sha256(raw)
    folder = (config_dir / config).parent
    data = _config_data(raw, str(config_dir / config))
    for log in _logs(data):
        digest.update(b"\0log\0" + log.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(_log_bytes(folder, log))
    if not allow_import:
        return digest.hexdigest()
    for target in _imported_files(data):
        digest.update(b"\0" + target.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(_code_bytes(folder / target))
    return digest.hexdigest()


def _config_data(raw: bytes, source: str) -> dict[str, Any]:
    """The config's mapping, as well as it can be read (empty if it cannot: the render
    will say why)."""
    try:
        data = parse_config_text(decode_config_bytes(raw, source=source), source=source).data
    except LrplotError:
        return {}
    return data if isinstance(data, dict) else {}


def _logs(data: dict[str, Any]) -> list[str]:
    metric = data.get("metric")
    if isinstance(metric, dict) and isinstance(metric.get("file"), str):
        return [metric["file"]]
    return []


def _log_bytes(folder: Path, name: str) -> bytes:
    """A log a config's metric reads, for its fingerprint: as :mod:`lrplot.runlogs` reads
    it (inside the config's folder, a regular file, size-capped), or why it cannot be."""
    try:
        return read_below(folder, name, limit=MAX_LOG_BYTES + 1, outside="outside")
    except LrplotError as e:
        return b"<" + e.message.encode("utf-8", "replace") + b">"


def _code_bytes(path: Path) -> bytes:
    """A Python file a config names, for its fingerprint: a regular file, size-capped."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return b"<missing>"
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return b"<not a regular file>"
        try:
            data = f.read(MAX_CODE_BYTES + 1)
        except OSError:  # /proc/self/mem passes for a regular file
            return b"<unreadable>"
    return data if len(data) <= MAX_CODE_BYTES else b"<too large>"


def _imported_files(data: dict[str, Any]) -> list[str]:
    found = set()
    entries = data.get("schedulers")
    for entry in [data.get("scheduler"), *(entries if isinstance(entries, list) else [])]:
        for type_name in _scheduler_types(entry):
            target = type_name.rpartition(":")[0]
            if is_file_target(target):
                found.add(target)
    return sorted(found)


def _scheduler_types(raw: Any) -> Iterator[str]:
    if not isinstance(raw, dict):
        return
    if isinstance(raw.get("type"), str):
        yield raw["type"]
    children = raw.get("schedulers")
    for child in children if isinstance(children, list) else []:
        yield from _scheduler_types(child)


def _stem_clashes(config_dir: Path, names: list[str]) -> dict[str, str]:
    """Configs whose outputs another config (``x.yaml`` beside ``x.yml``) would also write,
    or that lie in a folder named as one of the gallery's own files (``manifest.json/``)."""
    first: dict[str, str] = {}
    clashes = {}
    for config in names:
        stem = output_stem(config)
        top = config.partition("/")[0]
        if "/" in config and (top in (*INDEX_PAGES, MANIFEST) or _SHARD_MANIFEST_RE.match(top)):
            clashes[config] = (
                f"{printable(str(config_dir / config))}: lies in a folder named {top}, where the "
                "gallery writes its own file; rename the folder"
            )
        elif stem in first:
            clashes[config] = (
                f"{config_dir / config}: writes the same {stem}.png as "
                f"{config_dir / first[stem]}; rename one of them"
            )
        else:
            first[stem] = config
    return clashes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class _Job:
    """One config to render, with the text its fingerprint was taken of."""

    config_dir: str
    config: str
    text: str
    fingerprint: str
    allow_import: bool
    max_steps: int
    out_dir: str | None  # None (--check): the outputs are hashed, not written

    @property
    def source(self) -> str:
        return printable(str(Path(self.config_dir) / self.config))


@dataclass(frozen=True)
class _Rendered:
    config: str
    entry: Entry | None
    temporaries: dict[str, str]  # output name -> its filled temporary file, to place
    error: str | None


class _Sink:
    """Where the worker streams one output: its hash, and the temporary file it goes to
    (none in a check), so that no output is held in memory whole."""

    def __init__(self, stream: IO[bytes] | None, shown: str) -> None:
        self.stream = stream
        self.shown = shown
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        if self.stream is None:
            return len(data)
        try:
            return self.stream.write(data)
        except OSError as e:  # a full disk: this config fails, its old outputs stay
            raise OutputError(f"cannot write: {e.strerror or e}", source=self.shown) from None

    def writelines(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)


def _render_config(job: _Job) -> _Rendered:
    """Load, simulate and render one config (runs in a worker process), streaming each
    output into a temporary file in the gallery."""
    from lrplot.pipeline import Config, Settings, run
    from lrplot.spec import describe_optimizer, describe_schedulers

    config = job.config
    names = {fmt: f"{output_stem(config)}.{fmt}" for fmt in OUTPUT_FORMATS}
    out = Folder(Path(job.out_dir)) if job.out_dir is not None else None
    temporaries: dict[str, str] = {}
    sinks: dict[str, _Sink] = {}
    try:
        for name in names.values():
            stream = None
            if out is not None:
                temporaries[name], stream = out.open_temporary(name)
            sinks[name] = _Sink(stream, printable(str(Path(job.out_dir or "") / name)))
        try:
            outcome = run(
                config=Config(
                    text=job.text,
                    source=job.source,
                    base_dir=(Path(job.config_dir) / config).parent,
                ),
                settings=Settings(allow_import=job.allow_import, max_steps=job.max_steps),
                outputs=[(cast(IO[bytes], sinks[name]), fmt) for fmt, name in names.items()],
            )
        finally:
            for sink in sinks.values():
                if sink.stream is not None:
                    sink.stream.close()
    except LrplotError as e:
        _discard(out, temporaries)
        return _Rendered(config, None, {}, str(e))
    except Exception as e:  # a bug in lrplot or torch: report it, and go on with the others
        _discard(out, temporaries)
        message = f"{job.source}: internal error, please report it: {type(e).__name__}: {e}"
        return _Rendered(config, None, {}, one_line(message))
    spec = outcome.schedule.spec
    entry = Entry(
        config=config,
        fingerprint=job.fingerprint,
        title=spec.display_title,
        description=spec.description,
        scheduler=describe_schedulers(spec),
        optimizer=describe_optimizer(spec.optimizer),
        epochs=spec.epochs,
        steps_per_epoch=spec.steps_per_epoch,
        outputs={name: sink.digest.hexdigest() for name, sink in sinks.items()},
        notices=[notice[:MAX_NOTICE_LENGTH] for notice in outcome.notices[:MAX_NOTICES]],
        warnings=[text[:MAX_NOTICE_LENGTH] for text in outcome.warnings[:MAX_NOTICES]],
    )
    return _Rendered(config, entry, temporaries, None)


def _discard(out: Folder | None, temporaries: dict[str, str]) -> None:
    for temporary in temporaries.values():
        if out is not None:
            out.remove(temporary)


def _outputs_intact(folder: Folder, entry: Entry) -> bool:
    return all(folder.sha256(name) == digest for name, digest in entry.outputs.items())


def build_gallery(
    *,
    config_dir: str | Path,
    out_dir: str | Path,
    jobs: int | None = None,
    force: bool = False,
    check: bool = False,
    shard: Shard | None = None,
    index_only: bool = False,
    allow_import: bool = False,
    max_steps: int | None = None,
    progress: Progress | None = None,
) -> GalleryReport:
    """Render the configs below ``config_dir`` into ``out_dir`` and write its index pages.

    ``check`` renders everything in memory and reports stale, missing and orphaned files
    without writing. ``shard`` renders one slice and records it in its own manifest;
    ``index_only`` then merges the shards' manifests and writes the index pages.

    Everything in both folders is treated as untrusted: see :class:`lrplot.files.Folder`.
    """
    config_path, out = Path(config_dir), Folder(Path(out_dir))
    names = find_configs(config_path)
    report = GalleryReport()
    versions = current_versions()
    if index_only:
        _index_only(config_path, out, names, versions, allow_import, report)
        return report
    previous = read_manifest(out, MANIFEST)
    selected = shard.select(names) if shard else names
    if progress:
        progress.start(len(selected))
    current = previous if previous and previous.versions == versions else None
    settings = (allow_import, max_steps or DEFAULT_MAX_STEPS, None if check else str(out.path))
    kept, todo = _plan(
        config_path, out, names, selected, current, force or check, settings, report
    )
    if progress:
        for failure in report.failed:
            progress.update("failed", failure.config)
        for config in report.skipped:
            progress.update("skipped", config)
    if not check:
        remove_temporaries(out)  # a killed run's, before the workers make new ones
    results = _render_all(todo, jobs, progress)
    rendered: dict[str, Entry] = {}
    saver = None
    if not check:
        base = {} if shard else (dict(current.entries) if current else {})
        manifest = shard.manifest_name if shard else MANIFEST
        saver = _ManifestSaver(out, manifest, versions, {**base, **kept})
    try:
        for result in results:  # as they finish: placed at once, so an interruption keeps them
            if result.entry is None:
                report.failed.append(Failure(result.config, result.error or "failed"))
                continue
            if saver is not None:
                try:
                    out.place(result.temporaries)
                except OutputError as e:
                    report.failed.append(Failure(result.config, str(e)))
                    continue
                saver.record(result.config, result.entry)
            rendered[result.config] = result.entry
            report.rendered.append(result.config)
    except BaseException:  # Ctrl-C: the workers stopped; the files they had begun go too
        if not check:
            remove_temporaries(out)
        raise
    report.rendered.sort()
    report.failed.sort(key=lambda failure: failure.config)
    # A config that fails keeps its last good outputs and entry, in a run as in a check.
    unchanged = {
        failure.config: previous.entries[failure.config]
        for failure in report.failed
        if previous and failure.config in previous.entries
    }
    entries = {**kept, **unchanged, **rendered}
    described = [
        entries[config] for config in selected if config in entries and config not in unchanged
    ]
    report.config_notices.extend(notice for entry in described for notice in entry.notices)
    report.config_warnings.extend(text for entry in described for text in entry.warnings)
    if saver is None:
        _check(out, rendered, unchanged, versions, report)
        return report
    if shard:
        _write_if_changed(out, shard.manifest_name, Manifest(versions, entries).to_json())
        return report
    _finish(out, names, entries, versions, previous, report)
    return report


def _plan(
    config_dir: Path,
    out: Folder,
    names: list[str],
    selected: list[str],
    current: Manifest | None,
    render_all: bool,
    settings: tuple[bool, int, str | None],
    report: GalleryReport,
) -> tuple[dict[str, Entry], list[_Job]]:
    """The entries to keep as they are, and the configs to render.

    A config is kept when the manifest (of these versions) has its fingerprint and its
    outputs are intact; a config that cannot be read, or whose outputs another config
    would overwrite, fails.
    """
    allow_import, max_steps, out_dir = settings
    kept: dict[str, Entry] = {}
    todo: list[_Job] = []
    clashes = _stem_clashes(config_dir, names)
    for config in selected:
        if config in clashes:
            report.failed.append(Failure(config, clashes[config]))
            continue
        source = printable(str(config_dir / config))
        try:
            raw = read_config_below(config_dir, config)
            text = decode_config_bytes(raw, source=source)
            digest = _fingerprint(config_dir, config, raw, allow_import)
        except LrplotError as e:
            report.failed.append(Failure(config, str(e)))
            continue
        old = current.entries.get(config) if current else None
        if (
            old is not None
            and not render_all
            and old.fingerprint == digest
            and _outputs_intact(out, old)
        ):
            kept[config] = old
            report.skipped.append(config)
        else:
            todo.append(
                _Job(str(config_dir), config, text, digest, allow_import, max_steps, out_dir)
            )
    return kept, todo


class _ManifestSaver:
    """Saves the manifest as configs are rendered (at most once a second), so that an
    interrupted run keeps what it finished. Outputs are written before their entry: the
    manifest never claims files that are not on disk."""

    def __init__(
        self, out: Folder, name: str, versions: dict[str, str], entries: dict[str, Entry]
    ) -> None:
        self.out = out
        self.name = name
        self.versions = versions
        self.entries = entries
        self.saved_at = time.monotonic()

    def record(self, config: str, entry: Entry) -> None:
        self.entries[config] = entry
        if time.monotonic() - self.saved_at >= 1.0:
            manifest = Manifest(self.versions, self.entries).to_json()
            with contextlib.suppress(OutputError):  # the last save reports it, once
                _write_if_changed(self.out, self.name, manifest)
            self.saved_at = time.monotonic()


def remove_temporaries(out: Folder) -> list[str]:
    """Remove the temporary files a killed run left behind (only regular files with the
    names lrplot gives them)."""
    found = [
        name
        for name, regular in out.entries()
        if regular and is_temporary_name(name.rpartition("/")[2])
    ]
    for name in found:
        out.remove(name)
    return found


def _render_all(
    todo: list[_Job], jobs: int | None, progress: Progress | None
) -> Iterator[_Rendered]:
    """Each config rendered in worker processes, reported in the configs' order (so
    that CI logs of two runs compare line by line).

    When a worker dies (killed by the OOM killer, or by code a config imported calling
    ``os._exit``), the configs not yet finished are rendered again one at a time, in one
    worker, so the config that kills its worker is known: it fails, the others render.
    """
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    queue = list(todo)
    finished: dict[str, _Rendered] = {}
    while queue:
        one_by_one = workers == 1
        broken_at = None
        for index, result in enumerate(_pool_results(queue, workers)):
            if result is None:  # the pool broke here
                broken_at = index
                break
            if result.config not in finished:
                finished[result.config] = result
            yield _reported(result, progress)
        if broken_at is None:
            return
        if one_by_one:  # alone in its worker, in order: this config's run killed it
            job = queue[broken_at]
            yield _reported(_Rendered(job.config, None, {}, _died(job)), progress)
            broken_at += 1
        queue, workers = queue[broken_at:], 1


def _died(job: _Job) -> str:
    return (
        f"{job.source}: its worker process died while rendering it (killed, out of memory, "
        "or code it imported ended the process); the other configs are rendered"
    )


def _pool_results(queue: list[_Job], workers: int) -> Iterator[_Rendered | None]:
    """The results of ``queue`` in order, from a pool of ``workers``; None where the pool
    broke (a worker died), and nothing after it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
    )
    try:
        futures = [pool.submit(_render_config, job) for job in queue]
        for future in futures:
            try:
                result = future.result()
            except BrokenProcessPool:
                yield None
                return
            yield result
    except BaseException:  # Ctrl-C, or a failure here: renders in progress are dropped
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():  # not to wait for them
            worker.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int) -> None:
    """In a worker: leave Ctrl-C to the gallery process (which stops the pool), and exit
    when that process is gone (killed with -9, say) instead of waiting forever on a
    queue whose other end this worker itself holds open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _reported(result: _Rendered, progress: Progress | None) -> _Rendered:
    if progress:
        progress.update("rendered" if result.entry else "failed", result.config)
    return result


def _expected_pages(entries: Iterable[Entry], versions: dict[str, str]) -> dict[str, str]:
    from lrplot.gallery_pages import index_html, index_markdown

    ordered = sorted(entries, key=lambda e: e.config)
    manifest = Manifest(versions, {e.config: e for e in ordered})
    return {
        MANIFEST: manifest.to_json(),
        "README.md": index_markdown(ordered, versions),
        "index.html": index_html(ordered, versions),
    }


def _finish(
    out: Folder,
    names: list[str],
    entries: dict[str, Entry],
    versions: dict[str, str],
    previous: Manifest | None,
    report: GalleryReport,
) -> None:
    """Remove outputs of configs that are gone, then write the index pages and manifest.

    Only what lrplot writes for a config is removed (its PNG, SVG and CSV, computed from
    the config's name, never read from the manifest), and only regular files."""
    current = {name: entries[name] for name in names if name in entries}
    wanted = {output for entry in current.values() for output in entry.outputs}
    if previous:
        for config in sorted(set(previous.entries) - set(current)):
            for fmt in OUTPUT_FORMATS:
                output = f"{output_stem(config)}.{fmt}"
                if output not in wanted and out.remove(output):
                    report.removed.append(output)
    pages = _expected_pages(current.values(), versions)
    for name in (*INDEX_PAGES, MANIFEST):  # the manifest last
        try:
            _write_if_changed(out, name, pages[name])
        except OutputError as e:  # a folder in its place, say: the configs are rendered
            report.errors.append(str(e))


def _write_if_changed(out: Folder, name: str, text: str) -> None:
    data = text.encode()
    try:
        if out.read(name, limit=len(data)) == data:
            return
    except OutputError:
        pass
    out.write({name: bytes_writer(data)})


def _check(
    out: Folder,
    rendered: dict[str, Entry],
    unchanged: dict[str, Entry],
    versions: dict[str, str],
    report: GalleryReport,
) -> None:
    """Compare what a run would write (the outputs by their hashes, the pages whole)
    with ``out``; ``unchanged`` entries are left be."""
    pages = {
        name: text.encode()
        for name, text in _expected_pages(
            [*rendered.values(), *unchanged.values()], versions
        ).items()
    }
    expected = {name: digest for e in rendered.values() for name, digest in e.outputs.items()}
    expected.update({name: hashlib.sha256(data).hexdigest() for name, data in pages.items()})
    actual = {
        name
        for name, _ in out.entries()
        if not any(part.startswith(".") for part in name.split("/"))
    }
    for name in sorted(expected):
        if name not in actual:
            report.missing.append(name)
        elif out.sha256(name) != expected[name]:
            report.stale.append(name)
    left_be = {output for entry in unchanged.values() for output in entry.outputs}
    report.orphaned.extend(sorted(actual - set(expected) - left_be))


def _index_only(
    config_dir: Path,
    out: Folder,
    names: list[str],
    versions: dict[str, str],
    allow_import: bool,
    report: GalleryReport,
) -> None:
    """Merge the shards' manifests into the gallery's, and write the index pages (the
    fingerprints are taken as the shards took them: ``allow_import`` as they had it)."""
    previous = read_manifest(out, MANIFEST)
    entries = dict(previous.entries) if previous else {}
    shard_files = sorted(
        name for name, regular in out.entries() if regular and _SHARD_MANIFEST_RE.match(name)
    )
    for name in shard_files:
        shard_manifest = read_manifest(out, name)
        if shard_manifest is None:  # input like any other file: its configs fail, below
            report.notices.append(
                f"{printable(str(out.path / name))}: not a manifest lrplot wrote; ignored"
            )
            continue
        if shard_manifest.versions != versions:
            report.notices.append(
                f"{printable(str(out.path / name))}: rendered with "
                f"{_describe_versions(shard_manifest.versions)}, not "
                f"{_describe_versions(versions)}"
            )
        entries.update(shard_manifest.entries)
        report.merged.append(name)
    for config in names:
        entry = entries.get(config)
        source = printable(str(config_dir / config))
        try:
            raw = read_config_below(config_dir, config)
            digest = _fingerprint(config_dir, config, raw, allow_import)
        except LrplotError as e:
            report.failed.append(Failure(config, str(e)))
            continue
        if entry is None or entry.fingerprint != digest:
            why = "not rendered by any shard, or changed since"
            if not allow_import and _imported_files(_config_data(raw, source)):
                why = "names Python code: merge with --allow-import, as the shards rendered it"
            report.failed.append(Failure(config, f"{source}: {why}"))
        elif not _outputs_intact(out, entry):
            report.failed.append(
                Failure(
                    config,
                    f"{source}: its outputs in {printable(str(out.path))} are missing or changed",
                )
            )
    _finish(out, names, entries, versions, previous, report)
    report.listed.extend(name for name in names if name in entries)
    for name in shard_files:
        out.remove(name)


def _describe_versions(versions: dict[str, str]) -> str:
    return ", ".join(f"{printable(k)} {printable(v)}" for k, v in sorted(versions.items()))
