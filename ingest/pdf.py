"""Read a PDF page by page with pypdf (its citations carry the page and the
line on that page)."""

from __future__ import annotations

from io import BytesIO

from .read import Page, Unreadable, clean_breaks, text_lines


def read_pdf(data: bytes, notes: list[str]) -> list[Page]:
    """The pages of the PDF ``data``; repairs worth knowing go to ``notes``."""
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
