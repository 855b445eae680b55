"""Retrieval when a question opens by greeting whom it is put to: the
answerable questions of a file asked plainly (the baseline, same run), then
each with one of a few openings a student writes ("老师您好，", "学长学姐们好，我想
问一下，"), searched as the product searches them, and searched whole.

    python bench/openings.py QUESTIONS.jsonl

Needs an indexed notes folder (NOTES_CHAT_HOME).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository on sys.path)

from assistant import Assistant, load_settings
from assistant.evaluate import Scores, score
from assistant.expansion import notes_words
from assistant.questions import Question, load_questions

OPENINGS = ("老师您好，", "学长学姐们好，我想问一下，", "hello 老师，", "王老师，请教一下，")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path)
    args = parser.parse_args()
    assistant = Assistant(load_settings())
    index = assistant._open()
    plain = [q for q in load_questions(args.questions) if q.answerable and q.evidence]
    opened = [replace(q, question=OPENINGS[n % len(OPENINGS)] + q.question)
              for n, q in enumerate(plain)]  # fmt: skip

    def searched(questions: list[Question], whole: bool = False) -> Scores:
        hits = {}
        for q in questions:
            if whole:  # the query as given, with the notes' words for its terms
                extra = notes_words(q.question, index.mentions)
                found = index.search(q.question, 10, lexical_extra=extra)
            else:  # as the product searches it
                found = assistant.search(q.question, 10)
            hits[q.id] = [p.chunk.text for p in found]
        return score(questions, hits)

    print(f"{len(plain)} answerable questions, openings taken in turn: {', '.join(OPENINGS)}")
    print("| questions | Recall@5 | MRR |")
    print("|---|---|---|")
    for name, result in (
        ("asked plainly (baseline)", searched(plain)),
        ("with an opening, searched as the product does", searched(opened)),
        ("with an opening, searched whole", searched(opened, whole=True)),
    ):
        print(f"| {name} | {result.recall[5]:.3f} | {result.mrr:.3f} |")


if __name__ == "__main__":
    main()
