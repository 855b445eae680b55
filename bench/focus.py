"""What a focused context keeps, without a model: for each budget of
``context_tokens``, the prompt's size and whether each answerable question's
evidence is still in what the model would read, against whole passages
(budget 0) on the same questions in the same run; and, for the questions
with a reference answer, whether what is sent holds most of it (more than
half of its sentences found there, as an answer's sentences are checked:
``support.check_claim``), since the answer may sit beside the evidence.

    python bench/focus.py QUESTIONS.jsonl [--budgets 0,300,500,800]

Needs an indexed notes folder (NOTES_CHAT_HOME). The figures that need the
model (time to first token, citations, refusals) are bench/answer_latency.py's.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository on sys.path)

from assistant import Assistant, Sources, load_settings
from assistant.evaluate import evidence_found
from assistant.prompt import build_prompt
from assistant.questions import load_questions
from assistant.support import check_claim

CONTEXT = 4096  # the window the prompt is fitted to, as with the default model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--budgets", default="0,300,400,500,600,800,1000")
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    settings = load_settings()
    assistant = Assistant(settings)
    questions = [q for q in load_questions(args.questions) if q.answerable and q.evidence]

    tokens: dict[int, list[int]] = {b: [] for b in budgets}
    sent: dict[int, list[int]] = {b: [] for b in budgets}
    kept: dict[int, int] = dict.fromkeys(budgets, 0)
    held: dict[int, int] = dict.fromkeys(budgets, 0)
    asked = with_answer = 0
    for q in questions:
        sources = next(e for e in assistant.ask(q.question, use_llm=False, save=False)
                       if isinstance(e, Sources))  # fmt: skip
        if not sources.covered:
            continue
        asked += 1
        with_answer += bool(q.answer)
        for budget in budgets:
            prompt = build_prompt(q.question, sources.passages, [], context=CONTEXT,
                                  answer_reserve=settings.answer_tokens,
                                  context_tokens=budget,
                                  focus_words=sources.also_searched)  # fmt: skip
            tokens[budget].append(prompt.budget.prompt_tokens)
            sent[budget].append(len(prompt.passages))
            text = "\n".join(p.chunk.text for p in prompt.passages)
            kept[budget] += all(evidence_found(e, text) for e in q.evidence)
            held[budget] += bool(q.answer) and check_claim(q.answer, text).from_notes

    print(f"{asked} answerable questions the gate lets through, of {len(questions)}")
    if not asked:
        return
    print("| context_tokens | median prompt tokens (estimate) | passages sent (median) "
          "| evidence in what is sent | reference answer in what is sent "
          "| ratio of tokens to whole passages |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    whole = statistics.median(tokens[budgets[0]])
    for budget in budgets:
        median = statistics.median(tokens[budget])
        passages = statistics.median(sent[budget])
        share = f"{kept[budget] / asked:.3f} ({kept[budget]}/{asked})"
        answers = "—"
        if with_answer:
            answers = f"{held[budget] / with_answer:.3f} ({held[budget]}/{with_answer})"
        print(f"| {budget or 'whole passages'} | {median:.0f} | {passages:.0f} | {share} "
              f"| {answers} | {median / whole:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
