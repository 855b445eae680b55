"""A term of a question (``Term``: what ``assistant.terms`` finds, what
``assistant.presence`` looks for) and the words that are never terms: the
framing of a question, which says how it is asked, not what about."""

from __future__ import annotations

from dataclasses import dataclass

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
是 的 了 吗 呢 吧 啥 咋 谁 为啥 咋样 干嘛 干啥 干什么 怎么回事 是啥 有啥
什么样 怎样的 如何的 多大 多久 何时 何种 能不能 不能 不会 可不可以 是不是 有没有 讲讲看
一下子 到底 究竟 大概 大致 简要 通常来说 一般来说 大于 小于 等于 超过 低于 高于
多于 少于 不到 以上 以下 左右 多长 多长时间 多少年 多少次 什么时候 几几年 年份
请 举例 举例说明 举个例子 解释一下 说一说 说一下 讲一讲 讲一下 想问 想问问 问问
了解 想了解 回顾 复习 考研 期末 考试 会考 图解 深入 深入分析 快速
演进 演变 发展 历程 发展历程 发展史 来龙去脉 脉络 简述 试述 试比较 论述
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
disadvantage disadvantages drawback drawbacks limitation limitations shortcoming shortcomings
weakness weaknesses downside downsides benefit benefits pros cons exactly actually generally usually
typically briefly simple simply basic basically define defined definition formula happen
happens happened each both other others some any all such much many very really please
question answer lecture course chapter write written wrote called call problem problems
solve solves solved important mainly instead rather whether during after before while
through without within which whats hows whys wats dont doesnt didnt isnt arent cant
wont shouldnt thing things stuff something someone anyone okay ok eg ie etc up go me us
hi oh behind beyond intuition intuitions rationale analogy analogies insight insights
pitfall pitfalls caveat caveats notation inventor inventors math maths implementation
implementations pls plz thx thanks thank ty idk tbh btw imo imho lol u ur ya yeah
hmm hey hello guys
"""
FRAMING_ZH = frozenset(_FRAMING_ZH.split())
FRAMING_EN = frozenset(_FRAMING_EN.split())


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
