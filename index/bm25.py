"""The lexical side of the index: two BM25 (bm25s) views of every chunk.

bm25s splits on an English pattern and would see a whole Chinese sentence as
one token, so text is segmented with jieba first (``segment.py``). The
*words* view ranks by jieba's words (stop words left out); the *bigrams* view
by the character bigrams of the same text, as search engines index Chinese. The two fail
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
import os
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .acronyms import may_be_acronym, spelled_out
from .atomic import write_bytes_atomic
from .segment import bigram_terms, is_chinese, segment, word_terms
from .types import Chunk

# Bumped whenever segmenting or the saved layout changes: an index saved in
# another format is rebuilt from the chunk texts. 4: traditional Chinese folded;
# 5: full-width letters and digits folded; 6: the acronyms chunks spell out;
# 7: acronyms of a run's last words only.
FORMAT = 7


def lexical_text(chunk: Chunk) -> str:
    """What BM25 sees of a chunk (a seam of its own, for bench/retrieval.py)."""
    return chunk.titled_text


class _Vocabulary:
    """Strings numbered in order of first sight."""

    def __init__(self, words: list[str] | None = None) -> None:
        self.words = list(words or [])
        self.numbers = {w: i for i, w in enumerate(self.words)}

    def encode(self, terms: list[str]) -> np.ndarray:
        numbers = self.numbers
        for term in terms:
            if term not in numbers:
                numbers[term] = len(self.words)
                self.words.append(term)
        return np.fromiter((numbers[t] for t in terms), dtype=np.int32, count=len(terms))


class Tokens:
    """Every chunk's tokens, compactly: one vocabulary and an int32 array per
    chunk. Lists of Python strings would cost ~60 bytes a token, which for a
    large folder (or one 50 MB file) is gigabytes."""

    def __init__(self, vocabulary: _Vocabulary, arrays: dict[str, np.ndarray]) -> None:
        self.vocabulary = vocabulary
        self.arrays = arrays

    def __contains__(self, cid: str) -> bool:
        return cid in self.arrays

    def strings(self, cid: str) -> list[str]:
        words = self.vocabulary.words
        return [words[i] for i in self.arrays[cid]]

    def save(self, directory: Path, ordered: list[str]) -> None:
        arrays = [self.arrays[cid] for cid in ordered]
        offsets = np.cumsum([0, *(len(a) for a in arrays)], dtype=np.int64)
        flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
        np.save(directory / "tokens.npy", flat)
        np.save(directory / "offsets.npy", offsets)
        (directory / "vocabulary.json").write_text(
            json.dumps(self.vocabulary.words, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, ordered: list[str]) -> Tokens:
        words = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        flat = np.load(directory / "tokens.npy")
        offsets = np.load(directory / "offsets.npy")
        arrays = {cid: flat[offsets[i] : offsets[i + 1]] for i, cid in enumerate(ordered)}
        return cls(_Vocabulary(words), arrays)


def _bm25(documents: list[np.ndarray], vocabulary: _Vocabulary) -> Any:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index((documents, vocabulary.numbers), show_progress=False)
    return retriever


_TERMS = {"words": word_terms, "bigrams": bigram_terms}
# An empty term list would make bm25s drop the document and shift every row
# after it; a placeholder keeps rows aligned with ids.
_EMPTY = "\u2205"


ViewHits = tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class LexicalHits:
    """What each view found: (chunk id, score) pairs, best first, scores
    above zero; empty for a view the index does not have."""

    words: ViewHits = ()
    bigrams: ViewHits = ()

    def views(self) -> tuple[ViewHits, ViewHits]:
        """Both views' hits, words first (the order fusion sees them in)."""
        return self.words, self.bigrams


class StaleLexicalIndex(Exception):
    """The saved lexical index has another format; rebuild it from the chunks."""


class DamagedLexicalIndex(StaleLexicalIndex):
    """A file of the saved lexical index cannot be read as saved."""


