"""The package's shape: torch's internals touched in one module, every module saying what it
holds. (No import cycles, and the wings' layers: import-linter's contracts, in ``make lint``.)"""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "lrplot"
FILES = {
    ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"): p
    for p in PACKAGE.rglob("*.py")
    if p != PACKAGE / "__init__.py"
}
MODULES = sorted(FILES)


@pytest.mark.parametrize("module", MODULES)
def test_only_torch_compat_touches_torchs_internals(module: str) -> None:
    if module == "simulation.torch_compat":
        return
    text = FILES[module].read_text()
    internals = re.compile(
        r"\.(_step_count|_get_lr_called_within_step|_schedulers|_update_lr)\b|"
        r"__dynamo_disable|f_locals|\b_format_param\("
    )
    assert not internals.search(text), f"{module}: {internals.search(text)}"


def test_every_module_says_what_it_holds() -> None:
    for path in [PACKAGE / "__init__.py", *FILES.values()]:
        module = path.relative_to(PACKAGE).as_posix()
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc, f"{module} has no docstring"
        assert len(doc.splitlines()[0]) <= 100, module
