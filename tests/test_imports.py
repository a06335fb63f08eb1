"""The package's shape: no import cycles (type-only and in-function imports included),
torch's internals touched in one module, heavy libraries imported only where needed."""

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


def imports_of(module: str) -> set[str]:
    """Every lrplot module ``module`` imports, anywhere in it (functions and
    ``if TYPE_CHECKING:`` blocks included)."""
    tree = ast.parse(FILES[module].read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != "lrplot":
                continue
            # The module itself, not a wing's face: lrplot.config.spec.Spec is config.spec.
            within = [".".join(parts[1:n]) for n in range(len(parts), 1, -1)]
            found.update(next(([m] for m in within if m in MODULES), []))
    found.discard(module)
    return found


def tangles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, each around a cycle (Tarjan's
    strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others() -> None:
    graph = {module: imports_of(module) for module in MODULES}
    assert tangles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert tangles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


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
