"""Text to terms: jieba segmentation, the stop words, and the terms of the
lexical index's two views (words, character bigrams).

bm25s splits on an English pattern and would see a whole Chinese sentence as
one token, so text is segmented here with jieba first. Traditional Chinese is
folded to simplified before segmenting (jieba's dictionary is simplified),
full-width letters and digits to plain ones (``fold.py``).

Saved lexical indexes keep these tokens: a change to what this module returns
must bump ``bm25.FORMAT``, so that indexes saved before are rebuilt.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from typing import Any

# Function words and particles that carry no topic: matching them only adds
# noise to the scores of long chunks. One string, split: a list literal of a
# hundred one-word strings hides the words among the quotes.
STOP_WORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 也 就 都 而 并 但 被 把 对 从 为 以 之 其 这 那 有 个 中
    上 下 我 你 他 她 它 我们 你们 他们 吗 呢 吧 啊 么 什么 怎么 怎样 如何 为什么 哪些
    哪个 一个 一种 可以 会 能 要 让 得 地 着 过 还 又 很 更 最 等 等等
    a an the of to in on for and or is are was were be been what how why which
    does do did that this it its with by as at from according notes note my
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"\w", re.UNICODE)
_CJK_RUN = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> Any:
    """jieba, its dictionary loaded (once, whichever thread asks first)."""
    import jieba

    global _jieba_ready
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_ready = True
    return jieba


def segment(text: str) -> list[str]:
    """Lower-cased jieba words (precise mode) of ``text`` folded (simplified
    Chinese, plain letters), in order, whitespace left out."""
    from .fold import fold

    return [t for t in (t.strip() for t in _jieba().cut(fold(text).lower())) if t]


def zipf(word: str) -> float:
    """jieba's dictionary frequency of ``word`` on the Zipf scale (log10 of
    occurrences per billion words); a word it does not know counts as rare (0)."""
    dictionary = _jieba().dt
    count = dictionary.FREQ.get(word) or 0
    if count <= 0:
        return 0.0
    return math.log10(count / dictionary.total * 1e9)


def is_chinese(token: str) -> bool:
    """Whether ``token`` is all Chinese characters (and not empty)."""
    return bool(_CJK_RUN.match(token))


def word_terms(tokens: list[str]) -> list[str]:
    """The words that carry meaning: no punctuation, no stop words."""
    return [t for t in tokens if _WORD.search(t) and t not in STOP_WORDS]


def bigram_terms(tokens: list[str]) -> list[str]:
    """Character bigrams of each run of Chinese text (a lone character stands
    for itself); other words as they are. Punctuation ends a run."""
    terms: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if token and is_chinese(token):
            run += token
            continue
        if len(run) == 1:
            terms.append(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        run = ""
        if _WORD.search(token):
            terms.append(token)
    return terms
