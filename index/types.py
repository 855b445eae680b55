"""The nouns the index stores and returns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# C0 and C1 controls, DEL, the line and paragraph separators and the bidi
# controls: in a file name they break a printed line, drive the terminal
# (an escape sequence) or reorder what follows. Other characters (CJK,
# the ideographic space) are shown as they are.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(name: str) -> str:
    """``name`` with its control characters written as Python escapes
    (``\\n``, ``\\x1b``, ``\\u202e``), for showing a file name on one line."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], name)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of one notes file, with where it came from.

    ``path`` is relative to its notes root (POSIX separators); lines are
    1-based and inclusive. ``page`` is set for paged files only: the PDF page,
    the PowerPoint slide or the notebook cell (which one, the suffix says,
    see ``page_unit``), lines then count within it. ``heading`` is the
    heading path above the chunk, joined with " > ".
    """

    id: str
    root: str
    path: str
    start_line: int
    end_line: int
    heading: str
    text: str
    page: int | None = None
    # The file line of each line of ``text`` (blank lines are not in the
    # text); empty for chunks stored before it was recorded.
    lines: tuple[int, ...] = ()

    @property
    def titled_text(self) -> str:
        """The text under its heading path, which gives a chunk the topic its
        own text often leaves implicit: what both retrievers index."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    @property
    def location(self) -> str:
        """``path:start-end`` (``path#page N:start-end`` for a PDF, ``#slide N``
        for a PowerPoint file, ``#cell N`` for a notebook), as cited; control
        characters in the path escaped (``printable``)."""
        path = printable(self.path)
        where = f"{path}#{page_unit(self.path)} {self.page}" if self.page else path
        if self.start_line == self.end_line:
            return f"{where}:{self.start_line}"
        return f"{where}:{self.start_line}-{self.end_line}"


_PAGE_UNITS = {".pptx": "slide", ".ipynb": "cell"}


def page_unit(path: str) -> str:
    """What a numbered part of the file at ``path`` is called: page, slide or cell."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _PAGE_UNITS.get(suffix, "page")


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its fused score and the rank each retriever gave it.

    Ranks are 1-based; ``None`` means that retriever did not return the chunk.
    ``similarity`` is the dense cosine similarity to the query (``None`` if
    the chunk came from BM25 only).
    """

    chunk: Chunk
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    similarity: float | None = None

    def to_json(self) -> dict[str, Any]:
        """As `search --json` prints it (the score rounded; no similarity)."""
        return {
            "path": self.chunk.path,
            "start_line": self.chunk.start_line,
            "end_line": self.chunk.end_line,
            "page": self.chunk.page,
            "heading": self.chunk.heading,
            "text": self.chunk.text,
            "score": round(self.score, 6),
            "dense_rank": self.dense_rank,
            "bm25_rank": self.bm25_rank,
        }


@dataclass(frozen=True, slots=True)
class IndexStatus:
    directory: Path
    embedder: str
    roots: tuple[str, ...]
    files: int
    chunks: int
    last_sync: str | None
    chroma: str
