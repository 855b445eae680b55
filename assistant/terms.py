"""What a question is about: its specific content terms, in any script,
each weighted by how much its absence says. Whether a text or the notes
hold a term is ``assistant.presence``.

A term is a jieba word of the Chinese part of a question or a Latin-script
word (or hyphenated compound) of any case. Each gets a weight for how much
its absence says:

- 1.0: a name or a rare word: Latin words in a Chinese question, acronyms,
  CamelCase and words with digits (BatchNorm, GPT3), capitalised words inside
  an English sentence, an English phrase the dictionary knows as one
  concept ("decision tree"), Chinese words that jieba's dictionary counts as
  rare (Zipf frequency under 4: 蒸馏, 决策树) or does not know at all; a
  Chinese word of three characters or more that jieba tags as a person's
  name (贝尔曼, 卡尔曼) is a name, as a Latin one is;
- 0.5: a common word that still names the topic (森林, 温度, "collapse");
- framing words (什么, 怎么, 区别, 原理, "difference", "explain"…) and
  single Chinese characters are not terms at all: they say how something is
  asked, not what about.

English words of an English question are looked up in CC-CEDICT and the
field glossary (through ``assistant.bilingual``), so that a question in
English over Chinese notes finds "attention" as 注意力. Phrases:

- a phrase the dictionaries know is one term, also across a framing word
  or two letters inside it ("bag of words", "kl divergence"), spelled with
  hyphens or not ("self-attention"); one only the glossary knows carries
  its words, judged instead when the notes say it otherwise ("hidden
  state" where they say 隐藏的中间层, ``gate``);
- an adjective right before a phrase or a name says which kind of it
  ("conjugate gradient descent", "sparse autoencoder"): the two are one
  term, present only where a text writes them together (``_kind_of``);
  a verb or a noun there does not ("how to compute self attention",
  "transformer positional encoding").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from index.fold import fold as folded_chinese
from index.segment import segment
from index.segment import zipf as _zipf

from .bilingual import english_word, field_term, known, synonyms, translations
from .homophones import sound_alikes

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_WORD = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.·'][A-Za-z0-9]+)*")
# In a Chinese question, Latin words apart by spaces are one name (seq 2 seq,
# gumbel softmax, Stable Diffusion).
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.·' ]+[A-Za-z0-9]+)*")
_LATIN_LETTER = re.compile(r"[A-Za-z]")

# English contractions and possessives: "what's" is "what", "clip's" is
# "clip", "don't" is "dont" (the framing list has both spellings).
_CONTRACTION = re.compile(r"(?i)(?<=[a-z])['’](?:s|re|ve|ll|d|m)\b")
_NEGATION = re.compile(r"(?i)(?<=[a-z])n['’]t\b")

RARE_ZIPF = 4.0  # below: a specialised word (梯度 3.7, 蒸馏 3.6); above: everyday (森林 4.9)
COMMON_ZIPF = 5.0  # at or above: too common to say what a question is about (学习 5.4)

# How a question is asked, not what about: never a term, whatever the notes say.
_FRAMING_ZH = """
什么 怎么 怎样 怎么样 如何 为什么 为何 哪些 哪个 哪种 哪里 是否 能否 可否
多少 几种 区别 不同 差异 异同 相同 原理 作用 用途 含义 意思 意义 定义 概念
本质 特点 特征 优点 缺点 优缺点 优势 劣势 不足 好处 坏处 利弊 关系 联系 区分 影响
方法 方式 步骤 过程 流程 机制 思想 思路 问题 解释 介绍 说明 理解 讲讲 讲解
说说 谈谈 描述 简述 概括 总结 举例 例子 比如 例如 具体 主要 一般 通常 分别
一下 请问 简单 通俗 详细 比较 对比 相比 相对 时候 情况 使用 应用 需要 进行
实现 为了 目的 公式 计算 推导 表示 包括 包含 哪儿 怎么办 笔记 里面 里 提到
讲 说 写 根据 按照 我们 你们 他们 这个 那个 这些 那些 其中 之间 以及 还是
或者 并且 而且 但是 因为 所以 如果 那么 可以 能够 应该 会 要 能 有 没有
是 的 了 吗 呢 吧 啥 咋 为啥 咋样 干嘛 干啥 干什么 怎么回事 是啥 有啥
什么样 怎样的 如何的 多大 多久 何时 何种 能不能 可不可以 是不是 有没有 讲讲看
一下子 到底 究竟 大概 大致 简要 通常来说 一般来说 大于 小于 等于 超过 低于 高于
多于 少于 不到 以上 以下 左右 多长 多长时间 多少年 多少次 什么时候 几几年 年份
请 举例 举例说明 举个例子 解释一下 说一说 说一下 讲一讲 讲一下 想问 想问问 问问
了解 想了解 回顾 复习 考研 期末 考试 会考 图解 深入 深入分析 快速
"""
_FRAMING_EN = """
a an the of to in on for and or nor is are was were be been being am what how why when
where which who whom whose does do did doing done that this these those it its with by
as at from into onto over under about between among per via than then so not no yes if
vs versus according notes note my your our we i you they he she them their there here
can could should would will shall may might must need needs difference differences
different differ differs explain explained describe described mean meaning meant work
works working worked use uses used using purpose role main idea ideas concept concepts
example examples compare compared comparison more less most least better worse best good
bad step steps way ways kind kinds type types get gets got make makes made help helps
also only just like say says said tell give gives show shows shown advantage advantages
disadvantage disadvantages benefit benefits pros cons exactly actually generally usually
typically briefly simple simply basic basically define defined definition formula happen
happens happened each both other others some any all such much many very really please
question answer lecture course chapter write written wrote called call problem problems
solve solves solved important mainly instead rather whether during after before while
through without within which whats hows whys wats dont doesnt didnt isnt arent cant
wont shouldnt thing things stuff something someone anyone okay ok eg ie etc up go me us
hi oh
"""
FRAMING_ZH = frozenset(_FRAMING_ZH.split())
# Function characters that end a topic phrase (知识蒸馏中… stops at 中).
_PARTICLES = frozenset(
    "中上下里时后前把被对从在用让给和与及或跟同向将就也都还又再才很最更不没会能要可该这那其此各每某哪几一谁总常只仅先已曾刚正"
)
_CLAUSE = re.compile(r"[，。？！、；：,.?!;:（）()\s]+")
_TOPIC_CHARS = 8  # longer runs are descriptions, not names
FRAMING_EN = frozenset(_FRAMING_EN.split())
# Longer text (spaces aside) is a page pasted, not a question typed: its
# unknown words are not looked for as slips of the input method.
TYPED = 500
MAX_SLIPS = 5  # unknown words of a question looked for as slips


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # lower-cased
    weight: float
    latin: bool
    # Chinese words for it: an English term's translations, a Chinese
    # word's synonyms (both from CC-CEDICT)
    translations: tuple[str, ...] = ()
    written: str = ""  # as the question writes it
    named: bool = False  # a Latin-script name (XGBoost, CBOW, any Latin word in Chinese)
    topic: bool = False  # a clause's opening phrase (see ``topic_phrases``)
    # For a word no dictionary knows, the words it may be a slip of the
    # input method for (卷基 for 卷积, ``homophones``): looked for in the
    # passages given only (in all the notes, chance would find some).
    sounds_like: tuple[str, ...] = ()
    # For a phrase only the field glossary knows ("hidden state"): its
    # words, judged instead when the notes lack the phrase's Chinese words,
    # as notes may say the thing otherwise (隐藏的中间层).
    parts: tuple[Term, ...] = ()
    # For a word that says which kind of a term the question asks about:
    # the word and the term, which a text must write together
    # ("sparse autoencoder": 稀疏自编码器, not 稀疏 in one place and 自编码器
    # in another).
    kind: tuple[Term, Term] | None = None

    def __str__(self) -> str:
        return self.written or self.text


# Latin letters with diacritics (naïve, Fréchet), which a word of plain
# letters would split at.
_ACCENTED = re.compile(r"[\u00c0-\u024f]")


def _unaccented(letter: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", letter.group())
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or letter.group()


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def question_terms(question: str, *, topics: bool = False) -> list[Term]:
    """The specific terms ``question`` asks about, most specific first;
    ``topics`` adds the phrase each Chinese clause opens with (see
    ``topic_phrases``)."""
    # Full-width letters (an input method's full-width mode) as plain ones,
    # traditional characters as simplified: the notes' index is folded so.
    question = _ACCENTED.sub(_unaccented, folded_chinese(question))  # naïve
    question = _CONTRACTION.sub("", _NEGATION.sub("nt", question))  # what's, don't
    mostly_cjk = len(_CJK.findall(question)) * 3 > len(_LATIN_LETTER.findall(question))
    terms = _latin_terms(question, mostly_cjk)
    chinese = _LATIN_NAME.sub(" ", question)
    slips = _Slips(len("".join(chinese.split())) <= TYPED)
    terms.extend(_cjk_terms(chinese, slips))
    if topics:
        terms.extend(
            Term(p, 1.0, False, written=p, topic=True, sounds_like=slips.of(p, _zipf(p)))
            for p in topic_phrases(chinese)
        )
        if not terms:
            # Everyday words can name a thing together (对比学习, 特征工程,
            # 计算图): what the question is about, if nothing else is.
            terms = [Term(p, 1.0, False, written=p, topic=True) for p in _compounds(chinese)]
    seen: dict[str, Term] = {}
    for term in terms:
        seen.setdefault(term.text, term)
    return sorted(seen.values(), key=lambda t: -t.weight)


class _Slips:
    """The words a question's unknown words may be slips for, for its first
    ``MAX_SLIPS`` such words, and none in a page pasted: the passages are
    searched for every one (measured: 18,000 candidates for 497 characters
    of unknown words took 2 s)."""

    def __init__(self, typed: bool) -> None:
        self.left = MAX_SLIPS if typed else 0

    def of(self, word: str, zipf: float) -> tuple[str, ...]:
        if zipf > 0 or known(word) or not self.left:
            return ()
        self.left -= 1
        return sound_alikes(word)


def _cjk_terms(text: str, slips: _Slips) -> list[Term]:
    terms = []
    for word in segment(text):
        if len(word) < 2 or not _CJK_WORD.match(word) or word in FRAMING_ZH:
            continue
        if _asks(word):
            continue
        zipf = _zipf(word)
        if zipf >= COMMON_ZIPF or _glued(word, zipf):
            continue
        # A short word CC-CEDICT does not know is often a piece the segmenter
        # made of two (哪一年, 要加): it never decides alone. Long ones in
        # jieba's dictionary name things (卡尔曼滤波, 遗传算法), and so do
        # three-character ones it tags as nouns or names (格拉姆, 互信息; not
        # 取决于, 降下来, 第一代).
        named_thing = known(word) or (
            zipf > 0 and (len(word) >= 4 or (len(word) == 3 and _noun(word)))
        )
        weight = 1.0 if zipf < RARE_ZIPF and named_thing and not _says_how(word) else 0.5
        terms.append(
            Term(
                word,
                weight,
                False,
                synonyms(word),
                word,
                named=_person(word),
                sounds_like=slips.of(word, zipf),
            )
        )
    return terms


# Function characters jieba's guesser glues to the end of a word (特征图是
# → 特征 图是, 卷积核有 → 卷积 核有, 学不进去 → 学不 进去).
_GLUED_ENDS = frozenset("是有的了在和与就都也不")


def _glued(word: str, zipf: float) -> bool:
    """A piece no dictionary knows, ending in a function character: the
    end of one word and the start of the question's framing, not a term."""
    return zipf == 0 and word[-1] in _GLUED_ENDS and not known(word)


