"""Bring the index in step with the notes folders.

Unchanged files cost a ``stat`` (or a hash, if only their time changed).
A changed file is chunked again, and only chunks whose text is new are
embedded: chunk ids hash the root, path, heading, text and occurrence, so a chunk
that merely moved keeps its id and has its line numbers updated. Files that
are gone, and the chunks they owned, leave every store.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Literal

import numpy as np

from index import Chunk, FileRecord, NotesIndex, NotesNotFound

from .chunk import DEFAULT_OVERLAP, DEFAULT_SIZE, split_lines
from .clean import clean_lines
from .discover import discover
from .read import Unreadable, read_pages

# How files are read, part of the recorded chunking: raised when reading
# gives a file other lines than before (2: the other-encoding lines of a
# mostly UTF-8 file decoded line by line; only newlines break lines; 3: a
# slide's title no longer repeated as a line of its text; 4: Word tables
# where they stand, tables in tables, text in grouped shapes, no EPUB
# table of contents). The
# first sync after that reads every file again, embedding only chunks whose
# text is new; otherwise index would call such a file unchanged while
# doctor, reading it the new way, calls it changed.
READER = 4
# What a chunk records, also part of the recorded chunking: raised when a
# chunk's stored metadata gains a field (lines: the file line of each line
# of its text), so the next sync stores it for every chunk (no embedding:
# the texts are the same).
CHUNK_FIELDS = "lines"
# Chunks embedded between two progress reports (about 3 s with e5-small).
EMBED_BATCH = 16
# Chunks written to Chroma at once: a write costs ~150 ms plus ~1 ms a
# chunk, so writing every 16 would add ~10 ms a chunk (5% of embedding with
# e5-small).
WRITE_BATCH = 256


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Reported while syncing: files read ("scan"), then chunks embedded ("embed")."""

    phase: Literal["scan", "embed"]
    done: int
    total: int
    current: str = ""

    @property
    def label(self) -> str:
        """What a progress bar calls the phase."""
        return "Reading" if self.phase == "scan" else "Embedding"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file (or folder) left out, and why; with ``indexed`` True, a file
    that was indexed but with a repair worth knowing about (lines read in
    another encoding, a PDF pypdf had to mend)."""

    path: str
    reason: str
    indexed: bool = False


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    chunks_removed: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    skipped: tuple[Skipped, ...] = ()

    def summary(self) -> str:
        """The line a sync ends with: "2 added, 1 changed, 0 removed, 40
        unchanged files; 37 chunks embedded, 12 removed, 1204 in the index (6.1 s)."
        """
        return (
            f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged files; {self.chunks_embedded} chunks embedded, "
            f"{self.chunks_removed} removed, {self.chunks_total} in the index "
            f"({self.seconds:.1f} s)."
        )

    def short_summary(self) -> str:
        """For a sync after every change: "2 added, 1 changed, 0 removed." """
        return f"{self.added} added, {self.changed} changed, {self.removed} removed."


@dataclass(frozen=True, slots=True)
class _Scan:
    """What scanning one file found."""

    record: FileRecord | None  # None: not indexed (gone, or a name that cannot be stored)
    chunks: tuple[Chunk, ...] = ()  # the file's chunks, if its content changed
    outcome: Literal["added", "changed", "unchanged"] | None = None  # None: kept, unreadable
    skipped: tuple[Skipped, ...] = ()


ProgressCallback = Callable[[SyncProgress], None]


def chunk_file(
    root: str,
    path: str,
    pages_lines: Sequence[tuple[int | None, list[str]]],
    size: int = DEFAULT_SIZE,
    overlap: int = DEFAULT_OVERLAP,
) -> list[Chunk]:
    """The chunks of one file, given its pages' lines (one page for text files)."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for page, lines in pages_lines:
        for piece in split_lines(clean_lines(lines), size, overlap):
            key = f"{root}\0{path}\0{piece.heading}\0{piece.text}"
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            chunk_id = hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest()[:32]
            chunks.append(
                Chunk(
                    chunk_id,
                    root,
                    path,
                    piece.start_line,
                    piece.end_line,
                    piece.heading,
                    piece.text,
                    page,
                    piece.lines,
                )
            )
    return chunks


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees (a seam of its own, for bench/retrieval.py)."""
    return chunk.titled_text


def sync(
    index: NotesIndex,
    roots: Sequence[Path],
    *,
    size: int = DEFAULT_SIZE,
    overlap: int = DEFAULT_OVERLAP,
    exclude: Path | None = None,
    progress: ProgressCallback | None = None,
    missing_ok: bool = False,
    rebuild_lexical: bool = False,
) -> SyncReport:
    """Sync ``roots`` into ``index`` (which the caller has locked). Roots the
    index knows but that are not given keep their files as they are.

    A missing root is an error, unless ``missing_ok`` (for folders synced
    from memory): then it is reported as skipped and its chunks are kept,
    since a moved or unmounted folder should not wipe what was indexed."""
    started = time.perf_counter()
    counts: Counter[str | None] = Counter()
    skipped: list[Skipped] = []
    removed = 0
    notify = progress or (lambda _: None)
    resolved = []
    for root in roots:
        if missing_ok and not root.expanduser().is_dir():
            skipped.append(Skipped(str(root), "the folder is gone; its chunks are kept"))
        else:
            resolved.append(_check_root(root))
    all_roots = list(dict.fromkeys([*index.roots, *(str(r) for r in resolved)]))
    files: dict[str, dict[str, FileRecord]] = {r: index.files(r) for r in all_roots}
    fresh: list[Chunk] = []  # chunks of changed files
    chunking = f"{size}/{overlap}/read{READER}/{CHUNK_FIELDS}"
    # Other chunk settings (or reader) than the index was made with: chunk
    # every file again (only chunks whose text is new are embedded).
    rechunk = index.chunking != chunking
    # The vectors there are. A file whose chunks lack theirs (an index
    # pointed at a new, empty Chroma server; vectors deleted by hand) is
    # read and chunked again, so they are stored, instead of being trusted.
    stored = index.stored_ids()

    for root in resolved:
        key = str(root)
        old = files[key]
        lost = {rel for rel, record in old.items() if not stored.issuperset(record.chunks)}
        new: dict[str, FileRecord] = {}
        unreadable: list[str] = []
        paths = list(discover(root, exclude=exclude, unreadable=unreadable))
        for done, rel in enumerate(paths, start=1):
            notify(SyncProgress("scan", done, len(paths), rel))
            scan = _scan_file(key, rel, old.get(rel), size, overlap, rechunk or rel in lost)
            counts[scan.outcome] += 1
            skipped.extend(scan.skipped)
            if scan.record is not None:
                new[rel] = scan.record
            fresh.extend(scan.chunks)
        for folder in unreadable:
            # Like a missing root: what was indexed from it is kept.
            kept = {r: old[r] for r in old if folder in ("", ".") or r.startswith(f"{folder}/")}
            new.update({r: record for r, record in kept.items() if r not in new})
            shown = str(root / folder)
            skipped.append(
                Skipped(shown, "cannot read this folder (permission denied?); its chunks are kept")
            )
        removed += len(set(old) - set(new))
        files[key] = new

    to_embed = [c for c in fresh if c.id not in stored]
    to_relocate = [c for c in fresh if c.id in stored]
    if to_relocate:
        index.relocate(to_relocate)
    pending: list[Chunk] = []
    vectors: list[np.ndarray] = []
    for start in range(0, len(to_embed), EMBED_BATCH):
        batch = to_embed[start : start + EMBED_BATCH]
        notify(SyncProgress("embed", start, len(to_embed), batch[0].path))
        pending.extend(batch)
        vectors.append(index.embedder.embed_passages([embedding_text(c) for c in batch]))
        if len(pending) >= WRITE_BATCH or start + EMBED_BATCH >= len(to_embed):
            index.add(pending, np.concatenate(vectors))
            pending, vectors = [], []
    if to_embed:
        notify(SyncProgress("embed", len(to_embed), len(to_embed)))

    before = index.live_ids()
    index.commit(
        all_roots,
        files,
        to_embed,
        # Recorded only once every root has been chunked with it.
        chunking=chunking if {str(r) for r in resolved} == set(all_roots) else None,
        rebuild_lexical=rebuild_lexical,
    )
    after = index.live_ids()
    return SyncReport(
        added=counts["added"],
        changed=counts["changed"],
        removed=removed,
        unchanged=counts["unchanged"],
        chunks_embedded=len(to_embed),
        chunks_removed=len(before - after),
        chunks_total=len(after),
        seconds=time.perf_counter() - started,
        skipped=tuple(skipped),
    )


def _check_root(root: Path) -> Path:
    path = root.expanduser()
    if not path.exists():
        raise NotesNotFound(f"The notes folder {path} does not exist.")
    if not path.is_dir():
        raise NotesNotFound(f"{path} is a file; give the folder that holds your notes.")
    return path.resolve()


def _scan_file(
    root: str,
    rel: str,
    old: FileRecord | None,
    size: int,
    overlap: int,
    rechunk: bool,
) -> _Scan:
    """The file's new record and, if its content changed, its chunks.

    A file that cannot be read keeps its old record (nothing indexed is lost
    to a passing permission problem) and is reported as skipped."""
    full = Path(root) / rel
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return _Scan(None, skipped=(Skipped(shown, "the file name is not valid UTF-8; rename it"),))
    try:
        stat = full.stat()
        if not S_ISREG(stat.st_mode):
            # Reading a pipe waits forever, a device may never end.
            return _Scan(
                old, skipped=(Skipped(rel, "not a regular file (a pipe, socket or device)"),)
            )
        if old and not rechunk and old.size == stat.st_size and old.mtime_ns == stat.st_mtime_ns:
            return _Scan(old, outcome="unchanged")
        data = full.read_bytes()
    except FileNotFoundError:  # deleted while the sync ran: it is gone
        return _Scan(None)
    except OSError as exc:
        return _Scan(old, skipped=(Skipped(rel, f"cannot read it: {exc.strerror or exc}"),))
    sha = hashlib.sha256(data).hexdigest()
    if old and not rechunk and old.sha == sha:
        return _Scan(
            FileRecord(sha, stat.st_size, stat.st_mtime_ns, old.chunks), outcome="unchanged"
        )
    notes: list[str] = []
    try:
        pages = read_pages(full, data, notes)
    except Unreadable as exc:
        return _Scan(old, skipped=(Skipped(rel, str(exc)), *(Skipped(rel, n) for n in notes)))
    skipped = [Skipped(rel, note, indexed=True) for note in notes]
    chunks = chunk_file(root, rel, [(p.number, p.lines) for p in pages], size, overlap)
    if not chunks:
        skipped.append(Skipped(rel, "no text to index (empty after cleaning)"))
    record = FileRecord(sha, stat.st_size, stat.st_mtime_ns, tuple(c.id for c in chunks))
    return _Scan(record, tuple(chunks), "changed" if old else "added", tuple(skipped))
