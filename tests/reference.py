"""A plain torch loop, written independently of lrplot, that the tests check lrplot against.

It reads a config's raw YAML and builds the optimizer and scheduler the way a user's own
script would. Expression strings become ordinary Python functions through ``eval``: this
is trusted test code evaluating the project's own configs, and Python's own semantics
are the oracle that lrplot's safe evaluator must agree with bit for bit.
"""

from __future__ import annotations

import importlib.util
import math
import random
import warnings
from pathlib import Path
from typing import Any

import torch
from torch.optim import lr_scheduler, swa_utils

_MATH = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
_GLOBALS = {"__builtins__": {}, "math": math, "min": min, "max": max, "abs": abs, "pow": pow}
_GLOBALS.update(_MATH)


def python_eval(text: str, variables: dict[str, Any]) -> Any:
    """The value of a config expression, evaluated by Python itself."""
    return eval(compile(text, "<config expression>", "eval"), _GLOBALS, variables)


def python_function(text: str, names: tuple[str, ...]) -> Any:
    """The expression as a Python function of one value bound to every name in ``names``."""
    return lambda value: python_eval(text, dict.fromkeys(names, value))


def synthetic_loss(steps: int, seed: int = 0) -> list[float]:
    """The synthetic metric exactly as the README and lrplot.metrics document it."""
    rng = random.Random(seed)
    return [
        0.1 + 0.9 * math.exp(-20.0 * s / steps) + 0.01 * (2.0 * rng.random() - 1.0)
        for s in range(steps)
    ]


def _function(value: Any, names: tuple[str, ...]) -> Any:
    return python_function(value, names) if isinstance(value, str) else value


def _scheduler_class(type_name: str, config_dir: Path) -> Any:
    if ":" in type_name:
        file_name, class_name = type_name.rsplit(":", 1)
        spec = importlib.util.spec_from_file_location("reference_custom", config_dir / file_name)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, class_name)
    if type_name == "SWALR":
        return swa_utils.SWALR
    return getattr(lr_scheduler, type_name)


def _build(raw: dict[str, Any], optimizer: Any, config_dir: Path) -> Any:
    args = {k: v for k, v in raw.items() if k not in ("type", "schedulers", "verbose")}
    if "lr_lambda" in args:  # an expression string becomes a function; anything else is as is
        value = args["lr_lambda"]
        args["lr_lambda"] = (
            [_function(v, ("epoch",)) for v in value]
            if isinstance(value, list)
            else _function(value, ("epoch",))
        )
    if "scale_fn" in args:
        args["scale_fn"] = _function(args["scale_fn"], ("x", "epoch"))
    cls = _scheduler_class(raw["type"], config_dir)
    if raw["type"] == "SequentialLR":
        children = [_build(child, optimizer, config_dir) for child in raw["schedulers"]]
        return cls(optimizer, children, **args)
    if raw["type"] == "ChainedScheduler":
        return cls([_build(child, optimizer, config_dir) for child in raw["schedulers"]])
    return cls(optimizer, **args)


def reference_run(raw: dict[str, Any], config_dir: Path) -> dict[str, Any]:
    """Run the config's schedule in a plain loop; lr/momentum lists per group, and metric."""
    epochs = raw.get("epochs", 100)
    steps = epochs * raw.get("steps_per_epoch", 1)
    options = dict(raw.get("optimizer") or {})
    optimizer_type = options.pop("type", "SGD")
    groups = options.pop("param_groups", [{}])
    options.setdefault("lr", 0.1)
    options = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
    params = [
        {"params": [torch.zeros(1, 1)], **{k: v for k, v in g.items() if k != "name"}}
        for g in groups
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = getattr(torch.optim, optimizer_type)(params, **options)
        scheduler = _build(raw["scheduler"], optimizer, config_dir)
        metric = None
        if raw["scheduler"]["type"] == "ReduceLROnPlateau":
            given = raw.get("metric")
            if given is None:
                metric = synthetic_loss(steps)
            elif isinstance(given, list):
                metric = [float(v) for v in given]
            else:
                per_epoch = raw.get("steps_per_epoch", 1)
                metric = [
                    float(python_eval(str(given), {"epoch": s // per_epoch, "step": s}))
                    for s in range(steps)
                ]
        lrs: list[list[float]] = [[] for _ in optimizer.param_groups]
        momenta: list[list[float]] = [[] for _ in optimizer.param_groups]
        for step in range(steps):
            for i, group in enumerate(optimizer.param_groups):
                lrs[i].append(group["lr"])
                if "betas" in group:
                    momenta[i].append(group["betas"][0])
                elif "momentum" in group:
                    momenta[i].append(group["momentum"])
            if metric is None:
                scheduler.step()
            else:
                scheduler.step(metric[step])
    return {"lr": lrs, "momentum": momenta, "metric": metric}
