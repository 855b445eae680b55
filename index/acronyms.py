"""The acronyms a text spells out: "Deep Reinforcement Learning" spells out
DRL and RL, so notes that write out the words a question shortens (RL,
CNN, LLM) count as mentioning it, though they never write the acronym.

Only runs of capitalised words count, as names are written in English
("Convolutional Neural Network"): ordinary prose would spell out any pair
of letters. A run's acronyms are those of its last two words or more: an
English name ends in its head, so "Reinforcement Learning" is a name inside
"Deep Reinforcement Learning" and "Deep Reinforcement" is not. A small word
(of, from, the) ends a run: skipping it made paper titles spell out what
they never name ("Distilling the Knowledge in a Neural Network", KNN).
"""

from __future__ import annotations

import re
import unicodedata

_WORD = r"[A-Z][a-zà-ÿ]+'?"
# Two or more capitalised words apart by spaces or hyphens (any dash).
_RUN = re.compile(rf"(?<![A-Za-z]){_WORD}(?:[ \-‐‑–—]+{_WORD})+(?![A-Za-z])")
_APART = re.compile(r"[ \-‐‑–—]+")
_SHORTEST, _LONGEST = 2, 6


def spelled_out(text: str) -> tuple[str, ...]:
    """The acronyms (lower-cased, 2 to 6 letters) of the last two words or
    more of every run of capitalised words in ``text``, in order of first
    sight."""
    text = unicodedata.normalize("NFKC", text)
    found: dict[str, None] = {}
    for run in _RUN.finditer(text):
        initials = "".join(word[0] for word in _APART.split(run.group())).lower()
        for start in range(max(0, len(initials) - _LONGEST), len(initials) - 1):
            found[initials[start:]] = None
    return tuple(found)


def may_be_acronym(word: str) -> bool:
    """Whether ``word`` could be an acronym ``spelled_out`` finds."""
    return word.isascii() and word.isalpha() and _SHORTEST <= len(word) <= _LONGEST
