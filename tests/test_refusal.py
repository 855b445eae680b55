"""The model's refusal over a real index and the fake Ollama server: what
counts as one, when it is asked again, and that a first refusal or a retry
that is no answer is never shown."""

from __future__ import annotations

import pytest

from assistant import Assistant, Done, Settings, Token
from assistant.prompt import RETRY_REQUEST, RETRY_REQUEST_ZH
from tests.fake_ollama import Script


@pytest.fixture
def assistant(indexed: Settings) -> Assistant:
    return Assistant(indexed)


def test_model_refusal_is_recognised(assistant: Assistant, script: Script) -> None:
    script.reply = ["笔记中没有相关内容。"]
    done = list(assistant.ask("多头注意力的头数怎么选？"))[-1]
    assert isinstance(done, Done) and done.refused


def test_refusal_means_the_refusal_and_little_else() -> None:
    from assistant.prompt import is_refusal

    assert is_refusal("笔记中没有相关内容。")
    assert is_refusal("Your notes don't cover this.")
    assert is_refusal("The passages do not cover this question.")
    assert is_refusal("笔记里没有相关内容。")
    assert is_refusal("抱歉，根据您提供的这些段落内容，我仔细查看后发现笔记中没有相关内容。")
    # a long lead that answers, citing, or in a sentence of its own, is an answer
    assert not is_refusal("笔记中没有直接说明，但第1段说GAN由生成器和判别器组成[1]。")
    assert not is_refusal("灰度直方图可以体现整体亮度的趋势。笔记中没有相关内容。")
    assert not is_refusal(
        "笔记中没有提到具体数值，但第 2 段说判别器无法区分真假，此时概率为一半左右 [2]。"
    )
    assert not is_refusal("生成器和判别器交替训练 [1]。")
    # A short sentence citing a passage, then the refusal for the rest: an
    # answer. A citation alone, or in no whole sentence, is not one.
    assert not is_refusal("判别器区分真假［2］。笔记中没有相关内容。")
    assert not is_refusal("GAN has two parts [1]. Your notes don't cover this.")
    assert is_refusal("根据段落 [1]，笔记中没有相关内容。")
    assert is_refusal("段落 [1] 讲的是 GAN 的训练。笔记中没有相关内容。")
    assert is_refusal("[1]。笔记中没有相关内容。")
    assert is_refusal("[1] 笔记中没有相关内容。[2] 笔记中没有相关内容。")


def test_a_model_refusal_of_a_covered_question_is_asked_once_more(
    assistant: Assistant, script: Script
) -> None:
    script.queued = [["笔记中", "没有相关", "内容。"], ["生成器和判别器", "交替训练 [1]。"]]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and not done.refused and done.stats.retried
    assert done.answer == "生成器和判别器交替训练 [1]。"
    # The first refusal was held back, never shown.
    assert "".join(e.text for e in events if isinstance(e, Token)) == done.answer
    retry = script.requests[-1]["messages"]
    assert [m["role"] for m in retry[-3:]] == ["user", "assistant", "user"]
    assert retry[-2]["content"] == "笔记中没有相关内容。"


def test_a_refusal_given_twice_stands_and_is_shown(assistant: Assistant, script: Script) -> None:
    script.reply = ["笔记中没有相关内容。"]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.refused and done.stats.retried
    assert "".join(e.text for e in events if isinstance(e, Token)) == "笔记中没有相关内容。"
    assert sum(r["path"] == "/api/chat" for r in script.requests) == 2


# The retry request, streamed back in pieces.
ECHO = [RETRY_REQUEST[i : i + 9] for i in range(0, len(RETRY_REQUEST), 9)]


def test_a_retry_that_repeats_the_request_back_leaves_the_refusal_standing(
    assistant: Assistant, script: Script
) -> None:
    script.queued = [["笔记中没有相关内容。"], [*ECHO, " Note: passage [2] is about GANs."]]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.refused and done.stats.retried
    assert done.answer == "笔记中没有相关内容。"
    # Nothing of the echo was shown, only the refusal.
    assert "".join(e.text for e in events if isinstance(e, Token)) == "笔记中没有相关内容。"


@pytest.mark.parametrize(
    "refusal",
    [
        ["The passages", " do not", " cover this", " question."],
        ["Sorry, your", " notes don't", " cover this."],
        ["抱歉，根据您提供的", "段落来看，笔记中没", "有相关内容。"],
    ],
)
def test_a_refusal_arriving_in_pieces_is_held_back_whole(
    assistant: Assistant, script: Script, refusal: list[str]
) -> None:
    script.queued = [refusal, ["生成器和判别器", "交替训练 [1]。"]]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and not done.refused and done.stats.retried
    assert "".join(e.text for e in events if isinstance(e, Token)) == done.answer
    assert done.answer == "生成器和判别器交替训练 [1]。"


