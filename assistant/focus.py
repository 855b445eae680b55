"""Evidence-focused passages: from the retrieved chunks, send the model only
the sentences that bear on the question, within a budget of tokens, so it
reads a few hundred tokens instead of two thousand (reading the prompt is
nearly all of the time to the first token on a laptop CPU).

Each sentence of every passage is scored by the question's terms it holds
(jieba words and character bigrams, stop words left out), each weighted by
how rare it is among those sentences, so a term every sentence shares
decides nothing, and by the passage's rank. The best sentences, across all
passages, are taken with the two sentences after them for context (the
answer tends to follow the sentence naming the topic; after a passage's
last sentence, in the passage given that goes on from it in the file), as
long as the budget lasts and they score at least a fifth of the best one
(the rest bear too little on the question to be worth reading). Then, with
budget left, the sentence before each one taken for itself: what a sentence
speaks of is often named just above it ("让说话人B用自己的声音说说话人A的话" follows
the line on disentangling that answers "which idea of the autoencoder is
this"), unless it is on the opposite of what is asked (its 缺点 above the
优点 asked for). Words
saying how the question asks (缺点, 区别, 原理) count only in a passage that
shares another of its terms: under another topic's 缺点 heading they pick a
distractor the model copies from. There, the notes' words that answer
the same ask count too (缺点 is also 不足, 局限, 问题). A sentence two
overlapping passages share is sent once. A passage keeps its number order and
is sent as its chosen sentences in file order (a gap shown as "…"), with the
line range from its first to its last sentence sent, so a citation still
names the lines the model read. A passage with no chosen sentence is left
out. When no sentence shares a term with the question (an English question
over Chinese notes), the best-ranked passage is sent from its start, as far
as the budget goes. The figures behind the default budget are in
docs/benchmarks.md.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index import Chunk, Passage

from .prompt import estimate_tokens
from .term import FRAMING_EN, FRAMING_ZH

# A sentence ends after one of these (with any closing quote or bracket and
# the space after it), or at the end of a line.
# (The closing marks are the chunker's: a sentence two overlapping chunks
# share must be cut alike in both to be sent once.)
_SENTENCE_END = re.compile(r"(?:[。！？；!?;]+|\.(?=\s))[”’\"'」』）)\]]*\s*")


# Measured on dev (bench/focus.py, docs/benchmarks.md): the answer follows
# the sentence that names the question's terms more often than it comes
# before it (a heading, then its list), so two sentences after, none before;
# and a passage's rank counts (weight 1 / (1 + 0.5 × rank)): at 600 tokens
# the evidence stays in 0.847 of answers against 0.803 with one sentence
# either side and no rank weight.
_AFTER = 2
# A passage goes on from another when its text starts within this many
# lines of the other's end: blank lines between paragraphs are in no chunk.
_GAP = 3
_RANK_WEIGHT = 0.5
# A sentence scoring under this share of the best one does not bear on the
# question enough to be sent, whatever budget is left: on dev at the same
# median prompt size (~810 tokens), the evidence is in what is sent for
# 0.934 of answerable questions with it, 0.869 without (bench/focus.py,
# docs/benchmarks.md); on two other sets, as much or more.
MIN_SHARE = 0.2


# How a question asks, and the words the notes answer that ask with: a
# question's 缺点 is the notes' 不足, 局限 or 不太好, its 好处 their 优点. In a
# passage on the question's topic, a sentence with any of them is what was
# asked for. Only the first words start a family: 问题, 不同 and 目的 are
# everyday words too ("ResNet 解决了什么问题？" does not ask for drawbacks).
def _family(asks: str, answers: str) -> tuple[frozenset[str], tuple[str, ...]]:
    return frozenset(asks.split()), tuple(answers.split())


_DRAWBACKS = _family("缺点 优缺点 不足 缺陷 局限 弊端 坏处 劣势 短板 短处",
                     "缺点 不足 缺陷 局限 弊端 坏处 劣势 短板 短处 问题 不好 不太好")  # fmt: skip
_MERITS = _family("优点 优缺点 好处 优势 长处", "优点 好处 优势 长处")
_KIN = (
    _DRAWBACKS,
    _MERITS,
    _family("区别 差异 差别 异同", "区别 差异 差别 异同 不同"),
    _family("作用 用途 用处", "作用 用途 用处 目的"),
    _family("为什么 为何 为啥 原因", "原因 因为 由于"),
)
_KIN_WORDS = frozenset(w for asks, answers in _KIN for w in (*asks, *answers))


def _opposite_words(text: str) -> frozenset[str]:
    """The notes' words for the opposite of what ``text`` asks: 缺点, 不足,
    问题… for a question on 好处, and the reverse; none for a question asking
    both (优缺点) or neither."""
    from index.segment import segment

    words = set(segment(text))
    for (asks, _), (opposite, answers) in ((_DRAWBACKS, _MERITS), (_MERITS, _DRAWBACKS)):
        if asks & words and not opposite & words:
            return frozenset((*opposite, *answers))
    return frozenset()


def _kin_terms(text: str) -> frozenset[str]:
    """The terms of the words that answer what ``text`` asks (``_KIN``),
    each word's on its own (run together, 缺点 and 不足 would make 点不)."""
    from index.segment import segment

    words = set(segment(text))
    kin = {w for asks, answers in _KIN if asks & words for w in answers}
    return frozenset(t for word in kin for t in question_terms(word))


