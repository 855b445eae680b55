"""Search at scale: latency by part, Chroma's approximate recall, and memory,
for indexes of about 1k, 10k and 100k chunks.

The corpus is synthetic, built from the sentences of ../shared/notes:
lecture files of 8 sections, each a run of 12 consecutive sentences of the
notes (one in ten swapped for a random one), indexed with the real pipeline
(chunking, Chroma, BM25 over jieba). Embedding 100k chunks with e5-small
would take five hours here, so a passage's vector is made from the e5
vectors of the sentences it holds (each embedded once, cached; see
MixEmbedder); queries are the questions of ../shared/eval/dev.jsonl,
embedded for real. Built indexes are kept in .bench-cache/scale-N-v3/.

Reported, each in the same run:
- latency of `NotesIndex.search(q, 5)`: p50/p95 of the whole and of each part
  (query embedding, Chroma query + fetch, BM25, fusion, the rest); the
  baseline is the sum of the parts' medians, so "rest" is our own overhead;
- dense recall@10 of Chroma's HNSW search against exact search over the same
  vectors, with the product's settings; with --hnsw-grid also for other
  graph settings (max_neighbors, ef_construction) and ef_search values, each
  graph built anew from the index's vectors, with its build time and disk
  (baseline: Chroma's defaults, 16/100/100);
- peak RSS of a process that opens the index and searches (baseline: the
  same process on the smallest index).

    python bench/scale.py [--sizes 1000 10000 100000] [--hnsw-grid]
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from common import CACHE, SHARED, CachedEmbedder, median, percentile

from assistant.questions import load_questions
from index import NotesIndex, open_index

bm25_module = importlib.import_module("index.bm25")
dense_module = importlib.import_module("index.dense")
store_module = importlib.import_module("index.store")
sync_module = importlib.import_module("ingest.sync")

SECTIONS, RUN = 8, 12  # sections per file, sentences per section
SPREAD = 2.5  # see MixEmbedder
_PIECES = re.compile(r"(?<=[。！？!?])|\n")


def sentence_pool() -> list[str]:
    """The sentences of the notes, in their order, each once."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((SHARED / "notes").glob("*")))
    pieces = (s.strip() for s in _PIECES.split(text))
    return list(dict.fromkeys(s for s in pieces if len(s) >= 8))


