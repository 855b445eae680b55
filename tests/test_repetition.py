"""An answer the model begins to write again: reading stops there and the
answer is what came before, in the answer, the CLI, ``--json`` and the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import Assistant, Done, Settings, Token
from assistant.repetition import SPAN, repeating_from
from cli import app
from tests.fake_ollama import Script
from tui import NotesChatApp

OPENING = "GAN 由生成器和判别器组成 [1]。"
LOOPED = "生成器负责生成以假乱真的样本，判别器负责区分真假 [1]。\n\n"
# The second sentence, written over and over as num_predict allows.
LOOPING_REPLY = [OPENING, "\n\n", *[LOOPED] * 30]
ANSWER = OPENING + "\n\n" + LOOPED.rstrip()


def streamed_until_stopped(text: str, step: int = 3) -> tuple[int, str] | None:
    """How much of ``text``, arriving ``step`` characters at a time, was read
    when ``answer`` stopped, and what it keeps; None when it is read to the end."""
    for end in range(step, len(text) + step, step):
        start = repeating_from(text[:end])
        if start is not None:
            return end, text[:start]
    return None


def test_a_loop_is_found_where_it_began_and_the_copy_before_it_is_kept_whole() -> None:
    stopped = streamed_until_stopped("".join(LOOPING_REPLY), step=1)
    assert stopped is not None
    end, kept = stopped
    assert end < len(ANSWER) + len(LOOPED) + SPAN + 1
    assert kept.rstrip() == ANSWER


def test_a_short_loop_and_one_longer_than_the_span_are_found() -> None:
    assert repeating_from("答：" + "的" * (SPAN + 1)) == len("答：") + 1
    paragraph = "".join(f"第{n}点，梯度在反向传播中逐层相乘。" for n in range(12)) + "\n"
    assert len(paragraph) > SPAN
    text = "前言。\n" + paragraph * 2 + paragraph[:SPAN]
    start = repeating_from(text)
    assert start is not None and text[:start].rstrip() == ("前言。\n" + paragraph).rstrip()


def test_a_repetition_begun_inside_a_sentence_ends_with_that_sentence() -> None:
    # The model starts a new sentence and goes on with an old one's words.
    first = (
        "Perplexity measures how well a language model predicts a sequence. It is computed "
        "as the exponential of the average negative log-likelihood of the sequence, so a "
        "value of 2.5 means the model hesitates between about two or three words. "
    )
    lead = "The passage explains that it is computed "
    text = first + (lead + first[first.index("as the") :]) * 3
    start = repeating_from(text)
    assert start is not None
    assert text[:start].endswith("The passage explains that it is computed as the exponential "
                                 "of the average negative log-likelihood of the sequence, so a "
                                 "value of 2.5 means the model hesitates between about two or "
                                 "three words.")  # fmt: skip


@pytest.mark.parametrize(
    "copy",
    [
        "交叉熵衡量两个分布之间的差异。它常用于分类任务的损失函数。最小化交叉熵等价于最大化似然 [1]。\n\n",
        "## 交叉熵\n\n交叉熵衡量两个分布之间的差异，常与 softmax 一起使用 [1]。\n\n"
        "```python\nloss = nn.CrossEntropyLoss()\nout = loss(logits, target)\n```\n\n",
        "Cross-entropy measures the difference between two distributions. It is the usual "
        "loss for classification, and minimizing it maximizes the likelihood [1]. ",
    ],
)
def test_a_whole_answer_written_over_and_over_keeps_one_copy(copy: str) -> None:
    stopped = streamed_until_stopped(copy * 6)
    assert stopped is not None and stopped[1] == copy


def test_something_written_again_further_on_or_changed_is_not_a_loop() -> None:
    code = "".join(
        f"    step_{n} = model(batch_{n})  # forward pass number {n}\n" for n in range(5)
    )
    changed = code.replace(
        "step_2 = ", "torch.nn.utils.clip_grad_norm_(params, 1.0)\n    step_2 = "
    )
    formula = "$$\\hat y = " + " + ".join(f"w_{{{i}}} x_{{{i}}}" for i in range(20)) + "$$"
    rule = "-" * 200
    for text in (
        f"训练循环如下：\n```python\n{code}```\n加上梯度裁剪：\n```python\n{changed}```\n这样更稳定。",
        f"线性模型：\n{formula}\n代入后再写一遍：\n{formula}\n所以输出是加权和 [1]。",
        f"第一部分讲损失函数 [1]。\n{rule}\n第二部分讲优化器 [2]。",
    ):
        assert streamed_until_stopped(text) is None, text[:40]


def test_an_answer_that_says_something_twice_is_not_a_loop() -> None:
    # A clause quoted again in a summary, and list items that open alike.
    clause = "判别器负责区分真假样本，生成器负责生成以假乱真的样本 [1]。"
    summary = f"{clause}\n\n两者交替训练，是一种博弈关系 [1]。\n\n总结：{clause}"
    items = "".join(
        f"{n}. 生成对抗网络的训练步骤之{n}：先固定判别器再更新生成器。\n" for n in range(9)
    )
    for text in (summary, items, summary + items):
        assert repeating_from(text) is None


@pytest.fixture
def assistant(notes: Path, isolated_home: Path, ollama: str) -> Assistant:
    helper = Assistant(
        Settings(home=isolated_home, embedder="hashing", ollama_host=ollama, request_timeout=5)
    )
    helper.reindex([notes])
    return helper


def test_a_looping_answer_ends_before_the_repetition_and_is_saved_so(
    assistant: Assistant, script: Script
) -> None:
    script.reply = LOOPING_REPLY
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.repeated and not done.refused and not done.cut
    assert done.answer.rstrip() == ANSWER
    assert [c.number for c in done.citations] == [1]
    shown = "".join(e.text for e in events if isinstance(e, Token))
    # Reading stopped once the repetition was longer than the span: not 30 copies.
    assert len(shown) <= len(ANSWER) + len(LOOPED) + SPAN
    assert done.support.judged == 2 and not done.support.unsupported
    turn = assistant.conversations.latest().turns[-1]  # type: ignore[union-attr]
    assert turn.answer == done.answer


def test_an_answer_that_does_not_loop_is_not_marked(assistant: Assistant) -> None:
    done = list(assistant.ask("GAN 由什么组成？"))[-1]
    assert isinstance(done, Done) and not done.repeated


@pytest.mark.usefixtures("cli_indexed")
def test_ask_warns_of_a_repetition_and_json_has_the_answer_before_it(script: Script) -> None:
    script.reply = LOOPING_REPLY
    result = CliRunner().invoke(app, ["ask", "GAN 由什么组成？"])
    assert result.exit_code == 0, result.output
    assert "began writing its answer again" in result.stderr
    script.reply = LOOPING_REPLY
    result = CliRunner().invoke(app, ["ask", "GAN 由什么组成？", "--json"])
    data = json.loads(result.stdout)
    assert data["repeated"] is True and data["answer"].rstrip() == ANSWER


async def test_the_app_shows_the_answer_before_the_repetition(
    indexed: Settings, script: Script
) -> None:
    from textual.widgets import Markdown

    script.reply = LOOPING_REPLY
    app_ = NotesChatApp(indexed)
    async with app_.run_test(size=(100, 30)) as pilot:
        await app_.workers.wait_for_complete()
        field = app_.query_one("#question")
        field.value = "GAN 由什么组成？"  # type: ignore[attr-defined]
        field.focus()
        await pilot.press("enter")
        await app_.workers.wait_for_complete()
        await pilot.pause()
        assert app_.query(".answer").last(Markdown).source.rstrip() == ANSWER
        assert any("began writing its answer again" in n.message for n in app_._notifications)
