"""Opt-in: a real answer from a real Ollama (or a stand-in speaking its API).

Run with NOTES_CHAT_REAL_OLLAMA=1, OLLAMA_HOST pointing at the server and
NOTES_CHAT_REAL_MODEL naming an installed model (default qwen2.5:1.5b)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import Assistant, Done, Settings, Sources

pytestmark = [
    pytest.mark.real_model,
    pytest.mark.skipif(
        os.environ.get("NOTES_CHAT_REAL_OLLAMA") != "1", reason="set NOTES_CHAT_REAL_OLLAMA=1"
    ),
]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "notes"


def test_a_real_model_answers_from_the_notes_and_cites_them(isolated_home: Path) -> None:
    model = os.environ.get("NOTES_CHAT_REAL_MODEL", "qwen2.5:1.5b")
    helper = Assistant(Settings(home=isolated_home, model=model))
    helper.reindex([EXAMPLES])
    events = list(helper.ask("学习率太大会怎样？"))
    sources, done = events[0], events[-1]
    assert isinstance(sources, Sources) and sources.covered
    assert isinstance(done, Done) and not done.refused and not done.cut
    assert done.answer.strip()
    assert done.citations  # marked by the model or matched by wording
    assert done.stats.tokens_per_second
