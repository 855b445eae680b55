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
from index.types import printable

from .assistant import Assistant
from .config import Settings, load_settings
from .conversation import Conversation, ConversationNotFound
from .events import AnswerEvent, AnswerStats, Done, Sources, Token
from .ollama_client import ModelMissing, OllamaError, OllamaTimeout, OllamaUnreachable, StreamCut

__all__ = [
    "AnswerEvent",
    "AnswerStats",
    "Assistant",
    "AssistantError",
    "ConfigError",
    "Conversation",
    "ConversationNotFound",
    "Done",
    "ModelMissing",
    "OllamaError",
    "OllamaTimeout",
    "OllamaUnreachable",
    "Sources",
    "StreamCut",
    "Token",
    "EmbedderError",
    "IndexBusy",
    "IndexMismatch",
    "NotesNotFound",
    "NothingIndexed",
    "Settings",
    "StoreError",
    "load_settings",
    "printable",
]