# Question words that jieba joins to the word after them in colloquial
# questions (啥意思, 咋算, 咋办, 怎么用).
_QUESTION_WORDS = ("什么", "怎么", "为啥", "啥", "咋", "怎")


def _asks(word: str) -> bool:
    """A question word joined to a framing word or a single character: how
    the question is asked (啥意思, 咋算), not what about. So is a word
    opening with 哪 (哪一年, 哪几种) and a verb's potential form (抓不住,
    学不会: X不Y), which says what the student can or cannot do."""
    if word.startswith("哪") or (len(word) == 3 and word[1] == "不"):
        return True
    return any(
        word.startswith(q) and (word[len(q) :] in FRAMING_ZH or len(word) - len(q) == 1)
        for q in _QUESTION_WORDS
    )


# A run after these says what the thing before it is (pascal voc 这个检测数据集).
_DEMONSTRATIVES = frozenset(
    ["这个", "那个", "这种", "那种", "这类", "那类", "这些", "那些", "这样的", "该"]
)


def topic_phrases(text: str) -> list[str]:
    """The run of content words the question opens with, when it is two
    words or more (标签平滑, 蒙特卡洛树搜索, 图神经网络): what it is about.
    Words apart can all be in the notes (标签 and 平滑 are) while the thing
    they name together is not. Later clauses are left out: they more often
    open with what is asked (防止过拟合) than with a name."""
    import jieba

    phrases = []
    for clause in _CLAUSE.split(text.strip())[:1]:
        run: list[str] = []
        before = ""  # the token before the run
        for token in jieba.lcut(clause):
            if _CJK_WORD.match(token) and _glued(token, _zipf(token)):
                run.append(token[:-1])
                break
            content = token not in FRAMING_ZH and token not in _PARTICLES and not _asks(token)
            if _CJK_WORD.match(token) and content:
                run.append(token)
            elif run or token in _PARTICLES:
                break  # after a preposition comes a place or an object, not the topic
            else:
                before = token
        phrase = "".join(run)
        if before in _DEMONSTRATIVES:
            continue  # says what the name before it is, not a topic
        if len(run) > 1 and any(len(t) > 1 for t in run) and 3 <= len(phrase) <= _TOPIC_CHARS:
            phrases.append(phrase)
    return phrases


