"""Our embedders as a llama-index ``BaseEmbedding``.

For building llama-index pipelines or retrievers over the same vectors as the
index. Always pass the result explicitly: llama-index's global ``Settings``
falls back to OpenAI, which a local tool must never reach for.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index import Embedder


class NotesEmbedding(BaseEmbedding):
    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.fingerprint, **kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "NotesEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        vector: list[float] = self._embedder.embed_query(query).tolist()
        return vector

    def _get_text_embedding(self, text: str) -> list[float]:
        vector: list[float] = self._embedder.embed_passages([text])[0].tolist()
        return vector

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self._embedder.embed_passages(texts).tolist()
        return vectors

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
