"""Property tests: whatever the input, lrplot succeeds or says what is wrong; never more.

Hypothesis generates configs and expressions; examples are bounded so `make test` stays
quick (on CI, ``CI=true``, they are derandomized: the same examples every run).
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lrplot import LrplotError, parse_spec, simulate
from lrplot.cli import cli
from lrplot.config.annotations import Kind, parse_annotation
from lrplot.config.expressions import FUNCTIONS, compile_expression
from lrplot.config.file import parse_config_text
from lrplot.errors import ConfigError, ExpressionError
from lrplot.schedulers.registry import facts_of, optimizer_classes, scheduler_classes, signature

FUZZ = settings(
    max_examples=int(os.environ.get("LRPLOT_FUZZ_EXAMPLES", "400")),
    deadline=5000,  # milliseconds per example: a hang or a blow-up fails the test
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the YAML loader ---------------------------------------------------------------

YAML_PIECES = [
    "{", "}", "[", "]", ":", ": ", "- ", ", ", " ", "\n", "\n  ", "\t", "&a ", "*a", "<<: ",
    "!!python/object/apply:os.system ", "!custom ", "'", '"', "#", "---\n", "? ", "|\n", ">\n",
    "scheduler", "type", "StepLR", "step_size", "epochs", "1", "-1", "1e-3", ".nan", "null",
    "~", "yes", "2024-01-01", "0x1F", "é", "\x00", "\ufeff",
]  # fmt: skip
yaml_like = st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join)


@FUZZ
@given(st.one_of(st.text(max_size=300), yaml_like))
def test_the_loader_parses_or_refuses_any_text(text: str) -> None:
    try:
        parse_config_text(text, source="fuzz.yaml")
    except ConfigError as e:
        message = str(e)
    else:
        return
    assert message.startswith("fuzz.yaml: ")
    assert message.isprintable()


# --- the config validator and the simulation -------------------------------------

ARGUMENT_NAMES = sorted(
    {name for cls in scheduler_classes().values() for name in signature(cls).parameters}
    | {"verbose", "schedulers", "milestones", "nonsense"}
)
OPTIMIZER_NAMES = sorted(
    {name for cls in optimizer_classes().values() for name in signature(cls).parameters}
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 120),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 2),
    st.sampled_from(["0.95 ** epoch", "epoch", "1 / epoch", "min", "cos", "x", "", "linear"]),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def scheduler_mapping(depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    types = st.sampled_from([*scheduler_classes(), "StepLr", "nope.py:Cls", ""])
    arguments = st.dictionaries(st.sampled_from(ARGUMENT_NAMES), values, max_size=4)
    base = st.builds(lambda t, a: {"type": t, **a}, types, arguments)
    if depth >= 1:
        return base
    nested = st.builds(
        lambda t, children, a: {"type": t, "schedulers": children, **a},
        st.sampled_from(["SequentialLR", "ChainedScheduler"]),
        st.lists(scheduler_mapping(depth + 1), max_size=3),
        st.dictionaries(st.just("milestones"), st.lists(st.integers(-2, 30), max_size=3)),
    )
    return st.one_of(base, nested)


def value_of(kind: Kind) -> st.SearchStrategy[Any]:
    """Values shaped like an argument's annotation: mostly plausible, some not."""
    simple: dict[str, st.SearchStrategy[Any]] = {
        "int": st.integers(-1, 60),
        "float": st.one_of(st.floats(-0.5, 2.0), st.integers(0, 3)),
        "bool": st.booleans(),
        "str": st.text(max_size=5),
        "null": st.none(),
        "callable": st.sampled_from(
            ["0.95 ** epoch", "1 / (1 + epoch)", "1 - epoch / 10", "0.5", "log(epoch)", "x ** 2"]
        ),
        "literal": st.sampled_from(list(kind.choices) or [None]),
    }
    if kind.name in simple:
        return simple[kind.name]
    if kind.name == "sequence":
        return st.lists(value_of(kind.items[0]), max_size=4)
    if kind.name == "tuple":
        return st.tuples(*(value_of(item) for item in kind.items)).map(list)
    if kind.name == "union":
        return st.one_of(*(value_of(m) for m in kind.items if m.name != "unrepresentable"))
    return values


