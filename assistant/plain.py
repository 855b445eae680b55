"""Text made plain: fit to print on one line of a terminal (what a model
wrote or a student typed can hold escape sequences, one clears the screen,
and control characters), or reduced to its word characters for comparing."""

from __future__ import annotations

import re
import unicodedata

_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")


def plain_text(text: str) -> str:
    """``text`` without terminal escape sequences, its control characters
    as spaces, its whitespace collapsed."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def without_invisible(text: str) -> str:
    """``text`` without invisible format characters (a soft hyphen or a
    zero-width space pasted from a web page: "Drop\u00adout" is "Dropout")."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def word_characters(text: str) -> str:
    """``text`` lower-cased, with nothing but its letters and digits (any
    script): two texts compared whatever their spacing and punctuation."""
    return re.sub(r"[\W_]+", "", text.lower())
