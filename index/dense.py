"""The dense side of the index: chunk vectors in a Chroma collection.

Chroma is also where chunk texts and their metadata live, so this module is
the one place that turns Chroma records into ``Chunk``s and Chroma errors into
``StoreError``. Vectors are always passed in: Chroma's own default embedding
function would download a model, so the collection is created without one.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .diskspace import is_disk_full, write_error
from .errors import MissingCollection, ReadOnlyStore, StoreError
from .types import Chunk

if TYPE_CHECKING:
    import numpy as np

COLLECTION = "notes"

# Chroma's HNSW defaults (16 neighbours, ef_construction 100, ef_search 100)
# find only 0.80 of the true ten nearest chunks at 100k chunks. These find
# 0.99 there, for 0.6 ms more a query and 7% more disk for the graph;
# building it costs 0.2 ms a chunk more, nothing beside embedding
# (bench/scale.py, docs/benchmarks.md). Neighbours and ef_construction are
# fixed when the collection is made (an index built before takes them with
# `index --rebuild`); ef_search is raised on open.
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 400, "ef_search": 400}


class DenseStore:
    def __init__(self, collection: Any, max_batch: int, client: Any = None) -> None:
        self._collection = collection
        self._client = client
        # llama-index and naive code add everything at once; Chroma refuses
        # batches over its limit (5,461 on 1.5), so every write is sliced.
        self._batch = max(1, min(max_batch, 5000))

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        url: str = "",
        token: str = "",
        collection: str = COLLECTION,
        create: bool = True,
    ) -> DenseStore:
        """Open the collection: embedded at ``path``, or on the Chroma server
        at ``url`` when one is given. ``create`` makes it if it is missing;
        a reader never does (a rebuild may have just dropped it, and making
        it again would hide the new index behind an empty one)."""
        from chromadb.errors import NotFoundError

        client = _client(path, url, token)
        try:
            if create:
                handle = client.get_or_create_collection(
                    collection, embedding_function=None, configuration={"hnsw": HNSW}
                )
            else:
                handle = client.get_collection(collection, embedding_function=None)
            current = (handle.configuration or {}).get("hnsw") or {}
            if current.get("ef_search", 0) < HNSW["ef_search"]:
                # Stored at once; Chroma applies it when the collection is
                # next loaded, so from the next start on. Only a tuning:
                # failing it (another process writing) must not stop a search.
                with contextlib.suppress(Exception):
                    handle.modify(configuration={"hnsw": {"ef_search": HNSW["ef_search"]}})
            return cls(handle, client.get_max_batch_size(), client)
        except NotFoundError as exc:
            raise MissingCollection(
                f"There is no collection {collection!r} in {_where(path, url)}, "
                "though the index lists it. Run `notes-chat doctor --repair` to "
                "build it again from your folders."
            ) from exc
        except Exception as exc:  # chromadb raises many unrelated types
            raise _open_error(path, url, exc) from exc

    @staticmethod
    def drop(path: Path, *, url: str = "", token: str = "", collection: str = COLLECTION) -> None:
        """Delete the collection, if there is one."""
        client = _client(path, url, token)
        try:
            if collection in {c.name for c in client.list_collections()}:
                client.delete_collection(collection)
        except Exception as exc:
            raise StoreError(f"Cannot delete the index at {_where(path, url)}: {exc}") from exc

    @staticmethod
    def set_aside(path: Path, suffix: str) -> Path:
        """Move a database that cannot be opened out of the way (kept, never
        deleted) so a new one can be made at ``path``."""
        from chromadb.api.shared_system_client import SharedSystemClient

        # Chroma keeps one client per path in a process; it would keep
        # reading the moved file.
        SharedSystemClient.clear_system_cache()
        aside = path.with_name(f"{path.name}.damaged-{suffix}")
        path.rename(aside)
        return aside

    def drop_other(self, collection: str, path: Path | None = None) -> None:
        """Delete another collection of this client (one a rebuild replaced);
        ``path``: the embedded database's folder, whose files of that
        collection's vectors Chroma leaves behind (1.5: one folder per
        rebuild, 7 MB for 5,000 chunks), removed too."""
        if collection in {c.name for c in self._client.list_collections()}:
            self._client.delete_collection(collection)
        if path is not None:
            remove_stray_segments(path)

    def count(self) -> int:
        return int(self._collection.count())

    def ids(self) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            page = self._collection.get(include=[], limit=self._batch, offset=offset)["ids"]
            ids.update(page)
            if len(page) < self._batch:
                return ids
            offset += len(page)

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), self._batch):
            part = chunks[start : start + self._batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + self._batch],
                documents=[c.text for c in part],
                metadatas=[_metadata(c) for c in part],
            )

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Record new line numbers or headings of chunks whose text is unchanged."""
        for start in range(0, len(chunks), self._batch):
            part = chunks[start : start + self._batch]
            self._collection.update(
                ids=[c.id for c in part], metadatas=[_metadata(c) for c in part]
            )

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), self._batch):
            self._collection.delete(ids=ids[start : start + self._batch])

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest chunk ids with their cosine similarity, best first."""
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector], n_results=k, include=["distances"]
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """The chunks for ``ids``, in that order; unknown ids are left out."""
        found: dict[str, Chunk] = {}
        for start in range(0, len(ids), self._batch):
            part = list(ids[start : start + self._batch])
            got = self._collection.get(ids=part, include=["documents", "metadatas"])
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                found[cid] = _chunk(cid, text, meta)
        return [found[i] for i in ids if i in found]

    def all_chunks(self) -> Iterator[Chunk]:
        offset = 0
        while True:
            got = self._collection.get(
                include=["documents", "metadatas"], limit=self._batch, offset=offset
            )
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield _chunk(cid, text, meta)
            if len(got["ids"]) < self._batch:
                return
            offset += len(got["ids"])


def _where(path: Path, url: str) -> str:
    return f"the Chroma server at {url}" if url else f"the index at {path}"


def _client(path: Path, url: str, token: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                headers={"Authorization": f"Bearer {token}"} if token else None,
                settings=settings,
            )
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:
        raise _open_error(path, url, exc) from exc


def _open_error(path: Path, url: str, exc: Exception) -> StoreError:
    if "readonly database" in str(exc):
        # Chroma writes to its database on every open, even to search: its
        # Rust start-up (chromadb 1.5.9) inserts a row into `acquire_write`,
        # and neither it nor any setting offers a read-only open.
        return ReadOnlyStore(
            f"The vector database in {path} is read-only, and Chroma must "
            "write to it even to search. Make the data dir writable "
            f"(chmod -R u+w {path.parent}) or copy it to a writable place "
            "and point NOTES_CHAT_HOME there."
        )
    if not url and is_disk_full(path, exc):
        return write_error(path, exc, "the vector database")
    return StoreError(f"Cannot open {_where(path, url)}: {exc}")


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    # Chroma metadata values cannot be None: page 0 means "not a PDF".
    return {
        "root": chunk.root,
        "path": chunk.path,
        "start_line": chunk.start_line,
        "end_line": chunk.end_line,
        "heading": chunk.heading,
        "page": chunk.page or 0,
        # Offsets from start_line, "0,2,3": a short string, as metadata must be.
        "lines": ",".join(str(n - chunk.start_line) for n in chunk.lines),
    }


def _chunk(cid: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=cid,
        root=str(meta["root"]),
        path=str(meta["path"]),
        start_line=int(meta["start_line"]),
        end_line=int(meta["end_line"]),
        heading=str(meta["heading"]),
        text=text,
        page=int(meta["page"]) or None,
        lines=_lines(int(meta["start_line"]), meta.get("lines")),
    )


def _lines(start: int, stored: Any) -> tuple[int, ...]:
    """The file lines of a chunk's text lines; () when not stored (an index
    from before they were) or not readable."""
    try:
        return tuple(start + int(n) for n in str(stored).split(",")) if stored else ()
    except ValueError:
        return ()


def open_in_index(
    directory: Path, collection: str, chroma: tuple[str, str], *, create: bool = True
) -> DenseStore:
    """``collection`` of the index in ``directory``: in its ``chroma/``
    folder, or on the Chroma server ``chroma`` names (url, token; url empty:
    embedded). ``create``: as ``DenseStore.open``."""
    url, token = chroma
    return DenseStore.open(
        directory / "chroma", url=url, token=token, collection=collection, create=create
    )


_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HNSW_FILES = {"header.bin", "data_level0.bin", "length.bin", "link_lists.bin"}


def remove_stray_segments(path: Path) -> list[Path]:
    """Remove the vector folders in the embedded database at ``path`` that
    no segment of its ``chroma.sqlite3`` names any more (left by deleted
    collections). Only folders that look like Chroma's own (a UUID name,
    HNSW files and nothing else) are touched; if the database cannot be
    read, nothing is."""
    import sqlite3

    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{path / 'chroma.sqlite3'}?mode=ro", uri=True)
        ) as db:
            named = {row[0] for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        return []
    removed = []
    for folder in path.iterdir():
        if not folder.is_dir() or not _SEGMENT_DIR.match(folder.name) or folder.name in named:
            continue
        files = {f.name for f in folder.iterdir()}
        # Chroma's own: its HNSW files, at least the two every index has, and nothing else.
        if {"header.bin", "data_level0.bin"} <= files <= _HNSW_FILES | {"index_metadata.pickle"}:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
