"""``NotesIndex``: the dense and lexical stores of one notes library, and the
manifest that ties them together.

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

import shutil
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .atomic import write_json_atomic
from .bm25 import LexicalIndex
from .dense import DenseStore
from .embedding import Embedder
from .errors import IndexMismatch, NothingIndexed, StoreError
from .fusion import fuse
from .parts import cover_parts, question_parts
from .types import Chunk, Passage

if TYPE_CHECKING:
    import numpy as np

FORMAT = 1
SearchMode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the index knows of one notes file: enough to tell, from a stat
    or a hash, that it has not changed, and which chunks it owns."""

    sha: str
    size: int
    mtime_ns: int
    chunks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndexStatus:
    directory: Path
    embedder: str
    roots: tuple[str, ...]
    files: int
    chunks: int
    last_sync: str | None
    chroma: str


@dataclass(frozen=True, slots=True)
class Consistency:
    """Whether the manifest, Chroma and BM25 hold the same chunks."""

    live: int  # chunks the file records own
    shared: int  # chunk ids owned by more than one file record
    missing_vectors: frozenset[str]  # owned chunks with no vector in Chroma
    stray_vectors: frozenset[str]  # vectors no file owns (a cut sync leaves these)
    lexical_differs: bool  # the BM25 index does not hold exactly the owned chunks

    @property
    def ok(self) -> bool:
        return not (
            self.shared or self.missing_vectors or self.stray_vectors or self.lexical_differs
        )


@dataclass
class _Manifest:
    embedder: str
    dim: int
    roots: list[str] = field(default_factory=list)
    files: dict[str, dict[str, FileRecord]] = field(default_factory=dict)
    bm25: str = ""
    last_sync: str | None = None
    # The chunking the file records were made with ("size/overlap"); when the
    # settings change, every file is chunked again.
    chunking: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = FORMAT
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Manifest:
        files = {
            root: {
                path: FileRecord(r["sha"], r["size"], r["mtime_ns"], tuple(r["chunks"]))
                for path, r in records.items()
            }
            for root, records in data["files"].items()
        }
        return cls(
            embedder=data["embedder"],
            dim=data["dim"],
            roots=list(data["roots"]),
            files=files,
            bm25=data["bm25"],
            last_sync=data["last_sync"],
            chunking=data.get("chunking", ""),
        )


# The remembered roots, also kept apart from the manifest: a rebuild deletes
# the manifest first, and a damaged manifest must not lose the folders.
ROOTS_FILE = "roots.json"


