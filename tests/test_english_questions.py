"""English questions over Chinese notes: BM25 and the focused context look
for the notes' own words for the question's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

import assistant.assistant
from assistant import Assistant, Settings, Sources, bilingual
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
    # A question with Chinese in it is searched as written when the notes
    # write its English name too; when they never do, with their words for it.
    assert notes_words("attention 机制是什么？", (used | {"attention"}).__contains__) == ()
    assert notes_words("attention 机制是什么？", used.__contains__) == ("注意力",)
    assert notes_words("attention heads 有几个？", {"注意力头"}.__contains__) == ("注意力头",)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("how does the generator fool the discriminator", {"生成器", "判别器"}),
        ("what is cross entropy in segmentation", {"交叉熵", "分割"}),
        ("how does the agent pick a policy", {"智能体", "策略"}),
        ("why is the kl divergence between prior and posterior small", {"先验", "后验"}),
    ],
)
def test_the_fields_everyday_words_are_looked_for_in_the_notes_words(
    question: str, words: set[str]
) -> None:
    # Words of the field the general dictionary translates otherwise or not
    # at all (generator, segmentation, policy) are in the field glossary.
    used = {"生成器", "判别器", "交叉熵", "分割", "智能体", "策略", "先验", "后验", "散度"}
    assert words <= set(notes_words(question, used.__contains__))


def test_an_acronym_is_looked_for_in_chinese_only_where_the_notes_never_write_it() -> None:
    # Notes that say 马尔可夫决策过程 and never MDP are found through the glossary.
    assert "马尔可夫决策过程" in notes_words("What is an MDP?", {"马尔可夫决策过程"}.__contains__)
    # Notes that write GAN are found by it: their Chinese words for it would
    # only pull in other passages.
    used = {"gan", "生成对抗网络", "训练"}
    assert "生成对抗网络" not in notes_words("Is training a GAN cooperative?", used.__contains__)


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
    path = bilingual.GLOSSARY
    seen = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        assert english == english.lower().strip() and english not in seen, line
        seen.add(english)
        # A single character is too ambiguous to say a topic is present.
        assert all(len(word) >= 2 for word in chinese.split("|")), line


SAID_OTHERWISE = {
    "rnn.md": "# 循环网络 RNN\n\n每一步把隐藏的中间层向量传给下一步，这个状态记住了前文。\n",
    "decode.md": "# 解码\n\n贪心解码每一步取概率最大的词，不做搜索。\n",
    "optim.md": "# 优化\n\n梯度下降沿负梯度方向更新参数。\n",
    "ae.md": "# 自编码器\n\n自编码器把输入压缩成编码再还原。\n\n稀疏的数据让计数模型失效；网络层层堆叠，训练更慢。\n",
    "sparse.md": "# 稀疏自编码器\n\n稀疏自编码器给编码加上稀疏约束。\n",
    "bow.md": "# 文本表示\n\n词袋模型把文本看成词的集合，不管词序。\n",
    "self.md": "# 自注意力\n\n自注意力让序列的每个位置看到所有位置。\n",
    "data.md": "# 数据划分\n\n训练集用于拟合参数，验证集用于挑选超参数。\n",
    "food.md": "# 营养\n\n食物的成分表列出蛋白质和脂肪。\n",
    "study.md": "# 复习方法\n\n主要靠错题分析，找出薄弱环节。\n",
    "semi.md": "# 半监督学习\n\n半监督学习同时用有标签和无标签的数据。\n",
    "loss.md": "# 交叉熵\n\n交叉熵损失的计算方式如下：对每个类别把标签乘以预测概率的对数再求和。\n",
    "onehot.md": "# 独热编码\n\n不同文本的向量相互正交。\n\n编码丢掉了文本的语义信息。\n",
}


def _covered(notes: Assistant, question: str) -> Sources:
    sources = next(notes.ask(question, use_llm=False, save=False))
    assert isinstance(sources, Sources)
    return sources


@pytest.fixture
def said_otherwise(isolated_home: Path, tmp_path: Path) -> Assistant:
    notes = Assistant(Settings(home=isolated_home, embedder="hashing"))
    notes.reindex([write_notes(tmp_path / "notes", SAID_OTHERWISE)])
    return notes


@pytest.mark.parametrize(
    "question",
    [
        # a glossary phrase the notes say in other words, each of them there
        "what is the hidden state of an rnn?",
        # glossary phrases with a framing word or a hyphen inside, and a plural
        "what is the bag of words model?",
        "what is self-attention?",
        "what are training sets for?",
        "what is semi-supervised learning?",
        # a word saying which kind, written together with its term in the notes
        "what is a sparse autoencoder?",
        # a phrase in title case, not a run of names
        "What is Semi Supervised Learning?",
        # the same phrase in a Chinese question, wherever it stands
        "hidden state 在 rnn 里是什么？",
        # a verb before a phrase says what to do with it, not which kind
        "how do you calculate cross entropy loss?",
    ],
)
def test_a_covered_english_question_spelled_its_own_way_passes(
    said_otherwise: Assistant, question: str
) -> None:
    sources = _covered(said_otherwise, question)
    assert sources.covered, sources.reason


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # a word of the phrase is nowhere in the notes (nothing says beam)
        ("how does beam search work?", "beam search"),
        # each word in the notes, but no passage holds them together
        ("what is principal component analysis?", "principal component analysis"),
        ("What is Principal Component Analysis?", "Principal Component Analysis"),
        # each word in one passage, but in sentences of their own
        ("what is mutual information?", "mutual information"),
        # a word saying which kind of a term the notes have, never written with it
        ("how does conjugate gradient descent work?", "conjugate gradient descent"),
        ("what is a stacked autoencoder?", "stacked autoencoder"),
    ],
)
def test_an_english_question_about_a_kind_the_notes_lack_is_refused(
    said_otherwise: Assistant, question: str, missing: str
) -> None:
    sources = _covered(said_otherwise, question)
    assert not sources.covered and missing in sources.reason, sources.reason


def test_a_glossary_phrase_said_otherwise_searches_its_words(said_otherwise: Assistant) -> None:
    sources = _covered(said_otherwise, "what is the hidden state of an rnn?")
    assert {"隐藏", "状态"} <= set(sources.also_searched)
    assert sources.passages[0].chunk.path == "rnn.md"


def test_a_damaged_glossary_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = tmp_path / "glossary.tsv"
    damaged.write_text("# terms\npooling\t池化\nbackpropagation 反向传播\n", encoding="utf-8")
    monkeypatch.setattr(bilingual, "GLOSSARY", damaged)
    bilingual._glossary.cache_clear()
    try:
        with pytest.raises(bilingual.BadGlossary, match=r"Line 3 of .*glossary.tsv.*Reinstall"):
            bilingual.translations("pooling")
    finally:
        bilingual._glossary.cache_clear()


def test_words_apart_by_punctuation_make_no_phrase_and_no_kind() -> None:
    from assistant.terms import question_terms

    assert "decision tree" in {t.text for t in question_terms("what is a decision tree?")}
    assert "decision tree" not in {t.text for t in question_terms("decision, tree or forest?")}
    assert any(t.kind for t in question_terms("what is a sparse autoencoder?"))
    assert not any(t.kind for t in question_terms("is it sparse; autoencoder or not?"))


@pytest.mark.parametrize(
    "question",
    [
        "how do you calculate cross entropy loss?",  # a verb
        "how to compute self attention",
        "how does transformer positional encoding work?",  # a noun: where it belongs
        "how does clip contrastive learning work?",
        "what is weakly supervised learning?",  # an adverb
        "what is a plain autoencoder?",  # the thing itself
    ],
)
def test_a_word_that_does_not_say_which_kind_makes_no_kind(question: str) -> None:
    from assistant.terms import question_terms

    assert not any(t.kind for t in question_terms(question)), question_terms(question)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how does conjugate gradient descent work?", "conjugate gradient descent"),
        ("what is a stacked autoencoder?", "stacked autoencoder"),  # a participle
        ("what is a hidden markov process?", "hidden markov process"),  # before a phrase
        ("what is proximal gradient descent?", "proximal gradient descent"),  # by its ending
    ],
)
def test_an_adjective_before_a_term_says_which_kind(question: str, kind: str) -> None:
    from assistant.terms import question_terms

    assert kind in {t.text for t in question_terms(question) if t.kind}, question_terms(question)


def test_a_phrase_in_title_case_is_the_phrase() -> None:
    from assistant.terms import question_terms

    texts = [t.text for t in question_terms("How does a Generative Adversarial Network work?")]
    assert texts == ["generative adversarial network"]
    # not a phrase the dictionaries know: each capitalised word stays a name
    assert {"stable", "diffusion"} <= set(_named("How does Stable Diffusion work?"))


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Why Does RNN Struggle With Long Sequences", ["rnn"]),
        ("Why Do GANs Suffer From Mode Collapse?", ["gans"]),
        ("How Does ResNet Use Skip Connections", ["resnet"]),
    ],
)
def test_in_a_question_written_as_a_title_only_acronyms_and_camelcase_are_names(
    question: str, named: list[str]
) -> None:
    assert _named(question) == named


def test_an_adjective_capitalised_in_a_titled_question_still_says_which_kind() -> None:
    from assistant.terms import question_terms

    kinds = {t.text for t in question_terms("What is a Sparse Autoencoder") if t.kind}
    assert kinds == {"sparse autoencoder"}


def _named(question: str) -> list[str]:
    from assistant.terms import question_terms

    return [t.text for t in question_terms(question) if t.named]


def test_a_letter_with_a_diacritic_does_not_split_a_word() -> None:
    from assistant.terms import question_terms

    assert [t.text for t in question_terms("what is the naïve gan?")] == ["naive", "gan"]


@pytest.mark.parametrize(
    ("word", "named"),
    [
        ("cycle-consistency", False),  # everyday words joined
        ("single-head", False),
        ("full-resolution", False),
        ("t-sne", True),  # a letter
        ("gpt-3", True),  # a digit
        ("classifier-free", True),  # a method's name made of a word
        ("leaky-relu", True),  # a word no dictionary has
    ],
)
def test_a_hyphenated_word_is_a_name_unless_everyday_words_make_it(word: str, named: bool) -> None:
    from assistant.terms import question_terms

    terms = {t.text: t for t in question_terms(f"what does {word} mean here?")}
    assert terms[word].named is named, terms
