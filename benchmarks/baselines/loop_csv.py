"""Baseline: a plain torch loop recording OneCycleLR per batch, written with csv.writer.

Rows are kept as a list of tuples of Python floats, then written, as a script would.
Usage: python loop_csv.py OUT.csv STEPS
"""

import csv
import sys

import torch
from torch.optim import SGD
from torch.optim.lr_scheduler import OneCycleLR

out, steps = sys.argv[1], int(sys.argv[2])
steps_per_epoch = 1000
optimizer = SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=steps)
rows = []
for step in range(steps):
    group = optimizer.param_groups[0]
    rows.append((step // steps_per_epoch, step, group["lr"], group["momentum"]))
    scheduler.step()
with open(out, "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["epoch", "step", "lr", "momentum"])
    writer.writerows(rows)
