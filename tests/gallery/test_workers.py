"""The worker pool: results in the tasks' order, tasks taken as they come, a task that
kills its worker failed alone, errors raised, warm-up first."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from lrplot.gallery.workers import in_order

PARENT = os.getpid()


def slow_square(n: int) -> int:
    time.sleep(0.05 * (n % 3))  # later tasks often finish first
    return n * n


def pid_of(_: int) -> int:
    return os.getpid()


def dies_on_three(n: int) -> int:
    if n == 3:
        os._exit(1)  # as code a config imported might, or the OOM killer
    return n


def dies_on_three_and_five(n: int) -> int:
    return dies_on_three(3 if n == 5 else n)


def started_at(_: int) -> float:
    return time.monotonic()  # the same clock in every process


def fails_on_two(n: int) -> int:
    if n == 2:
        raise ValueError("two")
    return n


WARMED: list[float] = []


def warmed(_: int) -> list[float]:
    return WARMED


def warm() -> None:
    WARMED.append(time.monotonic())


def broken_warm_up() -> None:
    raise RuntimeError("cannot warm up")


def prints(n: int) -> int:
    print(f"print {n}")  # noqa: T201  (as a library's verbose output does)
    os.write(1, f"fd 1 {n}\n".encode())  # as a C extension, or a process it starts, does
    return n


def chatty(n: int) -> int:
    for line in range(CHATTY_LINES):
        print(f"task {n} line {line}")  # noqa: T201
    return n


CHATTY_LINES = 400


def test_lines_two_workers_print_at_once_stay_whole(capfd: pytest.CaptureFixture[str]) -> None:
    assert [r for _, r in in_order(chatty, range(4), workers=2)] == [0, 1, 2, 3]
    _, err = capfd.readouterr()
    expected = [f"task {n} line {line}" for n in range(4) for line in range(CHATTY_LINES)]
    assert sorted(err.splitlines()) == sorted(expected)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_the_tasks_order(workers: int) -> None:
    tasks = list(range(12))
    assert list(in_order(slow_square, tasks, workers=workers)) == [(n, n * n) for n in tasks]


def test_tasks_run_in_other_processes_on_every_worker() -> None:
    pids = {pid for _, pid in in_order(pid_of, range(20), workers=2)}
    assert PARENT not in pids
    assert 1 <= len(pids) <= 2


def test_each_task_runs_as_soon_as_it_is_made() -> None:
    made_at: list[float] = []

    def made() -> Iterator[int]:
        for n in range(3):
            time.sleep(0.4)  # a caller simulating a config, say
            made_at.append(time.monotonic())
            yield n

    started = [at for _, at in in_order(started_at, made(), workers=2) if at is not None]
    waits = [start - made for start, made in zip(started, made_at, strict=True)]
    assert all(0 <= wait < 0.25 for wait in waits), waits


@pytest.mark.parametrize("workers", [1, 2])
def test_a_task_that_kills_its_worker_alone_has_no_result(workers: int) -> None:
    results = list(in_order(dies_on_three, range(7), workers=workers))
    assert results == [(0, 0), (1, 1), (2, 2), (3, None), (4, 4), (5, 5), (6, 6)]


def test_two_tasks_that_kill_their_workers() -> None:
    results = [r for _, r in in_order(dies_on_three_and_five, range(7), workers=2)]
    assert results == [0, 1, 2, None, 4, None, 6]


def test_an_error_in_a_task_is_raised_and_stops_the_pool() -> None:
    results = in_order(fails_on_two, range(5), workers=2)
    assert [next(results), next(results)] == [(0, 0), (1, 1)]
    with pytest.raises(ValueError, match="two"):
        next(results)


def test_workers_warm_up_while_the_first_task_is_made() -> None:
    made_at: list[float] = []

    def made() -> Iterator[int]:
        time.sleep(0.5)
        made_at.append(time.monotonic())
        yield 0

    [(_, warmed_at)] = list(in_order(warmed, made(), workers=1, warm_up=warm))
    assert warmed_at is not None
    assert len(warmed_at) == 1
    assert warmed_at[0] < made_at[0] - 0.2
    assert WARMED == []  # in the worker only


def test_a_failed_warm_up_is_ignored() -> None:
    assert [r for _, r in in_order(slow_square, [2, 3], workers=1, warm_up=broken_warm_up)] == [
        4,
        9,
    ]


def test_no_tasks_no_results() -> None:
    assert list(in_order(slow_square, [], workers=2)) == []


def waits_for_a_file(path: str) -> str:
    """Task 'wait:PATH' waits (up to half a minute) for PATH, which its consumer makes
    on seeing an earlier result; any other task is done at once."""
    if not path.startswith("wait:"):
        return path
    deadline = time.monotonic() + 30
    while not os.path.exists(path[5:]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return "saw it" if os.path.exists(path[5:]) else "held back"


def upper(text: str | None) -> str:
    return str(text).upper()


def test_a_slow_task_upstream_holds_back_no_result_made_before_it(tmp_path) -> None:
    from lrplot.gallery.workers import in_order_polling

    flag = tmp_path / "first result seen"
    upstream = in_order_polling(
        waits_for_a_file, ["a", "b", f"wait:{flag}"], workers=1, polling=True
    )
    # The upstream's results, and its PENDING while the slow task runs, are the tasks here.
    tasks = (item[1] if isinstance(item, tuple) else item for item in upstream)
    downstream = in_order(upper, tasks, workers=2)
    results = []
    for _, result in downstream:
        results.append(result)
        flag.touch()  # the slow task upstream ends when it sees this
    assert results == ["A", "B", "SAW IT"]


@pytest.mark.parametrize("workers", [1, 2])
def test_what_a_task_prints_goes_to_stderr(
    workers: int, capfd: pytest.CaptureFixture[str]
) -> None:
    assert [r for _, r in in_order(prints, range(3), workers=workers)] == [0, 1, 2]
    out, err = capfd.readouterr()
    assert out == ""
    assert sorted(err.splitlines()) == sorted(
        [*(f"print {n}" for n in range(3)), *(f"fd 1 {n}" for n in range(3))]
    )
