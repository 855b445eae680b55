"""Search over the user's real notes (../shared/notes) with the bundled
e5-small embedder: the right file is in the top 3 for questions of our own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant import Assistant, Settings
from tests.conftest import SHARED_NOTES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SHARED_NOTES.is_dir(), reason="../shared/notes is not beside the repo"),
]


@pytest.fixture(scope="module")
def real_notes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    home = tmp_path_factory.mktemp("real-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTES_CHAT_CONFIG", str(home / "none.toml"))
        assistant = Assistant(Settings(home=home))
        report = assistant.reindex([SHARED_NOTES])
        assert report.added == 5 and not report.skipped
        yield assistant


@pytest.mark.parametrize(
    "question, expected_file, expected_text",
    [
        ("DDIM 为什么比 DDPM 采样快？", "004_0cbe2f6797d29f9b.txt", "DDIM"),
        ("CLIP 为什么不需要微调就能做分类", "001_43e0a89f1d0e17cd.txt", "zero-shot"),
        ("RAG 和微调有什么区别", "003_d87998725a9c5f03.txt", "RAG"),
        ("How does the discriminator of a GAN learn?", None, "判别器"),
        # Both 000 and 003 define it.
        ("什么是前向传播", "000_fa15e410647d3662.txt|003_d87998725a9c5f03.txt", "前向传播"),
    ],
)
def test_the_right_passage_is_found(
    real_notes: Assistant, question: str, expected_file: str | None, expected_text: str
) -> None:
    passages = real_notes.search(question, 3)
    assert passages, question
    found = [p for p in passages if expected_text in p.chunk.text]
    assert found, question
    if expected_file:
        assert found[0].chunk.path in expected_file.split("|")


def test_passages_cite_real_line_ranges(real_notes: Assistant) -> None:
    for passage in real_notes.search("注意力机制中的 Q K V 分别是什么", 5):
        lines = (SHARED_NOTES / passage.chunk.path).read_text(encoding="utf-8").splitlines()
        window = "".join(
            "".join(lines[passage.chunk.start_line - 1 : passage.chunk.end_line]).split()
        )
        assert "".join(passage.chunk.text.split()) in window


def test_export_boilerplate_is_not_indexed(real_notes: Assistant) -> None:
    texts = " ".join(p.chunk.text for p in real_notes.search("欢迎使用 WordPress 第一篇文章", 10))
    assert "欢迎使用 WordPress" not in texts
    slugs = real_notes.search("slug password icon", 10, mode="bm25")
    assert all("password" not in p.chunk.text for p in slugs)


def test_unchanged_resync_embeds_nothing(real_notes: Assistant) -> None:
    report = real_notes.reindex()
    assert report.unchanged == 5 and report.chunks_embedded == 0
