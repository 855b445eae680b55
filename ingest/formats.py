"""Read Word, PowerPoint, Jupyter and EPUB files into lines a chunker can cite.

Each reader returns the same ``Page`` list a PDF does: a slide or a notebook
cell is a numbered page (cited ``slide N`` / ``cell N``), a Word file or an
e-book is one page of extracted text whose headings (Word heading styles,
EPUB chapters) are written as Markdown headings so they become the heading
path. Notebooks are plain JSON (nbformat v4), read with the standard library;
the others need the ``formats`` extra, imported only when such a file is read.
"""

from __future__ import annotations

import importlib.util
import json
import re
import zipfile
from html.parser import HTMLParser
from io import BytesIO

from .read import Page, Unreadable

# suffix -> (module it needs, or None for the standard library; a name for messages)
FORMATS = {
    ".docx": ("docx", "Word"),
    ".pptx": ("pptx", "PowerPoint"),
    ".epub": ("ebooklib", "EPUB"),
    ".ipynb": (None, "Jupyter notebook"),
}
_EXTRA_HINT = "pip install 'notes-chat[formats]'"


def available() -> dict[str, bool]:
    """Which of these formats can be read here (their library is installed)."""
    return {
        suffix: module is None or importlib.util.find_spec(module) is not None
        for suffix, (module, _) in FORMATS.items()
    }


def read_document(suffix: str, data: bytes) -> list[Page]:
    """The pages of a ``.docx``/``.pptx``/``.ipynb``/``.epub`` file's ``data``."""
    module, name = FORMATS[suffix]
    if module is not None and importlib.util.find_spec(module) is None:
        raise Unreadable(f"reading {name} files needs the formats extra: {_EXTRA_HINT}")
    if suffix == ".ipynb":
        return _read_notebook(data)
    # An encrypted Office file is an OLE container, not a zip: say so plainly.
    if not zipfile.is_zipfile(BytesIO(data)):
        raise Unreadable(f"damaged or password-protected {name} file")
    try:
        pages = {".docx": _read_docx, ".pptx": _read_pptx, ".epub": _read_epub}[suffix](data)
    except Unreadable:
        raise
    except Exception as exc:  # these libraries raise many kinds on a broken package
        raise Unreadable(f"damaged {name} file ({type(exc).__name__}: {exc})") from exc
    if not any(line.strip() for page in pages for line in page.lines):
        raise Unreadable(f"{name} file without text; nothing to index")
    return pages


def _read_docx(data: bytes) -> list[Page]:
    import docx
    from docx.table import Table

    document = docx.Document(BytesIO(data))
    lines: list[str] = []
    # Paragraphs and tables in the order they stand in the document, so a
    # table is cited, and titled, under the heading it comes after.
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.append("")
            lines.extend(_table_lines(block))
            lines.append("")
            continue
        text = block.text.replace("\n", " ").strip()
        if not text:
            lines.append("")
            continue
        style = (block.style.name if block.style is not None else "") or ""
        level = _heading_level(style)
        lines.append(f"{'#' * level} {text}" if level else text)
    return [Page(None, lines)]


def _table_lines(table: object, depth: int = 0) -> list[str]:
    """A Word table, one line per row, cells apart by `|`; a table inside a
    cell follows its row (python-docx's cell text leaves it out)."""
    lines: list[str] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        nested: list[object] = []
        for cell in row.cells:
            text = cell.text.replace("\n", " ").strip()
            if not cells or text != cells[-1]:  # a merged cell comes once per column it spans
                cells.append(text)
            nested.extend(cell.tables)
        lines.append(" | ".join(cells))
        if depth < 3:  # deeper nesting is not worth the risk of a runaway
            for inner in nested:
                lines.extend(_table_lines(inner, depth + 1))
    return lines


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return min(int(match.group(1)), 6) if match else 0


