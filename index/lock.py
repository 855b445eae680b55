"""One writer per index: an advisory lock on a file holding the writer's pid.

The kernel drops a ``flock`` when its process dies, so a lock left by a killed
indexer is simply free again; no stale-lock guessing is needed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexBusy, ReadOnlyStore

# A flock is per open file, so two threads of one process (a re-index while
# live sync runs in the chat app) would wait on each other and then blame
# the process's own pid: they take this lock first.
_in_process: dict[Path, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def index_lock(path: Path, wait_seconds: float = 5.0) -> Iterator[None]:
    with _guard:
        here = _in_process.setdefault(path.resolve(), threading.Lock())
    if not here.acquire(timeout=wait_seconds):
        raise IndexBusy(f"This app is already updating {path.parent}; wait for that to finish.")
    try:
        with _file_lock(path, wait_seconds):
            yield
    finally:
        here.release()


@contextmanager
def _file_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        raise ReadOnlyStore(
            f"The data dir {path.parent} is read-only ({exc.strerror}): the index "
            "cannot be updated there. Make it writable, or set NOTES_CHAT_HOME to "
            "a writable folder."
        ) from exc
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise IndexBusy(
                        f"Another indexer (pid {holder}) is updating {path.parent}. "
                        "Wait for it to finish, or stop it, and try again."
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
