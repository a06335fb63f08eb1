"""Worker processes: tasks on every core, results in order, a task killing its worker failed."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent import futures
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Broken:
    """What :func:`_pool_results` yields where its pool broke (a worker died)."""


class Pending:
    """In a stream of tasks or results: nothing yet, ask again (see :func:`in_order`)."""


PENDING = Pending()
_POLL = 0.05  # seconds a polling stream waits before it says it is still pending


def in_order(
    work: Callable[[T], R],
    tasks: Iterable[T | Pending],
    *,
    workers: int,
    warm_up: Callable[[], object] | None = None,
) -> Iterator[tuple[T, R | None]]:
    """:func:`in_order_polling` without polling: each result as soon as it is there."""
    for item in in_order_polling(work, tasks, workers=workers, warm_up=warm_up):
        if not isinstance(item, Pending):
            yield item


def in_order_polling(
    work: Callable[[T], R],
    tasks: Iterable[T | Pending],
    *,
    workers: int,
    warm_up: Callable[[], object] | None = None,
    polling: bool = False,
) -> Iterator[tuple[T, R | None] | Pending]:
    """``(task, work(task))`` for each of ``tasks``, run in ``workers`` forked processes
    and yielded in the tasks' order, whatever finishes first (so that two runs' logs
    compare line by line); None in place of the result of a task whose run killed its
    worker.

    Tasks are taken as they come: the workers start, and run ``warm_up`` (imports, say;
    its failure is ignored), before the first task is taken, so a caller that makes
    tasks slowly (importing torch to simulate them) overlaps that with the workers' own
    start-up, and each task runs as soon as it is made. Workers warm up one core fewer
    at a time than there are cores (one at a time on two), leaving a core to the caller.

    When a worker dies (killed by the OOM killer, or by code a config imported calling
    ``os._exit``), the tasks not yet finished run again one at a time, in one worker, so
    the task that kills its worker is known: it gets None, the others their results.
    An exception ``work`` raises is raised here; Ctrl-C stops the workers at once.

    ``tasks`` may say :data:`PENDING` (their source is busy): the results ready
    meanwhile are yielded, so that a slow task upstream holds back none made before it.
    With ``polling``, this yields :data:`PENDING` in turn while its next result is not
    ready, so that it can be the ``tasks`` of another.
    """
    queue: Iterator[T | Pending] = iter(tasks)
    while True:
        one_by_one = workers == 1
        started: list[T] = []  # the tasks of this pool, in order
        done, broken = 0, False
        for result in _pool_results(work, queue, started, workers, warm_up, polling):
            if isinstance(result, Pending):
                yield result
            elif isinstance(result, _Broken):  # the last: the pool has ended
                broken = True
            else:
                yield started[done], result
                done += 1
        if not broken:
            return
        again = started[done:]
        if one_by_one and again:  # alone in its worker, in order: this task's run killed it
            yield again.pop(0), None
        queue, workers = _chained(again, queue), 1


def _chained(first: Sequence[T], rest: Iterator[T | Pending]) -> Iterator[T | Pending]:
    yield from first
    yield from rest


def _pool_results(
    work: Callable[[T], R],
    tasks: Iterator[T | Pending],
    started: list[T],
    workers: int,
    warm_up: Callable[[], object] | None,
    polling: bool,
) -> Iterator[R | _Broken | Pending]:
    """The results of ``tasks`` in order, from a pool of ``workers``, each task appended
    to ``started`` as it is submitted; a :class:`_Broken` where the pool broke (a worker
    died), and nothing after it."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    warming = context.Semaphore(max(1, (os.cpu_count() or 1) - 1))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), warm_up, warming),
    )
    try:
        pool.submit(_nothing)  # forks every worker now: they warm up while tasks are made
        running: deque[Future[R]] = deque()
        for task in tasks:
            if isinstance(task, Pending):  # their source is busy: the results ready here
                if running:
                    futures.wait([running[0]], timeout=_POLL)
                if (yield from _drain(running, wait=False)):
                    return
                if polling:
                    yield task
                continue
            started.append(task)
            try:
                running.append(pool.submit(work, task))
            except BrokenProcessPool:  # before this task could be submitted
                refused: Future[R] = Future()
                refused.set_exception(BrokenProcessPool())
                running.append(refused)
                break
            if (yield from _drain(running, wait=False)):  # what is ready, while tasks are made
                return
        yield from _drain(running, wait=True, polling=polling)
    except BaseException:  # Ctrl-C, or a failure here: runs in progress are dropped
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():  # not to wait for them
            worker.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _drain(
    running: deque[Future[R]], *, wait: bool, polling: bool = False
) -> Generator[R | _Broken | Pending, None, bool]:
    """The results at the head of ``running``: every one with ``wait`` (saying
    :data:`PENDING` while the next is not ready, with ``polling``), else those ready.
    True if the pool broke (a :class:`_Broken` yielded last)."""
    from concurrent.futures.process import BrokenProcessPool

    while running and (wait or running[0].done()):
        if polling and not futures.wait([running[0]], timeout=_POLL).done:
            yield PENDING
            continue
        try:
            yield running.popleft().result()
        except BrokenProcessPool:
            yield _Broken()
            return True
    return False


def _nothing() -> None:
    """The first task of a pool: submitting it starts the workers."""


def _start_worker(
    parent: int, warm_up: Callable[[], object] | None, warming: AbstractContextManager[object]
) -> None:
    """In a worker: leave Ctrl-C to the parent process (which stops the pool), and exit
    when that process is gone (killed with -9, say) instead of waiting forever on a
    queue whose other end this worker itself holds open; then warm up, holding
    ``warming`` (a semaphore: the workers warm up a few at a time). What the worker's
    tasks print goes to stderr: the parent's stdout carries data only."""
    from lrplot.streams import prints_to_stderr_from_now

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prints_to_stderr_from_now()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    if warm_up is not None:
        with warming, contextlib.suppress(Exception):
            warm_up()
