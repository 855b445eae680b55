"""Answering: events, the gate, prompts, citations, conversations, over a
real index and the fake Ollama server."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import (
    Assistant,
    AssistantError,
    Done,
    ModelMissing,
    OllamaTimeout,
    OllamaUnreachable,
    Settings,
    Sources,
    Token,
)
from assistant.citations import check_citations
from assistant.conversation import Conversation, condense
from assistant.prompt import Turn, build_prompt, estimate_tokens
from tests.conftest import passage
from tests.fake_ollama import Script


@pytest.fixture
def assistant(notes: Path, isolated_home: Path, ollama: str) -> Assistant:
    settings = Settings(
        home=isolated_home, embedder="hashing", ollama_host=ollama, request_timeout=5
    )
    helper = Assistant(settings)
    helper.reindex([notes])
    return helper


def test_events_come_in_order_with_sources_first(assistant: Assistant, script: Script) -> None:
    events = list(assistant.ask("GAN 由什么组成？"))
    assert isinstance(events[0], Sources) and events[0].covered
    assert any(p.chunk.path == "dl/gan.md" for p in events[0].passages)
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert tokens == script.reply
    done = events[-1]
    assert isinstance(done, Done) and not done.refused and not done.cut
    assert done.answer == "".join(script.reply)
    assert [c.number for c in done.citations] == [1]
    # The passage the model read: the Sources list's first, cut to what bears on the question.
    assert done.citations[0].passage.chunk.id == events[0].passages[0].chunk.id
    assert done.stats.prompt_tokens == 42 and done.stats.first_token_ms is not None
    budget = done.stats.budget
    assert budget is not None and budget.passages_used >= 1  # those with a sentence on GAN
    assert budget.passages_used + budget.passages_dropped == len(events[0].passages)
    sent = script.requests[-1]
    assert sent["options"]["num_ctx"] == 4096  # capped by the context_window setting
    assert "[1] dl/gan.md:" in sent["messages"][-1]["content"]


def test_the_last_words_the_model_reads_name_the_language_of_a_question_not_in_chinese(
    assistant: Assistant, script: Script
) -> None:
    # Over Chinese passages a small model answers an English question in
    # Chinese unless told so last.
    for question, last in (
        ("What does a GAN consist of?", "in square brackets. Answer in English."),
        ("GAN 由什么组成？", "in square brackets."),
    ):
        list(assistant.ask(question, save=False))
        asked = [r for r in script.requests if r["path"] == "/api/chat"][-1]
        assert asked["messages"][-1]["content"].endswith(last)
    # Another language written in Latin letters is not taken for English.
    french = "Pourquoi utilise-t-on la normalisation par lots ?"
    prompt = build_prompt(french, [passage(1, "Batch Normalization")], [], context=4096,
                          answer_reserve=512)  # fmt: skip
    assert prompt.messages[-1]["content"].endswith("Answer in the language of the question.")


def test_a_question_about_something_the_notes_never_mention_is_refused(
    assistant: Assistant, script: Script
) -> None:
    events = list(assistant.ask("XGBoost 和随机森林有什么区别？"))
    sources, done = events[0], events[-1]
    assert isinstance(sources, Sources) and not sources.covered
    assert "XGBoost" in sources.reason and sources.passages  # nearest passages still shown
    assert isinstance(done, Done) and done.refused and done.answer.startswith("笔记中没有相关内容")
    assert not [r for r in script.requests if r["path"] == "/api/chat"]  # the model was not asked


def test_refusal_is_in_the_language_of_the_question(assistant: Assistant) -> None:
    done = list(assistant.ask("How does FlashAttention save memory?"))[-1]
    assert isinstance(done, Done) and done.refused
    assert done.answer.startswith("Your notes don't cover this")


def test_unreachable_ollama_still_gives_the_passages_and_keeps_the_turn(
    notes: Path, isolated_home: Path
) -> None:
    helper = Assistant(Settings(home=isolated_home, embedder="hashing", ollama_host="127.0.0.1:9"))
    helper.reindex([notes])
    events = []
    with pytest.raises(OllamaUnreachable, match="127.0.0.1:9"):
        for event in helper.ask("GAN 由什么组成？"):
            events.append(event)
    assert isinstance(events[0], Sources) and events[0].passages
    [saved] = helper.conversations.list()
    assert saved.turns[0].question == "GAN 由什么组成？" and "127.0.0.1:9" in saved.turns[0].error


def test_missing_model_names_the_pull_command(assistant: Assistant) -> None:
    with pytest.raises(ModelMissing, match="ollama pull nope:1b"):
        list(assistant.ask("GAN 由什么组成？", model="nope:1b"))


def test_a_question_in_another_encoding_is_an_error_a_user_can_act_on(
    assistant: Assistant, script: Script
) -> None:
    # What Python makes of GBK bytes read as UTF-8: lone surrogates.
    typed = "反向传播是什么？".encode("gbk").decode("utf-8", "surrogateescape")
    for call in (lambda: list(assistant.ask(typed)), lambda: assistant.search(typed)):
        with pytest.raises(AssistantError, match="not UTF-8.*LANG=C.UTF-8"):
            call()
    assert not [r for r in script.requests if r["path"] == "/api/chat"]


def test_cut_stream_keeps_the_partial_answer(assistant: Assistant, script: Script) -> None:
    script.behaviour = "cut"
    done = list(assistant.ask("GAN 由什么组成？"))[-1]
    assert isinstance(done, Done) and done.cut
    assert done.answer == "".join(script.reply[:2])
    assert assistant.conversations.latest().turns[-1].answer == done.answer  # type: ignore[union-attr]


def test_slow_server_times_out(assistant: Assistant, script: Script) -> None:
    script.behaviour, script.delay = "slow", 8.0
    with pytest.raises(OllamaTimeout):
        list(assistant.ask("GAN 由什么组成？"))


def test_prompt_fits_a_small_window_dropping_low_ranks_and_old_turns() -> None:
    passages = [passage(n, f"第{n}段：" + "注意力机制的内容。" * 30) for n in range(1, 9)]
    history = [Turn(f"问题{i}" + "很长的问题。" * 20, "回答" * 80) for i in range(6)]
    prompt = build_prompt("什么是注意力？", passages, history, context=1500, answer_reserve=300)
    budget = prompt.budget
    assert 0 < budget.passages_used < 8 and budget.passages_dropped == 8 - budget.passages_used
    assert prompt.passages == tuple(passages[: budget.passages_used])  # the best ranks are kept
    assert budget.turns_dropped > 0
    if budget.turns_used:
        assert prompt.messages[1]["content"] == history[-budget.turns_used].question  # newest kept
    assert budget.prompt_tokens + 300 <= 1500
    assert sum(estimate_tokens(m["content"]) for m in prompt.messages) == budget.prompt_tokens


def test_citations_map_to_passages_and_invalid_numbers_are_dropped() -> None:
    given = [
        passage(1, "生成器负责生成样本。"),
        passage(2, "判别器负责区分真假。"),
        passage(3, "两者交替训练。"),
    ]
    check = check_citations(
        "生成器生成样本[1,2]，判别器区分真假[2][3]。另见【2】和[7]、[0]。", given
    )
    assert [c.number for c in check.citations] == [1, 2, 3]
    assert check.citations[1].location == "note2.md:2-4"
    assert check.invalid == (7, 0)
    assert not any(c.inferred for c in check.citations)


def test_full_width_brackets_as_an_input_method_types_them_are_citations() -> None:
    given = [passage(1, "生成器负责生成样本。"), passage(2, "判别器负责区分真假。")]
    check = check_citations("判别器区分真假［2］。", given)
    assert [c.number for c in check.citations] == [2] and not check.citations[0].inferred


def test_quotes_not_in_the_passages_are_flagged() -> None:
    given = [passage(1, "笔记里写着：模式崩溃是指生成器只生成少数几种样本。")]
    check = check_citations(
        "笔记说“模式崩溃是指生成器只生成少数几种样本”，还说“GAN 永远收敛”[1]。", given
    )
    assert check.unverified_quotes == ("GAN 永远收敛",)


def test_uncited_sentences_in_a_passages_words_get_an_inferred_citation() -> None:
    given = [
        passage(1, "强化学习里的奖励函数。"),
        passage(2, "生成器负责生成以假乱真的样本，判别器负责区分真假。"),
    ]
    check = check_citations("生成器负责生成以假乱真的样本，判别器负责区分真假。", given)
    assert [(c.number, c.inferred) for c in check.citations] == [(2, True)]
    assert check_citations("完全无关的一句话，讲的是天气和美食。", given).citations == ()


def test_follow_up_is_condensed_from_recent_turns_without_a_model() -> None:
    history = [Turn("什么是 GAN？", "GAN 由生成器和判别器组成[1]。")]
    assert condense("它的损失函数是什么？", history, None) == "什么是 GAN？ 它的损失函数是什么？"
    assert condense("什么是注意力机制？", history, None) == "什么是注意力机制？"  # stands alone
    assert condense("它呢？", [], None) == "它呢？"


def test_follow_up_is_condensed_by_the_model_and_retrieval_uses_it(
    assistant: Assistant, script: Script
) -> None:
    conversation = Conversation.new()
    list(assistant.ask("GAN 由什么组成？", conversation=conversation))
    script.queued = [
        ["GAN 的训练中什么是模式崩溃？"],
        ["模式崩溃是指生成器只生成少数几种样本[1]。"],
    ]
    events = list(assistant.ask("它训练时会出现什么问题？", conversation=conversation))
    sources = events[0]
    assert isinstance(sources, Sources) and sources.query == "GAN 的训练中什么是模式崩溃？"
    assert sources.passages[0].chunk.path == "dl/gan.md"
    answer_request = script.requests[-1]
    assert [m["role"] for m in answer_request["messages"]] == [
        "system",
        "user",
        "assistant",
        "user",
    ]
    saved = assistant.conversations.load(conversation.id)
    assert [t.question for t in saved.turns] == ["GAN 由什么组成？", "它训练时会出现什么问题？"]
    assert saved.turns[1].standalone == "GAN 的训练中什么是模式崩溃？"


def test_a_sentence_in_another_passages_words_gets_that_passage_too() -> None:
    given = [
        passage(1, "强化学习里的奖励函数。"),
        passage(2, "生成器负责生成以假乱真的样本，判别器负责区分真假。"),
    ]
    check = check_citations("[1] 生成器负责生成以假乱真的样本，判别器负责区分真假。", given)
    assert [(c.number, c.inferred) for c in check.citations] == [(1, False), (2, True)]


def test_an_answer_without_sources_gets_the_ones_the_model_names(
    assistant: Assistant, script: Script
) -> None:
    # The GAN note is the second passage found, and the only one the model reads.
    script.queued = [["A GAN pits a generator against a discriminator."], ["[2]"]]
    events = list(assistant.ask("What is a GAN made of?"))
    sources, done = events[0], events[-1]
    assert isinstance(sources, Sources) and isinstance(done, Done)
    assert sources.passages[1].chunk.path == "dl/gan.md"
    assert [(c.number, c.asked, c.inferred) for c in done.citations] == [(2, True, False)]
    assert done.citations[0].passage.chunk.id == sources.passages[1].chunk.id
    request = script.requests[-1]
    assert request["options"]["num_predict"] == 16
    assert request["messages"][-1]["content"].startswith("Which of the numbered passages")


def test_every_request_of_a_conversation_is_sent_with_the_same_context_size(
    assistant: Assistant, script: Script
) -> None:
    # Ollama reloads the model (and loses its prompt cache) when a request's
    # num_ctx differs from the one it was loaded with: the follow-up's
    # rewrite and the citation request must not differ from the answers.
    conversation = Conversation.new()
    script.queued = [["A GAN pits a generator against a discriminator."], ["[2]"]]
    list(assistant.ask("What is a GAN made of?", conversation=conversation))
    script.queued = [
        ["GAN 的训练中什么是模式崩溃？"],
        ["模式崩溃是指生成器只生成少数几种样本[1]。"],
    ]
    list(assistant.ask("它训练时会出现什么问题？", conversation=conversation))
    chats = [r for r in script.requests if r["path"] == "/api/chat"]
    assert len(chats) == 4  # answer, citation request, rewrite, answer
    assert {r["options"].get("num_ctx") for r in chats} == {4096}


def test_a_sentence_from_where_two_chunks_overlap_cites_both() -> None:
    shared = "判别器负责区分真假样本，生成器负责以假乱真。"
    given = [passage(1, "GAN 的结构。" + shared), passage(2, shared + "二者交替训练。")]
    check = check_citations(shared, given)
    assert [(c.number, c.inferred) for c in check.citations] == [(1, True), (2, True)]


def test_a_focused_context_sends_sentences_and_cites_the_lines_sent(
    notes: Path, isolated_home: Path, ollama: str, script: Script
) -> None:
    settings = Settings(home=isolated_home, embedder="hashing", ollama_host=ollama,
                        request_timeout=5, context_tokens=60)  # fmt: skip
    helper = Assistant(settings)
    helper.reindex([notes])
    *_, done = events = list(helper.ask("GAN 由什么组成？"))
    sources = events[0]
    assert isinstance(sources, Sources) and isinstance(done, Done)
    whole = sources.passages[0].chunk
    sent = script.requests[-1]["messages"][-1]["content"]
    assert whole.path == "dl/gan.md" and "两者交替训练" in whole.text
    assert "GAN 由生成器和判别器组成。" in sent and "两者交替训练" not in sent
    [citation] = done.citations
    chunk = citation.passage.chunk
    assert citation.number == 1 and chunk.path == whole.path
    assert f"[1] {chunk.location}" in sent
    assert whole.start_line <= chunk.start_line <= chunk.end_line < whole.end_line
    line = (notes / "dl/gan.md").read_text(encoding="utf-8").split("\n")[chunk.start_line - 1]
    assert line.startswith("GAN 由生成器和判别器组成。")
