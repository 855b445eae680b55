"""The focused context (setting ``context_tokens``): which sentences of the
retrieved passages the model reads, under which numbers and line ranges."""

import dataclasses

from assistant.citations import check_citations
from assistant.prompt import SYSTEM_PROMPT, build_prompt, estimate_tokens, format_passage
from assistant.support import check_support
from index import Chunk, Passage


def _passage(
    text: str, start: int = 10, path: str = "bio.md", lines: tuple[int, ...] | None = None
) -> Passage:
    """A passage whose text lines are the file's lines from ``start`` on,
    unless ``lines`` says which they are."""
    if lines is None:
        lines = tuple(range(start, start + text.count("\n") + 1))
    chunk = Chunk("id" + path, "/n", path, start, lines[-1] if lines else start, "", text,
                  lines=lines)  # fmt: skip
    return Passage(chunk=chunk, score=1.0, dense_rank=1, bm25_rank=1, similarity=0.5)


TEXT = "\n".join(
    [
        "Cells need energy.",  # line 10
        "Weather today is mild.",
        "Mitochondria make ATP for the cell.",  # 12: the hit
        "They have their own DNA.",
        "They divide on their own.",
        "Unrelated line about trains.",
        "Another line about boats.",
    ]
)


def _focused(question: str, passages: list[Passage], budget: int = 400, context: int = 4096):
    return build_prompt(
        question, passages, [], context=context, answer_reserve=512, context_tokens=budget
    )


def test_sends_the_hit_and_two_sentences_after_with_their_exact_lines() -> None:
    # With room to spare, the sentence before the hit comes too (below).
    prompt = _focused("What do mitochondria make?", [_passage(TEXT)])
    [chunk] = [p.chunk for p in prompt.passages]
    assert (chunk.start_line, chunk.end_line) == (11, 14)
    assert chunk.text == "\n".join(TEXT.split("\n")[1:5])
    assert "[1] bio.md:11-14" in prompt.messages[-1]["content"]
    assert "trains" not in prompt.messages[-1]["content"]


def test_the_sentence_before_a_hit_comes_only_with_room_left_after_every_hit() -> None:
    # The answer is often the line above the one naming the question's
    # words (a heading, the idea, then its example); it is read only when
    # every sentence chosen for itself, and the ones after it, fit.
    idea = _passage("Feature disentangle separates speaker and content.\n"
                    "So speaker B can say the words of speaker A.\nTrains run on rails.")  # fmt: skip
    other = _passage("Voice is recorded first.\nSpeaker B hears speaker A.", path="v.md")
    question = "Which idea lets speaker B say the words of speaker A?"
    roomy = _focused(question, [idea, other], budget=400).messages[-1]["content"]
    assert "Feature disentangle" in roomy and "Voice is recorded" in roomy
    tight = _focused(question, [idea, other], budget=40).messages[-1]["content"]
    assert "Speaker B hears speaker A." in tight
    assert "Feature disentangle" not in tight


def test_the_sentence_before_a_hit_another_passage_sent_costs_its_header_or_is_not_sent() -> None:
    # Two overlapping chunks of one file: the hit is sent in the first; the
    # line before it is only in the second, whose header is not paid for.
    path = "课程笔记/深度学习/第三章_细胞生物学复习资料整理版本二.md"
    hit = _passage("线粒体产生能量。", path=path, lines=(11,))
    around = _passage("天气很好。\n线粒体产生能量。", path=path, lines=(10, 11))
    for budget in range(5, 80):
        prompt = _focused("线粒体产生什么", [hit, around], budget=budget)
        blocks = [format_passage(n, p) for n, p in prompt.numbered.items()]
        assert sum(estimate_tokens(b) - 4 for b in blocks) <= budget
        assert all("线粒体" in b for b in blocks)


def test_the_sentence_before_is_left_out_only_when_it_is_on_the_opposite_ask() -> None:
    def before(question: str, above: str) -> bool:
        text = f"{above}\nAdam收敛快，对学习率不敏感。\n火车在铁轨上行驶。"
        return above in _focused(question, [_passage(text)]).passages[0].chunk.text

    # A question asking for merits is not sent the drawbacks above them,
    # however the notes word them (or write them in traditional characters).
    for drawbacks in ("缺点：", "缺點：", "不太好的地方：", "存在的问题："):
        assert not before("Adam有什么好处？", drawbacks)
    # Asking both, or neither, or in other words: the line above is sent.
    assert before("Adam有哪些长处和短处", "缺点：")
    assert before("Adam好在哪里？", "优点：")
    assert before("Adam收敛怎么样？", "这个操作作用于输入的局部窗口。")
    assert before("Adam收敛怎么样？", "这和SGD有本质区别：")


