"""Read a PDF page by page with pypdf (its citations carry the page and the
line on that page)."""

from __future__ import annotations

import logging
import os
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from .read import Page, Unreadable, clean_breaks, text_lines


def read_pdf(data: bytes, notes: list[str]) -> list[Page]:
    """The pages of the PDF ``data``; what pypdf said about it (the repairs
    it made) goes to ``notes`` as one line."""
    with _pypdf_messages(notes):
        return _read(data)


def _read(data: bytes) -> list[Page]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        # pypdf tries the empty password itself: a PDF locked only against
        # printing or copying is read; one that needs a password to open is not.
        reader = PdfReader(BytesIO(data))
        pages = [
            Page(n, text_lines(clean_breaks(p.extract_text() or "")))
            for n, p in enumerate(reader.pages, start=1)
        ]
    except FileNotDecryptedError as exc:  # a PdfReadError, but nothing is damaged
        raise Unreadable(
            "password-protected PDF (encrypted); save a copy without the password to index it"
        ) from exc
    except DependencyError as exc:  # AES without the `cryptography` package
        raise Unreadable(f"encrypted PDF that pypdf cannot decrypt here: {exc}") from exc
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise Unreadable(f"damaged PDF ({exc})") from exc
    if not any(line.strip() for page in pages for line in page.lines):
        raise Unreadable("PDF without a text layer (scanned?); nothing to index")
    return pages


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_messages(notes: list[str]) -> Iterator[None]:
    """Collect what pypdf logs ("EOF marker not found", "incorrect startxref
    pointer") or warns while a PDF is read into one line of ``notes``:
    otherwise Python prints them bare on stderr, naming no file (and tearing
    the chat app's screen)."""
    import pypdf
    from pypdf.errors import PdfReadWarning

    pypdf_dir = os.path.dirname(pypdf.__file__)
    logger = logging.getLogger("pypdf")
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # nor to the root logger's handlers, if any
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        said = handler.messages
        for warning in caught:
            if issubclass(warning.category, PdfReadWarning) or warning.filename.startswith(
                pypdf_dir
            ):
                said.append(str(warning.message))
            else:  # not about this file (another thread's): shown as it would have been
                warnings.showwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
        if said:
            notes.append(f"pypdf: {_summary(said)}")


def _summary(messages: list[str]) -> str:
    """Distinct messages in order, repeats counted, at most three: pypdf may
    say the same for every object of a damaged file."""
    counts = Counter(" ".join(message.split()) for message in messages)
    parts = [text if n == 1 else f"{text} (×{n})" for text, n in counts.items()]
    more = f"; and {len(parts) - 3} other messages" if len(parts) > 3 else ""
    return "; ".join(parts[:3]) + more
