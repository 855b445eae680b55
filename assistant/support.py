"""Is each sentence of an answer found in the passages it cites?

A small model mixes what the passages say with what it remembers, and puts
``[1]`` on both. So after the answer, each sentence is scored against the
passages it cites (all passages given, for a sentence without a marker):

- its terms (``assistant.terms``: the specific words, in any script; English
  ones also through their Chinese translations, so an English answer to
  Chinese notes is checked too), weighted by how specific they are: the
  share of that weight the passages contain;
- for Chinese, the share of its character bigrams the passages contain
  (robust where jieba cuts a word differently).

The score is the mean of the two for a Chinese sentence, the term share
alone for others; at least ``SUPPORTED`` counts as supported. A number of
the sentence (two digits or more, or with a decimal point: 2014, 0.001)
that the passages lack keeps it under that, whatever else they share: a
made-up year or rate is the commonest slip. A sentence
too short to judge (fewer than ``MIN_WEIGHT`` of terms and a few bigrams),
or one that says what the notes lack, is not scored.

Whether the answer as a whole is from the notes is decided apart: a
sentence citing the wrong passage is still from the notes. So a sentence
not found in what it cites is scored again against every passage the model
was given; when most sentences are in none of them, the answer is mostly
the model's own (``mostly_unsupported``), which the CLI and TUI say
plainly. An answer of ``FROM_MEMORY_SENTENCES`` or more judged sentences of
which at most one in ten is in any passage is not from the notes at all
(``from_memory``): the answer then counts as a refusal. Shorter answers are
left out: a short answer to a covered question is often a paraphrase the
lexical score misses, or English over Chinese notes. Measured with
qwen2.5:1.5b (answers to dev, the own set and heldout-d, 2026-12-04): of
the answers of four sentences or more with at most one in ten found, 7 were
to out-of-notes questions and none to covered ones; at three sentences, 3
more to covered questions ("what is pooling for", answered in English)
and none more to out-of-notes ones.

Whether an answer is mostly the model's own was measured with qwen2.5:1.5b
on 182 answers (dev and the bench/honesty sets): on cited passages alone, that was said of 17 of 135
answers to answerable questions (among them right answers citing the wrong
number) and of 28 of 47 answers to out-of-notes ones; on every passage
given, of 12 of 135 (11 of them echoes, non-answers or answers from memory;
one right three-word answer) and of 22 of 47.

The same scoring checks a flashcard's answer against its passage
(``check_claim``, ``holds``), so the project has one notion of "the notes
say this".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from index import Passage

from .citations import MARKER, cited_numbers, numbered
from .plain import word_characters
from .presence import in_text
from .prompt import is_refusal
from .terms import question_terms

SUPPORTED = 0.5
MIN_WEIGHT = 1.0
FROM_MEMORY_SENTENCES = 4
# A sentence ends at 。！？!? or ; and at a full stop before a space.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)(?=\s)|\n")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SAYS_NOT_COVERED = re.compile(
    r"(笔记|段落|资料|passages?|notes?)[^。.!?！？]{0,12}"
    r"(没有|未|并未|不|doesn't|does not|don't|do not)"
    r"[^。.!?！？]{0,8}(提到|提及|涉及|说明|包含|介绍|cover|mention|say|contain)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SentenceSupport:
    text: str
    citations: tuple[int, ...]  # the passage numbers the sentence cites
    supported: bool | None  # None: too short to judge, or says what the notes lack
    score: float | None
    # Whether any passage the model was given holds it: a sentence citing
    # the wrong one is still from the notes.
    in_passages: bool | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "score": None if self.score is None else round(self.score, 3),
            "in_passages": self.in_passages,
        }


@dataclass(frozen=True, slots=True)
class SupportReport:
    sentences: tuple[SentenceSupport, ...]

    @property
    def judged(self) -> int:
        return sum(s.supported is not None for s in self.sentences)

    @property
    def unsupported(self) -> int:
        return sum(s.supported is False for s in self.sentences)

    @property
    def outside(self) -> int:
        """Sentences in none of the passages the model was given."""
        return sum(s.in_passages is False for s in self.sentences)

    @property
    def mostly_unsupported(self) -> bool:
        """More than half of the sentences that could be judged are in none
        of the passages the model was given: the answer is mostly the
        model's own, not the notes'."""
        return self.judged > 0 and self.outside * 2 > self.judged

    @property
    def from_notes(self) -> bool:
        """Some sentences could be judged, and more than half of them are in
        the passages the model was given."""
        return self.judged > 0 and self.outside * 2 < self.judged

    @property
    def from_memory(self) -> bool:
        """At least ``FROM_MEMORY_SENTENCES`` sentences could be judged and
        at most one in ten is in any passage the model was given: the
        answer is the model's own knowledge, and the notes do not answer
        the question. (A shorter answer is often a paraphrase the lexical
        score misses: measured, see the module doc.)"""
        return self.judged >= FROM_MEMORY_SENTENCES and self.outside * 10 >= self.judged * 9

    def from_memory_summary(self) -> str:
        """What to tell the student of an answer ``from_memory``."""
        given = "the passages it was given"
        if self.outside == self.judged:
            found = f"none of its {self.judged} sentences is in {given}"
        else:
            found = f"{self.outside} of its {self.judged} sentences are in none of {given}"
        return (
            f"Not from your notes: {found}. "
            "It is the model's own knowledge, not what your notes say."
        )

    def summary(self) -> str:
        """ "2 of 5 sentences are not found in your notes." (empty if none)."""
        if not self.unsupported:
            return ""
        noun = "sentence is" if self.judged == 1 else "sentences are"
        return f"{self.unsupported} of {self.judged} {noun} not found in your notes."


def check_support(
    answer: str, passages: Sequence[Passage] | Mapping[int, Passage]
) -> SupportReport:
    """Score each sentence of ``answer`` against the ``passages`` it cites
    (by their numbers in the prompt: see ``citations.numbered``), and see
    whether any of them holds it."""
    if is_refusal(answer):
        return SupportReport(())
    by_number = numbered(passages)
    everything = [p.chunk.titled_text for p in by_number.values()]
    sentences = []
    for raw in _sentences(answer):
        numbers = tuple(dict.fromkeys(n for n in cited_numbers(raw) if n in by_number))
        cited = [by_number[n] for n in numbers] or list(by_number.values())
        judged = _judge(raw, numbers, [p.chunk.titled_text for p in cited])
        if judged is None:
            continue
        if judged.supported is False:
            anywhere = (_score(_unmarked(raw), everything) or 0.0) >= SUPPORTED
            judged = replace(judged, in_passages=anywhere)
        sentences.append(judged)
    return SupportReport(tuple(sentences))


def check_claim(claim: str, text: str) -> SupportReport:
    """Score each sentence of ``claim`` against ``text`` alone, as an
    answer's sentences are scored against their passages (a flashcard's
    answer against the passage it was made from)."""
    if is_refusal(claim):
        return SupportReport(())
    judged = (_judge(raw, (), [text]) for raw in _sentences(claim))
    return SupportReport(tuple(s for s in judged if s is not None))


def holds(claim: str, text: str, *, bar: float = SUPPORTED) -> bool:
    """Whether ``text`` holds all of ``claim``: each sentence scores at least
    ``bar``; one too short to score (a name, a number, "Q、K、V") must be in
    the text as written, case, spaces and punctuation aside. A claim that
    says what the notes lack, or has nothing to judge, is not held."""
    report = check_claim(claim, text)
    if not report.sentences:
        return False
    for sentence in report.sentences:
        if sentence.score is not None:
            if sentence.score < bar:
                return False
        elif _SAYS_NOT_COVERED.search(sentence.text) or not _quoted(sentence.text, text):
            return False
    return True


def _judge(raw: str, numbers: tuple[int, ...], texts: Sequence[str]) -> SentenceSupport | None:
    """One sentence scored against ``texts``; None for one with no words."""
    text = _unmarked(raw)
    if not re.search(r"\w", text):
        return None
    score = _score(text, texts)
    if score is None or _SAYS_NOT_COVERED.search(text) or is_refusal(text):
        return SentenceSupport(raw, numbers, None, None)
    return SentenceSupport(raw, numbers, score >= SUPPORTED, score, score >= SUPPORTED)


def _unmarked(sentence: str) -> str:
    return MARKER.sub("", sentence).strip()


def _quoted(sentence: str, text: str) -> bool:
    plain = word_characters(_unmarked(sentence))
    return bool(plain) and plain in word_characters(text)


_LEADING_MARKERS = re.compile(rf"(?:\s*(?:{MARKER.pattern}))+")


def _sentences(answer: str) -> list[str]:
    """The sentences of ``answer``; markers written after the full stop
    ("…的现象。[2][3]") belong to the sentence before them."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(answer):
        piece = piece.strip()
        lead = _LEADING_MARKERS.match(piece)
        if sentences and lead:
            sentences[-1] += lead.group().strip()
            piece = piece[lead.end() :].strip()
        if piece:
            sentences.append(piece)
    return sentences


