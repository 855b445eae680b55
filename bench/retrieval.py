"""Retrieval ablation: every lever, one at a time, against the defaults.

Each row indexes the notes folder with the real pipeline (read, clean,
chunk, Chroma, BM25 over jieba) into a fresh temporary index, runs every
question of the question file through ``NotesIndex.search`` and scores the
hits with the same rule as ``notes-chat eval``. Vectors are cached on disk by
text (``.bench-cache/``), so rows that only change the search cost seconds and
a chunking row embeds only the chunks it has not seen before.

    python bench/retrieval.py [--questions ../shared/eval/dev.jsonl]
        [--notes ../shared/notes] [--only NAME ...] [--markdown FILE]

``--markdown`` writes the table (the one in docs/retrieval.md).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import ROOT, CachedEmbedder

from assistant.evaluate import score  # noqa: E402
from assistant.questions import load_questions  # noqa: E402
from index import NotesIndex, open_index  # noqa: E402

# The modules, not the functions the packages export under the same names.
bm25_module = importlib.import_module("index.bm25")
segment_module = importlib.import_module("index.segment")
fusion_module = importlib.import_module("index.fusion")
store_module = importlib.import_module("index.store")
sync_module = importlib.import_module("ingest.sync")

KINDS = ("paraphrase", "multi", "english")


@dataclass
class Variant:
    name: str
    lever: str
    size: int | None = None
    overlap: int | None = None
    search: dict[str, Any] = field(default_factory=dict)
    # Index-time replacements of product functions, for levers that turn a
    # feature off or swap its implementation.
    patches: dict[tuple[Any, str], Any] = field(default_factory=dict)


@contextlib.contextmanager
def patched(patches: dict[tuple[Any, str], Any]) -> Iterator[None]:
    saved = {(m, n): getattr(m, n) for m, n in patches}
    try:
        for (module, name), value in patches.items():
            setattr(module, name, value)
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


def run_variant(variant: Variant, notes: Path, questions, embedder: CachedEmbedder):
    size = variant.size or sync_module.DEFAULT_SIZE
    overlap = variant.overlap if variant.overlap is not None else sync_module.DEFAULT_OVERLAP
    rows = {}
    with patched(variant.patches), tempfile.TemporaryDirectory() as tmp:
        index = open_index(Path(tmp), embedder, create=True)
        report = sync_module.sync(index, [notes], size=size, overlap=overlap)
        embedder.save()
        started = time.perf_counter()
        for mode in ("bm25", "dense", "hybrid"):
            hits = {
                q.id: [
                    p.chunk.text for p in index.search(q.question, 10, mode=mode, **variant.search)
                ]
                for q in questions
            }
            rows[mode] = score(questions, hits)
        seconds = time.perf_counter() - started
    return report.chunks_total, rows, seconds


# bm25 calls `segment` through its own namespace: the levers below patch it there.
_segment = segment_module.segment


def _jieba_search_mode(text: str) -> list[str]:
    """jieba's search mode: long words also yield their parts."""
    import jieba

    _segment("")  # initialises jieba quietly
    return [t for t in (t.strip() for t in jieba.cut_for_search(text.lower())) if t]


