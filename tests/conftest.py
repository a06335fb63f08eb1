"""Shared fixtures: the repository's configs, a CLI runner, config writers, golden files."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from tests.trainers import Trainers

# The tests' models are tiny: a second OpenMP thread only waits on the first, and on two
# cores shared with another test process its spinning costs several times the work
# (a 400-step Trainer run: 20 s on one thread, 97 s on two beside a busy process). Set
# before torch is imported, here and in the processes the tests start.
os.environ.setdefault("OMP_NUM_THREADS", "1")

# On CI the fuzz tests see the same examples every run; locally they explore afresh.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
CONFIGS_DIR = ROOT / "configs"
NATIVE_DIR = CONFIGS_DIR / "native"
"""Other tools' files (lrplot.formats), which the gallery renders too."""


def _is_lrplots(config: Path) -> bool:
    """The file is a config of lrplot's own, not another tool's that lrplot reads."""
    import yaml

    from lrplot.formats import recognise

    return recognise(yaml.safe_load(config.read_text())) == "lrplot"


_OUTSIDE_NATIVE = sorted(p for p in CONFIGS_DIR.rglob("*.yaml") if NATIVE_DIR not in p.parents)
CONFIG_FILES = [p for p in _OUTSIDE_NATIVE if _is_lrplots(p)]
"""lrplot's own configs."""
TOOL_FILES = [p for p in _OUTSIDE_NATIVE if not _is_lrplots(p)]
"""Other tools' files beside lrplot's configs (timm's args.yaml in configs/timm/), which the
gallery renders too."""
NATIVE_FILES = sorted([*NATIVE_DIR.rglob("*.yaml"), *NATIVE_DIR.rglob("*.json")])
OPTIONAL_LIBRARIES = ("deepspeed", "timm", "trl")
"""The libraries a shipped config may need (``type: deepspeed.X``, a folder configs/deepspeed/ or
configs/timm/, a TRL recipe) that an environment may lack (the main one has no timm: its
suite skips the committed gallery's check, which the torch 2.14.1 one makes)."""
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def library_of(config: Path) -> str | None:
    """The optional library a shipped config needs (see :data:`OPTIONAL_LIBRARIES`), if any.
    Only the repository's configs are read: a test's hostile files (a YAML alias bomb) never."""
    import re

    if CONFIGS_DIR not in config.parents or not config.is_file():
        return None
    folder = config.relative_to(CONFIGS_DIR).parts[0]
    if folder in OPTIONAL_LIBRARIES:
        return folder
    text = config.read_text(errors="replace")
    if config.suffix in (".yaml", ".yml") and _is_trl_recipe(text):
        return "trl"
    found = re.search(rf"\btype:\s*[\"']?({'|'.join(OPTIONAL_LIBRARIES)})\.", text)
    return found.group(1) if found else None


def _is_trl_recipe(text: str) -> bool:
    from lrplot.formats import recognise

    try:
        import yaml

        return recognise(yaml.safe_load(text)) == "trl"
    except Exception:  # not YAML: not a recipe
        return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test of a shipped config that needs a library not installed is skipped, naming it
    (as ``pytest.importorskip`` does)."""
    import importlib.util

    missing = {name for name in OPTIONAL_LIBRARIES if importlib.util.find_spec(name) is None}
    if not missing:
        return
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        for value in params.values():
            library = library_of(value) if isinstance(value, Path) else None
            if library in missing:
                reason = f"could not import {library!r}: No module named {library!r}"
                item.add_marker(pytest.mark.skip(reason=reason))


def alive(pid: int) -> bool:
    """The process is running, not a zombie waiting to be reaped (Linux's /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return state.split()[1] not in ("Z", "X")


def config_id(path: Path) -> str:
    return str(path.relative_to(CONFIGS_DIR))


@pytest.fixture(scope="session", autouse=True)
def _warm_imports() -> None:
    """Import torch and warm up matplotlib once: a gallery's worker processes are forked
    from the test process and inherit both, instead of importing them again (two seconds
    per gallery)."""
    import torch

    from lrplot.draw.plotting import warm_up
    from lrplot.schedulers.registry import scheduler_classes

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    scheduler_classes()
    warm_up()


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner; ``result.stdout`` and ``result.stderr`` are kept apart."""
    return CliRunner()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with ``tests/golden/<name>``; ``make golden`` rewrites the files."""

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if os.environ.get("LRPLOT_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert path.exists(), f"{path} is missing; run `make golden` to create it"
        assert text == path.read_text(), f"{name} differs from its golden file; see `make golden`"

    return check


@pytest.fixture(scope="session")
def built_gallery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's configs rendered into a fresh gallery folder (once a session:
    the index pages' tests and the committed gallery's check share it), from the
    repository's folder as `make demo` renders them: notices name `configs/...`."""
    import importlib.util

    from lrplot.gallery.build import build_gallery

    for config in sorted(CONFIGS_DIR.rglob("*")):
        library = library_of(config) if config.is_file() else None
        if library is not None and importlib.util.find_spec(library) is None:
            pytest.skip(
                f"could not import {library!r}: No module named {library!r} (configs/"
                f"{config.relative_to(CONFIGS_DIR)} needs it; make test-torch-next has every one)"
            )
    out = tmp_path_factory.mktemp("gallery")
    with contextlib.chdir(ROOT):
        report = build_gallery(config_dir=Path("configs"), out_dir=out, jobs=2, allow_import=True)
    assert report.ok, report.failed
    return out


@pytest.fixture(scope="session")
def trainers(tmp_path_factory: pytest.TempPathFactory) -> Trainers:
    """Real HF and Lightning trainer runs on a tiny model, each run once per session."""
    return Trainers(tmp_path_factory.mktemp("trainers"))


def hide_package(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``package`` look not installed to ``importlib.util.find_spec`` (how lrplot asks)."""
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == package else find_spec(name, *args),
    )
