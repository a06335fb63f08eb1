"""A gallery's manifest: what each config was rendered to, read back only if lrplot wrote it.

``manifest.json`` records, per config, a fingerprint of the config (and of the code it
imports), what the index pages show, the hash of each output and the notices, with the
lrplot, torch and matplotlib versions and the formats every config was rendered to. It
lies in a folder whose contents are not trusted, so :func:`read_manifest` believes it
only when it has exactly the shape lrplot writes: formats lrplot writes, and every entry
naming a config path and exactly the outputs lrplot makes for it in those formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import PurePosixPath

from lrplot.errors import OutputError
from lrplot.limits import MAX_DESCRIPTION_LENGTH, MAX_MANIFEST_BYTES
from lrplot.outputs.export import FORMATS, Format
from lrplot.outputs.files import Folder, safe_name

MANIFEST = "manifest.json"
DEFAULT_FORMATS: tuple[Format, ...] = ("png", "svg", "csv")
"""What each config is rendered to, unless ``--format`` says otherwise."""
CONFIG_SUFFIXES = (".yaml", ".yml", ".json")
NOT_CONFIGS = ("trainer_state.json", "config.json")
"""JSON files HF writes beside a run (its log, its model's config): never configs."""
MAX_RECORDED = 10**15
"""Largest epochs or steps per epoch an entry may record (a run is far shorter)."""
MAX_NOTICES = 1000
MAX_NOTICE_LENGTH = 4000
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


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
    notices: list[str] = field(default_factory=list)  # what lrplot says about the config
    warnings: list[str] = field(default_factory=list)  # likely mistakes in it

    @property
    def stem(self) -> str:
        return output_stem(self.config)

    def output(self, fmt: str) -> str:
        return f"{self.stem}.{fmt}"

    def has(self, fmt: str) -> bool:
        """Whether the config was rendered to ``fmt``."""
        return self.output(fmt) in self.outputs

    def only(self, formats: Iterable[str]) -> Entry | None:
        """This entry with the outputs in ``formats`` only; None if it lacks one of them."""
        names = [self.output(fmt) for fmt in formats]
        if not all(name in self.outputs for name in names):
            return None
        return replace(self, outputs={name: self.outputs[name] for name in names})


def output_stem(config: str) -> str:
    """``tutorial/StepLR.yaml`` -> ``tutorial/StepLR``."""
    return str(PurePosixPath(config).with_suffix(""))


def gallery_formats(formats: Iterable[Format] = ()) -> tuple[Format, ...]:
    """The formats a gallery renders each config to, in lrplot's order (that of
    :data:`~lrplot.outputs.export.FORMATS`), each once: ``formats``, or by default
    :data:`DEFAULT_FORMATS`."""
    chosen = set(formats) or set(DEFAULT_FORMATS)
    return tuple(fmt for fmt in FORMATS if fmt in chosen)


@dataclass
class Manifest:
    """The versions and formats that made a gallery, and an entry per config."""

    versions: dict[str, str]
    formats: tuple[Format, ...]
    entries: dict[str, Entry]

    def to_json(self) -> str:
        data = {
            "versions": self.versions,
            "formats": list(self.formats),
            "entries": {name: asdict(self.entries[name]) for name in sorted(self.entries)},
        }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"


def read_manifest(folder: Folder, name: str) -> Manifest | None:
    """The manifest ``name`` in the gallery, or None if it is missing or is not one lrplot
    wrote: a manifest is input like any other file in the gallery, and is believed only
    when its formats are some of lrplot's, in its order, and every entry names a config
    path and exactly the outputs lrplot makes for it in those formats."""
    try:
        data = folder.read(name, limit=MAX_MANIFEST_BYTES)
        return None if data is None else _parse_manifest(json.loads(data))
    except (OutputError, ValueError, TypeError, RecursionError):
        return None


def _parse_manifest(data: object) -> Manifest:
    """ValueError/TypeError unless ``data`` has the manifest's exact shape."""
    if not isinstance(data, dict) or set(data) != {"versions", "formats", "entries"}:
        raise ValueError("not a manifest")
    versions, formats, entries = data["versions"], data["formats"], data["entries"]
    if not isinstance(versions, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in versions.items()
    ):
        raise ValueError("versions")
    chosen = tuple(fmt for fmt in FORMATS if fmt in formats) if isinstance(formats, list) else ()
    if not chosen or list(chosen) != formats:
        raise ValueError("formats")  # some of lrplot's formats, each once, in its order
    if not isinstance(entries, dict):
        raise ValueError("entries")
    return Manifest(
        versions=dict(versions),
        formats=chosen,
        entries={config: _parse_entry(config, value, chosen) for config, value in entries.items()},
    )


_ENTRY_TYPES: dict[str, type | tuple[type, ...]] = {
    "config": str,
    "fingerprint": str,
    "title": str,
    "description": (str, type(None)),
    "scheduler": str,
    "optimizer": str,
    "epochs": int,
    "steps_per_epoch": int,
    "outputs": dict,
    "notices": list,
    "warnings": list,
}


def _parse_entry(config: str, value: object, formats: tuple[Format, ...]) -> Entry:
    if not isinstance(value, dict) or set(value) != set(_ENTRY_TYPES):
        raise ValueError("entry")
    for key, kind in _ENTRY_TYPES.items():
        if not isinstance(value[key], kind) or isinstance(value[key], bool):
            raise ValueError(key)
    safe_name(config)
    if value["config"] != config or not config.endswith(CONFIG_SUFFIXES):
        raise ValueError("config")
    entry = Entry(**value)
    expected = {entry.output(fmt) for fmt in formats}
    if set(entry.outputs) != expected or not all(
        isinstance(d, str) and _HEX_DIGEST.fullmatch(d) for d in entry.outputs.values()
    ):
        raise ValueError("outputs")
    if not (1 <= entry.epochs <= MAX_RECORDED and 1 <= entry.steps_per_epoch <= MAX_RECORDED):
        raise ValueError("length")
    texts = [entry.title, entry.scheduler, entry.optimizer, entry.description or ""]
    if any(len(text) > MAX_DESCRIPTION_LENGTH for text in texts) or not _HEX_DIGEST.fullmatch(
        entry.fingerprint
    ):
        raise ValueError("text")  # what lrplot writes is clipped: longer came from elsewhere
    for name, texts in (("notices", entry.notices), ("warnings", entry.warnings)):
        if len(texts) > MAX_NOTICES or not all(
            isinstance(text, str) and len(text) <= MAX_NOTICE_LENGTH for text in texts
        ):
            raise ValueError(name)
    return entry