def _read_pptx(data: bytes) -> list[Page]:
    import pptx

    presentation = pptx.Presentation(BytesIO(data))
    pages = []
    for number, slide in enumerate(presentation.slides, start=1):
        title_shape = slide.shapes.title
        lines = [f"# {title_shape.text_frame.text.strip()}"] if title_shape is not None else []
        title_id = title_shape.shape_id if title_shape is not None else None
        lines.extend(_shape_lines(slide.shapes, title_id))
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            lines.extend(slide.notes_slide.notes_text_frame.text.splitlines())
        pages.append(Page(number, [line for line in lines if line.strip() != "#"]))
    return pages


def _shape_lines(shapes: object, title_id: int | None, depth: int = 0) -> list[str]:
    """The text of a slide's shapes, those inside groups too, but the title's."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    lines: list[str] = []
    for shape in shapes:  # type: ignore[attr-defined]
        # python-pptx makes a new proxy object on each access: compare ids.
        if shape.shape_id == title_id:
            continue
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP and depth < 5:
            lines.extend(_shape_lines(shape.shapes, title_id, depth + 1))
        elif shape.has_text_frame:
            lines.extend(p.strip() for p in shape.text_frame.text.splitlines())
        elif shape.has_table:
            for row in shape.table.rows:
                lines.append(" | ".join(c.text.strip() for c in row.cells))
    return lines


def _read_notebook(data: bytes) -> list[Page]:
    # nbformat would validate against its schema (and pull jsonschema and
    # traitlets); reading v4's cells is all an index needs.
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
        cells = notebook["cells"]
        pages = []
        for number, cell in enumerate(cells, start=1):
            # A cell that is not a cell (hand-edited JSON) is passed over, not the notebook.
            if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "code"):
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            # Lines stay the cell's own, so `cell N:L` points at them; a
            # leading "# comment" in code then titles its chunk, which
            # describes the code as a heading would.
            pages.append(Page(number, text.splitlines()))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unreadable(f"damaged Jupyter notebook (not nbformat 4 JSON: {exc})") from exc
    if not any(line.strip() for page in pages for line in page.lines):
        raise Unreadable("Jupyter notebook without text; nothing to index")
    return pages


def _read_epub(data: bytes) -> list[Page]:
    import tempfile
    import warnings

    import ebooklib
    from ebooklib import epub

    # ebooklib reads from a path only.
    with tempfile.NamedTemporaryFile(suffix=".epub") as handle:
        handle.write(data)
        handle.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = epub.read_epub(handle.name, {"ignore_ncx": True})
    lines: list[str] = []
    for item_id, _ in book.spine:
        item = book.get_item_with_id(item_id)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            continue
        if isinstance(item, epub.EpubNav) or "nav" in (getattr(item, "properties", None) or []):
            continue  # the table of contents: the chapters' titles, read in the chapters
        html = item.get_content().decode("utf-8", errors="replace")
        chapter = _blocks(html)
        if chapter and not chapter[0].startswith("#"):
            # A chapter without its own heading still becomes a section.
            title = item.title if getattr(item, "title", "") else item.get_name()
            chapter.insert(0, f"# {title}")
        lines.extend([*chapter, ""])
    return [Page(None, lines)]


class _Blocks(HTMLParser):
    """Block-level text of an XHTML chapter, one block a line, h1–h6 as ``#``."""

    _BLOCK = frozenset({"p", "div", "li", "br", "tr", "pre", "blockquote", "section", "dd", "dt"})
    _HIDDEN = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._text = ""
        self._level = 0
        self._hidden = 0

    def _flush(self) -> None:
        text = " ".join(self._text.split())
        if text:
            self.lines.append(f"{'#' * self._level} {text}" if self._level else text)
        self._text, self._level = "", 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._level = int(tag[1])
        elif tag in self._BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCK or re.fullmatch(r"h[1-6]", tag):
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text += data


def _blocks(html: str) -> list[str]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.lines
