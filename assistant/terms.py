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

Latin-script terms (names, English words and phrases, an adjective saying
which kind of a term) are ``assistant.english_terms``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from index.fold import fold as folded_chinese
from index.segment import segment
from index.segment import zipf as _zipf

from .bilingual import known, synonyms
from .english_terms import LATIN_NAME, latin_terms
from .homophones import sound_alikes
from .term import FRAMING_ZH, Term

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_WORD = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_LATIN_LETTER = re.compile(r"[A-Za-z]")

# English contractions and possessives: "what's" is "what", "clip's" is
# "clip", "don't" is "dont" (the framing list has both spellings).
_CONTRACTION = re.compile(r"(?i)(?<=[a-z])['’](?:s|re|ve|ll|d|m)\b")
_NEGATION = re.compile(r"(?i)(?<=[a-z])n['’]t\b")

# Where the student read something: an address is no term, and its words
# (https, zhihu) are in no notes.
_URL = re.compile(
    r"(?i)(?<![a-z0-9.+-])(?:[a-z][a-z0-9+.-]*://|www\.|(?:[a-z0-9-]+\.)+(?:com|org|net|io|ai|cn|edu)/)"
    r"[\w\-.~:/?#@!$&'*+=%]*",
    re.ASCII,
)
# Path parts of an address that say where a page is, not what it is about.
_WHERE = frozenset(
    """wiki abs pdf doc docs stable latest en zh cn index video method methods generated
    article articles post posts blog details p html htm php aspx shtml md""".split()  # noqa: SIM905
)


def _page_name(url: re.Match[str]) -> str:
    """What an address says its page is about: the last part of its path,
    when it is made of words (wiki/Kalman_filter: "Kalman filter"; github.com/
    dmlc/xgboost: "xgboost"), else nothing (zhihu.com/p/338817680, an id such
    as BV1xx411c7mD, a folder name such as DL). Its host and scheme say
    nothing of it."""
    address = url.group().split("?")[0].split("#")[0]
    path = [p for p in address.split("/")[3 if "://" in address else 1 :] if p]
    words = [w for w in re.split(r"[_.]+", path[-1]) if w.lower() not in _WHERE] if path else []
    if all(re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)*", w) for w in words) and (
        sum(len(w) for w in words) >= 3
    ):
        # A slug's capitals say nothing of a name (Generative_adversarial_network).
        return f" {' '.join(words).lower()} "
    return " "


# Whom the question is put to, as its own clause (老师，… 学长你好，…): not
# what it is about, nor its opening phrase.
_ADDRESS = re.compile(
    r"(?i)^(?:\s*(?:(?:[\u4e00-\u9fff]?(?:老[师師]|教授)|[学學][长長姐]|[师師][兄姐]|同[学學]|大家|各位"
    r"|大佬|助教|你好|您好|哈喽|嗨|hello|hi|hey)[们們好]*\s*)+(?:我?想?(?:[问問]|[请請]教)一?下?)?"
    r"[，,:：!！~～。？?…]+)+"
    r"(?:\s*我?想?(?:[问問]|[请請]教)一?下?[，,:：!！~～。？?…]+)?"
)

RARE_ZIPF = 4.0  # below: a specialised word (梯度 3.7, 蒸馏 3.6); above: everyday (森林 4.9)
COMMON_ZIPF = 5.0  # at or above: too common to say what a question is about (学习 5.4)

# Function characters that end a topic phrase (知识蒸馏中… stops at 中).
_PARTICLES = frozenset(
    "中上下里时后前把被对从在用让给和与及或跟同向将就也都还又再才很最更不没会能要可该这那其此各每某哪几一谁总常只仅先已曾刚正"
)
_CLAUSE = re.compile(r"[，。？！、；：,.?!;:（）()\s]+")
_TOPIC_CHARS = 8  # longer runs are descriptions, not names
# Longer text (spaces aside) is a page pasted, not a question typed: its
# unknown words are not looked for as slips of the input method.
TYPED = 500
MAX_SLIPS = 5  # unknown words of a question looked for as slips


# Latin letters with diacritics (naïve, Fréchet), which a word of plain
# letters would split at.
_ACCENTED = re.compile(r"[\u00c0-\u024f]")


