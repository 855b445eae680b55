"""The stores of notes-chat: Chroma (dense), BM25 over jieba tokens (lexical),
their fusion, and the manifest that says what is indexed."""

from .consistency import Consistency
from .embedding import Embedder
from .errors import (
    AssistantError,
    ConfigError,
    EmbedderError,
    IndexBusy,
    IndexMismatch,
    NotesNotFound,
    NothingIndexed,
    StoreError,
)
from .lock import index_lock
from .manifest import FileRecord
from .opening import open_index, open_rebuild, remembered_roots
from .store import NotesIndex, SearchMode
from .types import Chunk, IndexStatus, Passage

__all__ = [
    "AssistantError",
    "Chunk",
    "Consistency",
    "ConfigError",
    "Embedder",
    "EmbedderError",
    "FileRecord",
    "IndexBusy",
    "IndexMismatch",
    "IndexStatus",
    "NotesIndex",
    "NotesNotFound",
    "NothingIndexed",
    "Passage",
    "SearchMode",
    "StoreError",
    "index_lock",
    "open_index",
    "open_rebuild",
    "remembered_roots",
]
