"""``lrplot gallery``: outputs, skipping unchanged configs, --check, shards, failures."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.gallery.build import Shard, build_gallery, find_configs, fingerprint
from lrplot.gallery.manifest import MANIFEST
from tests.conftest import CONFIGS_DIR, ROOT, alive

SMALL = ["tutorial/StepLR.yaml", "tutorial/CustomLR.yaml", "schedulers/SequentialLR.yaml"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copy_small(folder: Path) -> Path:
    for name in [*SMALL, "tutorial/custom_lr.py"]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CONFIGS_DIR / name, folder / name)
    return folder


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    """A small config folder: two sub-folders, and a custom scheduler with its Python file."""
    return copy_small(tmp_path / "configs")


def gallery(runner: CliRunner, configs: Path, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        cli, ["gallery", str(configs), "-o", str(out), "--allow-import", "-j", "1", *args]
    )
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gallery of the small config folder, rendered once for the module's tests."""
    folder = tmp_path_factory.mktemp("small")
    out = folder / "gallery"
    code, stderr = gallery(CliRunner(), copy_small(folder / "configs"), out)
    assert code == 0, stderr
    return out


@pytest.fixture
def built(configs: Path, tmp_path: Path, built_once: Path) -> Path:
    """The small config folder, already rendered into a gallery folder: a copy of
    ``built_once`` (a gallery holds no path of the folders it was made from)."""
    out = tmp_path / "gallery"
    shutil.copytree(built_once, out, symlinks=True)
    return out


