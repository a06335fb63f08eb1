"""Ctrl-C held back where an interrupt would break the process, then acted on."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (signals sent to it cannot reach the tests)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("handler", "after"),
    [
        ("signal.default_int_handler", "KeyboardInterrupt after the block"),
        ("signal.SIG_IGN", "nothing after the block"),
    ],
)
def test_a_ctrl_c_inside_the_block_is_acted_on_after_it(handler: str, after: str) -> None:
    result = run(
        "import os, signal\n"
        "from lrplot.signals import interrupts_deferred\n"
        f"signal.signal(signal.SIGINT, {handler})\n"
        "try:\n"
        "    with interrupts_deferred():\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        print('the block ran to its end')\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt after the block')\n"
        "else:\n"
        "    print('nothing after the block')\n"
        f"print(signal.getsignal(signal.SIGINT) is {handler})\n"
    )
    assert result.stdout.splitlines() == ["the block ran to its end", after, "True"]


def test_the_default_action_is_taken_after_the_block() -> None:
    result = run(
        "import os, signal\n"
        "from lrplot.signals import interrupts_deferred\n"
        "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
        "with interrupts_deferred():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    print('the block ran to its end', flush=True)\n"
        "print('not reached')\n"
    )
    assert (result.returncode, result.stdout) == (-2, "the block ran to its end\n")


def test_outside_the_main_thread_the_block_just_runs() -> None:
    result = run(
        "import threading\n"
        "from lrplot.signals import interrupts_deferred\n"
        "def work():\n"
        "    with interrupts_deferred():\n"
        "        print('ran')\n"
        "thread = threading.Thread(target=work)\n"
        "thread.start()\n"
        "thread.join()\n"
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ran\n", "")


def test_a_ctrl_c_while_torch_is_imported_waits_for_the_import() -> None:
    # Interrupted inside its C++ start-up, torch aborts the process (SIGABRT) or loses
    # the KeyboardInterrupt; here the Ctrl-C lands as torch's import begins.
    result = run(
        "import os, signal, sys\n"
        "class CtrlC:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, CtrlC())\n"
        "from lrplot.schedulers.registry import import_torch\n"
        "try:\n"
        "    import_torch()\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted; torch complete:', hasattr(sys.modules.get('torch'), 'optim'))\n"
    )
    assert (result.stdout, result.stderr) == ("interrupted; torch complete: True\n", "")


@pytest.mark.parametrize(
    ("argv", "status", "stdout"),
    [
        (["--version"], 0, "lrplot "),
        (["validate", "no-such.yaml"], 1, ""),
        (["render", "--format", "gif", "x.yaml"], 2, ""),
    ],
)
def test_the_command_ends_at_once_with_its_status_and_its_output_flushed(
    argv: list[str], status: int, stdout: str
) -> None:
    result = run(
        "import atexit, sys\n"
        "atexit.register(lambda: print('torn down', file=sys.stderr))\n"
        f"sys.argv = ['lrplot', *{argv!r}]\n"
        "from lrplot.__main__ import main\n"
        "main()\n"
    )
    assert result.returncode == status, result.stderr
    assert result.stdout.startswith(stdout)
    assert "torn down" not in result.stderr  # Python's teardown was skipped
    assert "Traceback" not in result.stderr
