from assistant.prompt import SYSTEM_PROMPT, build_prompt
from index import Chunk, Passage


def _passage(text: str, start: int = 10, path: str = "bio.md") -> Passage:
    end = start + text.count("\n")
    chunk = Chunk("id" + path, "/n", path, start, end, "", text)
    return Passage(chunk=chunk, score=1.0, dense_rank=1, bm25_rank=1, similarity=0.5)


TEXT = "\n".join(
    [
        "Cells need energy.",
        "Weather today is mild.",
        "Mitochondria make ATP for the cell.",
        "They have their own DNA.",
        "Unrelated line about trains.",
        "Another line about boats.",
    ]
)


def test_focused_prompt_sends_exact_line_range_and_drops_irrelevant() -> None:
    passages = [_passage(TEXT), _passage("Trains run on rails.\nBoats float.", path="x.md")]
    prompt = build_prompt(
        "What do mitochondria make?",
        passages,
        [],
        context=4096,
        answer_reserve=512,
        context_tokens=400,
    )
    assert len(prompt.passages) == 1
    chunk = prompt.passages[0].chunk
    assert (chunk.start_line, chunk.end_line) == (11, 13)
    assert chunk.text == "\n".join(TEXT.split("\n")[1:4])
    assert "bio.md:11-13" in prompt.messages[-1]["content"]
    assert "Boats" not in prompt.messages[-1]["content"]
    assert prompt.messages[0]["content"] == SYSTEM_PROMPT


def test_whole_passages_when_context_tokens_is_zero() -> None:
    prompt = build_prompt(
        "What do mitochondria make?", [_passage(TEXT)], [], context=4096, answer_reserve=512
    )
    assert prompt.passages[0].chunk.text == TEXT


def test_budget_is_respected_and_system_message_identical_across_questions() -> None:
    from assistant.prompt import estimate_tokens

    long = "\n".join(f"Mitochondria fact number {i} about ATP." for i in range(200))
    passages = [_passage(long, path=f"n{i}.md") for i in range(3)]
    a = build_prompt(
        "What do mitochondria make?",
        passages,
        [],
        context=8192,
        answer_reserve=512,
        context_tokens=300,
    )
    b = build_prompt(
        "Where is ATP made?",
        passages,
        [],
        context=8192,
        answer_reserve=512,
        context_tokens=300,
    )
    sent = a.messages[-1]["content"]
    assert (
        estimate_tokens(sent)
        <= 300
        + estimate_tokens("Passages from my notes:\n\nQuestion: What do mitochondria make?")
        + 60
    )
    assert a.passages
    assert a.budget.passages_dropped == 3 - len(a.passages)
    assert a.messages[0]["content"].encode() == b.messages[0]["content"].encode()
