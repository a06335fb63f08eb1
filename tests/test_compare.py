"""lrplot compare: several schedules on one axis, and a long-form CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from click.testing import CliRunner

from lrplot.cli import cli
from tests.conftest import CONFIGS_DIR
from tests.reference import reference_run

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
    from lrplot.compare import file_names

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
    assert result.stderr == f"Wrote {out}\n"
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
    assert result.stderr.splitlines()[0] == (
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
