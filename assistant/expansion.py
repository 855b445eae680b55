"""The notes' own words for an English question over Chinese notes.

BM25 matches words, and an English question shares almost none with Chinese
notes: its evidence is found by the embedder alone, which ranks it well
below the top (dev `english` MRR 0.62 with Recall@5 1.0). So the English
terms of a question with no Chinese in it are translated through CC-CEDICT
(``terms.question_terms`` already does, for the relevance gate), and every
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

from .terms import has_chinese, question_terms


def notes_words(question: str, mentions: Callable[[str], bool]) -> tuple[str, ...]:
    """The Chinese words that the notes use (``mentions``) for the terms of
    ``question``; none when the question has Chinese in it."""
    if has_chinese(question):
        return ()
    words = (
        word for term in question_terms(question) for word in term.translations if mentions(word)
    )
    return tuple(dict.fromkeys(words))
