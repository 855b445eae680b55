"""Turn notes folders into indexed chunks: find, read, clean, chunk, embed, sync."""

from .embed import DEFAULT_EMBEDDER, make_embedder
from .sync import Skipped, SyncProgress, SyncReport, sync

__all__ = ["DEFAULT_EMBEDDER", "Skipped", "SyncProgress", "SyncReport", "make_embedder", "sync"]
