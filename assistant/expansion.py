"""The notes' own words for an English question over Chinese notes.

BM25 matches words, and an English question shares almost none with Chinese
notes: its evidence is found by the embedder alone, which ranks it well
below the top (dev `english` MRR 0.62 with Recall@5 1.0). So the English
terms of a question with no Chinese in it are translated through CC-CEDICT
and the field glossary (``terms.question_terms`` already does, for the
relevance gate), and every
translation the notes use is searched by BM25 next to the question
("attention" adds 注意力, "noise vector" adds 噪声 and 向量). The embedder
still reads the question as written: adding the words to its query too
ranked lower (docs/retrieval.md). Only translations the notes use count,
so notes in English are searched as before; a sense the notes use for
something else (关注 for "attention") adds a little noise, which measured
less than what the right sense gains.

The same words help pick the sentences of a focused context
(``focus.focus_all``), which scores sentences by the question's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .presence import in_notes, joined_names, notes_spellings
from .term import Term
from .terms import has_chinese, question_terms


def notes_words(question: str, mentions: Callable[[str], bool]) -> tuple[str, ...]:
    """The words that the notes use (``mentions``) for the terms of
    ``question`` where the question's own words would not find them: a
    name spelled otherwise (``notes_spellings``: selfattention is written
    self-attention) in any question, and the Chinese words for the English
    terms of a question with no Chinese in it."""
    from index.segment import segment

    terms = question_terms(question)
    words = [word for term in terms for word in notes_spellings(term, mentions)]
    words += joined_names(question, mentions)
    english = not has_chinese(question)
    words += (
        word
        for term in terms
        # In a Chinese question, only a name the notes never write in
        # English ("attention heads 有几个": they say 注意力头); in an English
        # one, any term but a name the notes write as it does (GAN, MDP):
        # their Chinese words for it would only pull in other passages.
        if (english and not term.named) or _only_in_chinese(term, mentions)
        for word in _chinese_words(term, mentions)
    )
    # Words BM25 already reads in the question would count twice.
    own = {word.lower() for word in segment(question)}
    return tuple(w for w in dict.fromkeys(words) if w not in own)


def _only_in_chinese(term: Term, mentions: Callable[[str], bool]) -> bool:
    """Whether ``term`` is Latin script the notes never write as it is (they
    may write it in Chinese: MDP as 马尔可夫决策过程)."""
    return term.latin and not in_notes(replace(term, translations=()), mentions)


def _chinese_words(term: Term, mentions: Callable[[str], bool]) -> list[str]:
    """The Chinese words for an English ``term`` that the notes use: for a
    word saying the kind of a term ("sparse" in "sparse autoencoder"), its
    own; for a phrase of the glossary the notes never use, its words'
    ("hidden state": 隐藏, 状态), as they may say it otherwise."""
    if term.kind is not None:
        term = term.kind[0]
    found = [word for word in term.translations if mentions(word)]
    if not found:
        found = [word for part in term.parts for word in part.translations if mentions(word)]
    return found
