"""``NotesIndex``: the dense and lexical stores of one notes library, and the
manifest that ties them together (opened by ``opening.py``).

Layout of an index directory::

    manifest.json   embedder fingerprint, roots, per-file records, live BM25 dir
    chroma/         the embedded Chroma database (unless a server is used)
    bm25-N/         the live BM25 index; N grows with each sync that changes it
    lock            held by the one process that may write

Chunk ids are content hashes, so Chroma works as a content-addressed store:
a sync adds vectors first and writes the manifest last. A sync cut short
leaves the old manifest in force, and the next one reuses whatever vectors
the cut sync already stored, then drops anything no file claims.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .bm25 import LexicalHits, LexicalIndex
from .consistency import Consistency, check_consistency
from .dense import DenseStore, open_in_index
from .diskspace import write_error
from .embedding import Embedder
from .errors import NothingIndexed, StoreError
from .fold import plain_width
from .fusion import distinct_passages, fuse
from .lexical import LexicalStore
from .manifest import (
    FileRecord,
    Manifest,
    finish_rebuild,
    read_manifest,
    write_manifest,
)
from .parts import cover_parts, question_parts
from .types import Chunk, IndexStatus, Passage

if TYPE_CHECKING:
    import numpy as np

SearchMode = Literal["hybrid", "dense", "bm25"]
T = TypeVar("T")


class NotesIndex:
    def __init__(
        self,
        directory: Path,
        embedder: Embedder,
        dense: DenseStore,
        manifest: Manifest,
        *,
        chroma: tuple[str, str] = ("", ""),
        retired: str | None = None,
    ) -> None:
        """Opened by ``opening.open_index`` or ``opening.open_rebuild``.
        ``chroma``: the server's url and token ("" for the embedded database),
        to open it again; ``retired``: the collection a rebuild replaces,
        dropped once this index is written."""
        self.directory = directory
        self.embedder = embedder
        self._dense = dense
        self._manifest = manifest
        self._chroma = chroma
        self._chroma_label = chroma[0] or str(directory / "chroma")
        self._retired = retired
        self._lexical = LexicalStore(directory)
        self._live_cache: frozenset[str] | None = None

    # -- reading -----------------------------------------------------------

    @property
    def roots(self) -> list[str]:
        return list(self._manifest.roots)

    @property
    def chunking(self) -> str:
        """The chunking settings the indexed files were chunked with."""
        return self._manifest.chunking

    def files(self, root: str) -> dict[str, FileRecord]:
        return dict(self._manifest.files.get(root, {}))

    def live_ids(self) -> set[str]:
        """Ids of the chunks the indexed files own (a copy)."""
        return set(self._live())

    def _live(self) -> frozenset[str]:
        # Asked on every search: computed once per manifest.
        if self._live_cache is None:
            self._live_cache = _chunk_ids(self._manifest.files)
        return self._live_cache

    def chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks for ``ids``, in that order; unknown ids are left out."""
        return self._dense.get(list(ids))

    def stored_ids(self) -> set[str]:
        """Ids of every vector in Chroma, live or left over from a cut sync."""
        return self._dense.ids()

    def status(self) -> IndexStatus:
        return IndexStatus(
            directory=self.directory,
            embedder=self._manifest.embedder,
            roots=tuple(self._manifest.roots),
            files=sum(len(r) for r in self._manifest.files.values()),
            chunks=len(self.live_ids()),
            last_sync=self._manifest.last_sync,
            chroma=self._chroma_label,
        )

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        mode: SearchMode = "hybrid",
        depth: int = 50,
        lexical_extra: Sequence[str] = (),
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``. Each retriever contributes its
        top ``depth`` to the fusion. ``lexical_extra``: words BM25 searches for
        besides the query's own (the notes' words for an English question's
        terms); the embedder reads the query as written."""
        return self._following_rebuilds(lambda: self._search(query, k, mode, depth, lexical_extra))

    def _following_rebuilds(self, read: Callable[[], T]) -> T:
        """``read()``, done again on the new index if a rebuild swapped it in
        and dropped the collection this reader had opened."""
        from chromadb.errors import NotFoundError

        for _ in range(2):
            try:
                return read()
            except NotFoundError:
                self._reopen()
        return read()

    def _reopen(self) -> None:
        path = self.directory / "manifest.json"
        if not path.exists():
            raise NothingIndexed()
        manifest = read_manifest(path)
        self._dense = open_in_index(self.directory, manifest.collection, self._chroma, create=False)
        self._manifest = manifest
        self._live_cache = None
        self._lexical.forget()

    def _search(
        self, query: str, k: int, mode: SearchMode, depth: int, lexical_extra: Sequence[str]
    ) -> list[Passage]:
        if not self._manifest.files:
            raise NothingIndexed()
        depth = max(depth, k)
        dense_hits, lexical_hits = self._rankings(query, mode, depth, lexical_extra)
        fused = fuse([dense_hits, *lexical_hits.views()])
        if parts := question_parts(query):
            # Each part searched alone as well, so each is covered near the top.
            per_part = [self._rankings(part, mode, depth) for part in parts]
            fused = cover_parts(fused, [fuse([d, *lex.views()]) for d, lex in per_part])
        # Twice k: the same text can come more than once (a file reached
        # through two links, a long line cut into equal chunks) and is shown once.
        fused = fused[: 2 * k]
        chunks = {c.id: c for c in self._dense.get([cid for cid, _ in fused])}
        if fused and not chunks:
            raise StoreError(
                f"{self._chroma_label} holds none of the chunks the index lists. "
                "Run `notes-chat doctor --repair` to store them again."
            )
        return distinct_passages(fused, chunks, dense_hits, lexical_hits.words)[:k]

    def _rankings(
        self, query: str, mode: SearchMode, depth: int, lexical_extra: Sequence[str] = ()
    ) -> tuple[list[tuple[str, float]], LexicalHits]:
        """The dense hits and each BM25 view's hits for ``query`` (BM25's
        with ``lexical_extra`` added)."""
        dense_hits: list[tuple[str, float]] = []
        lexical_hits = LexicalHits()
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(plain_width(query))
            dense_hits = self._query_dense(vector, depth)
        if mode in ("hybrid", "bm25"):
            lexical_hits = self._lexical_index().search(" ".join([query, *lexical_extra]), depth)
        return dense_hits, lexical_hits

    def mentions(self, word: str) -> bool:
        """Whether the notes contain ``word`` as a word (case-insensitive)."""
        return self._following_rebuilds(lambda: self._lexical_index().mentions(word))

    def _query_dense(self, vector: np.ndarray, depth: int) -> list[tuple[str, float]]:
        live = self._live()
        wanted = min(depth, len(live))
        asked = wanted
        while asked:
            hits = self._dense.query(vector, asked)
            kept = [(cid, sim) for cid, sim in hits if cid in live]
            # Vectors a cut sync left behind are not live; when they took
            # places, ask again for more (rare: the next sync drops them).
            if len(kept) >= wanted or len(hits) < asked:
                return kept[:depth]
            asked *= 2
        return []

    def _lexical_index(self) -> LexicalIndex:
        if not self._lexical.loaded:
            self._follow_writer()
        return self._lexical.get(self._manifest.bm25, self._stored_live_chunks)

    def _follow_writer(self) -> None:
        """If the BM25 index this manifest names is gone, a writer committed
        twice since it was read: take its newer, complete state."""
        bm25 = self._manifest.bm25
        if bm25 and not (self.directory / bm25).exists():
            fresh = read_manifest(self.directory / "manifest.json")
            if fresh.index_id == self._manifest.index_id and fresh.bm25:
                self._manifest, self._live_cache = fresh, None

    def _stored_live_chunks(self) -> dict[str, Chunk]:
        # Only chunks still stored count: a writer may have dropped some since.
        return {c.id: c for c in self._dense.get(sorted(self._live()))}

    # -- writing (by a sync, under the index lock) ---------------------------

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self._guard(self._dense.upsert, chunks, vectors)

    def relocate(self, chunks: Sequence[Chunk]) -> None:
        """Store new line numbers of chunks whose text did not change."""
        self._guard(self._dense.update_metadata, chunks)

    def forget(self, root: str, path: str) -> None:
        """Drop a file's record in memory, so the next sync reads it afresh
        (its stored vectors are reused); written by the next ``commit``."""
        self._manifest.files.get(root, {}).pop(path, None)
        self._live_cache = None

    def consistency(self) -> Consistency:
        stored = self.stored_ids()
        lexical = self._lexical_index().ids  # loading it finds any damage
        return check_consistency(self._manifest.files, stored, lexical, self._lexical.damage)

    def commit(
        self,
        roots: Sequence[str],
        files: Mapping[str, Mapping[str, FileRecord]],
        new_chunks: Sequence[Chunk],
        *,
        chunking: str | None = None,
        rebuild_lexical: bool = False,
    ) -> None:
        """Make ``files`` the indexed state: rebuild BM25 if the chunk set
        changed (or ``rebuild_lexical``), write the manifest, then drop
        vectors no file claims.

        ``new_chunks`` are the chunks embedded by this sync."""
        manifest = Manifest(
            embedder=self._manifest.embedder,
            dim=self._manifest.dim,
            roots=list(roots),
            files={root: dict(records) for root, records in files.items()},
            bm25=self._manifest.bm25,
            last_sync=datetime.now(UTC).isoformat(timespec="seconds"),
            chunking=self._manifest.chunking if chunking is None else chunking,
            index_id=self._manifest.index_id,
        )
        live = _chunk_ids(manifest.files)
        current = self._lexical.is_current(manifest.bm25)
        previous_lexical = self._lexical_index()  # finds damage, which a commit must mend
        try:
            if rebuild_lexical or live != self._live() or not current or self._lexical.damage:
                manifest.bm25 = self._lexical.save_next(
                    previous_lexical, live, new_chunks, self._dense.get
                )
            write_manifest(self.directory / "manifest.json", manifest)
        except OSError as exc:
            raise write_error(self.directory, exc, "the BM25 index or the manifest") from exc
        previous = self._manifest.bm25
        self._manifest = manifest
        self._live_cache = live
        finish_rebuild(self.directory, manifest.index_id)
        stale = self.stored_ids() - live
        self._guard(self._dense.delete, stale)
        if self._retired:
            embedded = None if self._chroma[0] else self.directory / "chroma"
            self._guard(self._dense.drop_other, self._retired, embedded)
            self._retired = None
        # The generation before stays one commit more: a reader that read the
        # previous manifest a moment ago is still loading it.
        self._lexical.prune(keep=(manifest.bm25, previous))

    def _guard(self, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except StoreError:
            raise
        except Exception as exc:
            raise write_error(self.directory, exc, f"to {self._chroma_label}") from exc


def _chunk_ids(files: Mapping[str, Mapping[str, FileRecord]]) -> frozenset[str]:
    """Every chunk id the file records own."""
    return frozenset(
        cid for records in files.values() for record in records.values() for cid in record.chunks
    )
