"""Batch-rendering a folder of configs into a gallery: manifest, skipping, shards, ``--check``.

Every ``*.yaml``/``*.yml`` (and native ``*.json``) under the config folder becomes
``<name>.png``, ``.svg`` and ``.csv`` (or the formats chosen) in the gallery (sub-folders
mirrored), plus ``README.md`` and ``index.html``. ``manifest.json`` records, per config, a
fingerprint of its bytes (and of any Python file it imports), what the index shows, and a
hash of each output; with the lrplot, torch and matplotlib versions and the formats, it
lets a re-run skip unchanged configs without importing torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from lrplot.config.file import (
    decode_config_bytes,
    parse_config_text,
    read_below,
    read_config_below,
)
from lrplot.errors import (
    ConfigError,
    LrplotError,
    OutputError,
    UsageError,
    excerpt,
    one_line,
    printable,
)
from lrplot.gallery.manifest import (
    CONFIG_SUFFIXES,
    MANIFEST,
    MAX_NOTICE_LENGTH,
    MAX_NOTICES,
    NOT_CONFIGS,
    Entry,
    Manifest,
    gallery_formats,
    output_stem,
    read_manifest,
)
from lrplot.limits import DEFAULT_MAX_STEPS, MAX_CODE_BYTES, MAX_LOG_BYTES
from lrplot.outputs.export import DATA_FORMATS, IMAGE_FORMATS, Format
from lrplot.outputs.files import Folder, bytes_writer, is_temporary_name, linked_part
from lrplot.schedulers.custom import is_file_target

if TYPE_CHECKING:
    from lrplot.draw.plotting import PlotData

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
            elif name.endswith(CONFIG_SUFFIXES) and name not in NOT_CONFIGS:
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
    """A log a config's metric reads, for its fingerprint: as :mod:`lrplot.config.runlogs` reads
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


def _stem_clashes(config_dir: Path, names: list[str], fmt: Format) -> dict[str, str]:
    """Configs whose outputs another config (``x.yaml`` beside ``x.yml``) would also write
    (the message names its ``fmt`` file), or that lie in a folder named as one of the
    gallery's own files (``manifest.json/``)."""
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
                f"{config_dir / config}: writes the same {stem}.{fmt} as "
                f"{config_dir / first[stem]}; rename one of them"
            )
        else:
            first[stem] = config
    return clashes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class _Settings:
    """How a run renders each config."""

    allow_import: bool
    max_steps: int
    out_dir: str | None  # None (--check): the outputs are hashed, not written
    formats: tuple[Format, ...]


@dataclass(frozen=True)
class _Job:
    """One config to render, with the text its fingerprint was taken of."""

    config_dir: str
    config: str
    text: str
    fingerprint: str
    settings: _Settings

    @property
    def source(self) -> str:
        return printable(str(Path(self.config_dir) / self.config))

    def failed(self, error: Exception | str) -> _Rendered:
        """This config's failure: an LrplotError's text, or an unexpected error reported as
        lrplot's own (a bug in lrplot or torch), or ``error`` itself."""
        if isinstance(error, Exception) and not isinstance(error, LrplotError):
            error = one_line(
                f"{self.source}: internal error, please report it: {type(error).__name__}: {error}"
            )
        return _Rendered(self.config, None, {}, str(error))

    def died(self) -> _Rendered:
        """This config's failure when its worker process died rendering it."""
        return self.failed(
            f"{self.source}: its worker process died while rendering it (killed, out of "
            "memory, or code it imported ended the process); the other configs are rendered"
        )


@dataclass(frozen=True)
class _Rendered:
    config: str
    entry: Entry | None
    temporaries: dict[str, str]  # output name -> its filled temporary file, to place
    error: str | None


@dataclass(frozen=True)
class _Simulated:
    """A config simulated, its CSV and JSON written, and the plot data of its images."""

    rendered: _Rendered  # the entry has the hashes of the CSV and JSON only
    plot: PlotData | None  # None: no image to draw, or the config failed


