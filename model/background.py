"""One piece of output written beside the main process.

A run's tables and workbook do not depend on its charts, its report or its Word chapter, so a
forked child writes them while the main process draws charts; then both draw the charts left,
each taking the next from a `Shared` queue (two cores, two writers).
The child is a copy of the main process at the fork: it needs no arguments sent to it, and
it only writes the files it was given. What the work returns (pickled) and its error are
had in the main process when the work is awaited (`Beside.result()`, or at the block's end),
as if the work had run there.

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


class Beside:
    """The work done beside the block: `result()` waits for it and returns what it returned
    (raising its error here); called again, it returns the same value."""

    def __init__(self, pid: int | None, read: int | None, value=None):
        self._pid, self._read, self._value = pid, read, value

    def result(self):
        if self._pid is not None:
            pid, self._pid = self._pid, None
            with os.fdopen(self._read, "rb") as pipe:
                message = pipe.read()
            _, status = os.waitpid(pid, 0)
            if status:
                if message:
                    raise pickle.loads(message)
                raise RuntimeError(f"the writer beside the run ended with status {os.waitstatus_to_exitcode(status)}")
            self._value = pickle.loads(message)
        return self._value

    def stop(self) -> None:
        """End the child at once (the block failed) and reap it."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(self._read)


class Shared:
    """Items (small whole numbers, in the order given), each to be taken once by whichever
    process asks first (the main process and the child share the work): a pipe filled before
    the fork, read two bytes at a time, so no item is taken twice. Iterate to take until none
    is left; a context manager that closes the pipe."""

    def __init__(self, items: list[int]):
        if len(items) > 4096 or any(not 0 <= item < 65536 for item in items):   # all fit the pipe's 64 KiB
            raise ValueError("at most 4,096 shared items, each from 0 to 65,535")
        self._read, write = os.pipe()
        os.write(write, b"".join(item.to_bytes(2, "little") for item in items))
        os.close(write)

    def __iter__(self) -> Iterator[int]:
        while item := os.read(self._read, 2):
            yield int.from_bytes(item, "little")

    def __enter__(self) -> "Shared":
        return self

    def __exit__(self, *exc) -> None:
        os.close(self._read)


@contextmanager
def beside(work: Callable[[], object]) -> Iterator[Beside]:
    """Run `work()` in a forked child while the block runs; at the block's end (or at
    `result()`) wait for it, and raise here what it raised. If the block fails (or is
    interrupted), the child is stopped and reaped before the error goes on, so nothing writes
    into a folder the caller is about to remove."""
    if not sys.platform.startswith("linux"):
        yield Beside(None, None, work())
        return
    read, write = os.pipe()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTIONS)   # none may reach the child's Python
    pid = os.fork()
    if pid == 0:
        _child(work, read, write, held)   # never returns
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(write)
    done = Beside(pid, read)
    try:
        yield done
    except BaseException:
        done.stop()
        raise
    done.result()


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
        message = pickle.dumps(work())
        with os.fdopen(write, "wb") as pipe:
            pipe.write(message)
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
