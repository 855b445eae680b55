"""Conversations: their turns, saved under the data dir, and turning a
follow-up question into one that stands on its own for retrieval."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from index import AssistantError
from index.atomic import write_json_atomic

from .prompt import Turn

# Words that point back at an earlier turn: a question holding one needs
# that turn to be understood ("它的损失函数是什么？").
_REFERS_BACK = re.compile(
    r"它|他们|它们|这个|那个|这种|那种|其|该|上面|前面|刚才|"
    r"\b(it|its|they|their|them|this|that|these|those)\b",
    re.IGNORECASE,
)

CONDENSE_PROMPT = (
    "Rewrite the student's last question so that it can be understood without the "
    "conversation: replace words like 'it' or '它' with what they refer to. Keep the "
    "language of the question. Reply with the rewritten question only."
)


class ConversationNotFound(AssistantError):
    pass


# What ``Conversation.new`` makes: a conversation's file name is built from
# its id, so nothing else (``../x``, an absolute path) may be taken for one.
_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")


def valid_id(conversation_id: str) -> bool:
    return bool(_ID.fullmatch(conversation_id))


@dataclass
class ConversationTurn:
    question: str
    standalone: str
    answer: str
    refused: bool = False
    sources: list[str] = field(default_factory=list)  # path:start-end of cited passages
    error: str = ""


@dataclass
class Conversation:
    id: str
    created: str
    turns: list[ConversationTurn] = field(default_factory=list)

    @classmethod
    def new(cls) -> Conversation:
        now = datetime.now(UTC)
        conversation_id = now.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        return cls(id=conversation_id, created=now.isoformat())

    @property
    def title(self) -> str:
        return self.turns[0].question[:60] if self.turns else "(empty)"

    def history(self, *, answered: bool = True) -> list[Turn]:
        """Earlier turns that got an answer, for the prompt; with ``answered``
        False also those asked without a model (``--no-llm``), whose question
        a follow-up may refer to."""
        return [
            Turn(t.standalone, t.answer)
            for t in self.turns
            if (t.answer or not answered) and not t.error
        ]


class ConversationStore:
    """One JSON file a conversation, written atomically, in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.skipped: list[str] = []  # damaged files ``list`` left out, with why

    def _path(self, conversation_id: str) -> Path:
        if not valid_id(conversation_id):
            raise ConversationNotFound(
                f"{conversation_id!r} is not a conversation id (they look like "
                "20261203-061116-99adb2). List them with `notes-chat conversations`."
            )
        return self.directory / f"{conversation_id}.json"

    def save(self, conversation: Conversation) -> None:
        write_json_atomic(self._path(conversation.id), asdict(conversation))

    def load(self, conversation_id: str) -> Conversation:
        path = self._path(conversation_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            turns = [ConversationTurn(**t) for t in data["turns"]]
            # The id is the file's name, never what the file says: a planted
            # file must not choose where the conversation is saved.
            return Conversation(id=conversation_id, created=str(data["created"]), turns=turns)
        except FileNotFoundError:
            raise ConversationNotFound(
                f"No conversation {conversation_id!r}. List them with `notes-chat conversations`."
            ) from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConversationNotFound(f"The conversation file {path} is damaged: {exc}") from exc

    def list(self) -> list[Conversation]:
        """Saved conversations, newest first; damaged files are left out and
        named in ``skipped``."""
        self.skipped = []
        if not self.directory.is_dir():
            return []
        ids = sorted(
            (p.stem for p in self.directory.glob("*.json") if valid_id(p.stem)), reverse=True
        )
        conversations = []
        for conversation_id in ids:
            try:
                conversations.append(self.load(conversation_id))
            except ConversationNotFound as exc:
                self.skipped.append(str(exc))
        return conversations

    def latest(self) -> Conversation | None:
        conversations = self.list()
        return conversations[0] if conversations else None


def condense(
    question: str, history: list[Turn], rewrite: Callable[[list[dict[str, str]]], str] | None
) -> str:
    """The question as a standalone query. With ``rewrite`` (a model call),
    the model rewrites it; without one, or if it fails, a question that
    refers back gets the previous question prepended, which is what
    retrieval needs to find the topic again."""
    if not history or not _needs_context(question):
        return question
    if rewrite is not None:
        messages = [{"role": "system", "content": CONDENSE_PROMPT}]
        for turn in history[-3:]:
            messages.append({"role": "user", "content": turn.question})
            messages.append({"role": "assistant", "content": turn.answer[:600]})
        messages.append({"role": "user", "content": question})
        try:
            rewritten = rewrite(messages).strip().strip('"“”')
        except AssistantError:
            rewritten = ""
        if 0 < len(rewritten) <= 4 * len(question) + 80:
            return rewritten
    return f"{history[-1].question} {question}"


def _needs_context(question: str) -> bool:
    return bool(_REFERS_BACK.search(question)) or len(question.strip()) <= 8