@dataclass(frozen=True, slots=True)
class _Sentence:
    passage: int  # the passage's rank, 0 first
    line: int  # the line within the chunk's text
    text: str
    terms: frozenset[str]
    file_line: int | None = None  # None for an index from before lines were mapped


def question_terms(text: str, *, leave_out: frozenset[str] = frozenset()) -> frozenset[str]:
    """The terms of ``text`` that can match: words and character bigrams,
    without stop words or the words of ``leave_out`` (either breaks a
    bigram run)."""
    from index.segment import STOP_WORDS, bigram_terms, segment

    dropped = STOP_WORDS | leave_out
    return frozenset(bigram_terms([t if t not in dropped else "," for t in segment(text)]))


def _split(passage: int, chunk: Chunk) -> list[_Sentence]:
    # The file line of each text line, unless the index is from before
    # text lines were mapped.
    mapped = len(chunk.lines) == chunk.text.count("\n") + 1
    sentences = []
    for number, line in enumerate(chunk.text.split("\n")):
        start = 0
        ends = [m.end() for m in _SENTENCE_END.finditer(line)]
        file_line = chunk.lines[number] if mapped else None
        for end in [*ends, len(line)]:
            if line[start:end].strip():
                sentences.append(
                    _Sentence(passage, number, line[start:end], frozenset(), file_line)
                )
            start = end
    return sentences


def _place(sentence: _Sentence, passages: Sequence[Passage]) -> tuple[object, ...]:
    """Where ``sentence`` is: in its file, when its line is known, so that
    the same sentence of two overlapping chunks is one place."""
    if sentence.file_line is None:
        return (sentence.passage, sentence.line, sentence.text)
    return (*_file(passages[sentence.passage].chunk), sentence.file_line, sentence.text)


def _cost(text: str) -> int:
    return estimate_tokens(text) - 4  # estimate_tokens counts a message's template too


def focus_all(
    question: str, passages: Sequence[Passage], budget: int, extra: Sequence[str] = ()
) -> dict[int, Passage]:
    """The passages cut to their sentences that bear on ``question`` (or
    hold one of the ``extra`` words), their blocks (as
    ``prompt.format_passage`` writes them) within ``budget`` tokens, by their
    numbers (from 1) in ``passages``; passages with none are left out."""
    asked = " ".join([question, *extra])
    wanted = question_terms(asked) | _kin_terms(asked)
    # How the question asks (缺点, 区别, 原理) counts only in a passage on
    # its topic: "缺点" in another topic's passage is a distractor the
    # model copies from.
    topic = question_terms(asked, leave_out=FRAMING_ZH | FRAMING_EN | _KIN_WORDS)
    sentences = []
    for rank, passage in enumerate(passages):
        on_topic = bool(question_terms(passage.chunk.titled_text) & topic)
        matching = wanted if on_topic else topic
        sentences += [
            dataclasses.replace(s, terms=question_terms(s.text) & matching)
            for s in _split(rank, passage.chunk)
        ]
    counts = Counter(t for s in sentences for t in s.terms)
    weight = {t: math.log(1 + len(sentences) / n) for t, n in counts.items()}
    score = [sum(weight[t] for t in s.terms) / (1 + _RANK_WEIGHT * s.passage) for s in sentences]
    floor = MIN_SHARE * max(score, default=0.0)
    order = sorted(
        (i for i, s in enumerate(score) if s > 0 and s >= floor), key=lambda i: (-score[i], i)
    )

    following = _following(sentences, passages)
    chosen = _choose(order, sentences, passages, budget, following, _opposite_words(asked))
    if not chosen and sentences:
        # No sentence shares a term with the question (an English question
        # over Chinese notes, a paraphrase): retrieval still ranked the first
        # passage best, so send it from its start, as far as the budget goes.
        first = [i for i, s in enumerate(sentences) if s.passage == 0]
        chosen = _leading(first, sentences, passages[0], budget)

    focused = {}
    for rank, passage in enumerate(passages):
        mine = [(i, sentences[i]) for i in sorted(chosen) if sentences[i].passage == rank]
        if mine:
            focused[rank + 1] = _cut(passage, mine)
    return focused


