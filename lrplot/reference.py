"""The generated parts of the reference in ``docs/``, made from lrplot's own tables and code.

A page marks each generated part between ``<!-- generated: NAME -->`` and
``<!-- end generated -->``; :func:`update` rewrites them from the config's keys
(:mod:`lrplot.config.keys`), the scheduler facts (:mod:`lrplot.schedulers.facts`) with the
installed torch's signatures, the commands' ``--help``, and the modules' docstrings.
``make docs`` runs it; a test fails when a page is not what it would write.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.config.keys import CONFIG, PLOT, SCHEDULE, STEPS, Key
from lrplot.limits import MAX_COUNT

if TYPE_CHECKING:
    from lrplot.schedulers.registry import Maker

DOCS = Path(__file__).resolve().parent.parent / "docs"
_REGION = re.compile(r"(<!-- generated: ([a-z-]+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return f"`{list(value)}`"
    if isinstance(value, dict):
        return "`{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}`"
    return f"`{value}`"


_COUNT = f"a whole number from 1 to 10^{len(str(MAX_COUNT)) - 1}"

_KINDS: dict[str, Callable[[Key], str]] = {
    "line": lambda k: f"one line of text, at most {k.limit:,} characters",
    "paragraph": lambda k: f"text, at most {k.limit:,} characters",
    "count": lambda k: _COUNT,
    "choice": lambda k: " or ".join(f"`{c}`" for c in k.choices),
    "flag": lambda k: "`true` or `false`",
    "integer": lambda k: f"a whole number from {k.low:g} to {k.high:g}",
    "size": lambda k: f"`WxH` or `[W, H]`, inches, each {k.low:g} to {k.high:g}",
    "optimizer": lambda k: "a mapping: `type`, its arguments, `param_groups`",
    "steps": lambda k: f"{_COUNT}, or a mapping of the data (below)",
    "scheduler": lambda k: "a mapping: `type`, its arguments, how the loop steps it (below)",
    "schedulers": lambda k: "a list of scheduler mappings",
    "metric": lambda k: "an expression, numbers, `synthetic`, or `{file, column}` / `{file, key}`",
    "codes": lambda k: "a list of warning codes (see [warnings](warnings.md))",
    "plot": lambda k: "a mapping (below)",
}


def keys_table(keys: dict[str, Key] | None = None) -> str:
    """A Markdown table of ``keys`` (default: the config's top-level ones)."""
    rows = ["| key | value | default | what it is |", "| --- | --- | --- | --- |"]
    for key in (keys or dict(CONFIG)).values():
        default = "required" if key.required else _value(key.default)
        if key.required and key.alternative:
            default = f"required, or `{key.alternative}`"
        rows.append(f"| `{key.name}` | {_KINDS[key.kind](key)} | {default} | {key.doc} |")
    return "\n".join(rows) + "\n"


def schedulers() -> str:
    """Per scheduler of the installed torch: what it does, its arguments and defaults,
    and what lrplot knows of it besides (from the facts table)."""
    import torch

    from lrplot.schedulers.registry import scheduler_classes

    parts = [f"Read from torch {torch.__version__.split('+')[0]}.\n"]
    parts += _maker_sections(scheduler_classes())
    return "\n".join(parts)


def transformers_schedules() -> str:
    """Per schedule function of the installed transformers, as :func:`schedulers`."""
    from importlib.metadata import version

    from lrplot.schedulers.registry import plottable_transformers_schedules

    parts = [f"Read from transformers {version('transformers')}.\n"]
    parts += _maker_sections(plottable_transformers_schedules())
    return "\n".join(parts)


def _maker_sections(makers: Mapping[str, Maker]) -> list[str]:
    from lrplot.config.catalog import example_config
    from lrplot.schedulers.registry import facts_of, schedule_names, scheduler_signature

    parts = []
    for name, cls in makers.items():
        facts = facts_of(cls)
        sig = scheduler_signature(cls)
        arguments = sig.describe()
        if facts.nested:
            arguments = "schedulers (a list of scheduler mappings), " + arguments
        lines = [f"### {name}", ""]
        if facts.summary:
            lines += [f"{facts.summary[0].upper()}{facts.summary[1:]}.", ""]
        lines.append(f"- arguments: `{arguments}`")
        traits = [
            ("per param group (one value, or a list with one per group)", facts.per_group),
            (
                "expressions",
                tuple(f"{k} (in {', '.join(v)})" for k, v in facts.expressions.items()),
            ),
        ]
        for label, names in traits:
            if names:
                lines.append(f"- {label}: {', '.join(f'`{n}`' for n in names)}")
        if facts.metric:
            lines.append("- fed the config's `metric:` at each step")
        if facts.needs_length:
            lines.append("- needs `total_steps` (or its own `epochs` and `steps_per_epoch`)")
        if facts.cycles_momentum:
            lines.append("- cycles momentum (or Adam's beta1) the other way")
        if facts.marks:
            lines.append(f"- a plot marks its {facts.marks}")
        named = schedule_names(cls)
        if named:
            lines.append(f"- `{facts.named_by}`: {', '.join(f'`{n}`' for n in named)}")
        lines += ["", "```yaml", example_config(name).rstrip("\n"), "```", ""]
        parts.append("\n".join(lines))
    return parts


def help_texts() -> str:
    """Every command's ``--help``, as click prints it in an 80-column terminal."""
    import click

    from lrplot.cli import HELP_OPTIONS, MAX_CONTENT_WIDTH, cli

    def context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
        return click.Context(
            command,
            info_name=name,
            parent=parent,
            terminal_width=80,
            max_content_width=MAX_CONTENT_WIDTH,
            help_option_names=HELP_OPTIONS,
        )

    parent = context(cli, "lrplot", None)
    blocks = ["```console", "$ lrplot --help", cli.get_help(parent).rstrip("\n"), "```", ""]
    for name, command in sorted(cli.commands.items()):
        blocks += [
            f"### `lrplot {name}`",
            "",
            "```console",
            f"$ lrplot {name} --help",
            command.get_help(context(command, name, parent)).rstrip("\n"),
            "```",
            "",
        ]
    return "\n".join(blocks)


def warning_codes() -> str:
    """A Markdown table of the warnings' codes and what each is about."""
    from lrplot.config.codes import CODES

    rows = ["| code | warns of |", "| --- | --- |"]
    rows += [f"| `{code}` | {about} |" for code, about in CODES.items()]
    return "\n".join(rows) + "\n"


def module_files(package: Path) -> dict[str, Path]:
    """The package's modules by dotted name below it (a wing by its own name, such as
    ``config``; its modules as ``config.spec``), and their files."""
    found = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _holds(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line, for a table cell."""
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.split("\n\n", 1)[0].split()).replace("|", "&#124;")


def modules() -> str:
    """A table of the package's modules and the first line of each one's docstring."""
    package = Path(__file__).resolve().parent
    rows = ["| module | holds |", "| --- | --- |"]
    for name, path in sorted(module_files(package).items()):
        rows.append(f"| `{name}` | {_holds(path)} |")
    return "\n".join(rows) + "\n"


def wings() -> str:
    """The map of the wings, highest first, from the import contracts in pyproject.toml
    (which ``make lint`` checks with import-linter)."""
    import tomllib

    package = Path(__file__).resolve().parent
    files = module_files(package)
    pyproject = tomllib.loads((DOCS.parent / "pyproject.toml").read_text())
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    rows = ["| layer | wing | holds |", "| --- | --- | --- |"]
    for number, layer in enumerate(layers, 1):
        for name in (n.strip() for n in layer.split("|")):
            shown = f"{name}/" if (package / name).is_dir() else name
            rows.append(f"| {number} | `{shown}` | {_holds(files[name])} |")
    apart = [
        " and ".join(f"`{m.removeprefix('lrplot.')}/`" for m in c["modules"])
        for c in contracts
        if c["type"] == "independence"
    ]
    notes = "".join(f"\n{pair} import nothing of each other either.\n" for pair in apart)
    return "\n".join(rows) + "\n" + notes


REGIONS: dict[str, Callable[[], str]] = {
    "config-keys": keys_table,
    "plot-keys": lambda: keys_table(dict(PLOT)),
    "steps-keys": lambda: keys_table(dict(STEPS)),
    "loop-keys": lambda: keys_table(dict(SCHEDULE)),
    "schedulers": schedulers,
    "transformers-schedules": transformers_schedules,
    "help": help_texts,
    "modules": modules,
    "wings": wings,
    "warning-codes": warning_codes,
}


def update(text: str, only: str | None = None) -> str:
    """``text`` with each generated region (or each named ``only``) made anew (an unknown
    region is an error)."""

    def fill(match: re.Match[str]) -> str:
        name = match[2]
        if name not in REGIONS:
            raise ValueError(f"no generated region named {name!r}")
        if only is not None and name != only:
            return match[0]
        return match[1] + REGIONS[name]() + match[4]

    return _REGION.sub(fill, text)


def update_docs(folder: Path = DOCS) -> list[Path]:
    """Rewrite the generated regions of every page in ``folder``; the pages changed."""
    changed = []
    for page in sorted(folder.glob("*.md")):
        text = page.read_text()
        new = update(text)
        if new != text:
            page.write_text(new)
            changed.append(page)
    return changed


SIGNATURES_FILE = Path(__file__).resolve().parent / "schedulers" / "signatures.py"


Found = Mapping[str, tuple[tuple[tuple[str, str | None, object], ...], bool]]


def signatures_text(found: Found) -> str:
    """The source of :mod:`lrplot.schedulers.signatures` holding ``found``."""
    lines = [
        '"""The arguments of the DeepSpeed, MMEngine and timm classes lrplot knows, unimported.',
        "",
        "As their signatures read (:func:`lrplot.schedulers.registry.scheduler_signature`),",
        "for ``lrplot list`` and ``lrplot schema``, which import none of the libraries.",
        "Generated from the pinned releases by :func:`lrplot.reference.update_signatures` (a",
        "test checks it against each installed library); a config is always checked against",
        'the installed class itself. Cheap to import: no torch."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "",
        'REQUIRED = "<required>"',
        '"""The default of a required argument."""',
        "",
        "Argument = tuple[str, str | None, object]",
        '"""An argument: its name, its annotation as text, its default (or :data:`REQUIRED`)."""',
        "",
        "SIGNATURES: Mapping[str, tuple[tuple[Argument, ...], bool]] = {",
    ]
    for name in sorted(found, key=lambda n: (n.split(".")[0], list(found).index(n))):
        arguments, takes_any = found[name]
        lines.append(f"    {_literal(name)}: (")
        lines.append("        (")
        for argument, annotation, default in arguments:
            shown = "REQUIRED" if default == "<required>" else _literal(default)
            lines.append(f"            ({_literal(argument)}, {_literal(annotation)}, {shown}),")
        lines.append("        ),")
        lines.append(f"        {takes_any!r},")
        lines.append("    ),")
    lines += [
        "}",
        '"""By ``type:`` name: the arguments a config gives, and whether it takes others."""',
        "",
    ]
    return "\n".join(lines)


def _literal(value: object) -> str:
    """``value`` as Python source, text in double quotes (as ruff formats it)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        inner = ", ".join(map(_literal, value))
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(map(_literal, value)) + "]"
    return repr(value)


def installed_signatures() -> Found:
    """The signatures of the DeepSpeed, MMEngine and timm classes lrplot knows, read from
    the installed libraries (importing them); a library not installed keeps its entries."""
    from lrplot.schedulers import registry
    from lrplot.schedulers.signatures import SIGNATURES

    found = dict(SIGNATURES)
    for library in registry.LIBRARIES:
        for name, maker in library.classes().items():
            sig = registry.scheduler_signature(maker)
            found[name] = (
                tuple(
                    (p.name, p.annotation, "<required>" if p.required else p.default)
                    for p in sig.parameters.values()
                ),
                sig.takes_any,
            )
    return found


def update_signatures(path: Path = SIGNATURES_FILE) -> bool:
    """Rewrite :mod:`lrplot.schedulers.signatures` from the installed libraries; whether
    it changed."""
    text = signatures_text(installed_signatures())
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True
