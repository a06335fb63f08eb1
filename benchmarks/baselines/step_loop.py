"""Per-step cost: a bare scheduler.step() loop, or lrplot's simulate(), timed in-process.

Prints the loop's seconds. Usage: python step_loop.py bare|lrplot STEPS
"""

import sys
import time
import warnings

mode, steps = sys.argv[1], int(sys.argv[2])
if mode == "bare":
    import torch
    from torch.optim import SGD
    from torch.optim.lr_scheduler import OneCycleLR

    warnings.simplefilter("ignore")
    optimizer = SGD([torch.zeros(1, 1)], lr=0.1, momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=steps)
    step = scheduler.step
    started = time.perf_counter()
    for _ in range(steps):
        step()
    print(time.perf_counter() - started)
else:
    import lrplot

    spec = lrplot.parse_spec(
        data={
            "epochs": steps // 1000,
            "steps_per_epoch": 1000,
            "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9},
            "scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": steps},
        }
    )
    import torch

    started = time.perf_counter()
    lrplot.simulate(spec=spec)
    print(time.perf_counter() - started)