class _Sink:
    """Where a worker streams one output: its hash, and the temporary file it goes to
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


class _Outputs:
    """Some of a config's outputs on their way, each streamed into a temporary file in
    the gallery (in a check, only hashed), to be placed together by the gallery process."""

    def __init__(self, job: _Job, formats: Iterable[Format]) -> None:
        out_dir = job.settings.out_dir
        self.out = Folder(Path(out_dir)) if out_dir is not None else None
        self.shown = Path(out_dir or "")
        self.names = {fmt: f"{output_stem(job.config)}.{fmt}" for fmt in formats}
        self.temporaries: dict[str, str] = {}
        self.sinks: dict[Format, _Sink] = {}

    @contextlib.contextmanager
    def opened(self) -> Iterator[dict[Format, _Sink]]:
        """A sink per format, whose files are closed when the block ends."""
        try:
            for fmt, name in self.names.items():
                stream = None
                if self.out is not None:
                    self.temporaries[name], stream = self.out.open_temporary(name)
                self.sinks[fmt] = _Sink(stream, printable(str(self.shown / name)))
            yield self.sinks
        finally:
            for sink in self.sinks.values():
                if sink.stream is not None:
                    sink.stream.close()

    def digests(self) -> dict[str, str]:
        return {self.names[fmt]: sink.digest.hexdigest() for fmt, sink in self.sinks.items()}

    def discard(self, *others: dict[str, str]) -> None:
        """Remove these temporary files, and those of ``others`` (from another stage)."""
        for temporaries in (self.temporaries, *others):
            for temporary in temporaries.values():
                if self.out is not None:
                    self.out.remove(temporary)


def _simulate_config(job: _Job) -> _Simulated:
    """Load and simulate one config, and stream its CSV and JSON into temporary files
    (runs in a worker process, which imports torch); its images are drawn from the plot
    data returned, in another (see :func:`_draw_config`)."""
    from lrplot.config.spec import describe_optimizer, describe_schedulers
    from lrplot.draw.plotting import plot_data
    from lrplot.pipeline import Config, Settings, run

    settings = job.settings
    outputs = _Outputs(job, [fmt for fmt in settings.formats if fmt in DATA_FORMATS])
    try:
        with outputs.opened() as sinks:
            outcome = run(
                config=Config(
                    text=job.text,
                    source=job.source,
                    base_dir=(Path(job.config_dir) / job.config).parent,
                ),
                settings=Settings(
                    allow_import=settings.allow_import, max_steps=settings.max_steps
                ),
                outputs=[(cast(IO[bytes], sink), fmt) for fmt, sink in sinks.items()],
            )
        images = any(fmt in IMAGE_FORMATS for fmt in settings.formats)
        plot = plot_data(outcome.schedule, options=outcome.options) if images else None
    except Exception as e:  # a bug in lrplot or torch too: reported, the others go on
        outputs.discard()
        return _Simulated(job.failed(e), None)
    spec = outcome.schedule.spec
    entry = Entry(
        config=job.config,
        fingerprint=job.fingerprint,
        title=spec.display_title,
        description=spec.description,
        scheduler=describe_schedulers(spec),
        optimizer=describe_optimizer(spec.optimizer),
        epochs=spec.epochs,
        steps_per_epoch=spec.steps_per_epoch,
        outputs=outputs.digests(),
        notices=[notice[:MAX_NOTICE_LENGTH] for notice in outcome.notices[:MAX_NOTICES]],
        warnings=[text[:MAX_NOTICE_LENGTH] for text in outcome.warnings[:MAX_NOTICES]],
    )
    return _Simulated(_Rendered(job.config, entry, outputs.temporaries, None), plot)


def _draw_config(simulated: tuple[_Job, _Simulated | None]) -> _Rendered:
    """Draw one simulated config's images and stream each into a temporary file (runs
    in a worker process, which imports matplotlib but not torch)."""
    job, done = simulated
    if done is None:  # the process that simulated it died
        return job.died()
    rendered = done.rendered
    if done.plot is None or rendered.entry is None:
        return rendered
    from lrplot.draw.plotting import draw

    images = [fmt for fmt in job.settings.formats if fmt in IMAGE_FORMATS]
    outputs = _Outputs(job, images)
    try:
        drawn = draw(done.plot, images)
        with outputs.opened() as sinks:
            for fmt, sink in sinks.items():
                sink.write(drawn[fmt])
    except Exception as e:  # a bug in lrplot or matplotlib too: reported, the others go on
        outputs.discard(rendered.temporaries)
        return job.failed(e)
    entry = replace(rendered.entry, outputs={**rendered.entry.outputs, **outputs.digests()})
    return _Rendered(job.config, entry, {**rendered.temporaries, **outputs.temporaries}, None)


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
    formats: Sequence[Format] = (),
    progress: Progress | None = None,
) -> GalleryReport:
    """Render the configs below ``config_dir`` into ``out_dir`` and write its index pages.

    Each config is rendered to ``formats`` (default: PNG, SVG and CSV); when they change,
    every config is rendered again, and the outputs of formats no longer chosen are
    removed. ``check`` renders everything in memory and reports stale, missing and
    orphaned files without writing. ``shard`` renders one slice and records it in its
    own manifest; ``index_only`` then merges the shards' manifests (of these formats)
    and writes the index pages.

    Everything in both folders is treated as untrusted: see :class:`lrplot.outputs.files.Folder`.
    """
    config_path, out = Path(config_dir), Folder(Path(out_dir))
    names = find_configs(config_path)
    report = GalleryReport()
    versions = current_versions()
    chosen = gallery_formats(formats)
    if index_only:
        _index_only(config_path, out, names, Manifest(versions, chosen, {}), allow_import, report)
        return report
    previous = read_manifest(out, MANIFEST)
    selected = shard.select(names) if shard else names
    if progress:
        progress.start(len(selected))
    current = None
    if previous and previous.versions == versions and previous.formats == chosen:
        current = previous
    settings = _Settings(
        allow_import, max_steps or DEFAULT_MAX_STEPS, None if check else str(out.path), chosen
    )
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
        saver = _ManifestSaver(out, manifest, Manifest(versions, chosen, {**base, **kept}))
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
    # A config that fails keeps its last good outputs and entry, in a run as in a check
    # (when those have every format chosen).
    last_good = {
        failure.config: previous.entries[failure.config].only(chosen)
        for failure in report.failed
        if previous and failure.config in previous.entries
    }
    unchanged = {config: entry for config, entry in last_good.items() if entry is not None}
    entries = {**kept, **unchanged, **rendered}
    described = [
        entries[config] for config in selected if config in entries and config not in unchanged
    ]
    report.config_notices.extend(notice for entry in described for notice in entry.notices)
    report.config_warnings.extend(text for entry in described for text in entry.warnings)
    made = Manifest(versions, chosen, entries)
    if saver is None:
        _check(out, rendered, made, report)
    elif shard:
        _write_if_changed(out, shard.manifest_name, made.to_json())
    else:
        _finish(out, names, made, previous, report)
    return report


def _plan(
    config_dir: Path,
    out: Folder,
    names: list[str],
    selected: list[str],
    current: Manifest | None,
    render_all: bool,
    settings: _Settings,
    report: GalleryReport,
) -> tuple[dict[str, Entry], list[_Job]]:
    """The entries to keep as they are, and the configs to render.

    A config is kept when the manifest (of these versions) has its fingerprint and its
    outputs are intact; a config that cannot be read, or whose outputs another config
    would overwrite, fails.
    """
    kept: dict[str, Entry] = {}
    todo: list[_Job] = []
    clashes = _stem_clashes(config_dir, names, settings.formats[0])
    for config in selected:
        if config in clashes:
            report.failed.append(Failure(config, clashes[config]))
            continue
        source = printable(str(config_dir / config))
        try:
            raw = read_config_below(config_dir, config)
            text = decode_config_bytes(raw, source=source)
            digest = _fingerprint(config_dir, config, raw, settings.allow_import)
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
            todo.append(_Job(str(config_dir), config, text, digest, settings))
    return kept, todo


class _ManifestSaver:
    """Saves the manifest as configs are rendered (at most once a second), so that an
    interrupted run keeps what it finished. Outputs are written before their entry: the
    manifest never claims files that are not on disk."""

    def __init__(self, out: Folder, name: str, manifest: Manifest) -> None:
        self.out = out
        self.name = name
        self.manifest = manifest
        self.saved_at = time.monotonic()

    def record(self, config: str, entry: Entry) -> None:
        self.manifest.entries[config] = entry
        if time.monotonic() - self.saved_at >= 1.0:
            with contextlib.suppress(OutputError):  # the last save reports it, once
                _write_if_changed(self.out, self.name, self.manifest.to_json())
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
    """Each config rendered in worker processes, reported in the configs' order (see
    :func:`lrplot.gallery.workers.in_order`; a config whose worker dies fails, the others render).

    With images to draw, one worker, the only one to import torch, simulates the configs
    (running any code they import) and writes their CSV and JSON, while the others, one
    per core (or ``jobs``), import matplotlib, then draw each config's images as soon as
    its plot data comes. Without images, every worker simulates.
    """
    from lrplot.gallery.workers import in_order, in_order_polling

    if not todo:
        return
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    images = any(fmt in IMAGE_FORMATS for fmt in todo[0].settings.formats)
    if images:
        from lrplot.draw.plotting import warm_up

        # Polling: a slow config's simulation holds back none of the drawings before it.
        simulated = in_order_polling(_simulate_config, todo, workers=1, polling=True)
        drawn = in_order(_draw_config, simulated, workers=workers, warm_up=warm_up)
        for (job, done), rendered in drawn:
            yield _reported(rendered or _lost(job, done), progress)
    else:
        for job, done in in_order(_simulate_config, todo, workers=workers):
            yield _reported(_draw_config((job, done)), progress)  # nothing to draw: unwrapped


def _lost(job: _Job, done: _Simulated | None) -> _Rendered:
    """A config whose drawing process died: the CSV and JSON written for it go too."""
    if done is not None:
        _Outputs(job, ()).discard(done.rendered.temporaries)
    return job.died()


def _reported(result: _Rendered, progress: Progress | None) -> _Rendered:
    if progress:
        progress.update("rendered" if result.entry else "failed", result.config)
    return result


def _expected_pages(made: Manifest) -> dict[str, str]:
    """The manifest and index pages of a gallery of ``made``'s entries."""
    from lrplot.gallery.pages import index_html, index_markdown

    ordered = sorted(made.entries.values(), key=lambda e: e.config)
    return {
        MANIFEST: made.to_json(),
        "README.md": index_markdown(ordered, made.versions),
        "index.html": index_html(ordered, made.versions),
    }


