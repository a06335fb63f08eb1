"""What every check of a config shares: errors and notices located by key, and arguments
checked against a signature."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrplot.config.annotations import is_per_group, judge_value, widened_per_group
from lrplot.config.expressions import Expression, compile_expression
from lrplot.config.file import ConfigDocument, child_key
from lrplot.config.keys import CONFIG, show_whole
from lrplot.errors import ConfigError
from lrplot.schedulers.facts import NO_FACTS, SchedulerFacts
from lrplot.schedulers.registry import Signature, did_you_mean


class Checks:
    """What every kind of check shares: the document checked, its errors and notices
    located by key, and the arguments a class's signature takes."""

    def __init__(
        self, document: ConfigDocument, *, base_dir: Path | None, allow_import: bool
    ) -> None:
        self.document = document
        self.source = document.source
        self.base_dir = base_dir
        self.allow_import = allow_import
        self.notices: list[str] = []
        self.group_count = 0

    def error(self, key: str, message: str) -> ConfigError:
        return self.document.error(key, message)

    def notice(self, key: str, message: str) -> None:
        self.notices.append(f"{self.source}: {key}: {message}")

    def arguments(
        self,
        written: Mapping[str, Any],
        sig: Signature,
        key: str,
        owner: str,
        *,
        check_required: bool = True,
        per_group: int = 0,
        facts: SchedulerFacts = NO_FACTS,
        doubts: dict[str, str],
    ) -> dict[str, Any]:
        """The arguments ``written`` for ``owner``, checked against its signature.

        A value that does not fit torch's type hint is not refused here: torch's hints
        are narrower than what it runs (``step_size: 10.5``). It is passed on as written
        and its problem recorded in ``doubts`` (by key path), for torch to decide: if
        torch fails, the problem is the error; if not, it is a notice."""
        args: dict[str, Any] = {}
        for name, value in written.items():
            arg_key = child_key(key, name)
            huge = _past_floats(value, arg_key)
            if huge is not None:
                raise self.error(
                    huge[0],
                    f"{show_whole(huge[1])} is past the largest float (about 1.8e308); "
                    f"{owner} computes with floats",
                )
            param = sig.parameters.get(name)
            if param is None and not sig.takes_any:
                raise self.error(arg_key, _unknown_argument(name, owner, sig, facts.nested))
            annotation = param.annotation if param else None
            if name in facts.per_group:
                annotation = widened_per_group(annotation)
            converted, problem = judge_value(
                value, annotation, key=arg_key, expression=self.expression_factory(facts, name)
            )
            args[name] = converted
            if problem is not None:
                doubts[arg_key] = problem
            groups_given = isinstance(value, list) and (
                name in facts.per_group or is_per_group(annotation)
            )
            if per_group and groups_given and len(value) != per_group:
                doubts[arg_key] = (  # torch checks it only where it uses it
                    f"{len(value)} values given, one per param group, but the optimizer "
                    f"has {per_group} group{'s' if per_group > 1 else ''}; give "
                    f"{per_group} or a single value for all"
                )
        if check_required:
            for param in sig.parameters.values():
                if param.required and param.name not in written:
                    takes = _takes(owner, sig, nested=facts.nested)
                    raise self.error(
                        child_key(key, param.name),
                        f"missing: {owner} needs {param.name}; {owner} takes: {takes}",
                    )
        return args

    def expression_factory(self, facts: SchedulerFacts, name: str) -> Any:
        variables = facts.expressions.get(name, ("epoch",))

        def make(value: Any, key: str) -> Expression:
            return compile_expression(value, variables=variables, key=key)

        return make


def _unknown_argument(name: str, owner: str, sig: Signature, nested: bool) -> str:
    if name in CONFIG:  # `steps_per_epoch:` indented under `scheduler:`
        return (
            f"{name} is a top-level key, not an argument of {owner}: move it out to the "
            f"start of a line, beside `scheduler:`; {owner} takes: "
            f"{_takes(owner, sig, nested=nested)}"
        )
    return (
        f"unknown argument of {owner}{did_you_mean(name, list(sig.parameters))}; "
        f"{owner} takes: {_takes(owner, sig, nested=nested)}"
    )


def _takes(owner: str, sig: Signature, *, nested: bool = False) -> str:
    """The arguments of ``owner`` for a message: a nested scheduler's ``schedulers`` too."""
    if not nested:
        return sig.describe()
    rest = sig.describe()
    return "schedulers" if rest == "no arguments" else f"schedulers, {rest}"


def _past_floats(value: Any, key: str) -> tuple[str, int] | None:
    """The key path and value of the first integer in ``value`` no float holds (a
    400-digit number in JSON), if any."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (key, value) if abs(value) > sys.float_info.max else None
    items: Any = ()
    if isinstance(value, list):
        items = enumerate(value)
    elif isinstance(value, Mapping):
        items = value.items()
    for name, item in items:
        found = _past_floats(item, child_key(key, name))
        if found is not None:
            return found
    return None
