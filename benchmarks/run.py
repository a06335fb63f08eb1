"""lrplot's speed and memory against what users would otherwise run, as whole processes.

Each case runs lrplot and its baseline alternately, REPS times, in fresh processes; the
table shows medians of wall time and peak RSS (from os.wait4) and their ratios, with the
target each ratio must meet. Run from the repository: `make bench` or
`.venv/bin/python benchmarks/run.py [--reps N] [--quick] [--only TEXT]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "benchmarks" / "baselines"
PY = sys.executable
LRPLOT = str(Path(sys.executable).with_name("lrplot"))
TUTORIAL = [
    "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "ReduceLROnPlateau", "CyclicLR-1", "CyclicLR-2", "CyclicLR-exp", "OneCycleLR",
]  # fmt: skip


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


def run(command: Sequence[str]) -> Run:
    """Run a command to completion; its wall time and peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return Run(seconds, usage.ru_maxrss / 1024)


@dataclass
class Case:
    name: str
    lrplot: Callable[[Path], list[str]]
    baseline: Callable[[Path], list[str]] | None
    target: str
    check: Callable[[list[Run], list[Run]], bool]
    runs: list[Run] = field(default_factory=list)
    baseline_runs: list[Run] = field(default_factory=list)


def median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in runs)


def ratio(case: Case, attribute: str) -> float:
    return median(case.runs, attribute) / median(case.baseline_runs, attribute)


def make_configs(folder: Path, steps: int) -> dict[str, Path]:
    """The benchmark configs: the ten tutorial examples, and long one-cycle schedules."""
    tutorial = folder / "tutorial"
    tutorial.mkdir()
    for name in TUTORIAL:
        shutil.copy(ROOT / "configs" / "tutorial" / f"{name}.yaml", tutorial)
    paths = {"tutorial": tutorial}
    for count in {100, 10_000, 1_000_000, 10_000_000, steps}:
        per_epoch = 100 if count <= 100 else 1000
        path = folder / f"onecycle-{count}.yaml"
        path.write_text(
            f"epochs: {count // per_epoch}\nsteps_per_epoch: {per_epoch}\n"
            "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
            f"scheduler: {{type: OneCycleLR, max_lr: 0.1, total_steps: {count}}}\n"
        )
        paths[f"onecycle-{count}"] = path
        resumed = folder / f"onecycle-{count}-resumed.yaml"
        resumed.write_text(path.read_text() + f"resume_at: {count // 2}\n")
        paths[f"onecycle-{count}-resumed"] = resumed
    training = folder / "training-run.yaml"
    training.write_text(
        f"epochs: {steps // 1000}\nsteps_per_epoch: 1000\noptimizer: {{type: AdamW, lr: 1.0e-3}}\n"
        "schedulers:\n"
        f"  - {{type: LinearLR, start_factor: 0.01, total_iters: {steps // 10}}}\n"
        "  - {type: ReduceLROnPlateau, factor: 0.5, patience: 2, interval: epoch}\n"
        "metric: '1.0 / (1 + epoch) if epoch < 20 else 0.05'\n"
    )
    paths["training-run"] = training
    return paths


def fresh(parent: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=parent))