def plausible_scheduler(name: str) -> st.SearchStrategy[dict[str, Any]]:
    parameters = signature(scheduler_classes()[name]).parameters.values()
    required = {p.name: value_of(parse_annotation(p.annotation)) for p in parameters if p.required}
    optional = {
        p.name: value_of(parse_annotation(p.annotation))
        for p in parameters
        if not p.required and p.name != "last_epoch"
    }
    return st.fixed_dictionaries({"type": st.just(name), **required}, optional=optional)


PLAIN = [n for n, cls in scheduler_classes().items() if not facts_of(cls).nested]
plausible_schedulers = st.one_of(
    st.sampled_from(PLAIN).flatmap(plausible_scheduler),
    st.builds(
        lambda t, children, milestones: {
            "type": t,
            "schedulers": children,
            "milestones": milestones,
        },
        st.just("SequentialLR"),
        st.lists(st.sampled_from(PLAIN).flatmap(plausible_scheduler), min_size=1, max_size=3),
        st.lists(st.integers(0, 30), max_size=3),
    ),
    st.builds(
        lambda children: {"type": "ChainedScheduler", "schedulers": children},
        st.lists(st.sampled_from(PLAIN).flatmap(plausible_scheduler), min_size=1, max_size=3),
    ),
)
plausible_configs = st.fixed_dictionaries(
    {"scheduler": plausible_schedulers, "epochs": st.integers(1, 40)},
    optional={
        "steps_per_epoch": st.integers(1, 3),
        "optimizer": st.fixed_dictionaries(
            {"type": st.sampled_from(list(optimizer_classes()))},
            optional={
                "lr": st.floats(0.0001, 1.0),
                "momentum": st.floats(0, 0.99),
                "param_groups": st.lists(
                    st.fixed_dictionaries({}, optional={"lr": st.floats(0.0001, 1.0)}),
                    min_size=1,
                    max_size=3,
                ),
            },
        ),
        "metric": st.one_of(st.just("epoch"), st.lists(st.floats(0, 1), min_size=1, max_size=200)),
    },
)

random_configs = st.fixed_dictionaries(
    {"scheduler": st.one_of(scheduler_mapping(), values)},
    optional={
        "epochs": st.one_of(st.integers(-2, 30), values),
        "steps_per_epoch": st.one_of(st.integers(-1, 4), values),
        "optimizer": st.one_of(
            st.fixed_dictionaries(
                {"type": st.sampled_from([*optimizer_classes(), "Adamm"])},
                optional={"lr": values, "momentum": values, "betas": values},
            ),
            st.dictionaries(st.sampled_from(OPTIMIZER_NAMES), values, max_size=3),
            values,
        ),
        "metric": values,
        "plot": values,
        "title": values,
        "unknown": values,
    },
)
configs = st.one_of(plausible_configs, random_configs)


@FUZZ
@given(configs)
def test_any_config_validates_and_simulates_or_is_refused(data: dict[str, Any]) -> None:
    try:
        spec = parse_spec(data=data, source="fuzz")
        schedule = simulate(spec=spec, max_steps=200)
    except LrplotError as e:
        refusal = e
    else:
        event("simulated")
        assert all(len(column) == spec.steps for column in schedule.lr)
        assert all(math.isfinite(value) for column in schedule.lr for value in column)
        return
    event(f"refused: {type(refusal).__name__}")
    assert str(refusal).startswith("fuzz")
    assert str(refusal).isprintable()


# --- the expression evaluator -------------------------------------------------------

leaves = st.one_of(
    st.sampled_from(["epoch", "pi", "e", "math.pi", "tau"]),
    st.integers(0, 20).map(str),
    st.floats(0, 10, allow_nan=False).map(repr),
)
UNARY_FUNCTIONS = [n for n, (_, low, _high) in FUNCTIONS.items() if low == 1]


