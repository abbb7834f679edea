"""Worker processes that end with their parent.

`map_in_processes` runs a function over tasks in spawned worker processes and returns the
results in task order. The workers never outlive the run: when the parent stops with an
exception (an error, Ctrl-C, or the SIGTERM/SIGHUP the command line turns into one) the pool
is terminated, and each worker also watches its parent and exits if the parent is gone (a
parent killed with SIGKILL runs no clean-up of its own).

Spawned, not forked: the command line's progress thread must not be copied mid-write (and
Mesa 3.3 sets "spawn" globally on import anyway).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence

PARENT_CHECK_SECONDS = 0.5


def _watch_parent(parent: int) -> None:
    """Worker initialiser: exit as soon as the parent process is gone."""
    def watch():
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _call(job):
    function, arguments = job
    return function(*arguments)


def map_in_processes(function: Callable, tasks: Sequence[tuple], workers: int,
                     done: Callable[[int], None] | None = None) -> list:
    """[function(*task) for task in tasks], computed by `workers` spawned processes; `done`
    is called with the number of finished tasks as results arrive (in task order)."""
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(workers, initializer=_watch_parent, initargs=(os.getpid(),))
    try:
        results = []
        for result in pool.imap(_call, [(function, task) for task in tasks]):
            results.append(result)
            if done is not None:
                done(len(results))
        pool.close()
        pool.join()
        return results
    finally:
        pool.terminate()
        pool.join()