def cases(configs: dict[str, Path], scratch: Path, steps: int) -> list[Case]:
    import_torch = [PY, "-c", "import torch"]
    schedulers = sorted(str(p) for p in (ROOT / "configs" / "schedulers").glob("*.yaml"))
    torch_docs = lambda d: [PY, str(BASELINES / "torch_docs_gallery.py"), str(fresh(d))]  # noqa: E731
    step_lr = str(ROOT / "configs" / "tutorial" / "StepLR.yaml")
    hf_cosine = str(ROOT / "configs" / "transformers" / "get_cosine_schedule_with_warmup.yaml")
    lambda_lr = str(ROOT / "configs" / "tutorial" / "LambdaLR.yaml")
    native = str(ROOT / "configs" / "native" / "training_args.yaml")
    long = str(configs[f"onecycle-{steps}"])
    rerun_gallery = scratch / "rerun"
    subprocess.run([LRPLOT, "gallery", str(configs["tutorial"]), "-o", str(rerun_gallery)],
                   check=True, capture_output=True)  # fmt: skip
    within = lambda limit: lambda runs, base: ratio_of(runs, base) <= limit  # noqa: E731

    def ratio_of(runs: list[Run], base: list[Run]) -> float:
        return median(runs, "seconds") / median(base, "seconds")

    return [
        Case("lrplot --help  vs  import torch", lambda _: [LRPLOT, "--help"],
             lambda _: import_torch, "<= 0.1x", within(0.1)),
        Case("lrplot --version  vs  import torch", lambda _: [LRPLOT, "--version"],
             lambda _: import_torch, "<= 0.1x", within(0.1)),
        Case("one tutorial PNG  vs  tutorial script",
             lambda d: [LRPLOT, "render", step_lr, "-o", str(fresh(d) / "StepLR.png")],
             lambda d: [PY, str(BASELINES / "tutorial_plots.py"), str(fresh(d)), "StepLR"],
             "<= 0.6x", within(0.6)),
        Case("a transformers schedule PNG  vs  a torch one (LambdaLR)",
             lambda d: [LRPLOT, "render", hf_cosine, "-o", str(fresh(d) / "hf.png")],
             lambda d: [LRPLOT, "render", lambda_lr, "-o", str(fresh(d) / "torch.png")],
             "<= 1.5x", within(1.5)),
        Case("a native TrainingArguments render PNG  vs  a torch one (LambdaLR)",
             lambda d: [LRPLOT, "render", native, "-o", str(fresh(d) / "native.png")],
             lambda d: [LRPLOT, "render", lambda_lr, "-o", str(fresh(d) / "torch.png")],
             "<= 1.5x", within(1.5)),
        Case("gallery of the ten (PNG+SVG+CSV)  vs  ten tutorial PNGs, one process",
             lambda d: [LRPLOT, "gallery", str(configs["tutorial"]), "-o", str(fresh(d))],
             lambda d: [PY, str(BASELINES / "tutorial_plots.py"), str(fresh(d))],
             "<= 0.7x", within(0.7)),
        Case("render configs/schedulers/*.yaml -f png  vs  torch's docs gallery script",
             lambda d: [LRPLOT, "render", *schedulers, "-o", f"{fresh(d)}/", "-f", "png"],
             torch_docs, "<= 0.5x", within(0.5)),
        Case("gallery configs/schedulers (PNG+SVG+CSV, index)  vs  torch's docs gallery script",
             lambda d: [LRPLOT, "gallery", str(ROOT / "configs" / "schedulers"), "-o",
                        str(fresh(d))],
             torch_docs, "<= 0.55x", within(0.55)),
        Case(f"OneCycleLR {steps:,} steps to CSV  vs  loop + csv.writer",
             lambda d: [LRPLOT, "render", long, "-o", str(fresh(d) / "s.csv")],
             lambda d: [PY, str(BASELINES / "loop_csv.py"), str(fresh(d) / "s.csv"), str(steps)],
             "<= 0.6x time and RSS",
             lambda runs, base: ratio_of(runs, base) <= 0.6
             and median(runs, "peak_mb") <= 0.6 * median(base, "peak_mb")),
        Case(f"OneCycleLR {steps:,} steps resumed halfway, to CSV  vs  the same not resumed",
             lambda d: [LRPLOT, "render", str(configs[f"onecycle-{steps}-resumed"]), "-o",
                        str(fresh(d) / "s.csv")],
             lambda d: [LRPLOT, "render", long, "-o", str(fresh(d) / "s.csv")],
             "<= 2x", within(2.0)),
        Case(f"warm-up per batch + plateau per epoch, {steps:,} steps to CSV  vs  loop + csv",
             lambda d: [LRPLOT, "render", str(configs["training-run"]), "-o",
                        str(fresh(d) / "s.csv")],
             lambda d: [PY, str(BASELINES / "training_loop_csv.py"), str(fresh(d) / "s.csv"),
                        str(steps)],
             "<= 1x", within(1.0)),
        Case(f"OneCycleLR {steps:,} steps to PNG  vs  the same to CSV",
             lambda d: [LRPLOT, "render", long, "-o", str(fresh(d) / "s.png")],
             lambda d: [LRPLOT, "render", long, "-o", str(fresh(d) / "s.csv")],
             "<= +0.5 s",
             lambda runs, base: median(runs, "seconds") - median(base, "seconds") <= 0.5),
        Case("gallery re-run, nothing changed",
             lambda _: [LRPLOT, "gallery", str(configs["tutorial"]), "-o", str(rerun_gallery)],
             None, "< 0.3 s", lambda runs, _: median(runs, "seconds") < 0.3),
    ]  # fmt: skip


