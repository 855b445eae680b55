"""Time to the first token and answer quality, whole passages against a
focused context, on the same questions in the same run.

    python bench/answer_latency.py QUESTIONS.jsonl [--model M] [--budgets 0,600/0,1000]
        [--answerable 20] [--unanswerable 8] [--out rows.jsonl]
    python bench/answer_latency.py QUESTIONS.jsonl --report rows.jsonl

For each question and each budget of ``context_tokens`` (0: whole passages,
the old context; ``B/S``: budget B with ``focus.MIN_SHARE`` S instead of
its default, ``600/0`` being the focused context before that cut-off): the
whole ``ask`` path (its time to the first token, the prompt tokens Ollama
counted, the answer), then the same prompt sent
straight to the model (the model-alone baseline). Before each timed call a
tiny unrelated request replaces the model's prompt cache, so no call gets
another's prompt for free. The answers are scored as ``eval --answers``
scores them: refusal precision/recall and citation accuracy. Questions are
taken evenly across the file (every n-th), answerable and not.

``--cache BUDGET`` measures instead what the server's prompt cache saves, on
``--answerable`` questions: a question's prompt read cold, right after the
instructions alone (what the chat app's warm-up has the model read as it
starts), and right after another question's, whose instructions are
byte-identical.

Needs an indexed notes folder (NOTES_CHAT_HOME) and a running Ollama
(OLLAMA_HOST). Rows are written as they come (``--out``), so a cut run can
still be reported with ``--report``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from common import ROOT  # noqa: F401  (puts the repository on sys.path)

from assistant import Assistant, Done, Sources, focus, load_settings
from assistant.evaluate import score_answers
from assistant.ollama_client import ChatStats
from assistant.prompt import build_prompt
from assistant.questions import Question, load_questions
from assistant.run_file import RunAnswer

DEFAULT_SHARE = focus.MIN_SHARE


def spread(items: list[Question], n: int) -> list[Question]:
    """``n`` items taken evenly across ``items``."""
    if n >= len(items):
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


class Bench:
    def __init__(self, model: str | None) -> None:
        self.settings = load_settings()
        self.assistant = Assistant(self.settings)
        self.chat = self.assistant.chat_client()
        self.model = model or self.settings.model
        self.context = self.chat.num_ctx(self.model)
        self.assistant.search("warm up", 1)  # the embedder and BM25 loaded, as in a running app

    def flush_cache(self) -> None:
        self.chat.complete([{"role": "user", "content": "hi"}], model=self.model,
                           options={"num_predict": 1})  # fmt: skip

    def prompt(self, sources: Sources, budget: int) -> list[dict[str, str]]:
        # (with the focus.MIN_SHARE ``ask`` used: set by ``ask`` below)
        """The prompt ``ask`` sent for these sources, as the model alone gets it."""
        return build_prompt(sources.query, sources.passages, [], context=self.context,
                            answer_reserve=self.settings.answer_tokens, context_tokens=budget,
                            focus_words=sources.also_searched).messages  # fmt: skip

    def model_alone(self, messages: list[dict[str, str]]) -> tuple[float, int]:
        """Time to the first token (ms) and prompt tokens of ``messages``."""
        options = {"temperature": self.settings.temperature, "num_ctx": self.context,
                   "num_predict": 1}  # fmt: skip
        started = time.perf_counter()
        first, tokens = None, 0
        for event in self.chat.stream(messages, model=self.model, options=options):
            if isinstance(event, ChatStats):
                tokens = event.prompt_tokens or 0
            elif first is None:
                first = (time.perf_counter() - started) * 1000
        return first or 0.0, tokens

    def ask(self, q: Question, label: str) -> dict[str, Any]:
        budget, _, share = label.partition("/")
        focus.MIN_SHARE = float(share) if share else DEFAULT_SHARE
        return self._ask(q, int(budget)) | {"budget": label}

    def _ask(self, q: Question, budget: int) -> dict[str, Any]:
        self.assistant.settings = self.settings.model_copy(update={"context_tokens": budget})
        self.flush_cache()
        sources: Sources | None = None
        done: Done | None = None
        for event in self.assistant.ask(q.question, model=self.model, save=False):
            if isinstance(event, Sources):
                sources = event
            elif isinstance(event, Done):
                done = event
        assert sources is not None and done is not None
        row: dict[str, Any] = {"id": q.id, "budget": budget, "answerable": q.answerable,
                               "covered": sources.covered}  # fmt: skip
        run = RunAnswer.of(done)
        row.update(refused=run.refused, cited=[c.text for c in run.cited],
                   supported=list(run.supported), answer=done.answer,
                   ttft_ms=done.stats.first_token_ms, prompt_tokens=done.stats.prompt_tokens,
                   retried=done.stats.retried)  # fmt: skip
        if sources.covered and sources.passages:
            self.flush_cache()
            alone_ms, alone_tokens = self.model_alone(self.prompt(sources, budget))
            row.update(alone_ms=alone_ms, alone_tokens=alone_tokens)
        return row


def report(questions: list[Question], rows: list[dict[str, Any]]) -> None:
    by_id = {q.id: q for q in questions}
    for row in rows:
        row["budget"] = str(row["budget"])  # rows of runs before B/S labels hold ints
    budgets = sorted({r["budget"] for r in rows}, key=lambda b: (int(b.split("/")[0]), b))
    # Only questions every budget answered, so each row of the table is the same set.
    common = set.intersection(*({r["id"] for r in rows if r["budget"] == b} for b in budgets))
    print(f"{len(common)} questions ({sum(by_id[i].answerable for i in common)} answerable)")
    print(
        "| context | median first token, ask | model alone | median prompt tokens "
        "| refusal P | R | answerable refused | citation accuracy | supported sentences |"
    )
    print("|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for budget in budgets:
        mine = [r for r in rows if r["budget"] == budget and r["id"] in common]
        timed = [r for r in mine if r.get("alone_ms") and r["ttft_ms"]]
        scores = score_answers(
            [by_id[i] for i in sorted(common)],
            {r["id"]: r["refused"] for r in mine},
            {r["id"]: r["cited"] for r in mine},
            {r["id"]: r["supported"] for r in mine},
        )
        print(
            f"| {'whole passages' if budget == '0' else budget} "
            f"| {statistics.median(r['ttft_ms'] for r in timed) / 1000:.1f} s "
            f"| {statistics.median(r['alone_ms'] for r in timed) / 1000:.1f} s "
            f"| {statistics.median(r['prompt_tokens'] for r in timed):.0f} "
            f"| {scores.refusal_precision:.3f} | {scores.refusal_recall:.3f} "
            f"| {scores.answerable_refused} | {scores.citation_accuracy:.3f} ({scores.answered}) "
            f"| {scores.supported_answerable} |"
        )


def cache(bench: Bench, questions: list[Question], budget: int) -> None:
    """Each prompt read cold, right after the instructions alone (the chat
    app's warm-up), and right after another question's prompt."""
    from assistant.answer import warm_up

    prompts = []
    for q in questions:
        sources = next(e for e in bench.assistant.ask(q.question, use_llm=False, save=False)
                       if isinstance(e, Sources))  # fmt: skip
        if sources.covered and sources.passages:
            prompts.append(bench.prompt(sources, budget))
    rows = []
    for before, messages in zip(prompts, prompts[1:], strict=False):
        bench.flush_cache()
        cold, tokens = bench.model_alone(messages)
        bench.flush_cache()
        warm_up(bench.chat, bench.model)
        warmed, _ = bench.model_alone(messages)
        bench.flush_cache()
        bench.model_alone(before)
        after, _ = bench.model_alone(messages)
        rows.append((cold, warmed, after))
        print(f"{tokens} prompt tokens: cold {cold / 1000:.2f} s, after the instructions "
              f"{warmed / 1000:.2f} s, after another question {after / 1000:.2f} s")  # fmt: skip
    cold, warmed, after = (statistics.median(r[i] for r in rows) / 1000 for i in range(3))
    print(f"budget {budget}: median cold {cold:.2f} s, after the instructions {warmed:.2f} s, "
          f"after another question {after:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--model", default=None)
    parser.add_argument(
        "--budgets", default="0,1000", help="context_tokens[/min share]; 0: whole passages"
    )
    parser.add_argument("--answerable", type=int, default=20)
    parser.add_argument("--unanswerable", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("answer-latency.jsonl"))
    parser.add_argument("--report", type=Path, help="only report the rows of an earlier run")
    parser.add_argument("--cache", type=int, metavar="BUDGET", help="measure the prompt cache")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    chosen = spread([q for q in questions if q.answerable], args.answerable) + spread(
        [q for q in questions if not q.answerable], args.unanswerable
    )
    if args.report:
        rows = [json.loads(line) for line in args.report.read_text().splitlines() if line]
        report(questions, rows)
        return
    bench = Bench(args.model)
    if args.cache is not None:
        cache(bench, spread([q for q in questions if q.answerable], args.answerable), args.cache)
        return
    rows = []
    with args.out.open("w", encoding="utf-8") as out:
        for q in chosen:
            for budget in args.budgets.split(","):
                row = bench.ask(q, budget)
                rows.append(row)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                out.flush()
                print(f"q{q.id} budget {budget}: first token {(row['ttft_ms'] or 0) / 1000:.1f} s, "
                      f"model alone {row.get('alone_ms', 0) / 1000:.1f} s, "
                      f"{row['prompt_tokens']} prompt tokens, refused {row['refused']}",
                      flush=True)  # fmt: skip
    report(questions, rows)


if __name__ == "__main__":
    main()
