"""Telling a full disk apart from other write failures. Chroma reports it in
its own words ("database or disk is full", or a failed compaction), Python as
``ENOSPC``; either way the user needs to hear where space ran out."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from .errors import DiskFull, StoreError

# Below this, a failed write is taken as the disk being full: Chroma's
# messages do not always say so.
LOW_SPACE = 16 * 1024 * 1024


def free_bytes(path: Path) -> int | None:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return None


def is_disk_full(path: Path, exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if "disk is full" in str(exc) or "No space left" in str(exc):
        return True
    free = free_bytes(path)
    return free is not None and free < LOW_SPACE


def write_error(path: Path, exc: BaseException, what: str) -> StoreError:
    """The error to raise when writing ``what`` under ``path`` failed."""
    if is_disk_full(path, exc):
        free = free_bytes(path)
        left = f" ({free // 1024} KB free)" if free is not None else ""
        return DiskFull(
            f"The disk holding {path} is full{left}: {what} could not be written. "
            "Free some space and run `notes-chat index` again; the index is "
            "as it was before this sync."
        )
    return StoreError(f"Writing {what} failed: {exc}")
