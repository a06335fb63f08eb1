"""``lrplot gallery`` on an untrusted tree: configs, names, and a committed gallery folder
crafted by an attacker. Nothing outside OUT_DIR may be read, written or deleted."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.gallery.build import build_gallery, fingerprint
from lrplot.gallery.manifest import MANIFEST
from lrplot.limits import MAX_MARKS
from tests.conftest import CONFIGS_DIR

STEP = "epochs: 3\nscheduler: {type: StepLR, step_size: 1}\n"


def tree(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry below ``folder``, links not followed: (kind, content or link target)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path).encode())
            elif path.is_dir():
                found[key] = ("dir", b"")
            else:
                found[key] = ("file", path.read_bytes())
    return found


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """Files outside both folders the gallery is given, which must never change."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "victim.txt").write_text("precious\n")
    (folder / "victim.sh").write_text("#!/bin/sh\necho hello\n")
    (folder / ".env").write_text("API_TOKEN=sk-live-0123456789abcdefghijklmnopqrstuvwxyz\n")
    return folder


def write_small(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.yaml").write_text(STEP)
    (folder / "b.yaml").write_text(STEP.replace("step_size: 1", "step_size: 2"))
    return folder


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_small(tmp_path / "configs")


def run(runner: CliRunner, configs: Path, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "-j", "1", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def small_gallery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gallery of ``small``'s configs, built once: a gallery holds no path of its
    folders (its outputs are named relative to them), so each test starts from a copy."""
    folder = tmp_path_factory.mktemp("small")
    out = folder / "gallery"
    code, stderr = run(CliRunner(), write_small(folder / "configs"), out)
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == f"{out}: 2 rendered, 0 skipped, 0 failed."
    return out


@pytest.fixture
def built(small: Path, small_gallery: Path) -> Callable[[Path], None]:
    """Put in ``out`` what ``run(runner, small, out)`` writes there (a copy of it)."""

    def build(out: Path) -> None:
        assert not out.exists()
        shutil.copytree(small_gallery, out, symlinks=True)

    return build


# 1. The manifest is input.


def test_a_manifest_cannot_name_files_to_delete(
    runner: CliRunner, small: Path, built: Callable[[Path], None], victim: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    built(out)
    manifest = json.loads((out / MANIFEST).read_text())
    gone = dict(manifest["entries"]["a.yaml"], config="gone.yaml")
    gone["outputs"] = {"../victim/victim.txt": "0", str(victim / "victim.sh"): "0"}
    manifest["entries"]["gone.yaml"] = gone
    (out / MANIFEST).write_text(json.dumps(manifest))
    before = tree(victim)
    code, stderr = run(runner, small, out)
    assert code == 0, stderr
    assert tree(victim) == before
    assert stderr.splitlines()[-1] == f"{out}: 2 rendered, 0 skipped, 0 failed."  # not believed


def test_a_manifest_entry_outside_the_gallery_is_not_believed(
    runner: CliRunner, small: Path, built: Callable[[Path], None], victim: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    built(out)
    manifest = json.loads((out / MANIFEST).read_text())
    config = "../victim/victim.yaml"  # its outputs would be ../victim/victim.png, ...
    (victim / "victim.png").write_bytes(b"not lrplot's")
    entry = dict(manifest["entries"]["a.yaml"], config=config)
    entry["outputs"] = {f"../victim/victim.{f}": "0" * 64 for f in ("png", "svg", "csv")}
    manifest["entries"][config] = entry
    (out / MANIFEST).write_text(json.dumps(manifest))
    before = tree(victim)
    assert run(runner, small, out)[0] == 0
    assert tree(victim) == before


def test_only_what_lrplot_writes_for_a_removed_config_is_removed(
    runner: CliRunner, small: Path, built: Callable[[Path], None], victim: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    built(out)
    (out / "b.csv").unlink()
    (out / "b.csv").symlink_to(victim / "victim.txt")  # a link, not a file lrplot wrote
    (out / "b.notes").write_text("mine\n")
    (small / "b.yaml").unlink()
    code, stderr = run(runner, small, out)
    assert code == 0
    assert "2 old outputs removed" in stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("b")) == ["b.csv", "b.notes"]
    assert (out / "b.csv").is_symlink()
    assert (victim / "victim.txt").read_text() == "precious\n"


def test_formats_a_manifest_names_delete_only_files_lrplot_would_write(
    runner: CliRunner, small: Path, built: Callable[[Path], None], victim: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    built(out)
    manifest = json.loads((out / MANIFEST).read_text())  # formats lrplot had not written
    manifest["formats"] = ["png", "svg", "pdf", "csv", "json"]
    for config in ("a", "b"):
        outputs = manifest["entries"][f"{config}.yaml"]["outputs"]
        outputs.update({f"{config}.pdf": "0" * 64, f"{config}.json": "0" * 64})
    (out / MANIFEST).write_text(json.dumps(manifest))
    (out / "a.json").symlink_to(victim / "victim.txt")
    (out / "b.pdf").mkdir()
    (out / "b.json").write_text("{}")  # named as lrplot names its JSON for b.yaml
    (out / "c.json").write_text("{}")  # no config c.yaml in the manifest
    before = tree(victim)
    code, stderr = run(runner, small, out)
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == (
        f"{out}: 2 rendered, 0 skipped, 0 failed, 1 old outputs removed."
    )
    assert tree(victim) == before
    assert (out / "a.json").is_symlink()
    assert (out / "b.pdf").is_dir()
    assert not (out / "b.json").exists()
    assert (out / "c.json").read_text() == "{}"


def rendered_again_after(
    change, runner: CliRunner, small: Path, out: Path, built: Callable[[Path], None]
) -> None:
    """Build a gallery of ``small`` in ``out``, ``change`` its manifest, and check that
    the next run, not believing it, renders every config again."""
    built(out)
    manifest = json.loads((out / MANIFEST).read_text())
    change(manifest)
    (out / MANIFEST).write_text(json.dumps(manifest))
    code, stderr = run(runner, small, out)
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == f"{out}: 2 rendered, 0 skipped, 0 failed."


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["entries"]["a.yaml"].update(outputs=["a.png", "a.svg", "a.csv"]),
        lambda m: m["entries"]["a.yaml"].update(title=7),
        lambda m: m["entries"]["a.yaml"].update(epochs=True),
        lambda m: m["entries"]["a.yaml"].update(description=["x"]),
        lambda m: m["entries"]["a.yaml"].update(extra="x"),
        lambda m: m["entries"]["a.yaml"]["outputs"].update({"a.png": "not a digest"}),
        lambda m: m["entries"].update({"a.yaml": "x"}),
        lambda m: m.update(versions=[]),
        lambda m: m.update(entries=None),
        lambda m: m.clear(),
        lambda m: m.pop("formats"),
        lambda m: m.update(formats=[]),
        lambda m: m.update(formats="png"),
        lambda m: m.update(formats=["png", "png", "svg", "csv"]),
        lambda m: m.update(formats=["svg", "png", "csv"]),
        lambda m: m.update(formats=["png", "svg", "csv", "gif"]),
        lambda m: m.update(formats=[["png"], "svg", "csv"]),
        lambda m: m.update(formats=["png", "svg"]),  # the entries have CSV outputs too
        lambda m: m.update(formats=["png", "svg", "csv", "json"]),  # and no JSON
    ],
)
def test_a_malformed_manifest_is_treated_as_absent(
    change, runner: CliRunner, small: Path, built: Callable[[Path], None], tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    rendered_again_after(change, runner, small, out, built)
    assert json.loads((out / MANIFEST).read_text())["entries"]["a.yaml"]["title"] != 7


# 2. No link in OUT_DIR is followed.


def test_a_linked_index_page_is_replaced_not_written_through(
    runner: CliRunner, small: Path, built: Callable[[Path], None], victim: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    built(out)
    (out / "README.md").unlink()
    (out / "README.md").symlink_to("../victim/victim.sh")
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(victim / "victim.txt")
    (small / "a.yaml").write_text(STEP.replace("epochs: 3", "epochs: 4"))
    before = tree(victim)
    assert run(runner, small, out)[0] == 0
    assert tree(victim) == before
    assert not (out / "README.md").is_symlink()
    assert (out / "README.md").read_text().startswith("# Learning-rate schedule gallery")
    assert not (out / "index.html").is_symlink()


def test_an_output_linked_to_an_endless_device_is_not_read(
    runner: CliRunner, small: Path, built: Callable[[Path], None], tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    built(out)
    (out / "a.csv").unlink()
    (out / "a.csv").symlink_to("/dev/zero")
    os.mkfifo(out / "b.csv.tmp")
    code, stderr = run(runner, small, out)  # reading /dev/zero would never end
    assert code == 0
    assert stderr.splitlines()[-1] == f"{out}: 1 rendered, 1 skipped, 0 failed."
    assert (out / "a.csv").read_text().startswith("epoch,lr\n")
    result = runner.invoke(cli, ["gallery", str(small), "-o", str(out), "--check"])
    assert result.exit_code == 1  # the pipe is not lrplot's: listed, never opened
    assert f"orphaned: {out / 'b.csv.tmp'}" in result.stderr.splitlines()


def test_a_linked_sub_folder_of_the_gallery_is_replaced(
    runner: CliRunner, tmp_path: Path, victim: Path
) -> None:
    configs, out = tmp_path / "configs", tmp_path / "gallery"
    (configs / "tutorial").mkdir(parents=True)
    (configs / "tutorial" / "x.yaml").write_text(STEP)
    out.mkdir()
    (out / "tutorial").symlink_to(victim)
    before = tree(victim)
    assert run(runner, configs, out)[0] == 0
    assert tree(victim) == before
    assert (out / "tutorial" / "x.png").is_file()
    assert not (out / "tutorial").is_symlink()


def test_a_gallery_folder_that_is_a_link_is_refused(
    runner: CliRunner, small: Path, victim: Path, tmp_path: Path
) -> None:
    (tmp_path / "gallery").symlink_to(victim)
    before = tree(victim)
    code, stderr = run(runner, small, tmp_path / "gallery")
    assert code == 1
    assert stderr.splitlines()[-1] == (
        f"Error: {tmp_path / 'gallery'}: is a symbolic link; lrplot writes only into a real "
        "folder, never through a link: give the folder it points to"
    )
    assert tree(victim) == before


# 3. Configs linked out of CONFIG_DIR are not followed; messages quote excerpts only.


def test_a_config_linked_out_of_the_folder_is_not_read(
    runner: CliRunner, small: Path, victim: Path, tmp_path: Path
) -> None:
    (small / "x.yaml").symlink_to(victim / ".env")
    (small / "inside.yaml").symlink_to("a.yaml")  # a link that stays inside is followed
    code, stderr = run(runner, small, tmp_path / "gallery")
    assert code == 1
    assert "sk-live" not in stderr
    assert stderr.splitlines()[-1] == (
        f"Error: {small / 'x.yaml'}: is a symbolic link to a file outside {small}; the gallery "
        "does not follow links out of its folder"
    )
    assert (tmp_path / "gallery" / "inside.png").is_file()


def test_a_linked_config_folder_is_refused(
    runner: CliRunner, victim: Path, tmp_path: Path
) -> None:
    (victim / "v.yaml").write_text(STEP)
    (tmp_path / "configs").symlink_to(victim)
    code, stderr = run(runner, tmp_path / "configs", tmp_path / "gallery")
    assert code == 1
    assert stderr == (
        f"Error: {tmp_path / 'configs'}: is a symbolic link; the gallery reads only a real "
        "folder: give the folder it points to\n"
    )
    assert not (tmp_path / "gallery").exists()


def test_a_linked_folder_inside_the_configs_is_not_entered(
    runner: CliRunner, small: Path, victim: Path, tmp_path: Path
) -> None:
    (victim / "v.yaml").write_text(STEP)
    (small / "linked").symlink_to(victim)
    code, stderr = run(runner, small, tmp_path / "gallery")
    assert code == 0
    assert "v.yaml" not in stderr
    assert not (tmp_path / "gallery" / "linked").exists()


def test_a_named_pipe_called_yaml_fails_alone(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    os.mkfifo(small / "pipe.yaml")
    code, stderr = run(runner, small, tmp_path / "gallery")
    assert code == 1
    assert stderr.splitlines()[-1] == f"Error: {small / 'pipe.yaml'}: is not a regular file"
    assert f"{tmp_path / 'gallery'}: 2 rendered, 0 skipped, 1 failed." in stderr


# 4. Without --allow-import, nothing a `type:` names is opened.


def test_without_allow_import_code_files_are_not_read(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    import lrplot.gallery.build

    (small / "mem.yaml").write_text('scheduler: {type: "/proc/self/mem:X"}\n')
    (small / "zero.yaml").write_text('scheduler: {type: "../../../../dev/zero:X"}\n')

    def never(path: Path) -> bytes:
        raise AssertionError(f"opened {path}")

    monkeypatch.setattr(lrplot.gallery.build, "_code_bytes", never)
    assert (
        fingerprint(small, "mem.yaml")
        == hashlib.sha256((small / "mem.yaml").read_bytes()).hexdigest()
    )
    code, stderr = run(runner, small, tmp_path / "gallery")
    assert code == 1
    assert f"{tmp_path / 'gallery'}: 2 rendered, 0 skipped, 2 failed." in stderr
    assert "would import code from" in stderr


def test_with_allow_import_code_files_are_read_only_if_regular(
    small: Path, tmp_path: Path, runner: CliRunner
) -> None:
    (small / "mem.yaml").write_text('scheduler: {type: "/proc/self/mem:X"}\n')
    (small / "pipe.yaml").write_text('scheduler: {type: "pipe.py:X"}\n')
    os.mkfifo(small / "pipe.py")  # reading it would block
    code, stderr = run(runner, small, tmp_path / "gallery", "--allow-import")
    assert code == 1
    lines = stderr.splitlines()
    assert f"{tmp_path / 'gallery'}: 2 rendered, 0 skipped, 2 failed." in lines
    assert lines[-1] == (
        f"Error: {small / 'pipe.yaml'}: scheduler.type: {small / 'pipe.py'} is not a regular "
        "file (line 1)"
    )


# 5. One config's failure, whatever it is, is that config's Error line.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs: !!int abc\n", "epochs: cannot read 'abc' as an integer (line 1)"),
        ("epochs: !!bool maybe\n", "epochs: cannot read 'maybe' as true or false (line 1)"),
        ('epochs: !!float ""\n', "epochs: cannot read '' as a number (line 1)"),
        (
            "epochs: " + "9" * 5000 + "\n",
            "epochs: an integer of 5,000 digits; no config value needs so many (line 1)",
        ),
        (b"\xff\xfe".decode("latin-1"), "not UTF-8 text (bad byte at offset 0)"),
    ],
)
def test_a_config_that_breaks_the_reader_fails_alone(
    text: str, message: str, runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    (small / "bad.yaml").write_bytes(text.encode("latin-1") + STEP.encode())
    code, stderr = run(runner, small, tmp_path / "gallery")
    assert code == 1
    assert stderr.splitlines()[-1] == f"Error: {small / 'bad.yaml'}: {message}"
    assert (tmp_path / "gallery" / "a.png").is_file()
    assert (tmp_path / "gallery" / "index.html").is_file()


# 6. Text reaches the index pages escaped, on one line.


def test_names_descriptions_and_expressions_cannot_inject_markup(
    runner: CliRunner, tmp_path: Path
) -> None:
    configs, out = tmp_path / "configs", tmp_path / "gallery"
    folder = configs / "## <img src=x onerror=alert(1)> [link](http://evil)"
    folder.mkdir(parents=True)
    (folder / "rtl\u202etxt.yaml").write_text(
        'description: "line one\\n# Heading\\n<script>alert(1)</script>\\n| a | b |"\n'
        "scheduler:\n"
        "  type: LambdaLR\n"
        '  lr_lambda: "0.95 ** (epoch  # <img src=y> comment\\n)"\n'
        "epochs: 3\n"
    )
    (configs / "zero\u200bwidth`code`.yaml").write_text(STEP)
    code, stderr = run(runner, configs, out)
    assert code == 0, stderr
    readme = (out / "README.md").read_text()
    page = (out / "index.html").read_text()
    code_spans = re.compile(r"(`+) .*? \1|(`+)[^`].*?\2")  # literal text in Markdown
    for text in (code_spans.sub("", readme), page):
        assert "<img src=x" not in text
        assert "<img src=y" not in text
        assert "<script>" not in text
        assert "\u202e" not in text
        assert "\u200b" not in text
        assert "\\u202e" in text
    headings = [line for line in readme.splitlines() if line.startswith("#")]
    assert headings[0] == "# Learning-rate schedule gallery"
    assert len(headings) == 2
    assert headings[1].startswith("## \\#\\# &lt;img src=x")
    rows = [line for line in readme.splitlines() if line.startswith("| <a")]
    assert len(rows) == 2
    assert all(row.endswith(" |") for row in rows)
    assert "[link](http://evil)" not in readme
    assert "%E2%80%AE" in readme  # the link to the file keeps its real name, percent-encoded


# 7. Work is bounded before it starts.


def test_param_groups_times_steps_is_bounded_before_running(
    runner: CliRunner, write_config
) -> None:
    groups = "[" + ", ".join(["{}"] * 10_000) + "]"
    config = write_config(
        f"epochs: 10000000\noptimizer: {{type: SGD, param_groups: {groups}}}\n"
        "scheduler: {type: StepLR, step_size: 1}\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: optimizer.param_groups: 10,000,000 steps x 10,000 param groups = "
        "100,000,000,000 learning rates to record, more than the limit of 40,000,000 "
        "(4 per step allowed by --max-steps 10,000,000; raise it with --max-steps) (line 2)\n"
    )


def test_a_chain_of_aliased_schedulers_is_bounded_before_running(
    runner: CliRunner, write_config
) -> None:
    config = write_config(
        "epochs: 1000000\n"
        "x: &s {type: StepLR, step_size: 1}\n"
        "scheduler:\n  type: ChainedScheduler\n"
        "  schedulers: [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\n"
    )
    result = runner.invoke(cli, ["validate", str(config), "--max-steps", "2000000"])
    assert result.exit_code == 1
    assert "x: unknown key" in result.stderr  # aliases need a key to hang on
    config.write_text(
        config.read_text().replace("x: &s", "title: t\nscheduler:\n  type: ChainedScheduler\n")
    )
    text = (
        "epochs: 1000000\nscheduler:\n  type: ChainedScheduler\n  schedulers:\n"
        + "    - &s {type: StepLR, step_size: 1}\n"
        + "    - *s\n" * 9
    )
    config.write_text(text)
    result = runner.invoke(cli, ["validate", str(config), "--max-steps", "2000000"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler: 1,000,000 steps x 11 schedulers = 11,000,000 scheduler "
        "calls, more than the limit of 8,000,000 (4 per step allowed by --max-steps "
        "2,000,000; raise it with --max-steps) (line 2)\n"
    )


def test_a_plot_marks_at_most_a_bounded_number_of_milestones() -> None:
    from lrplot import parse_spec, simulate
    from lrplot.draw.plotting import regime_marks

    milestones = list(range(1, 100_000))
    spec = parse_spec(
        data={"epochs": 100_000, "scheduler": {"type": "MultiStepLR", "milestones": milestones}}
    )
    marks = regime_marks(simulate(spec=spec))
    assert len(marks) == MAX_MARKS
    assert len(spec.display_title) <= 300
    assert "... (99,999 in all)]" in spec.display_title


def test_a_title_made_of_many_commented_expressions_is_bounded() -> None:
    from lrplot import parse_spec

    lambdas = [f"1.0 # {'x' * 400}\n" for _ in range(1900)]
    groups: list[dict[str, object]] = [{} for _ in lambdas]
    spec = parse_spec(
        data={
            "optimizer": {"param_groups": groups},
            "scheduler": {"type": "LambdaLR", "lr_lambda": lambdas},
        }
    )
    assert len(spec.display_title) <= 300
    assert "\n" not in spec.display_title


def test_too_many_param_groups_to_plot_is_an_error_data_still_works(
    runner: CliRunner, write_config, tmp_path: Path
) -> None:
    groups = "[" + ", ".join(["{}"] * 101) + "]"
    config = write_config(
        f"epochs: 2\noptimizer: {{param_groups: {groups}}}\nscheduler: {{type: ConstantLR}}\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: a plot draws at most 100 param groups, and this config has 101; "
        "CSV and JSON outputs hold them all\n"
    )
    result = runner.invoke(cli, ["render", str(config), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 0


# 8. Names that are not UTF-8.


def test_names_that_are_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    bad = configs / os.fsdecode(b"bad\xff.yaml")
    bad.write_text(STEP)
    result = runner.invoke(cli, ["render", str(bad), "-f", "json", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source"] == f"{configs}/bad\\xff.yaml"
    out = tmp_path / "gallery"
    code, stderr = run(runner, configs, out)
    assert code == 0, stderr
    assert stderr == f"rendered {configs}/bad\\xff.yaml\n{out}: 1 rendered, 0 skipped, 0 failed.\n"
    assert (out / os.fsdecode(b"bad\xff.png")).is_file()
    assert 'src="bad%FF.png"' in (out / "index.html").read_text()
    assert run(runner, configs, out)[1].endswith("0 rendered, 1 skipped, 0 failed.\n")


# 9. A worker that dies fails its own config only.

DIES = """
import os
from torch.optim.lr_scheduler import LRScheduler

class Dies(LRScheduler):
    def get_lr(self):
        if self.last_epoch == 2:
            os._exit(3)
        return [group["lr"] for group in self.optimizer.param_groups]
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_that_dies_fails_its_config_and_the_rest_render(
    jobs: str, runner: CliRunner, tmp_path: Path
) -> None:
    configs, out = tmp_path / "configs", tmp_path / "gallery"
    configs.mkdir()
    (configs / "dies.py").write_text(DIES)
    for name in ("a", "c", "e"):
        (configs / f"{name}.yaml").write_text(STEP)
    (configs / "b.yaml").write_text("epochs: 5\nscheduler: {type: 'dies.py:Dies'}\n")
    (configs / "d.yaml").write_text("epochs: 5\nscheduler: {type: 'dies.py:Dies'}\n")
    result = runner.invoke(
        cli, ["gallery", str(configs), "-o", str(out), "-j", jobs, "--allow-import"]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:5] == [
        f"rendered {configs / 'a.yaml'}",
        f"failed {configs / 'b.yaml'}",
        f"rendered {configs / 'c.yaml'}",
        f"failed {configs / 'd.yaml'}",
        f"rendered {configs / 'e.yaml'}",
    ]
    assert lines[5] == f"{out}: 3 rendered, 0 skipped, 2 failed."
    assert lines[6] == (
        f"Error: {configs / 'b.yaml'}: its worker process died while rendering it (killed, "
        "out of memory, or code it imported ended the process); the other configs are rendered"
    )
    assert "c.png" in (out / "index.html").read_text()


# 10. The smaller ones.


@pytest.mark.subprocess
def test_files_in_the_current_folder_cannot_change_what_lrplot_draws(tmp_path: Path) -> None:
    plain, hostile = tmp_path / "plain", tmp_path / "hostile"
    for folder in (plain, hostile):
        folder.mkdir()
        shutil.copy(CONFIGS_DIR / "tutorial" / "StepLR.yaml", folder)
    marker = tmp_path / "ran"
    (hostile / "bisect.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (hostile / "numpy.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    # A matplotlibrc that is a link to a secret: matplotlib would quote its lines.
    (tmp_path / "secret.rc").write_text(
        "API_TOKEN=sk-live-0123456789\nlines.linewidth: 12\ntext.usetex: True\n"
    )
    (hostile / "matplotlibrc").symlink_to(tmp_path / "secret.rc")
    lrplot = str(Path(sys.executable).with_name("lrplot"))  # not -m: Python adds the folder
    processes = []  # all at once: each writes files of its own
    for folder in (plain, hostile):
        (folder / "configs").mkdir()
        shutil.copy(folder / "StepLR.yaml", folder / "configs")
        for command in (
            ["render", "StepLR.yaml", "-o", "x.png", "-o", "x.svg"],  # drawn by the painter
            ["gallery", "configs", "-o", "gallery", "-j", "1"],  # drawn in a worker
        ):
            processes.append(
                subprocess.Popen(
                    [lrplot, *command],
                    cwd=folder,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert "sk-live" not in stdout + stderr
    assert not marker.exists()
    for name in ("x.png", "x.svg", "gallery/StepLR.png", "gallery/StepLR.svg"):
        assert (hostile / name).read_bytes() == (plain / name).read_bytes()


def test_set_key_paths_are_bounded(runner: CliRunner) -> None:
    config = str(CONFIGS_DIR / "tutorial" / "StepLR.yaml")
    deep = ".".join(["a"] * 51)
    result = runner.invoke(cli, ["validate", config, "--set", f"{deep}=1"])
    assert result.exit_code == 2
    assert "the key path is 51 keys deep; a config nests at most 50" in result.stderr
    result = runner.invoke(cli, ["validate", config, "--set", "a" * 301 + "=1"])
    assert result.exit_code == 2
    assert "the key path is 301 characters long; at most 300" in result.stderr


def test_names_too_long_for_the_system_are_error_lines(runner: CliRunner, tmp_path: Path) -> None:
    long = "a" * 5000
    config = str(CONFIGS_DIR / "tutorial" / "StepLR.yaml")
    for args in (
        ["render", f"{long}.yaml"],
        ["render", config, "-o", f"{long}.png"],
        ["render", config, "-o", f"{tmp_path / long}/"],
        ["gallery", long],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: "), args
        assert "name too long" in result.stderr, args
        assert len(result.stderr) < 1100, args
        assert result.stderr.count("\n") == 1, args


# The whole of it at once.


def test_a_hostile_tree_changes_nothing_outside_the_gallery(
    runner: CliRunner, tmp_path: Path, victim: Path
) -> None:
    configs, out = tmp_path / "configs", tmp_path / "gallery"
    shutil.copytree(CONFIGS_DIR / "tutorial", configs / "tutorial")
    (configs / "x.yaml").symlink_to(victim / ".env")
    (configs / os.fsdecode(b"n\xffo.yaml")).write_text(STEP)
    (configs / "## <b>bold").mkdir()
    (configs / "## <b>bold" / "t.yaml").write_text("epochs: !!int abc\n" + STEP)
    (configs / "mem.yaml").write_text('scheduler: {type: "/proc/self/mem:X"}\n')
    build_gallery(config_dir=configs, out_dir=out, jobs=2)
    # The attacker's committed gallery: links everywhere lrplot reads or writes, and a
    # manifest that claims files outside it.
    for name in ("README.md", "index.html", "tutorial/StepLR.png", "tutorial/StepLR.csv"):
        (out / name).unlink()
        (out / name).symlink_to(victim / "victim.sh")
    (out / "tutorial" / "LambdaLR.csv").unlink()
    (out / "tutorial" / "LambdaLR.csv").symlink_to("/dev/zero")
    manifest = json.loads((out / MANIFEST).read_text())
    for number, target in enumerate(
        ["../victim/victim.txt", str(victim / "victim.sh"), "/etc/passwd"]
    ):
        entry = dict(manifest["entries"]["tutorial/StepLR.yaml"], config=f"gone{number}.yaml")
        entry["outputs"] = {target: "0" * 64}
        manifest["entries"][f"gone{number}.yaml"] = entry
    (out / MANIFEST).write_text(json.dumps(manifest))
    shutil.rmtree(configs / "tutorial")
    (configs / "tutorial").mkdir()
    shutil.copy(CONFIGS_DIR / "tutorial" / "StepLR.yaml", configs / "tutorial")
    (configs / "tutorial" / "StepLR.yaml").write_text(
        (configs / "tutorial" / "StepLR.yaml").read_text() + "epochs: 50\n"
    )
    outside = {
        name: data for name, data in tree(tmp_path).items() if not name.startswith("gallery")
    }
    for allow in ([], ["--allow-import"]):
        result = runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "-j", "2", *allow])
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "sk-live" not in result.output
        after = {n: d for n, d in tree(tmp_path).items() if not n.startswith("gallery")}
        assert after == outside
    links = [name for name, (kind, _) in tree(out).items() if kind == "link"]
    assert links == ["tutorial/LambdaLR.csv"]  # not lrplot's: neither followed nor removed
    assert re.search(r"\d+ rendered", result.stderr)


# A second review's breaks, each with its reproduction.


def test_long_keys_repeated_by_aliases_are_refused_at_the_first(
    runner: CliRunner, write_config
) -> None:
    long = "k" * 20_000
    config = write_config(f"x: &A {{? {long} : 1}}\n" + "".join(f"b{i}: *A\n" for i in range(300)))
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: x: a key of 20,000 characters; a config's keys are names, of at "
        "most 100 (line 1)\n"
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["entries"]["a.yaml"].update(epochs=10**4000),
        lambda m: m["entries"]["a.yaml"].update(title="t" * 50_000),
        lambda m: m["entries"]["a.yaml"].update(fingerprint="not a digest"),
        lambda m: m["entries"]["a.yaml"].update(notices=["n" * 100_000]),
        lambda m: m["entries"].update(
            {
                "\ud800.yaml": {
                    **m["entries"]["a.yaml"],
                    "config": "\ud800.yaml",
                    "outputs": {f"\ud800.{f}": "0" * 64 for f in ("png", "svg", "csv")},
                }
            }
        ),
    ],
)
def test_a_manifest_lrplot_did_not_write_is_not_believed(
    change, runner: CliRunner, small: Path, built: Callable[[Path], None], tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    rendered_again_after(change, runner, small, out, built)
    result = runner.invoke(cli, ["gallery", str(small), "-o", str(out), "--index-only"])
    assert result.exit_code == 0, result.stderr


def test_odd_config_names_and_entries_fail_alone(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    (small / "a\\b.yaml").write_text(STEP)  # a backslash is a character of a name
    (small / "sub").mkdir()
    (small / "x.yaml").symlink_to("sub")  # a "config" that is a folder
    for folder in ("manifest.json", "README.md", "manifest-1-of-2.json"):
        (small / folder).mkdir()
        (small / folder / "y.yaml").write_text(STEP)
    out = tmp_path / "gallery"
    code, stderr = run(runner, small, out)
    assert code == 1
    lines = stderr.splitlines()
    assert f"{out}: 3 rendered, 0 skipped, 4 failed." in lines
    assert (out / "a\\b.png").is_file()
    assert lines[-4:] == [
        f"Error: {small / 'README.md/y.yaml'}: lies in a folder named README.md, where the "
        "gallery writes its own file; rename the folder",
        f"Error: {small / 'manifest-1-of-2.json/y.yaml'}: lies in a folder named "
        "manifest-1-of-2.json, where the gallery writes its own file; rename the folder",
        f"Error: {small / 'manifest.json/y.yaml'}: lies in a folder named manifest.json, where "
        "the gallery writes its own file; rename the folder",
        f"Error: {small / 'x.yaml'}: is a folder, not a config file",
    ]
    assert (out / "index.html").is_file()


def test_a_folder_where_an_index_page_goes_fails_the_run_not_the_configs(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    (out / "index.html").mkdir(parents=True)
    code, stderr = run(runner, small, out)
    assert code == 1
    assert stderr.splitlines()[-2:] == [
        f"{out}: 2 rendered, 0 skipped, 0 failed.",
        f"Error: {out / 'index.html'}: cannot write: a folder is in the way",
    ]
    assert (out / "a.png").is_file()
    assert (out / "README.md").is_file()


def test_a_gallery_folder_thousands_deep_does_not_stop_the_run(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    out.mkdir()
    here = os.getcwd()
    os.chdir(out)  # deeper than a path the system takes: made and undone a folder at a time
    try:
        for _ in range(1200):
            os.mkdir("d")
            os.chdir("d")
        os.chdir(out)
        assert run(runner, small, out)[0] == 0
        for _ in range(1200):
            os.chdir("d")
        for _ in range(1200):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


def test_a_garbage_shard_manifest_is_ignored_with_a_notice(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    run(runner, small, out, "--shard", "1/1")
    (out / "manifest-2-of-2.json").write_text("{not json")
    result = runner.invoke(cli, ["gallery", str(small), "-o", str(out), "--index-only"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"Notice: {out / 'manifest-2-of-2.json'}: not a manifest lrplot wrote; ignored"
    )


def test_folders_on_the_way_that_are_links_are_refused(
    runner: CliRunner, small: Path, tmp_path: Path, victim: Path
) -> None:
    (tmp_path / "docs").symlink_to(victim)
    (victim / "sub").mkdir()
    (victim / "sub" / "v.yaml").write_text(STEP)
    before = tree(victim)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(cli, ["gallery", "configs", "-o", "docs/gallery"])
        assert result.stderr == (
            "Error: docs/gallery: docs on the way is a symbolic link; lrplot writes only into "
            "real folders, never through a link: give the folder it points to\n"
        )
        result = runner.invoke(cli, ["gallery", "docs/sub", "-o", "out"])
        assert result.stderr == (
            "Error: docs/sub: docs on the way is a symbolic link; the gallery reads only real "
            "folders: give the folder it points to\n"
        )
    finally:
        os.chdir(here)
    assert tree(victim) == before
    assert not (tmp_path / "out").exists()


def test_render_into_a_folder_replaces_its_links(
    runner: CliRunner, tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "StepLR.csv").symlink_to(victim / "victim.txt")
    config = CONFIGS_DIR / "tutorial" / "StepLR.yaml"
    result = runner.invoke(cli, ["render", str(config), "-o", f"{out}/", "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    assert (victim / "victim.txt").read_text() == "precious\n"
    assert not (out / "StepLR.csv").is_symlink()
    assert (out / "StepLR.csv").read_text().startswith("epoch,lr\n")


def test_a_config_named_on_the_command_line_is_not_read_through_a_link_out(
    runner: CliRunner, tmp_path: Path, victim: Path
) -> None:
    project = tmp_path / "project"
    configs = project / "configs"
    configs.mkdir(parents=True)
    (configs / "x.yaml").symlink_to(victim / ".env")
    os.mkfifo(configs / "pipe.yaml")  # nobody writes to it: read as empty, not waited on
    here = os.getcwd()
    os.chdir(project)
    try:
        result = runner.invoke(cli, ["validate", "configs/x.yaml", "configs/pipe.yaml"])
    finally:
        os.chdir(here)
    assert result.exit_code == 1
    assert "sk-live" not in result.output
    assert result.stderr == (
        "Error: configs/x.yaml: is a symbolic link to a file outside the current folder and its "
        "own; lrplot does not follow it: name the file itself\n"
        "Error: configs/pipe.yaml: the config is empty; it needs at least a `scheduler:` "
        "mapping\n"
    )


def test_work_is_bounded_by_expressions_times_groups_times_schedulers(
    runner: CliRunner, write_config
) -> None:
    heavy = "abs(" + " + ".join(["sin(epoch) * cos(epoch)"] * 18) + ")"
    config = write_config(
        "epochs: 1000000\n"
        "optimizer: {param_groups: [{}, {}, {}]}\n"
        f'scheduler: {{type: LambdaLR, lr_lambda: "{heavy}"}}\n'
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: scheduler: 1,000,000 steps x 444 operations each (param groups x "
        "schedulers, an expression counted by its size) = 444,000,000, more than the limit of "
        "160,000,000 (16 per step allowed by --max-steps 10,000,000; raise it with "
        "--max-steps) (line 3)\n"
    )


def test_a_figure_of_many_lines_draws_fewer_points_each() -> None:
    from array import array

    from lrplot import parse_spec, simulate
    from lrplot.draw.plotting import MAX_FIGURE_POINTS, series_of

    spec = parse_spec(
        data={
            "epochs": 10_000,
            "optimizer": {"param_groups": [{} for _ in range(100)]},
            "scheduler": {"type": "ExponentialLR", "gamma": 0.999},
        }
    )
    schedule = simulate(spec=spec)
    lines = series_of(schedule, [str(i) for i in range(100)], list(schedule.lr))
    assert sum(len(line.x) for line in lines) <= MAX_FIGURE_POINTS + 2 * 100
    assert all(isinstance(line.y, array) for line in lines)


def test_gallery_outputs_are_streamed_to_files_not_held_in_memory(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrplot.outputs.files import Folder

    real_place = Folder.place
    seen: dict[str, int] = {}

    def place(self, temporaries):  # the main process only renames what workers wrote
        for name, temporary in temporaries.items():
            seen[name] = (self.path / temporary).stat().st_size
        return real_place(self, temporaries)

    monkeypatch.setattr(Folder, "place", place)
    build_gallery(config_dir=small, out_dir=tmp_path / "gallery", jobs=1)
    assert set(seen) == {f"{n}.{f}" for n in "ab" for f in ("png", "svg", "csv")}
    assert all(size > 0 for size in seen.values())


def test_a_refusal_names_code_as_written_not_where_links_lead(
    runner: CliRunner, write_config
) -> None:
    config = write_config('scheduler: {type: "/proc/self/cwd/x.py:X"}\n')
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    assert "would import code from /proc/self/cwd/x.py;" in result.stderr
