"""Word, PowerPoint, Jupyter and EPUB files: read, chunked, searched and cited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from ingest.formats import available
from ingest.read import Unreadable, read_pages
from ingest.sync import chunk_file

runner = CliRunner()


def write_docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("卷积神经网络", level=1)
    # Long enough that the next heading starts a chunk of its own.
    document.add_paragraph("卷积层用共享权重的卷积核提取局部特征。" * 40)
    document.add_heading("池化", level=2)
    document.add_paragraph("最大池化保留每个窗口里最强的响应，降低分辨率。")
    document.save(path)


def write_pptx(path: Path) -> None:
    pptx = pytest.importorskip("pptx")
    deck = pptx.Presentation()
    for title, body in [
        ("优化器", "随机梯度下降每次用一个小批量估计梯度。"),
        ("Adam", "Adam 结合动量和自适应学习率，偏差修正让早期步长合理。"),
    ]:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    deck.save(path)


def write_ipynb(path: Path) -> None:
    cell_md = {
        "cell_type": "markdown",
        "metadata": {},
        "source": ["# 残差连接\n", "残差连接让梯度直接流过深层网络。"],
    }
    cell_code = {
        "cell_type": "code",
        "metadata": {},
        "execution_count": 1,
        "source": ["# 前向传播\n", "y = x + block(x)\n"],
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["输出里的秘密不该被索引\n"]}
        ],
    }
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell_md, cell_code]}
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")


def write_epub(path: Path) -> None:
    pytest.importorskip("ebooklib")
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("id-1")
    book.set_title("深度学习")
    book.set_language("zh")
    chapters = []
    for n, (title, body) in enumerate(
        [
            ("第一章 感知机", "感知机是最简单的线性分类器。"),
            ("第二章 反向传播", "反向传播用链式法则计算每层的梯度。"),
        ],
        start=1,
    ):
        chapter = epub.EpubHtml(title=title, file_name=f"ch{n}.xhtml", lang="zh")
        # Chapters long enough to be chunks of their own.
        chapter.content = f"<html><body><h1>{title}</h1><p>{body * 30}</p></body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.spine = ["nav", *chapters]  # as most books have it: the contents first
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    epub.write_epub(str(path), book)


def chunks_of(path: Path):  # noqa: ANN201
    pages = read_pages(path)
    return chunk_file("root", path.name, [(p.number, p.lines) for p in pages])


def test_docx_headings_become_the_heading_path(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    write_docx(path)
    chunks = chunks_of(path)
    pooling = next(c for c in chunks if "最大池化" in c.text)
    assert pooling.heading == "卷积神经网络 > 池化"
    assert pooling.page is None
    assert pooling.location.startswith("report.docx:")


def test_pptx_is_cited_by_slide(tmp_path: Path) -> None:
    path = tmp_path / "lecture.pptx"
    write_pptx(path)
    chunks = chunks_of(path)
    adam = next(c for c in chunks if "自适应学习率" in c.text)
    assert adam.page == 2 and adam.heading == "Adam"
    # The title is the heading, not also a line of the slide's text.
    assert adam.text.splitlines()[:2] == [
        "# Adam",
        "Adam 结合动量和自适应学习率，偏差修正让早期步长合理。",
    ]
    assert adam.location.startswith("lecture.pptx#slide 2:")


def test_a_word_table_stands_under_its_heading_with_the_tables_inside_it(
    tmp_path: Path,
) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("第一章 卷积网络", level=1)
    document.add_paragraph("卷积层提取局部特征。" * 40)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "最大池化"
    table.cell(0, 1).text = "取窗口内最大值"
    inner = table.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "内层单元格的层归一化"
    document.add_heading("第二章 循环网络", level=1)
    document.add_paragraph("循环网络按时间步展开。" * 40)
    path = tmp_path / "report.docx"
    document.save(path)
    chunks = chunks_of(path)
    pooling = next(c for c in chunks if "取窗口内最大值" in c.text)
    assert pooling.heading == "第一章 卷积网络"
    assert "内层单元格的层归一化" in " ".join(c.text for c in chunks)


def test_text_in_grouped_shapes_of_a_slide_is_read(tmp_path: Path) -> None:
    pptx = pytest.importorskip("pptx")
    from pptx.util import Inches

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = "归一化"
    group = slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1))
    box.text_frame.text = "批归一化按小批量的均值和方差做标准化。"
    path = tmp_path / "norm.pptx"
    deck.save(path)
    [chunk] = chunks_of(path)
    assert "批归一化按小批量的均值和方差做标准化。" in chunk.text


def test_a_notebook_with_one_broken_cell_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "resnet.ipynb"
    write_ipynb(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"].insert(0, "not a cell")
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    assert any("残差连接" in c.text for c in chunks_of(path))


def test_ipynb_is_cited_by_cell_and_skips_outputs(tmp_path: Path) -> None:
    path = tmp_path / "resnet.ipynb"
    write_ipynb(path)
    chunks = chunks_of(path)
    text = " ".join(c.text for c in chunks)
    assert "秘密" not in text
    code = next(c for c in chunks if "block(x)" in c.text)
    assert code.location == "resnet.ipynb#cell 2:1-2"
    markdown = next(c for c in chunks if "梯度直接流过" in c.text)
    assert markdown.heading == "残差连接" and markdown.location.startswith("resnet.ipynb#cell 1:")


def test_epub_chapters_are_headings(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    write_epub(path)
    chunks = chunks_of(path)
    backprop = next(c for c in chunks if "链式法则" in c.text)
    assert backprop.heading == "第二章 反向传播"
    # The table of contents is not read as a page of text: each title once, in its chapter.
    assert sum(c.text.count("第二章 反向传播") for c in chunks) == 1


@pytest.mark.parametrize("name", ["bad.docx", "bad.pptx", "bad.epub", "bad.ipynb"])
def test_damaged_files_are_refused_with_a_reason(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
    )  # an OLE (encrypted Office) header
    suffix = path.suffix
    if not available()[suffix]:
        pytest.skip(f"{suffix} library not installed")
    with pytest.raises(Unreadable, match="damaged"):
        read_pages(path)


def test_search_cites_a_slide_and_skips_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    notes = tmp_path / "notes"
    notes.mkdir()
    write_pptx(notes / "lecture.pptx")
    write_ipynb(notes / "resnet.ipynb")
    (notes / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    result = runner.invoke(app, ["index", str(notes)])
    assert result.exit_code == 0, result.output
    assert "locked.docx" in result.output and "password-protected" in result.output
    result = runner.invoke(app, ["search", "Adam 自适应学习率", "--json", "-k", "1"])
    hit = json.loads(result.stdout)[0]
    assert hit["path"] == "lecture.pptx" and hit["page"] == 2
    result = runner.invoke(app, ["search", "残差连接 梯度", "-k", "1"])
    assert "resnet.ipynb#cell 1:" in result.stdout
    result = runner.invoke(app, ["status"])
    assert "Formats:" in result.stdout and ".ipynb" in result.stdout


def test_without_the_extra_a_word_file_is_skipped_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.docx"
    write_docx(path)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "docx" else real(name, *a)
    )
    assert available() == {".docx": False, ".pptx": True, ".epub": True, ".ipynb": True}
    with pytest.raises(Unreadable, match=r"notes-chat\[formats\]"):
        read_pages(path)
