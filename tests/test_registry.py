"""Reading torch's classes and signatures."""

from __future__ import annotations

from lrplot.registry import closest, optimizer_classes, scheduler_classes, signature


def test_closest_prefers_a_case_insensitive_match() -> None:
    names = list(scheduler_classes())
    assert closest("StepLr", names) == "StepLR"
    assert closest("steplr", names) == "StepLR"
    assert closest("CosineAnealingLR", names) == "CosineAnnealingLR"
    assert closest("Zzz", names) is None


def test_signatures_skip_the_optimizer_and_keep_defaults() -> None:
    sig = signature(scheduler_classes()["StepLR"])
    assert list(sig.parameters) == ["step_size", "gamma", "last_epoch"]
    assert sig.parameters["step_size"].required
    assert "last_epoch" in sig.parameters  # accepted, but not offered in messages
    assert sig.describe() == "step_size, gamma=0.1"


def test_unannotated_arguments_take_their_defaults_type() -> None:
    sig = signature(scheduler_classes()["SWALR"])
    assert sig.parameters["anneal_epochs"].annotation == "int"


def test_optimizers_are_read_from_torch() -> None:
    names = optimizer_classes()
    assert {"SGD", "Adam", "AdamW", "RMSprop"} <= set(names)
    assert "Optimizer" not in names
    assert "params" not in signature(names["SGD"]).parameters
