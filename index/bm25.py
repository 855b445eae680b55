"""The lexical side of the index: two BM25 (bm25s) views of every chunk.

bm25s splits on an English pattern and would see a whole Chinese sentence as
one token, so text is segmented here with jieba first. The *words* view ranks
by jieba's words (stop words left out); the *bigrams* view by the character
bigrams of the same text, as search engines index Chinese. The two fail
differently: jieba may cut a term one way in the notes and another way in the
question (or not know a new term at all), which bigrams survive, while words
keep bigrams from matching across word boundaries. Fusing both with the dense
ranking beats either alone (docs/retrieval.md).

A chunk's text is segmented once and its tokens kept, so a sync only
segments new chunks. Each saved index is a directory of its own; the
manifest names the live one, so a crash while saving leaves the previous one
in use.
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

from .types import Chunk

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
_CJK_RUN = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_jieba_lock = threading.Lock()
_jieba_ready = False

# Bumped whenever segmenting or the saved layout changes: an index saved in
# another format is rebuilt from the chunk texts.
FORMAT = 2


def segment(text: str) -> list[str]:
    """Lower-cased jieba words (precise mode), in order, whitespace left out."""
    import jieba

    global _jieba_ready
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_ready = True
    return [t for t in (t.strip() for t in jieba.cut(text.lower())) if t]


def word_terms(tokens: list[str]) -> list[str]:
    """The words that carry meaning: no punctuation, no stop words."""
    return [t for t in tokens if _WORD.search(t) and t not in _STOP_WORDS]


def bigram_terms(tokens: list[str]) -> list[str]:
    """Character bigrams of each run of Chinese text (a lone character stands
    for itself); other words as they are. Punctuation ends a run."""
    terms: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if token and _CJK_RUN.match(token):
            run += token
            continue
        if len(run) == 1:
            terms.append(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        run = ""
        if _WORD.search(token):
            terms.append(token)
    return terms


def lexical_text(chunk: Chunk) -> str:
    """What BM25 sees of a chunk: like the embedder, its heading path too."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def _bm25(corpus: list[list[str]]) -> Any:
    import bm25s

    retriever = bm25s.BM25()
    # An empty term list would make bm25s drop the document and shift every
    # row after it; a placeholder keeps rows aligned with ids.
    retriever.index([terms or ["\u2205"] for terms in corpus], show_progress=False)
    return retriever


_TERMS = {"words": word_terms, "bigrams": bigram_terms}


class StaleLexicalIndex(Exception):
    """The saved lexical index has another format; rebuild it from the chunks."""


class LexicalIndex:
    VIEWS = ("words", "bigrams")

    def __init__(
        self,
        retrievers: dict[str, Any],
        ids: list[str],
        tokens: dict[str, list[str]] | None = None,
        directory: Path | None = None,
    ) -> None:
        self._retrievers = retrievers
        self._ids = ids
        self._id_set = frozenset(ids)
        # Tokens are only needed to build the next index; a saved one loads
        # them from ``directory`` then, so searching never pays for them.
        self._tokens = tokens
        self._directory = directory

    @classmethod
    def build(
        cls,
        ids: AbstractSet[str],
        chunks: Mapping[str, Chunk],
        previous: LexicalIndex | None = None,
    ) -> LexicalIndex:
        """Index the chunks ``ids``. Tokens of chunks ``previous`` already had are
        reused, so a sync only segments what is new; ``chunks`` (by id) must
        hold every other id."""
        known = previous.tokens() if previous else {}
        ordered = sorted(ids)
        tokens = {
            cid: known[cid] if cid in known else segment(lexical_text(chunks[cid]))
            for cid in ordered
        }
        retrievers = {}
        if ordered:
            retrievers = {
                view: _bm25([_TERMS[view](tokens[cid]) for cid in ordered]) for view in cls.VIEWS
            }
        return cls(retrievers, ordered, tokens)

    def tokens(self) -> dict[str, list[str]]:
        if self._tokens is None:
            path = self._directory / "tokens.json" if self._directory else None
            self._tokens = json.loads(path.read_text(encoding="utf-8")) if path else {}
        return self._tokens

    def has(self, cid: str) -> bool:
        return cid in self._id_set

    def mentions(self, word: str) -> bool:
        """Whether any chunk has ``word`` (lower-cased) as a word."""
        words = self._retrievers.get("words")
        return words is not None and word.lower() in words.vocab_dict

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def search(self, query: str, k: int) -> dict[str, list[tuple[str, float]]]:
        """Each view's up to ``k`` (chunk id, score) pairs, best first, scores
        above zero."""
        if k <= 0:
            return {}
        tokens = segment(query)
        return {view: self._search(view, _TERMS[view](tokens), k) for view in self._retrievers}

    def _search(self, view: str, terms: list[str], k: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        docs, scores = self._retrievers[view].retrieve(
            [terms], k=min(k, len(self._ids)), show_progress=False, n_threads=1
        )
        return [
            (self._ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for view, retriever in self._retrievers.items():
            retriever.save(str(directory / view), show_progress=False)
        (directory / "ids.json").write_text(json.dumps(self._ids), encoding="utf-8")
        (directory / "tokens.json").write_text(
            json.dumps(self.tokens(), ensure_ascii=False), encoding="utf-8"
        )
        # Written last: a directory without it is not a complete index.
        (directory / "format.json").write_text(json.dumps({"format": FORMAT}), encoding="utf-8")

    @staticmethod
    def is_current(directory: Path) -> bool:
        """Whether ``directory`` holds a complete index in this format."""
        try:
            saved = json.loads((directory / "format.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(saved, dict) and saved.get("format") == FORMAT

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        if not cls.is_current(directory):
            raise StaleLexicalIndex(directory)
        ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        retrievers = {}
        if ids:
            retrievers = {
                view: bm25s.BM25.load(str(directory / view), show_progress=False)
                for view in cls.VIEWS
            }
        return cls(retrievers, ids, directory=directory)