def per_step(reps: int, steps: int) -> tuple[float, float]:
    """Median seconds of a bare scheduler.step() loop and of lrplot's simulate()."""
    bare, ours = [], []
    for _ in range(reps):
        for mode, into in (("bare", bare), ("lrplot", ours)):
            out = subprocess.run(
                [PY, str(BASELINES / "step_loop.py"), mode, str(steps)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            into.append(float(out.stdout.split()[-1]))
    return statistics.median(bare), statistics.median(ours)


def scaling(configs: dict[str, Path], scratch: Path, reps: int) -> list[tuple[int, Run]]:
    rows = []
    for count in (100, 10_000, 1_000_000, 10_000_000):
        runs = [
            run([LRPLOT, "render", str(configs[f"onecycle-{count}"]), "-o",
                 str(fresh(scratch) / "s.csv")])
            for _ in range(reps)
        ]  # fmt: skip
        rows.append((count, Run(median(runs, "seconds"), median(runs, "peak_mb"))))
    return rows


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, torch {version('torch')}, "
        f"matplotlib {version('matplotlib')}, lrplot {version('lrplot')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="runs per command (median)")
    parser.add_argument("--quick", action="store_true", help="3 reps, 1e5-step long case")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling table")
    parser.add_argument(
        "--only",
        metavar="TEXT",
        help="run only the cases whose name contains TEXT (case-insensitive), without the "
        "per-step and scaling measurements",
    )
    args = parser.parse_args()
    reps = 3 if args.quick else args.reps
    steps = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="lrplot-bench-") as tmp:
        scratch = Path(tmp)
        configs = make_configs(scratch, steps)
        todo = [
            case
            for case in cases(configs, scratch, steps)
            if args.only is None or args.only.lower() in case.name.lower()
        ]
        if not todo:
            raise SystemExit(f"no case's name contains {args.only!r}")
        for rep in range(reps):
            for case in todo:
                pair = [("ours", case.lrplot)]
                if case.baseline:
                    pair.append(("base", case.baseline))
                for side, command in pair if rep % 2 == 0 else reversed(pair):
                    result = run(command(scratch))
                    (case.runs if side == "ours" else case.baseline_runs).append(result)
        bare, ours = per_step(reps, steps) if args.only is None else (0.0, 0.0)
        growth = []
        if not args.no_scaling and args.only is None:
            growth = scaling(configs, scratch, max(1, reps // 2))

    print(f"Machine: {machine()}")
    print(f"Medians of {reps} runs each, lrplot and baseline alternating, whole processes.\n")
    print(
        "| case | lrplot s | baseline s | ratio | lrplot MB | baseline MB | MB ratio "
        "| target | met |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | :-: |"
    )
    for case in todo:
        s, mb = median(case.runs, "seconds"), median(case.runs, "peak_mb")
        if case.baseline_runs:
            bs, bmb = median(case.baseline_runs, "seconds"), median(case.baseline_runs, "peak_mb")
            cells = f"{bs:.3f} | {s / bs:.2f} | {mb:.0f} | {bmb:.0f} | {mb / bmb:.2f}"
        else:
            cells = f"- | - | {mb:.0f} | - | -"
        met = "yes" if case.check(case.runs, case.baseline_runs) else "**no**"
        print(f"| {case.name} | {s:.3f} | {cells} | {case.target} | {met} |")
    if bare:
        overhead = (ours - bare) / steps * 1e6
        print(
            f"\nPer step, OneCycleLR, {steps:,} steps in-process: bare scheduler.step() loop "
            f"{bare / steps * 1e6:.2f} us, lrplot's simulate() {ours / steps * 1e6:.2f} us "
            f"(overhead {overhead:+.2f} us, {ours / bare - 1:+.0%}; target <= +20%)."
        )
    if growth:
        print("\n| steps | seconds | peak MB | MB over 100 steps, per step |")
        print("| ---: | ---: | ---: | ---: |")
        base_mb = growth[0][1].peak_mb
        for count, result in growth:
            per = (result.peak_mb - base_mb) * 2**20 / count
            print(f"| {count:,} | {result.seconds:.2f} | {result.peak_mb:.0f} | {per:.1f} B |")


if __name__ == "__main__":
    main()
