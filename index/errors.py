"""The errors a user can act on.

Every failure the core expects ends up as an ``AssistantError`` whose message
says what happened and what to do about it. The CLI and the TUI catch this one
base class at their boundary and show the message; anything else is a bug.

    AssistantError
    ├── ConfigError        a config file, key or value is wrong
    ├── NotesNotFound      a notes folder does not exist or is not a folder
    ├── NothingIndexed     search before any `notes-chat index`
    ├── IndexMismatch      the index was built with another embedder
    ├── IndexBusy          another indexer holds the lock
    ├── EmbedderError      the embedding model cannot be loaded
    └── StoreError         Chroma (embedded or server) failed
        ├── ReadOnlyStore      the data dir cannot be written
        ├── DiskFull           no space left where the index is written
        └── MissingCollection  Chroma lacks the collection the manifest names
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error whose message is meant for the user."""


class ConfigError(AssistantError):
    pass


class NotesNotFound(AssistantError):
    pass


class NothingIndexed(AssistantError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or "Nothing indexed yet. Run `notes-chat index ~/notes`.")


class IndexMismatch(AssistantError):
    pass


class IndexBusy(AssistantError):
    pass


class EmbedderError(AssistantError):
    pass


class StoreError(AssistantError):
    pass


class ReadOnlyStore(StoreError):
    """The data dir (or a file in it) cannot be written."""


class DiskFull(StoreError):
    """No space left where the index is written."""


class MissingCollection(StoreError):
    """Chroma holds no collection of the name the manifest gives: a rebuild
    replaced it a moment ago, or it was deleted."""
