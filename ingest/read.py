"""Read a notes file into text lines, whatever its format and encoding.

Line numbers given to the chunker must be the file's own, so HTML is reduced
to its text without moving any text to another line, and a PDF is read page
by page (its citations carry the page and the line on that page).
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# Signatures of common binary files, which a text detector might still
# "decode" into garbage.
_MAGIC_BINARY = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF", b"%PDF")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


class Unreadable(Exception):
    """The file is not text this tool can read; the message says why."""


@dataclass(frozen=True, slots=True)
class Page:
    """Lines of one page (PDF), slide (PowerPoint) or cell (notebook), or of
    the whole file (``number`` None)."""

    number: int | None
    lines: list[str]


def read_pages(path: Path, data: bytes | None = None) -> list[Page]:
    """The pages of the file at ``path``, whose bytes are ``data`` if given."""
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _read_pdf(data)
    if suffix in (".docx", ".pptx", ".ipynb", ".epub"):
        from .formats import read_document

        return read_document(suffix, data)
    text = decode(data)
    if suffix in (".html", ".htm"):
        return [Page(None, html_text_lines(text))]
    return [Page(None, text.splitlines())]


def decode(data: bytes) -> str:
    """Text of ``data``: BOMs honoured, UTF-8 tried strictly, anything else
    detected (GB18030/GBK, Big5, UTF-16 without BOM…), never guessed."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _clean_text(data.decode(encoding, errors="replace"))
    if data.startswith(_MAGIC_BINARY):
        raise Unreadable("binary file (an image, archive or program), not text")
    if b"\x00" not in data:
        try:
            return _clean_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            # A UTF-8 file with a few damaged bytes (a bad copy, a cut
            # multi-byte character) is still UTF-8: keep it, marking the
            # damage, rather than let a detector guess another encoding.
            text = data.decode("utf-8", errors="replace")
            if text.count("\ufffd") <= max(3, len(text) // 1000):
                return _clean_text(text)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Unreadable("not text in any known encoding (binary or damaged)")
    text = str(best)
    if "\x00" in text:
        raise Unreadable("binary file (contains NUL bytes), not text")
    return _clean_text(text)


def _clean_text(text: str) -> str:
    # Form feeds and stray carriage returns would otherwise count as line
    # breaks in splitlines() and shift every line number after them.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", " ").replace("\x0b", " ")


def _read_pdf(data: bytes) -> list[Page]:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
        pages = [
            Page(n, _clean_text(p.extract_text() or "").splitlines())
            for n, p in enumerate(reader.pages, start=1)
        ]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise Unreadable(f"damaged PDF ({exc})") from exc
    if not any(line.strip() for page in pages for line in page.lines):
        raise Unreadable("PDF without a text layer (scanned?); nothing to index")
    return pages


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
