"""Text made plain: fit to print on one line of a terminal (what a model
wrote or a student typed can hold escape sequences, one clears the screen,
and control characters), or reduced to its word characters for comparing."""

from __future__ import annotations

import re
import unicodedata

from index.errors import AssistantError

_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")


def plain_text(text: str) -> str:
    """``text`` without terminal escape sequences, its control characters
    as spaces, its whitespace collapsed."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class NotUnicodeText(AssistantError):
    """A question holding bytes that are not UTF-8 (lone surrogates: what
    Python makes of argv or a pipe in another encoding)."""


def without_invisible(text: str) -> str:
    """``text`` without invisible format characters (a soft hyphen or a
    zero-width space pasted from a web page: "Drop\u00adout" is "Dropout").
    Raises ``NotUnicodeText`` for text that is not Unicode throughout."""
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise NotUnicodeText(
            "The text asked is not UTF-8 (it was typed or piped in another encoding, "
            "such as GBK): set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and type it again."
        )
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def word_characters(text: str) -> str:
    """``text`` lower-cased, with nothing but its letters and digits (any
    script): two texts compared whatever their spacing and punctuation."""
    return re.sub(r"[\W_]+", "", text.lower())