# jieba part-of-speech tags that end a noun phrase (nouns, names, verbal
# nouns, abbreviations, fixed expressions: 损失, 训练, 法, 归一化), and those
# that never sit inside one (pronouns, localizers, prepositions, conjunctions,
# particles: 这种, 之后, 由).
_NOUN_HEADS = ("n", "vn", "j", "l", "eng")
_NOT_IN_NOUN_PHRASES = ("r", "f", "p", "c", "u", "y", "e", "o")


def noun_phrase(phrase: str) -> bool:
    """Whether ``phrase`` reads as the name of a thing (词袋模型, 混合精度训练,
    推土机距离), not a description in everyday words (人类偏好打出来, 均值这种聚类,
    光靠训练得到) or a verb and its object (打败判别器, 快速回顾生成器): it ends
    in a noun and holds no function word and no verb (a verbal noun, 训练 in
    混合精度训练, is a noun; so 训练生成器 passes for one)."""
    import jieba.posseg

    tags = [pair.flag for pair in jieba.posseg.lcut(phrase, HMM=False)]
    return (
        bool(tags)
        and tags[-1].startswith(_NOUN_HEADS)
        and not any(tag.startswith(_NOT_IN_NOUN_PHRASES) or tag == "v" for tag in tags)
    )


# What asks, not what about, even inside a compound of everyday words.
_ASKING = frozenset(
    """什么 怎么 怎样 如何 为什么 为何 哪些 哪个 哪种 是 的 了 吗 呢 吧 啥 咋 为啥
    这个 那个 这些 那些 意思 含义 定义 概念 请 请问 一下 讲讲 说说 介绍 解释 干嘛
    什么样 是什么 有什么 怎么样 区别 作用 原理""".split()  # noqa: SIM905
)


