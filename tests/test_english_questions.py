"""English questions over Chinese notes: BM25 and the focused context look
for the notes' own words for the question's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

import assistant.assistant
from assistant import Assistant, Settings, Sources
from assistant.expansion import notes_words
from assistant.prompt import build_prompt
from index import Chunk, Passage
from tests.conftest import write_notes

TOPICS = {
    "attention.md": "# 注意力机制\n\n注意力机制计算查询和键的相似度，再对值加权求和。\n",
    "cnn.md": "# 卷积网络\n\n卷积层用卷积核在图像上滑动，提取局部特征。\n",
    "optim.md": "# 优化器\n\nAdam 结合了动量和自适应学习率。\n",
    "rl.md": "# 强化学习\n\n智能体在环境中采取动作，获得奖励。\n",
    "gan.md": "# 生成对抗网络\n\n生成器和判别器交替训练，是一种博弈关系。\n",
    "word2vec.md": "# 词向量\n\n词向量把每个词映射为一个稠密向量。\n",
    "norm.md": "# 归一化\n\n批归一化在每个小批量上减去均值、除以标准差。\n",
}
QUESTION = "What does the attention mechanism compute?"


@pytest.fixture
def chinese_notes(tmp_path: Path) -> Path:
    return write_notes(tmp_path / "notes", TOPICS)


def test_the_notes_words_for_an_english_question_are_those_the_notes_use() -> None:
    used = {"注意力机制", "注意力", "计算"}
    assert set(notes_words(QUESTION, used.__contains__)) == used
    assert set(notes_words(QUESTION, {"注意力", "机制"}.__contains__)) == {"注意力"}
    # Notes in English (or on other things) use none of the translations.
    assert notes_words(QUESTION, lambda word: False) == ()
    # A question with Chinese in it is searched as written.
    assert notes_words("attention 机制是什么？", used.__contains__) == ()


def test_an_english_question_finds_the_chinese_note_first(
    isolated_home: Path, chinese_notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hashing embedder shares nothing across languages: BM25 decides.
    notes = Assistant(Settings(home=isolated_home, embedder="hashing"))
    notes.reindex([chinese_notes])
    assert notes.search(QUESTION, 3)[0].chunk.path == "attention.md"

    events = notes.ask(QUESTION, use_llm=False, save=False)
    sources = next(e for e in events if isinstance(e, Sources))
    assert "注意力" in sources.also_searched
    assert sources.passages[0].chunk.path == "attention.md"

    # Without the notes' words, the English question matches no note's words.
    monkeypatch.setattr(assistant.assistant, "notes_words", lambda q, mentions: ())
    assert notes.search(QUESTION, 3)[0].chunk.path != "attention.md"


def _passage(text: str) -> Passage:
    lines = tuple(range(1, text.count("\n") + 2))
    chunk = Chunk("id", "/n", "notes.md", 1, lines[-1], "", text, lines=lines)
    return Passage(chunk=chunk, score=1.0, dense_rank=1, bm25_rank=1, similarity=0.5)


def test_a_focused_context_picks_the_sentence_with_the_notes_word() -> None:
    text = "\n".join(
        [
            "深度学习的模型有很多种。",
            "卷积网络擅长处理图像。",
            "循环网络处理序列。",
            "训练需要大量数据。",
            "数据增强可以缓解过拟合。",
            "注意力机制对值加权求和。",  # line 6: what the question asks about
            "权重来自查询和键的相似度。",
        ]
    )

    def focused(words: tuple[str, ...]) -> Chunk:
        prompt = build_prompt(QUESTION, [_passage(text)], [], context=4096, answer_reserve=512,
                              context_tokens=40, focus_words=words)  # fmt: skip
        return prompt.passages[0].chunk

    chunk = focused(("注意力", "机制"))
    assert chunk.start_line == 6 and "注意力机制对值加权求和" in chunk.text
    # Without them no sentence shares a word with the question: the passage's start.
    assert focused(()).start_line == 1


FIELD = {
    "backprop.md": "# 训练\n\n反向传播用链式法则从输出层往回逐层计算梯度。\n",
    "cnn.md": "# 卷积网络\n\n池化层取局部区域的最大值，缩小特征图。\n",
    "metrics.md": "# 评价指标\n\n召回率等于预测为正的正样本占全部正样本的比例。\n",
    "attention.md": "# 注意力\n\n点积结果要除以 key 的维度开根号，免得 softmax 过于陡峭。\n",
}


@pytest.mark.parametrize(
    ("question", "path", "word"),
    [
        # terms of art a general dictionary lacks, or gives only another sense of
        ("how does backpropagation compute the gradients?", "backprop.md", "反向传播"),
        ("what is pooling for?", "cnn.md", "池化"),
        ("why divide by the square root of the key dimension?", "attention.md", "开根号"),
    ],
)
def test_a_term_of_the_field_is_searched_and_found_in_the_notes_chinese_word(
    isolated_home: Path, tmp_path: Path, question: str, path: str, word: str
) -> None:
    notes = Assistant(Settings(home=isolated_home, embedder="hashing"))
    notes.reindex([write_notes(tmp_path / "notes", FIELD)])
    sources = next(e for e in notes.ask(question, use_llm=False, save=False))
    assert isinstance(sources, Sources) and sources.covered, sources.reason
    assert word in sources.also_searched
    assert sources.passages[0].chunk.path == path


def test_a_chinese_term_of_the_field_is_one_with_the_notes_other_word_for_it(
    isolated_home: Path, tmp_path: Path
) -> None:
    notes = Assistant(Settings(home=isolated_home, embedder="hashing"))
    notes.reindex([write_notes(tmp_path / "notes", FIELD)])
    # The notes say 召回率; 查全率 is the same measure.
    sources = next(e for e in notes.ask("查全率怎么算？", use_llm=False, save=False))
    assert isinstance(sources, Sources) and sources.covered, sources.reason


def test_the_field_glossary_is_well_formed() -> None:
    path = Path(assistant.__file__).parent / "data" / "glossary.tsv"
    seen = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        assert english == english.lower().strip() and english not in seen, line
        seen.add(english)
        # A single character is too ambiguous to say a topic is present.
        assert all(len(word) >= 2 for word in chinese.split("|")), line
