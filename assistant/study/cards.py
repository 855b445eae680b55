"""Making question/answer cards from passages with the local model."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..plain import plain_text, word_characters
from ..prompt import is_chinese
from ..support import holds
from ..terms import has_chinese

if TYPE_CHECKING:
    from index import Chunk

    from ..ollama_client import OllamaChat
    from .store import CardStore, StudyCard

# The support score (``assistant.support``) each sentence of a card's answer
# needs in its passage. Stricter than an answer sentence's 0.5: a card is
# asked for the passage's own words, and at 0.5 an answer with one word
# flipped (同步策略算法 for 异步策略算法, 0.78) would still pass.
CARD_SUPPORTED = 0.8
# Questions on one chunk this alike (bigram Jaccard) are the same card.
DUPLICATE_THRESHOLD = 0.6
# A card's answer is one fact: longer ones are a passage copied whole
# (measured: qwen2.5 1.5B copied a 300-character paragraph as an answer).
MAX_ANSWER_CHARS = 150
_QUESTION_WORDS = re.compile(
    r"[?？]|什么|哪|如何|怎|为何|为什么|吗|多少|几|谁|是否|能否|"
    r"\b(?:what|which|who|whom|whose|when|where|why|how|is|are|does|do|can|name)\b",
    re.IGNORECASE,
)

_PROMPT = (
    "Write up to {n} flashcards from the passage below. Each card tests one fact "
    "stated in the passage: a short question and a short answer copied from the "
    "passage's own words. Write them in the passage's language. Reply only with JSON: "
    '{{"cards": [{{"question": "...", "answer": "..."}}]}}\n\nPassage:\n{text}'
)


@dataclass(frozen=True, slots=True)
class MakeProgress:
    done: int  # passages processed
    total: int
    kept: int  # cards kept so far
    dropped: int  # not flashcards, not supported by the passage, or duplicates
    unreadable: int = 0  # replies that were not the JSON asked for


def _bigrams(text: str) -> set[str]:
    t = word_characters(text)
    return {t[i : i + 2] for i in range(len(t) - 1)} or ({t} if t else set())


def supported(answer: str, passage: str) -> bool:
    """Whether the passage holds the answer, by the check an answer's
    sentences get (``assistant.support``), at ``CARD_SUPPORTED``."""
    return holds(answer, passage, bar=CARD_SUPPORTED)


def card_problem(question: str, answer: str, passage: str) -> str:
    """Why a card made from ``passage`` is not a flashcard, or "" if it is:
    a statement instead of a question, a whole paragraph as the answer, or
    a card in another language than its notes (a small model switches to
    English now and then)."""
    if not _QUESTION_WORDS.search(question):
        return "not a question"
    if len(answer) > MAX_ANSWER_CHARS:
        return "answer too long"
    # Mixed notes (Chinese with English terms) may get either; a Chinese
    # passage gets a question with Chinese in it, an all-Latin one none.
    if (is_chinese(passage) and not has_chinese(question)) or (
        not has_chinese(passage) and has_chinese(question)
    ):
        return "not in the notes' language"
    return ""


def similar(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x | y else 1.0


def parse_cards(reply: str) -> list[tuple[str, str]] | None:
    """The (question, answer) pairs in the model's JSON reply (anything
    around the JSON is ignored: a small model sometimes wraps it in prose);
    None when the reply holds no JSON object."""
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        data = json.loads(reply[start : end + 1])
    except json.JSONDecodeError:
        return None
    items = data.get("cards", []) if isinstance(data, dict) else []
    pairs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            q, a = _plain(str(item.get("question", ""))), _plain(str(item.get("answer", "")))
            if q and a:
                pairs.append((q, a))
    return pairs


def _plain(text: str) -> str:
    """Model text fit for a card, which is printed to a terminal."""
    return plain_text(text)


def make_cards(
    chunks: Sequence[Chunk],
    store: CardStore,
    chat: OllamaChat,
    *,
    model: str,
    limit: int,
    progress: Callable[[MakeProgress], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[StudyCard]:
    """Ask the model for cards on each chunk, keep those the chunk supports
    and that are not already there, up to ``limit``. Each card is stored as
    it is made, so an interruption keeps the cards made so far; ``stop``
    (asked before each request to the model) ends it early the same way."""
    existing = store.cards(("active", "changed", "retired"))
    kept: list[StudyCard] = []
    dropped = unreadable = 0
    per_chunk = max(1, min(5, -(-limit // max(1, len(chunks)))))
    for done, chunk in enumerate(chunks, start=1):
        if len(kept) >= limit or (stop is not None and stop()):
            break
        reply = chat.complete(
            [{"role": "user", "content": _PROMPT.format(n=per_chunk, text=chunk.text)}],
            model=model,
            options={"temperature": 0.2, "num_predict": 400},
            format="json",
            stop=stop,
        )
        if stop is not None and stop():
            break  # the reply was dropped half-way: not the model's fault
        pairs = parse_cards(reply)
        if pairs is None:
            unreadable += 1
        for question, answer in pairs or []:
            if len(kept) >= limit:
                break
            if (
                card_problem(question, answer, chunk.text)
                or not supported(answer, chunk.text)
                or _duplicate(question, chunk.id, existing)
            ):
                dropped += 1
                continue
            card = store.add(
                question, answer, root=chunk.root, chunk_id=chunk.id, path=chunk.path,
                start_line=chunk.start_line, end_line=chunk.end_line, passage=chunk.text,
            )  # fmt: skip
            kept.append(card)
            existing.append(card)
        if progress:
            progress(MakeProgress(done, len(chunks), len(kept), dropped, unreadable))
    return kept


def _duplicate(question: str, chunk_id: str, cards: Iterable[StudyCard]) -> bool:
    return any(
        c.chunk_id == chunk_id and similar(c.question, question) >= DUPLICATE_THRESHOLD
        for c in cards
    )
