"""The notes index as a llama-index retriever (the ``llama-index`` extra).

``NotesRetriever`` runs the same hybrid search as ``notes-chat search`` and
hands each passage over as a ``NodeWithScore`` whose metadata says where it
came from, so a llama-index query engine can cite ``path:start-end`` too.
Pass an LLM to the engine explicitly: llama-index's global ``Settings`` falls
back to OpenAI.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.assistant import Assistant
from index import Passage


def passage_node(passage: Passage) -> NodeWithScore:
    chunk = passage.chunk
    metadata: dict[str, Any] = {
        "path": chunk.path,
        "start_line": chunk.start_line,
        "end_line": chunk.end_line,
        "heading": chunk.heading,
    }
    if chunk.page is not None:
        metadata["page"] = chunk.page
    node = TextNode(id_=chunk.id, text=chunk.text, metadata=metadata)
    return NodeWithScore(node=node, score=passage.score)


class NotesRetriever(BaseRetriever):
    """Hybrid search (Chroma + BM25) over the notes index, ``k`` passages a query."""

    def __init__(self, assistant: Assistant, k: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._assistant = assistant
        self._k = k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._assistant.search(query_bundle.query_str, self._k)
        return [passage_node(p) for p in passages]
