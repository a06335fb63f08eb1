"""lrplot compare: several schedules on one axis, and a long-form CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from importlib.metadata import version
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from lrplot.cli import cli
from tests.conftest import CONFIGS_DIR
from tests.reference import reference_run
from tests.trainers import TrainerRun, Trainers

CYCLIC = sorted(str(p) for p in (CONFIGS_DIR / "tutorial").glob("CyclicLR-*.yaml"))
PER_BATCH = CONFIGS_DIR / "schedulers" / "OneCycleLR.yaml"  # 30 epochs x 50 steps
TWO_GROUPS = CONFIGS_DIR / "schedulers" / "LambdaLR.yaml"


def long_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def expected_lr(path: Path, group: int = 0) -> list[float]:
    return [
        float(v) for v in reference_run(yaml.safe_load(path.read_text()), path.parent)["lr"][group]
    ]


def test_compare_writes_one_plot_with_a_line_per_schedule(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "cyclic.svg"
    result = runner.invoke(cli, ["compare", *CYCLIC, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {out}\n"
    svg = out.read_text()
    # Lines named by what differs, the title saying what they share.
    for name in ("mode='triangular'", "mode='triangular2'", "mode='exp_range', gamma=0.95"):
        assert f"<!-- {name} -->" in svg
    assert "<!-- CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=20) -->" in svg
    assert "<!-- SGD(lr=0.1, momentum=0.9) -->" in svg


def test_lines_differing_in_too_much_keep_their_file_names(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "two.svg"
    step, one_cycle = (CONFIGS_DIR / "tutorial" / f"{n}.yaml" for n in ("StepLR", "OneCycleLR"))
    result = runner.invoke(cli, ["compare", str(step), str(one_cycle), "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "<!-- StepLR -->" in svg
    assert "<!-- OneCycleLR -->" in svg


def test_default_output_is_compare_png(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["compare", *CYCLIC[:2]])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_long_csv_aligns_epochs_across_lengths_and_step_rates(runner: CliRunner) -> None:
    step = CONFIGS_DIR / "tutorial" / "StepLR.yaml"  # 100 epochs, 1 step each
    result = runner.invoke(cli, ["compare", str(step), str(PER_BATCH), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "schedule,epoch,lr"
    rows = long_rows(result.stdout)
    per_epoch = [r for r in rows if r["schedule"] == "StepLR"]
    per_batch = [r for r in rows if r["schedule"] == "OneCycleLR"]
    assert [r["epoch"] for r in per_epoch[:3]] == ["0", "1", "2"]
    assert [float(r["epoch"]) for r in per_batch[:3]] == [0.0, 0.02, 0.04]
    assert len(per_epoch) == 100
    assert len(per_batch) == 1500
    assert [float(r["lr"]) for r in per_epoch] == expected_lr(step)
    assert [float(r["lr"]) for r in per_batch] == expected_lr(PER_BATCH)


def test_several_groups_give_a_line_each(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compare", str(TWO_GROUPS), CYCLIC[0], "-f", "csv", "-o", "-"])
    names = sorted({r["schedule"] for r in long_rows(result.stdout)})
    assert names == ["CyclicLR-1", "LambdaLR/backbone", "LambdaLR/head"]
    head = [float(r["lr"]) for r in long_rows(result.stdout) if r["schedule"] == "LambdaLR/head"]
    assert head == expected_lr(TWO_GROUPS, group=1)


def test_names_come_from_titles_and_are_made_unique(runner: CliRunner, write_config) -> None:
    a = write_config(
        'title: "warm-up, then decay"\nepochs: 3\nscheduler: {type: LinearLR}\n', "a.yaml"
    )
    b = write_config("epochs: 2\nscheduler: {type: ConstantLR}\n", "a/a.yaml")
    result = runner.invoke(cli, ["compare", str(a), str(b), str(b), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.output
    names = list(dict.fromkeys(r["schedule"] for r in long_rows(result.stdout)))
    assert names == ["warm-up, then decay", "a", "a (2)"]
    assert '"warm-up, then decay",0,' in result.stdout  # quoted: the name has a comma


def test_a_bad_config_stops_compare_with_its_error(
    runner: CliRunner, write_config, tmp_path
) -> None:
    bad = write_config("scheduler: {type: StepLr}\n", "bad.yaml")
    result = runner.invoke(cli, ["compare", CYCLIC[0], str(bad), "-o", str(tmp_path / "c.png")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: scheduler.type: unknown scheduler 'StepLr'")
    assert not (tmp_path / "c.png").exists()


def test_values_too_large_to_plot_stop_compare_with_an_error(
    runner: CliRunner, write_config, tmp_path
) -> None:
    huge = write_config("optimizer: {type: SGD, lr: 1.7e308}\nscheduler: {type: ConstantLR}\n")
    out = tmp_path / "c.png"
    result = runner.invoke(cli, ["compare", CYCLIC[0], str(huge), "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {huge}: the lr reaches 1.7e+308, too large to plot (axes overflow past "
        "1e+300); CSV and JSON outputs hold such values\n"
    )
    assert not out.exists()
    result = runner.invoke(cli, ["compare", CYCLIC[0], str(huge), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0
    assert "e+308\n" in result.stdout


def test_compare_formats_are_usage_errors_when_unknown(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compare", CYCLIC[0], "-o", "out.json"])
    assert result.exit_code == 2
    assert "cannot tell the format of 'out.json'" in result.stderr


def test_the_readme_pictures_are_what_make_docs_draws(runner: CliRunner, tmp_path: Path) -> None:
    from tests.conftest import ROOT

    out = tmp_path / "compare-cyclic.png"
    result = runner.invoke(cli, ["compare", *CYCLIC, "-q", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes() == (ROOT / "docs" / "compare-cyclic.png").read_bytes(), "run make docs"
    logged = tmp_path / "compare-logged.png"
    run = ROOT / "docs" / "runs" / "trainer_state.json"
    result = runner.invoke(cli, ["compare", str(COSINE), str(run), "-q", "-o", str(logged)])
    assert result.exit_code == 0
    assert logged.read_bytes() == (ROOT / "docs" / "compare-logged.png").read_bytes()


def test_files_of_the_same_name_are_told_apart_by_their_folders(runner: CliRunner) -> None:
    tutorial, schedulers = (
        CONFIGS_DIR / "tutorial" / "StepLR.yaml",
        CONFIGS_DIR / "schedulers" / "StepLR.yaml",
    )
    result = runner.invoke(
        cli, ["compare", str(tutorial), str(schedulers), "-f", "csv", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    names = list(dict.fromkeys(r["schedule"] for r in long_rows(result.stdout)))
    assert names == ["tutorial/StepLR", "schedulers/StepLR"]


def test_file_names() -> None:
    from lrplot.outputs.compare import file_names

    assert file_names(["a/b/x.yaml", "c/b/x.yml", "y.yaml"]) == ["a/b/x", "c/b/x", "y"]
    assert file_names(["-", "x.json"]) == ["stdin", "x"]
    assert file_names(["/a/x.yaml", "/a/x.yaml"]) == ["x", "x"]  # made unique later
    assert file_names(["/a/x.yaml", "/b/a/x.yaml"]) == ["/a/x", "b/a/x"]


def test_a_log_scale_notes_what_it_cannot_draw(
    runner: CliRunner, tmp_path: Path, write_config
) -> None:
    zero = write_config(
        "epochs: 4\nscheduler: {type: LambdaLR, lr_lambda: 'epoch'}\n", "zero.yaml"
    )
    result = runner.invoke(
        cli, ["compare", str(zero), CYCLIC[0], "--log-y", "-o", str(tmp_path / "c.png")]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"Notice: {zero}: on a log scale, learning rates of 0 and below are not drawn: "
        "the learning rate is 0.0 at step 0 (epoch 0)\n"
    )


def test_runs_whose_epochs_differ_in_length_line_up_by_step(
    runner: CliRunner, write_config
) -> None:
    body = "epochs: 2\nscheduler: {type: LinearLR, start_factor: 0.5, total_iters: 4}\n"
    four = write_config(f"title: four\nsteps_per_epoch: 4\n{body}", "four.yaml")
    two = write_config(
        f"title: two\nsteps_per_epoch: {{dataset_size: 64, batch_size: 8, world_size: 4}}\n{body}",
        "two.yaml",
    )
    by_step = runner.invoke(cli, ["compare", str(four), str(two), "-f", "csv", "-o", "-"])
    assert by_step.exit_code == 0, by_step.stderr
    assert by_step.stdout.splitlines()[0] == "schedule,step,lr"
    rows = long_rows(by_step.stdout)
    assert [r["step"] for r in rows if r["schedule"] == "two"] == ["0", "1", "2", "3"]
    assert [float(r["lr"]) for r in rows if r["schedule"] == "two"] == expected_lr(two)
    by_epoch = runner.invoke(
        cli, ["compare", str(four), str(two), "--axis", "epoch", "-f", "csv", "-o", "-"]
    )
    assert by_epoch.stdout.splitlines()[0] == "schedule,epoch,lr"
    assert [r["epoch"] for r in long_rows(by_epoch.stdout) if r["schedule"] == "two"] == [
        "0.0", "0.5", "1.0", "1.5"
    ]  # fmt: skip


def test_the_step_axis_is_labelled(runner: CliRunner, write_config, tmp_path: Path) -> None:
    a = write_config("steps_per_epoch: 3\nepochs: 2\nscheduler: {type: StepLR, step_size: 2}\n")
    out = tmp_path / "c.svg"
    result = runner.invoke(cli, ["compare", str(a), str(a), "--axis", "step", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "<!-- Step -->" in out.read_text()
    result = runner.invoke(cli, ["compare", str(a), "--axis", "month"])
    assert result.exit_code == 2
    assert "Invalid value for '--axis': 'month' is not one of 'epoch', 'step'." in result.stderr


COSINE = CONFIGS_DIR / "transformers" / "get_cosine_schedule_with_warmup.yaml"  # warm-up 60


def hf_trainer_state(folder: Path, *, warmup: int, logging_steps: int = 10) -> Path:
    """A trainer_state.json as HF's Trainer writes it: after each optimizer and scheduler
    step, global_step counts it, and every logging_steps it logs get_last_lr()[0]."""
    import json

    import torch
    from transformers.optimization import get_cosine_schedule_with_warmup

    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=5e-5)
    scheduler = get_cosine_schedule_with_warmup(optimizer, warmup, 600)
    history: list[dict[str, float]] = []
    for global_step in range(1, 601):
        optimizer.step()
        scheduler.step()
        if global_step % logging_steps == 0:
            history.append(
                {"loss": 1.0, "learning_rate": scheduler.get_last_lr()[0],
                 "epoch": global_step / 200, "step": global_step}
            )  # fmt: skip
    history.append({"train_runtime": 1.0, "epoch": 3.0, "step": 600})
    folder.mkdir()
    path = folder / "trainer_state.json"
    path.write_text(json.dumps({"global_step": 600, "log_history": history}))
    return path


def test_a_logged_run_that_followed_its_plan_is_silent(runner: CliRunner, tmp_path: Path) -> None:
    log = hf_trainer_state(tmp_path / "run", warmup=60)
    out = tmp_path / "c.csv"
    result = runner.invoke(cli, ["compare", str(COSINE), str(log), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Notice: {log}: {AFTER}, the one get_cosine_schedule_with_warmup fits (no config.json "
        f"beside it)\nWrote {out}\n"
    )
    rows = long_rows(out.read_text())
    logged = [r for r in rows if r["schedule"] == "trainer_state (logged)"]
    assert [int(r["step"]) for r in logged] == list(range(10, 610, 10))
    planned = {int(r["step"]): r["lr"] for r in rows if r["schedule"] != "trainer_state (logged)"}
    assert all(planned[int(r["step"])] == r["lr"] for r in logged if int(r["step"]) < 600)


def test_a_logged_run_with_another_warm_up_is_a_warning_at_its_first_step(
    runner: CliRunner, tmp_path: Path
) -> None:
    log = hf_trainer_state(tmp_path / "run", warmup=30)
    result = runner.invoke(cli, ["compare", str(COSINE), str(log), "-o", str(tmp_path / "c.png")])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1] == (
        f"Warning: {log}: the run did not follow get_cosine_schedule_with_warmup: at step 10, "
        "the learning rate logged 1.6666666666666667e-05 where the plan has "
        "8.333333333333334e-06 (the first of 59 logged steps that differ)"
    )


def test_a_lightning_log_and_lrplots_own_csv_are_logged_runs(
    runner: CliRunner, tmp_path: Path
) -> None:
    import yaml

    plan = yaml.safe_load(COSINE.read_text())
    lr = reference_run(plan, COSINE.parent)["lr"][0]
    # LearningRateMonitor(logging_interval="step") logs at the start of each batch, before
    # its optimizer step, with step = global_step; other metrics come in rows of their own.
    rows = ["epoch,step,lr-AdamW,train_loss"]
    for step in range(0, 600, 50):
        rows += [f"{step // 200},{step},{lr[step]!r},", f"{step // 200},{step},,0.5"]
    lightning = tmp_path / "metrics.csv"
    lightning.write_text("\n".join(rows) + "\n")
    ours = tmp_path / "ours.csv"
    assert runner.invoke(cli, ["render", str(COSINE), "-o", str(ours)]).exit_code == 0
    for log in (lightning, ours):
        result = runner.invoke(cli, ["compare", str(COSINE), str(log), "-f", "csv", "-o", "-"])
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    rows[3] = rows[3].replace(repr(lr[50]), "0.001")
    lightning.write_text("\n".join(rows) + "\n")
    result = runner.invoke(
        cli, ["compare", str(COSINE), str(lightning), "-o", str(tmp_path / "x.png")]
    )
    assert result.stderr.splitlines()[0] == (
        f"Warning: {lightning}: the run did not follow get_cosine_schedule_with_warmup: at "
        f"step 50, the learning rate logged 0.001 where the plan has {lr[50]!r}"
    )


def test_logged_runs_are_aligned_by_step_and_must_be_logs(
    runner: CliRunner, tmp_path: Path
) -> None:
    log = hf_trainer_state(tmp_path / "run", warmup=60)
    by_epoch = runner.invoke(cli, ["compare", str(COSINE), str(log), "--axis", "epoch"])
    assert by_epoch.exit_code == 2
    assert "a logged run lines up with plans by optimizer step: leave out --axis epoch" in (
        by_epoch.stderr
    )
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    result = runner.invoke(cli, ["compare", str(COSINE), str(other)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {other}: is neither a Lightning CSVLogger log (lr-<Optimizer> and step "
        "columns) nor lrplot's CSV (epoch, lr columns)\n"
    )


# Logs written by the real trainers (tests/trainers.py), each compared with a plan written
# here from the same arguments.

AFTER = (
    "read in the order of transformers <= 4.50 (learning_rate logged after "
    "lr_scheduler.step(): at step N, the lr of step N)"
)
BEFORE = (
    "read in the order of transformers >= 4.51 (learning_rate logged before "
    "lr_scheduler.step(): at step N, the lr of step N - 1)"
)
INSTALLED = f"as its folder's config.json says transformers_version {version('transformers')}"
HF_LINEAR = {"num_train_epochs": 2, "learning_rate": 1e-3, "warmup_steps": 6}
PLATEAU = {"patience": 0, "factor": 0.5}


def hf_linear_plan(
    epochs: int,
    per_epoch: int | str,
    *,
    warmup: int = 6,
    resume: str = "",
    total: int | None = None,
) -> str:
    """HF's default schedule (linear, after warmup_steps) over the Trainer's steps
    (``total``, else ``epochs`` of ``per_epoch``)."""
    total = total if total is not None else epochs * int(per_epoch)
    return (
        f"epochs: {epochs}\nsteps_per_epoch: {per_epoch}\n"
        "optimizer: {type: AdamW, lr: 1.0e-3}\n"
        "scheduler: {type: transformers.get_linear_schedule_with_warmup, "
        f"num_warmup_steps: {warmup}, num_training_steps: {total}}}\n{resume}"
    )


def rendered(runner: CliRunner, plan: Path) -> dict[str, list[float]]:
    """lrplot's own run of ``plan``: its JSON output's columns."""
    result = runner.invoke(cli, ["render", str(plan), "-f", "json", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    columns: dict[str, list[float]] = json.loads(result.stdout)["columns"]
    return columns


def compared(runner: CliRunner, plan: Path, log: Path, *options: str) -> Result:
    """``lrplot compare plan log`` with its long CSV on stdout (stderr: notices, warnings)."""
    result = runner.invoke(cli, ["compare", str(plan), str(log), *options, "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    return result


def logged_rows(result: Result) -> dict[int, float]:
    """The logged run's rows of a long CSV: lrplot's step and the logged lr."""
    return {
        int(row["step"]): float(row["lr"])
        for row in long_rows(result.stdout)
        if row["schedule"].endswith("(logged)")
    }


def copied(run: TrainerRun, folder: Path, *, config: str | None = None) -> Path:
    """The run's trainer_state.json in ``folder``, beside ``config`` as its config.json."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(run.log, folder / "trainer_state.json")
    if config is not None:
        (folder / "config.json").write_text(config)
    return folder / "trainer_state.json"


