"""The README and docs/ are true: their configs run, their transcripts print what they
say, their links lead somewhere, and their generated parts are current."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from lrplot import load_spec, simulate
from lrplot.reference import REGIONS, update
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEXTS = {page.relative_to(ROOT).as_posix(): page.read_text() for page in PAGES}


def blocks(kind: str) -> list[tuple[str, str]]:
    return [
        (name, textwrap.dedent(block))
        for name, text in TEXTS.items()
        for block in re.findall(rf"```{kind}\n(.*?)```", text, flags=re.DOTALL)
    ]


CONFIGS = [
    (name, block)
    for name, block in blocks("yaml")
    if re.search(r"^\s*schedulers?:", block, re.MULTILINE)
]


def test_the_pages_have_config_examples() -> None:
    assert len(CONFIGS) >= 10


@pytest.mark.parametrize(("page", "text"), CONFIGS, ids=lambda v: v.splitlines()[0][:40])
def test_every_config_in_the_pages_runs(page: str, text: str) -> None:
    # A page's example may be a recipe's, reading a log beside it.
    if "type: timm." in text:
        pytest.importorskip("timm")
    simulate(spec=load_spec(text=text, source=page, base_dir=ROOT / "configs" / "recipes"))


@pytest.mark.parametrize("page", sorted(TEXTS))
def test_every_link_leads_to_a_file(page: str) -> None:
    folder = (ROOT / page).parent
    for target in re.findall(r"\]\(([^)#\s]+)[^)]*\)", TEXTS[page]):
        if "://" not in target:
            assert (folder / target).exists(), f"{page} links to {target}"


def test_the_workflow_in_the_docs_is_the_one_shipped() -> None:
    shipped = yaml.safe_load((ROOT / ".github" / "workflows" / "gallery.yml").read_text())
    for step in ("--shard ${{ matrix.shard }}/4", "--index-only", "git diff --exit-code"):
        assert step in TEXTS["docs/gallery.md"]
        assert step in yaml.safe_dump(shipped, width=1000)


PYTHON_EXAMPLES = [(page, b) for page, b in blocks("python") if "import lrplot" in b]


def test_the_pages_have_python_examples() -> None:
    assert len(PYTHON_EXAMPLES) >= 2  # the pipeline's, and lrplot.trace's


@pytest.mark.parametrize(("page", "block"), PYTHON_EXAMPLES, ids=lambda v: v.splitlines()[-1][:40])
def test_every_python_example_runs(
    page: str, block: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code = block.replace('path="onecycle.svg"', f'path="{tmp_path / "onecycle.svg"}"')
    namespace: dict[str, object] = {}
    exec(compile(code, page, "exec"), namespace)  # the page's own example
    if "onecycle.svg" in block:
        assert (tmp_path / "onecycle.svg").read_bytes().startswith(b"<?xml")


def pinned(package: str) -> str:
    """The version of ``package`` that constraints.txt pins (``make install`` installs it)."""
    found = re.search(rf"^{package}==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert found, f"constraints.txt pins no {package}"
    return found[1]


@pytest.mark.parametrize("name", sorted(REGIONS))
def test_the_generated_parts_are_current(name: str) -> None:
    """``make docs`` rewrites them with the pinned torch; under another torch, the
    schedulers' part (read from the installed torch) is not compared."""
    import torch

    installed, pin = torch.__version__.split("+")[0], pinned("torch")
    pages = [p for p, text in TEXTS.items() if f"<!-- generated: {name} -->" in text]
    assert pages, f"no page has the generated part {name}"
    if name == "schedulers" and installed != pin:
        where = ", ".join(pages)
        pytest.skip(
            f"{where}: the schedulers are read from the pinned torch {pin}, not {installed}"
        )
    for page in pages:
        assert update(TEXTS[page], only=name) == TEXTS[page], f"{page} is stale: run `make docs`"


def test_the_schedulers_part_is_read_from_the_pinned_torch() -> None:
    (text,) = [text for text in TEXTS.values() if "<!-- generated: schedulers -->" in text]
    header = f"<!-- generated: schedulers -->\nRead from torch {pinned('torch')}.\n"
    assert header in text, "run `make docs` with the pinned torch (make install's)"


def transcripts() -> list[list[tuple[str, str]]]:
    """The README's console blocks: each ``$ command`` with the output it shows."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", TEXTS["README.md"], flags=re.DOTALL):
        commands = []
        for part in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = part.partition("\n")
            commands.append((command, output))
        found.append(commands)
    return found


@pytest.mark.subprocess
def test_the_readme_transcripts_print_what_they_show(tmp_path: Path) -> None:
    """Every console block runs, in a shell of its own (two at a time), in a copy of the
    repository's configs (with the README's typo.yaml), and prints exactly what it shows."""
    from concurrent.futures import ThreadPoolExecutor

    for folder in ("configs", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "typo.yaml").write_text(
        "optimizer: {type: Adam, lr: 0.1}\nscheduler:\n  type: StepLr\n  step_size: 10\n"
    )
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def run(block: list[tuple[str, str]]) -> list[str]:
        script = "".join(  # the marker keeps $? for `echo $?`
            f"status=$?\necho '@@@'\n(exit $status)\n{command} 2>&1\n" for command, _ in block
        )
        result = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        return result.stdout.split("@@@\n")[1:]

    blocks = transcripts()
    with ThreadPoolExecutor(max_workers=2) as pool:
        printed = list(pool.map(run, blocks))
    for block, outputs in zip(blocks, printed, strict=True):
        assert len(outputs) == len(block)
        for (command, shown), output in zip(block, outputs, strict=True):
            assert output == shown, f"$ {command}"


def test_ci_runs_the_readmes_test_command() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert any(run.startswith(".ci/run") for run in steps)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in TEXTS["README.md"]
