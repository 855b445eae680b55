"""Time to the first token: the whole `ask` path against the same prompt sent
straight to the model, question by question, in the same run.

    python bench/answer_latency.py QUESTIONS.jsonl [--model M] [-n 5]

Needs an indexed notes folder (NOTES_CHAT_HOME) and a running Ollama
(OLLAMA_HOST). Before each timed call a tiny unrelated request replaces the
model's prompt cache, so neither side gets the other's prompt for free.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assistant import Assistant, Done, Sources, load_settings
from assistant.ollama_client import ChatStats
from assistant.prompt import build_prompt
from assistant.questions import load_questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--model", default=None)
    parser.add_argument("-n", type=int, default=5, help="answerable questions to time")
    args = parser.parse_args()
    settings = load_settings()
    assistant = Assistant(settings)
    chat = assistant.chat_client()
    model = args.model or settings.model
    questions = [q for q in load_questions(args.questions) if q.answerable][: args.n]
    assistant.search("warm up", 1)  # load the embedder and BM25 once, as a running app has

    def flush_cache() -> None:
        chat.complete([{"role": "user", "content": "hi"}], model=model, options={"num_predict": 1})

    rows = []
    for q in questions:
        flush_cache()
        started = time.perf_counter()
        pipeline_ms = None
        sources = None
        for event in assistant.ask(q.question, model=model, save=False):
            if isinstance(event, Sources):
                sources = event
            elif pipeline_ms is None and not isinstance(event, (Sources, Done)):
                pipeline_ms = (time.perf_counter() - started) * 1000
        if pipeline_ms is None or sources is None or not sources.covered:
            continue
        context = min(chat.context_window(model), settings.context_window)
        prompt = build_prompt(
            q.question, sources.passages, [], context=context, answer_reserve=settings.answer_tokens
        )
        options = {"temperature": settings.temperature, "num_ctx": context,
                   "num_predict": settings.answer_tokens}  # fmt: skip
        flush_cache()
        started = time.perf_counter()
        direct_ms = None
        for event in chat.stream(prompt.messages, model=model, options=options):
            if direct_ms is None and not isinstance(event, ChatStats):
                direct_ms = (time.perf_counter() - started) * 1000
        rows.append((q.id, pipeline_ms, direct_ms or 0.0))
        print(f"q{q.id}: ask {pipeline_ms / 1000:.2f} s, model alone {direct_ms / 1000:.2f} s, "
              f"added {(pipeline_ms - direct_ms) :.0f} ms")  # fmt: skip
    added = [p - d for _, p, d in rows]
    print(
        f"median time to first token: ask {statistics.median(p for _, p, _ in rows) / 1000:.2f} s, "
        f"model alone {statistics.median(d for _, _, d in rows) / 1000:.2f} s; "
        f"added by notes-chat: median {statistics.median(added):.0f} ms "
        f"(ratio {statistics.median(p / d for _, p, d in rows):.3f})"
    )


if __name__ == "__main__":
    main()
