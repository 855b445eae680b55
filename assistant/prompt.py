"""The prompt: instructions, numbered passages, recent turns, the question,
fitted to the model's context window with the budget made visible."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index import Passage

from .plain import word_characters

REFUSAL_ZH = "笔记中没有相关内容。"
REFUSAL_EN = "Your notes don't cover this."

SYSTEM_PROMPT = (
    "You are a study assistant. The student asks about their own notes.\n"
    "Rules:\n"
    "1. Answer only from the numbered passages below, never from your own knowledge.\n"
    "2. After every sentence that uses a passage, cite it by number in square brackets, "
    "like [1] or [2][3].\n"
    "3. Answer in the language of the question "
    "(a question in Chinese gets a Chinese answer).\n"
    "4. The passages were chosen as relevant: answer with what they say, even if it is "
    "only part of the answer, and say which part the notes do not cover. Only if no "
    f'passage is about the question at all, reply with exactly "{REFUSAL_ZH}" for a '
    f'Chinese question or "{REFUSAL_EN}" for an English one.\n'
    "5. Be concise: a few sentences, or a short list."
)

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef\u3000-\u303f]")


def estimate_tokens(text: str) -> int:
    """A conservative token count without the model's tokenizer: one token
    per CJK character (Qwen averages ~1.4 characters), one per four other
    characters, plus a little per message for the chat template."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4 + 4


def prompt_tokens(messages: Sequence[Mapping[str, str]]) -> int:
    """The estimated size of a request's messages."""
    return sum(estimate_tokens(m["content"]) for m in messages)


def is_chinese(text: str) -> bool:
    return len(_CJK.findall(text)) * 2 >= len(re.findall(r"[A-Za-z]", text))


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Budget:
    """How the context window was spent (token counts are estimates)."""

    context: int
    answer_reserve: int
    prompt_tokens: int
    passages_used: int
    passages_dropped: int
    turns_used: int
    turns_dropped: int

    def to_json(self) -> dict[str, int]:
        return {
            "context": self.context,
            "answer_reserve": self.answer_reserve,
            "prompt_tokens_estimate": self.prompt_tokens,
            "passages_used": self.passages_used,
            "passages_dropped": self.passages_dropped,
            "turns_used": self.turns_used,
            "turns_dropped": self.turns_dropped,
        }


@dataclass(frozen=True, slots=True)
class Prompt:
    messages: list[dict[str, str]]
    passages: tuple[Passage, ...]  # the passages sent, in order
    budget: Budget
    # Their numbers in the prompt: 1, 2, 3… for whole passages; a focused
    # prompt keeps the numbers of the Sources list and skips those left out.
    numbers: tuple[int, ...] = ()

    @property
    def numbered(self) -> dict[int, Passage]:
        return dict(zip(self.numbers, self.passages, strict=True))


def format_passage(number: int, passage: Passage) -> str:
    chunk = passage.chunk
    heading = f" ({chunk.heading})" if chunk.heading else ""
    return f"[{number}] {chunk.location}{heading}\n{chunk.text}"


def _user_message(question: str, blocks: Sequence[str]) -> str:
    passages = "\n\n".join(blocks) if blocks else "(none)"
    # Small models follow the instruction nearest the end best: repeat the
    # citation rule after the question, and for a question not in Chinese
    # the language (over Chinese passages, qwen2.5:1.5b answered half of the
    # English questions in Chinese).
    return (
        f"Passages from my notes:\n\n{passages}\n\nQuestion: {question}\n\n"
        "Answer from the passages only. End each sentence with the number of the passage "
        f"it comes from, in square brackets.{_language_rule(question)}"
    )


def _language_rule(question: str) -> str:
    """The answer's language, said last for a question not in Chinese: by
    name for an English one (most of its words English words)."""
    if is_chinese(question):
        return ""
    from .bilingual import english_word

    words = re.findall(r"[A-Za-z]{3,}", question)
    if words and sum(map(english_word, words)) * 2 > len(words):
        return " Answer in English."
    return " Answer in the language of the question."