def _following(sentences: list[_Sentence], passages: Sequence[Passage]) -> dict[int, int]:
    """The sentence after each one in its file: the next of its passage, or,
    after a passage's last, the first sentence past it in a passage given
    that goes on from it (neighbouring chunks overlap, and a heading at the
    end of one has its text in the next)."""
    following = {
        i: i + 1
        for i in range(len(sentences) - 1)
        if sentences[i + 1].passage == sentences[i].passage
    }
    of_passage: dict[int, list[int]] = {}
    for i, sentence in enumerate(sentences):
        of_passage.setdefault(sentence.passage, []).append(i)
    of_file: dict[tuple[str, str, int | None], list[int]] = {}
    for rank in of_passage:
        of_file.setdefault(_file(passages[rank].chunk), []).append(rank)
    for rank, mine in of_passage.items():
        end = sentences[mine[-1]].file_line
        if end is None:
            continue
        # A long line is cut between chunks: what follows may be on it.
        ending = {sentences[i].text for i in mine if sentences[i].file_line == end}
        for other in of_file[_file(passages[rank].chunk)]:
            if other == rank or passages[other].chunk.end_line <= end:
                continue
            after = next(
                (
                    j
                    for j in of_passage[other]
                    if (line := sentences[j].file_line) is not None
                    and (line > end or line == end and sentences[j].text not in ending)
                ),
                None,
            )
            if after is not None and (sentences[after].file_line or 0) <= end + _GAP:
                following[mine[-1]] = after
                break
    return following


def _file(chunk: Chunk) -> tuple[str, str, int | None]:
    return chunk.root, chunk.path, chunk.page


def _choose(
    order: list[int],
    sentences: list[_Sentence],
    passages: Sequence[Passage],
    budget: int,
    following: dict[int, int],
    opposite: frozenset[str] = frozenset(),
) -> set[int]:
    """The sentences taken, best first, each with the ones after it when
    they fit, else alone, while the blocks stay within ``budget``; then,
    with room left, the sentence before each taken for itself, unless it
    holds a word of ``opposite``."""
    from index.segment import segment

    chosen: set[int] = set()
    sent: set[tuple[object, ...]] = set()  # where each chosen sentence is
    spent = 0
    opened: set[int] = set()  # passages with a sentence chosen: their header is paid for
    anchors: list[int] = []  # the sentences chosen for their own score, best first
    for best in order:
        around = [best]
        while len(around) <= _AFTER and around[-1] in following:
            around.append(following[around[-1]])
        for group in (around, [best]):
            # A line two overlapping chunks share is sent once.
            new = [i for i in group if _place(sentences[i], passages) not in sent]
            ranks = {sentences[i].passage for i in new} - opened
            cost = sum(_cost(sentences[i].text) + 1 for i in new)
            cost += sum(_header_cost(passages[rank]) for rank in ranks)
            if spent + cost <= budget:
                chosen.update(new)
                sent.update(_place(sentences[i], passages) for i in new)
                opened.update(ranks)
                spent += cost
                if best in new:  # not when another passage sent it already
                    anchors.append(best)
                break
    # With room left, the sentence before each one chosen for itself (in a
    # passage whose header is paid for): what it speaks of is often named
    # just above it (a heading, the idea before its example). Not one on the
    # opposite of what is asked: "它的缺点是…" above "它的优点是…" is a
    # distractor for a question on 好处.
    for best in anchors:
        before = best - 1
        if before < 0 or sentences[before].passage != sentences[best].passage:
            continue
        if opposite and opposite & set(segment(sentences[before].text)):
            continue
        place = _place(sentences[before], passages)
        cost = _cost(sentences[before].text) + 1
        if before not in chosen and place not in sent and spent + cost <= budget:
            chosen.add(before)
            sent.add(place)
            spent += cost
    return chosen


def _leading(
    indices: list[int], sentences: list[_Sentence], passage: Passage, budget: int
) -> set[int]:
    """The first sentences of a passage that fit in ``budget``; a first
    sentence longer than all of it is shortened to fit (its line stays)."""
    room = budget - _header_cost(passage)
    taken: set[int] = set()
    for i in indices:
        cost = _cost(sentences[i].text) + 1
        if cost > room:
            if not taken and room > 8:
                text = sentences[i].text
                while text and _cost(text + "…") + 1 > room:
                    text = text[: len(text) * 9 // 10]
                sentences[i] = dataclasses.replace(sentences[i], text=text + "…")
                taken.add(i)
            break
        taken.add(i)
        room -= cost
    return taken


def _header_cost(passage: Passage) -> int:
    chunk = passage.chunk
    heading = f" ({chunk.heading})" if chunk.heading else ""
    return _cost(f"[10] {chunk.location}{heading}\n") + 2


def _cut(passage: Passage, picked: list[tuple[int, _Sentence]]) -> Passage:
    """The passage's text reduced to the ``picked`` (position, sentence)
    pairs, in order, and its line range to theirs."""
    text = ""
    last: tuple[int, _Sentence] | None = None
    for position, sentence in picked:
        if last is None:
            text = sentence.text
        elif position - last[0] > 1:
            text += (" … " if sentence.line == last[1].line else "\n…\n") + sentence.text
        else:
            text += ("" if sentence.line == last[1].line else "\n") + sentence.text
        last = position, sentence
    chunk = passage.chunk
    start, end = picked[0][1].file_line, picked[-1][1].file_line
    if start is None or end is None:
        # An index from before text lines were mapped: the chunk's own range.
        start, end = chunk.start_line, chunk.end_line
    cut = dataclasses.replace(chunk, start_line=start, end_line=end, text=text.strip(), lines=())
    return dataclasses.replace(passage, chunk=cut)