class NotesIndex:
    def __init__(
        self,
        directory: Path,
        embedder: Embedder,
        dense: DenseStore,
        manifest: _Manifest,
        chroma_label: str,
    ) -> None:
        self.directory = directory
        self.embedder = embedder
        self._dense = dense
        self._manifest = manifest
        self._chroma_label = chroma_label
        self._lexical: LexicalIndex | None = None
        self._live_cache: frozenset[str] | None = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(
        cls,
        directory: Path,
        embedder: Embedder,
        *,
        chroma_url: str = "",
        chroma_token: str = "",
        create: bool = False,
    ) -> NotesIndex:
        """Open the index in ``directory``. Reading an index that does not exist
        raises ``NothingIndexed``; ``create`` starts an empty one instead."""
        manifest_path = directory / "manifest.json"
        if manifest_path.exists():
            manifest = _read_manifest(manifest_path)
            if manifest.embedder != embedder.fingerprint:
                raise IndexMismatch(
                    f"The index in {directory} was built with the embedder "
                    f"{manifest.embedder}, but {embedder.fingerprint} is configured. "
                    "Run `notes-chat index --rebuild` to re-embed your notes with it "
                    "(or set the embedder back)."
                )
        elif create:
            manifest = _Manifest(embedder=embedder.fingerprint, dim=embedder.dim)
        else:
            raise NothingIndexed()
        dense = DenseStore.open(directory / "chroma", url=chroma_url, token=chroma_token)
        label = chroma_url or str(directory / "chroma")
        return cls(directory, embedder, dense, manifest, label)

    @staticmethod
    def remembered_roots(directory: Path) -> list[str]:
        """The roots the index in ``directory`` was built from, whatever its
        embedder (a rebuild keeps them); none if there is no index."""
        path = directory / "manifest.json"
        try:
            if path.exists():
                return _read_manifest(path).roots
        except StoreError:
            pass  # a damaged manifest: the copy of the roots kept beside it
        return _read_roots(directory / ROOTS_FILE)

    @staticmethod
    def wipe(directory: Path, *, chroma_url: str = "", chroma_token: str = "") -> None:
        """Delete the index in ``directory`` (and its collection on a server).
        The remembered roots stay (in ``roots.json``), so a rebuild cut short
        still knows the folders."""
        # The manifest goes first: a wipe cut short then reads as "nothing
        # indexed", never as a manifest whose chunks are gone.
        (directory / "manifest.json").unlink(missing_ok=True)
        try:
            DenseStore.drop(directory / "chroma", url=chroma_url, token=chroma_token)
        except StoreError:
            if chroma_url:
                raise
            # A damaged embedded database is ours to remove: that is what a
            # rebuild is for.
            DenseStore.remove(directory / "chroma")
        for child in directory.glob("bm25-*"):
            shutil.rmtree(child, ignore_errors=True)

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
        self, query: str, k: int = 5, *, mode: SearchMode = "hybrid", depth: int = 50
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``. Each retriever contributes its
        top ``depth`` to the fusion."""
        if not self._manifest.files:
            raise NothingIndexed()
        depth = max(depth, k)
        dense_hits, lexical_hits = self._rankings(query, mode, depth)
        fused = fuse([dense_hits, *lexical_hits.values()])
        if parts := question_parts(query):
            # Each part searched alone as well, so each is covered near the top.
            per_part = [self._rankings(part, mode, depth) for part in parts]
            fused = cover_parts(fused, [fuse([d, *lex.values()]) for d, lex in per_part])
        dense_ranks = {cid: rank for rank, (cid, _) in enumerate(dense_hits, start=1)}
        words = lexical_hits.get("words", [])
        lexical_ranks = {cid: rank for rank, (cid, _) in enumerate(words, start=1)}
        similarity = dict(dense_hits)
        # Twice k: the same text can come more than once (a file reached
        # through two links, a long line cut into equal chunks) and is shown once.
        fused = fused[: 2 * k]
        chunks = {c.id: c for c in self._dense.get([cid for cid, _ in fused])}
        if fused and not chunks:
            raise StoreError(
                f"The index's texts are missing from {self._chroma_label} "
                f"({len(self._live())} chunks indexed, none found). "
                "Run `notes-chat index --rebuild` to build it again."
            )
        passages: list[Passage] = []
        seen: set[str] = set()
        for cid, score in fused:
            chunk = chunks.get(cid)
            text = "".join(chunk.text.split()) if chunk else ""
            if chunk is None or text in seen:
                continue
            seen.add(text)
            passages.append(
                Passage(
                    chunk=chunk,
                    score=score,
                    dense_rank=dense_ranks.get(cid),
                    bm25_rank=lexical_ranks.get(cid),
                    similarity=similarity.get(cid),
                )
            )
        return passages[:k]

    def _rankings(
        self, query: str, mode: SearchMode, depth: int
    ) -> tuple[list[tuple[str, float]], dict[str, list[tuple[str, float]]]]:
        """The dense hits and each BM25 view's hits for ``query``."""
        dense_hits: list[tuple[str, float]] = []
        lexical_hits: dict[str, list[tuple[str, float]]] = {}
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            dense_hits = self._query_dense(vector, depth)
        if mode in ("hybrid", "bm25"):
            lexical_hits = self._lexical_index().search(query, depth)
        return dense_hits, lexical_hits

    def mentions(self, word: str) -> bool:
        """Whether the notes contain ``word`` as a word (case-insensitive)."""
        return self._lexical_index().mentions(word)

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
        # A sync may commit while this process reads: the lexical index the
        # manifest named can be replaced and deleted between reading the
        # manifest and loading it. Then the new manifest names the new one.
        for attempt in range(3):
            if self._lexical is not None:
                return self._lexical
            try:
                self._lexical = self._load_lexical()
            except (OSError, ValueError, KeyError):
                if attempt == 2:
                    raise StoreError(
                        f"The word index in {self.directory} cannot be read. "
                        "Run `notes-chat doctor --repair` to rebuild it."
                    ) from None
                self._reread_manifest()
        assert self._lexical is not None
        return self._lexical

    def _load_lexical(self) -> LexicalIndex:
        if self._manifest.bm25:
            directory = self.directory / self._manifest.bm25
            if LexicalIndex.is_current(directory):
                return LexicalIndex.load(directory)
            if not (self.directory / "manifest.json").exists() or self._manifest_changed():
                raise KeyError("replaced while reading")
        # Saved by an older version (or never): rebuild it in memory from the
        # chunk texts; the next sync saves it.
        live = self._live()
        chunks = {c.id: c for c in self._dense.get(sorted(live))}
        return LexicalIndex.build(live & chunks.keys(), chunks)

    def _manifest_changed(self) -> bool:
        try:
            return _read_manifest(self.directory / "manifest.json").bm25 != self._manifest.bm25
        except StoreError:
            return False

    def _reread_manifest(self) -> None:
        path = self.directory / "manifest.json"
        if path.exists():
            manifest = _read_manifest(path)
            if manifest.embedder == self._manifest.embedder:
                self._manifest = manifest
                self._live_cache = None

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
        owned = [c for records in self._manifest.files.values() for r in records.values()
                 for c in r.chunks]  # fmt: skip
        live = self._live()
        stored = self.stored_ids()
        return Consistency(
            live=len(live),
            shared=len(owned) - len(live),
            missing_vectors=frozenset(live - stored),
            stray_vectors=frozenset(stored - live),
            lexical_differs=set(self._lexical_index().ids) != live,
        )

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
        manifest = _Manifest(
            embedder=self._manifest.embedder,
            dim=self._manifest.dim,
            roots=list(roots),
            files={root: dict(records) for root, records in files.items()},
            bm25=self._manifest.bm25,
            last_sync=datetime.now(UTC).isoformat(timespec="seconds"),
            chunking=self._manifest.chunking if chunking is None else chunking,
        )
        live = _chunk_ids(manifest.files)
        current = bool(manifest.bm25) and LexicalIndex.is_current(self.directory / manifest.bm25)
        if rebuild_lexical or live != self._live() or not current:
            manifest.bm25 = self._save_lexical(live, new_chunks)
        write_json_atomic(self.directory / ROOTS_FILE, manifest.roots)
        write_json_atomic(self.directory / "manifest.json", manifest.to_json())
        self._manifest = manifest
        self._live_cache = live
        stale = self.stored_ids() - live
        self._guard(self._dense.delete, stale)
        for child in self.directory.glob("bm25-*"):
            if child.name != manifest.bm25:
                shutil.rmtree(child, ignore_errors=True)

    def _save_lexical(self, live: AbstractSet[str], new_chunks: Sequence[Chunk]) -> str:
        previous = self._lexical_index()
        chunks = {c.id: c for c in new_chunks}
        missing = [cid for cid in live if cid not in chunks and not previous.has(cid)]
        chunks.update({c.id: c for c in self._dense.get(missing)})
        lexical = LexicalIndex.build(live, chunks, previous)
        generation = 1 + max(
            (
                int(p.name.split("-")[1])
                for p in self.directory.glob("bm25-*")
                if p.name[5:].isdigit()
            ),
            default=0,
        )
        name = f"bm25-{generation}"
        lexical.save(self.directory / name)
        self._lexical = lexical
        return name

    def _guard(self, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Writing to {self._chroma_label} failed: {exc}") from exc


def _chunk_ids(files: Mapping[str, Mapping[str, FileRecord]]) -> frozenset[str]:
    """Every chunk id the file records own."""
    return frozenset(
        cid for records in files.values() for record in records.values() for cid in record.chunks
    )


def _read_roots(path: Path) -> list[str]:
    import json

    try:
        roots = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [r for r in roots if isinstance(r, str)] if isinstance(roots, list) else []


def _read_manifest(path: Path) -> _Manifest:
    import json

    try:
        return _Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"The index manifest {path} is unreadable ({exc}). "
            "Run `notes-chat index --rebuild` to build the index again."
        ) from exc
