"""The index manifest: the one record of what is indexed (embedder, roots,
per-file records, the live BM25 directory, the index's own id).

Written atomically and last, so it always names a complete index. The id
names the index's Chroma collection: two data dirs sharing one Chroma server
never touch each other's vectors, and a rebuild fills a new collection beside
the old one and swaps by writing the manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .atomic import write_json_atomic
from .errors import StoreError

FORMAT = 1
# A second record of the folders, written when they change: the manifest is
# the only other one, and a rebuild needs them.
ROOTS_COPY = "roots.json"
# Indexes made before ids existed keep their single collection.
LEGACY_COLLECTION = "notes"


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the index knows of one notes file: enough to tell, from a stat
    or a hash, that it has not changed, and which chunks it owns."""

    sha: str
    size: int
    mtime_ns: int
    chunks: tuple[str, ...]


def new_index_id() -> str:
    return secrets.token_hex(8)


@dataclass
class Manifest:
    embedder: str
    dim: int
    roots: list[str] = field(default_factory=list)
    files: dict[str, dict[str, FileRecord]] = field(default_factory=dict)
    bm25: str = ""
    last_sync: str | None = None
    # The chunking the file records were made with ("size/overlap"); when the
    # settings change, every file is chunked again.
    chunking: str = ""
    index_id: str = ""

    @property
    def collection(self) -> str:
        return f"notes-{self.index_id}" if self.index_id else LEGACY_COLLECTION

    def to_json(self) -> dict[str, Any]:
        # The folders first, the long per-file records last: a manifest cut
        # short still names its folders (``readable_roots``).
        data = {"format": FORMAT, "roots": self.roots, **asdict(self)}
        data["files"] = data.pop("files")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        files = {
            root: {
                path: FileRecord(r["sha"], r["size"], r["mtime_ns"], tuple(r["chunks"]))
                for path, r in records.items()
            }
            for root, records in data["files"].items()
        }
        if not isinstance(data["roots"], list):
            raise TypeError("roots is not a list")
        return cls(
            embedder=data["embedder"],
            dim=data["dim"],
            roots=[str(r) for r in data["roots"]],
            files=files,
            bm25=str(data["bm25"]),
            last_sync=data["last_sync"],
            chunking=data.get("chunking", ""),
            index_id=str(data.get("index_id", "")),
        )


def read_manifest(path: Path) -> Manifest:
    try:
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if readable_roots(path):
            fix = "Run `notes-chat index --rebuild` to build the index again; the folders are kept."
        else:
            fix = (
                "The folders it listed cannot be read from it either: run "
                "`notes-chat index --rebuild PATH` with your notes folder(s)."
            )
        raise StoreError(f"The index manifest {path} is unreadable ({exc}). {fix}") from exc


def readable_roots(path: Path) -> list[str]:
    """The roots a manifest names, read as leniently as possible: a manifest
    damaged elsewhere still gives its folders back to a rebuild; one damaged
    beyond that, the copy in ``roots.json`` beside it."""
    return _roots_in(path) or _roots_in(path.with_name(ROOTS_COPY))


def _roots_in(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    try:
        roots = json.loads(text)["roots"]
    except (ValueError, KeyError, TypeError):
        # Not JSON any more (cut short, overwritten in part): the roots list
        # may still stand whole in it.
        found = re.search(r'"roots":\s*(\[[^\]]*\])', text)
        try:
            roots = json.loads(found.group(1)) if found else []
        except ValueError:
            return []
    if not isinstance(roots, list):
        return []
    # Only absolute folders, each once: a damaged record must not make a
    # rebuild index the current directory ("") or one folder twice ("/a/").
    folders = (os.path.normpath(r) for r in roots if isinstance(r, str) and os.path.isabs(r))
    return list(dict.fromkeys(folders))


def write_manifest(path: Path, manifest: Manifest) -> None:
    write_json_atomic(path, manifest.to_json(), sort_keys=False)
    copy = path.with_name(ROOTS_COPY)
    if _roots_in(copy) != manifest.roots:
        # Only a second record: the index is written, and the manifest names them.
        with contextlib.suppress(OSError):
            write_json_atomic(copy, {"roots": manifest.roots})


def pending_rebuild_id(directory: Path) -> str:
    """The id of the collection a rebuild fills. A cut rebuild left it in
    ``rebuild.json``: the next one reuses it (and the vectors already in it)."""
    path = directory / "rebuild.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))["index_id"]
        if isinstance(value, str) and value.isalnum():
            return value
    except (OSError, ValueError, KeyError, TypeError):
        pass
    index_id = new_index_id()
    write_json_atomic(path, {"index_id": index_id})
    return index_id


def finish_rebuild(directory: Path, index_id: str) -> None:
    """Forget the pending rebuild once the index it was filling is in force."""
    path = directory / "rebuild.json"
    try:
        pending = json.loads(path.read_text(encoding="utf-8")).get("index_id")
    except (OSError, ValueError, AttributeError):
        return
    if pending == index_id:
        path.unlink(missing_ok=True)
