"""The installed command, run as a real process: the main paths, and what --help imports."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIGS_DIR

pytestmark = pytest.mark.subprocess
LRPLOT = Path(sys.executable).with_name("lrplot")
HEAVY = ("torch", "matplotlib", "numpy")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )


def imported_by(argv: list[str]) -> list[str]:
    """The heavy modules imported when lrplot runs with ``argv``."""
    probe = (
        "import sys\n"
        "from lrplot.cli import main\n"
        f"sys.argv = {['lrplot', *argv]!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    result = run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(result.stdout.splitlines()[-1].replace("'", '"'))
    return modules


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--version"], ["render", "--help"]])
def test_help_and_version_import_neither_torch_nor_matplotlib(argv: list[str]) -> None:
    assert imported_by(argv) == []


def test_render_as_a_real_process(tmp_path: Path) -> None:
    result = run(
        str(LRPLOT), "render", str(CONFIGS_DIR / "tutorial" / "StepLR.yaml"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "Wrote StepLR.png\n"
    assert (tmp_path / "StepLR.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_python_dash_m_pipes_csv(tmp_path: Path) -> None:
    config = CONFIGS_DIR / "tutorial" / "OneCycleLR.yaml"
    result = run(sys.executable, "-m", "lrplot", "render", str(config), "-f", "csv", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["epoch", "lr", "momentum"]
    assert len(rows) == 101


def test_bad_config_as_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("scheduler: {type: StepLr, step_size: 3}\n")
    result = run(str(LRPLOT), "render", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: bad.yaml: scheduler.type: unknown scheduler 'StepLr' (did you mean StepLR?)"
    )
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.yaml"]


def test_the_same_config_gives_the_same_bytes_in_two_processes(tmp_path: Path) -> None:
    config = str(CONFIGS_DIR / "schedulers" / "SequentialLR.yaml")
    outputs = []
    for run_dir in ("a", "b"):
        out = tmp_path / run_dir
        result = run(
            str(LRPLOT),
            "render",
            config,
            "-o",
            f"{out}/",
            "-f",
            "png",
            "-f",
            "svg",
            "-f",
            "pdf",
            "-f",
            "csv",
        )
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 4


def modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_simulating_does_not_import_torchs_compiler() -> None:
    # Resumed, too: saving and loading an optimizer's state would import it as well.
    loaded = modules_after(
        "import lrplot\n"
        f"spec = lrplot.load_spec(path={str(CONFIGS_DIR / 'tutorial' / 'OneCycleLR.yaml')!r},\n"
        "                         resume_at=7)\n"
        "lrplot.simulate(spec=spec)\n"
        "from torch.optim import Optimizer\n"
        "for name in ('add_param_group', 'state_dict', 'load_state_dict'):\n"
        "    assert not hasattr(getattr(Optimizer, name).__wrapped__, '__dynamo_disable')"
    )
    assert "torch" in loaded
    assert "torch._dynamo" not in loaded


def test_rendering_csv_imports_no_plotting_library() -> None:
    loaded = modules_after(
        "import lrplot\n"
        f"spec = lrplot.load_spec(path={str(CONFIGS_DIR / 'tutorial' / 'StepLR.yaml')!r})\n"
        "lrplot.to_csv(lrplot.simulate(spec=spec))"
    )
    assert "matplotlib" not in loaded
    assert "transformers" not in loaded  # imported only for a config that names it


def test_a_transformers_schedule_imports_only_its_optimization_module() -> None:
    path = CONFIGS_DIR / "transformers" / "get_cosine_schedule_with_warmup.yaml"
    loaded = modules_after(
        f"import lrplot\nlrplot.to_csv(lrplot.simulate(spec=lrplot.load_spec(path={str(path)!r})))"
    )
    assert "transformers.optimization" in loaded
    assert not {"transformers.modeling_utils", "transformers.trainer"} & loaded
    assert "torch._dynamo" not in loaded


def test_a_native_file_is_planned_without_the_trainer(tmp_path: Path) -> None:
    path = CONFIGS_DIR / "native" / "training_args.yaml"  # benchmarks/run.py times it
    loaded = modules_after(
        "from lrplot.cli import main\n"
        f"sys.argv = ['lrplot', 'render', {str(path)!r}, '-o', {str(tmp_path / 'a.png')!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code"
    )
    assert "transformers.training_args" in loaded
    assert not {"transformers.trainer", "transformers.modeling_utils"} & loaded
    assert (tmp_path / "a.png").exists()


@pytest.mark.parametrize("delay", [0.25, 0.6, 2.0])
def test_ctrl_c_stops_the_shell_script_that_runs_lrplot(tmp_path: Path, delay: float) -> None:
    import time

    script = (
        f"{LRPLOT} render {CONFIGS_DIR / 'tutorial' / 'StepLR.yaml'} "
        f"--set epochs=5000000 -o {tmp_path / 'out.png'}; echo carried on after status $?"
    )
    process = subprocess.Popen(
        ["bash", "-c", script],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    time.sleep(delay)  # importing torch, then simulating
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does
    stdout, stderr = process.communicate(timeout=60)
    assert stdout == "", stderr  # bash saw lrplot killed by SIGINT, and stopped too
    assert process.returncode == -signal.SIGINT
    assert stderr.endswith("Interrupted.\n")
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_the_command_line_is_imported_is_no_traceback() -> None:
    # A Ctrl-C lands in the first tenth of a second, while click is being imported.
    probe = (
        "import sys\n"
        "class CtrlC:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, CtrlC())\n"
        "sys.argv = ['lrplot', '--help']\n"
        "from lrplot.__main__ import main\n"
        "main()\n"
    )
    result = run(sys.executable, "-c", probe)
    assert (result.returncode, result.stderr, result.stdout) == (
        -signal.SIGINT,
        "Interrupted.\n",
        "",
    )


def test_a_closed_stdin_is_an_error(tmp_path: Path) -> None:
    result = run("bash", "-c", f"{LRPLOT} validate - <&-")
    assert (result.returncode, result.stderr) == (1, "Error: <stdin>: standard input is closed\n")


STDOUT_COMMANDS = {
    "render": ["render", str(CONFIGS_DIR / "tutorial" / "StepLR.yaml"), "-f", "csv", "-o", "-"],
    "compare": ["compare", str(CONFIGS_DIR / "tutorial" / "StepLR.yaml"), "-f", "csv", "-o", "-"],
    "validate": ["validate", str(CONFIGS_DIR / "tutorial" / "StepLR.yaml")],
    "preview": ["preview", str(CONFIGS_DIR / "tutorial" / "StepLR.yaml")],
    "list": ["list"],
    "schema": ["schema"],
    "version": ["--version"],
}


@pytest.mark.parametrize("argv", STDOUT_COMMANDS.values(), ids=STDOUT_COMMANDS)
def test_a_full_standard_output_is_an_error(argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [str(LRPLOT), *argv], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120
        )
    assert (result.returncode, result.stderr) == (
        1,
        "Error: standard output: cannot write: No space left on device\n",
    )


@pytest.mark.parametrize("command", ["render", "list", "preview"])  # stream, echo, isatty
def test_a_closed_standard_output_is_an_error(command: str) -> None:
    result = run("bash", "-c", " ".join([str(LRPLOT), *STDOUT_COMMANDS[command], ">&-"]))
    assert (result.returncode, result.stderr) == (1, "Error: standard output is closed\n")


@pytest.mark.parametrize("command", ["render", "compare"])
def test_a_reader_that_stops_early_ends_lrplot_quietly(command: str) -> None:
    import signal

    argv = [*STDOUT_COMMANDS[command], "--set", "epochs=300000", "--set", "silence=[decays-often]"]
    with subprocess.Popen(
        [str(LRPLOT), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline().startswith((b"epoch,lr", b"schedule,epoch,lr"))
        process.stdout.close()  # as `| head -1` does
        stderr = process.stderr.read()
        assert process.wait(timeout=120) == -signal.SIGPIPE  # the shell shows 141
    assert stderr == b""


@pytest.mark.parametrize("delay", [0.5, 2.0])
def test_ctrl_c_stops_a_render_of_several_configs_and_its_workers(
    tmp_path: Path, delay: float
) -> None:
    import time

    from tests.conftest import alive
    from tests.gallery.test_build import children

    slow = tmp_path / "slow.yaml"  # simulated for seconds, between two quick ones
    slow.write_text("epochs: 5000000\nscheduler: {type: StepLR, step_size: 10}\n")
    configs = [str(CONFIGS_DIR / "tutorial" / f"{name}.yaml") for name in ("StepLR", "LambdaLR")]
    out = tmp_path / "out"
    process = subprocess.Popen(
        [str(LRPLOT), "render", configs[0], str(slow), configs[1], "-o", f"{out}/",
         "-f", "png", "-f", "csv"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    time.sleep(delay)
    workers = children(process.pid)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: to the workers too
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == -signal.SIGINT
    assert stderr.endswith("Interrupted.\n")
    assert "Traceback" not in stderr
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert written in ([], ["StepLR.csv", "StepLR.png"])  # whole sets, no temporary file
    deadline = time.monotonic() + 5
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(alive, workers)), "worker processes outlived the render"


HOSTILE_FOLDER = "-sscheduler={type: ExponentialLR, gamma: 0.99} #/configs"
BROKEN_STEP_SIZE = "scheduler:\n  type: StepLR\n  step_size: ten\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false",
         *args],
        cwd=cwd, check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def test_the_shipped_pre_commit_hook_cannot_be_steered_by_a_folder_name(tmp_path: Path) -> None:
    """The real pre-commit, with the hooks file as shipped (in a repository of its own,
    which pre-commit clones locally), on a repository whose first file name reads as
    ``-s scheduler=...``: without ``--`` in the hook's entry, click took it for ``--set``
    and the broken config passed."""
    from tests.conftest import ROOT

    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / ".pre-commit-hooks.yaml").write_bytes((ROOT / ".pre-commit-hooks.yaml").read_bytes())
    git("init", "-q", cwd=hooks)
    git("add", ".", cwd=hooks)
    git("commit", "-q", "-m", "hooks", cwd=hooks)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hooks, capture_output=True, text=True, check=True
    ).stdout.strip()

    project = tmp_path / "project"
    project.mkdir()
    good = (CONFIGS_DIR / "tutorial" / "StepLR.yaml").read_text()
    for name, text in [
        (f"{HOSTILE_FOLDER}/steering.yaml", good),  # the first name: '-' sorts before letters
        ("configs/broken.yaml", BROKEN_STEP_SIZE),
        ("configs/good.yaml", good),
    ]:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    # require_serial: one lrplot for all the files, in git's order (else pre-commit shuffles
    # them among processes, and the steering name would steer only the ones it lands with).
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n"
        "      - id: lrplot-validate-system\n        require_serial: true\n"
    )
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)
    git("commit", "-q", "-m", "configs", cwd=project)

    bin_dir = str(Path(sys.executable).parent)  # this lrplot, for language: system
    result = subprocess.run(
        [str(Path(bin_dir) / "pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "GIT_CONFIG_NOSYSTEM": "1",
        },
    )
    output = result.stdout
    assert result.returncode == 1, output + result.stderr
    assert "lrplot validate (installed lrplot)....." in output
    assert "Failed" in output
    assert "Passed" not in output
    assert (
        "Error: configs/broken.yaml: scheduler.step_size: expected an integer, got text 'ten' "
        "(line 3)"
    ) in output
    assert f"{HOSTILE_FOLDER}/steering.yaml: ok: " in output
    assert "configs/good.yaml: ok: " in output


TALKS = """\
import os
from torch.optim.lr_scheduler import LRScheduler