def _compounds(text: str) -> list[str]:
    """Runs of two words or more, none of them asking (对比学习 in
    什么是对比学习？), of at least three characters."""
    import jieba

    found = []
    for clause in _CLAUSE.split(text.strip()):
        run: list[str] = []
        for token in [*jieba.lcut(clause, HMM=False), ""]:
            if _CJK_WORD.match(token) and token not in _ASKING and token not in _PARTICLES:
                run.append(token)
                continue
            if len(run) > 1 and 3 <= len("".join(run)) <= _TOPIC_CHARS:
                found.append("".join(run))
            run = []
    return found


def _says_how(word: str) -> bool:
    """Whether jieba tags ``word`` an adverb, an idiom, a conjunction or a
    numeral (一次性, 过于自信, 除以, 几倍): how or how much, not what."""
    return _tag(word)[:1] in ("d", "i", "c", "m")


def _person(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` as a person's name of three
    characters or more (贝尔曼, 卡尔曼, 吉布斯): a name, whose absence says the
    notes do not speak of what is named after them, however close the
    passages look. Two characters are as often everyday words jieba took
    for a name (库里 in 在库里认出, a basketball player's name)."""
    return len(word) >= 3 and _tag(word) in ("nr", "nrt", "nrfg")


def _noun(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` as a noun or a name."""
    return _tag(word).startswith("n")


def _tag(word: str) -> str:
    """jieba's dictionary part-of-speech tag of ``word`` ("" if none)."""
    import jieba.posseg

    tag: str = jieba.posseg.dt.word_tag_tab.get(word, "")
    return tag


def _latin_terms(question: str, mostly_cjk: bool) -> list[Term]:
    matches = list((_LATIN_NAME if mostly_cjk else _LATIN_TERM).finditer(question))
    phrases = {} if mostly_cjk else _phrases_runs_miss(question, matches)
    terms: list[Term] = []
    words: list[str] = []  # a run of plain English words

    def flush(head: Term | None = None) -> None:
        run = _english_terms(words)
        if run and head is not None:
            run[-1] = _kind_of(run[-1], head)
        terms.extend(run)
        words.clear()

    def flush_before(term: Term, i: int) -> None:
        """The run, its last word maybe saying which kind of ``term``, the
        ``i``-th match, when the two are next to each other."""
        flush(term if words and _apart(question, matches[i - 1], matches[i]) else None)

    skip_to = 0
    for i, match in enumerate(matches):
        if i < skip_to:
            continue
        if i in phrases:
            skip_to, phrase = phrases[i]
            term = _phrase_term(phrase, parts=not any(map(_breaks_a_run, phrase)))
            flush_before(term, i)
            terms.append(term)
            continue
        word = match.group().strip()
        if mostly_cjk:
            # English framing around a Chinese question ("What is 反向传播?",
            # "Tell me about 注意力机制") is how it is asked, not a name.
            parts = word.split(" ")
            while parts and parts[0].lower() in FRAMING_EN:
                parts.pop(0)
            while parts and parts[-1].lower() in FRAMING_EN:
                parts.pop()
            word = " ".join(parts)
            if not word:
                continue
        lower = word.lower()
        gap = question[match.start() - 1] if match.start() else " "
        # Two-letter acronyms (RL, CV; em, kv: two letters that are not an
        # English word) name fields or parts that notes often write out in
        # full (强化学习): their absence says little.
        short_acronym = len(word) == 2 and word.isalpha()
        named = not short_acronym and (
            mostly_cjk
            or any(c.isdigit() for c in word)
            or any(c.isupper() for c in word[1:])
            or (word[0].isupper() and match.start() > 0 and gap != "\n")
            or (len(re.split(r"[-.·' ]", word)) > 1 and not _everyday_compound(lower))
        )
        if lower in FRAMING_EN or len(lower) < 2:
            flush()
            continue
        if named or short_acronym:
            found = translations(lower)
            # A glossary phrase in a Chinese question ("hidden state 在 rnn
            # 里是什么") may be said otherwise in the notes, as in an English one.
            said_in = _glossary_words(word)
            term = Term(lower, 1.0 if named else 0.5, True, found, word, named, parts=said_in)
            flush_before(term, i)
            terms.append(term)
            continue
        if len(lower) < 3:
            flush()
            continue
        if words and not _apart(question, matches[i - 1], match):
            flush()  # "decision, tree" is no phrase, "sparse; autoencoder" no kind
        words.append(word)
    flush()
    return terms


def _phrases_runs_miss(
    question: str, matches: list[re.Match[str]]
) -> dict[int, tuple[int, list[str]]]:
    """Phrases of two to four words, apart by spaces, that the field glossary
    or the dictionary knows and that a run of plain words would miss: ones
    holding a word a run stops at (a framing word, two letters, a hyphen:
    "bag of words", "temporal difference", "kl divergence", "semi-supervised
    learning"; not the general dictionary's "how much", "each one", which
    are framing), and ones in title case, whose words would each be taken
    for a name ("Generative Adversarial Network"), by the index of their
    first match: their first match's index → (the index after their last,
    their words)."""
    found: dict[int, tuple[int, list[str]]] = {}
    i = 0
    while i < len(matches):
        for size in (4, 3, 2):
            span = matches[i : i + size]
            words = [m.group() for m in span]
            apart = all(_apart(question, a, b) for a, b in itertools.pairwise(span))
            breaks = any(map(_breaks_a_run, words))
            if (
                len(span) == size
                and apart
                and (breaks and field_term(" ".join(words)) or _titled(words))
            ):
                found[i] = (i + size, words)
                i += size - 1
                break
        i += 1
    return found


def _breaks_a_run(word: str) -> bool:
    return word.lower() in FRAMING_EN or len(word) < 3 or "-" in word


def _titled(words: list[str]) -> bool:
    """Whether ``words`` are a phrase the dictionaries know, each word
    capitalised and the rest lower case ("Positional Encoding", not "GAN
    Loss")."""
    return all(w[0].isupper() and w[1:].islower() for w in words) and bool(
        translations(" ".join(words))
    )


def _apart(question: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether two words of ``question`` are next to each other, a space apart."""
    return question[first.end() : second.start()] == " "


def _english_terms(words: list[str], *, glossary: bool = True) -> list[Term]:
    """Plain English words of a phrase: a phrase of two to four words that the
    dictionary (or, with ``glossary``, the field glossary) knows is one term
    ("decision tree", "hidden state"); other words one each. A word before
    a specific term may say which kind of it (``_kind_of``)."""
    terms = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            phrase = words[i : i + size]
            if i + size <= len(words) and translations(" ".join(phrase), glossary=glossary):
                terms.append(_phrase_term(phrase))
                i += size
                break
        else:
            word = words[i]
            lower = word.lower()
            named = _unknown(lower)
            terms.append(Term(lower, 1.0 if named else 0.5, True, translations(lower), word, named))
            i += 1
    return [_kind_of(term, head) for term, head in itertools.pairwise(terms)] + terms[-1:]


def _phrase_term(words: list[str], *, parts: bool = True) -> Term:
    """A phrase the dictionaries know as one term ("decision tree"). One only
    the field glossary knows carries its words (``parts``: when each is a
    word that says what about, not "of" in "mixture of experts" nor "q" in
    "q learning"), to judge by when the notes say it otherwise
    (``Term.parts``), and is a name when a word of it is one ("kalman
    filter")."""
    phrase = " ".join(words)
    words_of = _glossary_words(phrase) if parts else ()
    named = any(p.named for p in words_of)
    return Term(phrase.lower(), 1.0, True, translations(phrase), phrase, named, parts=words_of)


def _glossary_words(phrase: str) -> tuple[Term, ...]:
    """The words of a phrase only the field glossary knows ("hidden state"),
    as ``Term.parts``; none for any other."""
    words = phrase.split()
    if len(words) < 2 or translations(phrase, glossary=False) or not field_term(phrase):
        return ()
    return tuple(_english_terms(words, glossary=False))


# English words that say how big, how many or how good, or that a thing
# is its ordinary self, not which kind of it ("a large learning rate" is a
# learning rate, "a plain autoencoder" an autoencoder; "a sparse
# autoencoder" is a kind of autoencoder).
_DEGREE = frozenset(
    """large small big little high low deep shallow long short wide narrow new old
    first last next previous single multiple few several whole full same entire
    fast slow quick easy hard simple complex standard normal common typical usual
    general specific original final initial current right wrong true false
    bad good great higher lower larger smaller bigger deeper longer shorter faster
    slower better worse best worst plain regular ordinary basic classic classical
    traditional conventional vanilla naive""".split()  # noqa: SIM905
)


def _kind_of(word: Term, head: Term) -> Term:
    """``word`` right before ``head`` in English: when ``head`` is a specific
    term (a phrase, a name) and ``word`` a plain word that says what kind
    (``_says_which``), the two name a kind of it (conjugate gradient
    descent, sparse autoencoder, bidirectional lstm) that the notes must
    write together, which ``presence`` looks for in the passages; else
    ``word`` as it is."""
    if word.weight >= 1.0 or word.parts or head.weight < 1.0 or not _says_which(word):
        return word
    return Term(
        f"{word.text} {head.text}",
        1.0,
        True,
        written=f"{word.written} {head.written}",
        kind=(word, head),
    )


def _says_which(word: Term) -> bool:
    """Whether an English word before a term says which kind of it: an
    adjective or a past participle (sparse, conjugate, stacked, hidden; one
    the English dictionary lacks by its ending: proximal, contrastive), not
    one of degree (large, plain). Not a verb ("how to calculate cross
    entropy"), a noun naming where the term belongs ("transformer
    positional encoding", "clip contrastive learning") nor an adverb
    ("weakly supervised")."""
    if word.text in _DEGREE:
        return False
    from lemminflect import getAllLemmas

    senses = getAllLemmas(word.text)  # part of speech → base forms, from its dictionary
    if not senses:
        return word.text.endswith(_ADJECTIVE_ENDINGS)
    base_forms = senses.get("VERB", (word.text,))
    participle = word.text.endswith(("ed", "en")) and word.text not in base_forms
    return "ADJ" in senses or participle


# How an English adjective ends, for words the dictionary lacks.
_ADJECTIVE_ENDINGS = ("al", "ic", "ive", "ous", "ian", "ary", "able", "ible")


def _unknown(word: str) -> bool:
    """Whether ``word`` is a name or a term of art (simclr, trpo, kalman,
    backpropagation), not everyday English (came): no entry of the general
    dictionary translates nor uses it. (The field glossary does not decide:
    it translates terms of art, which are no less specific for it.)"""
    if _everyday_compound(word):
        return False
    return not translations(word, glossary=False) and not english_word(word) and not _derived(word)


# Second words that make a method's name of an everyday word
# (classifier-free guidance, score-based models).
_NAMING_ENDS = frozenset(["based", "free", "aware", "driven", "guided", "conditioned", "like"])


def _everyday_compound(word: str) -> bool:
    """Whether ``word`` is everyday English words joined by hyphens
    (cycle-consistency, single-head, full-resolution), not a name (t-sne,
    gpt-3; classifier-free, ``_NAMING_ENDS``)."""
    parts = word.split("-")
    if parts[-1] in _NAMING_ENDS:
        return False
    return len(parts) > 1 and all(
        len(p) >= 3 and p.isalpha() and (english_word(p) or _derived(p)) for p in parts
    )


# English prefixes and suffixes that make a word of a word (overfitting,
# lossless, pretraining): such a word is English, not a name, though the
# dictionary lists only its base.
_PREFIXES = (
    "over",
    "under",
    "pre",
    "un",
    "non",
    "multi",
    "semi",
    "sub",
    "super",
    "inter",
    "out",
    "self",
)
_SUFFIXES = ("less", "ness", "able", "ful", "wise")


def _derived(word: str) -> bool:
    """Whether ``word`` is an English word with a prefix or suffix added."""
    bases = [word[len(p) :] for p in _PREFIXES if word.startswith(p)]
    bases += [word[: -len(s)] for s in _SUFFIXES if word.endswith(s)]
    return any(len(base) >= 3 and english_word(base) for base in bases)


def describe(terms: Iterable[Term]) -> str:
    return ", ".join(str(t) for t in terms)
