"""User-written scheduler classes: imported only when allowed, resolved next to the config."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

from lrplot import ConfigError, LrplotError, load_spec, simulate

WARMUP = """
from torch.optim.lr_scheduler import LRScheduler

class Warmup(LRScheduler):
    def __init__(self, optimizer, warmup=5, last_epoch=-1):
        self.warmup = warmup
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        scale = min(1.0, (self.last_epoch + 1) / self.warmup)
        return [base * scale for base in self.base_lrs]

NOT_A_SCHEDULER = 3
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with schedulers/warmup.py and a config naming it relatively."""
    (tmp_path / "schedulers").mkdir()
    (tmp_path / "schedulers" / "warmup.py").write_text(WARMUP)
    (tmp_path / "cfg.yaml").write_text(
        "epochs: 8\nscheduler:\n  type: schedulers/warmup.py:Warmup\n  warmup: 4\n"
    )
    return tmp_path


def test_refused_without_allow_import_naming_the_resolved_file(project: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_spec(path=project / "cfg.yaml")
    assert str(caught.value) == (
        f"{project / 'cfg.yaml'}: scheduler.type: 'schedulers/warmup.py:Warmup' would import "
        f"code from {project / 'schedulers' / 'warmup.py'}; lrplot runs code named in a config "
        "only when allowed: --allow-import or LRPLOT_ALLOW_IMPORT=1 on the command line, "
        "allow_import=True from Python (line 3)"
    )


def test_refusal_imports_nothing(project: Path) -> None:
    (project / "schedulers" / "warmup.py").write_text("raise SystemExit('imported!')\n")
    with pytest.raises(ConfigError, match="--allow-import"):
        load_spec(path=project / "cfg.yaml")


def test_allowed_file_import_resolves_relative_to_the_config(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    spec = load_spec(path=project / "cfg.yaml", allow_import=True)

    namespace: dict[str, Any] = {}
    exec(WARMUP, namespace)  # the test's own plain loop over the same class
    optimizer = torch.optim.SGD([torch.zeros(1)], lr=0.1)
    scheduler = namespace["Warmup"](optimizer, warmup=4)
    expected = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(8):
            expected.append(optimizer.param_groups[0]["lr"])
            scheduler.step()
    assert list(simulate(spec=spec).lr[0]) == expected


def test_custom_arguments_are_checked_against_its_signature(project: Path) -> None:
    (project / "cfg.yaml").write_text(
        "scheduler:\n  type: schedulers/warmup.py:Warmup\n  warmpu: 4\n"
    )
    with pytest.raises(
        ConfigError,
        match=r"scheduler.warmpu: unknown argument of Warmup \(did you mean warmup\?\); "
        r"Warmup takes: warmup=5 \(line 3\)$",
    ):
        load_spec(path=project / "cfg.yaml", allow_import=True)


def test_module_reference_imports_from_the_current_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "cfg.yaml").write_text("epochs: 2\nscheduler: {type: 'schedulers.warmup:Warmup'}\n")
    (project / "schedulers" / "__init__.py").write_text("")
    monkeypatch.chdir(project)
    monkeypatch.delitem(__import__("sys").modules, "schedulers", raising=False)
    monkeypatch.delitem(__import__("sys").modules, "schedulers.warmup", raising=False)
    spec = load_spec(path="cfg.yaml", allow_import=True)
    assert spec.scheduler.cls.__name__ == "Warmup"


def test_module_reference_refused_names_the_module(project: Path) -> None:
    (project / "cfg.yaml").write_text("scheduler: {type: 'my_pkg.schedules:Warmup'}\n")
    with pytest.raises(
        ConfigError, match=r"would import code from the Python module 'my_pkg\.schedules'"
    ):
        load_spec(path=project / "cfg.yaml")


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("schedulers/missing.py:Warmup", "no such Python file: {project}/schedulers/missing.py"),
        (
            "schedulers/warmup.py:Cooldown",
            "{project}/schedulers/warmup.py has no 'Cooldown'; "
            "scheduler classes it defines: Warmup",
        ),
        (
            "schedulers/warmup.py:NOT_A_SCHEDULER",
            "NOT_A_SCHEDULER in {project}/schedulers/warmup.py is neither a subclass of "
            "torch.optim.lr_scheduler.LRScheduler nor a function returning one",
        ),
        (
            "no_such_module_here:Warmup",
            "no module named 'no_such_module_here' (is it installed, or in the current folder?)",
        ),
        (
            "schedulers/warmup.py:",
            "is not a scheduler class reference; "
            "write path/to/file.py:ClassName or package.module:ClassName",
        ),
        ("bad name:Warmup", "'bad name' is neither a .py file nor a module name"),
        # `~` is not expanded: a shared config must not depend on whose home it runs in.
        ("~/warmup.py:Warmup", "no such Python file: {project}/~/warmup.py"),
        ("a\\0b.py:Warmup", "'a\\x00b.py' is not a usable path: embedded null byte"),
        ("x" * 300 + ".py:Warmup", "is not a usable path: File name too long"),
    ],
)
def test_bad_references(project: Path, reference: str, message: str) -> None:
    (project / "cfg.yaml").write_text(f'scheduler: {{type: "{reference}"}}\n')
    with pytest.raises(ConfigError) as caught:
        load_spec(path=project / "cfg.yaml", allow_import=True)
    assert message.format(project=project) in str(caught.value)


def test_a_failing_import_is_reported_not_raised(project: Path) -> None:
    (project / "schedulers" / "warmup.py").write_text("import nonexistent_dependency_xyz\n")
    with pytest.raises(
        ConfigError,
        match=r"importing .*warmup\.py failed: ModuleNotFoundError: "
        r"No module named 'nonexistent_dependency_xyz'",
    ):
        load_spec(path=project / "cfg.yaml", allow_import=True)


MISBEHAVING = """
import sys
from torch.optim.lr_scheduler import LRScheduler

