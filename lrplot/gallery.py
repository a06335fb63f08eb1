"""Batch-rendering a folder of configs into a gallery: manifest, skipping, shards, ``--check``.

Every ``*.yaml``/``*.yml`` under the config folder becomes ``<name>.png``, ``.svg`` and
``.csv`` in the gallery (sub-folders mirrored), plus ``README.md`` and ``index.html``.
``manifest.json`` records, per config, a fingerprint of its bytes (and of any Python file
it imports), what the index shows, and a hash of each output; with the lrplot, torch and
matplotlib versions it lets a re-run skip unchanged configs without importing torch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from lrplot.configfile import parse_config_text
from lrplot.errors import ConfigError, LrplotError, OutputError
from lrplot.export import bytes_writer, write_all_atomic, write_bytes
from lrplot.limits import DEFAULT_MAX_STEPS

OUTPUT_FORMATS = ("png", "svg", "csv")
"""What each config is rendered to."""
MANIFEST = "manifest.json"
INDEX_PAGES = ("README.md", "index.html")
_SHARD_MANIFEST = "manifest-{k}-of-{n}.json"
_SHARD_MANIFEST_RE = re.compile(r"^manifest-(\d+)-of-(\d+)\.json$")
_CONFIG_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    """One rendered config: what the index shows, and the hash of each output file."""

    config: str  # path below the config folder, with / separators
    fingerprint: str
    title: str
    description: str | None
    scheduler: str
    optimizer: str
    epochs: int
    steps_per_epoch: int
    outputs: dict[str, str]  # output path below the gallery -> sha256

    @property
    def stem(self) -> str:
        return output_stem(self.config)

    def output(self, fmt: str) -> str:
        return f"{self.stem}.{fmt}"


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
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.stale or self.missing or self.orphaned)


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
        match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
        if not match:
            raise ValueError(f"expected K/N such as 2/4, got {text!r}")
        index, count = int(match[1]), int(match[2])
        if not 1 <= index <= count:
            raise ValueError(f"K must be between 1 and N, got {text!r}")
        return cls(index, count)

    def select(self, names: list[str]) -> list[str]:
        return [n for i, n in enumerate(names) if i % self.count == self.index - 1]

    @property
    def manifest_name(self) -> str:
        return _SHARD_MANIFEST.format(k=self.index, n=self.count)


def output_stem(config: str) -> str:
    """``tutorial/StepLR.yaml`` -> ``tutorial/StepLR``."""
    return str(PurePosixPath(config).with_suffix(""))


def find_configs(config_dir: Path) -> list[str]:
    """Every config below ``config_dir``, as sorted ``/``-separated relative paths."""
    if not config_dir.is_dir():
        raise ConfigError("is not a folder of configs", source=str(config_dir))
    found = [
        path.relative_to(config_dir).as_posix()
        for path in config_dir.rglob("*")
        if path.suffix in _CONFIG_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(config_dir).parts)
    ]
    return sorted(found)


def current_versions() -> dict[str, str]:
    """The versions that decide every output's bytes (read without importing torch)."""
    from importlib.metadata import version

    from lrplot import __version__

    return {"lrplot": __version__, "torch": version("torch"), "matplotlib": version("matplotlib")}


def fingerprint(config_dir: Path, config: str) -> str:
    """sha256 of the config's bytes and of any Python file its scheduler types name.

    Files are named as the config names them (relative to it), so the fingerprint does
    not depend on where the folder is checked out.
    """
    path = config_dir / config
    digest = hashlib.sha256(path.read_bytes())
    for target in _imported_files(path):
        code = path.parent / target
        digest.update(b"\0" + target.encode() + b"\0")
        digest.update(code.read_bytes() if code.is_file() else b"<missing>")
    return digest.hexdigest()


def _imported_files(path: Path) -> list[str]:
    try:
        data = parse_config_text(path.read_text("utf-8"), source=str(path)).data
    except (LrplotError, OSError, UnicodeDecodeError):
        return []
    found = set()
    for type_name in _scheduler_types(data.get("scheduler") if isinstance(data, dict) else None):
        target = type_name.rpartition(":")[0]
        if target.endswith(".py") or "/" in target:
            found.add(target)
    return sorted(found)


