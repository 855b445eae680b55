"""Chunking: line ranges, headings, and the boundaries it must not cut."""

from __future__ import annotations

from ingest.chunk import heading_level, split_lines, split_sentences
from ingest.clean import clean_lines


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def test_every_chunk_text_comes_from_its_line_range() -> None:
    sentence = "注意力机制计算查询和键的相似度，然后对值加权求和。"
    text = "# 标题\n\n" + "\n".join(f"第{i}段。{sentence * 3}" for i in range(30))
    lines = lines_of(text)
    pieces = split_lines(lines, size=200, overlap=40)
    assert len(pieces) > 5
    for piece in pieces:
        window = "".join(lines[piece.start_line - 1 : piece.end_line])
        assert "".join(piece.text.split()) in "".join(window.split())
        assert len(piece.text) <= 200 + len(sentence)  # packed near the target


def test_long_chinese_line_is_cut_at_sentence_ends_with_one_line_number() -> None:
    sentences = [f"这是第{i}个句子，讲的是卷积神经网络的第{i}个性质。" for i in range(40)]
    line = "".join(sentences)
    pieces = split_lines(["前言", "", line], size=150, overlap=0)
    body = [p for p in pieces if p.start_line == 3]
    assert len(body) > 3
    for piece in body:
        assert piece.end_line == 3
        assert piece.text.endswith("。")  # cut after a sentence end, not mid-sentence
    assert "".join(p.text for p in body).endswith(line[-60:])


def test_split_sentences_handles_chinese_and_latin_ends() -> None:
    assert split_sentences("甲是一。乙是二！丙呢？Done. Next one; last") == [
        "甲是一。",
        "乙是二！",
        "丙呢？",
        "Done.",
        " Next one;",
        " last",
    ]


def test_inline_latex_is_never_cut() -> None:
    formula = "$L = -\\sum_i y_i \\log(\\hat y_i). Then; p_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$"
    line = ("交叉熵损失定义如下。" * 8) + formula + ("这就是损失。" * 8)
    assert any(formula in s for s in split_sentences(line))
    pieces = split_lines([line], size=60, overlap=0)
    assert any(formula in p.text for p in pieces)
    for piece in pieces:
        assert piece.text.count("$") % 2 == 0


def test_code_fence_is_kept_whole_with_its_line_range() -> None:
    code = ["```python", "def f(x):", "", "    return x * 2", "```"]
    lines = ["# 代码", "", "下面是一个函数。", "", *code, "", "函数结束。"]
    pieces = split_lines(lines, size=30, overlap=0)
    fenced = [p for p in pieces if "def f(x):" in p.text]
    assert len(fenced) == 1
    assert "return x * 2" in fenced[0].text and "```" in fenced[0].text
    assert fenced[0].start_line <= 5 and fenced[0].end_line >= 9


def test_headings_give_the_heading_path_and_start_chunks() -> None:
    body = "这是一段足够长的正文内容，用来说明这一节讲了什么东西。" * 4
    lines = ["# 深度学习", body, "## 卷积网络", body, "## 循环网络", body, "一、强化学习", body]
    pieces = split_lines(lines, size=400, overlap=0)
    headings = [p.heading for p in pieces]
    assert "深度学习 > 卷积网络" in headings
    assert "深度学习 > 循环网络" in headings
    assert "强化学习" not in headings and "一、强化学习" in headings
    conv = next(p for p in pieces if p.heading == "深度学习 > 卷积网络")
    assert conv.text.startswith("## 卷积网络") and conv.start_line == 3


def test_overlap_repeats_whole_sentences_only() -> None:
    line = "".join(f"第{i}句话在这里。" for i in range(60))
    pieces = split_lines([line], size=100, overlap=30)
    for before, after in zip(pieces, pieces[1:], strict=False):
        first_sentence = split_sentences(after.text)[0]
        assert first_sentence in before.text  # the overlap is a sentence of the last chunk


def test_heading_level_recognises_export_styles() -> None:
    assert heading_level("## 训练") == (2, "训练")
    assert heading_level("二、InstructGPT模型") == (1, "二、InstructGPT模型")
    assert heading_level("1.1 损失函数") == (2, "1.1 损失函数")
    assert heading_level("(2)不足:") == (3, "(2)不足:")
    assert heading_level("损失函数与反向传播:") == (9, "损失函数与反向传播")
    assert heading_level("这是一个普通的句子，不是标题。") is None
    assert heading_level("1" * 50) is None


def test_cleaning_blanks_boilerplate_but_keeps_line_numbers() -> None:
    lines = [
        "type", "status", "date", "slug", "正文第一行",
        "世界，您好！", "欢迎使用 WordPress。这是您的第一篇文章。编辑或删除它，然后开始写作吧！",
        "- 作者:某人", "正文最后一行",
    ]  # fmt: skip
    cleaned = clean_lines(lines)
    assert len(cleaned) == len(lines)
    assert [c for c in cleaned if c] == ["正文第一行", "正文最后一行"]
    assert cleaned[4] == "正文第一行"


def test_a_property_word_in_the_text_is_not_a_notion_header() -> None:
    lines = ["Status", "正文从这里开始", "type"]
    assert clean_lines(lines) == lines


def test_related_articles_list_at_the_end_is_dropped() -> None:
    lines = [f"正文{i}" for i in range(10)] + ["相关文章", "Selenium 教程", "LeetCode 题解"]
    cleaned = clean_lines(lines)
    assert cleaned[:10] == lines[:10]
    assert not any(cleaned[10:])


def test_each_text_line_knows_its_file_line() -> None:
    lines = [
        "# 标题",
        "",
        "第一段。",
        "",
        "",
        "```",
        "code a",
        "",
        "code b",
        "```",
        "",
        "最后一行。",
    ]
    [piece] = split_lines(lines, size=700, overlap=0)
    text_lines = piece.text.split("\n")
    assert len(piece.lines) == len(text_lines)
    for text, number in zip(text_lines, piece.lines, strict=True):
        assert lines[number - 1].strip() == text.strip()
    # A line too long for one unit is cut into sentences that share its line.
    long = "很长的一句话。" * 150
    pieces = split_lines(["开头。", "", long], size=300, overlap=0)
    for piece in pieces:
        assert len(piece.lines) == piece.text.count("\n") + 1
        assert piece.lines[-1] == piece.end_line and piece.lines[0] == piece.start_line
