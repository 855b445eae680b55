"""Questions asking for a year or a number, and whether a passage gives one
near what they are about (``assistant.numbers``, used by the gate). The
refusal through ``ask``: test_honesty.py."""

from __future__ import annotations

import pytest

from assistant.gate import judge
from assistant.numbers import Asked, asked_for, gives
from index import Chunk, Passage
from tests.conftest import passage


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("AlexNet 是哪一年拿下冠军的？", Asked.YEAR),
        ("how many parameters does it have", Asked.NUMBER),
        ("秩 r 一般设多少？", Asked.NUMBER),
        ("下采样了几倍？", Asked.NUMBER),
        ("正则化有多大的作用？", None),  # how much it matters, not a figure
        ("BatchNorm 对小 batch 有多大用？", None),
        ("为什么很多大模型不用 dropout？", None),  # 很多 大模型: no question
        ("CNN 的前几层学到的是什么特征？", None),
        ("GAN 为什么要训练好几个判别器？", None),
        ("dropout 多少会拖慢收敛吗？", None),  # somewhat
        ("how much dropout helps transformers?", None),
        ("DALL-E 有幾層？", Asked.NUMBER),  # traditional characters
        ("BERT 是什么时候提出的？", Asked.YEAR),
        ("when was the transformer proposed?", Asked.YEAR),
        ("how large is the vocabulary?", Asked.NUMBER),
        ("池化有多少种？", None),  # kinds: a list
        ("DALL-E 2 由哪几个部分组成？", None),
        ("how much does dropout help?", None),
        ("什么是残差连接？", None),
    ],
)
def test_what_a_question_asks_for(question: str, asked: Asked | None) -> None:
    assert asked_for(question) is asked


def test_a_figure_under_a_heading_naming_the_subject_answers() -> None:
    chunk = Chunk(
        "id1", "/r", "note1.md", 1, 3, "DALL-E模型 > (2)Transformer模块", "64层注意力层。"
    )
    passages = [Passage(chunk, 1.0, 1, 1)]
    verdict = judge("DALL-E 有多少层注意力层？", passages, {"dall-e", "注意力"}.__contains__)
    assert verdict.covered, verdict.reason


def test_a_year_beside_an_everyday_word_of_the_question_is_not_its_answer() -> None:
    passages = [
        passage(1, "生成对抗网络(GAN)由生成器和判别器组成，两者对抗训练。"),
        passage(2, "RLHF的研究最早可以追溯到谷歌2017年的一个研究。"),
    ]
    words = {"生成对抗网络", "生成", "对抗", "最早", "研究"}
    verdict = judge("生成对抗网络是哪一年、由谁最早提出来的？", passages, words.__contains__)
    assert not verdict.covered and "give no year" in verdict.reason
    passages.append(passage(3, "2014 年，Goodfellow 提出了生成对抗网络。"))
    assert judge("生成对抗网络是哪一年提出来的？", passages, words.__contains__).covered


def test_a_figure_counts_only_near_the_subject_and_names_are_not_figures() -> None:
    def about(window: str) -> bool:
        return "GPT-3" in window

    assert gives(Asked.NUMBER, "GPT-3 有 1750 亿参数。", about)
    assert gives(Asked.NUMBER, "GPT-3 有千亿参数，九十六层。", about)
    assert not gives(Asked.NUMBER, "GPT-3 比 GPT-2 更真实，ResNet50 用 V100 训练。", about)
    assert not gives(Asked.NUMBER, "3、GPT-3 的优点\n(2) 效果更真实", about)
    far = "GPT-3 的效果更加真实。" + "其他模型的内容。" * 30 + "训练了 592 天。"
    assert not gives(Asked.NUMBER, far, about)
    assert gives(Asked.YEAR, "2020 年，OpenAI 发布了 GPT-3。", about)
    assert not gives(Asked.YEAR, "GPT-3 有 1750 亿参数。", about)
    # figures as notes write them
    for text in (
        "GPT-3 用 7x7 的卷积核",
        "GPT-3 学习率 1e-4",
        "GPT-3 占 80GB 显存",
        "GPT-3 有十几层",
    ):
        assert gives(Asked.NUMBER, text, about), text
    assert gives(Asked.NUMBER, "GPT-3 有九十六層", about)  # traditional
    for text in ("2020. GPT-3 发布", "ＧＰＴ－３ 于 ２０２０ 年发布", "二〇二〇年，GPT-3 发布"):
        assert gives(Asked.YEAR, text, about), text
    # not years: a count, a step, a size, an arXiv number; not a figure: x_1
    for text in ("GPT-3 的上下文是 2048 个 token", "GPT-3 训练 2000 步", "GPT-3 arxiv 2005.14165"):
        assert not gives(Asked.YEAR, text, about), text
    assert not gives(Asked.NUMBER, "GPT-3 的输入 x_1", about)
