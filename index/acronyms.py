"""The acronyms a text spells out: "Deep Reinforcement Learning from Human
Feedback" spells out DRL, RL and HF (and RLHF, DRLHF), so notes that write
the words a question shortens (RL, CNN, LLM) count as mentioning it, though
they never write the acronym itself.

Only runs of capitalised words count, as names are written in English
("Convolutional Neural Network"); small words inside a run (of, from, for)
are passed over, as acronyms do. A sentence of ordinary prose would spell
out any pair of letters; capitalised runs are the names a text gives.
"""

from __future__ import annotations

import re
import unicodedata

_SMALL = "of|for|from|and|to|in|on|with|the|by|via|a|an"
# Two or more capitalised words, small words allowed between them.
_RUN = re.compile(
    rf"(?<![A-Za-z])[A-Z][a-z]+(?:[ \-]+(?:(?:{_SMALL})[ \-]+)*[A-Z][a-z]+)+(?![A-Za-z])",
)
_SHORTEST, _LONGEST = 2, 6


def spelled_out(text: str) -> tuple[str, ...]:
    """The acronyms (lower-cased, 2 to 6 letters) of every stretch of two or
    more capitalised words in a run of ``text``, in order of first sight."""
    text = unicodedata.normalize("NFKC", text)
    found: dict[str, None] = {}
    for run in _RUN.finditer(text):
        initials = "".join(w[0] for w in re.split(r"[ \-]+", run.group()) if w[0].isupper())
        for start in range(len(initials) - 1):
            for end in range(start + _SHORTEST, min(start + _LONGEST, len(initials)) + 1):
                found[initials[start:end].lower()] = None
    return tuple(found)


def may_be_acronym(word: str) -> bool:
    """Whether ``word`` could be an acronym ``spelled_out`` finds."""
    return word.isascii() and word.isalpha() and _SHORTEST <= len(word) <= _LONGEST
