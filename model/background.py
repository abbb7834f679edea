"""One piece of output written beside the main process.

A run's workbook does not depend on its charts, its report or its Word chapter, so a forked
child writes it while the main process draws and writes the rest (two cores, two writers).
The child is a copy of the main process at the fork: it needs no arguments sent to it, and
it only writes the file it was given. Its error is raised in the main process when the
work is awaited, as if the work had run there.

Where fork is not the platform's safe default (only Linux is assumed safe here), the work
runs inline before the block, with the same result.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .folders import INTERRUPTIONS


@contextmanager
def beside(work: Callable[[], None]) -> Iterator[None]:
    """Run `work()` in a forked child while the block runs; at the block's end wait for it
    and raise here what it raised. If the block fails (or is interrupted), the child is
    stopped and reaped before the error goes on, so nothing writes into a folder the caller
    is about to remove."""
    if not sys.platform.startswith("linux"):
        work()
        yield
        return
    read, write = os.pipe()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTIONS)   # none may reach the child's Python
    pid = os.fork()
    if pid == 0:
        _child(work, read, write, held)   # never returns
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(write)
    try:
        yield
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        raise
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status:
        if message:
            raise pickle.loads(message)
        raise RuntimeError(f"the workbook writer ended with status {os.waitstatus_to_exitcode(status)}")


def _child(work: Callable[[], None], read: int, write: int, held) -> None:
    """The forked child: an interruption ends it at once (default handlers), its error goes
    to the parent through `write`, and it leaves by os._exit, so it never runs the parent's
    clean-up (which would remove the staging folder the parent is still writing)."""
    code = 1
    try:
        os.close(read)
        for signum in INTERRUPTIONS:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        work()
        code = 0
    except BaseException as exc:  # noqa: BLE001 — every error goes to the parent
        exc.add_note("in the forked writer:\n" + traceback.format_exc())   # shown with SILVERPLAN_DEBUG=1
        try:
            message = pickle.dumps(exc)
            pickle.loads(message)   # an error whose class takes other arguments cannot be rebuilt there
        except Exception:  # noqa: BLE001 — an error that cannot go as itself goes as its words
            message = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(message)
    finally:
        os._exit(code)
