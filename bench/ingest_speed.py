"""Ingest throughput: the whole pipeline against the embedder alone.

Baseline: the raw embedder (bundled e5-small) embedding the very chunks the
pipeline makes, in the pipeline's batches. Measured: `sync` of the notes
folder into a fresh index (find, read, clean, chunk, embed, Chroma, BM25,
manifest). Both run with the model already loaded, alternately, ``--runs``
times each; the ratio of medians is what the pipeline keeps of the
embedder's speed (goal ≥ 0.9).

    python bench/ingest_speed.py [--notes ../shared/notes] [--runs 2]
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from pathlib import Path

from common import SHARED, median

from index import open_index
from ingest.embed import make_embedder

sync_module = importlib.import_module("ingest.sync")


def chunks_of(notes: Path) -> list:
    """The chunks the pipeline makes of ``notes`` (read, clean, chunk)."""
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(Path(tmp), make_embedder("hashing"), create=True)
        sync_module.sync(index, [notes])
        return list(index._dense.all_chunks())


def time_raw(embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), sync_module.EMBED_BATCH):
        embedder.embed_passages(texts[start : start + sync_module.EMBED_BATCH])
    return time.perf_counter() - started


def time_pipeline(embedder, notes: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(Path(tmp), embedder, create=True)
        started = time.perf_counter()
        report = sync_module.sync(index, [notes])
        return time.perf_counter() - started, report.chunks_embedded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=Path, default=SHARED / "notes")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    texts = [sync_module.embedding_text(c) for c in chunks_of(args.notes)]
    embedder = make_embedder("e5-small")
    embedder.embed_passages(texts[:2])  # load the model outside the timings
    raw, full = [], []
    for _ in range(args.runs):
        raw.append(len(texts) / time_raw(embedder, texts))
        seconds, embedded = time_pipeline(embedder, args.notes)
        full.append(embedded / seconds)
    print(f"{len(texts)} chunks from {args.notes}, {args.runs} runs each")
    print(f"baseline, raw embedder:  {median(raw):6.2f} chunks/s  (runs: {_runs(raw)})")
    print(f"whole ingest pipeline:   {median(full):6.2f} chunks/s  (runs: {_runs(full)})")
    print(f"ratio pipeline / raw:    {median(full) / median(raw):6.3f}  (goal >= 0.9)")
    return 0


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    raise SystemExit(main())
