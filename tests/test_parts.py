"""Multi-part questions: each part is searched and covered in the top five."""

from __future__ import annotations

from pathlib import Path

import pytest

import index.store
from index import open_index
from index.parts import COVER, cover_parts, question_parts
from ingest import sync
from tests.conftest import RecordingEmbedder


def test_questions_split_at_conjunctions_only() -> None:
    assert question_parts("VAE 和 GAN 各有什么优缺点？") == ["VAE", "GAN 各有什么优缺点"]
    assert question_parts("What is dropout and how does weight decay work?") == [
        "What is dropout",
        "how does weight decay work",
    ]
    assert question_parts("梯度消失是什么？") == []
    # A second question that only refers back is not a part of its own.
    assert question_parts("模型为什么过拟合？根源在哪？") == []


def test_a_part_missing_from_the_top_takes_the_last_place() -> None:
    whole = [(f"a{i}", 1.0 - i / 10) for i in range(8)]
    part_a = [("a0", 1.0)]
    part_b = [("a6", 1.0), ("a1", 0.5)]
    ranked = cover_parts(whole, [part_a, part_b])
    assert [cid for cid, _ in ranked[:COVER]] == ["a0", "a1", "a2", "a3", "a6"]
    assert [cid for cid, _ in ranked[COVER:]] == ["a4", "a5", "a7"]
    # A part's best that the whole question does not rank near is not pulled in.
    assert cover_parts(whole, [[("zz", 1.0)], part_a])[:COVER] == whole[:COVER]


@pytest.fixture
def lopsided_notes(tmp_path: Path) -> Path:
    """Many notes on one part of the question, one note on the other."""
    root = tmp_path / "notes"
    root.mkdir()
    for n in range(8):
        (root / f"vae{n}.md").write_text(
            f"# 变分自编码器 {n}\n\n变分自编码器 VAE 的编码器输出均值和方差，第 {n} 种变体的优缺点。\n",
            encoding="utf-8",
        )
    # The other part's note is long and names it once: its match is weak.
    (root / "gan.md").write_text(
        "# 训练技巧\n\n"
        + "学习率预热、权重衰减、梯度裁剪和早停都是常见的训练技巧。" * 6
        + "生成器有时会模式崩溃。\n",
        encoding="utf-8",
    )
    return root


def test_each_part_of_a_question_is_in_the_top_five(
    isolated_home: Path,
    lopsided_notes: Path,
    embedder: RecordingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notes_index = open_index(isolated_home / "index", embedder, create=True)
    sync(notes_index, [lopsided_notes])
    question = "变分自编码器的编码器输出均值和方差的优缺点以及模式崩溃"
    paths = [p.chunk.path for p in notes_index.search(question, 5)]
    assert "gan.md" in paths and paths[0].startswith("vae")
    # Without the per-part search the one GAN note is crowded out.
    monkeypatch.setattr(index.store, "question_parts", lambda q: [])
    assert "gan.md" not in [p.chunk.path for p in notes_index.search(question, 5)]