class Talks(LRScheduler):
    def get_lr(self):
        print(f"print {self.last_epoch}")
        os.write(1, f"fd 1 {self.last_epoch}\\n".encode())  # as a C extension would
        return list(self.base_lrs)
"""
TALKS_PRINTS = [f"{how} {epoch}" for epoch in range(4) for how in ("print", "fd 1")]


def printing_configs(folder: Path) -> Path:
    """A folder with two configs whose schedulers print: a class of the config's own, on
    ``sys.stdout`` and on file descriptor 1 (``TALKS_PRINTS``: at its construction, and
    at each of its 3 epochs), and transformers' GreedyLR with ``verbose: true``."""
    folder.mkdir()
    (folder / "talks.py").write_text(TALKS)
    (folder / "talks.yaml").write_text("epochs: 3\nscheduler: {type: 'talks.py:Talks'}\n")
    greedy = (CONFIGS_DIR / "transformers" / "get_greedy_schedule.yaml").read_text()
    (folder / "greedy.yaml").write_text(
        greedy.replace("  interval:", "  verbose: true\n  interval:")
    )
    return folder


def test_what_a_scheduler_prints_stays_off_renders_csv(tmp_path: Path) -> None:
    configs = printing_configs(tmp_path / "configs")
    result = run(str(LRPLOT), "render", str(configs / "talks.yaml"), "--allow-import", "-f", "csv",
                 "-o", "-")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "epoch,lr\n0,0.1\n1,0.1\n2,0.1\n"
    assert result.stderr.splitlines() == TALKS_PRINTS