def _scheduler_types(raw: Any) -> Iterator[str]:
    if not isinstance(raw, dict):
        return
    if isinstance(raw.get("type"), str):
        yield raw["type"]
    for child in raw.get("schedulers") or []:
        yield from _scheduler_types(child)


def _stem_clashes(config_dir: Path, names: list[str]) -> dict[str, str]:
    """Configs whose outputs another config (``x.yaml`` beside ``x.yml``) would also write."""
    first: dict[str, str] = {}
    clashes = {}
    for config in names:
        stem = output_stem(config)
        if stem in first:
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
class _Rendered:
    config: str
    entry: Entry | None
    files: dict[str, bytes]
    error: str | None


def _render_config(
    config_dir: str, config: str, fingerprint_: str, allow_import: bool, max_steps: int
) -> _Rendered:
    """Load, simulate and render one config (runs in a worker process)."""
    from lrplot.export import render_all
    from lrplot.simulation import simulate
    from lrplot.spec import describe_optimizer, describe_scheduler, load_spec

    path = Path(config_dir) / config
    try:
        spec = load_spec(path=path, allow_import=allow_import)
        schedule = simulate(spec=spec, max_steps=max_steps)
        rendered = render_all(schedule=schedule, formats=OUTPUT_FORMATS)
        files = {f"{output_stem(config)}.{fmt}": data for fmt, data in rendered.items()}
    except LrplotError as e:
        return _Rendered(config, None, {}, str(e))
    except Exception as e:  # a bug in lrplot or torch: report it, and go on with the others
        message = f"{path}: internal error, please report it: {type(e).__name__}: {e}"
        return _Rendered(config, None, {}, message)
    entry = Entry(
        config=config,
        fingerprint=fingerprint_,
        title=spec.display_title,
        description=spec.description,
        scheduler=describe_scheduler(spec.scheduler),
        optimizer=describe_optimizer(spec.optimizer),
        epochs=spec.epochs,
        steps_per_epoch=spec.steps_per_epoch,
        outputs={name: _sha256(data) for name, data in files.items()},
    )
    return _Rendered(config, entry, files, None)


@dataclass
class _Manifest:
    versions: dict[str, str]
    entries: dict[str, Entry]

    def to_json(self) -> str:
        data = {
            "versions": self.versions,
            "entries": {name: asdict(self.entries[name]) for name in sorted(self.entries)},
        }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"


def _read_manifest(path: Path) -> _Manifest | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        entries = {name: Entry(**value) for name, value in data["entries"].items()}
        return _Manifest(versions=dict(data["versions"]), entries=entries)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # unreadable or from another lrplot: treated as absent, all re-rendered


