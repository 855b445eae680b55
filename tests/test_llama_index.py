"""The notes index inside a llama-index query engine (the ``llama-index`` extra):
our retriever's passages reach the model, and the engine's answer comes back
with sources that name the file and lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings
from tests.fake_ollama import Script

pytest.importorskip("llama_index.core")
pytest.importorskip("llama_index.llms.ollama")


@pytest.fixture
def assistant(notes: Path, isolated_home: Path) -> Assistant:
    helper = Assistant(Settings(home=isolated_home, embedder="hashing"))
    helper.reindex([notes])
    return helper


def test_retriever_returns_passages_with_where_they_came_from(assistant: Assistant) -> None:
    from assistant.llama_retriever import NotesRetriever

    nodes = NotesRetriever(assistant, k=2).retrieve("生成器和判别器是什么关系？")
    assert len(nodes) == 2
    top = nodes[0]
    assert top.node.metadata["path"] == "dl/gan.md"
    assert top.node.metadata["heading"].startswith("生成对抗网络")
    assert 1 <= top.node.metadata["start_line"] <= top.node.metadata["end_line"]
    assert "判别器" in top.node.get_content()
    assert top.score is not None and top.score >= (nodes[1].score or 0.0)


def test_query_engine_answers_from_our_passages(
    assistant: Assistant, ollama: str, script: Script
) -> None:
    from llama_index.core.query_engine import RetrieverQueryEngine
    from llama_index.llms.ollama import Ollama

    from assistant.llama_retriever import NotesRetriever

    llm = Ollama(model="qwen2.5:3b", base_url=ollama, request_timeout=10)
    engine = RetrieverQueryEngine.from_args(NotesRetriever(assistant, k=2), llm=llm)
    response = engine.query("生成器和判别器是什么关系？")

    assert str(response) == "".join(script.reply)
    chat = [r for r in script.requests if r["path"] == "/api/chat"][-1]
    prompt = "".join(m["content"] for m in chat["messages"])
    assert "判别器负责区分真假" in prompt  # the retrieved passage was put in front of the model
    assert response.source_nodes[0].node.metadata["path"] == "dl/gan.md"
