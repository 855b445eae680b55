"""Whether a text, or the notes as a whole, hold a question's term
(``assistant.terms``).

Chinese words are looked for as written (whitespace aside) and through their
synonyms and the field glossary's English for them; English words also
through their Chinese translations. Spelling
is folded for Latin terms: case, hyphens, spaces and dots inside a name, a
plural s, and a prefix that spans a word boundary, so ``UNet`` is
``U-Net``, ``GPT3`` is ``GPT-3``, ``layernorm`` is ``Layer Normalization``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from .term import Term

# A run of Latin words in a passage: words joined by spaces, hyphens, dots
# or underscores, as names are written (U-Net, Layer Normalization, GPT-3).
_LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[-_.·' ]+[A-Za-z0-9]+)*")
# A Chinese word's English, from the field glossary (批归一化: batch
# normalization; 近端策略优化: ppo).
_LATIN_TERM = re.compile(r"^[a-z0-9][a-z0-9 -]*$")
# Folded letters and digits: a longer run is no name a student types (a
# hash, a pasted URL), and splitting it would cost time with its square.
LONGEST_NAME = 40


def fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def in_text(term: Term, text: str) -> bool:
    """Whether ``text`` contains ``term``: Chinese words as they are written;
    Latin terms folded (see the module doc) or through a translation."""
    text = unicodedata.normalize("NFKC", text)  # full-width letters as plain ones
    if term.kind is not None:
        return _latin_in(term.text, text) or _together(*term.kind, text)
    lowered = text.lower()  # kl散度 where the notes write KL散度
    if any(
        _english_in(t, text) if _LATIN_TERM.match(t) else t.lower() in lowered
        for t in term.translations
    ):
        return True
    if not term.latin:
        squeezed = "".join(text.split())
        # Or a word it may be a slip for: 卷基 where the passage says 卷积.
        return term.text in squeezed or any(t in squeezed for t in term.sounds_like)
    return _latin_in(term.text, text)


def _english_in(english: str, text: str) -> bool:
    """Whether ``text`` writes a Chinese word's English (from the field
    glossary): a phrase as a Latin term is found (Batch Normalization); a
    single word only in capitals, as an acronym (PPO, LSTM): "entropy" is in
    "cross entropy" and "logit" in "logit-Laplace", which name other things."""
    if " " in english or "-" in english:
        return _latin_in(english, text)
    capitals = re.escape(english.upper())
    return re.search(f"(?<![A-Za-z0-9]){capitals}(?![A-Za-z0-9])", text) is not None


def _together(word: Term, head: Term, text: str) -> bool:
    """Whether ``text`` writes ``word`` right before ``head`` (a few
    characters apart at most: 稀疏自编码器, 稀疏的自编码器, 双向 LSTM), each as
    itself or through a translation."""

    def spellings(term: Term) -> str:
        return "|".join(re.escape(t.lower()) for t in (*term.translations, term.text))

    together = f"(?:{spellings(word)}).{{0,3}}(?:{spellings(head)})"
    return re.search(together, text.lower()) is not None


def _latin_in(term: str, text: str) -> bool:
    folded = fold(term)
    if not folded:
        return False
    wanted = {folded}
    if _plural(folded):
        wanted.add(folded[:-1])
        if folded.endswith("es"):
            wanted.add(folded[:-2])
    joined, spans = _latin_spans(text)
    if wanted & joined:
        return True
    # A prefix across a word boundary: layernorm in Layer Normalization.
    return len(folded) >= 6 and any(
        span.startswith(w) and len(w) > len(span) - last for span, last in spans for w in wanted
    )


def _plural(folded: str) -> bool:
    """Whether a folded Latin term may be a plural: an s after three letters
    or more, not the last letter of an acronym (GPS is not the plural of GP,
    which "Gaussian Process" spells out)."""
    return len(folded) > 3 and folded.endswith("s")


@lru_cache(maxsize=64)
def _latin_spans(text: str) -> tuple[frozenset[str], tuple[tuple[str, int], ...]]:
    """The folded Latin words of ``text`` joined in runs of one to four
    words (GPT-3 is gpt3), and the runs of two or more with the length of
    their last word. Cached: every term of a question is looked for in the
    same few passages (a pasted 6,000-character question took 2 s when each
    term read them again)."""
    joined: set[str] = set()
    spans: list[tuple[str, int]] = []
    for run in _LATIN_RUN.finditer(text):
        words = [w for w in map(fold, re.split(r"[-_.·' ]+", run.group())) if w]
        for start in range(len(words)):
            span = ""
            for end in range(start, min(start + 4, len(words))):
                span += words[end]
                joined.add(span)
                if end > start:
                    spans.append((span, len(words[end])))
    return frozenset(joined), tuple(spans)


def in_notes(term: Term, mentions: Callable[[str], bool]) -> bool:
    """Whether the notes contain ``term`` anywhere (``mentions(word)``: a
    word of the notes' lexical index). A word and the term it says the
    kind of (``Term.kind``) count only when the index has them as one
    word: whether they are written together is for the passages to say."""
    if term.kind is not None:
        word, head = term.kind
        return any(mentions(w + h) for w in word.translations for h in head.translations)
    # A Chinese word's English phrase counts where a passage writes it
    # (``in_text``): its words may each be somewhere in notes that never name
    # it ("target network": target policy, region proposal network).
    if any(mentions(t) for t in term.translations if not _LATIN_TERM.match(t)):
        return True
    if not term.latin:
        return mentions(term.text)
    folded = fold(term.text)
    forms = {term.text, folded, folded[:-1] if _plural(folded) else folded}
    if any(mentions(f) for f in forms if f):
        return True
    parts = [p for p in re.split(r"[-.·' ]+", term.text) if p]
    if len(parts) > 1 and not (term.translations and " " in term.text):
        # A compound the notes write apart (GPT-3 is "gpt" "-" "3" to jieba).
        # Not a phrase with Chinese words to look for ("q learning"): its
        # English words may each be anywhere in notes that never name it.
        return all(mentions(p) for p in parts)
    return bool(_written_apart(folded, mentions))


def notes_spellings(term: Term, mentions: Callable[[str], bool]) -> tuple[str, ...]:
    """The words the notes write a Latin ``term`` with, when the question
    writes it otherwise: joined (``drop out``, ``drop-out`` → dropout),
    apart (``selfattention`` → self, attention; ``rcnn`` → r, cnn), in the
    singular (``autoencoders`` → autoencoder). None when the notes have the
    term as the question writes it, or have no spelling of it, or when it is
    an everyday English word (``player`` is not p + layer, ``boss`` not bos).

    BM25 matches whole words, so a name spelled otherwise than the notes
    spell it finds none of its passages that way (the coverage check folds
    spelling, ``in_notes``; the search must too)."""
    from .bilingual import english_word

    if not term.latin:
        return ()
    folded = fold(term.text)
    if not folded or len(folded) > LONGEST_NAME:
        return ()
    if _pieces(term.text) != [folded]:
        # Written in pieces, which BM25 reads one by one.
        return (folded,) if mentions(folded) else ()
    if mentions(folded) or english_word(folded):
        return ()
    if _plural(folded) and mentions(folded[:-1]):
        return (folded[:-1],)
    return _written_apart(folded, mentions)


def joined_names(question: str, mentions: Callable[[str], bool]) -> tuple[str, ...]:
    """Two neighbouring Latin words of ``question`` that the notes write as
    one name (``squeeze net`` → squeezenet, ``auto encoder`` →
    autoencoder), whatever terms the question was cut into; not when the
    two make an everyday word (``with out``, ``over all``)."""
    from .bilingual import english_word

    words = [fold(w) for w in re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKC", question))]
    pairs = (a + b for a, b in zip(words, words[1:], strict=False))
    return tuple(
        dict.fromkeys(
            name
            for name in pairs
            if len(name) <= LONGEST_NAME and mentions(name) and not english_word(name)
        )
    )


def _pieces(text: str) -> list[str]:
    """The Latin words BM25 reads in ``text`` (jieba cuts at anything else)."""
    return [fold(p) for p in re.split(r"[^A-Za-z0-9]+", text) if p]


def _written_apart(folded: str, mentions: Callable[[str], bool]) -> tuple[str, ...]:
    """A name the question writes together (rcnn, selfattention, zeroshot)
    as two words of the notes, each long enough to mean something, or a
    letter or number before or after one (R-CNN, GPT-3); the most even
    split when several fit."""
    if len(folded) > LONGEST_NAME:
        return ()
    best: tuple[str, ...] = ()
    shortest = -1  # the shorter piece of the best split so far
    for i in range(1, len(folded)):
        head, tail = folded[:i], folded[i:]
        fits = min(i, len(tail)) >= 3 or (
            (len(head) == 1 or head.isdigit() or tail.isdigit()) and max(i, len(tail)) >= 3
        )
        if fits and min(i, len(tail)) > shortest and mentions(head) and mentions(tail):
            best, shortest = (head, tail), min(i, len(tail))
    return best
