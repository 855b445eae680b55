"""Reading files: encodings detected, binaries refused, HTML and PDF to text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.read import Unreadable, decode, html_text_lines, read_pages

CHINESE = (
    "深度学习是机器学习的一个分支，采用多层神经网络来模拟人脑的复杂决策能力。"
    "卷积神经网络善于处理图像，循环神经网络善于处理序列。\n"
    "注意力机制让模型关注输入中最相关的部分。\n"
)


@pytest.mark.parametrize(
    "encoding, prefix",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("gb18030", b""),
        ("gbk", b""),
        ("big5", b""),
    ],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = CHINESE if encoding != "big5" else CHINESE.replace("习", "習").replace("层", "層")
    path = tmp_path / f"note-{encoding}.md"
    path.write_bytes(prefix + text.encode(encoding, errors="ignore"))
    [page] = read_pages(path)
    assert page.number is None
    assert "\n".join(page.lines) == text.encode(encoding, errors="ignore").decode(encoding).strip()


def test_png_renamed_to_markdown_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    with pytest.raises(Unreadable, match="binary"):
        decode(png)


def test_nul_bytes_in_text_are_refused() -> None:
    with pytest.raises(Unreadable):
        decode(bytes(range(256)) * 8)


def test_crlf_and_form_feed_do_not_shift_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("第一行\r\n第二行\x0c续\r\n第三行".encode())
    [page] = read_pages(path)
    assert page.lines == ["第一行", "第二行 续", "第三行"]


def test_only_newlines_break_lines(tmp_path: Path) -> None:
    # An editor shows U+2028, NEL and the file separators inside a line;
    # counting them as breaks would shift every citation after them.
    path = tmp_path / "separators.md"
    path.write_text("第一行\u2028续\x85续\x1c续\n第二行\n", encoding="utf-8")
    [page] = read_pages(path)
    assert page.lines == ["第一行\u2028续\x85续\x1c续", "第二行"]


def test_html_keeps_text_on_its_source_lines_and_drops_scripts() -> None:
    html = (
        "<html><head><title>t</title>\n"
        "<script>var secret = 1;\nalert(secret)</script></head>\n"
        "<body><h1>注意力</h1>\n"
        "<p>Q 和 K 的点积 &amp; softmax</p>\n"
        "<style>p { color: red }</style></body></html>"
    )
    lines = html_text_lines(html)
    assert len(lines) == html.count("\n") + 1
    assert lines[3].strip() == "注意力"
    assert lines[4].strip() == "Q 和 K 的点积 & softmax"
    assert "secret" not in "".join(lines) and "color" not in "".join(lines)


def make_pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Latin text per page (Helvetica)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        content_id = len(objects) + 2
        page_id = len(objects) + 1
        kids.append(f"{page_id} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def test_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "lecture.pdf"
    path.write_bytes(
        make_pdf(["Gradient descent follows the slope", "Backpropagation uses the chain rule"])
    )
    pages = read_pages(path)
    assert [p.number for p in pages] == [1, 2]
    assert "chain rule" in " ".join(pages[1].lines)


def test_pdf_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([""]))
    with pytest.raises(Unreadable, match="text layer"):
        read_pages(path)


def test_a_password_protected_pdf_is_called_encrypted_not_damaged(tmp_path: Path) -> None:
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter
    from typer.testing import CliRunner

    from cli import app

    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(["Secret gradient notes"]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    writer.write(tmp_path / "locked.pdf")
    with pytest.raises(Unreadable) as refused:
        read_pages(tmp_path / "locked.pdf")
    assert str(refused.value).startswith("password-protected PDF (encrypted)")
    assert "damaged" not in str(refused.value)
    result = CliRunner().invoke(
        app, ["index", str(tmp_path)], env={"NOTES_CHAT_EMBEDDER": "hashing"}
    )
    assert "warning: skipped locked.pdf: password-protected PDF (encrypted)" in result.stderr

    # Locked only against changes (empty user password): read as usual.
    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(["Open gradient notes"]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    writer.write(tmp_path / "owner-only.pdf")
    assert read_pages(tmp_path / "owner-only.pdf")[0].lines == ["Open gradient notes"]


def test_what_pypdf_says_is_a_warning_naming_the_pdf(tmp_path: Path) -> None:
    # A subprocess, as a user runs it: under pytest, pypdf's log records
    # would go to pytest's handler, not to the terminal.
    import os
    import subprocess
    import sys

    notes = tmp_path / "notes"
    notes.mkdir()
    pdf = make_pdf(["Gradient descent follows the slope"])
    # A wrong startxref offset pypdf mends (and logs), and a file cut before %%EOF.
    (notes / "mended.pdf").write_bytes(pdf.replace(b"startxref\n", b"startxref\n1"))
    (notes / "cut.pdf").write_bytes(pdf.replace(b"%%EOF\n", b""))
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NOTES_CHAT_EMBEDDER": "hashing", "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "index", str(notes)],
        capture_output=True, text=True, env=env, cwd=repo, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith("warning: ") for line in lines), done.stderr  # nothing bare
    assert "warning: mended.pdf: pypdf: incorrect startxref pointer(2)" in done.stderr
    assert "warning: skipped cut.pdf: pypdf: " in done.stderr
    assert "EOF marker not found" in done.stderr
    assert "1 added" in done.stdout  # the mended one is indexed