def build_prompt(
    question: str,
    passages: Sequence[Passage],
    history: Sequence[Turn],
    *,
    context: int,
    answer_reserve: int,
    context_tokens: int = 0,
    focus_words: Sequence[str] = (),
) -> Prompt:
    """Fit system prompt, passages, history and question into ``context``
    tokens, keeping ``answer_reserve`` free for the answer. Lower-ranked
    passages go first, then older turns; history may use at most a quarter
    of the room, since the passages are what the answer is built from."""
    fixed = estimate_tokens(SYSTEM_PROMPT) + estimate_tokens(_user_message(question, []))
    room = max(0, context - answer_reserve - fixed)

    turns: list[Turn] = []
    history_room = room // 4
    for turn in reversed(history):
        cost = estimate_tokens(turn.question) + estimate_tokens(turn.answer)
        if cost > history_room:
            break
        turns.insert(0, turn)
        history_room -= cost
    room -= sum(estimate_tokens(t.question) + estimate_tokens(t.answer) for t in turns)

    given = len(passages)
    candidates = dict(enumerate(passages, start=1))
    if context_tokens > 0:
        # Only the sentences that bear on the question, within their own budget.
        from .focus import focus_all

        candidates = focus_all(question, passages, min(context_tokens, room), focus_words)
    blocks: list[str] = []
    sent: dict[int, Passage] = {}
    for number, passage in candidates.items():
        block = format_passage(number, passage)
        cost = estimate_tokens(block)
        if cost > room:
            break
        blocks.append(block)
        sent[number] = passage
        room -= cost

    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for turn in turns:
        messages.append({"role": "user", "content": turn.question})
        messages.append({"role": "assistant", "content": turn.answer})
    messages.append({"role": "user", "content": _user_message(question, blocks)})
    budget = Budget(
        context=context,
        answer_reserve=answer_reserve,
        prompt_tokens=prompt_tokens(messages),
        passages_used=len(blocks),
        passages_dropped=given - len(blocks),
        turns_used=len(turns),
        turns_dropped=len(history) - len(turns),
    )
    return Prompt(messages, tuple(sent.values()), budget, tuple(sent))


# Word characters besides the refusal's own that a refusal may have
# ("抱歉，根据段落，" before it).
_REFUSAL_SLACK = 15
# A refusal that ends a one-sentence answer citing nothing may have a longer
# lead ("抱歉，根据您提供的这些段落内容，我仔细查看后发现笔记中没有相关内容。";
# not "灰度直方图可以体现整体亮度的趋势。笔记中没有相关内容。", which answers).
_CLOSING_REFUSAL_SLACK = 40
# The model's wordings of it, longest first (a 1.5B model also writes "The
# passages do not cover this question." and "笔记里没有相关内容").
_REFUSALS = ("笔记中没有相关内容", "笔记中没有", "笔记里没有", "没有相关内容",
             "your notes don't cover this", "notes don't cover", "notes do not cover",
             "passages don't cover", "passages do not cover")  # fmt: skip


RETRY_REQUEST = (
    "The passages above were retrieved for this question and are about it. Answer "
    "with what they do say, citing the passage numbers like [1], and say which part "
    "the notes do not cover. Answer in the language of the question."
)
# The same in Chinese, for a Chinese question: asked in English, the model
# refused "RL 总觉得学不进去…笔记认为原因有哪些？" again over a passage headed
# 强化学习难入门的主要原因; asked so, it answered from it.
RETRY_REQUEST_ZH = (
    "上面的段落就是为这个问题从笔记里找出来的，和问题有关。请用段落里的内容回答，"
    "像 [1] 这样标出段落编号；段落没有说到的部分，指出来即可。"
)


def retry_request(question: str) -> str:
    """What the model is asked after a refusal that is likely a slip, in the
    language of the question."""
    return RETRY_REQUEST_ZH if is_chinese(question) else RETRY_REQUEST


def retry_tokens(question: str) -> int:
    """The room asking again takes besides the first prompt: the refusal it
    follows (at most a refusal's words with the lead ``is_refusal``
    tolerates) and the request. Kept free whenever a retry may come, so that
    the second request fits the model's window as the first did."""
    # A word character is at most a token (one CJK character).
    refusal = max(estimate_tokens(marker) for marker in _REFUSALS) + _CLOSING_REFUSAL_SLACK
    return refusal + estimate_tokens(retry_request(question))


