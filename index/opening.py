"""Opening an index directory: the index in force, or a new one built beside
it for ``index --rebuild``, which replaces the old only when it is complete."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from .dense import DenseStore, open_in_index
from .embedding import Embedder
from .errors import IndexMismatch, MissingCollection, NothingIndexed, StoreError
from .manifest import Manifest, pending_rebuild_id, read_manifest, readable_roots
from .store import NotesIndex


def open_index(
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
        manifest = read_manifest(manifest_path)
        if manifest.embedder != embedder.fingerprint:
            raise IndexMismatch(
                f"The index in {directory} was built with the embedder "
                f"{manifest.embedder}, but {embedder.fingerprint} is configured. "
                "Run `notes-chat index --rebuild` to re-embed your notes with it "
                "(or set the embedder back)."
            )
    elif create:
        manifest = Manifest(embedder=embedder.fingerprint, dim=embedder.dim)
        manifest.index_id = pending_rebuild_id(directory)
    elif remembered := readable_roots(manifest_path):
        # The manifest is gone, its second record of the folders is not.
        raise NothingIndexed(
            f"The index in {directory} has lost its manifest; it remembers your folders "
            f"({', '.join(remembered)}): run `notes-chat index` to index them again."
        )
    else:
        raise NothingIndexed()
    database = directory / "chroma" / "chroma.sqlite3"
    if manifest.files and not chroma_url and not database.exists():
        # Chroma would quietly make an empty database there, and every
        # search would then find nothing.
        raise StoreError(
            f"The vector database {database} is missing, though the index "
            "lists files. Run `notes-chat index --rebuild` (or "
            "`notes-chat doctor --repair`) to build it again; the folders are kept."
        )
    chroma = (chroma_url, chroma_token)
    # A writer (``create``) or an index with nothing in it may make its
    # collection; a reader opens the one its manifest names.
    writer = create or not manifest.files
    try:
        dense = open_in_index(directory, manifest.collection, chroma, create=writer)
    except MissingCollection:
        # A rebuild swapped its index in between our reading its manifest
        # and opening the collection: read the manifest again.
        fresh = read_manifest(manifest_path)
        if fresh.collection == manifest.collection:
            raise
        manifest = fresh
        dense = open_in_index(directory, manifest.collection, chroma, create=False)
    return NotesIndex(directory, embedder, dense, manifest, chroma=chroma)


def open_rebuild(
    directory: Path, embedder: Embedder, *, chroma_url: str = "", chroma_token: str = ""
) -> NotesIndex:
    """A new, empty index beside the one in ``directory``, which stays in
    force (and searchable) until this one's first ``commit`` replaces it.
    Only that commit drops the old collection, so a cut rebuild loses
    nothing; the next rebuild reuses the vectors it stored."""
    manifest = Manifest(
        embedder=embedder.fingerprint,
        dim=embedder.dim,
        roots=remembered_roots(directory),
        index_id=pending_rebuild_id(directory),
    )
    old = directory / "manifest.json"
    retired = None
    if old.exists():
        try:
            retired = read_manifest(old).collection
        except StoreError:
            retired = None  # damaged: nothing to drop but what the id names
    chroma = (chroma_url, chroma_token)
    try:
        dense = open_in_index(directory, manifest.collection, chroma)
    except StoreError:
        if chroma_url or not (directory / "chroma").exists():
            raise
        # A damaged embedded database: set it aside (never delete what
        # cannot be read) and build a new one.
        DenseStore.set_aside(directory / "chroma", datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
        retired = None
        dense = open_in_index(directory, manifest.collection, chroma)
    return NotesIndex(
        directory,
        embedder,
        dense,
        manifest,
        chroma=chroma,
        retired=retired if retired != manifest.collection else None,
    )


def remembered_roots(directory: Path) -> list[str]:
    """The roots the index in ``directory`` was built from, whatever its
    embedder or the state of the rest of its manifest (a rebuild keeps
    them); none if there is no index."""
    return readable_roots(directory / "manifest.json")
