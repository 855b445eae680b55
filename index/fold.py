"""Fold traditional Chinese to simplified, and full-width letters and digits
to plain ones, so each word has one spelling.

Only the lexical index's tokens are folded (the chunk text shown and cited
stays as written): a question in 繁體 then matches notes in 简体 and the
reverse, and jieba, whose dictionary is simplified, segments traditional text
as well as simplified. OpenCC's C++ build: ~1 ms per 1,000 characters, six
times faster than its pure-Python port, which matters when a large folder is
first indexed.

Full-width forms (ＧＡＮ, ｄｒｏｐｏｕｔ, １２８) are what a Chinese input
method types in its full-width mode; Unicode's compatibility folding (NFKC)
makes them GAN, dropout and 128. Without it jieba cuts them into single
letters that match nothing.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Any

_lock = threading.Lock()
_converter: Any = None


def fold(text: str) -> str:
    """``text`` with traditional characters and phrases in simplified form
    and compatibility forms (full-width letters) in their plain form."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc

                # "t2s" rather than the regional sets (tw2s, hk2s): it folds
                # characters and common phrases without rewriting vocabulary.
                _converter = opencc.OpenCC("t2s")
    # OpenCC reads its input as a C string: a NUL (a binary export, a
    # pasted control character) would end the text there. It is dropped, as
    # other invisible characters are (G\x00AN is GAN).
    return str(_converter.convert(unicodedata.normalize("NFKC", text).replace("\x00", "")))


# Full-width ASCII (！ to ～, U+FF01-FF5E) as plain ASCII, nothing else.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Chinese punctuation stays: the notes' own text, which the embedder read
# as written, uses it.
_HALF_WIDTH.update({ord(ch): ord(ch) for ch in "！（），：；？［］｛｝～"})


def plain_width(text: str) -> str:
    """``text`` with full-width letters, digits and symbols typed in an
    input method's full-width mode (ＧＡＮ) as plain ones, for the embedder,
    which reads ＧＡＮ as unrelated characters; Chinese punctuation is kept."""
    return text.translate(_HALF_WIDTH)
