"""Questions that ask for a number or a year, and whether a passage gives
one where it speaks of what the question is about.

"AlexNet 是哪一年拿下 ImageNet 冠军的？", "LoRA 的秩 r 一般设多少？", "how many
parameters does gpt-3 have?": every term is in the notes, so the coverage
check lets them through, and a small model then states a year or a figure
from its memory. The notes answer such a question only if they give a
number near the thing asked about: a year for a year, any figure for a
quantity. A figure elsewhere in the passage answers something else.

Measured with the gate (``bench/honesty.py``, all seven question files): of
the questions asking so that the rest of the gate lets through, 7 of the 13
out-of-notes ones are refused (a year, a parameter count, a discount
factor, a patience in epochs) and none of the 37 covered ones (their passages have 2001 年
beside NNLM, "IoU > 0.5", "20 类和大约 11k 个照片" beside Pascal VOC).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum


class Asked(Enum):
    YEAR = "year"
    NUMBER = "number"


_YEAR_QUESTION = re.compile(r"(?i)哪一?年|何年|\b(?:what|which) year\b")
# A quantity: 多少, 几倍, 多大, how many. Not 多大(的)作用 (how much it
# matters) nor 几种 (which kinds: a list, not a figure).
_NUMBER_QUESTION = re.compile(
    r"(?i)多少(?!种)|(?<!哪)几[倍层轮个次维岁张步]|多[长久高深宽](?!处)"
    r"|多大(?!的?(?:程度|影响|作用|意义|区别|差别|关系|帮助|好处|用处|变化|优势|问题))"
    r"|\bhow many\b|\bhow much (?!(?:does|do|is|are|did|can|will|would|of)\b)"
)
_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)")
# A figure: digits not part of a name (GPT-3, ResNet50, V100 are names;
# 592, 0.5, 11k, 15% are figures), or a Chinese numeral with its measure
# word (两个, 三层, 十亿; not 一, which is in every other word).
_FIGURE = re.compile(
    r"(?<![A-Za-z\d])(?<![A-Za-z][-.])\d+(?:\.\d+)?(?:[kKmMbBwW%]|(?![A-Za-z\d]))"
    r"|[两二三四五六七八九十百千万亿半][个层倍张次维轮类种年位成亿万千百十步]|百分之"
)
# A list's enumerator at the start of a line (3、, 2., (1), 二、): a place in
# the notes, not a figure.
_ENUMERATOR = re.compile(
    r"(?m)^\s*(?:[\d一二三四五六七八九十]+\s*[、.．)）]|[(（][\d一二三四五六七八九十]+[)）])"
)

# How far from the thing asked about a figure may be and still be about it:
# characters either side, about one or two sentences of notes.
NEAR = 80


def asked_for(question: str) -> Asked | None:
    """Whether ``question`` asks for a year, a number, or neither."""
    if _YEAR_QUESTION.search(question):
        return Asked.YEAR
    if _NUMBER_QUESTION.search(question):
        return Asked.NUMBER
    return None


def gives(asked: Asked, text: str, about: Callable[[str], bool]) -> bool:
    """Whether ``text`` gives what was asked (a year, a figure) within
    ``NEAR`` characters of a stretch that ``about(stretch)`` says speaks of
    the question's subject."""
    pattern = _YEAR if asked is Asked.YEAR else _FIGURE
    text = _ENUMERATOR.sub("", text)
    # Overlapping windows twice NEAR wide, NEAR apart: a subject and a figure
    # NEAR apart or less share one.
    for start in range(0, max(len(text) - NEAR, 1), NEAR):
        window = text[start : start + 2 * NEAR]
        if pattern.search(window) and about(window):
            return True
    return False