class LexicalIndex:
    VIEWS = ("words", "bigrams")

    def __init__(
        self,
        retrievers: dict[str, Any],
        ids: list[str],
        tokens: Tokens | None = None,
        directory: Path | None = None,
        acronyms: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._retrievers = retrievers
        self._ids = ids
        self._id_set = frozenset(ids)
        # Tokens are only needed to build the next index; a saved one loads
        # them from ``directory`` then, so searching never pays for them.
        self._tokens = tokens
        self._directory = directory
        # The acronyms each chunk spells out (by id), and all of them, gathered
        # when a word that may be one is first looked for.
        self._acronyms = acronyms or {}
        self._all_acronyms: frozenset[str] | None = None

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
        known = previous.tokens() if previous else Tokens(_Vocabulary(), {})
        known_acronyms = previous.acronyms() if previous else {}
        vocabulary = _Vocabulary()
        # Known chunks' token numbers, translated into the new vocabulary.
        renumber = vocabulary.encode(known.vocabulary.words)
        ordered = sorted(ids)
        arrays = {}
        acronyms = {}
        for cid in ordered:
            if cid in known:
                arrays[cid] = renumber[known.arrays[cid]]
                acronyms[cid] = known_acronyms.get(cid, ())
            else:
                text = lexical_text(chunks[cid])
                arrays[cid] = vocabulary.encode(segment(text))
                acronyms[cid] = spelled_out(text)
        tokens = Tokens(vocabulary, arrays)
        retrievers = {}
        for view in cls.VIEWS if ordered else ():
            terms = _Vocabulary()
            documents = [
                terms.encode(_TERMS[view](tokens.strings(cid)) or [_EMPTY]) for cid in ordered
            ]
            retrievers[view] = _bm25(documents, terms)
        return cls(retrievers, ordered, tokens, acronyms=acronyms)

    def tokens(self) -> Tokens:
        if self._tokens is None:
            if self._directory is None:
                self._tokens = Tokens(_Vocabulary(), {})
            else:
                self._tokens = Tokens.load(self._directory, self._ids)
        return self._tokens

    def acronyms(self) -> dict[str, tuple[str, ...]]:
        """The acronyms each chunk spells out (``index.acronyms``), by id."""
        return self._acronyms

    def has(self, cid: str) -> bool:
        return cid in self._id_set

    def mentions(self, word: str) -> bool:
        """Whether any chunk has ``word`` (lower-cased) as a word, or, for a
        Chinese word jieba cut otherwise in the notes, inside a longer word
        (蒸馏 in 知识蒸馏) or, for three characters or more, as character
        bigrams that all occur (a two-character word found only across a
        word boundary, 维特 in 思维特征, is not mentioned), or, for a Latin word
        of two to six letters, as the acronym of capitalised words a chunk
        writes out (rl for "Reinforcement Learning", ``index.acronyms``)."""
        words = self._retrievers.get("words")
        word = word.lower()
        if words is None:
            return False
        if word in words.vocab_dict:
            return True
        if may_be_acronym(word):
            # RL in notes that write "Reinforcement Learning" out.
            if self._all_acronyms is None:
                spelled = self._acronyms.values()
                self._all_acronyms = frozenset(a for found in spelled for a in found)
            return word in self._all_acronyms
        if len(word) < 2 or not is_chinese(word):
            return False
        if len(word) > 2:
            bigrams = self._retrievers["bigrams"].vocab_dict
            if all(word[i : i + 2] in bigrams for i in range(len(word) - 1)):
                return True
        return any(word in token for token in words.vocab_dict if len(token) > len(word))

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def search(self, query: str, k: int) -> LexicalHits:
        """Each view's up to ``k`` hits for ``query``."""
        if k <= 0:
            return LexicalHits()
        tokens = segment(query)
        found = {view: self._search(view, _TERMS[view](tokens), k) for view in self._retrievers}
        return LexicalHits(**found)

    def _search(self, view: str, terms: list[str], k: int) -> ViewHits:
        retriever = self._retrievers[view]
        # Terms the notes never use score nothing; bm25s would take them as
        # the empty-document token.
        terms = [t for t in terms if t in retriever.vocab_dict]
        if not terms:
            return ()
        # get_scores rather than retrieve: retrieve starts a thread pool on
        # every call, which costs more than the scoring itself.
        scores = retriever.get_scores(terms)
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return tuple((self._ids[int(d)], float(scores[d])) for d in best if scores[d] > 0)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for view, retriever in self._retrievers.items():
            retriever.save(str(directory / view), show_progress=False)
        (directory / "ids.json").write_text(json.dumps(self._ids), encoding="utf-8")
        self.tokens().save(directory, self._ids)
        (directory / "acronyms.json").write_text(
            json.dumps([self._acronyms.get(cid, ()) for cid in self._ids]), encoding="utf-8"
        )
        # On disk before format.json says the index is complete, and before
        # a manifest names it: after a power cut it is whole or not there.
        for path in [*directory.rglob("*"), directory]:
            _fsync(path)
        write_bytes_atomic(directory / "format.json", json.dumps({"format": FORMAT}).encode())

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
        """The index saved in ``directory``; ``StaleLexicalIndex`` when it is
        missing, of another format, or damaged (a search must not crash on a
        bad file: the index is rebuilt from the chunk texts instead)."""
        if not cls.is_current(directory):
            raise StaleLexicalIndex(directory)
        try:
            return cls._load(directory)
        # RecursionError: a JSON file nested thousands deep.
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            EOFError,
            RecursionError,
        ) as exc:
            raise DamagedLexicalIndex(f"The BM25 index in {directory} is damaged ({exc}).") from exc

    @classmethod
    def _load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError("ids.json is not a list of chunk ids")
        # Tokens are loaded only by the next sync; check their size now (a
        # mapped read, no copy) so a cut file is found before it is needed.
        flat = np.load(directory / "tokens.npy", mmap_mode="r")
        offsets = np.load(directory / "offsets.npy", mmap_mode="r")
        if len(offsets) != len(ids) + 1 or (len(ids) and int(offsets[-1]) != len(flat)):
            raise ValueError("tokens.npy or offsets.npy does not match ids.json")
        json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        acronyms = json.loads((directory / "acronyms.json").read_text(encoding="utf-8"))
        if not isinstance(acronyms, list) or len(acronyms) != len(ids):
            raise ValueError("acronyms.json does not match ids.json")
        if not all(isinstance(a, list) and all(isinstance(w, str) for w in a) for a in acronyms):
            raise ValueError("acronyms.json is not a list of lists of acronyms")
        retrievers = {}
        if ids:
            # Memory-mapped: a search reads only the postings of its terms, so
            # a large index costs little memory (each save is a new directory,
            # so mapped files are never rewritten).
            retrievers = {
                view: bm25s.BM25.load(str(directory / view), mmap=True, show_progress=False)
                for view in cls.VIEWS
            }
            for view, retriever in retrievers.items():
                if int(retriever.scores["num_docs"]) != len(ids):
                    raise ValueError(f"{view} holds another number of chunks than ids.json")
        spelled = {cid: tuple(found) for cid, found in zip(ids, acronyms, strict=True)}
        return cls(retrievers, ids, directory=directory, acronyms=spelled)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
