"""Baseline: the tutorial's own way to plot schedules, in one process.

For each example: an optimizer over one dummy tensor, the scheduler, a loop recording
param_groups[0]["lr"] before each scheduler.step(), then matplotlib.pyplot and savefig.
Usage: python tutorial_plots.py OUT_DIR [NAME ...]   (default: all ten examples)
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from torch.optim import SGD, Adam, lr_scheduler


def adam(p):
    return Adam(p, lr=0.1)


def sgd(p):
    return SGD(p, lr=0.1, momentum=0.9)


def cyclic(mode, **extra):
    return lambda o: lr_scheduler.CyclicLR(
        o, base_lr=0.001, max_lr=0.1, step_size_up=20, mode=mode, **extra
    )


EXAMPLES = {
    "LambdaLR": (adam, lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch)),
    "StepLR": (adam, lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.8)),
    "MultiStepLR": (adam, lambda o: lr_scheduler.MultiStepLR(o, milestones=[30, 80], gamma=0.1)),
    "ExponentialLR": (adam, lambda o: lr_scheduler.ExponentialLR(o, gamma=0.95)),
    "CosineAnnealingLR": (
        adam,
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
    ),
    "ReduceLROnPlateau": (
        adam,
        lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=10),
    ),
    "CyclicLR-1": (sgd, cyclic("triangular")),
    "CyclicLR-2": (sgd, cyclic("triangular2")),
    "CyclicLR-exp": (sgd, cyclic("exp_range", gamma=0.95)),
    "OneCycleLR": (
        sgd,
        lambda o: lr_scheduler.OneCycleLR(
            o, max_lr=0.1, total_steps=100, pct_start=0.3, anneal_strategy="cos"
        ),
    ),
}


def plot(name, out_dir, epochs=100):
    make_optimizer, make_scheduler = EXAMPLES[name]
    optimizer = make_optimizer([torch.tensor([1.0], requires_grad=True)])
    scheduler = make_scheduler(optimizer)
    lrs = []
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        if name == "ReduceLROnPlateau":
            scheduler.step(epoch)
        else:
            scheduler.step()
    plt.figure(figsize=(8, 4.5))
    plt.plot(range(epochs), lrs)
    plt.title(f"{name} with {type(optimizer).__name__}")
    plt.xlabel("Epoch")
    plt.ylabel("Learning Rate")
    plt.savefig(Path(out_dir) / f"{name}.png")
    plt.close()


if __name__ == "__main__":
    out = sys.argv[1]
    for example in sys.argv[2:] or list(EXAMPLES):
        plot(example, out)
