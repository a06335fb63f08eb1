"""lrplot schema: a valid JSON Schema that accepts every config and rejects structural mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.config.catalog import example_config
from lrplot.config.file import parse_config_text
from lrplot.config.schema import config_schema
from lrplot.schedulers.deepspeed import deepspeed_schedulers
from lrplot.schedulers.mmengine import mmengine_schedulers
from lrplot.schedulers.registry import (
    optimizer_classes,
    plottable_transformers_schedules,
    scheduler_classes,
)
from lrplot.schedulers.timm import timm_schedulers
from tests.conftest import CONFIG_FILES, DATA_DIR, config_id

# Corpus files whose mistake is structural; the others need lrplot itself to find (an
# expression's content, torch's own checks at run time, importing code, YAML syntax).
SCHEMA_REJECTS = {
    "epochs-negative", "epochs-text", "epochs-zero", "expression-not-text", "missing-argument",
    "missing-scheduler", "nested-bad-child", "nested-without-schedulers", "not-a-mapping",
    "onecycle-without-total-steps", "param-group-unknown-key", "param-groups-not-a-list",
    "quoted-number", "scheduler-not-a-mapping", "scheduler-without-type", "steps-per-epoch-zero",
    "title-not-text", "unknown-argument", "unknown-optimizer", "unknown-scheduler",
    "unknown-top-level-key", "wrong-choice", "wrong-list", "wrong-type-integer",
    "wrong-type-number", "interval-unknown", "interval-on-nested", "scheduler-and-schedulers",
    "schedulers-empty", "frequency-zero", "metric-file-column-and-key",
    "steps-data-missing-batch-size", "steps-data-unknown-key",
}  # fmt: skip


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def data_of(path: Path) -> object:
    return parse_config_text(path.read_text(), source=str(path)).data


@pytest.mark.parametrize("config", CONFIG_FILES, ids=config_id)
def test_every_config_is_valid(config: Path, validator) -> None:
    assert list(validator.iter_errors(data_of(config))) == []


@pytest.mark.parametrize(
    "name", [*scheduler_classes(), *plottable_transformers_schedules(), *optimizer_classes()]
)
def test_every_list_example_is_valid(name: str, validator) -> None:
    assert list(validator.iter_errors(yaml.safe_load(example_config(name)))) == []


def test_the_training_run_keys_are_in_the_schema(validator) -> None:
    run = data_of(DATA_DIR / "small-training-run.yaml")
    assert list(validator.iter_errors(run)) == []
    logged = {"scheduler": {"type": "ReduceLROnPlateau"}, "metric": {"file": "a", "key": "b"}}
    assert list(validator.iter_errors(logged)) == []


@pytest.mark.parametrize("name", sorted(SCHEMA_REJECTS))
def test_structural_mistakes_are_rejected(name: str, validator) -> None:
    assert list(validator.iter_errors(data_of(DATA_DIR / "bad" / f"{name}.yaml")))


def test_types_enums_and_defaults(validator) -> None:
    scheduler = config_schema()["$defs"]["scheduler"]
    assert set(scheduler["properties"]["type"]["anyOf"][0]["enum"]) == {
        *scheduler_classes(),
        *plottable_transformers_schedules(),
        *deepspeed_schedulers(),
        *mmengine_schedulers(),
        *timm_schedulers(),
    }
    nested = config_schema()["$defs"]["nested_scheduler"]
    nestable = set(nested["properties"]["type"]["anyOf"][0]["enum"])
    # ChainedScheduler takes DeepSpeed's (only calling step()); MMEngine's and timm's are
    # stepped by their own rules
    assert not {*mmengine_schedulers(), *timm_schedulers()} & nestable
    assert set(deepspeed_schedulers()) <= nestable
    step = next(
        c["then"] for c in scheduler["allOf"] if c["if"]["properties"]["type"]["const"] == "StepLR"
    )
    assert step["required"] == ["type", "step_size"]
    assert step["properties"]["step_size"] == {"type": "integer"}
    assert step["properties"]["gamma"] == {"type": "number", "default": 0.1}
    assert not list(validator.iter_errors({"scheduler": {"type": "my.py:Mine", "anything": 1}}))
    assert not list(
        validator.iter_errors(
            {"optimizer": {"lr": 0.5, "momentum": 0.9}, "scheduler": {"type": "ConstantLR"}}
        )
    )


def test_the_cli_prints_the_schema(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(config_schema()))
