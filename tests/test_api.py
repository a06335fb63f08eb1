"""The importable core: every public name resolves, and importing lrplot loads little."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lrplot


@pytest.mark.parametrize("name", lrplot.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(lrplot, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = lrplot.nope


def test_public_functions_take_keywords_only() -> None:
    import inspect

    for name in ("load_spec", "parse_spec", "simulate", "render", "write", "build_gallery"):
        parameters = inspect.signature(getattr(lrplot, name)).parameters.values()
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters), name


def test_import_lrplot_loads_no_core_module() -> None:
    probe = "import sys, lrplot; print(sorted(m for m in sys.modules if m.startswith('lrplot')))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['lrplot']"
