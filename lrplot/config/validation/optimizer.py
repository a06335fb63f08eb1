"""A config's ``optimizer:`` and its param groups, checked into an :class:`OptimizerSpec`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lrplot.config.file import child_key
from lrplot.config.keys import DEFAULT_LR, DEFAULT_OPTIMIZER, GROUP_NAME_PATTERN
from lrplot.config.spec import GroupSpec, OptimizerSpec
from lrplot.config.validation.arguments import Checks
from lrplot.errors import describe_value, excerpt, name_excerpt
from lrplot.schedulers.registry import Signature, did_you_mean, optimizer_classes, signature

_GROUP_NAME = re.compile(GROUP_NAME_PATTERN)


class OptimizerChecks(Checks):
    """``optimizer:`` and its ``param_groups:``, checked against the optimizer's signature."""

    def optimizer(self, raw: Any) -> OptimizerSpec:
        key = "optimizer"
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise self.error(
                key,
                f"expected a mapping such as {{type: Adam, lr: 0.1}}, got {describe_value(raw)}",
            )
        type_name = raw.get("type", DEFAULT_OPTIMIZER)
        classes = optimizer_classes()
        if not isinstance(type_name, str) or type_name not in classes:
            raise self.error(
                child_key(key, "type"),
                f"unknown optimizer {name_excerpt(type_name)}"
                f"{did_you_mean(str(type_name), list(classes))}; "
                f"torch.optim has: {', '.join(classes)}",
            )
        cls = classes[type_name]
        sig = signature(cls)
        written = {k: v for k, v in raw.items() if k not in ("type", "param_groups")}
        doubts: dict[str, str] = {}
        args = self.arguments(written, sig, key, type_name, doubts=doubts)
        if "lr" in sig.parameters and "lr" not in args:
            args["lr"] = DEFAULT_LR
        groups = self.groups(raw.get("param_groups", [{}]), sig, type_name, doubts)
        return OptimizerSpec(type_name=type_name, cls=cls, args=args, groups=groups, doubts=doubts)

    def groups(
        self, raw: Any, sig: Signature, type_name: str, doubts: dict[str, str]
    ) -> tuple[GroupSpec, ...]:
        key = "optimizer.param_groups"
        if not isinstance(raw, list) or not raw:
            raise self.error(
                key,
                "expected a non-empty list of mappings such as [{}, {lr: 0.01}], "
                f"got {describe_value(raw)}",
            )
        groups = []
        seen: set[str] = set()
        for index, group in enumerate(raw):
            group_key = child_key(key, index)
            if group is None:
                group = {}
            if not isinstance(group, Mapping):
                raise self.error(
                    group_key, f"expected a mapping of overrides, got {describe_value(group)}"
                )
            name = group.get("name", str(index))
            if not isinstance(name, str) or not _GROUP_NAME.match(name):
                raise self.error(
                    child_key(group_key, "name"),
                    f"expected a short name of letters, digits, '_', '.' or '-', "
                    f"got {excerpt(name)}",
                )
            if name in seen:
                raise self.error(child_key(group_key, "name"), f"two groups are named {name!r}")
            seen.add(name)
            overrides = {k: v for k, v in group.items() if k != "name"}
            args = self.arguments(
                overrides, sig, group_key, type_name, check_required=False, doubts=doubts
            )
            groups.append(GroupSpec(name=name, args=args))
        return tuple(groups)