def reciprocal_rank_fusion(
    hit_lists: Sequence[Sequence[tuple[str, float]]], k: int = 60
) -> list[tuple[str, float]]:
    """Rank-only fusion (RRF), the product's fusion before relative score
    fusion: each list adds 1 / (k + rank) to a chunk's score."""
    scores: dict[str, float] = {}
    for hits in hit_lists:
        for rank, (cid, _) in enumerate(hits, start=1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def _rrf(k: int) -> Callable[..., Any]:
    return lambda hit_lists: reciprocal_rank_fusion(hit_lists, k=k)


def _text_only(chunk: Any) -> str:
    return chunk.text


_CJK = re.compile(r"[\u3400-\u9fff]")
_query_is_latin = threading.local()


def _dense_weight_for_latin_queries(weight: float) -> dict[tuple[Any, str], Any]:
    """The embedder's ranking counts ``weight`` times for a question with no
    Chinese in it (BM25 over Chinese notes has little to go on there)."""
    search = NotesIndex.search

    def noting_search(self: NotesIndex, query: str, *args: Any, **kwargs: Any) -> Any:
        _query_is_latin.value = not _CJK.search(query)
        return search(self, query, *args, **kwargs)

    def weighted_fuse(hit_lists: Sequence[Any]) -> list[tuple[str, float]]:
        weights = [weight] + [1.0] * (len(hit_lists) - 1) if _query_is_latin.value else None
        scores: dict[str, float] = {}
        for hits, w in zip(hit_lists, weights or [1.0] * len(hit_lists), strict=True):
            for cid, scaled in fusion_module.fuse([hits]):
                scores[cid] = scores.get(cid, 0.0) + w * scaled
        return sorted(scores.items(), key=lambda item: -item[1])

    return {(NotesIndex, "search"): noting_search, (store_module, "fuse"): weighted_fuse}


def variants() -> list[Variant]:
    """The defaults, then each lever changed alone (first the old defaults,
    all levers at once)."""
    lexical, store, sync = bm25_module.LexicalIndex, store_module, sync_module
    return [
        Variant("defaults", "—"),
        Variant(
            "400/60, jieba search mode, words only, no heading in BM25, RRF",
            "previous defaults",
            size=400,
            overlap=60,
            patches={
                (bm25_module, "segment"): _jieba_search_mode,
                (lexical, "VIEWS"): ("words",),
                (bm25_module, "lexical_text"): _text_only,
                (store, "fuse"): _rrf(60),
            },
        ),
        Variant("400/60", "chunk size/overlap", size=400, overlap=60),
        Variant("500/100", "chunk size/overlap", size=500, overlap=100),
        Variant("600/120", "chunk size/overlap", size=600, overlap=120),
        Variant("800/120", "chunk size/overlap", size=800, overlap=120),
        Variant("700/0", "chunk size/overlap", size=700, overlap=0),
        Variant("700/200", "chunk size/overlap", size=700, overlap=200),
        Variant("not embedded", "heading path", patches={(sync, "embedding_text"): _text_only}),
        Variant("not in BM25", "heading path", patches={(bm25_module, "lexical_text"): _text_only}),
        Variant("words only", "BM25 views", patches={(lexical, "VIEWS"): ("words",)}),
        Variant("bigrams only", "BM25 views", patches={(lexical, "VIEWS"): ("bigrams",)}),
        Variant(
            "jieba search mode",
            "BM25 tokens",
            patches={(bm25_module, "segment"): _jieba_search_mode},
        ),
        Variant(
            "no stop words removed",
            "BM25 tokens",
            patches={(segment_module, "STOP_WORDS"): frozenset()},
        ),
        Variant("RRF k=60", "fusion", patches={(store, "fuse"): _rrf(60)}),
        Variant("RRF k=10", "fusion", patches={(store, "fuse"): _rrf(10)}),
        Variant("depth 10", "per-retriever depth", search={"depth": 10}),
        Variant("depth 20", "per-retriever depth", search={"depth": 20}),
        Variant("depth 100", "per-retriever depth", search={"depth": 100}),
        Variant(
            "dense ×2 for English questions",
            "query language",
            patches=_dense_weight_for_latin_queries(2.0),
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared/eval/dev.jsonl")
    parser.add_argument("--notes", type=Path, default=ROOT.parent / "shared/notes")
    parser.add_argument("--only", nargs="*", help="Run only the variants with these names.")
    parser.add_argument("--markdown", type=Path, help="Also write the table to this file.")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    embedder = CachedEmbedder()
    chosen = [v for v in variants() if not args.only or v.name in args.only]
    header = (
        "| lever | variant | chunks | hybrid R@1 | R@5 | R@10 | MRR | BM25 R@1 | R@5 | R@10 "
        "| MRR | dense R@1 | R@5 | R@10 | MRR | hybrid R@5 paraphrase | multi | english |"
    )
    lines = [header, "|" + "---|" * 19]
    print(header, flush=True)
    for variant in chosen:
        chunks, rows, _ = run_variant(variant, args.notes, questions, embedder)
        cells = [variant.lever, variant.name, str(chunks)]
        for mode in ("hybrid", "bm25", "dense"):
            s = rows[mode]
            cells += [f"{s.recall[1]:.3f}", f"{s.recall[5]:.3f}", f"{s.recall[10]:.3f}"]
            cells.append(f"{s.mrr:.3f}")
        kinds = rows["hybrid"].by_kind
        cells += [f"{kinds.get(kind, {}).get('recall@5', 0):.3f}" for kind in KINDS]
        line = "| " + " | ".join(cells) + " |"
        lines.append(line)
        print(line, flush=True)
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
