"""How the relevance gate decides, without a model: refusal precision and
recall of the gate alone on question files, by the shape of the question
(plain Chinese, Latin-script, mixed), and the questions it gets wrong.

    python bench/honesty.py ../shared/eval/dev.jsonl bench/honesty/calibration.jsonl \\
        [--floor none|0.88] [--wrong]

Indexes ../shared/notes once with the default embedder (vectors cached in
.bench-cache/), then runs ``gate.judge`` on each question's top-5 passages,
exactly as ``ask`` does before the model is asked. The model's own refusals
come on top of these (``notes-chat eval FILE --answers``).
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from common import SHARED, CachedEmbedder

from assistant.gate import judge, similarity_floor  # noqa: E402
from assistant.questions import load_questions  # noqa: E402
from index import open_index  # noqa: E402
from ingest.sync import sync  # noqa: E402

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def shape(question: str) -> str:
    latin, cjk = bool(_LATIN.search(question)), bool(_CJK.search(question))
    if cjk and not latin:
        return "plain Chinese"
    if latin and not cjk:
        return "English" if question != question.lower() else "lowercase English"
    return "mixed"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="+", type=Path)
    parser.add_argument("--floor", default="", help="similarity floor: a number or none")
    parser.add_argument("--wrong", action="store_true", help="list the questions it gets wrong")
    args = parser.parse_args(argv)
    embedder = CachedEmbedder()
    floor = similarity_floor(embedder.fingerprint)
    if args.floor:
        floor = None if args.floor == "none" else float(args.floor)
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(Path(tmp), embedder, create=True)  # type: ignore[arg-type]
        sync(index, [SHARED / "notes"], size=700, overlap=120)
        embedder.save()
        print(f"similarity floor: {floor}")
        print("| file | shape | unanswerable refused | answerable refused |")
        print("|---|---|---|---|")
        for path in args.questions:
            counts: Counter[tuple[str, str]] = Counter()
            wrong = []
            for q in load_questions(path):
                verdict = judge(
                    q.question, index.search(q.question, 5), index.mentions, similarity_floor=floor
                )
                refused = not verdict.covered
                kind = shape(q.question)
                counts[(kind, "n_un" if not q.answerable else "n_an")] += 1
                counts[(kind, "tp" if not q.answerable else "fp")] += refused
                if refused == q.answerable:
                    wrong.append((q, verdict.reason))
            for kind in sorted({k for k, _ in counts}):
                c = {s: counts[(kind, s)] for s in ("n_un", "tp", "n_an", "fp")}
                print(f"| {path.name} | {kind} | {c['tp']}/{c['n_un']} | {c['fp']}/{c['n_an']} |")
            tp = sum(v for (_, s), v in counts.items() if s == "tp")
            fp = sum(v for (_, s), v in counts.items() if s == "fp")
            n_un = sum(v for (_, s), v in counts.items() if s == "n_un")
            n_an = sum(v for (_, s), v in counts.items() if s == "n_an")
            precision = tp / (tp + fp) if tp + fp else 0.0
            print(
                f"| {path.name} | **all** | {tp}/{n_un} (recall {tp / max(n_un, 1):.2f}) "
                f"| {fp}/{n_an} (precision {precision:.2f}) |"
            )
            if args.wrong:
                for q, reason in wrong:
                    what = "refused" if q.answerable else "let through"
                    print(f"    {what} {q.id}: {q.question}  {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