def test_a_current_hf_log_is_read_as_its_transformers_wrote_it(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.hf(**HF_LINEAR)
    per_epoch = run.batches_per_epoch
    plan = write_config(hf_linear_plan(2, per_epoch))
    assert rendered(runner, plan)["lr"] == list(run.lrs[0])
    result = compared(runner, plan, run.log)
    assert result.stderr == f"Notice: {run.log}: {BEFORE}, {INSTALLED}\n"
    # Each logged lr is placed at the optimizer step that used it.
    assert logged_rows(result) == dict(enumerate(run.lrs[0]))

    wrong = write_config(hf_linear_plan(2, per_epoch, warmup=3), "half-warm-up.yaml")
    planned = expected_lr(wrong)
    result = compared(runner, wrong, run.log)
    # Every logged step differs but the first, whose lr is 0 in both.
    assert result.stderr.splitlines()[1] == (
        f"Warning: {run.log}: the run did not follow half-warm-up: at step 1 (logged at step "
        f"2), the learning rate logged {run.lrs[0][1]!r} where the plan has {planned[1]!r} "
        "(the first of 15 logged steps that differ)"
    )


def test_the_order_of_an_hf_log_can_be_said(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.hf(**HF_LINEAR)
    plan = write_config(hf_linear_plan(2, run.batches_per_epoch), "plan.yaml")
    planned = rendered(runner, plan)["lr"]
    result = compared(runner, plan, run.log, "--hf-log-order", "after-scheduler")
    # Read one step late, as lrplot read every log before: what transformers 4.51 broke.
    assert result.stderr == (
        f"Notice: {run.log}: {AFTER}, as --hf-log-order says\n"
        f"Warning: {run.log}: the run did not follow plan: at step 1, the learning rate "
        f"logged 0.0 where the plan has {planned[1]!r} (the first of 15 logged steps that "
        "differ)\n"
    )
    result = compared(runner, plan, run.log, "--hf-log-order", "before-scheduler")
    assert result.stderr == f"Notice: {run.log}: {BEFORE}, as --hf-log-order says\n"
    result = runner.invoke(cli, ["compare", str(plan), str(run.log), "--hf-log-order", "4.51"])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--hf-log-order': '4.51' is not one of 'after-scheduler', "
        "'before-scheduler'." in result.stderr
    )


def test_without_a_version_an_hf_log_is_read_in_the_order_its_plan_fits(
    runner: CliRunner, trainers: Trainers, write_config, tmp_path: Path
) -> None:
    run = trainers.hf(**HF_LINEAR)
    plan = write_config(hf_linear_plan(2, run.batches_per_epoch), "plan.yaml")
    log = copied(run, tmp_path / "run")
    result = compared(runner, plan, log)
    assert result.stderr == (
        f"Notice: {log}: {BEFORE}, the one plan fits (no config.json beside it)\n"
    )
    (tmp_path / "run" / "config.json").write_text('{"model_type": "bert"}')
    thrice = hf_linear_plan(2, run.batches_per_epoch).replace("1.0e-3", "3.0e-3")
    tripled = write_config(thrice, "tripled.yaml")
    result = compared(runner, tripled, log)
    # Three times the lr: each logged lr but the first, 0, differs whichever step it is of.
    assert result.stderr.splitlines()[0] == (
        f"Notice: {log}: {BEFORE}, as tripled differs at 15 logged steps in either (its "
        "config.json has no transformers_version)"
    )


def test_an_older_hf_log_is_read_in_its_order(
    runner: CliRunner, tmp_path: Path, write_config
) -> None:
    log = hf_trainer_state(tmp_path / "run", warmup=60)
    (tmp_path / "run" / "config.json").write_text('{"transformers_version": "4.50.3"}')
    result = compared(runner, COSINE, log)
    assert result.stderr == (
        f"Notice: {log}: {AFTER}, as its folder's config.json says transformers_version 4.50.3\n"
    )
    (tmp_path / "run" / "config.json").write_text('{"transformers_version": "4.51.0"}')
    result = compared(runner, COSINE, log)
    planned = expected_lr(COSINE)
    # Read as a newer transformers writes it, each logged lr is a step late.
    assert result.stderr.splitlines() == [
        f"Notice: {log}: {BEFORE}, as its folder's config.json says transformers_version 4.51.0",
        f"Warning: {log}: the run did not follow get_cosine_schedule_with_warmup: at step 9 "
        f"(logged at step 10), the learning rate logged {planned[10]!r} where the plan has "
        f"{planned[9]!r} (the first of 60 logged steps that differ)",
    ]


def test_an_hf_log_that_fits_neither_order_is_read_where_fewer_steps_differ(
    runner: CliRunner, tmp_path: Path
) -> None:
    log = hf_trainer_state(tmp_path / "run", warmup=30)
    result = compared(runner, COSINE, log)
    # Each of the 60 logged steps differs in the newer order; in the older, the last one
    # logs the lr after the last step, which no plan has.
    assert result.stderr.splitlines()[0] == (
        f"Notice: {log}: {AFTER}, where get_cosine_schedule_with_warmup differs at fewer "
        "logged steps, 59 (in the other: 60) (no config.json beside it)"
    )


def test_an_hf_log_of_reduce_on_plateau_is_read_as_every_version_logs_it(
    runner: CliRunner, trainers: Trainers, tmp_path: Path
) -> None:
    run = trainers.hf(
        num_train_epochs=3,
        learning_rate=1e-2,
        lr_scheduler_type="reduce_lr_on_plateau",
        lr_scheduler_kwargs=PLATEAU,
        eval_strategy="epoch",
    )
    assert len(set(run.lrs[0])) == 2  # reduced by an evaluation
    # A config.json of an older transformers: the order is the same in every version.
    log = copied(run, tmp_path / "run", config='{"transformers_version": "4.46.0"}')
    body = (
        f"epochs: 3\nsteps_per_epoch: {run.batches_per_epoch}\n"
        "optimizer: {type: AdamW, lr: 1.0e-2}\n"
        "scheduler: {type: transformers.get_reduce_on_plateau_schedule, factor: 0.5, "
        "patience: 0, interval: epoch}\n"
        "metric: {file: run/trainer_state.json, key: eval_loss}\n"
        "silence: [metric-never-improves]  # true of a tiny model on random labels\n"
    )
    plan = tmp_path / "plateau.yaml"
    plan.write_text(body)
    assert rendered(runner, plan)["lr"] == list(run.lrs[0])
    result = compared(runner, plan, log)
    assert result.stderr == (
        f"Notice: {log}: read in the order HF's Trainer logs get_reduce_on_plateau_schedule "
        "in, in every transformers version (learning_rate logged before the evaluation that "
        "steps it: at step N, the lr of step N - 1), as plateau steps "
        "get_reduce_on_plateau_schedule\n"
    )
    assert logged_rows(result) == dict(enumerate(run.lrs[0]))
    plan.write_text(body.replace("factor: 0.5", "factor: 0.1"))
    first = run.lrs[0].index(0.005)  # the first step of the reduced lr
    result = compared(runner, plan, log)
    assert result.stderr.splitlines()[1] == (
        f"Warning: {log}: the run did not follow plateau: at step {first} (logged at step "
        f"{first + 1}), the learning rate logged 0.005 where the plan has 0.001 (the first "
        f"of {len(run.lrs[0]) - first} logged steps that differ)"
    )


def test_an_hf_log_of_reduce_on_plateau_every_eval_steps(
    runner: CliRunner, trainers: Trainers, tmp_path: Path
) -> None:
    run = trainers.hf(
        num_train_epochs=2,
        learning_rate=1e-2,
        lr_scheduler_type="reduce_lr_on_plateau",
        lr_scheduler_kwargs=PLATEAU,
        eval_strategy="steps",
        eval_steps=4,
    )
    log = copied(run, tmp_path / "run")
    plan = tmp_path / "plateau.yaml"
    plan.write_text(
        f"epochs: 2\nsteps_per_epoch: {run.batches_per_epoch}\n"
        "optimizer: {type: AdamW, lr: 1.0e-2}\n"
        "scheduler: {type: transformers.get_reduce_on_plateau_schedule, factor: 0.5, "
        "patience: 0, every: 4}\n"
        "metric: {file: run/trainer_state.json, key: eval_loss}\n"
        "silence: [metric-never-improves]  # true of a tiny model on random labels\n"
    )
    assert rendered(runner, plan)["lr"] == list(run.lrs[0])
    result = compared(runner, plan, log)
    assert result.stderr.startswith(f"Notice: {log}: read in the order HF's Trainer logs ")
    assert "Warning" not in result.stderr
    assert logged_rows(result) == dict(enumerate(run.lrs[0]))


def test_an_hf_log_with_gradient_accumulation(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.hf(num_train_epochs=2, learning_rate=1e-3, gradient_accumulation_steps=3)
    data = "{dataset_size: 64, batch_size: 8, grad_accum: 3, loop: %s}"
    plan = write_config(hf_linear_plan(2, data % "transformers", warmup=0, total=6))
    assert rendered(runner, plan)["lr"] == list(run.lrs[0])
    result = compared(runner, plan, run.log)
    assert result.stderr == f"Notice: {run.log}: {BEFORE}, {INSTALLED}\n"
    # The steps of transformers before 4.52 (floor), whose schedule ends sooner.
    older = hf_linear_plan(2, data % "'transformers<4.52'", warmup=0, total=4)
    floor = write_config(older, "floor.yaml")
    planned = expected_lr(floor)
    result = compared(runner, floor, run.log)
    assert result.stderr.splitlines()[1] == (
        f"Warning: {run.log}: the run did not follow floor: at step 1 (logged at step 2), "
        f"the learning rate logged {run.lrs[0][1]!r} where the plan has {planned[1]!r} (the "
        "first of 5 logged steps that differ)"
    )


def test_a_resumed_hf_log_follows_its_resumed_plan(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.hf(**HF_LINEAR, resume_at=6)
    plan = write_config(hf_linear_plan(2, run.batches_per_epoch, resume="resume_at: 6\n"))
    assert rendered(runner, plan)["lr_resumed"][6:] == list(run.lrs[0])
    result = compared(runner, plan, run.log)
    assert result.stderr == f"Notice: {run.log}: {BEFORE}, {INSTALLED}\n"


def test_an_hf_log_of_a_restart_whose_steps_repeat(
    runner: CliRunner, trainers: Trainers, write_config, tmp_path: Path
) -> None:
    whole, resumed = trainers.hf(**HF_LINEAR), trainers.hf(**HF_LINEAR, resume_at=6)
    history = json.loads(whole.log.read_text())["log_history"]
    again = json.loads(resumed.log.read_text())["log_history"]
    log = copied(whole, tmp_path / "run", config=(whole.folder / "config.json").read_text())
    restart = len(history)
    log.write_text(json.dumps({"log_history": history + [e for e in again if e["step"] > 6]}))
    plan = write_config(hf_linear_plan(2, whole.batches_per_epoch), "plan.yaml")
    result = compared(runner, plan, log)
    assert result.stderr == (
        f"Notice: {log}: {BEFORE}, {INSTALLED}\n"
        f"Notice: {log}: holds 2 runs, one after another, a run starting again at "
        f"log_history[{restart}] (step 7 after step 16): at each step, what the last run to "
        "log it logged is compared\n"
    )
    # A run of another schedule appended: the steps both logged are its.
    other = trainers.hf(num_train_epochs=2, learning_rate=1e-3, gradient_accumulation_steps=3)
    appended = json.loads(other.log.read_text())["log_history"]
    log.write_text(json.dumps({"log_history": history + appended}))
    result = compared(runner, plan, log)
    # 5 of its 6 steps differ: at step 3, both are at half the peak lr.
    assert result.stderr.splitlines()[2] == (
        f"Warning: {log}: the run did not follow plan: at step 0 (logged at step 1), the "
        f"learning rate logged {other.lrs[0][0]!r} where the plan has 0.0 (the first of 5 "
        "logged steps that differ; the runs in the log disagree at this step: run 1 logged "
        f"0.0, run 2 (compared) {other.lrs[0][0]!r})"
    )


LIGHTNING_GROUPS = {
    "groups": ("backbone", "head"),
    "group_lrs": (0.1, 0.01),
    "scheduler": {"type": "StepLR", "step_size": 2},
    "log_weight_decay": True,
}


def lightning_groups_plan(run: TrainerRun, groups: str, optimizer: str = "SGD") -> str:
    momentum = ", momentum: 0.9" if optimizer == "SGD" else ""
    return (
        f"epochs: 3\nsteps_per_epoch: {run.batches_per_epoch}\n"
        f"optimizer: {{type: {optimizer}, lr: 0.1{momentum}, param_groups: {groups}}}\n"
        "scheduler: {type: StepLR, step_size: 2, interval: epoch}\n"
    )


def test_a_lightning_log_is_matched_to_the_plans_groups_by_name(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.lightning(**LIGHTNING_GROUPS)
    # CSVLogger sorts its header; the plan lists its groups in another order.
    groups = "[{name: head, lr: 0.01}, {name: backbone}]"
    plan = write_config(lightning_groups_plan(run, groups), "plan.yaml")
    columns = rendered(runner, plan)
    assert (columns["lr_head"], columns["lr_backbone"]) == (list(run.lrs[1]), list(run.lrs[0]))
    result = compared(runner, plan, run.log)
    assert result.stderr == (
        f"Notice: {run.log}: 'lr-SGD/backbone-weight_decay' and 'lr-SGD/head-weight_decay' "
        "are weight decay, which no plan schedules: not drawn or compared\n"
    )
    rows = long_rows(result.stdout)
    assert {r["schedule"] for r in rows} == {
        "plan/head", "plan/backbone", "metrics (logged)/lr-SGD/backbone",
        "metrics (logged)/lr-SGD/head",
    }  # fmt: skip
    head = [float(r["lr"]) for r in rows if r["schedule"] == "metrics (logged)/lr-SGD/head"]
    assert head == list(run.lrs[1])

    wrong = write_config(lightning_groups_plan(run, "[{name: head, lr: 0.02}, {name: backbone}]"))
    result = compared(runner, wrong, run.log)
    assert result.stderr.splitlines()[1] == (
        f"Warning: {run.log}: the run did not follow config: at step 0, lr-SGD/head logged "
        f"0.01 where the plan has 0.02 (the first of {run.optimizer_steps} logged steps that "
        "differ)"
    )


def test_unnamed_groups_are_matched_as_lightning_names_them(
    runner: CliRunner, trainers: Trainers, write_config, tmp_path: Path
) -> None:
    run = trainers.lightning(**LIGHTNING_GROUPS)
    plan = write_config(lightning_groups_plan(run, "[{}, {lr: 0.01}]"))
    result = compared(runner, plan, run.log)
    assert result.stderr.splitlines()[1:] == [
        f"Notice: {run.log}: 'lr-SGD/backbone' and 'lr-SGD/head' are the lr of no param group "
        "of config (0, 1): not compared",
        f"Warning: {run.log}: the run did not follow config: it logs the lr of none of the "
        "plan's param groups (0, 1)",
    ]
    # LearningRateMonitor names the groups of a run that names none pg1, pg2, ...
    unnamed = tmp_path / "unnamed" / "metrics.csv"
    unnamed.parent.mkdir()
    header, rest = run.log.read_text().split("\n", 1)
    unnamed.write_text(header.replace("/backbone", "/pg1").replace("/head", "/pg2") + "\n" + rest)
    result = compared(runner, plan, unnamed)
    assert result.stderr == (
        f"Notice: {unnamed}: 'lr-SGD/pg1-weight_decay' and 'lr-SGD/pg2-weight_decay' are "
        "weight decay, which no plan schedules: not drawn or compared\n"
    )


def test_a_lightning_logs_momentum_is_compared_with_the_plans(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.lightning(**LIGHTNING_GROUPS)
    groups = "[{name: backbone}, {name: head, lr: 0.01}]"
    still = write_config(lightning_groups_plan(run, groups).replace(", momentum: 0.9", ""))
    result = compared(runner, still, run.log)
    assert result.stderr.splitlines()[1] == (
        f"Warning: {run.log}: the run did not follow config: at step 0, "
        "lr-SGD/backbone-momentum logged 0.9 where the plan has 0.0 (the first of "
        f"{run.optimizer_steps} logged steps that differ)"
    )
    # An optimizer without momentum: the logged momentum (0.9) is left out, not compared.
    adagrad = write_config(lightning_groups_plan(run, groups, "Adagrad"), "adagrad.yaml")
    result = compared(runner, adagrad, run.log)
    assert result.stderr.splitlines()[1:] == [
        f"Notice: {run.log}: 'lr-SGD/backbone-momentum' and 'lr-SGD/head-momentum' are "
        "momentum, which adagrad's Adagrad has none of: not compared"
    ]


ONE_CYCLE = {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 16}}


def test_a_lightning_log_of_a_cycled_momentum(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.lightning(**ONE_CYCLE, interval="step", max_epochs=2)
    body = (
        f"epochs: 2\nsteps_per_epoch: {run.batches_per_epoch}\n"
        "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: OneCycleLR, max_lr: 0.1, total_steps: 16}\n"
    )
    plan = write_config(body)
    columns = rendered(runner, plan)
    assert (columns["lr"], columns["momentum"]) == (list(run.lrs[0]), list(run.momenta[0]))
    result = compared(runner, plan, run.log)
    assert result.stderr == ""
    assert logged_rows(result) == dict(enumerate(run.lrs[0]))  # the momentum is not drawn
    wrong = write_config(body.replace("16}", "16, max_momentum: 0.9}"), "wrong.yaml")
    result = compared(runner, wrong, run.log)
    assert result.stderr == (
        f"Warning: {run.log}: the run did not follow wrong: at step 0, the momentum logged "
        f"0.95 where the plan has 0.9 (the first of {run.optimizer_steps} logged steps that "
        "differ)\n"
    )


def test_lightning_runs_appended_to_one_metrics_csv(
    runner: CliRunner, trainers: Trainers, write_config, tmp_path: Path
) -> None:
    run = trainers.lightning(**ONE_CYCLE, interval="step", max_epochs=2)
    plan = write_config(
        f"epochs: 2\nsteps_per_epoch: {run.batches_per_epoch}\n"
        "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: OneCycleLR, max_lr: 0.1, total_steps: 16}\n"
    )
    header, rows = run.log.read_text().split("\n", 1)
    log = tmp_path / "both" / "metrics.csv"
    log.parent.mkdir()
    log.write_text(f"{header}\n{rows}{rows}")
    second = rows.count("\n") + 2  # the line the second run starts at
    last = run.optimizer_steps - 1
    result = compared(runner, plan, log)
    assert result.stderr == (
        f"Notice: {log}: holds 2 runs, one after another, a run starting again at line "
        f"{second} (step 0 after step {last}): at each step, what the last run to log it "
        "logged is compared\n"
    )
    changed = rows.replace(repr(run.lrs[0][5]), "0.05")
    log.write_text(f"{header}\n{rows}{changed}")
    result = compared(runner, plan, log)
    assert result.stderr.splitlines()[1] == (
        f"Warning: {log}: the run did not follow config: at step 5, the learning rate logged "
        f"0.05 where the plan has {run.lrs[0][5]!r} (the runs in the log disagree at this "
        f"step: run 1 logged {run.lrs[0][5]!r}, run 2 (compared) 0.05)"
    )


def test_an_hf_log_without_a_plan_or_a_version_is_read_in_todays_order(
    runner: CliRunner, trainers: Trainers, tmp_path: Path
) -> None:
    run = trainers.hf(**HF_LINEAR)
    log = copied(run, tmp_path / "run")
    result = runner.invoke(cli, ["compare", str(log), "-f", "csv", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Notice: {log}: {BEFORE}, today's, with no plan to tell by (no config.json beside it)\n"
    )
    assert logged_rows(result) == dict(enumerate(run.lrs[0]))


def test_a_constant_lr_fits_either_order(runner: CliRunner, write_config) -> None:
    # The same lr at every step: logged before or after the scheduler steps, it is the same.
    history = [{"loss": 1.0, "learning_rate": 0.1, "step": step} for step in range(1, 5)]
    log = write_config(json.dumps({"log_history": history}), "run/trainer_state.json")
    plan = write_config("epochs: 4\nscheduler: {type: ConstantLR, factor: 1.0}\n", "flat.yaml")
    result = compared(runner, plan, log)
    assert result.stderr == (
        f"Notice: {log}: {BEFORE}, one of the two flat fits (no config.json beside it)\n"
    )


def test_a_logged_step_outside_the_plan_differs(
    runner: CliRunner, trainers: Trainers, write_config
) -> None:
    run = trainers.hf(**HF_LINEAR)
    # The first epoch of the same schedule: the steps logged after it are past its end.
    plan = write_config(hf_linear_plan(2, run.batches_per_epoch).replace("epochs: 2", "epochs: 1"))
    result = compared(runner, plan, run.log)
    assert result.stderr.splitlines()[-1] == (  # after the plan's schedule-cut-short
        f"Warning: {run.log}: the run did not follow config: at step 8 (logged at step 9), it "
        "logs step 8, past the plan's last step, 7 (the first of 8 logged steps that differ)"
    )
    # A step 0, which no Trainer of the newer order logs: no step comes before it.
    history = [{"learning_rate": 0.1, "step": 0}, {"learning_rate": 0.1, "step": 1}]
    log = write_config(json.dumps({"log_history": history}), "run/trainer_state.json")
    flat = write_config("epochs: 4\nscheduler: {type: ConstantLR, factor: 1.0}\n", "flat.yaml")
    result = compared(runner, flat, log, "--hf-log-order", "before-scheduler")
    assert result.stderr.splitlines()[1] == (
        f"Warning: {log}: the run did not follow flat: at step -1 (logged at step 0), it logs "
        "a step before the plan's first, 0"
    )


def test_a_notice_lists_a_few_columns_and_counts_the_rest(runner: CliRunner, write_config) -> None:
    groups = [f"g{i}" for i in range(7)]
    header = [
        "epoch",
        *(f"lr-SGD/{g}{suffix}" for g in groups for suffix in ("", "-weight_decay")),
    ]
    log = write_config(
        ",".join([*header, "step"]) + "\n" + ",".join(["", *["0.1", "0"] * 7, "0"]) + "\n",
        "run/metrics.csv",
    )
    named = ", ".join(f"{{name: {g}}}" for g in groups)
    plan = write_config(f"epochs: 1\noptimizer: {{param_groups: [{named}]}}\n"
                        "scheduler: {type: ConstantLR, factor: 1.0}\n", "plan.yaml")  # fmt: skip
    result = compared(runner, plan, log)
    assert result.stderr == (
        f"Notice: {log}: 'lr-SGD/g0-weight_decay', 'lr-SGD/g1-weight_decay', "
        "'lr-SGD/g2-weight_decay', 'lr-SGD/g3-weight_decay', 'lr-SGD/g4-weight_decay' and 2 "
        "more are weight decay, which no plan schedules: not drawn or compared\n"
    )
