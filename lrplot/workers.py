"""Tasks spread over worker processes forked from this one once its heavy imports are done.

A worker is a fork: it starts in milliseconds with torch, matplotlib and every
loaded config already in memory, and is handed its tasks as indices into the
list both processes hold. Only results are pickled, back through a pipe. The
tasks are shared out before the workers start, the costliest first, each to
the least loaded worker, so the workers need no queue and nothing is left
waiting on a worker that died.

Where fork is not offered (Windows) or not safe (macOS, whose system libraries
may not survive a fork), or one job is asked, the tasks run in this process.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from .errors import ParameterError, UsageError
from .files import signals_held

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")

MAX_JOBS = 256


def cores() -> int:
    """The cores this process may run on: the default number of jobs."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on macOS and Windows
        return os.cpu_count() or 1


def check_jobs(jobs: object) -> int:
    """``jobs`` if it is a whole number of worker processes, 1 to :data:`MAX_JOBS`."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ParameterError("jobs", f"expected a whole number of processes, 1 to {MAX_JOBS}, got {jobs!r}")
    return jobs


def can_fork() -> bool:
    import multiprocessing

    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


_in_worker = False  # a worker forks none of its own


def will_fork(jobs: int, tasks: int) -> bool:
    """Whether :func:`map_tasks` runs ``tasks`` tasks in workers, given ``jobs``."""
    return min(check_jobs(jobs), tasks) > 1 and not _in_worker and can_fork()


def map_tasks(
    work: Callable[[T], R], tasks: Sequence[T], jobs: int, cost: Callable[[T], float] | None = None
) -> list[R]:
    """``work(task)`` for every task, in the order of ``tasks``: in up to ``jobs``
    forked workers, shared out by ``cost`` (an estimate in any unit), or here.

    An exception a task raises is raised here once the workers are stopped;
    ``work`` should return the errors it expects as values, so that which one
    is told does not depend on which worker finished first.
    """
    if not will_fork(jobs, len(tasks)):
        return [work(task) for task in tasks]
    shares = _share_out([cost(task) if cost else 1.0 for task in tasks], min(jobs, len(tasks)))
    return _Forked(work, tasks).run(shares)


def _share_out(costs: Sequence[float], jobs: int) -> list[list[int]]:
    """Task indices for each worker: the costliest first, each to the least loaded."""
    loads = [0.0] * jobs
    shares: list[list[int]] = [[] for _ in range(jobs)]
    for i in sorted(range(len(costs)), key=lambda i: -costs[i]):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += costs[i]
    return [share for share in shares if share]


class _Forked(Generic[T, R]):
    def __init__(self, work: Callable[[T], R], tasks: Sequence[T]) -> None:
        self.work = work
        self.tasks = tasks

    def run(self, shares: list[list[int]]) -> list[R]:
        import multiprocessing
        from multiprocessing.connection import wait

        context = multiprocessing.get_context("fork")
        results: dict[int, R] = {}
        workers = []
        try:
            for share in shares:
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=self._serve, args=(share, send), daemon=True)
                # Signals wait while it forks: a handler run in fork's own callbacks has its
                # exception swallowed (the run would go on), and a worker that began with this
                # process's handler would print a traceback.
                with signals_held():
                    process.start()  # flushes this process's output first, so a fork cannot repeat it
                    workers.append((process, receive, set(share)))  # known before a held signal acts
                    send.close()  # the worker's end only: its end of file is the worker's
            waiting = {receive: owed for _, receive, owed in workers}
            while waiting:
                for ready in wait(list(waiting)):
                    self._receive(cast("Connection", ready), waiting, results)
        finally:
            for process, receive, _ in workers:
                if process.is_alive():  # interrupted, or another task failed: its work is not needed
                    process.kill()
                process.join()
                receive.close()
        return [results[i] for i in range(len(self.tasks))]

    @staticmethod
    def _receive(ready: Connection, waiting: dict[Connection, set[int]], results: dict[int, R]) -> None:
        import pickle

        try:
            index, ok, value = pickle.loads(ready.recv_bytes())
        except EOFError:  # the worker ended
            if waiting.pop(ready):
                raise UsageError("a worker process ended before its work was done (out of memory?)") from None
            return
        waiting[ready].discard(index)
        if not ok:
            raise value
        results[index] = value

    def _serve(self, share: list[int], send: Connection) -> None:
        """In the worker: each task of ``share``, its result or its exception sent back."""
        import pickle

        global _in_worker
        _in_worker = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent acts
        for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                signal.signal(signum, signal.SIG_DFL)  # stopped by the parent, it just ends
        for index in share:
            try:
                message, ok = pickle.dumps((index, True, self.work(self.tasks[index]))), True
            except Exception as e:  # noqa: BLE001  (any failure is the parent's to raise)
                message, ok = pickle.dumps((index, False, _sendable(e))), False
            try:
                send.send_bytes(message)
            except OSError:  # the parent is gone
                return
            if not ok:
                return
        send.close()


def _sendable(e: Exception) -> Exception:
    """``e``, or a RuntimeError with its text where ``e`` cannot be pickled."""
    import pickle
    import traceback

    try:
        pickle.loads(pickle.dumps(e))
        return e
    except Exception:  # noqa: BLE001
        return RuntimeError("in a worker process:\n" + "".join(traceback.format_exception(e)))