def test_a_sentence_two_chunks_cut_after_a_closing_quote_is_sent_once() -> None:
    # The chunker counts an ASCII quote after 。 as the sentence's end; cut
    # otherwise here, the sentence two chunks share was not the same text.
    line = '他说："注意力很重要。"注意力机制让模型关注输入的关键部分。其余无关。'
    first = _passage(line, path="att.md", lines=(2,))
    second = _passage("注意力机制让模型关注输入的关键部分。其余无关。", path="att.md", lines=(2,))
    sent = _focused("注意力机制让模型关注什么", [first, second]).messages[-1]["content"]
    assert sent.count("注意力机制让模型关注输入的关键部分。") == 1


def test_a_passage_with_nothing_relevant_is_left_out_and_the_others_keep_their_numbers() -> None:
    boats = _passage("Trains run on rails.\nBoats float.", path="boats.md")
    prompt = _focused("What do mitochondria make?", [boats, _passage(TEXT)])
    assert prompt.numbers == (2,)
    sent = prompt.messages[-1]["content"]
    assert "[2] bio.md:11-14" in sent and "[1]" not in sent and "Boats" not in sent
    assert prompt.budget.passages_dropped == 1
    # The answer's [2] is the passage the Sources list shows as 2.
    check = check_citations("They make ATP for the cell [2].", prompt.numbered)
    assert [(c.number, c.location) for c in check.citations] == [(2, "bio.md:11-14")]
    assert check_citations("Wrong number [1].", prompt.numbered).invalid == (1,)
    [sentence] = check_support("Mitochondria make ATP for the cell [2].", prompt.numbered).sentences
    assert sentence.supported


def test_line_numbers_come_from_the_chunks_line_map_where_blank_lines_were_left_out() -> None:
    # The file had blank lines between these, which the chunk text leaves out.
    passage = _passage(TEXT, lines=(10, 12, 14, 16, 17, 19, 21))
    [chunk] = [p.chunk for p in _focused("What do mitochondria make?", [passage]).passages]
    assert (chunk.start_line, chunk.end_line) == (12, 17)
    # An index from before the map was stored: the chunk's whole range, still true.
    old = dataclasses.replace(passage, chunk=dataclasses.replace(passage.chunk, lines=()))
    [chunk] = [p.chunk for p in _focused("What do mitochondria make?", [old]).passages]
    assert (chunk.start_line, chunk.end_line) == (10, 21)


def test_sentences_inside_one_long_line() -> None:
    line = (
        "细胞需要能量。天气很好。线粒体为细胞产生ATP。它有自己的DNA。它能自我分裂。"
        "火车在铁轨上行驶。船漂浮在水上。"
    )
    prompt = _focused("线粒体产生什么？", [_passage(line, start=7)])
    [chunk] = [p.chunk for p in prompt.passages]
    assert chunk.text == "天气很好。线粒体为细胞产生ATP。它有自己的DNA。它能自我分裂。"
    assert (chunk.start_line, chunk.end_line) == (7, 7)


def test_the_sentences_after_a_passages_last_run_on_into_the_passage_that_continues_it() -> None:
    # Neighbouring chunks overlap by a line; the topic's name ends one, what
    # is said of it starts the next, which names it nowhere.
    ending = _passage(
        "Cells need energy.\nWeather today is mild.\nMitochondria\nThey sit in cells.", 17
    )
    going_on = _passage("They sit in cells.\nThey have their own DNA.\nTrains run on rails.", 20)
    elsewhere = _passage("They have their own DNA.\nMitochondria", 40, path="other.md")
    prompt = _focused("What is special about mitochondria?", [going_on, ending, elsewhere])
    sent = {
        p.chunk.path + f":{p.chunk.start_line}-{p.chunk.end_line}": p.chunk.text
        for p in prompt.passages
    }
    # The heading and its line from the passage that ends with them, the
    # line after them from the one that goes on (not its overlapping line
    # again), and nothing run on across files.
    assert sent["bio.md:18-20"] == "Weather today is mild.\nMitochondria\nThey sit in cells."
    assert sent["bio.md:21-21"] == "They have their own DNA."
    assert "Trains" not in prompt.messages[-1]["content"]
    assert sent["other.md:40-41"] == "They have their own DNA.\nMitochondria"


