"""The facts table against torch's own source: every argument torch takes per param group
is accepted as a list, one value per group, and gives torch's numbers bit for bit."""

from __future__ import annotations

import ast
import csv
import inspect
import io
import json
import textwrap
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.schedulers.facts import SCHEDULERS, scheduler_facts
from lrplot.schedulers.registry import scheduler_classes
from tests.reference import reference_run


def per_group_in_torch(cls: type) -> set[str]:
    """The arguments of ``cls.__init__`` that torch's own code treats per param group:
    passed to ``_format_param`` or checked with ``isinstance(arg, (list, tuple))``. Read
    from torch's source, independently of lrplot's table."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))  # type: ignore[misc]
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    params = {a.arg for a in function.args.args}
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        first = node.args[0] if node.args else None
        if node.func.id == "_format_param" and isinstance(first, ast.Constant):
            found.add(str(first.value))
        if node.func.id == "isinstance" and isinstance(first, ast.Name) and first.id in params:
            kinds = node.args[1]
            names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
            if {getattr(n, "id", None) for n in names} & {"list", "tuple"}:
                found.add(first.id)
    return found


PER_GROUP = sorted(
    (name, argument)
    for name, cls in scheduler_classes().items()
    for argument in per_group_in_torch(cls)
)

# Two values, one per param group, for each argument torch takes per group.
TWO_VALUES: dict[str, list[Any]] = {
    "base_lr": [0.001, 0.002],
    "max_lr": [0.1, 0.05],
    "base_momentum": [0.8, 0.85],
    "max_momentum": [0.95, 0.9],
    "min_lr": [0.02, 0.001],
    "swa_lr": [0.01, 0.02],
    "lr_lambda": ["0.95 ** epoch", "1 / (1 + epoch)"],
}
# The rest of a config for each class, kept small and lively.
BASE: dict[str, dict[str, Any]] = {
    "CyclicLR": {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 5},
    "OneCycleLR": {"max_lr": 0.1, "total_steps": 30},
    "ReduceLROnPlateau": {"factor": 0.5, "patience": 2},
    "SWALR": {"swa_lr": 0.05, "anneal_epochs": 5},
    "LambdaLR": {"lr_lambda": "0.9 ** epoch"},
    "MultiplicativeLR": {"lr_lambda": "0.9"},
}


def test_the_table_names_every_argument_torch_takes_per_group() -> None:
    for name, cls in scheduler_classes().items():
        assert set(scheduler_facts(name).per_group) == per_group_in_torch(cls), name
    assert set(SCHEDULERS) <= set(scheduler_classes())


@pytest.mark.parametrize(("scheduler", "argument"), PER_GROUP)
def test_a_list_per_param_group_gives_torchs_numbers(
    scheduler: str, argument: str, runner: CliRunner, tmp_path: Path
) -> None:
    arguments = {**BASE[scheduler], argument: TWO_VALUES[argument]}
    raw = {
        "epochs": 30,
        "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9, "param_groups": [{}, {}]},
        "scheduler": {"type": scheduler, **arguments},
    }
    if scheduler == "ReduceLROnPlateau":
        raw["metric"] = [1.0] * 30  # never improves: the lr falls to each group's floor
        raw["silence"] = ["metric-never-improves"]
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw))
    result = runner.invoke(cli, ["render", str(config), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # accepted as it is, without a notice
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = reference_run(raw, tmp_path)
    for group in (0, 1):
        assert [float(r[f"lr_{group}"]) for r in rows] == expected["lr"][group]
    if "momentum_0" in rows[0]:
        for group in (0, 1):
            assert [float(r[f"momentum_{group}"]) for r in rows] == expected["momentum"][group]
    differs = "momentum" if "momentum" in argument else "lr"
    assert expected[differs][0] != expected[differs][1]  # the two values made a difference


@pytest.mark.parametrize(("scheduler", "argument"), PER_GROUP)
def test_a_list_of_the_wrong_length_names_the_groups(
    scheduler: str, argument: str, runner: CliRunner, write_config
) -> None:
    others = [f"  {k}: {json.dumps(v)}\n" for k, v in BASE[scheduler].items() if k != argument]
    config = write_config(
        "epochs: 30\noptimizer: {type: SGD, momentum: 0.9}\n"
        f"scheduler:\n  type: {scheduler}\n"
        + "".join(others)
        + f"  {argument}: {json.dumps(TWO_VALUES[argument])}\n"
    )
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.exit_code == 1
    line = 5 + len(others)
    assert result.stderr == (
        f"Error: {config}: scheduler.{argument}: 2 values given, one per param group, but the "
        f"optimizer has 1 group; give 1 or a single value for all (line {line})\n"
    )


def test_a_new_trait_is_one_edit_of_the_table(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, write_config
) -> None:
    """Say CosineAnnealingLR needed the run's length, as OneCycleLR does: validation, the
    schema, lrplot list and the docs all follow from its row of the table."""
    from dataclasses import replace

    from lrplot.config.schema import config_schema
    from lrplot.reference import schedulers

    facts = replace(SCHEDULERS["CosineAnnealingLR"], needs_length=True, summary="made up")
    monkeypatch.setitem(cast(dict[str, Any], SCHEDULERS), "CosineAnnealingLR", facts)
    config = write_config("scheduler: {type: CosineAnnealingLR, T_max: 10}\n")
    result = runner.invoke(cli, ["validate", str(config)])
    assert result.stderr == (
        f"Error: {config}: scheduler.total_steps: missing: CosineAnnealingLR needs total_steps "
        "(or epochs and steps_per_epoch); this config plots 100 steps, so total_steps: 100 "
        "(line 1)\n"
    )
    cases = config_schema()["$defs"]["scheduler"]["allOf"]
    case = next(c for c in cases if c["if"]["properties"]["type"]["const"] == "CosineAnnealingLR")
    assert case["then"]["anyOf"][0] == {"required": ["total_steps"]}
    assert "In short: made up." in runner.invoke(cli, ["list", "CosineAnnealingLR"]).stdout
    assert "Made up.\n\n- arguments: `T_max, eta_min=0.0`\n- needs `total_steps`" in schedulers()


def test_the_horizons_and_rates_are_arguments_each_scheduler_takes() -> None:
    """The warnings read these arguments by name (lrplot/checks/mistakes.py): a name torch or
    transformers does not take would leave a warning silent."""
    from lrplot.schedulers.facts import TRANSFORMERS_SCHEDULES
    from lrplot.schedulers.registry import Maker, scheduler_signature, transformers_schedules

    makers: dict[str, Maker] = {**scheduler_classes(), **transformers_schedules()}
    for name, facts in {**SCHEDULERS, **TRANSFORMERS_SCHEDULES}.items():
        named = [*facts.horizons, *([facts.rate] if facts.rate else [])]
        if not named:
            continue
        assert set(named) <= set(scheduler_signature(makers[name]).parameters), name
