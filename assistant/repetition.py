"""An answer that has begun to repeat itself.

A small model sometimes writes its answer and then writes it again, and
again, until ``num_predict`` ends it (seen with qwen2.5:1.5b: a four-sentence
answer on cross-entropy, written over and over for 512 tokens). Nothing new
comes after the first copy, so reading stops once the answer has written a
whole copy again, its last ``SPAN`` characters at least, and the answer
keeps what came before the repetition.

What is not a loop: a clause or a list's opening said again (shorter than
``SPAN``: 160 characters is four to six Chinese sentences, or two long
English ones); a formula, a quote or a code block written again further on,
or again with a line changed (only part of what lies between the two copies
is written again); a rule of dashes or a table padded with spaces (no word
in what repeats).
"""

from __future__ import annotations

import re

SPAN = 160
_SENTENCE_ENDS = "。！？!?\n"
_WORD = re.compile(r"[A-Za-z\u3400-\u9fff]")


def repeating_from(text: str) -> int | None:
    """Where ``text`` began repeating what it had written, once it has
    written a whole copy again; else None."""
    if len(text) <= SPAN:
        return None
    tail_start = len(text) - SPAN
    # The nearest earlier copy of the tail (one period back, not several); it
    # may overlap the tail, in a loop shorter than it.
    earlier = text.rfind(text[tail_start:], 0, len(text) - 1)
    if earlier < 0:
        return None
    # The repetition began where the text first matched itself one period
    # back: walk back from the tail while it still does.
    period = tail_start - earlier
    start = tail_start
    while start > period and text[start - 1] == text[start - 1 - period]:
        start -= 1
    if len(text) - start < period or not _WORD.search(text[start - period : start]):
        return None
    # The repetition may begin inside a sentence (walking back stops inside
    # the first copy's last sentence when the text before the loop ends as a
    # copy does, "。"; or the model began a new sentence and went on with an
    # old one's words): the answer ends at the end of that sentence, else of
    # the one before.
    before_copy = len(text[:start].rstrip(" \t")) - 1
    if _ends_sentence(text, before_copy):
        return start
    after = range(start, min(start + period, len(text)))
    end = next((i for i in after if _ends_sentence(text, i)), None)
    if end is None:
        end = next((i for i in range(start - 1, -1, -1) if _ends_sentence(text, i)), start - 1)
    return end + 1


def _ends_sentence(text: str, i: int) -> bool:
    """Whether ``text[i]`` ends a sentence (an English full stop before a
    space, not a decimal point); the start of ``text`` counts as one."""
    if i < 0 or text[i] in _SENTENCE_ENDS:
        return True
    return text[i] == "." and (i + 1 == len(text) or text[i + 1].isspace())
