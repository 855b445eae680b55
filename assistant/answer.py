"""Answering a question: retrieve, gate, prompt, stream, check citations.

``answer()`` yields events in this order, for the CLI and the TUI alike:
``Sources`` (always first, so the passages are shown whatever happens
next), ``Token``s as the model writes, then one ``Done``. Ollama failures
are raised after ``Sources``; a stream cut half-way ends in a ``Done`` with
``cut`` set and the text that arrived.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from functools import partial

from index import AssistantError, Passage

from .citations import Citation, check_citations, cited_numbers
from .closing import ClosingRefusal
from .events import AnswerEvent, AnswerStats, Done, Sources, Token
from .expansion import notes_words
from .gate import judge
from .ollama_client import ChatStats, OllamaChat, OllamaError, StreamCut
from .prompt import (
    CITATION_REQUEST,
    REFUSAL_EN,
    REFUSAL_ZH,
    SYSTEM_PROMPT,
    Turn,
    build_prompt,
    echoes_request,
    is_chinese,
    is_refusal,
    might_become_refusal,
    prompt_tokens,
    retry_request,
    retry_tokens,
    retry_undecided,
)
from .repetition import repeating_from
from .support import check_support
from .terms import searchable


class QuestionTooLong(AssistantError):
    pass


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    k: int
    answer_tokens: int
    temperature: float
    similarity_floor: float | None = None  # see gate.judge
    context_tokens: int = 0  # 0: whole passages


def refusal_text(question: str, reason: str) -> str:
    if is_chinese(question):
        return f"{REFUSAL_ZH}（{reason}）下面是笔记中最接近的段落。"
    return f"{REFUSAL_EN} ({reason}.) The nearest passages of your notes are listed below."


def answer(
    question: str,
    standalone: str,
    history: Sequence[Turn],
    *,
    search: Callable[[str, int, Sequence[str]], list[Passage]],
    mentions: Callable[[str], bool],
    chat: OllamaChat | None,
    model: str,
    settings: AnswerSettings,
) -> Iterator[AnswerEvent]:
    """Answer ``question`` (searched as ``standalone``); ``chat`` None means
    retrieval only (no model)."""
    started = time.perf_counter()
    # Whom it is put to (老师，…) and an address's scheme and host are
    # searched for nothing; they only pull the ranking away.
    query = searchable(standalone)
    # BM25 and the focused context look for the notes' words for the
    # question's terms too (an English question over Chinese notes, a name
    # spelled otherwise than the notes spell it).
    extra = notes_words(query, mentions)
    passages = search(query, settings.k, extra)
    retrieve_ms = (time.perf_counter() - started) * 1000
    verdict = judge(standalone, passages, mentions, similarity_floor=settings.similarity_floor)
    yield Sources(standalone, tuple(passages), verdict.covered, verdict.reason, extra)
    stats = AnswerStats(model=model if chat else "", retrieve_ms=retrieve_ms)

    if not verdict.covered:
        text = refusal_text(question, verdict.reason)
        yield Token(text)
        yield Done(text, refused=True, stats=stats)
        return
    if chat is None:
        yield Done("", refused=False, stats=stats)
        return

    context = chat.num_ctx(model)  # as every request of ``chat`` is sent
    # The model's refusal stands unless the passages hold every specific
    # term of the question: then it is more likely a slip (measured: 5 of 5
    # such refusals on the evaluation set were wrong), and it is asked once
    # more, in the same window.
    may_retry = verdict.passages_answer
    fit = partial(
        build_prompt,
        question,
        passages,
        history,
        context=context,
        context_tokens=settings.context_tokens,
        focus_words=extra,
    )
    retry_room = retry_tokens(question) if may_retry else 0
    prompt = fit(answer_reserve=settings.answer_tokens + retry_room)
    if may_retry and passages and not prompt.passages:
        # A window too small to leave room for asking again: asked once.
        may_retry = False
        prompt = fit(answer_reserve=settings.answer_tokens)
    if passages and not prompt.passages:
        raise QuestionTooLong(
            f"The question is too long ({len(question):,} characters) to leave room for any "
            f"passage of your notes in the model's context ({context:,} tokens). Shorten it, "
            "or raise `context_window` if the model allows."
        )
    options = {"temperature": settings.temperature, "num_predict": settings.answer_tokens}
    clock = _Clock(started)
    # Only when a retry may come is what may become a refusal held back
    # unshown; a refusal already shown stands.
    messages = prompt.messages
    # Everything shown passes through ``display``: a refusal closing an
    # answer waits there until the answer has been checked.
    display = ClosingRefusal()
    stream = partial(_stream, chat, model=model, options=options, clock=clock, show=display.show)
    first = yield from stream(messages, hold=might_become_refusal if may_retry else None)
    text, cut, final, retried = first.text, first.cut, first.stats, False
    repeated = first.repeated
    if first.held and not cut and is_refusal(text):
        retried = True
        # The refusal as the prompt words it, not as the model wrote it: a
        # reply repeating it up to ``num_predict`` is a refusal too, and
        # appended whole it would overflow the room kept for asking again.
        refusal = REFUSAL_ZH if is_chinese(question) else REFUSAL_EN
        messages = [
            *prompt.messages,
            {"role": "assistant", "content": refusal},
            {"role": "user", "content": retry_request(question)},
        ]
        try:
            second = yield from stream(messages, hold=retry_undecided, stop=echoes_request)
        except OllamaError as exc:
            if display.text:
                # Part of the second reply is on screen: it stands, cut short
                # (the first refusal after it would say the opposite).
                second = _Streamed((display.text,), str(exc), None, held=False)
            else:
                second = _Streamed((), "", None, held=True)  # the refusal is an answer already
        final = second.stats or final
        text, cut, repeated = second.text, second.cut, second.repeated
        if second.held:
            # Never shown. Empty, or the request repeated back (whatever
            # follows it: remarks on the passages, measured): the first
            # refusal stands.
            shown = second.pieces
            if not text.strip() or echoes_request(text):
                shown, cut = first.pieces, ""
            text = "".join(shown)
            yield from _shown(display.show, shown)
    elif first.held:
        yield from _shown(display.show, first.pieces)
    check = check_citations(text, prompt.numbered)
    citations = check.citations
    if not citations and not cut and text.strip() and not is_refusal(text):
        citations = _ask_for_citations(chat, model, messages, text, prompt.numbered)
    support = check_support(text, prompt.numbered)
    # An answer of several sentences, none of them in the passages, is the
    # model's memory speaking: the notes do not answer (said so).
    refused = is_refusal(text) or support.from_memory
    # "No more" after an answer from the notes: most of its sentences found
    # in the passages, or too short to judge but citing one.
    from_notes = support.from_notes or (support.judged == 0 and bool(citations))
    rest, shown_text = display.finish(nothing_more=not (cut or refused) and from_notes)
    if repeated:
        # The repetition was on screen for a moment; the answer is what
        # came before it.
        rest, shown_text = "", text
    if rest:
        yield Token(rest)
    yield Done(
        answer=shown_text,
        refused=refused,
        citations=citations,
        invalid_citations=check.invalid,
        unverified_quotes=check.unverified_quotes,
        cut=cut,
        repeated=repeated,
        stats=AnswerStats(
            model=model,
            retrieve_ms=retrieve_ms,
            first_token_ms=clock.first_token_ms,
            tokens_per_second=(
                final.output_tokens / final.eval_seconds if final and final.eval_seconds else None
            ),
            prompt_tokens=final.prompt_tokens if final else None,
            # The request last sent; the room kept for asking again is in
            # it when asked again, and was left free when not.
            budget=replace(
                prompt.budget,
                prompt_tokens=prompt_tokens(messages),
                answer_reserve=settings.answer_tokens,
            ),
            retried=retried,
        ),
        support=support,
    )


class _Clock:
    """When the first token of an answer came, from the answer's start."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.first_token_ms: float | None = None

    def token(self) -> None:
        if self.first_token_ms is None:
            self.first_token_ms = (time.perf_counter() - self.started) * 1000