def test_renders_every_config_to_png_svg_csv_mirroring_folders(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    code, stderr = gallery(runner, configs, out)
    assert code == 0, stderr
    stems = [name.removesuffix(".yaml") for name in sorted(SMALL)]
    expected = {f"{s}.{ext}" for s in stems for ext in ("png", "svg", "csv")}
    assert set(snapshot(out)) == expected | {"README.md", "index.html", MANIFEST}
    assert stderr.splitlines()[-1] == f"{out}: 3 rendered, 0 skipped, 0 failed."
    assert [line for line in stderr.splitlines() if line.startswith("rendered")] == [
        f"rendered {configs / name}" for name in sorted(SMALL)
    ]


def test_configs_are_found_sorted_recursive_yaml_and_yml(tmp_path: Path) -> None:
    for name in ["b.yaml", "a/z.yml", "a/c.yaml", "notes.txt", ".hidden/x.yaml", "a/.x.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert find_configs(tmp_path) == ["a/c.yaml", "a/z.yml", "b.yaml"]


def test_a_rerun_with_nothing_changed_skips_everything_and_writes_nothing(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert stderr == f"{out}: 0 rendered, 3 skipped, 0 failed.\n"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_a_rerun_with_nothing_changed_does_not_import_torch(configs: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build_gallery(config_dir=configs, out_dir=out, jobs=1, allow_import=True)
    probe = (
        "import sys\nfrom lrplot.cli import main\n"
        f"sys.argv = ['lrplot', 'gallery', {str(configs)!r}, '-o', {str(out)!r}, "
        "'--allow-import']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'matplotlib', 'numpy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
    assert "0 rendered, 3 skipped" in result.stderr


def test_only_changed_configs_are_rendered_again(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    step = configs / "tutorial" / "StepLR.yaml"
    step.write_text(step.read_text().replace("gamma: 0.8", "gamma: 0.5"))
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert "rendered " + str(step) in stderr
    assert stderr.splitlines()[-1] == f"{out}: 1 rendered, 2 skipped, 0 failed."


def test_editing_the_custom_python_file_renders_its_config_again(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    code_file = configs / "tutorial" / "custom_lr.py"
    code_file.write_text(
        code_file.read_text().replace("0.1 * self.last_epoch", "0.05 * self.last_epoch")
    )
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert stderr.splitlines()[-1] == f"{out}: 1 rendered, 2 skipped, 0 failed."


def test_editing_the_log_a_metric_reads_renders_its_config_again(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    (configs / "tutorial" / "logs").mkdir()
    log = configs / "tutorial" / "logs" / "val.csv"
    log.write_text("val_loss\n" + "1.0\n" * 10)
    (configs / "tutorial" / "logged.yaml").write_text(
        "epochs: 10\nscheduler: {type: ReduceLROnPlateau, interval: epoch}\n"
        "metric: {file: logs/val.csv, column: val_loss}\n"
    )
    out = tmp_path / "gallery"
    assert gallery(runner, configs, out)[0] == 0
    before = fingerprint(configs, "tutorial/logged.yaml")
    log.write_text("val_loss\n" + "0.5\n" * 10)
    assert fingerprint(configs, "tutorial/logged.yaml") != before
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert stderr.splitlines()[-1] == f"{out}: 1 rendered, 3 skipped, 0 failed."
    assert "0.5" in (out / "tutorial" / "logged.csv").read_text()


def test_a_deleted_or_edited_output_is_rendered_again(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    original = snapshot(out)
    (out / "tutorial" / "StepLR.png").unlink()
    (out / "schedulers" / "SequentialLR.csv").write_text("edited by hand\n")
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert stderr.splitlines()[-1] == f"{out}: 2 rendered, 1 skipped, 0 failed."
    assert snapshot(out) == original


def test_force_renders_everything(runner: CliRunner, configs: Path, built: Path) -> None:
    out = built
    code, stderr = gallery(runner, configs, out, "--force")
    assert code == 0
    assert stderr.splitlines()[-1] == f"{out}: 3 rendered, 0 skipped, 0 failed."


def test_a_new_lrplot_torch_or_matplotlib_version_renders_everything(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["versions"]["torch"] = "0.0.1"
    (out / MANIFEST).write_text(json.dumps(manifest))
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert stderr.splitlines()[-1] == f"{out}: 3 rendered, 0 skipped, 0 failed."


def test_a_broken_manifest_means_render_everything(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    (out / MANIFEST).write_text("{not json")
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert "3 rendered" in stderr


def test_the_manifest_records_hashes_versions_and_what_the_index_shows(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["versions"]) == {"lrplot", "torch", "matplotlib"}
    entry = manifest["entries"]["tutorial/StepLR.yaml"]
    assert entry["scheduler"] == "StepLR(step_size=10, gamma=0.8)"
    assert entry["optimizer"] == "Adam(lr=0.1)"
    assert entry["description"].startswith("The tutorial's StepLR")
    import hashlib

    for name, digest in entry["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_removing_a_config_removes_its_outputs(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    (configs / "schedulers" / "SequentialLR.yaml").unlink()
    code, stderr = gallery(runner, configs, out)
    assert code == 0
    assert "3 old outputs removed" in stderr
    assert not (out / "schedulers" / "SequentialLR.png").exists()
    assert "SequentialLR" not in (out / "index.html").read_text()


def test_a_failing_config_is_reported_while_the_rest_render(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    bad = configs / "tutorial" / "Broken.yaml"
    bad.write_text("scheduler: {type: StepLr, step_size: 3}\n")
    out = tmp_path / "gallery"
    code, stderr = gallery(runner, configs, out)
    assert code == 1
    lines = stderr.splitlines()
    assert f"failed {bad}" in lines
    assert lines[-2] == f"{out}: 3 rendered, 0 skipped, 1 failed."
    assert lines[-1].startswith(f"Error: {bad}: scheduler.type: unknown scheduler 'StepLr'")
    assert (out / "tutorial" / "StepLR.png").exists()
    assert not (out / "tutorial" / "Broken.png").exists()
    assert "Broken" not in (out / "README.md").read_text()


def test_a_config_that_breaks_keeps_its_last_good_outputs(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    before = snapshot(out)
    step = configs / "tutorial" / "StepLR.yaml"
    step.write_text(step.read_text().replace("step_size: 10", "step_size: ten"))
    code, _ = gallery(runner, configs, out)
    assert code == 1
    assert snapshot(out) == before


def test_two_configs_with_one_output_name_are_refused(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    shutil.copy(configs / "tutorial" / "StepLR.yaml", configs / "tutorial" / "StepLR.yml")
    code, stderr = gallery(runner, configs, tmp_path / "gallery")
    assert code == 1
    assert (
        f"Error: {configs / 'tutorial/StepLR.yml'}: writes the same tutorial/StepLR.png as "
        f"{configs / 'tutorial/StepLR.yaml'}; rename one of them"
    ) in stderr


def test_check_passes_on_an_up_to_date_gallery_and_writes_nothing(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    before = snapshot(out)
    code, stderr = gallery(runner, configs, out, "--check")
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == f"{out} is up to date (3 configs checked)."
    assert snapshot(out) == before


def test_check_lists_stale_missing_and_orphaned_files(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    step = configs / "tutorial" / "StepLR.yaml"
    step.write_text(step.read_text().replace("gamma: 0.8", "gamma: 0.5"))
    (out / "schedulers" / "SequentialLR.svg").unlink()
    (out / "tutorial" / "old-experiment.png").write_bytes(b"orphan")
    before = snapshot(out)
    code, stderr = gallery(runner, configs, out, "--check")
    assert code == 1
    lines = stderr.splitlines()
    for name in ["tutorial/StepLR.png", "tutorial/StepLR.svg", "tutorial/StepLR.csv", MANIFEST]:
        assert f"stale: {out / name}" in lines
    assert f"missing: {out / 'schedulers/SequentialLR.svg'}" in lines
    assert f"orphaned: {out / 'tutorial/old-experiment.png'}" in lines
    assert f"{out} is out of date (3 configs checked)." in lines
    assert lines[-1] == f"Run: lrplot gallery {configs} -o {out} --allow-import"
    assert snapshot(out) == before


def test_check_of_a_gallery_never_built(runner: CliRunner, configs: Path, tmp_path: Path) -> None:
    out = tmp_path / "nothing-here"
    code, stderr = gallery(runner, configs, out, "--check")
    assert code == 1
    assert f"missing: {out / 'index.html'}" in stderr
    assert not out.exists()


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_shards_cover_every_config_exactly_once(count: int) -> None:
    names = find_configs(CONFIGS_DIR)
    slices = [Shard(k, count).select(names) for k in range(1, count + 1)]
    assert sorted(n for part in slices for n in part) == names
    assert max(map(len, slices)) - min(map(len, slices)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0"])
def test_bad_shards_are_usage_errors(text: str, runner: CliRunner, configs: Path) -> None:
    result = runner.invoke(cli, ["gallery", str(configs), "--shard", text])
    assert result.exit_code == 2
    assert "Invalid value for '--shard'" in result.stderr


def test_shards_then_index_only_equal_a_single_run(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    single, sharded = tmp_path / "single", tmp_path / "sharded"
    gallery(runner, configs, single)
    parts = []
    for k in (1, 2):
        part = tmp_path / f"part{k}"  # each CI job starts from its own checkout
        code, stderr = gallery(runner, configs, part, "--shard", f"{k}/2")
        assert code == 0, stderr
        assert not (part / "index.html").exists()
        parts.append(part)
    for part in parts:  # what downloading every job's artifact into one folder does
        shutil.copytree(part, sharded, dirs_exist_ok=True)
    merge = ["gallery", str(configs), "-o", str(sharded), "--index-only"]
    result = runner.invoke(cli, merge)
    assert result.exit_code == 1  # the custom config's fingerprint covers its Python file
    assert result.stderr.splitlines()[-1] == (
        f"Error: {configs / 'tutorial/CustomLR.yaml'}: names Python code: merge with "
        "--allow-import, as the shards rendered it"
    )
    result = runner.invoke(cli, [*merge, "--allow-import"])
    assert result.exit_code == 0, result.output
    assert snapshot(sharded) == snapshot(single)


def test_index_only_reports_configs_no_shard_rendered(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    gallery(runner, configs, out, "--shard", "1/2")
    result = runner.invoke(
        cli, ["gallery", str(configs), "-o", str(out), "--index-only", "--allow-import"]
    )
    assert result.exit_code == 1
    assert (
        f"Error: {configs / 'tutorial/CustomLR.yaml'}: not rendered by any shard" in result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [["--index-only", "--check"], ["--index-only", "--force"], ["--check", "--shard", "1/2"]],
)
def test_conflicting_options(args: list[str], runner: CliRunner, configs: Path) -> None:
    result = runner.invoke(cli, ["gallery", str(configs), *args])
    assert result.exit_code == 2


def test_several_jobs_give_the_same_bytes_as_one(configs: Path, tmp_path: Path) -> None:
    build_gallery(config_dir=configs, out_dir=tmp_path / "one", jobs=1, allow_import=True)
    build_gallery(config_dir=configs, out_dir=tmp_path / "two", jobs=2, allow_import=True)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


@pytest.mark.subprocess
def test_two_processes_write_byte_identical_galleries(configs: Path, tmp_path: Path) -> None:
    processes = [  # at once: each writes a gallery of its own
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lrplot",
                "gallery",
                str(configs),
                "-o",
                str(tmp_path / name),
                "--allow-import",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for name, seed in (("a", "1"), ("b", "2"))
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_a_missing_config_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["gallery", str(tmp_path / "nope"), "-o", str(tmp_path / "g")])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope'}: is not a folder of configs\n"


@pytest.mark.subprocess
def test_the_committed_gallery_matches_the_configs(built_gallery: Path) -> None:
    from lrplot.gallery.build import current_versions

    recorded = json.loads((ROOT / "gallery" / MANIFEST).read_text())["versions"]
    if recorded != current_versions():  # its pages name the versions: checked on those only
        pytest.skip(f"the gallery was rendered with {recorded}, not {current_versions()}")
    committed = {p.relative_to(ROOT / "gallery") for p in (ROOT / "gallery").rglob("*")}
    rendered = {p.relative_to(built_gallery) for p in built_gallery.rglob("*")}
    assert committed == rendered, "run: lrplot gallery configs -o gallery --allow-import"
    for name in sorted(committed):
        if (ROOT / "gallery" / name).is_file():
            same = (ROOT / "gallery" / name).read_bytes() == (built_gallery / name).read_bytes()
            assert same, (
                f"gallery/{name} is stale: lrplot gallery configs -o gallery --allow-import"
            )


def test_fingerprints_do_not_depend_on_where_the_folder_is(configs: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "configs"
    shutil.copytree(configs, moved)
    for name in find_configs(configs):
        assert fingerprint(configs, name) == fingerprint(moved, name)


def test_check_treats_a_failing_config_as_a_run_would(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(built), "--check", "-j", "1"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith(("stale:", "missing:", "orphaned:"))]
    assert f"{built}: 1 configs failed; the 2 others are up to date." in lines
    assert lines[-1].startswith(f"Error: {configs / 'tutorial/CustomLR.yaml'}: scheduler.type:")
    assert "--allow-import" in lines[-1]


def test_an_unexpected_exception_fails_one_config_not_the_run(
    configs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lrplot.outputs.export

    real_fills = lrplot.outputs.export.fills

    def fills(*, schedule, **kwargs):
        if schedule.spec.source.endswith("StepLR.yaml"):
            raise RuntimeError("boom")
        return real_fills(schedule=schedule, **kwargs)

    monkeypatch.setattr(lrplot.outputs.export, "fills", fills)
    report = build_gallery(config_dir=configs, out_dir=tmp_path / "g", jobs=1, allow_import=True)
    assert report.rendered == ["schedulers/SequentialLR.yaml", "tutorial/CustomLR.yaml"]
    assert [f.message for f in report.failed] == [
        f"{configs / 'tutorial/StepLR.yaml'}: internal error, please report it: RuntimeError: boom"
    ]


def test_index_only_says_what_it_merged(runner: CliRunner, configs: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    for k in (1, 2):
        gallery(runner, configs, out, "--shard", f"{k}/2")
    result = runner.invoke(
        cli, ["gallery", str(configs), "-o", str(out), "--index-only", "--allow-import"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{out}: index pages list 3 configs; merged 2 shard manifests "
        "(manifest-1-of-2.json, manifest-2-of-2.json).\n"
    )
    assert not list(out.glob("manifest-*"))


def assert_consistent(out: Path, *, strict: bool = True) -> None:
    """Whatever state a run left: only whole files, and a manifest that claims no more.

    Not ``strict``: a kill between the renames of one config's files may leave its entry
    describing older files; the next run sees the hashes differ and renders it again."""
    import hashlib
    import xml.etree.ElementTree as ET

    for path in (p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), path
            assert data.endswith(b"IEND\xaeB`\x82"), path
        elif path.suffix == ".svg":
            ET.fromstring(data)
        elif path.suffix == ".csv":
            assert data.startswith(b"epoch,"), path
            assert data.endswith(b"\n"), path
        elif path.suffix == ".json":
            json.loads(data)
    manifest = out / MANIFEST
    if manifest.exists() and strict:
        for entry in json.loads(manifest.read_text())["entries"].values():
            for name, digest in entry["outputs"].items():
                assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux's /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.mark.subprocess
@pytest.mark.parametrize("delay", [1.6, 2.4, 3.2])
def test_a_gallery_killed_at_any_moment_leaves_no_broken_file(
    delay: float, configs: Path, built: Path, runner: CliRunner
) -> None:
    import signal
    import time

    out = built  # an existing gallery, then its configs change
    for config in configs.rglob("*.yaml"):  # a new fingerprint: every config renders again
        config.write_text(config.read_text() + "# edited\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "gallery", str(configs), "-o", str(out),
         "--allow-import", "-j", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(delay)
    workers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(alive, workers)), "worker processes outlived the gallery"
    assert_consistent(out, strict=False)
    code, _ = gallery(runner, configs, out)
    assert code == 0
    assert not list(out.rglob("*.tmp"))
    assert gallery(runner, configs, out, "--check")[0] == 0


@pytest.mark.subprocess
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_a_gallery_keeping_what_was_finished(
    configs: Path, tmp_path: Path, jobs: str
) -> None:
    import signal
    import time

    out = tmp_path / "gallery"
    # Last in order, and slow (half a minute): running when the others' files are written.
    (configs / "zz-slow.yaml").write_text(
        "epochs: 10000000\nscheduler: {type: CosineAnnealingWarmRestarts, T_0: 10}\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "gallery", str(configs), "-o", str(out),
         "--allow-import", "-j", jobs],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(list(out.rglob("*.csv"))) < len(SMALL) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the other configs' outputs are written
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: to workers too
    stderr = process.communicate(timeout=20)[1]  # not waiting for the slow render
    assert process.returncode == -signal.SIGINT
    assert stderr.endswith("Interrupted.\n")
    assert "Traceback" not in stderr
    assert not list(out.rglob("*.tmp"))
    assert_consistent(out)


def test_a_full_disk_mid_gallery_is_an_error_and_keeps_the_gallery_consistent(
    runner: CliRunner, configs: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import io

    from lrplot.outputs.files import Folder

    step = configs / "tutorial" / "StepLR.yaml"
    step.write_text(step.read_text().replace("gamma: 0.8", "gamma: 0.5"))
    before = snapshot(built)

    class FullDisk(io.BufferedWriter):
        def write(self, data):  # the disk fills up in the second of the config's three files
            raise OSError(errno.ENOSPC, "No space left on device")

    real_open = Folder.open_temporary

    def open_temporary(self, name):
        temporary, stream = real_open(self, name)
        return temporary, FullDisk(stream.detach()) if name.endswith("StepLR.svg") else stream  # type: ignore[attr-defined]

    monkeypatch.setattr(Folder, "open_temporary", open_temporary)
    code, stderr = gallery(runner, configs, built)  # -j 1: a forked worker keeps the patch
    assert code == 1
    assert stderr.splitlines()[-1] == (
        f"Error: {built / 'tutorial/StepLR.svg'}: cannot write: No space left on device"
    )
    assert_consistent(built)
    assert snapshot(built) == before  # the config's old PNG, SVG and CSV, all three
    assert not list(built.rglob("*.tmp"))


def test_lines_come_in_the_configs_order_whatever_finishes_first(
    runner: CliRunner, tmp_path: Path
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "a-long.yaml").write_text(
        "epochs: 400000\nscheduler: {type: ExponentialLR, gamma: 0.99}\n"
    )
    for name in ("b", "c", "d"):
        (configs / f"{name}.yaml").write_text("epochs: 3\nscheduler: {type: ConstantLR}\n")
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.stderr
    assert [line.split("/")[-1] for line in result.stderr.splitlines()[:4]] == [
        "a-long.yaml", "b.yaml", "c.yaml", "d.yaml"
    ]  # fmt: skip


# --format: what each config is rendered to, recorded in the manifest.


def outputs_of(folder: Path) -> set[str]:
    return {name for name in snapshot(folder) if name not in ("README.md", "index.html", MANIFEST)}


def test_format_chooses_what_each_config_is_rendered_to(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    code, stderr = gallery(runner, configs, out, "-f", "png")
    assert code == 0, stderr
    stems = [name.removesuffix(".yaml") for name in sorted(SMALL)]
    assert outputs_of(out) == {f"{stem}.png" for stem in stems}
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["formats"] == ["png"]
    assert set(manifest["entries"]["tutorial/StepLR.yaml"]["outputs"]) == {"tutorial/StepLR.png"}
    for page in ("README.md", "index.html"):
        text = (out / page).read_text()
        assert 'src="tutorial/StepLR.png"' in text, page
        assert ".svg" not in text, page
        assert ".csv" not in text, page


def test_formats_are_kept_in_lrplots_order_each_once(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    code, stderr = gallery(runner, configs, out, "-f", "json", "--format", "svg", "-f", "json")
    assert code == 0, stderr
    assert json.loads((out / MANIFEST).read_text())["formats"] == ["svg", "json"]
    assert outputs_of(out) == {
        f"{name.removesuffix('.yaml')}.{fmt}" for name in SMALL for fmt in ("svg", "json")
    }
    readme = (out / "README.md").read_text()  # no PNG: the SVG is the thumbnail
    assert '<a href="tutorial/StepLR.svg"><img src="tutorial/StepLR.svg" width="320"' in readme
    assert "[SVG](tutorial/StepLR.svg) · [JSON](tutorial/StepLR.json) · config:" in readme


def test_without_format_the_manifest_records_png_svg_csv(built: Path) -> None:
    assert json.loads((built / MANIFEST).read_text())["formats"] == ["png", "svg", "csv"]


def test_a_change_of_formats_renders_again_and_removes_what_is_no_longer_chosen(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    (out / "tutorial" / "notes.csv").write_text("mine\n")  # not an output of any config
    png = {name: data for name, data in snapshot(out).items() if name.endswith(".png")}
    code, stderr = gallery(runner, configs, out, "-f", "png")
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == (
        f"{out}: 3 rendered, 0 skipped, 0 failed, 6 old outputs removed."
    )
    assert outputs_of(out) == {*png, "tutorial/notes.csv"}
    assert {name: snapshot(out)[name] for name in png} == png  # the same bytes
    code, stderr = gallery(runner, configs, out, "-f", "png")
    assert stderr == f"{out}: 0 rendered, 3 skipped, 0 failed.\n"
    code, stderr = gallery(runner, configs, out, "-f", "png", "-f", "pdf")
    assert stderr.splitlines()[-1] == f"{out}: 3 rendered, 0 skipped, 0 failed."
    assert {name for name in outputs_of(out) if name.endswith(".pdf")} == {
        f"{name.removesuffix('.yaml')}.pdf" for name in SMALL
    }


def test_back_to_the_default_formats_gives_the_same_gallery(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    before = snapshot(built)
    assert gallery(runner, configs, built, "-f", "csv")[0] == 0
    assert gallery(runner, configs, built)[0] == 0
    assert snapshot(built) == before


def test_a_failing_config_keeps_its_last_good_outputs_of_the_formats_still_chosen(
    runner: CliRunner, configs: Path, built: Path
) -> None:
    out = built
    old_png = (out / "tutorial" / "StepLR.png").read_bytes()
    step = configs / "tutorial" / "StepLR.yaml"
    step.write_text(step.read_text().replace("step_size: 10", "step_size: ten"))
    code, stderr = gallery(runner, configs, out, "-f", "png")
    assert code == 1
    assert (
        stderr.splitlines()[-2]
        == f"{out}: 2 rendered, 0 skipped, 1 failed, 6 old outputs removed."
    )
    assert (out / "tutorial" / "StepLR.png").read_bytes() == old_png
    assert not (out / "tutorial" / "StepLR.svg").exists()
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["entries"]["tutorial/StepLR.yaml"]["outputs"] == {
        "tutorial/StepLR.png": hashlib.sha256(old_png).hexdigest()
    }
    assert "tutorial/StepLR.png" in (out / "README.md").read_text()


def test_check_compares_with_the_formats_given(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    gallery(runner, configs, out, "-f", "png")
    code, stderr = gallery(runner, configs, out, "--check", "-f", "png")
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == f"{out} is up to date (3 configs checked)."
    code, stderr = gallery(runner, configs, out, "--check")
    assert code == 1
    lines = stderr.splitlines()
    assert f"missing: {out / 'tutorial/StepLR.svg'}" in lines
    assert f"stale: {out / MANIFEST}" in lines
    assert lines[-1] == f"Run: lrplot gallery {configs} -o {out} --allow-import"
    (configs / "tutorial" / "StepLR.yaml").write_text(STEP_EDITED)
    code, stderr = gallery(runner, configs, out, "--check", "-f", "png", "-f", "png")
    assert code == 1
    assert stderr.splitlines()[-1] == (
        f"Run: lrplot gallery {configs} -o {out} -f png --allow-import"
    )


STEP_EDITED = "epochs: 20\nscheduler: {type: StepLR, step_size: 5}\n"


def test_index_only_merges_shards_of_the_formats_given(
    runner: CliRunner, configs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery"
    for k in (1, 2):
        code, stderr = gallery(runner, configs, out, "--shard", f"{k}/2", "-f", "svg")
        assert code == 0, stderr
    merge = ["gallery", str(configs), "-o", str(out), "--index-only", "--allow-import"]
    result = runner.invoke(cli, merge)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    for k in (1, 2):
        assert lines[k - 1] == (
            f"Notice: {out / f'manifest-{k}-of-2.json'}: rendered to svg, not png, svg, csv "
            "(give --index-only the --format the shards had); ignored"
        )
    assert lines[-1] == (
        f"Error: {configs / 'tutorial/StepLR.yaml'}: not rendered by any shard, or changed since"
    )
    for k in (1, 2):  # merged or not, the shard manifests are used up
        gallery(runner, configs, out, "--shard", f"{k}/2", "-f", "svg")
    result = runner.invoke(cli, [*merge, "-f", "svg"])
    assert result.exit_code == 0, result.stderr
    assert json.loads((out / MANIFEST).read_text())["formats"] == ["svg"]
    assert outputs_of(out) == {f"{name.removesuffix('.yaml')}.svg" for name in SMALL}


def test_an_unknown_format_is_refused(runner: CliRunner, configs: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(tmp_path / "g"), "-f", "gif"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '-f' / '--format': 'gif' is not one of 'png', 'svg', 'pdf', "
        "'csv', 'json'."
    )
    assert not (tmp_path / "g").exists()


def test_without_images_no_process_draws(configs: Path, tmp_path: Path) -> None:
    report = build_gallery(
        config_dir=configs, out_dir=tmp_path / "g", jobs=2, allow_import=True, formats=["csv"]
    )
    assert report.rendered == sorted(SMALL)
    assert outputs_of(tmp_path / "g") == {f"{n.removesuffix('.yaml')}.csv" for n in SMALL}
    readme = (tmp_path / "g" / "README.md").read_text()
    assert "| no image | **StepLR**" in readme
