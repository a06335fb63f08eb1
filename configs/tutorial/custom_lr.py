"""The tutorial's custom scheduler: linear decay for 10 epochs, then 10% of the base lr."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler


class CustomLR(LRScheduler):
    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch)
        self.base_lrs = [0.1]

    def get_lr(self) -> list[float]:  # type: ignore[override]
        if self.last_epoch < 10:
            return [base_lr * (1 - 0.1 * self.last_epoch) for base_lr in self.base_lrs]
        return [base_lr * 0.1 for base_lr in self.base_lrs]
