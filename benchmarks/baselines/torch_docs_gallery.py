"""Baseline: PyTorch's own gallery of scheduler pictures, made the way its docs make it.

What pytorch/pytorch's docs/source/scripts/build_lr_scheduler_images.py does, written
anew: in one process, matplotlib.pyplot on the Agg backend and an SGD optimizer over a
Linear(10, 1); for each of 15 schedulers, the lr reset to 0.1, 100 epochs stepped with
param_groups[0]["lr"] recorded before each step (ReduceLROnPlateau fed a random loss),
then one figure cleared and drawn again: grid, line, title, axis labels, x limits, and
savefig to <Scheduler>.png in the folder given.
Usage: python torch_docs_gallery.py OUT_DIR
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as sched

EPOCHS = 100


def makers(epochs, shared):
    """Each scheduler the docs picture, as a function of the optimizer. ChainedScheduler
    and SequentialLR both wrap ``shared``: as in the docs' script, one ConstantLR and one
    ExponentialLR made up front on the same optimizer."""
    return [
        lambda o: sched.LambdaLR(o, lr_lambda=lambda epoch: 1 - epoch / epochs),
        lambda o: sched.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.95),
        lambda o: sched.StepLR(o, step_size=30, gamma=0.1),
        lambda o: sched.MultiStepLR(o, milestones=[30, 80], gamma=0.1),
        lambda o: sched.ConstantLR(o, factor=0.5, total_iters=4),
        lambda o: sched.LinearLR(o, start_factor=0.5, total_iters=4),
        lambda o: sched.ExponentialLR(o, gamma=0.95),
        lambda o: sched.PolynomialLR(o, total_iters=4, power=1.0),
        lambda o: sched.CosineAnnealingLR(o, T_max=epochs),
        lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=20),
        lambda o: sched.CyclicLR(o, base_lr=0.01, max_lr=0.1),
        lambda o: sched.OneCycleLR(o, max_lr=0.01, epochs=epochs, steps_per_epoch=10),
        lambda o: sched.ReduceLROnPlateau(o, mode="min"),
        lambda o: sched.ChainedScheduler(shared),
        lambda o: sched.SequentialLR(o, schedulers=shared, milestones=[2]),
    ]


def learning_rates(optimizer, scheduler, epochs):
    """The lr before each of ``epochs`` steps."""
    seen = []
    for _ in range(epochs):
        seen.append(optimizer.param_groups[0]["lr"])
        if isinstance(scheduler, sched.ReduceLROnPlateau):
            scheduler.step(torch.randn(1).item())  # a made-up validation loss
        else:
            scheduler.step()
    return seen


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    optimizer = SGD(torch.nn.Linear(10, 1).parameters(), lr=0.1)
    shared = [
        sched.ConstantLR(optimizer, factor=0.1, total_iters=2),
        sched.ExponentialLR(optimizer, gamma=0.9),
    ]
    for make in makers(EPOCHS, shared):
        plt.clf()
        plt.grid(color="k", alpha=0.2, linestyle="--")
        optimizer.param_groups[0]["lr"] = 0.1
        scheduler = make(optimizer)
        name = type(scheduler).__name__
        plt.plot(range(EPOCHS), learning_rates(optimizer, scheduler, EPOCHS))
        plt.title(f"Learning Rate: {name}")
        plt.xlabel("Epoch")
        plt.ylabel("Learning Rate")
        plt.xlim([0, EPOCHS])
        plt.savefig(out / f"{name}.png")


if __name__ == "__main__":
    main(sys.argv[1])