def test_two_separate_hits_in_a_passage_are_joined_with_an_ellipsis() -> None:
    text = "\n".join(["Mitochondria are organelles.", *(f"Filler {i}." for i in range(8)),
                      "Ribosomes build proteins from mitochondria signals."])  # fmt: skip
    prompt = _focused("mitochondria", [_passage(text, start=1)])
    [chunk] = [p.chunk for p in prompt.passages]
    assert "\n…\n" in chunk.text
    assert chunk.text.startswith("Mitochondria are organelles.")
    assert chunk.text.endswith("Ribosomes build proteins from mitochondria signals.")
    assert (chunk.start_line, chunk.end_line) == (1, 10)


def test_a_rare_term_outweighs_one_every_sentence_shares() -> None:
    # "cell" is in every sentence; "ribosome" in one, which must be chosen
    # when the budget holds a single sentence.
    text = "\n".join(
        [*(f"The cell has part {i}." for i in range(6)), "The cell ribosome reads RNA."]
    )
    prompt = _focused("cell ribosome", [_passage(text)], budget=20)
    [chunk] = [p.chunk for p in prompt.passages]
    assert chunk.text == "The cell ribosome reads RNA."


def test_a_sentence_sharing_only_a_common_word_is_not_sent_though_the_budget_has_room() -> None:
    # The question is about the ribosome; "cell" is everywhere in the notes.
    # A weak sentence in a second passage must not be read for it, even with
    # room to spare: it makes the prompt longer and points the model away.
    hit = _passage("The ribosome of the cell reads RNA into protein.\nIt sits in the cytoplasm.")
    weak = _passage("A cell wall is rigid.\nPlants have one.", path="plants.md")
    prompt = _focused("How does the cell ribosome read RNA?", [hit, weak], budget=2000)
    assert prompt.numbers == (1,)
    assert "wall" not in prompt.messages[-1]["content"]


def test_how_a_question_asks_picks_sentences_only_in_a_passage_on_its_topic() -> None:
    # "缺点" (drawbacks) is how the question asks, not what about: under
    # another model's 缺点 heading it is a distractor the model copies from.
    kmeans = _passage("k-means 聚类。\n初始点对结果影响很大。\n异常值影响也很大。", path="ml.md")
    other = _passage(
        "InstructGPT 的优缺点\n优点\n更真实。\n更安全。\n缺点\n降低了通用任务上的效果。",
        path="gpt.md",
    )
    prompt = _focused("k-means 有什么缺点？", [kmeans, other])
    assert prompt.numbers == (1,) and "降低" not in prompt.messages[-1]["content"]
    # On its own topic the same heading is where the answer is.
    prompt = _focused("InstructGPT 有什么缺点？", [kmeans, other])
    assert 2 in prompt.numbers and "降低了通用任务上的效果" in prompt.messages[-1]["content"]


def test_the_run_on_goes_on_where_the_next_passage_does_and_nowhere_else() -> None:
    question = "线粒体有什么特别？"
    # A long line cut between two chunks: what follows is on the same line.
    ending = _passage("第十八句无关。线粒体是细胞的动力工厂。", 3)
    rest = _passage("它产生三磷酸腺苷。它还有自己的遗传物质。\n交通工具包括火车。", 3, lines=(3, 5))
    sent = [p.chunk.text for p in _focused(question, [ending, rest]).passages]
    assert sent == [
        "第十八句无关。线粒体是细胞的动力工厂。",
        "它产生三磷酸腺苷。它还有自己的遗传物质。",
    ]
    # Across the blank line between two paragraphs.
    after_blank = _passage("它有两层膜。它还有自己的遗传物质。\n第四段。", 5, lines=(5, 7))
    sent = [
        p.chunk.text
        for p in _focused(question, [_passage("下面说说线粒体。", 3), after_blank]).passages
    ]
    assert sent == ["下面说说线粒体。", "它有两层膜。它还有自己的遗传物质。"]
    # Not into another notes folder's file of the same name.
    other_root = _passage("汽车需要燃料。", 4)
    other_root = dataclasses.replace(
        other_root, chunk=dataclasses.replace(other_root.chunk, root="/elsewhere")
    )
    sent = [
        p.chunk.text
        for p in _focused(question, [_passage("下面说说线粒体。", 3), other_root]).passages
    ]
    assert sent == ["下面说说线粒体。"]


def test_a_line_two_overlapping_passages_share_is_sent_once() -> None:
    first = _passage("细胞需要能量。\n线粒体产生能量。", 10)
    second = _passage("线粒体产生能量。\n它有自己的遗传物质。", 11)
    prompt = _focused("线粒体产生什么？", [first, second])
    sent = "\n".join(p.chunk.text for p in prompt.passages)
    assert sent.count("线粒体产生能量") == 1
    assert "它有自己的遗传物质" in sent