CITATION_REQUEST = (
    "Which of the numbered passages did your answer use? "
    "Reply with their numbers only, like [1][3]."
)


def might_become_refusal(text: str) -> bool:
    """Whether an answer that begins with ``text`` may still turn out to be
    the bare refusal (so its tokens are held back until that is clear). A
    refusal may follow a short courtesy ("抱歉，", "Sorry,"), so this holds
    for as long as the text outside the refusal's words, and outside the
    start of one still arriving ("The passages do not"), is within what
    ``is_refusal`` tolerates of a courtesy."""
    start = _folded(text)
    for marker in _REFUSALS:
        start = start.replace(marker, "")
    start = start.rstrip()
    for marker in _REFUSALS:
        cut = next((n for n in range(len(marker) - 1, 0, -1) if start.endswith(marker[:n])), 0)
        if cut:
            start = start[:-cut]
            break
    return len(word_characters(start)) <= _REFUSAL_SLACK


def is_refusal(answer: str) -> bool:
    """Whether the answer is the refusal and little else: one that says the
    notes miss a part, then answers the rest, is an answer. A refusal that
    ends an answer citing nothing may follow a longer lead."""
    text = _folded(answer).strip()
    for marker in _REFUSALS:
        if marker in text:
            rest = len(word_characters(text.replace(marker, "")))
            lead = text[: text.rindex(marker)]
            if _answered_before(lead):
                return False
            closing = (
                word_characters(text).endswith(word_characters(marker))
                and not _CITED.search(text)
                and not _SENTENCE_END.search(lead)
            )
            return rest <= (_CLOSING_REFUSAL_SLACK if closing else _REFUSAL_SLACK)
    return False


def _answered_before(lead: str) -> bool:
    """Whether ``lead`` holds a whole sentence citing a passage ("判别器区分真假
    [2]。"): then what follows is the model saying the rest is not in the
    notes, however short that answer is. A courtesy ("抱歉，") cites nothing,
    "根据段落 [1]，" ends no sentence, and "段落 [1] 讲的是 GAN。" is a remark on
    the passages, not an answer from them."""
    for marker in _REFUSALS:
        lead = lead.replace(marker, "")
    return bool(
        not _NAMES_PASSAGES.search(lead)
        and _CITED.search(lead)
        and _SENTENCE_END.search(lead)
        and word_characters(_CITATION.sub("", lead))
    )


def _folded(text: str) -> str:
    return text.lower().replace("’", "'")


_CITED = re.compile(r"[\[【［]\s*\d")
_NAMES_PASSAGES = re.compile(r"段落|笔记|资料|passage|note", re.IGNORECASE)
_CITATION = re.compile(r"[\[【［][\d\s,，、;；]*[\]】］]")
_SENTENCE_END = re.compile(r"[。！？!?]|\.\s")
# A retried answer that repeats the retry request back: the request, at
# least this many of its letters in order, starting within this many
# letters of the answer's start (after "好的。", or a refusal again).
_ECHO_LETTERS = 20
_ECHO_LEAD = 40


# The letters each retry request opens with, what an echo repeats (read once:
# an echo is looked for after every token of a retry).
_REQUEST_OPENINGS = frozenset(
    word_characters(request)[:_ECHO_LETTERS] for request in (RETRY_REQUEST, RETRY_REQUEST_ZH)
)


def echoes_request(text: str) -> bool:
    """Whether a retried answer repeats the retry request back near its
    start (measured: qwen2.5:1.5b did so on 2 of 6 retries in 186 answers,
    then went on about the passages)."""
    letters = word_characters(text)
    return any(
        letters[start : start + _ECHO_LETTERS] in _REQUEST_OPENINGS
        for start in range(min(_ECHO_LEAD, len(letters)) + 1)
    )


def retry_undecided(text: str) -> bool:
    """Whether a retried answer that begins with ``text`` is still too short
    to tell whether it repeats the request, or does: held back unshown."""
    return len(word_characters(text)) < _ECHO_LEAD + _ECHO_LETTERS or echoes_request(text)
