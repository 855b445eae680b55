"""The lexical side of the index: BM25 (bm25s) over jieba tokens.

bm25s splits on an English pattern and would see a whole Chinese sentence as
one token, so text is segmented here with jieba first. Each saved index is a
directory of its own; the manifest names the live one, so a crash while saving
leaves the previous index in use.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

# Function words and particles that carry no topic: matching them only adds
# noise to the scores of long chunks.
_STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "也",
        "就",
        "都",
        "而",
        "并",
        "但",
        "被",
        "把",
        "对",
        "从",
        "为",
        "以",
        "之",
        "其",
        "这",
        "那",
        "有",
        "个",
        "中",
        "上",
        "下",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "为什么",
        "哪些",
        "哪个",
        "一个",
        "一种",
        "可以",
        "会",
        "能",
        "要",
        "让",
        "得",
        "地",
        "着",
        "过",
        "还",
        "又",
        "很",
        "更",
        "最",
        "等",
        "等等",
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "what",
        "how",
        "why",
        "which",
        "does",
        "do",
        "did",
        "that",
        "this",
        "it",
        "its",
        "with",
        "by",
        "as",
        "at",
        "from",
        "according",
        "notes",
        "note",
        "my",
    ]
)
_WORD = re.compile(r"\w", re.UNICODE)
_jieba_lock = threading.Lock()
_jieba_ready = False


def tokenize(text: str) -> list[str]:
    """Lower-cased jieba tokens in search mode (long words also yield their
    parts), without punctuation, spaces and stop words."""
    import jieba

    global _jieba_ready
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_ready = True
    return [
        token
        for token in (t.strip() for t in jieba.cut_for_search(text.lower()))
        if token and _WORD.search(token) and token not in _STOP_WORDS
    ]


class LexicalIndex:
    def __init__(self, retriever: Any, ids: list[str], tokens: dict[str, list[str]]) -> None:
        self._retriever = retriever
        self._ids = ids
        self._tokens = tokens
        self._vocabulary: frozenset[str] | None = None

    @classmethod
    def build(
        cls,
        ids: AbstractSet[str],
        texts: Mapping[str, str],
        previous: LexicalIndex | None = None,
    ) -> LexicalIndex:
        """Index the chunks ``ids``. Tokens of chunks ``previous`` already had are
        reused, so a sync only segments what is new; ``texts`` (chunk id → text)
        must hold every other id."""
        import bm25s

        known = previous._tokens if previous else {}
        ordered = sorted(ids)
        tokens = {cid: known[cid] if cid in known else tokenize(texts[cid]) for cid in ordered}
        retriever = None
        if ordered:
            retriever = bm25s.BM25()
            # An empty token list would make bm25s drop the document and shift
            # every row after it; a placeholder keeps rows aligned with ids.
            corpus = [tokens[cid] or ["\u2205"] for cid in ordered]
            retriever.index(corpus, show_progress=False)
        return cls(retriever, ordered, tokens)

    def has(self, cid: str) -> bool:
        return cid in self._tokens

    def mentions(self, word: str) -> bool:
        """Whether any chunk has ``word`` (lower-cased) as a token."""
        if self._vocabulary is None:
            self._vocabulary = frozenset(t for tokens in self._tokens.values() for t in tokens)
        return word.lower() in self._vocabulary

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` (chunk id, score) pairs, best first, scores above zero."""
        query_tokens = tokenize(query)
        if self._retriever is None or not query_tokens or k <= 0:
            return []
        docs, scores = self._retriever.retrieve(
            [query_tokens], k=min(k, len(self._ids)), show_progress=False, n_threads=1
        )
        return [
            (self._ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(directory), show_progress=False)
        (directory / "ids.json").write_text(json.dumps(self._ids), encoding="utf-8")
        (directory / "tokens.json").write_text(
            json.dumps(self._tokens, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        tokens = json.loads((directory / "tokens.json").read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(directory), show_progress=False) if ids else None
        return cls(retriever, ids, tokens)
