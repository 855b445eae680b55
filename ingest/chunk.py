"""Chinese-aware chunking that keeps line numbers.

A file's lines become *units* (a line, a sentence of a long line, a code
fence or a display-math block), each knowing its line range and the heading
path above it. Units are packed into chunks of about ``size`` characters:
a heading starts a new chunk once the current one has some body, long lines
are cut at Chinese and Latin sentence ends, never inside ``$…$``, and a code
fence or ``$$`` block is kept whole. Consecutive chunks of a section share a
small overlap of whole sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_SIZE = 700
DEFAULT_OVERLAP = 120

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_CN_NUMBERED = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+[章节部分篇讲]|[一二三四五六七八九十]+\s*[、.．])\s*\S"
)
_DOTTED = re.compile(r"^(\d+(?:\.\d+)+)\.?\s*[^\d.\s]")
_NUMBERED = re.compile(r"^\d+\s*[、.．]\s*[^\d\s]")
_PAREN_NUMBERED = re.compile(r"^[(（]\d+[)）]\s*\S")
_COLON_TITLE = re.compile(r"^[^。！？；.!?;,，]{2,24}[:：]$")
_SENTENCE_END = re.compile(r"(?:[。！？；!?;]|\.(?=\s|$))+[”’\"')）\]」』]*")
_INLINE_MATH = re.compile(r"\$[^$\n]+\$")
_FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True, slots=True)
class Piece:
    """A chunk before it has an id: lines are 1-based and inclusive."""

    start_line: int
    end_line: int
    heading: str
    text: str
    # The file line of each line of ``text``: blank lines are left out of
    # the text, so its n-th line is not start_line + n.
    lines: tuple[int, ...] = ()


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    text: str
    heading: tuple[str, ...]
    new_section: bool = False

    @property
    def size(self) -> int:
        return len(self.text.strip())


def heading_level(line: str) -> tuple[int, str] | None:
    """(level, title) if ``line`` reads as a heading, else None. Levels: 1–6
    for Markdown, 1 for 一、/第…章, dotted numbers by depth, 2 for 1、,
    3 for (1), 9 for a short title line ending in a colon."""
    text = line.strip()
    if match := _MD_HEADING.match(text):
        return len(match.group(1)), match.group(2)
    if len(text) > 40 or text.endswith(("。", "；", ";", ",", "，")):
        return None
    if _CN_NUMBERED.match(text):
        return 1, text
    if match := _DOTTED.match(text):
        return match.group(1).count(".") + 1, text
    if _NUMBERED.match(text):
        return 2, text
    if _PAREN_NUMBERED.match(text):
        return 3, text
    if _COLON_TITLE.match(text):
        return 9, text.rstrip(":：")
    return None


def split_sentences(text: str) -> list[str]:
    """``text`` cut after each sentence end outside inline math; the pieces
    join back to ``text`` exactly."""
    math = [m.span() for m in _INLINE_MATH.finditer(text)]
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if any(a < end < b for a, b in math):
            continue
        pieces.append(text[start:end])
        start = end
    if start < len(text):
        pieces.append(text[start:])
    return [p for p in pieces if p.strip()] or [text]


def _hard_cut(text: str, size: int) -> list[str]:
    """Cut an over-long sentence into pieces of about ``size`` characters. A
    cut that would split an inline math span moves before it, or after it
    when the span starts the piece (a formula is worth an oversized piece)."""
    math = [m.span() for m in _INLINE_MATH.finditer(text)]
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        cut = start + size
        for a, b in math:
            if a < cut < b:
                cut = a if a > start else b
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _units(lines: list[str], size: int) -> list[_Unit]:
    units: list[_Unit] = []
    stack: list[tuple[int, str]] = []
    block: _Unit | None = None  # an open code fence or $$ block
    block_end = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        path = tuple(title for _, title in stack)
        if block is not None:
            block.text += "\n" + raw.rstrip()
            block.end = number
            if line.startswith(block_end) and block.end > block.start:
                units.append(block)
                block = None
            continue
        if not line:
            continue
        if fence := _FENCE.match(line):
            block, block_end = _Unit(number, number, raw.rstrip(), path), fence.group(1)
            continue
        if line == "$$" or (line.startswith("$$") and line.count("$$") == 1):
            block, block_end = _Unit(number, number, raw.rstrip(), path), "$$"
            continue
        if found := heading_level(line):
            level, title = found
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title.strip()))
            units.append(_Unit(number, number, line, tuple(t for _, t in stack), True))
            continue
        if len(line) <= size:
            units.append(_Unit(number, number, line, path))
            continue
        for sentence in split_sentences(line):
            for piece in _hard_cut(sentence, size):
                units.append(_Unit(number, number, piece, path))
    if block is not None:  # an unclosed fence runs to the end of the file
        units.append(block)
    return units


def _join(units: list[_Unit]) -> tuple[str, tuple[int, ...]]:
    """The units' text, one line per line of the file they share (blank
    lines left out), and the file line of each of its lines."""
    text = ""
    lines: list[int] = []
    for before, unit in zip([None, *units], units, strict=False):
        if before is None or unit.start != before.end:
            text += "\n" if before is not None else ""
            lines.append(unit.start)
        text += unit.text
        # A fenced block spans lines of its own, one after another.
        lines.extend(unit.start + n for n in range(1, unit.text.count("\n") + 1))
    return text.strip(), tuple(lines)


def split_lines(
    lines: list[str], size: int = DEFAULT_SIZE, overlap: int = DEFAULT_OVERLAP
) -> list[Piece]:
    """Chunk the (cleaned) ``lines`` of one file or page."""
    pieces: list[Piece] = []
    current: list[_Unit] = []
    fresh = 0  # units of ``current`` that are not overlap from the last chunk
    length = 0
    min_body = size // 4

    def emit() -> None:
        heading = " > ".join(current[len(current) - fresh].heading)
        text, lines = _join(current)
        pieces.append(Piece(current[0].start, current[-1].end, heading, text, lines))

    for unit in _units(lines, size):
        starts_section = unit.new_section and length >= min_body
        if fresh and (length + unit.size > size or starts_section):
            emit()
            carried: list[_Unit] = []
            if not unit.new_section:
                for previous in reversed(current):
                    if sum(u.size for u in carried) + previous.size > overlap:
                        break
                    carried.insert(0, previous)
            current, length = carried, sum(u.size for u in carried)
            fresh = 0
        current.append(unit)
        fresh += 1
        length += unit.size
    if fresh:
        emit()
    return pieces
