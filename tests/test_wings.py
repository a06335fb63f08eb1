"""The wings: each one's face resolves its names on first use, and the import contract in
pyproject.toml (``make lint``) refuses a wing importing a higher one."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "lrplot"
WINGS = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
FACES = [wing for wing in WINGS if hasattr(importlib.import_module(f"lrplot.{wing}"), "__all__")]


def test_the_faces_are_the_wings_with_names_to_offer() -> None:
    assert set(WINGS) - set(FACES) == {"cli", "formats"}  # the group itself; reserved


@pytest.mark.parametrize("wing", FACES)
def test_every_name_of_a_face_resolves(wing: str) -> None:
    face = importlib.import_module(f"lrplot.{wing}")
    for name in face.__all__:
        value = getattr(face, name)
        assert value is not None
        assert getattr(face, name) is value, name  # imported once, then kept
    with pytest.raises(AttributeError, match=f"module 'lrplot.{wing}' has no attribute 'nope'"):
        _ = face.nope


@pytest.mark.parametrize("wing", FACES)
def test_importing_a_face_loads_none_of_its_modules(wing: str) -> None:
    probe = (
        f"import sys, lrplot.{wing}\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('lrplot'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert set(result.stdout.split()) == {"lrplot", f"lrplot.{wing}", "lrplot.faces"}


def test_the_contract_places_every_wing_and_top_module() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in contracts["contracts"] if c["type"] == "layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    tops = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert placed == set(WINGS) | tops


def _lint_imports(package: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's verdict on the copy of lrplot in ``package``, with the contracts
    of pyproject.toml."""
    environment = {**os.environ, "PYTHONPATH": str(package.parent)}
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache",
         "--config", str(ROOT / "pyproject.toml")],
        cwd=package.parent, env=environment, capture_output=True, text=True,
    )  # fmt: skip


@pytest.mark.subprocess
def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "lrplot"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _lint_imports(copy).returncode == 0
    # A type-only import counts: config may not know the simulation run from it.
    keys = copy / "config" / "keys.py"
    keys.write_text(
        keys.read_text()
        + "\n\nif TYPE_CHECKING:\n    from lrplot.simulation.runner import Schedule\n"
    )
    result = _lint_imports(copy)
    assert result.returncode == 1
    assert "lrplot.config is not allowed to import lrplot.simulation" in result.stdout
    assert "- lrplot.config.keys -> lrplot.simulation.runner" in result.stdout