class MixEmbedder:
    """Passage vectors made from cached sentence vectors; real query vectors.

    The mean of a passage's sentence vectors keeps its topic but is far more
    alike to every other such mean (cosine 0.98) than real chunk vectors are
    to each other (0.89 ± 0.02 on ../shared/notes): averaging shrinks what
    sets a text apart. So the mean's distance from the centre of all sentence
    vectors is stretched by SPREAD, which gives the real spread back without
    adding random directions (measured: 0.88 ± 0.03)."""

    def __init__(self, e5: CachedEmbedder, pool: list[str]) -> None:
        self._e5 = e5
        self.dim = e5.dim
        self.fingerprint = "bench-mix:" + e5.fingerprint
        vectors = e5.embed_passages(pool)
        e5.save()
        self._sentences = dict(zip(pool, vectors, strict=True))
        self._centre = vectors.mean(axis=0)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            pieces = (s.strip() for s in _PIECES.split(text))
            found = [self._sentences[s] for s in pieces if s in self._sentences]
            mean = np.mean(found, axis=0) if found else np.ones(self.dim, dtype=np.float32)
            stretched = self._centre + SPREAD * (mean - self._centre)
            rows.append(stretched / np.linalg.norm(stretched))
        return np.asarray(rows, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._e5._inner.embed_query(text)  # real, uncached: it is a measured part


def build(size: int, embedder: MixEmbedder, pool: list[str]) -> Path:
    """The index of about ``size`` chunks, built once and kept."""
    home = CACHE / f"scale-{size}-v4"
    if (home / "done.json").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    notes = home / "notes"
    rng = random.Random(size)
    files = max(1, round(size / 10.4))  # ~10.4 chunks of 700 characters per file
    for i in range(files):
        folder = notes / f"course-{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        sections = [f"# 第{i}讲"]
        for j in range(SECTIONS):
            start = rng.randrange(len(pool) - RUN)
            run = [
                rng.choice(pool) if rng.random() < 0.1 else sentence
                for sentence in pool[start : start + RUN]
            ]
            sections.append(f"## 第{j + 1}节\n\n" + "\n".join(run))
        (folder / f"lecture-{i:05d}.md").write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    index = open_index(home / "index", embedder, create=True)
    started = time.perf_counter()
    report = sync_module.sync(index, [notes])
    seconds = time.perf_counter() - started
    (home / "done.json").write_text(
        json.dumps({"chunks": report.chunks_total, "seconds": seconds}), encoding="utf-8"
    )
    return home


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class PartTimer:
    """Wraps the parts of a search to time each call."""

    PARTS = {
        "query embedding": (MixEmbedder, "embed_query"),
        "Chroma": (dense_module.DenseStore, "query"),
        "Chroma fetch": (dense_module.DenseStore, "get"),
        "BM25": (bm25_module.LexicalIndex, "search"),
        "fusion": (store_module, "fuse"),
    }

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        for part, (owner, name) in self.PARTS.items():
            setattr(owner, name, self._timed(part, getattr(owner, name)))

    def _timed(self, part: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.current[part] += time.perf_counter() - started

        return timed


def latency(index: NotesIndex, questions: list[str], timer: PartTimer) -> dict[str, list[float]]:
    for q in questions[:5]:  # warm-up: first queries load jieba, the model, caches
        index.search(q, 5)
    samples: dict[str, list[float]] = defaultdict(list)
    for q in questions:
        timer.current.clear()
        started = time.perf_counter()
        index.search(q, 5)
        total = time.perf_counter() - started
        parts = dict(timer.current)
        parts["Chroma"] = parts.get("Chroma", 0) + parts.pop("Chroma fetch", 0)
        for part, seconds in parts.items():
            samples[part].append(seconds * 1000)
        samples["rest"].append((total - sum(parts.values())) * 1000)
        samples["total"].append(total * 1000)
    return samples


def all_vectors(index: NotesIndex) -> tuple[list[str], np.ndarray]:
    collection = index._dense._collection
    ids: list[str] = []
    rows: list[np.ndarray] = []
    offset = 0
    while True:
        got = collection.get(include=["embeddings"], limit=5000, offset=offset)
        ids.extend(got["ids"])
        rows.append(np.asarray(got["embeddings"], dtype=np.float32))
        if len(got["ids"]) < 5000:
            return ids, np.concatenate(rows)
        offset += 5000


GRID = [(16, 100), (32, 200), (32, 400), (48, 400)]  # (max_neighbors, ef_construction)
GRID_EF = [100, 400, 800]


def hnsw_grid(home: Path) -> None:
    """Recall and cost of other HNSW settings, on copies of the index's vectors."""
    print(
        "| max_neighbors | ef_construction | build s | disk MB | ef_search "
        "| recall@10 | median ms, k=10 |\n|---|---|---|---|---|---|---|"
    )
    for neighbours, construction in GRID:
        built, disk = _probe("grid_build", home, neighbours, construction).split()
        for ef in GRID_EF:
            _probe("grid_set_ef", home, neighbours, construction, ef)
            share, ms = _probe("grid_recall", home, neighbours, construction).split()
            print(
                f"| {neighbours} | {construction} | {float(built):.0f} | {float(disk):.0f} "
                f"| {ef} | {float(share):.4f} | {float(ms):.2f} |",
                flush=True,
            )


def _grid_client(home: str, neighbours: str, construction: str) -> tuple[Any, Path]:
    import chromadb
    from chromadb.config import Settings

    path = Path(home) / f"grid-{neighbours}-{construction}"
    client = chromadb.PersistentClient(str(path), settings=Settings(anonymized_telemetry=False))
    return client, path


def grid_build(home: str, neighbours: str, construction: str) -> None:
    shutil.rmtree(Path(home) / f"grid-{neighbours}-{construction}", ignore_errors=True)
    ids, matrix = all_vectors(_open(home))
    client, path = _grid_client(home, neighbours, construction)
    hnsw = {"space": "cosine", "max_neighbors": int(neighbours)}
    hnsw["ef_construction"] = int(construction)
    collection = client.create_collection(
        "vectors", embedding_function=None, configuration={"hnsw": hnsw}
    )
    started = time.perf_counter()
    for start in range(0, len(ids), 5000):
        collection.add(ids=ids[start : start + 5000], embeddings=matrix[start : start + 5000])
    print(f"{time.perf_counter() - started:.1f} {du(path) / 2**20:.1f}")


def grid_set_ef(home: str, neighbours: str, construction: str, ef: str) -> None:
    client, _ = _grid_client(home, neighbours, construction)
    client.get_collection("vectors").modify(configuration={"hnsw": {"ef_search": int(ef)}})
    print("ok")


def grid_recall(home: str, neighbours: str, construction: str) -> None:
    client, _ = _grid_client(home, neighbours, construction)
    collection = client.get_collection("vectors")
    _recall(_open(home), lambda v: collection.query(query_embeddings=[v], n_results=10)["ids"][0])


def hnsw_recall(home: Path) -> tuple[float, float]:
    """(recall@10, median ms of a k=10 query) of the index as the product made it."""
    share, ms = _probe("recall", home).split()
    return float(share), float(ms)


def _probe(action: str, *args: object) -> str:
    code = f"import sys; sys.path.insert(0, 'bench'); import scale; scale.{action}(*sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    return done.stdout.strip().splitlines()[-1]


def _open(home: str | Path) -> NotesIndex:
    return open_index(Path(home) / "index", MixEmbedder(CachedEmbedder(), sentence_pool()))


def recall(home: str) -> None:
    index = _open(home)
    _recall(index, lambda v: [cid for cid, _ in index._dense.query(v, 10)])


def _recall(index: NotesIndex, nearest: Any) -> None:
    ids, matrix = all_vectors(index)
    labels = np.array(ids)
    found, times = [], []
    for q in load_questions(SHARED / "eval" / "dev.jsonl"):
        vector = index.embedder.embed_query(q.question)
        truth = set(labels[np.argsort(-(matrix @ vector))[:10]])
        started = time.perf_counter()
        hits = nearest(vector)
        times.append((time.perf_counter() - started) * 1000)
        found.append(len(set(hits) & truth) / 10)
    print(f"{np.mean(found):.4f} {median(times):.3f}")


def peak_rss(home: Path) -> float:
    """Peak RSS (MB) of a fresh process that opens the index and searches."""
    return float(_probe("rss_probe", home))


def rss_probe(home: str) -> None:
    index = _open(home)
    for q in load_questions(SHARED / "eval" / "dev.jsonl")[:20]:
        index.search(q.question, 5)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument(
        "--hnsw-grid", action="store_true", help="Also try other HNSW settings at the largest size."
    )
    args = parser.parse_args()

    pool = sentence_pool()
    e5 = CachedEmbedder()
    embedder = MixEmbedder(e5, pool)
    questions = [q.question for q in load_questions(SHARED / "eval" / "dev.jsonl")]
    timer = PartTimer()
    rss: dict[int, float] = {}
    for size in args.sizes:
        home = build(size, embedder, pool)
        built = json.loads((home / "done.json").read_text(encoding="utf-8"))
        index = open_index(home / "index", embedder)
        chunks = built["chunks"]
        print(
            f"\n## {chunks} chunks (built in {built['seconds']:.0f} s; "
            f"Chroma {du(home / 'index' / 'chroma') / 2**20:.0f} MB on disk)"
        )
        samples = latency(index, questions, timer)
        parts = [p for p in samples if p not in ("rest", "total")]
        print("| part | p50 ms | p95 ms |\n|---|---|---|")
        for part in [*parts, "rest", "total"]:
            values = samples[part]
            print(f"| {part} | {percentile(values, 50):.2f} | {percentile(values, 95):.2f} |")
        baseline = sum(percentile(samples[p], 50) for p in parts)
        total = percentile(samples["total"], 50)
        print(
            f"p50 total {total:.2f} ms vs the parts' sum {baseline:.2f} ms: "
            f"ratio {total / baseline:.2f}"
        )
        share, ms = hnsw_recall(home)
        print(f"dense recall@10 vs exact search: {share:.4f} ({ms:.2f} ms a k=10 query)")
        if args.hnsw_grid and size == max(args.sizes):
            hnsw_grid(home)
        # Twice: the first processes to load a freshly built collection were
        # seen to peak far higher (Chroma settling its log) than later ones.
        first = peak_rss(home)
        rss[chunks] = peak_rss(home)
        print(
            f"peak RSS, open + 20 searches: {rss[chunks]:.0f} MB (the run before: {first:.0f} MB)"
        )
    if len(rss) > 1:
        smallest = min(rss)
        for chunks, mb in rss.items():
            print(f"peak RSS {chunks} chunks: {mb:.0f} MB ({mb / rss[smallest]:.2f}x {smallest})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