class Base(LRScheduler):
    def get_lr(self):
        return [group["initial_lr"] for group in self.optimizer.param_groups]

class ExitsWhenBuilt(Base):
    def __init__(self, optimizer, last_epoch=-1):
        sys.exit(3)

class DividesByZero(Base):
    def get_lr(self):
        return [1 / 0] if self.last_epoch == 4 else super().get_lr()

class ExitsWhenStepped(Base):
    def get_lr(self):
        if self.last_epoch == 2:
            sys.exit()
        return super().get_lr()

class Talks(Base):
    def get_lr(self):
        print("stepping", self.last_epoch)
        return super().get_lr()
"""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ExitsWhenBuilt", "scheduler: building ExitsWhenBuilt failed: it called sys.exit(3)"),
        (
            "DividesByZero",
            "scheduler: DividesByZero failed at step 3 of 6: ZeroDivisionError: division by zero",
        ),
        (
            "ExitsWhenStepped",
            "scheduler: ExitsWhenStepped failed at step 1 of 6: it called sys.exit()",
        ),
    ],
)
def test_a_failing_custom_class_is_named_with_its_error(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "odd.py").write_text(MISBEHAVING)
    (tmp_path / "cfg.yaml").write_text(f"epochs: 6\nscheduler: {{type: 'odd.py:{name}'}}\n")
    with pytest.raises(LrplotError) as caught:
        simulate(spec=load_spec(path=tmp_path / "cfg.yaml", allow_import=True))
    assert str(caught.value) == f"{tmp_path / 'cfg.yaml'}: {message} (line 2)"


def test_what_a_custom_class_prints_stays_off_the_csv(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lrplot.cli import cli

    (tmp_path / "odd.py").write_text(MISBEHAVING)
    (tmp_path / "cfg.yaml").write_text("epochs: 3\nscheduler: {type: 'odd.py:Talks'}\n")
    result = CliRunner().invoke(
        cli, ["render", str(tmp_path / "cfg.yaml"), "--allow-import", "-f", "csv", "-o", "-"]
    )
    assert result.exit_code == 0
    assert result.stdout == "epoch,lr\n0,0.1\n1,0.1\n2,0.1\n"
    assert "stepping 1\n" in result.stderr