@pytest.mark.parametrize(
    "retry",
    [
        ["好的。", *ECHO],  # after a courtesy
        ["笔记中没有相关内容。", *ECHO],  # after the refusal again
        ["The passages above were retrieved for this", " GAN 由生成器和判别器组成 [1]。"],
        ["   "],  # blank
        [],  # nothing at all
    ],
)
def test_a_retry_that_is_no_answer_leaves_the_first_refusal_standing(
    assistant: Assistant, script: Script, retry: list[str]
) -> None:
    script.queued = [["笔记中", "没有相关内容。"], retry]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.refused and done.stats.retried
    assert done.answer == "笔记中没有相关内容。" and not done.cut and not done.citations
    assert "".join(e.text for e in events if isinstance(e, Token)) == done.answer
    assert sum(r["path"] == "/api/chat" for r in script.requests) == 2  # no citation request


def test_a_retry_the_model_fails_leaves_the_first_refusal_standing(
    assistant: Assistant, script: Script
) -> None:
    script.queued = [["笔记中没有相关内容。"], "model runner has unexpectedly stopped"]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.refused and not done.cut
    assert "".join(e.text for e in events if isinstance(e, Token)) == "笔记中没有相关内容。"


def test_a_refusal_already_shown_is_not_asked_again(assistant: Assistant, script: Script) -> None:
    long_lead = "抱歉，根据您提供的这些段落内容，我仔细查看后发现笔记中没有相关内容。"
    script.reply = [long_lead[:8], long_lead[8:]]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.refused and not done.stats.retried
    assert "".join(e.text for e in events if isinstance(e, Token)) == long_lead
    assert not done.support.sentences  # a refusal is not checked against the passages


def test_an_answer_that_starts_like_a_refusal_streams_once_it_is_not_one(
    assistant: Assistant, script: Script
) -> None:
    script.reply = [
        "笔记中",
        "没有提到具体数值，",
        "但判别器无法区分真假时，输出的概率为一半左右 [1]。",
    ]
    events = list(assistant.ask("GAN 由什么组成？"))
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert tokens == script.reply
    done = events[-1]
    assert isinstance(done, Done) and not done.refused and not done.stats.retried


@pytest.mark.parametrize(
    ("question", "asked"),
    [("GAN 由什么组成？", RETRY_REQUEST_ZH), ("What is a GAN made of?", RETRY_REQUEST)],
)
def test_the_model_is_asked_again_in_the_language_of_the_question(
    assistant: Assistant, script: Script, question: str, asked: str
) -> None:
    script.queued = [["笔记中没有相关内容。"], ["GAN 由生成器和判别器组成，两者交替训练 [1]。"]]
    done = list(assistant.ask(question))[-1]
    assert isinstance(done, Done) and done.stats.retried and not done.refused
    assert script.requests[-1]["messages"][-1]["content"] == asked


def test_a_retry_that_repeats_the_chinese_request_back_leaves_the_refusal_standing(
    assistant: Assistant, script: Script
) -> None:
    echo = [RETRY_REQUEST_ZH[i : i + 7] for i in range(0, len(RETRY_REQUEST_ZH), 7)]
    script.queued = [["笔记中没有相关内容。"], ["好的。", *echo]]
    done = list(assistant.ask("GAN 由什么组成？"))[-1]
    assert isinstance(done, Done) and done.refused and done.answer == "笔记中没有相关内容。"


# -- a refusal closing an answer -----------------------------------------------


def shown(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, Token))


def test_a_refusal_closing_an_answer_from_the_notes_says_they_have_no_more(
    assistant: Assistant, script: Script
) -> None:
    script.reply = ["GAN 由生成器", "和判别器组成 [1]。", "\n\n笔记中", "没有相关", "内容。"]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and not done.refused and not done.stats.retried
    assert done.answer == "GAN 由生成器和判别器组成 [1]。\n\n笔记中没有更多相关内容。"
    assert shown(events) == done.answer  # the refusal as written never showed, even in part
    # The answer before it streamed as it came.
    assert [e.text for e in events if isinstance(e, Token)][:2] == [
        "GAN 由生成器",
        "和判别器组成 [1]。",
    ]


@pytest.mark.parametrize(
    ("reply", "shown_as"),
    [
        # Too short to judge, but citing a passage: from the notes.
        (["生成器 [1]。", "笔记里没有相关内容。"], "生成器 [1]。笔记中没有更多相关内容。"),
        # Half the sentences from the notes is not most: as written.
        (
            [
                "GAN 由生成器和判别器组成 [1]。",
                "GAN 是 Ian Goodfellow 在 2014 年提出的。",
                "笔记中没有相关内容。",
            ],
            "GAN 由生成器和判别器组成 [1]。GAN 是 Ian Goodfellow 在 2014 年提出的。笔记中没有相关内容。",
        ),
    ],
)
def test_no_more_is_said_only_after_an_answer_mostly_from_the_notes(
    assistant: Assistant, script: Script, reply: list[str], shown_as: str
) -> None:
    script.reply = reply
    events = list(assistant.ask("GAN 由什么组成？"))
    assert shown(events) == shown_as