def _score(sentence: str, texts: Sequence[str]) -> float | None:
    terms = question_terms(sentence)
    weight = sum(t.weight for t in terms)
    pairs = _bigrams(sentence)
    if weight < MIN_WEIGHT and len(pairs) < 8:
        return None
    found = sum(t.weight for t in terms if any(in_text(t, text) for text in texts))
    term_share = found / weight if weight else None
    if not pairs:
        return None if term_share is None else _capped_by_numbers(term_share, sentence, texts)
    joined = "".join("".join(texts).split())
    pair_share = sum(p in joined for p in pairs) / len(pairs)
    score = pair_share if term_share is None else (term_share + pair_share) / 2
    return _capped_by_numbers(score, sentence, texts)


# Numbers of two digits or more, or with a decimal point, standing alone
# (not part of GPT-3, 1x1 or a list's "1、"), and the same number in a text.
_NUMBER = re.compile(r"(?<![A-Za-z0-9.\-])(?:\d{2,}(?:\.\d+)?|\d+\.\d+)(?![A-Za-z0-9])")


def _capped_by_numbers(score: float, sentence: str, texts: Sequence[str]) -> float:
    """A number (2014, 0.001, 175) the passages lack is a claim they do not
    make, however much of the wording they share, and the one a model most
    often makes up: the sentence then scores under ``SUPPORTED``."""
    numbers = _NUMBER.findall(sentence)
    found = sum(any(_has_number(n, text) for text in texts) for n in numbers)
    if found == len(numbers):
        return score
    return min(score, SUPPORTED * found / len(numbers))


def _has_number(number: str, text: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text) is not None


def _bigrams(text: str) -> set[str]:
    """Character bigrams inside runs of Chinese characters."""
    runs = re.findall(r"[\u3400-\u9fff]+", text)
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}
