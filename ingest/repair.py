"""Checking an index against the notes, and repairing it.

A sync is built so that a crash leaves the index usable and the next sync
mends it; these are for when something else went wrong (a damaged store, a
copied data dir): find what disagrees and rebuild only that.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from stat import S_ISREG

from index import NotesIndex

from .chunk import DEFAULT_OVERLAP, DEFAULT_SIZE
from .read import Unreadable, read_pages
from .sync import ProgressCallback, SyncReport, chunk_file, sync


def outdated_files(
    index: NotesIndex,
    size: int = DEFAULT_SIZE,
    overlap: int = DEFAULT_OVERLAP,
    unreadable: list[tuple[str, str, str]] | None = None,
) -> list[tuple[str, str]]:
    """(root, path) of indexed files whose chunks no longer match the file:
    changed or gone since the last sync.

    A file that is there but cannot be read is not among them: a sync keeps
    its old chunks and says it is unchanged (or skips it again), so "run
    index" would never clear it. It goes to ``unreadable`` as (root, path,
    reason) instead."""
    found = []
    for root in index.roots:
        for rel, record in index.files(root).items():
            path = Path(root) / rel
            try:
                if not S_ISREG(path.stat().st_mode):
                    # as sync says; reading a pipe would hang
                    raise Unreadable("not a regular file (a pipe, socket or device)")
                pages = read_pages(path)
            except FileNotFoundError:
                found.append((root, rel))
                continue
            except OSError as exc:
                if unreadable is not None:
                    unreadable.append((root, rel, exc.strerror or str(exc)))
                continue
            except Unreadable as exc:
                if unreadable is not None:
                    unreadable.append((root, rel, str(exc)))
                continue
            chunks = chunk_file(root, rel, [(p.number, p.lines) for p in pages], size, overlap)
            if tuple(c.id for c in chunks) != record.chunks:
                found.append((root, rel))
    return found


def repair(
    index: NotesIndex,
    *,
    size: int = DEFAULT_SIZE,
    overlap: int = DEFAULT_OVERLAP,
    exclude: Path | None = None,
    progress: ProgressCallback | None = None,
) -> SyncReport:
    """Read again the files whose chunks lack vectors (only those chunks are
    embedded), rebuild BM25 and drop stray vectors, syncing every root on
    the way (the caller holds the lock)."""
    broken = index.consistency().missing_vectors
    for root in index.roots:
        for rel, record in index.files(root).items():
            if broken & set(record.chunks):
                index.forget(root, rel)
    roots: Sequence[Path] = [Path(r) for r in index.roots]
    return sync(
        index, roots, size=size, overlap=overlap, exclude=exclude, progress=progress,
        missing_ok=True, rebuild_lexical=True,
    )  # fmt: skip
