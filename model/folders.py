"""Output folders that never lose a user's file.

Every command writes its results into a staging folder beside the target and renames it into
place only when everything was written. Each results folder holds a `manifest.json` that says
silverplan wrote it (``"generator": "silverplan"``) and lists every file it wrote with its
SHA-256. That list is what makes replacing safe:

* a target may be replaced only if it is absent, empty, or earlier silverplan results whose
  folder holds nothing but the files its manifest lists (a user's ``NOTES.txt`` put inside an
  old results folder stops the run; it is never deleted);
* the old folder is moved aside, and only the files its manifest lists are deleted from it;
* earlier results are reused (by `simulate compare`) only while their files still match the
  checksums of their manifest;
* staging and moved-aside folders carry a marker with the writing process's id, so a later run
  removes those of a process that no longer runs (after a kill), and never anything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

MANIFEST = "manifest.json"
GENERATOR = "silverplan"
MARKER = ".silverplan-staging"   # inside staging and moved-aside folders while a process works on them


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_files(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative POSIX paths) with its SHA-256, manifest excluded."""
    return {path.relative_to(folder).as_posix(): file_digest(path)
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MANIFEST}


def read_manifest(folder: Path) -> dict | None:
    """The manifest silverplan wrote in `folder`, or None (absent, unreadable, or not ours)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("generator") != GENERATOR or \
            not isinstance(manifest.get("files"), dict):
        return None
    return manifest


def unlisted(folder: Path, manifest: dict) -> list[str]:
    """What `folder` holds that its manifest does not list (files and empty folders)."""
    listed = set(manifest["files"]) | {MANIFEST}
    extra = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir():
            if not any(name.startswith(relative + "/") for name in listed):
                extra.append(relative + "/")
        elif relative not in listed:
            extra.append(relative)
    return extra


def intact(folder: Path, manifest: dict) -> bool:
    """Whether every file the manifest lists is there with the checksum it was written with."""
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file() or file_digest(path) != digest:
            return False
    return True


def check_target(target: Path) -> Path:
    """`target` resolved, if results may be written there: absent, an empty folder, or earlier
    silverplan results holding nothing their manifest does not list. OutputError otherwise."""
    target = Path(target).absolute()
    existing = next((p for p in (target, *target.parents) if p.exists()), None)
    if existing is not None and existing != target and not existing.is_dir():
        raise OutputError(target, f"{existing} is a file, so no folder can be made inside it")
    if not target.exists():
        return target
    if not target.is_dir():
        raise OutputError(target, "is a file, not a folder; choose a folder for the results")
    if not any(target.iterdir()):
        return target
    manifest = read_manifest(target)
    if manifest is None:
        raise OutputError(target, "exists and does not hold earlier silverplan results (no manifest.json "
                                  "written by silverplan); choose a new or empty folder")
    extra = unlisted(target, manifest)
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise OutputError(target, f"holds files silverplan did not write ({shown}); move them elsewhere "
                                  "or choose another folder, so that replacing the results cannot delete them")
    return target


def _mark(folder: Path) -> None:
    (folder / MARKER).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}), encoding="utf-8")


def _abandoned(folder: Path) -> bool:
    """A staging or moved-aside folder whose writing process has ended (on this host)."""
    try:
        mark = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        pid, host = int(mark["pid"]), str(mark["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname():
        return False  # another machine's run on a shared disk: not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_abandoned(parent: Path) -> None:
    """Remove staging and moved-aside folders of runs that were killed: hidden folders of the
    `.<name>.tmp-…` / `.<name>.old-…` pattern that hold our marker with a dead process id."""
    try:
        candidates = [p for p in parent.iterdir() if p.is_dir() and p.name.startswith(".")
                      and (".tmp-" in p.name or ".old-" in p.name)]
    except OSError:
        return
    for folder in candidates:
        if _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)


INTERRUPTIONS = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}


def _hold_signals() -> tuple:
    """Hold SIGINT, SIGTERM and SIGHUP; returns what `_release_signals` restores. Blocking
    them (pthread_sigmask) holds them for this thread only: the kernel may hand one to another
    thread (OpenBLAS starts several), and Python would still run its handler here at once. So
    the handlers are also replaced by one that only records the signal."""
    arrived: list[int] = []
    handlers = {}
    if threading.current_thread() is threading.main_thread():   # handlers can be set there only
        handlers = {signum: signal.signal(signum, lambda signum, frame: arrived.append(signum))
                    for signum in INTERRUPTIONS}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTIONS) if hasattr(signal, "pthread_sigmask") else None
    return mask, handlers, arrived


def _release_signals(held: tuple) -> None:
    """Restore the handlers and the signal mask; a signal that came meanwhile is raised here
    (once: a second call restores and raises nothing more)."""
    mask, handlers, arrived = held
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    handlers.clear()   # restored once: a handler the interruption has set since (SIG_IGN) stays
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)   # one pending for this thread is raised here
    if arrived:
        signum = arrived[0]
        arrived.clear()
        signal.raise_signal(signum)                        # one that went to another thread


@contextmanager
def staged(target: Path):
    """A staging folder beside `target` (yielded); when the block succeeds the caller has
    written `manifest.json` there (see `write_manifest`) and the folder replaces `target`;
    when it fails the staging folder is removed and `target` is untouched."""
    target = check_target(target)
    # Interruptions wait until the folder is made and marked and its clean-up is in place:
    # one in between would leave it behind.
    held = _hold_signals()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(target.parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except PermissionError:
        _release_signals(held)
        raise OutputError(target, "cannot be written here (permission denied)") from None
    except BaseException:
        _release_signals(held)
        raise
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
        _mark(staging)
        _release_signals(held)
        yield staging
        (staging / MARKER).unlink()
        if read_manifest(staging) is None:
            raise RuntimeError(f"{staging}: the writer finished without a manifest")
        _swap_into_place(staging, target)
    except BaseException:
        _release_signals(held)
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_manifest(staging: Path, content: dict) -> dict:
    """Write `manifest.json` into the staging folder: `content` with the generator and the
    list of every file written so far, each with its SHA-256. Returns the manifest."""
    manifest = {"generator": GENERATOR, **content, "files": folder_files(staging)}
    manifest["files"].pop(MARKER, None)
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename `staging` to `target`. Earlier results there are checked once more (a file may
    have been added since the run began), moved aside, and only their listed files deleted."""
    retired = None
    if target.exists():
        check_target(target)
        manifest = read_manifest(target) or {"files": {}}
        retired = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, retired)
    try:
        os.replace(staging, target)
    except OSError:
        if retired is not None:
            os.replace(retired, target)
        raise
    if retired is not None:
        _mark(retired)
        _delete_listed(retired, manifest)


def _delete_listed(folder: Path, manifest: dict) -> None:
    """Delete the files the manifest lists, then the folders left empty; anything else stays."""
    for name in [*manifest["files"], MANIFEST, MARKER]:
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            try:
                path.rmdir()
            except OSError:
                pass
    try:
        folder.rmdir()
    except OSError:
        pass  # something unlisted appeared after the last check: left where it is, never deleted