def test_a_sentence_saying_how_the_question_asks_in_other_words_is_sent() -> None:
    # The question asks for 缺点; the notes say 局限.
    text = "\n".join(
        [
            "YOLO 是一种目标检测算法。",
            "它把图片分成网格。",
            "每个格子预测框和类别。",
            "它的速度很快。",
            "它的局限是小物体识别不出来。",
            "后来又有很多改进。",
        ]
    )
    prompt = _focused("YOLO 有什么缺点？", [_passage(text)])
    [chunk] = [p.chunk for p in prompt.passages]
    assert "小物体识别不出来" in chunk.text


def test_kin_words_answer_only_the_ask_they_belong_to() -> None:
    text = "\n".join(
        [
            "ResNet 引入了残差连接。",
            "它让很深的网络也能训练。",
            "中间一句无关的话。",
            "又一句无关的话。",
            "还有一句无关的话。",
            "它的缺点是参数量大。",
            "它的优点是好训练。",
        ]
    )
    # 问题 is an everyday word: this asks for no drawback.
    sent = _focused("ResNet 解决了什么问题？", [_passage(text)]).passages[0].chunk.text
    assert "缺点" not in sent
    # Advantages are not drawbacks (优缺点 belongs to both asks).
    sent = _focused("ResNet 有什么好处？", [_passage(text)]).passages[0].chunk.text
    assert "优点" in sent and "缺点" not in sent


def test_a_kin_word_in_the_question_does_not_make_another_topic_its_own() -> None:
    ssd = _passage(
        "SSD 的局限在于小目标。\n它的缺点是默认框要手调。\n另一个问题是显存占用。", 10, "ssd.md"
    )
    yolo = _passage("YOLO 很快。\n它的不足是小物体检测差。", 10, "yolo.md")
    prompt = _focused("YOLO 有哪些局限？", [ssd, yolo], budget=60)
    sent = "\n".join(p.chunk.text for p in prompt.passages)
    assert "小物体检测差" in sent and "默认框" not in sent


def test_whole_passages_when_context_tokens_is_zero() -> None:
    prompt = build_prompt(
        "What do mitochondria make?", [_passage(TEXT)], [], context=4096, answer_reserve=512
    )
    assert prompt.passages[0].chunk.text == TEXT
    assert prompt.numbers == (1,)


def test_budget_is_respected_and_system_message_identical_across_questions() -> None:
    long = "\n".join(f"Mitochondria fact number {i} about ATP." for i in range(200))
    passages = [_passage(long, path=f"n{i}.md") for i in range(3)]
    a = _focused("What do mitochondria make?", passages, budget=300, context=8192)
    b = _focused("Where is ATP made?", passages, budget=300, context=8192)
    blocks = a.messages[-1]["content"]
    frame = estimate_tokens("Passages from my notes:\n\nQuestion: What do mitochondria make?")
    assert estimate_tokens(blocks) <= 300 + frame + 60
    assert a.passages and b.passages
    assert a.budget.passages_dropped == 3 - len(a.passages)
    assert a.messages[0]["content"].encode() == b.messages[0]["content"].encode()
    assert a.messages[0]["content"] == SYSTEM_PROMPT


def test_without_a_shared_term_the_best_passage_is_sent_from_its_start() -> None:
    notes = "生成器和判别器的训练是零和博弈。二者绝非合作。\n其他内容一。\n其他内容二。"
    other = _passage("无关的段落。", path="other.md")
    prompt = _focused("Is GAN training cooperative?", [_passage(notes, start=3), other], budget=40)
    assert prompt.numbers == (1,)
    [chunk] = [p.chunk for p in prompt.passages]
    assert chunk.text.startswith("生成器和判别器的训练是零和博弈。二者绝非合作。")
    assert chunk.start_line == 3 and "其他内容二" not in chunk.text


def test_a_sentence_longer_than_the_budget_is_shortened_not_lost() -> None:
    line = "线粒体" + "很长的描述" * 200  # one sentence of 1,000 characters
    prompt = _focused("线粒体", [_passage(line, start=5)], budget=60)
    [chunk] = [p.chunk for p in prompt.passages]
    assert chunk.text.startswith("线粒体很长的描述") and chunk.text.endswith("…")
    assert estimate_tokens(chunk.text) <= 60
    assert (chunk.start_line, chunk.end_line) == (5, 5)