def _outputs_intact(out_dir: Path, entry: Entry) -> bool:
    if set(entry.outputs) != {entry.output(fmt) for fmt in OUTPUT_FORMATS}:
        return False
    for name, digest in entry.outputs.items():
        try:
            if _sha256((out_dir / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


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
    """
    config_path, out_path = Path(config_dir), Path(out_dir)
    names = find_configs(config_path)
    report = GalleryReport()
    versions = current_versions()
    if index_only:
        _index_only(config_path, out_path, names, versions, report)
        return report
    previous = _read_manifest(out_path / MANIFEST)
    selected = shard.select(names) if shard else names
    if progress:
        progress.start(len(selected))
    current = previous if previous and previous.versions == versions else None
    kept, todo = _plan(config_path, out_path, names, selected, current, force or check, report)
    if progress:
        for failure in report.failed:
            progress.update("failed", failure.config)
        for config in report.skipped:
            progress.update("skipped", config)
    results = _render_all(
        config_path, todo, jobs, allow_import, max_steps or DEFAULT_MAX_STEPS, progress
    )
    rendered: dict[str, Entry] = {}
    files: dict[str, bytes] = {}  # kept in memory by --check only
    saver = None
    if not check:
        remove_temporaries(out_path)
        base = {} if shard else (dict(current.entries) if current else {})
        manifest = out_path / (shard.manifest_name if shard else MANIFEST)
        saver = _ManifestSaver(manifest, versions, {**base, **kept})
    for result in results:  # as they finish: written at once, so an interruption keeps them
        if result.entry is None:
            report.failed.append(Failure(result.config, result.error or "failed"))
            continue
        rendered[result.config] = result.entry
        report.rendered.append(result.config)
        if saver is None:
            files.update(result.files)
            continue
        write_all_atomic({out_path / n: bytes_writer(d) for n, d in sorted(result.files.items())})
        saver.record(result.config, result.entry)
    report.rendered.sort()
    report.failed.sort(key=lambda failure: failure.config)
    # A config that fails keeps its last good outputs and entry, in a run as in a check.
    unchanged = {
        failure.config: previous.entries[failure.config]
        for failure in report.failed
        if previous and failure.config in previous.entries
    }
    if saver is None:
        _check(out_path, rendered, unchanged, files, versions, report)
        return report
    entries = {**kept, **unchanged, **rendered}
    if shard:
        _write_if_changed(out_path / shard.manifest_name, _Manifest(versions, entries).to_json())
        return report
    _finish(out_path, names, entries, versions, previous, report)
    return report


def _plan(
    config_dir: Path,
    out_dir: Path,
    names: list[str],
    selected: list[str],
    current: _Manifest | None,
    render_all: bool,
    report: GalleryReport,
) -> tuple[dict[str, Entry], list[tuple[str, str]]]:
    """The entries to keep as they are, and the (config, fingerprint) pairs to render.

    A config is kept when the manifest (of these versions) has its fingerprint and its
    outputs are intact; configs whose outputs another config would overwrite fail.
    """
    kept: dict[str, Entry] = {}
    todo: list[tuple[str, str]] = []
    clashes = _stem_clashes(config_dir, names)
    for config in selected:
        if config in clashes:
            report.failed.append(Failure(config, clashes[config]))
            continue
        digest = fingerprint(config_dir, config)
        old = current.entries.get(config) if current else None
        if (
            old is not None
            and not render_all
            and old.fingerprint == digest
            and _outputs_intact(out_dir, old)
        ):
            kept[config] = old
            report.skipped.append(config)
        else:
            todo.append((config, digest))
    return kept, todo


class _ManifestSaver:
    """Saves the manifest as configs are rendered (at most once a second), so that an
    interrupted run keeps what it finished. Outputs are written before their entry: the
    manifest never claims files that are not on disk."""

    def __init__(self, path: Path, versions: dict[str, str], entries: dict[str, Entry]) -> None:
        self.path = path
        self.versions = versions
        self.entries = entries
        self.saved_at = time.monotonic()

    def record(self, config: str, entry: Entry) -> None:
        self.entries[config] = entry
        if time.monotonic() - self.saved_at >= 1.0:
            _write_if_changed(self.path, _Manifest(self.versions, self.entries).to_json())
            self.saved_at = time.monotonic()


_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def remove_temporaries(out_dir: Path) -> list[Path]:
    """Remove temporary files a killed run left behind (``write_atomic``'s own names)."""
    if not out_dir.is_dir():
        return []
    found = [p for p in out_dir.rglob(".*.tmp") if p.is_file() and _TEMPORARY.fullmatch(p.name)]
    for path in found:
        path.unlink(missing_ok=True)
    return found


def _render_all(
    config_dir: Path,
    todo: list[tuple[str, str]],
    jobs: int | None,
    allow_import: bool,
    max_steps: int,
    progress: Progress | None,
) -> Iterator[_Rendered]:
    """Each config rendered in ``jobs`` worker processes, reported in the configs' order
    (so that CI logs of two runs compare line by line); the workers do not wait."""
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers <= 1:
        finished: Iterable[_Rendered] = (
            _render_config(str(config_dir), config, digest, allow_import, max_steps)
            for config, digest in todo
        )
        yield from _reported(finished, progress)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
    ) as pool:
        futures = [
            pool.submit(_render_config, str(config_dir), c, d, allow_import, max_steps)
            for c, d in todo
        ]
        try:
            yield from _reported((f.result() for f in futures), progress)
        except BaseException:  # Ctrl-C, or a failure here: renders in progress are dropped
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in multiprocessing.active_children():  # not to wait for them
                worker.terminate()
            raise


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


def _reported(results: Iterable[_Rendered], progress: Progress | None) -> Iterator[_Rendered]:
    for result in results:
        if progress:
            progress.update("rendered" if result.entry else "failed", result.config)
        yield result


def _expected_pages(entries: Iterable[Entry], versions: dict[str, str]) -> dict[str, str]:
    from lrplot.gallery_pages import index_html, index_markdown

    ordered = sorted(entries, key=lambda e: e.config)
    manifest = _Manifest(versions, {e.config: e for e in ordered})
    return {
        MANIFEST: manifest.to_json(),
        "README.md": index_markdown(ordered, versions),
        "index.html": index_html(ordered, versions),
    }


def _finish(
    out_dir: Path,
    names: list[str],
    entries: dict[str, Entry],
    versions: dict[str, str],
    previous: _Manifest | None,
    report: GalleryReport,
) -> None:
    """Remove outputs of configs that are gone, then write the index pages and manifest."""
    current = {name: entries[name] for name in names if name in entries}
    wanted = {output for entry in current.values() for output in entry.outputs}
    if previous:
        for entry in previous.entries.values():
            for output in entry.outputs:
                if output not in wanted and (out_dir / output).is_file():
                    (out_dir / output).unlink()
                    report.removed.append(output)
    pages = _expected_pages(current.values(), versions)
    for name in ("README.md", "index.html", MANIFEST):  # the manifest last
        _write_if_changed(out_dir / name, pages[name])


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode()
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_bytes(path, data)


def _check(
    out_dir: Path,
    rendered: dict[str, Entry],
    unchanged: dict[str, Entry],
    files: dict[str, bytes],
    versions: dict[str, str],
    report: GalleryReport,
) -> None:
    """Compare what a run would write with ``out_dir``; ``unchanged`` entries are left be."""
    expected = dict(files)
    pages = _expected_pages([*rendered.values(), *unchanged.values()], versions)
    for name, text in pages.items():
        expected[name] = text.encode()
    actual = set(_files_below(out_dir))
    for name in sorted(expected):
        path = out_dir / name
        if name not in actual:
            report.missing.append(name)
        elif path.read_bytes() != expected[name]:
            report.stale.append(name)
    left_be = {output for entry in unchanged.values() for output in entry.outputs}
    report.orphaned.extend(sorted(actual - set(expected) - left_be))


def _files_below(folder: Path) -> Iterator[str]:
    if not folder.is_dir():
        return
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix()


def _index_only(
    config_dir: Path,
    out_dir: Path,
    names: list[str],
    versions: dict[str, str],
    report: GalleryReport,
) -> None:
    """Merge the shards' manifests into the gallery's, and write the index pages."""
    previous = _read_manifest(out_dir / MANIFEST)
    entries = dict(previous.entries) if previous else {}
    shard_files = sorted(
        p for p in out_dir.glob("manifest-*-of-*.json") if _SHARD_MANIFEST_RE.match(p.name)
    )
    for path in shard_files:
        shard_manifest = _read_manifest(path)
        if shard_manifest is None:
            raise OutputError("is not a manifest lrplot can read", source=str(path))
        if shard_manifest.versions != versions:
            report.notices.append(
                f"{path}: rendered with {_describe_versions(shard_manifest.versions)}, "
                f"not {_describe_versions(versions)}"
            )
        entries.update(shard_manifest.entries)
        report.merged.append(path.name)
    for config in names:
        entry = entries.get(config)
        if entry is None or entry.fingerprint != fingerprint(config_dir, config):
            report.failed.append(
                Failure(
                    config, f"{config_dir / config}: not rendered by any shard, or changed since"
                )
            )
        elif not _outputs_intact(out_dir, entry):
            report.failed.append(
                Failure(
                    config,
                    f"{config_dir / config}: its outputs in {out_dir} are missing or changed",
                )
            )
    _finish(out_dir, names, entries, versions, previous, report)
    report.listed.extend(name for name in names if name in entries)
    for path in shard_files:
        path.unlink()


def _describe_versions(versions: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