def _unaccented(letter: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", letter.group())
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or letter.group()


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _asked(text: str) -> str:
    """``text`` without whom it is put to, and with an address replaced by
    the page it names: what is searched and what its terms are read from."""
    return _ADDRESS.sub("", _URL.sub(_page_name, text))


def searchable(question: str) -> str:
    """``question`` as it is searched: without whom it is put to (老师，…) and
    with an address replaced by what it names (``_page_name``), which only
    pull the embedding away from what is asked."""
    for searched in (_asked(question), _URL.sub(_page_name, question)):
        if re.search(r"\w", searched):
            return searched.strip()
    return question  # only a greeting, or punctuation: as it is


def question_terms(question: str, *, topics: bool = False) -> list[Term]:
    """The specific terms ``question`` asks about, most specific first;
    ``topics`` adds the phrase each Chinese clause opens with (see
    ``topic_phrases``)."""
    # Full-width letters (an input method's full-width mode) as plain ones,
    # traditional characters as simplified: the notes' index is folded so.
    question = _ACCENTED.sub(_unaccented, folded_chinese(question))  # naïve
    question = _asked(question)
    question = _CONTRACTION.sub("", _NEGATION.sub("nt", question))  # what's, don't
    mostly_cjk = len(_CJK.findall(question)) * 3 > len(_LATIN_LETTER.findall(question))
    terms = latin_terms(question, mostly_cjk)
    chinese = LATIN_NAME.sub(" ", question)
    slips = _Slips(len("".join(chinese.split())) <= TYPED)
    terms.extend(_cjk_terms(chinese, slips))
    if topics:
        terms.extend(
            Term(
                p,
                1.0,
                False,
                (*synonyms(p), *_without_method(p)),
                p,
                topic=True,
                sounds_like=slips.of(p, _zipf(p)),
            )
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


# Words saying that a name is a method, which notes often leave off or say
# otherwise (梯度下降法, 梯度下降算法, 梯度下降).
_METHOD_ENDS = ("算法", "方法", "法")


def _without_method(phrase: str) -> tuple[str, ...]:
    """``phrase`` without a last word saying it is a method, when two
    characters or more are left (梯度下降法: 梯度下降; not 语法)."""
    for end in _METHOD_ENDS:
        if phrase.endswith(end) and len(phrase) - len(end) >= 2:
            return (phrase[: -len(end)],)
    return ()


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
        if zipf >= COMMON_ZIPF or _glued(word, zipf) or _glued_at_start(word, zipf):
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
# → 特征 图是, 卷积核有 → 卷积 核有, 学不进去 → 学不 进去, 支持向量机比 →
# 支持 向量 机比).
_GLUED_ENDS = frozenset("是有的了在和与就都也不比")


# And to the start of the next word, after a comparison's or a list's first
# side (隐马尔可夫 比隐, 层归一化 跟层, 词向量 或词).
_GLUED_STARTS = frozenset("比跟和与或及")


def _glued(word: str, zipf: float) -> bool:
    """A piece no dictionary knows, ending in a function character: the
    end of one word and the start of the question's framing, not a term."""
    return zipf == 0 and word[-1] in _GLUED_ENDS and not known(word)


def _glued_at_start(word: str, zipf: float) -> bool:
    """A piece no dictionary knows, opening with a conjunction or 比: the
    joint between two things, not a term."""
    return zipf == 0 and word[0] in _GLUED_STARTS and not known(word)


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


# What joins two things compared or listed (A 比 B, A 和 B).
_JOINTS = frozenset("比和与跟及或")  # not 同: 独立同分布
# A run after these says what the thing before it is (pascal voc 这个检测数据集).
_DEMONSTRATIVES = frozenset(
    ["这个", "那个", "这种", "那种", "这类", "那类", "这些", "那些", "这样的", "该"]
)


def topic_phrases(text: str) -> list[str]:
    """The run of content words the question opens with, when it is two
    words or more (标签平滑, 蒙特卡洛树搜索, 图神经网络): what it is about; and
    when the run ends at 比 or a conjunction, the run after it, the other
    thing compared or listed (逻辑回归与支持向量机, RPN比选择性搜索). Words apart
    can all be in the notes (标签 and 平滑 are) while the thing they name
    together is not. Later clauses are left out: they more often open with
    what is asked (防止过拟合) than with a name."""
    import jieba

    clause = _CLAUSE.split(text.strip())[0]
    runs: list[list[str]] = [[]]  # the opening run; after a joint, the next
    before = ""  # the token before the opening run
    asking = True  # only framing words so far: how the question opens
    for i, token in enumerate(jieba.lcut(clause)):
        run = runs[-1]
        cjk = bool(_CJK_WORD.match(token))
        zipf = _zipf(token) if cjk else 0.0
        glued_end = cjk and _glued(token, zipf)
        glued_start = cjk and _glued_at_start(token, zipf)
        if glued_end:
            run.append(token[:-1])  # 机比: 支持向量机, then 比
        joint = token in _JOINTS or glued_start or (glued_end and token[-1] in _JOINTS)
        # A joint opening the clause follows a Latin name, blanked in
        # ``text`` (RPN比选择性搜索); 比 after one word may be inside a name
        # (维特 比 算法).
        if joint and (len(run) > (token == "比") or i == 0) and len(runs) == 1:
            runs.append([token[1:]] if glued_start else [])  # 比隐: 隐马尔可夫…
            continue
        if glued_end or glued_start or (joint and (token != "比" or len(runs) > 1)):
            break
        content = token not in FRAMING_ZH and token not in _PARTICLES and not _asks(token)
        if not run and content and _tag(token) == "t" and len(runs) == 1:
            before = token  # 后来, 目前: when, not what about
            continue
        if run and len(token) == 1 and _tag(token) == "a":
            break  # 逻辑回归好在哪: how it compares, not part of its name
        if cjk and content:
            run.append(token)
        elif run or (token in _PARTICLES and (not asking or token not in FRAMING_ZH)):
            # After a preposition comes a place or an object, not the
            # topic; after a modal in how the question opens (能讲讲标签平滑吗,
            # 谁能讲讲…) it may come.
            break
        elif len(runs) == 1:
            before = token
            asking = asking and (token in FRAMING_ZH or token in _PARTICLES or _asks(token))
    if before in _DEMONSTRATIVES:
        runs = runs[1:]  # says what the name before it is, not a topic
    return [
        "".join(run)
        for run in runs
        if len(run) > 1 and any(len(t) > 1 for t in run) and 3 <= len("".join(run)) <= _TOPIC_CHARS
    ]


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


def describe(terms: Iterable[Term]) -> str:
    return ", ".join(str(t) for t in terms)