@pytest.mark.parametrize("formats", [["-f", "csv"], ["-f", "png", "-f", "csv"]])
def test_what_schedulers_print_in_the_gallerys_workers_goes_to_stderr(
    tmp_path: Path, formats: list[str]
) -> None:
    configs = printing_configs(tmp_path / "configs")
    greedy = run(str(LRPLOT), "render", str(configs / "greedy.yaml"), "-f", "csv", "-o", "-")
    assert greedy.returncode == 0, greedy.stderr
    assert "Epoch" not in greedy.stdout
    greedy_prints = greedy.stderr.splitlines()
    assert len(greedy_prints) >= 10
    assert all(line.startswith("Epoch ") for line in greedy_prints)

    out = tmp_path / "gallery"
    result = run(str(LRPLOT), "gallery", str(configs), "-o", str(out), *formats, "--jobs", "2",
                 "--allow-import")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the gallery prints nothing there itself
    lines = result.stderr.splitlines()
    assert sorted(line for line in lines if line.startswith("Epoch ")) == sorted(greedy_prints)
    assert sorted(line for line in lines if line.startswith(("print ", "fd 1 "))) == sorted(
        TALKS_PRINTS
    )
    assert f"{out}: 2 rendered, 0 skipped, 0 failed." in lines


LIBRARIES = ("deepspeed", "mmengine", "timm")


@pytest.mark.parametrize("argv", [["list"], ["schema"]])
def test_list_and_schema_import_no_scheduler_library(argv: list[str]) -> None:
    """They know DeepSpeed's, MMEngine's and timm's classes from lrplot's tables (about a
    second each to import), checking only that each is installed."""
    probe = (
        "import sys\n"
        "from lrplot.cli import main\n"
        f"sys.argv = {['lrplot', *argv]!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {LIBRARIES!r}), "
        "file=sys.stderr)\n"
    )
    result = run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) > 1000
    assert result.stderr.splitlines()[-1] == "[]"
