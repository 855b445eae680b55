"""A name the question spells otherwise than the notes (selfattention for
self-attention, drop out for Dropout, autoencoders for autoencoder) is
searched as the notes spell it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import assistant.assistant
from assistant import Assistant, Settings, Sources
from assistant.expansion import notes_words
from assistant.presence import notes_spellings
from assistant.terms import question_terms
from index import Chunk
from index.bm25 import LexicalIndex
from tests.conftest import write_notes

TOPICS = {
    "attention.md": "# 注意力\n\nSelf-Attention 让序列中每个位置和其他位置计算相似度。\n",
    "detection.md": "# 目标检测\n\nR-CNN 先用选择性搜索找候选区域，再逐个分类。\n",
    "dropout.md": "# 正则化\n\nDropout 在训练时随机丢弃一部分神经元。\n",
    "vae.md": "# 生成模型\n\nautoencoder 把输入压缩成隐变量再还原。\n",
    "squeeze.md": "# 轻量网络\n\nSqueezeNet 用 1x1 卷积减少参数，layer 之间 end to end 训练。\n",
    "rl.md": "# 强化学习\n\n智能体在时刻 t 按策略 p 采取动作，获得奖励，直到 BOS 之后的 end。\n",
    "gan.md": "# 生成对抗网络\n\n生成器和判别器交替训练，是一种博弈关系。\n",
    "norm.md": "# 归一化\n\n批归一化在每个小批量上减去均值、除以标准差。\n",
}


def lexical_index() -> LexicalIndex:
    chunks = {name: Chunk(name, "/notes", name, 1, 3, "", text) for name, text in TOPICS.items()}
    return LexicalIndex.build(set(chunks), chunks)


def spellings(question: str, mentions: Callable[[str], bool]) -> list[tuple[str, ...]]:
    return [notes_spellings(t, mentions) for t in question_terms(question) if t.latin]


def test_the_notes_spelling_of_a_name_written_together_apart_or_plural() -> None:
    mentions = lexical_index().mentions
    assert spellings("selfattention 是怎么计算的？", mentions) == [("self", "attention")]
    assert spellings("rcnn 是做什么的？", mentions) == [("r", "cnn")]
    assert spellings("who came up with drop out", mentions)[0] == ("dropout",)
    assert spellings("what are autoencoders for?", mentions) == [("autoencoder",)]
    assert spellings("drop-out 有什么用？", mentions) == [("dropout",)]
    # As the notes write it, or not in the notes at all: nothing to add.
    assert spellings("Dropout 是什么？", mentions) == [()]
    assert spellings("xgboost 是什么？", mentions) == [()]


def test_an_everyday_word_is_not_split_into_notes_words() -> None:
    mentions = lexical_index().mentions
    # p + layer, t + end, bos: words of the notes, but these are English words.
    assert notes_words("player 和环境之间怎么交互？", mentions) == ()
    tend = notes_words("What does the discriminator tend to learn?", mentions)
    assert not {"t", "end"} & set(tend)
    assert notes_words("boss 是什么？", mentions) == ()


def test_a_name_the_question_writes_in_two_words_however_it_was_cut() -> None:
    mentions = lexical_index().mentions
    assert notes_words("squeeze net 是什么", mentions) == ("squeezenet",)
    assert notes_words("What is Squeeze-Net?", mentions) == ("squeezenet",)
    # Two words that make an everyday one are not a name: "end to" is not.
    assert notes_words("from end to end", mentions) == ()


def test_only_words_the_question_does_not_already_search_are_added() -> None:
    mentions = lexical_index().mentions
    assert notes_words("selfattention 是怎么计算的？", mentions) == ("self", "attention")
    # Written as the notes write it, BM25 reads these words in the question.
    assert notes_words("self-attention 是怎么计算的？", mentions) == ()


@pytest.mark.parametrize(
    ("question", "path"),
    [
        ("selfattention 有什么用？", "attention.md"),
        ("drop out 有什么用？", "dropout.md"),
    ],
)
def test_a_question_spelling_a_name_otherwise_finds_its_note(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question: str, path: str
) -> None:
    notes = Assistant(Settings(home=isolated_home, embedder="hashing"))
    notes.reindex([write_notes(tmp_path / "notes", TOPICS)])
    assert notes.search(question, 1, mode="bm25")[0].chunk.path == path

    events = notes.ask(question, use_llm=False, save=False)
    sources = next(e for e in events if isinstance(e, Sources))
    assert sources.passages[0].chunk.path == path

    # Searched only as the question writes it, BM25 does not rank it first.
    monkeypatch.setattr(assistant.assistant, "notes_words", lambda q, mentions: ())
    assert [p.chunk.path for p in notes.search(question, 1, mode="bm25")] != [path]
