"""What the benchmarks share: paths, the vector cache and timing helpers."""

from __future__ import annotations

import hashlib
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.embed import make_embedder  # noqa: E402

CACHE = ROOT / ".bench-cache"
SHARED = ROOT.parent / "shared"


class CachedEmbedder:
    """The default embedder with its vectors kept on disk by text: the same
    text gives the same vector, so caching changes no figure, only the time."""

    def __init__(self, spec: str = "e5-small") -> None:
        self._inner = make_embedder(spec)
        self.dim = self._inner.dim
        self.fingerprint = self._inner.fingerprint
        key = hashlib.sha256(self.fingerprint.encode()).hexdigest()[:12]
        self._path = CACHE / f"vectors-{key}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self._path.exists():
            with np.load(self._path) as data:
                self._vectors = {name: data[name] for name in data.files}
        self._dirty = False

    def _cached(self, kind: str, texts: Sequence[str], embed: Callable[[list[str]], Any]):
        keys = [kind + hashlib.sha256(t.encode()).hexdigest() for t in texts]
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in self._vectors]
        if missing:
            rows = np.asarray(embed(missing), dtype=np.float32).reshape(len(missing), self.dim)
            for text, row in zip(missing, rows, strict=True):
                self._vectors[kind + hashlib.sha256(text.encode()).hexdigest()] = row
            self._dirty = True
        return np.stack([self._vectors[k] for k in keys])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached("p", texts, self._inner.embed_passages)

    def embed_query(self, text: str) -> np.ndarray:
        return self._cached("q", [text], lambda t: [self._inner.embed_query(t[0])])[0]

    def save(self) -> None:
        if self._dirty:
            CACHE.mkdir(exist_ok=True)
            np.savez(self._path, **self._vectors)
            self._dirty = False


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100), interpolated."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0