@dataclass(frozen=True, slots=True)
class _Streamed:
    pieces: tuple[str, ...]
    cut: str  # why the stream stopped early, if it did
    stats: ChatStats | None
    held: bool  # nothing of it was shown (``hold`` never let go)
    repeated: bool = False  # it began repeating itself; ``pieces`` end before that

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def _stream(
    chat: OllamaChat,
    messages: Sequence[Mapping[str, str]],
    model: str,
    options: Mapping[str, object],
    clock: _Clock,
    *,
    show: Callable[[str], str],
    hold: Callable[[str], bool] | None,
    stop: Callable[[str], bool] | None = None,
) -> Generator[Token, None, _Streamed]:
    """Stream the model's reply as tokens, each as ``show`` lets it pass;
    while ``hold(text so far)`` is true, nothing is shown (the caller
    decides on what was held); once ``stop(text so far)`` is, nothing more
    is read, nor once the reply begins to repeat itself (``repetition``)."""
    pieces: list[str] = []
    so_far = ""
    holding = hold is not None
    stats: ChatStats | None = None
    cut = ""
    repeated = False
    try:
        with closing(chat.stream(messages, model=model, options=options)) as stream:
            for event in stream:
                if isinstance(event, ChatStats):
                    stats = event
                    continue
                clock.token()
                pieces.append(event)
                so_far += event
                if stop is not None and stop(so_far):
                    break
                if (start := repeating_from(so_far)) is not None:
                    pieces, repeated = [so_far[:start]], True
                    break
                if holding:
                    if hold is not None and hold(so_far):
                        continue
                    yield from _shown(show, pieces)
                    holding = False
                    continue
                yield from _shown(show, [event])
    except StreamCut as exc:
        cut = str(exc)
    return _Streamed(tuple(pieces), cut, stats, holding, repeated)


def _shown(show: Callable[[str], str], pieces: Sequence[str]) -> Iterator[Token]:
    """``pieces`` as tokens, as ``show`` lets them pass."""
    for piece in pieces:
        if out := show(piece):
            yield Token(out)


def _ask_for_citations(
    chat: OllamaChat,
    model: str,
    messages: Sequence[dict[str, str]],
    answer: str,
    passages: Mapping[int, Passage],
) -> tuple[Citation, ...]:
    """The passages the model says it used, for an answer it wrote without
    markers in words unlike the passages' (often an English answer to
    Chinese notes). The conversation so far is the model's cached prompt, so
    this costs a few tokens, not a second reading of the passages."""
    request = [
        *messages,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": CITATION_REQUEST},
    ]
    try:
        reply = chat.complete(request, model=model, options={"temperature": 0, "num_predict": 16})
    except OllamaError:
        return ()  # the answer stands without sources; it is not worth failing for
    numbers = dict.fromkeys(n for n in cited_numbers(reply) if n in passages)
    return tuple(Citation(n, passages[n], asked=True) for n in numbers)


def warm_up(chat: OllamaChat, model: str) -> None:
    """Have the model read the instructions every answer's prompt opens
    with, before any question: the server keeps the prompt it read last
    (Ollama does), so the first answer reads only what follows them."""
    instructions = [{"role": "system", "content": SYSTEM_PROMPT}]
    chat.complete(instructions, model=model, options={"num_predict": 1})
