"""Read a notes file into text lines, whatever its format and encoding.

Line numbers given to the chunker must be the file's own, so HTML is reduced
to its text without moving any text to another line, and a PDF is read page
by page (ingest/pdf.py; its citations carry the page and the line on it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# Signatures of common binary files, which a text detector might still
# "decode" into garbage.
_MAGIC_BINARY = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF", b"%PDF")
_UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_ASCII = bytes(range(128))


class Unreadable(Exception):
    """The file is not text this tool can read; the message says why."""


@dataclass(frozen=True, slots=True)
class Page:
    """Lines of one page (PDF), slide (PowerPoint) or cell (notebook), or of
    the whole file (``number`` None)."""

    number: int | None
    lines: list[str]


def read_pages(path: Path, data: bytes | None = None, notes: list[str] | None = None) -> list[Page]:
    """The pages of the file at ``path``, whose bytes are ``data`` if given.

    What was read with a repair (lines in another encoding, a PDF pypdf had
    to mend) is described in ``notes``, one warning a line, for the caller
    to show with the file's name."""
    data = path.read_bytes() if data is None else data
    notes = [] if notes is None else notes
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(data, notes)
    if suffix in (".docx", ".pptx", ".ipynb", ".epub"):
        from .formats import read_document

        return read_document(suffix, data)
    text = decode(data, notes)
    if suffix in (".html", ".htm"):
        return [Page(None, html_text_lines(text))]
    return [Page(None, text_lines(text))]


def text_lines(text: str) -> list[str]:
    """``text`` split at its newlines only: ``str.splitlines`` also breaks at
    U+2028, U+0085 and other separators an editor does not count, which
    would shift every line number (citations are file:line) after them."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def decode(data: bytes, notes: list[str] | None = None) -> str:
    """Text of ``data``: BOMs honoured, UTF-8 tried strictly, anything else
    detected (GB18030/GBK, Big5, UTF-16 without BOM…), never guessed.

    A UTF-8 file with some lines in another encoding (a GBK paste) is read
    line by line; ``notes`` gets a warning naming those lines."""
    notes = [] if notes is None else notes
    if data.startswith(_UTF8_BOM):
        body = data[len(_UTF8_BOM) :]
        try:
            return clean_breaks(body.decode("utf-8"))
        except UnicodeDecodeError:
            # The BOM says UTF-8: go line by line even if the other lines
            # outweigh the UTF-8 ones.
            return clean_breaks(_utf8_by_line(body, notes, mostly=False) or "")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return clean_breaks(data.decode(encoding, errors="replace"))
    if data.startswith(_MAGIC_BINARY):
        raise Unreadable("binary file (an image, archive or program), not text")
    if b"\x00" not in data:
        try:
            return clean_breaks(data.decode("utf-8"))
        except UnicodeDecodeError:
            text = _utf8_by_line(data, notes)
            if text is not None:
                return clean_breaks(text)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Unreadable("not text in any known encoding (binary or damaged)")
    text = str(best)
    if "\x00" in text:
        raise Unreadable("binary file (contains NUL bytes), not text")
    return clean_breaks(text)


def _utf8_by_line(data: bytes, notes: list[str], mostly: bool = True) -> str | None:
    """``data`` decoded line by line: UTF-8 lines as they are, lines with a
    few damaged bytes with those shown as �, and the other lines in the one
    encoding detected for them together. None when the file is not mostly
    UTF-8 (less UTF-8 text than other), for the whole-file detector."""
    # Splitting bytes at CR/LF is safe: no byte of a GBK, Big5 or Shift_JIS
    # character is below 0x40. The split matches clean_breaks(), so the line
    # numbers named in the warning are the ones cited.
    raws = _LINE_BREAK.split(data)
    lines: list[str | None] = []
    foreign: list[int] = []
    damaged: list[int] = []
    utf8_weight = foreign_weight = 0
    for number, raw in enumerate(raws):
        weight = len(raw.translate(None, _ASCII))  # bytes outside ASCII
        try:
            lines.append(raw.decode("utf-8"))
            utf8_weight += weight
            continue
        except UnicodeDecodeError:
            pass
        text = raw.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        good = len(text) - len(text.encode("ascii", "ignore")) - bad
        if good > bad:  # real UTF-8 with a cut character or a bad copy
            lines.append(text)
            damaged.append(number)
            utf8_weight += weight
        else:
            lines.append(None)
            foreign.append(number)
            foreign_weight += weight
    if mostly and (utf8_weight == 0 or utf8_weight < foreign_weight):
        return None
    said = []
    if foreign:
        reference = "".join(line for line in lines if line is not None)
        encoding = _encoding_of([raws[n] for n in foreign], reference)
        for number in foreign:
            lines[number] = raws[number].decode(encoding or "utf-8", errors="replace")
        read_as = f"read as {encoding}" if encoding else "no encoding recognised, shown with �"
        said.append(f"{_line_list(foreign)}: not UTF-8, {read_as}")
    if damaged:
        said.append(f"{_line_list(damaged)}: damaged UTF-8 bytes shown as �")
    if said:
        notes.append("; ".join(said))
    return "\n".join(line or "" for line in lines)


def _encoding_of(raws: list[bytes], reference: str) -> str | None:
    """The encoding of these lines, as charset-normalizer finds it for them
    together. Its candidates tie on a few short lines (GBK reads as valid
    Big5 or CP949 too), so the one whose reading uses the characters, or at
    least the scripts, of the file's UTF-8 part is taken."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(b"\n".join(raws)))
    if not matches:
        return None
    known = set(reference)
    scripts = {_script(char) for char in known if char > "\x7f"}

    def likeness(text: str) -> float:
        chars = [char for char in text if char > "\x7f"]
        if not chars:
            return 0.0
        score = sum(1.0 if c in known else 0.5 if _script(c) in scripts else 0.0 for c in chars)
        return score / len(chars)

    # max() keeps the first of equals: charset-normalizer's own order.
    return max(matches, key=lambda m: likeness(str(m))).encoding


def _script(char: str) -> str:
    # "CJK UNIFIED IDEOGRAPH-4E2D" -> "CJK", "HANGUL SYLLABLE GA" -> "HANGUL"
    return unicodedata.name(char, "?").split(" ", 1)[0]


def _line_list(numbers: list[int]) -> str:
    """'line 3' or 'lines 3, 7-9, 12' (1-based) for 0-based ``numbers``;
    at most ten ranges, then how many more lines."""
    ranges: list[list[int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    shown = [f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in ranges[:10]]
    rest = sum(b - a + 1 for a, b in ranges[10:])
    more = f" and {rest} more" if rest else ""
    return f"line{'s' if len(numbers) > 1 else ''} {', '.join(shown)}{more}"


def clean_breaks(text: str) -> str:
    """``text`` with every line break a newline (CRLF, old Mac CR), and form
    feeds and vertical tabs, which an editor shows inside a line, spaces."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", " ").replace("\x0b", " ")


class _TextByLine(HTMLParser):
    _HIDDEN = frozenset({"script", "style", "template", "noscript", "head"})

    def __init__(self, line_count: int) -> None:
        super().__init__(convert_charrefs=True)
        self.lines = [""] * line_count
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        line, _ = self.getpos()
        for offset, part in enumerate(data.split("\n")):
            index = line - 1 + offset
            if 0 <= index < len(self.lines):
                self.lines[index] += part


def html_text_lines(html: str) -> list[str]:
    """The visible text of ``html``, each piece on the line it stands on in
    the source (scripts, styles and the head dropped)."""
    parser = _TextByLine(html.count("\n") + 1)
    parser.feed(html)
    parser.close()
    return parser.lines
