"""What the study tests share: cards as the fake model replies them, and
making them through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant import Assistant, load_settings
from cli import app
from tests.fake_ollama import Script

runner = CliRunner()

GOOD = {"question": "GAN 由哪两部分组成？", "answer": "生成器和判别器"}
INVENTED = {"question": "GAN 是谁提出的？", "answer": "Ian Goodfellow 在 2014 年提出"}
SAME = {"question": "GAN 由哪两部分组成?", "answer": "生成器和判别器"}
RL = {"question": "Q-Learning 属于什么算法？", "answer": "异步策略算法"}


def card_reply(*cards: dict[str, str]) -> list[str]:
    text = json.dumps({"cards": list(cards)}, ensure_ascii=False)
    return [text[:10], text[10:]]  # streamed in two pieces, as a model does


def open_study():  # type: ignore[no-untyped-def]
    return Assistant(load_settings()).study


def make_cards(script: Script, path: Path, *cards: dict[str, str]) -> str:
    script.queued.append(card_reply(*cards))
    result = runner.invoke(app, ["cards", "make", str(path), "-n", "5"])
    assert result.exit_code == 0, result.output
    return result.stdout
