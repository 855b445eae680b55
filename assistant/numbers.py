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
factor, a patience in epochs) and none of the 37 covered ones (their
passages have 2001 年 beside NNLM, "IoU > 0.5", "20 类和大约 11k 个照片"
beside Pascal VOC).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum

from index.fold import fold


class Asked(Enum):
    YEAR = "year"
    NUMBER = "number"


_YEAR_QUESTION = re.compile(
    r"(?i)哪一?年|何年|几几年|年份|(?:什么时候|何时)被?(?:提出|发布|发表|发明|推出|诞生|出现)"
    r"|\b(?:what|which) year\b"
    r"|\bwhen (?:was|were|did)\b.{0,60}\b(?:propos|introduc|publish|releas|invent|creat)"
)
# A quantity: 多少, 几倍, 多大, how many. Not 很多大模型, 前几层, 这几个, 好几个
# (no question at all), 多多少少 or 多少会 (somewhat), 多大(的)作用 (how
# much it matters), 几种 (which kinds: a list, not a figure).
_NUMBER_QUESTION = re.compile(
    r"(?i)(?<!多)多少(?![种会也还都有点有些])"
    r"|(?<![前这那好哪后头末])几[倍层轮个次维岁张步天周月年块折头]"
    r"|(?<![很许好太更最诸众])多[长久高深宽](?!处)"
    r"|(?<![很许好太更最诸众])多大(?!的?(?:程度|影响|作用|意义|区别|差别|差异|关系|帮助|好处|用"
    r"|变化|优势|问题|必要|贡献|价值|关联))"
    r"|\bhow (?:many|big|large|long)\b"
    r"|\bhow much (?:\w+er|more|less|memory|time|data|compute|gpu|vram)\b"
)
# A year, as notes write one: not 2048 个, 2000 步, 1920x1080, 2010.11929.
_YEAR = re.compile(
    r"(?<![\d.])(?:1[89]\d\d|20\d\d)(?!\d|\.\d|\s*[个步张次层维块条台xX×*])"
    r"|[一二][〇零九][〇零一二三四五六七八九]{2}年"
)
_CHINESE_NUMERAL = "零一二两三四五六七八九十百千万亿"
# A figure: digits not part of a name (GPT-3, ResNet50, V100 are names;
# 592, 0.5, 11k, 15%, 7x7, 1e-4, 80GB are figures), or a Chinese numeral
# with its measure word (两个, 三层, 十几层, 十亿; not 一个, which is in every
# other sentence), a fraction (三分之一) or 一倍, 一半.
_FIGURE = re.compile(
    r"(?<![A-Za-z\d_])(?<![A-Za-z][-.])\d+(?:\.\d+)?"
    rf"|[{_CHINESE_NUMERAL[2:]}][{_CHINESE_NUMERAL}几多]*"
    r"[个层倍张次维轮类种年位成步天周月块条台头折秒亿万千百十]"
    rf"|[{_CHINESE_NUMERAL}]+分之|一[倍半]"
)
# A list's enumerator at the start of a line (3、, 2., (1), 二、): a place in
# the notes, not a figure. Not a year opening a line (2012. AlexNet…).
_ENUMERATOR = re.compile(
    r"(?m)^\s*(?:(?:\d{1,2}|[一二三四五六七八九十]+)\s*[、.．)）]"
    r"|[(（](?:\d{1,2}|[一二三四五六七八九十]+)[)）])"
)

# How far from the thing asked about a figure may be and still be about it:
# characters either side, about one or two sentences of notes.
NEAR = 80
_LONGEST_NAME = 24


def asked_for(question: str) -> Asked | None:
    """Whether ``question`` asks for a year, a number, or neither."""
    question = fold(question)  # 幾層, 多長時間: traditional, full-width
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
    text = _ENUMERATOR.sub("", fold(text))  # ２０１７, 六層: as the question is read
    # Overlapping windows twice NEAR wide (and a long name more), NEAR apart:
    # a subject and a figure NEAR apart or less share one.
    for start in range(0, max(len(text) - NEAR, 1), NEAR):
        window = text[start : start + 2 * NEAR + _LONGEST_NAME]
        if pattern.search(window) and about(window):
            return True
    return False
