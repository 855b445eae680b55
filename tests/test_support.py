"""Every answer sentence checked against the passages it cites: marked when
not found, counted, and the answer called mostly not from the notes when
most of it is in none of the passages given (not from the notes at all, and
so a refusal, when nearly none of four sentences or more is)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.support import check_support
from cli import app
from index import Passage
from tests.conftest import passage
from tests.fake_ollama import Script


def test_each_sentence_is_checked_against_the_passages_it_cites() -> None:
    passages = [
        passage(1, "GAN 由生成器和判别器组成。生成器负责生成以假乱真的样本，判别器负责区分真假。"),
        passage(2, "模式崩溃是指生成器只生成少数几种样本。"),
    ]
    report = check_support(
        "GAN 由生成器和判别器组成[1]。模式崩溃是指生成器只生成少数几种样本[2]。"
        "GAN 由 Ian Goodfellow 在 2014 年提出，常用 Wasserstein 距离稳定训练[1]。",
        passages,
    )
    assert [s.supported for s in report.sentences] == [True, True, False]
    assert report.sentences[1].citations == (2,)
    assert report.summary() == "1 of 3 sentences are not found in your notes."
    assert not report.mostly_unsupported


def gan_and_mode_collapse() -> list[Passage]:
    return [
        passage(1, "GAN 由生成器和判别器组成。"),
        passage(2, "模式崩溃是指生成器只生成少数几种样本。"),
    ]


def test_a_sentence_citing_the_wrong_passage_is_unsupported() -> None:
    passages = gan_and_mode_collapse()
    [sentence] = check_support("模式崩溃是指生成器只生成少数几种样本[1]。", passages).sentences
    assert sentence.supported is False


def test_a_number_not_in_the_passage_is_not_supported() -> None:
    passages = [passage(1, "DDIM 设置为 50 步时，相比原来的生成过程可以加速 20 倍。")]
    [right] = check_support("DDIM 设为 50 步可以加速 20 倍[1]。", passages).sentences
    [made_up] = check_support("DDIM 设为 10 步可以加速 100 倍[1]。", passages).sentences
    assert right.supported and not made_up.supported


def test_an_answer_citing_the_wrong_passages_is_still_from_the_notes() -> None:
    passages = gan_and_mode_collapse()
    report = check_support(
        "模式崩溃是指生成器只生成少数几种样本[1]。GAN 由生成器和判别器组成[2]。", passages
    )
    assert [s.supported for s in report.sentences] == [False, False]
    assert [s.in_passages for s in report.sentences] == [True, True]
    assert report.unsupported == 2 and not report.mostly_unsupported


def test_an_answer_mostly_from_memory_is_called_so() -> None:
    passages = [passage(1, "GAN 由生成器和判别器组成。")]
    report = check_support(
        "决策树按信息增益选择分裂特征[1]。随机森林把很多决策树的投票结合起来[1]。", passages
    )
    assert report.mostly_unsupported and report.unsupported == 2


MEMORY_ANSWER = [
    "决策树按信息增益选择分裂特征[1]。",
    "随机森林把很多决策树的投票结合起来[1]。",
    "梯度提升树每一轮拟合上一轮的残差。",
    "XGBoost 在目标函数里加入了正则项。",
]


def test_an_answer_of_several_sentences_none_in_the_passages_is_from_memory() -> None:
    passages = [passage(1, "GAN 由生成器和判别器组成。")]
    report = check_support("".join(MEMORY_ANSWER), passages)
    assert report.from_memory
    assert report.from_memory_summary().startswith(
        "Not from your notes: none of its 4 sentences is in the passages it was given."
    )
    # three sentences: as often a paraphrase the score misses; one of five
    # found: an answer from the notes with additions
    assert not check_support("".join(MEMORY_ANSWER[:3]), passages).from_memory
    partly = "GAN 由生成器和判别器组成[1]。" + "".join(MEMORY_ANSWER)
    assert not check_support(partly, passages).from_memory


def test_a_sentence_saying_what_the_notes_lack_is_not_judged() -> None:
    passages = [passage(1, "GAN 由生成器和判别器组成。")]
    report = check_support("GAN 由生成器和判别器组成[1]。笔记中没有提到具体的训练技巧。", passages)
    assert [s.supported for s in report.sentences] == [True, None]
    # nor is the refusal itself, before the part of an answer the notes have
    report = check_support(
        "笔记中没有相关内容。不过第 1 段说 GAN 由生成器和判别器组成[1]。", passages
    )
    assert [s.supported for s in report.sentences] == [None, True] and not report.unsupported


MIXED_ANSWER = [
    "GAN 由生成器和判别器组成[1]。",
    "GAN 由 Ian Goodfellow 在 2014 年提出，常用 Wasserstein 距离稳定训练[1]。",
]


@pytest.mark.usefixtures("cli_indexed")
def test_ask_marks_unsupported_sentences_and_counts_them(script: Script) -> None:
    script.reply = MIXED_ANSWER
    result = CliRunner().invoke(app, ["ask", "GAN 由哪两部分组成？"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 sentences are not found in your notes." in result.output
    assert "⚠" in result.output


@pytest.mark.usefixtures("cli_indexed")
def test_ask_says_plainly_when_an_answer_is_mostly_not_from_the_notes(script: Script) -> None:
    script.reply = ["GAN 由 Ian Goodfellow 在 2014 年提出，常用 Wasserstein 距离稳定训练[1]。"]
    result = CliRunner().invoke(app, ["ask", "GAN 由哪两部分组成？"])
    assert "This answer is mostly not from your notes" in result.output
    assert result.output.index("mostly not from your notes") < result.output.index("gan.md")


@pytest.mark.usefixtures("cli_indexed")
def test_ask_json_has_each_sentence_with_its_support(script: Script) -> None:
    script.reply = MIXED_ANSWER
    result = CliRunner().invoke(app, ["ask", "GAN 由哪两部分组成？", "--json"])
    data = json.loads(result.stdout)
    sentences = data["sentences"]
    assert [s["supported"] for s in sentences] == [True, False]
    assert sentences[0]["citations"] == [1] and 0 <= sentences[1]["score"] < 0.5
    assert [s["in_passages"] for s in sentences] == [True, False]
    assert data["mostly_unsupported"] is False


@pytest.mark.usefixtures("cli_indexed")
def test_an_answer_from_memory_is_told_as_not_from_the_notes_and_counts_as_refused(
    script: Script,
) -> None:
    script.reply = MEMORY_ANSWER
    result = CliRunner().invoke(app, ["ask", "GAN 由哪两部分组成？"])
    assert result.exit_code == 0, result.output
    assert "Not from your notes: none of its 4 sentences" in result.output
    assert "⚠" not in result.output  # the verdict, not every sentence again
    result = CliRunner().invoke(app, ["ask", "GAN 由哪两部分组成？", "--json"])
    data = json.loads(result.stdout)
    assert data["from_memory"] is True and data["refused"] is True
    assert data["answer"].startswith("决策树")  # kept, to be read as what it is


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    passages = gan_and_mode_collapse()
    report = check_support(
        "GAN 由生成器和判别器组成。[1] 模式崩溃是指生成器只生成少数几种样本。[2]", passages
    )
    assert [s.citations for s in report.sentences] == [(1,), (2,)]
    assert all(s.supported for s in report.sentences)
