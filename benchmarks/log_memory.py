"""Peak memory of reading large logs: 64 MiB files through ``compare`` and a metric file.

Each case writes its file (of :data:`~lrplot.limits.MAX_LOG_BYTES`, the largest read),
runs lrplot on it in a fresh process and prints wall time and peak RSS (from os.wait4).
Run from the repository: `.venv/bin/python benchmarks/log_memory.py [--mib N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LRPLOT = os.environ.get("LRPLOT", str(Path(sys.executable).with_name("lrplot")))


def blank_lines(folder: Path, size: int) -> list[str]:
    """A Lightning log of one row, then blank lines, through ``compare``."""
    head = b"epoch,step,lr-SGD\n0,0,0.1\n"
    (folder / "metrics.csv").write_bytes(head + b"\n" * (size - len(head)))
    return ["compare", "metrics.csv", "-o", "out.csv"]


def metric_csv(folder: Path, size: int) -> list[str]:
    """A one-step config fed a 64 MiB metric CSV, rendered."""
    head = b"loss\n"
    (folder / "m.csv").write_bytes(head + b"0.5\n" * ((size - len(head)) // 4))
    (folder / "one.yaml").write_text(
        "epochs: 1\nscheduler: {type: ReduceLROnPlateau}\nmetric: {file: m.csv, column: loss}\n"
    )
    return ["render", "one.yaml", "-o", "out.csv"]


def trainer_state(folder: Path, size: int) -> list[str]:
    """A 64 MiB trainer_state.json (an lr logged at each step), through ``compare``."""
    with (folder / "trainer_state.json").open("w") as out:
        out.write('{"log_history": [')
        written, step = 20, 0
        while True:
            event = json.dumps(
                {"epoch": step / 1000, "learning_rate": 1e-4, "loss": 1.5, "step": step}
            )
            if written + len(event) + 4 > size:
                break
            out.write(("," if step else "") + event)
            written += len(event) + 1
            step += 1
        out.write("]}")
    return ["compare", "trainer_state.json", "-o", "out.csv"]


CASES: dict[str, Callable[[Path, int], list[str]]] = {
    "64 MiB of blank lines, compare": blank_lines,
    "one-step config, 64 MiB metric CSV, render": metric_csv,
    "64 MiB trainer_state.json, compare": trainer_state,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=64, help="size of each file (MiB)")
    args = parser.parse_args()
    for name, make in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            command = make(Path(folder), args.mib * 2**20)
            start = time.perf_counter()
            process = subprocess.Popen(
                [LRPLOT, *command], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            assert process.stderr is not None
            said = process.stderr.read().decode(errors="replace").strip().splitlines()
            process.stderr.close()
            outcome = "ok" if os.waitstatus_to_exitcode(status) == 0 else f"exit: {said[-1:]}"
            print(f"{name:45} {seconds:7.2f} s {usage.ru_maxrss / 1024:9.1f} MB  {outcome}")


if __name__ == "__main__":
    main()
