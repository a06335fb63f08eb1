"""Baseline: a plain training loop, a warm-up stepped every batch and ReduceLROnPlateau
once per epoch, recording the lr per batch, written with csv.writer.

Usage: python training_loop_csv.py OUT.csv STEPS
"""

import csv
import sys

import torch
from torch.optim import AdamW
from torch.optim.lr_scheduler import LinearLR, ReduceLROnPlateau

out, steps = sys.argv[1], int(sys.argv[2])
steps_per_epoch = 1000
optimizer = AdamW([torch.zeros(1, requires_grad=True)], lr=1e-3)
warm_up = LinearLR(optimizer, start_factor=0.01, total_iters=steps // 10)
plateau = ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
rows = []
for epoch in range(steps // steps_per_epoch):
    for i in range(steps_per_epoch):
        rows.append((epoch, epoch * steps_per_epoch + i, optimizer.param_groups[0]["lr"]))
        warm_up.step()
    plateau.step(1.0 / (1 + epoch) if epoch < 20 else 0.05)
with open(out, "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["epoch", "step", "lr"])
    writer.writerows(rows)
