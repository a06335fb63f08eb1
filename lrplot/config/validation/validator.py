"""Loading and validating a schedule config into a :class:`Spec`, with key paths in errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lrplot.config.file import ConfigDocument, child_key, load_config_document, parse_config_text
from lrplot.config.keys import CONFIG, SIMPLE_KINDS, STEPS, check_value
from lrplot.config.loop import Batches, TrainingLoop
from lrplot.config.metrics import MetricSpec, parse_metric
from lrplot.config.options import parse_plot_options
from lrplot.config.overrides import apply_overrides, set_value
from lrplot.config.spec import SchedulerSpec, Spec
from lrplot.config.validation.optimizer import OptimizerChecks
from lrplot.config.validation.schedulers import SchedulerChecks
from lrplot.errors import ConfigError, LrplotError, describe_value, printable
from lrplot.schedulers.registry import did_you_mean


def load_spec(
    *,
    path: str | Path | None = None,
    text: str | None = None,
    source: str | None = None,
    base_dir: str | Path | None = None,
    allow_import: bool = False,
    overrides: Sequence[str] = (),
    resume_at: int | None = None,
) -> Spec:
    """Read and validate a config from ``path`` or from YAML/JSON ``text``.

    ``source`` is how the config is named in messages (default: ``path`` as given).
    ``base_dir`` is the folder that paths in the config are relative to (default: the
    config file's folder; for ``text``, the current folder). ``overrides`` are
    ``"key.path=value"`` settings applied first (``--set``). Code named in the config (a
    custom scheduler class) is imported only when ``allow_import`` is true. ``resume_at``
    replaces the config's (``--resume-at``).
    """
    if (path is None) == (text is None):
        raise TypeError("load_spec() takes exactly one of path= or text=")
    folder = Path(base_dir) if base_dir is not None else None
    if path is not None:
        shown = printable(source or str(path))
        document = load_config_document(Path(path), source=shown)
        folder = folder or Path(path).resolve().parent
    else:
        assert text is not None
        shown = printable(source or "<text>")
        document = parse_config_text(text, source=shown)
    document = apply_overrides(document, overrides)
    if resume_at is not None:
        document = set_value(document, "resume_at", resume_at, origin=f"--resume-at {resume_at}")
    return _Validator(document, base_dir=folder, allow_import=allow_import).spec()


def document_spec(
    document: ConfigDocument,
    *,
    base_dir: Path | None,
    allow_import: bool = False,
    stop_at: int | None = None,
) -> Spec:
    """Validate an already-read config document, its lines and ``--set`` origins kept
    (for the readers of other tools' files, :mod:`lrplot.formats`, which translate a
    file into one); ``stop_at`` stops the run after that many steps, within an epoch
    (Lightning's ``max_steps``: see :attr:`Spec.stop_at`)."""
    validator = _Validator(document, base_dir=base_dir, allow_import=allow_import)
    validator.stop_at = stop_at
    return validator.spec()


def parse_spec(
    *,
    data: Mapping[str, Any],
    source: str = "<dict>",
    base_dir: str | Path | None = None,
    allow_import: bool = False,
) -> Spec:
    """Validate an already-parsed config mapping (for notebooks and tests)."""
    document = ConfigDocument(data=data, source=source)
    folder = Path(base_dir) if base_dir is not None else None
    return _Validator(document, base_dir=folder, allow_import=allow_import).spec()


def run_checks(*, data: Mapping[str, Any], source: str) -> _Validator:
    """The checks of a config's keys, for a caller that gives them from Python, not in a
    file (``lrplot.trace``): ``simple_values``, ``steps``, ``optimizer``, ``loop_keys``."""
    return _Validator(ConfigDocument(data=data, source=source), base_dir=None, allow_import=False)


class _Validator(OptimizerChecks, SchedulerChecks):
    stop_at: int | None = None

    def spec(self) -> Spec:
        try:
            return self.validate()
        except LrplotError as e:
            raise e.located(
                source=self.source,
                line=self.document.line(e.key) if e.key else None,
                origin=self.document.origin(e.key) if e.key else None,
            ) from None

    def validate(self) -> Spec:
        data = self.document.data
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"expected a mapping of keys ({', '.join(CONFIG)}), "
                # Not quoted: a file read by mistake (a secret) is text here, whole.
                f"got {describe_value(data, quote=False)}",
                source=self.source,
            )
        for name in data:
            if name not in CONFIG:
                raise self.error(
                    name,
                    f"unknown key{did_you_mean(name, list(CONFIG))}; "
                    f"allowed keys: {', '.join(CONFIG)}",
                )
        for key in CONFIG.values():
            given = key.name in data or (key.alternative is not None and key.alternative in data)
            if key.required and not given:
                raise ConfigError(
                    f"missing `{key.name}:`; every config has one, e.g. "
                    f"`{key.name}: {key.example}`",
                    source=self.source,
                )
            if key.alternative and key.name in data and key.alternative in data:
                raise self.error(
                    key.alternative,
                    f"give `{key.name}:` or `{key.alternative}:`, not both",
                )
        values = self.simple_values(data)
        epochs = values["epochs"]
        steps_per_epoch, batches = self.steps(data.get("steps_per_epoch", 1))
        optimizer = self.optimizer(data.get("optimizer"))
        self.group_count = len(optimizer.groups)
        schedulers = self.schedulers(data)
        metric: MetricSpec | None = None
        fed = [s for s in schedulers if s.facts.metric]
        if fed:
            metric = parse_metric(data.get("metric"), base_dir=self.base_dir)
        elif "metric" in data:
            self.notice(
                "metric",
                "ignored: only ReduceLROnPlateau is fed a metric, not "
                + " or ".join(dict.fromkeys(s.name for s in schedulers)),
            )
        loop = batches.training_loop(epochs) if batches else TrainingLoop(epochs, steps_per_epoch)
        loop = dataclasses.replace(loop, stop=self.stop_at)
        for scheduler in schedulers:
            self.check_length(scheduler, loop)
            self.check_sequence(scheduler, scheduler.calls(loop))
        resume_at = values.get("resume_at")
        self.check_resume(resume_at, epochs, steps_per_epoch)
        self.check_timm_resume(resume_at, steps_per_epoch, schedulers)
        return Spec(
            source=self.source,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            optimizer=optimizer,
            schedulers=schedulers,
            metric=metric,
            title=values.get("title"),
            description=values.get("description"),
            values=values,
            data=data,
            notices=tuple(self.notices),
            lines=self.document.lines,
            set_by=self.document.set_by,
            plot=parse_plot_options(data.get("plot")),
            batches=batches,
            resume_at=resume_at,
            silence=values.get("silence", frozenset()),
            stop_at=self.stop_at,
        )

    def check_resume(self, resume_at: int | None, epochs: int, steps_per_epoch: int) -> None:
        """Refuse a ``resume_at`` past the run's last step."""
        steps = epochs * steps_per_epoch
        how = f"epochs {epochs} x steps_per_epoch {steps_per_epoch} = {steps:,} steps"
        if self.stop_at is not None and self.stop_at < steps:
            steps, how = self.stop_at, f"stopped after step {self.stop_at:,}"
        if resume_at is not None and resume_at >= steps:
            raise self.error(
                "resume_at",
                f"{resume_at:,} is past the run's last step, {steps - 1:,} ({how}, from 0): "
                "resume at a step in it",
            )

    def check_timm_resume(
        self, resume_at: int | None, steps_per_epoch: int, schedulers: tuple[SchedulerSpec, ...]
    ) -> None:
        """Refuse a ``resume_at`` inside an epoch for timm's schedulers: timm's train.py
        resumes at an epoch's start (see :mod:`lrplot.schedulers.timm`)."""
        timm = next((s for s in schedulers if s.facts.timm_steps), None)
        if resume_at is None or timm is None or resume_at % steps_per_epoch == 0:
            return
        epoch = resume_at // steps_per_epoch
        raise self.error(
            "resume_at",
            f"{resume_at:,} is inside epoch {epoch}; timm's train.py resumes {timm.name} at "
            f"an epoch's start: resume_at: {epoch * steps_per_epoch:,} or "
            f"{(epoch + 1) * steps_per_epoch:,} (steps_per_epoch {steps_per_epoch})",
        )

    def steps(self, value: Any) -> tuple[int, Batches | None]:
        """``steps_per_epoch``: a whole number, or the data it comes from."""
        key = "steps_per_epoch"
        if not isinstance(value, Mapping):
            return check_value(CONFIG[key], value, path=key), None
        for name in value:
            if name not in STEPS:
                raise self.error(
                    child_key(key, name),
                    f"unknown key{did_you_mean(name, list(STEPS))}; allowed: {', '.join(STEPS)}",
                )
        given = {}
        for name, step_key in STEPS.items():
            if name in value:
                given[name] = check_value(step_key, value[name], path=child_key(key, name))
            elif step_key.required:
                optional = sum(not k.required for k in STEPS.values())
                raise self.error(
                    key,
                    f"missing `{name}:`; the data needs {', '.join(STEPS)} (the last "
                    f"{optional} are optional)",
                )
        batches = Batches(**given)
        if batches.steps < 1:
            raise self.error(
                key,
                f"the data makes no optimizer step per epoch: {batches.explain()}",
            )
        return batches.steps, batches

    def simple_values(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The config's keys of simple kinds (text, counts, choices, flags), checked, with
        their defaults; display text given as null counts as absent."""
        values = {}
        for key in CONFIG.values():
            if key.kind not in SIMPLE_KINDS:
                continue
            value = data.get(key.name)
            if value is None and (key.name not in data or key.kind in ("line", "paragraph")):
                if key.default is not None:
                    values[key.name] = key.default
                continue
            values[key.name] = check_value(key, value, path=key.name)
        return values
