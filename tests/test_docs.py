"""The README's examples work: every YAML config in it validates and simulates."""

from __future__ import annotations

import re
import textwrap

import pytest
import yaml

from lrplot import load_spec, simulate
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
YAML_BLOCKS = [
    textwrap.dedent(block) for block in re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)
]
CONFIGS = [block for block in YAML_BLOCKS if re.search(r"^\s*scheduler:", block, re.MULTILINE)]


def test_the_readme_has_config_examples() -> None:
    assert len(CONFIGS) >= 2


@pytest.mark.parametrize("text", CONFIGS, ids=lambda text: text.splitlines()[0][:40])
def test_every_readme_config_runs(text: str) -> None:
    simulate(spec=load_spec(text=text, source="README"))


def test_the_workflow_in_the_readme_is_the_one_shipped() -> None:
    shipped = yaml.safe_load((ROOT / ".github" / "workflows" / "gallery.yml").read_text())
    for step in ("--shard ${{ matrix.shard }}/4", "--index-only", "git diff --exit-code"):
        assert step in README
        assert step in yaml.safe_dump(shipped, width=1000)


def test_the_python_example_runs(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
        if "import lrplot" in b
    ]
    monkeypatch.chdir(ROOT)
    code = block.replace('path="onecycle.svg"', f'path="{tmp_path / "onecycle.svg"}"')
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own example
    assert (tmp_path / "onecycle.svg").read_bytes().startswith(b"<?xml")
