"""The study assistant: configuration, the facade front ends use, evaluation."""

from index import (
    AssistantError,
    ConfigError,
    EmbedderError,
    IndexBusy,
    IndexMismatch,
    NotesNotFound,
    NothingIndexed,
    StoreError,
)

from .assistant import Assistant
from .config import Settings, load_settings

__all__ = [
    "Assistant",
    "AssistantError",
    "ConfigError",
    "EmbedderError",
    "IndexBusy",
    "IndexMismatch",
    "NotesNotFound",
    "NothingIndexed",
    "Settings",
    "StoreError",
    "load_settings",
]