def test_where_a_closing_refusal_starts() -> None:
    from assistant.closing import closing_start

    text = "交替训练 [1]。笔记中没有相关内容。"
    assert closing_start(text) == (text.index("笔"), True)
    assert closing_start("交替训练 [1]．\u3000笔记中没") == (10, False)  # full-width stop, space
    assert closing_start("A. Your notes don\u2019t cover this.") == (3, True)
    assert closing_start("笔记中没有相关内容。") is None  # no answer before it
    assert closing_start("注意：笔记中没有相关内容。") is None  # not after a sentence
    assert closing_start("A。笔记中没有相关内容。但是 B。") is None


def test_a_closing_refusal_written_twice_is_said_once(assistant: Assistant, script: Script) -> None:
    script.reply = [
        "GAN 由生成器和判别器组成 [1]。",
        "笔记中没有相关内容。",
        "笔记中没有相关内容。",
    ]
    events = list(assistant.ask("GAN 由什么组成？"))
    assert shown(events) == "GAN 由生成器和判别器组成 [1]。笔记中没有更多相关内容。"


def test_a_closing_refusal_after_an_answer_from_memory_is_shown_as_written(
    assistant: Assistant, script: Script
) -> None:
    from tests.test_support import MEMORY_ANSWER

    script.reply = [*MEMORY_ANSWER, "笔记中没有相关内容。"]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.refused and done.support.from_memory
    assert shown(events) == done.answer == "".join(script.reply)


def test_a_closing_refusal_in_a_reply_cut_short_is_shown_as_written(
    assistant: Assistant, script: Script
) -> None:
    script.behaviour = "cut"
    script.reply = ["GAN 由生成器和判别器组成 [1]。", "笔记中没有相关内容。", "另外"]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.cut
    assert shown(events) == done.answer == "GAN 由生成器和判别器组成 [1]。笔记中没有相关内容。"


def test_a_closing_refusal_in_a_retried_answer_says_the_notes_have_no_more(
    assistant: Assistant, script: Script
) -> None:
    script.queued = [
        ["笔记中没有相关内容。"],
        ["GAN 由生成器和判别器组成 [1]。", "笔记中没有相关内容。"],
    ]
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.stats.retried and not done.refused
    assert shown(events) == done.answer == "GAN 由生成器和判别器组成 [1]。笔记中没有更多相关内容。"


def test_a_retry_that_hangs_midway_stands_cut_short_without_the_first_refusal(
    indexed: Settings, script: Script
) -> None:
    assistant = Assistant(indexed.model_copy(update={"request_timeout": 1}))
    # Long enough to be shown before the reply ends (a short one waits).
    answer = (
        "GAN 是一种生成模型，由两个神经网络构成。GAN 由生成器和判别器组成，生成器负责生成"
        "以假乱真的样本，判别器负责区分真假，两者交替训练，是一种博弈关系 [1]。"
    )
    script.queued = [["笔记中没有相关内容。"], [answer, "判别器负责区分真假 [1]。"]]
    script.stall_chat, script.stall = 2, 3.0
    events = list(assistant.ask("GAN 由什么组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.stats.retried and done.cut
    # What was on screen stands, cut short; the first refusal is not added to it.
    assert shown(events) == done.answer == answer and not done.refused


def test_asking_again_fits_the_window_the_first_request_fitted(
    indexed: Settings, script: Script
) -> None:
    from assistant.prompt import prompt_tokens

    # Windows the passages fill to within a few tokens or not: the refusal
    # and the request appended to ask again must still leave the answer its
    # room in every one. In the smallest, no passage would fit beside that
    # room: the question is asked once, not refused as too long.
    retried = []
    for window in range(750, 1300, 25):
        settings = indexed.model_copy(update={"context_window": window, "answer_tokens": 400})
        script.queued = [["笔记中没有相关内容。"], ["生成器和判别器交替训练 [1]。"]]
        done = list(Assistant(settings).ask("GAN 由什么组成？"))[-1]
        assert isinstance(done, Done)
        last = script.requests[-1]
        assert last["options"]["num_ctx"] == window
        sent = prompt_tokens(last["messages"])
        assert sent + 400 <= window, window
        # The budget shown is that of the last request.
        assert done.stats.budget is not None and done.stats.budget.prompt_tokens == sent
        retried.append(done.stats.retried)
    assert not retried[0] and retried[-1] and retried == sorted(retried)


def test_a_refusal_repeated_at_length_is_asked_about_in_the_room_kept(
    indexed: Settings, script: Script
) -> None:
    from assistant.prompt import REFUSAL_ZH, is_refusal, prompt_tokens

    # A small model may repeat its refusal until ``num_predict`` stops it:
    # still a refusal, and asking again must fit the window all the same.
    repeated = REFUSAL_ZH * 60
    assert is_refusal(repeated)
    settings = indexed.model_copy(update={"context_window": 1200, "answer_tokens": 400})
    script.queued = [[repeated], ["生成器和判别器交替训练 [1]。"]]
    done = list(Assistant(settings).ask("GAN 由什么组成？"))[-1]
    assert isinstance(done, Done) and done.stats.retried
    last = script.requests[-1]["messages"]
    assert last[-2] == {"role": "assistant", "content": REFUSAL_ZH}
    assert prompt_tokens(last) + 400 <= 1200
    # The budget shown counts the room asked again in once: in the request.
    assert done.stats.budget is not None and done.stats.budget.answer_reserve == 400