def _finish(
    out: Folder, names: list[str], made: Manifest, previous: Manifest | None, report: GalleryReport
) -> None:
    """Remove the old outputs the gallery no longer lists (of configs that are gone, or
    in formats no longer chosen), then write the index pages and manifest.

    Only what lrplot wrote for a config is removed: its outputs in the formats of the
    manifest it wrote, with names computed from the config's name (never read from the
    manifest), and only regular files."""
    current = Manifest(
        made.versions,
        made.formats,
        {name: made.entries[name] for name in names if name in made.entries},
    )
    wanted = {output for entry in current.entries.values() for output in entry.outputs}
    if previous:
        for config in sorted(previous.entries):
            for fmt in previous.formats:
                output = f"{output_stem(config)}.{fmt}"
                if output not in wanted and out.remove(output):
                    report.removed.append(output)
    pages = _expected_pages(current)
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


def _check(out: Folder, rendered: dict[str, Entry], made: Manifest, report: GalleryReport) -> None:
    """Compare what a run would write (the outputs by their hashes, the pages whole)
    with ``out``; the entries of ``made`` not ``rendered`` (failed) are left be."""
    pages = {name: text.encode() for name, text in _expected_pages(made).items()}
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
    left_be = {
        output
        for config, entry in made.entries.items()
        if config not in rendered
        for output in entry.outputs
    }
    report.orphaned.extend(sorted(actual - set(expected) - left_be))


def _index_only(
    config_dir: Path,
    out: Folder,
    names: list[str],
    made: Manifest,
    allow_import: bool,
    report: GalleryReport,
) -> None:
    """Merge the shards' manifests into the gallery's, and write the index pages (the
    fingerprints are taken as the shards took them: ``allow_import`` as they had it; the
    formats are ``made``'s, which must be the shards')."""
    versions, formats = made.versions, made.formats
    previous = read_manifest(out, MANIFEST)
    entries = dict(previous.entries) if previous and previous.formats == formats else {}
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
        if shard_manifest.formats != formats:  # its entries cannot be this gallery's
            report.notices.append(
                f"{printable(str(out.path / name))}: rendered to "
                f"{', '.join(shard_manifest.formats)}, not {', '.join(formats)} (give "
                "--index-only the --format the shards had); ignored"
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
    _finish(out, names, Manifest(versions, formats, entries), previous, report)
    report.listed.extend(name for name in names if name in entries)
    for name in shard_files:
        out.remove(name)


def _describe_versions(versions: dict[str, str]) -> str:
    return ", ".join(f"{printable(k)} {printable(v)}" for k, v in sorted(versions.items()))
