"""Checking an index against the notes, and repairing it.

A sync is built so that a crash leaves the index usable and the next sync
mends it; these are for when something else went wrong (a damaged store, a
copied data dir): find what disagrees and rebuild only that.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from index import NotesIndex

from .chunk import DEFAULT_OVERLAP, DEFAULT_SIZE
from .read import Unreadable, read_pages
from .sync import ProgressCallback, SyncReport, chunk_file, sync


def outdated_files(
    index: NotesIndex, size: int = DEFAULT_SIZE, overlap: int = DEFAULT_OVERLAP
) -> list[tuple[str, str]]:
    """(root, path) of indexed files whose chunks no longer match the file:
    changed or gone since the last sync."""
    found = []
    for root in index.roots:
        for rel, record in index.files(root).items():
            path = Path(root) / rel
            try:
                pages = read_pages(path)
            except (OSError, Unreadable):
                found.append((root, rel))
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