def _grow(child: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            child, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]), child,
        ),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(UNARY_FUNCTIONS), child),
        st.builds(
            lambda f, a, b: f"{f}({a}, {b})",
            st.sampled_from(["min", "max", "pow", "atan2"]), child, child,
        ),
        st.builds(
            lambda a, op, b, c, d: f"({c} if {a} {op} {b} else {d})",
            child, st.sampled_from(["<", "<=", "==", "!=", ">"]), child, child, child,
        ),
        st.builds(lambda a: f"(-{a})", child),
        st.builds(lambda a: f"(not {a})", child),
        st.builds(lambda a, b: f"({a} and {b})", child, child),
        st.builds(lambda a, b: f"({a} or {b})", child, child),
    )  # fmt: skip


expressions = st.recursive(leaves, _grow, max_leaves=10)


class _Floats(ast.NodeTransformer):
    """Python computing as lrplot does: int literals made floats, and ``a ** b`` through
    a function that refuses a complex result (lrplot has no complex numbers, even midway)."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.copy_location(ast.Constant(float(node.value)), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow):
            call = ast.Call(ast.Name("_real_pow", ast.Load()), [node.left, node.right], [])
            return ast.copy_location(call, node)
        return node


def _real_pow(base: float, exponent: float) -> float:
    result: float | complex = base**exponent
    if isinstance(result, complex):
        raise ValueError("complex")
    return result


_PYTHON = {
    **{name: function for name, (function, _, _) in FUNCTIONS.items()},
    "math": math,
    "pi": math.pi,
    "e": math.e,
    "tau": math.tau,
    "_real_pow": _real_pow,
    "__builtins__": {},
}


def python_float_eval(text: str, epoch: float) -> object:
    tree = _Floats().visit(ast.parse(text, mode="eval"))
    return eval(
        compile(ast.fix_missing_locations(tree), "<fuzz>", "eval"), _PYTHON, {"epoch": epoch}
    )


@FUZZ
@given(expressions, st.integers(0, 1000))
def test_expressions_agree_with_python_on_floats(text: str, epoch: int) -> None:
    expression = compile_expression(text, variables=("epoch",))
    try:
        expected: object = python_float_eval(text, float(epoch))
    except (ZeroDivisionError, OverflowError, ValueError):
        expected = None
    if isinstance(expected, complex):  # a negative number to a fractional power
        expected = None
    try:
        got: float | None = expression(epoch=epoch)
    except ExpressionError:
        got = None
    if expected is None or got is None:
        assert expected is got, (text, epoch, expected, got)
    else:
        assert isinstance(expected, int | float)
        assert float(expected) == got or (math.isnan(got) and math.isnan(float(expected))), text


@FUZZ
@given(st.one_of(st.text(max_size=120), st.lists(st.sampled_from(
    ["epoch", "(", ")", "**", "9", "[", "]", ".", "__class__", "lambda", ":", "x", "'s'", ",",
     "import", "__import__", "f(", "if", "else", " ", "for", "in", "1e308", "*", "%", "@"]),
    max_size=30).map("".join)))  # fmt: skip
def test_any_expression_text_compiles_and_evaluates_or_is_refused(text: str) -> None:
    try:
        expression = compile_expression(text, variables=("epoch",))
    except ExpressionError:
        return
    try:
        value = expression(epoch=7)
    except ExpressionError:
        return
    assert isinstance(value, float)


# --- the command line -----------------------------------------------------------------


def config_texts() -> st.SearchStrategy[str]:
    dumped = configs.map(lambda data: yaml.safe_dump(data, allow_unicode=True))
    return st.one_of(dumped, yaml_like, st.text(max_size=200))


@FUZZ
@given(config_texts(), st.sampled_from(["validate", "render"]))
def test_the_cli_exits_0_1_or_2_with_one_error_line_and_no_traceback(
    text: str, command: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        args = [command, str(path), "--max-steps", "500"]
        if command == "render":
            args += ["-f", "csv", "-o", "-"]
        result = CliRunner().invoke(cli, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exc_info
        )
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.stderr
        if result.exit_code == 1:
            errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
            assert errors == [result.stderr.splitlines()[-1]]
            assert len(errors) == 1
            assert errors[0].startswith(f"Error: {path}: ")
            assert result.stdout == ""


# --- lrplot accepts what torch accepts, and gives its numbers ------------------------

ODD_VALUES = [
    0, 1, 3, 10, -1, 0.5, 2.5, 10.0, 1e-3, True, False, None, "min", "text", "0.5", "",
    [1, 2], [0.5, 0.25], [3], [], {"a": 1}, "0.9 ** epoch",
]  # fmt: skip
SIMPLE_OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop"]


def _with_one_odd_value(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """A plausible scheduler mapping, with one argument set to a value of any shape."""
    arguments = [p for p in signature(scheduler_classes()[name]).parameters if p != "last_epoch"]
    return st.builds(
        lambda base, argument, value: {**base, argument: value},
        plausible_scheduler(name),
        st.sampled_from(arguments),
        st.sampled_from(ODD_VALUES),
    )


odd_configs = st.fixed_dictionaries(
    {
        "epochs": st.integers(1, 12),
        "scheduler": st.sampled_from(PLAIN).flatmap(_with_one_odd_value),
        "optimizer": st.fixed_dictionaries(
            {"type": st.sampled_from(SIMPLE_OPTIMIZERS), "param_groups": st.just([{}, {}])},
            optional={
                "lr": st.sampled_from([0.1, *ODD_VALUES]),
                "momentum": st.sampled_from([0.9, *ODD_VALUES]),
            },
        ),
    }
)


@FUZZ
@given(odd_configs)
def test_lrplot_runs_what_torch_runs_and_refuses_what_torch_refuses(
    data: dict[str, Any],
) -> None:
    """The promise itself: a config torch runs gives torch's numbers bit for bit; one it
    refuses is an Error. (Values lrplot cannot plot, inf or nan, are left out.)"""
    from tests.reference import reference_run

    raw = dict(data)
    if raw["scheduler"]["type"] == "ReduceLROnPlateau":
        raw["metric"] = [1.0] * raw["epochs"]
    if raw["optimizer"]["type"] != "SGD":
        raw["optimizer"].pop("momentum", None)
    try:
        expected: dict[str, Any] | None = reference_run(raw, Path(tempfile.gettempdir()))
    except Exception:
        expected = None
    if expected is not None:
        lrs = [v for column in expected["lr"] for v in column]
        if not all(isinstance(v, float) and math.isfinite(v) for v in lrs):
            event("torch gives values that cannot be plotted")
            return
    refusal: str | None = None
    try:
        schedule = simulate(spec=parse_spec(data=raw))
    except LrplotError as e:
        refusal = str(e)
    if refusal is not None:
        assert expected is None, f"lrplot refused what torch runs: {refusal}"
        event("both refuse")
        return
    assert expected is not None, "lrplot ran what torch refuses"
    assert [list(column) for column in schedule.lr] == expected["lr"]
    event("both run")


# --- run keys: every number of the run model parsed with bounds ------------------------

HUGE = 10**400
run_numbers = st.one_of(
    st.integers(1, 40),
    st.integers(1, 40),  # twice: plausible values run, and their neighbours are refused
    st.integers(-3, 40),
    st.integers(-(2**70), 2**70),
    st.integers(-HUGE, HUGE),
    st.sampled_from([2**63 - 1, 2**63, 2**64, 10**15, 10**15 + 1, -(2**63), HUGE - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text("0123456789", min_size=1, max_size=30),  # digits as text
    st.booleans(),
    st.none(),
)
run_values = st.recursive(
    run_numbers,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["dataset_size", "batch_size", "x"]), children,
                        max_size=2),
    ),
    max_leaves=4,
)  # fmt: skip
RAW_NUMBERS = [
    "9" * 500, "-" + "9" * 400, "²", "１２", "1_000", "0x1F", "0o17", "1e400", "-1e400",
    ".inf", "-.nan", "1e15", "1000000000000001", str(2**63), "-0", "+7", "0b11", "99" * 300,
]  # fmt: skip
STEPS_DATA = ["dataset_size", "batch_size", "world_size", "grad_accum"]


def _run_config(
    values: dict[str, Any], data: dict[str, Any], scheduler: dict[str, Any]
) -> dict[str, Any]:
    config: dict[str, Any] = {"scheduler": {"type": "StepLR", "step_size": 2, **scheduler}}
    for key in ("epochs", "resume_at"):
        if key in values:
            config[key] = values[key]
    if data:
        config["steps_per_epoch"] = {"dataset_size": 40, "batch_size": 8, **data}
    elif "steps_per_epoch" in values:
        config["steps_per_epoch"] = values["steps_per_epoch"]
    if "lr" in values:
        config["optimizer"] = {"lr": values["lr"]}
    if "dpi" in values or "size" in values:
        config["plot"] = {k: values[k] for k in ("dpi", "size") if k in values}
    return config


run_configs = st.builds(
    _run_config,
    st.dictionaries(
        st.sampled_from(["epochs", "resume_at", "steps_per_epoch", "lr", "dpi", "size"]),
        run_values,
        max_size=3,
    ),
    st.dictionaries(st.sampled_from(STEPS_DATA), run_values, max_size=2),
    st.dictionaries(st.sampled_from(["frequency", "every", "step_size", "gamma"]), run_values,
                    max_size=2),
)  # fmt: skip


def _raw_config(key: str, token: str) -> str:
    """A config with one run key written as ``token``, unquoted: YAML reads it as it may."""
    lines = {"scheduler": "scheduler: {type: StepLR, step_size: 2}"}
    if key in STEPS_DATA:
        data = {"dataset_size": "40", "batch_size": "8", key: token}
        lines["steps_per_epoch"] = "steps_per_epoch: {" + ", ".join(
            f"{k}: {v}" for k, v in data.items()) + "}"  # fmt: skip
    elif key in ("frequency", "every", "step_size"):
        lines["scheduler"] = f"schedulers: [{{type: StepLR, step_size: 2, {key}: {token}}}]"
    elif key == "lr":
        lines["optimizer"] = f"optimizer: {{lr: {token}}}"
    else:
        lines[key] = f"{key}: {token}"
    return "\n".join(lines.values()) + "\n"


raw_configs = st.builds(
    _raw_config,
    st.sampled_from(["epochs", "resume_at", "steps_per_epoch", "lr", "frequency", "every",
                     "step_size", *STEPS_DATA]),
    st.sampled_from(RAW_NUMBERS),
)  # fmt: skip
ONE_ERROR = re.compile(r"Error: (?P<file>[^:]+): (?P<key>[\w.\[\]]+): .+ \((line \d+|from .+)\)")


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 8, 10))
@given(
    st.one_of(
        run_configs.map(lambda data: ("json", _json(data))),
        run_configs.map(lambda data: ("yaml", yaml.safe_dump(data))),
        raw_configs.map(lambda text: ("yaml", text)),
    )
)  # fmt: skip
def test_run_keys_validate_and_render_or_give_one_located_error(config: tuple[str, str]) -> None:
    """Huge, negative, non-finite, wrong-typed and oddly written numbers in every run key:
    success, or exactly ``Error: file: key: message (line N)`` and exit 1."""
    suffix, text = config
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"run.{suffix}"
        path.write_text(text)
        outcomes = []
        for command in (["validate"], ["render", "-o", str(Path(folder) / "out.svg")]):
            result = CliRunner().invoke(cli, [command[0], str(path), "--max-steps", "2000",
                                              *command[1:]])  # fmt: skip
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                result.exc_info
            )
            assert "Traceback" not in result.stderr
            assert result.exit_code in (0, 1), result.output
            errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
            if result.exit_code == 0:
                assert errors == []
                event("accepted")
            else:
                assert result.stderr.splitlines() == errors  # the Error line alone
                (error,) = errors
                found = ONE_ERROR.fullmatch(error)
                assert found is not None, error
                assert found["file"] == str(path)
                event(f"refused at {found['key'].split('[')[0]}")
            outcomes.append(result.exit_code)
        assert outcomes[0] == outcomes[1]  # render refuses what validate refuses


def _json(data: Any) -> str:
    """JSON as a user writes it: non-finite floats as huge numbers (1e999), which
    json.loads and YAML read as inf."""
    text = json.dumps(data)
    return text.replace("-Infinity", "-1e999").replace("Infinity", "1e999").replace("NaN", "0")
