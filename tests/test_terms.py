"""What a question is about: its specific terms in any script (framing,
everyday and question words left out; opening phrases, comparisons, names),
spellings folded, and what is searched for it. Whether the notes then cover
it: test_honesty.py."""

from __future__ import annotations

import pytest

from assistant.presence import in_text
from assistant.terms import question_terms, searchable


def test_framing_words_are_not_terms_but_topic_words_are() -> None:
    terms = [str(t) for t in question_terms("决策树是怎么选择分裂节点的？和随机森林有什么区别？")]
    assert "决策树" in terms and "森林" in terms
    assert not {"怎么", "什么", "区别", "选择"} & set(terms)
    english = [str(t) for t in question_terms("how do decision trees pick where to split?")]
    assert english[0] == "decision trees"  # one concept, from the dictionary
    assert not {"how", "do", "where", "to"} & set(english)
    weak = [str(t) for t in question_terms("what are the drawbacks and limitations of dropout")]
    assert weak == ["dropout"]  # drawbacks are how it is asked, as disadvantages are
    why = [str(t) for t in question_terms("what is the intuition and the math behind dropout")]
    assert why == ["dropout"]


@pytest.mark.parametrize(
    ("question", "asks"),
    [("学习率预热是啥意思？", "啥意思"), ("梯度爆炸了咋办", "咋办"), ("召回率分别咋算？", "咋算")],
)
def test_a_colloquial_question_word_joined_to_the_next_is_not_a_term(
    question: str, asks: str
) -> None:
    from index.segment import segment

    assert asks in segment(question)  # jieba makes one word of it
    assert asks not in {t.text for t in question_terms(question)}


def test_asking_for_the_history_of_a_thing_is_framing() -> None:
    terms = question_terms("简述 GAN 到 WGAN 的演进过程", topics=True)
    assert not [t for t in terms if "演进" in t.text]


def test_chat_shorthand_is_how_a_student_writes_not_a_name() -> None:
    for question in (
        "pls explain dropout thx",
        "idk what dropout is tbh",
        "hey guys, how do u use dropout",
    ):
        assert [t.text for t in question_terms(question)] == ["dropout"], question


def test_everyday_english_is_not_a_name_but_an_unknown_word_is() -> None:
    terms = {t.text: t for t in question_terms("who came up with trpo?")}
    assert not terms["came"].named  # no translation, but English all the same
    assert terms["trpo"].named and terms["trpo"].weight == 1.0
    # an English word made of one with a prefix or suffix (the dictionary
    # has only "fit" and "loss"), not a name the notes lack
    terms = {t.text: t for t in question_terms("does dropout prevent overfitting? lossless?")}
    assert not terms["overfitting"].named and terms["overfitting"].weight == 0.5
    assert not terms["lossless"].named
    assert question_terms("how does controlnet work")[0].named  # a name all the same
    # A term of art the field glossary translates is no less specific for it.
    [backpropagation] = question_terms("what is backpropagation")
    assert backpropagation.named and "反向传播" in backpropagation.translations
    # two letters that are not a word: an acronym, however written
    assert "em" in {t.text for t in question_terms("how does the em algorithm work")}


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("神经网络语言模型是哪一年提出的？", "哪一年"),  # 哪 asks, whatever follows
        ("池化常见的有哪几种？", "哪几种"),
        ("RL 总是抓不住重点怎么办", "抓不住"),  # X不Y: what the student cannot do
        ("RL 总觉得学不进去", "学不"),  # a piece jieba's guesser glues
        ("BERT 预训练需要多长时间？", "多长时间"),
    ],
)
def test_question_words_and_potential_verbs_are_not_terms(question: str, word: str) -> None:
    assert word not in {t.text for t in question_terms(question, topics=True)}


def test_a_question_word_is_no_part_of_an_opening_phrase() -> None:
    terms = question_terms("AlexNet 是哪一年拿下 ImageNet 比赛冠军的？", topics=True)
    assert not any("哪" in t.text for t in terms), [t.text for t in terms]


def test_a_rare_three_character_noun_is_a_name_but_a_verb_is_not() -> None:
    terms = {t.text: t for t in question_terms("风格迁移里的格拉姆矩阵表示什么？")}
    assert terms["格拉姆"].weight == 1.0  # a name jieba's dictionary knows
    verbs = {t.text: t for t in question_terms("效果取决于数据吗")}
    assert verbs["取决于"].weight == 0.5


def test_a_phrase_saying_what_a_name_is_is_not_its_topic() -> None:
    terms = question_terms("pascal voc 这个检测数据集有几类？", topics=True)
    assert not [t for t in terms if t.topic]


def test_a_rare_adverb_or_idiom_says_how_not_what() -> None:
    # 一次性 is rare and in the dictionary, but an adverb: a paraphrase
    # saying it (for the notes' 并行) is not about something else
    terms = {t.text: t for t in question_terms("一次性并行吐出整句的解码方式有什么好处？")}
    assert terms["一次性"].weight == 0.5 and terms["解码"].weight == 1.0
    assert {t.text: t for t in question_terms("模型为什么会过于自信？")}["过于自信"].weight == 0.5


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # a modal opening the question asks; the topic comes after it
        ("能不能讲讲标签平滑是啥", "标签平滑"),
        ("能讲讲标签平滑吗", "标签平滑"),
        ("会不会过拟合了怎么判断", "过拟合"),  # 不会 asks too, not 不会过拟合
        # and is no comparison inside a name
        ("维特比算法是怎样找出最可能的状态序列的？", "维特比算法"),
    ],
)
def test_the_opening_phrase_after_a_modal(question: str, topic: str) -> None:
    assert [t.text for t in question_terms(question, topics=True) if t.topic] == [topic]


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        # 比 or a conjunction after a name: the other thing is a phrase too
        ("门控循环单元比长短期记忆网络少了哪些门？", ["门控循环单元", "长短期记忆网络"]),
        ("逻辑回归与支持向量机的区别", ["逻辑回归", "支持向量机"]),
        # the first is a Latin name
        ("RPN比选择性搜索好在哪", ["选择性搜索"]),
        ("GAN和流模型哪个生成质量高", ["流模型"]),
        # glued by the segmenter to a neighbour's character (机比, 比隐, 跟组)
        ("支持向量机比逻辑回归好在哪", ["支持向量机", "逻辑回归"]),
        ("条件随机场比隐马尔可夫模型强在哪", ["条件随机场", "隐马尔可夫模型"]),
        ("批归一化跟组归一化比哪个好", ["批归一化", "组归一化"]),
    ],
)
def test_both_things_a_question_compares_are_phrases(question: str, topics: list[str]) -> None:
    assert [t.text for t in question_terms(question, topics=True) if t.topic] == topics


def test_a_piece_the_segmenter_glued_to_a_function_character_is_no_term() -> None:
    for question, piece in [("支持向量机比逻辑回归好在哪", "机比"), ("批归一化跟层归一化", "跟层")]:
        assert piece not in {t.text for t in question_terms(question, topics=True)}


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("老师，标签平滑是什么", "标签平滑"),
        ("学长你好，知识蒸馏怎么做", "知识蒸馏"),
        ("同学们，注意力机制是什么", ""),
        ("老师我想问一下，标签平滑是什么", "标签平滑"),
        ("王老师，知识蒸馏怎么做", "知识蒸馏"),
        ("hello 老师，知识蒸馏怎么做", "知识蒸馏"),
        ("学长学姐们好，我想问一下，知识蒸馏怎么做", "知识蒸馏"),
        ("王老师，请教一下，标签平滑是什么", "标签平滑"),
        # not a word that only begins like one
        ("老师模型和学生模型怎么配合", "老师模型"),
    ],
)
def test_whom_the_question_is_put_to_is_neither_a_term_nor_its_topic(
    question: str, topic: str
) -> None:
    terms = question_terms(question, topics=True)
    assert [t.text for t in terms if t.topic][:1] == ([topic] if topic else [])
    if "模型" not in question:
        assert not any(
            w in t.text for t in terms for w in ("老师", "学长", "你好", "同学", "hello")
        )


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("老師您好，什麼是過擬合", "什麼是過擬合"),
        ("李老师好～过拟合是什么", "过拟合是什么"),
        ("老师好。什么是过拟合", "什么是过拟合"),
        ("老师们好，问一下：什么是过拟合", "什么是过拟合"),
        ("hello 老师，知识蒸馏怎么做", "知识蒸馏怎么做"),
        # a greeting word that is what the question is about, or one of a list
        ("hello world程序怎么写", "hello world程序怎么写"),
        ("hi res 图像怎么处理", "hi res 图像怎么处理"),
        ("老师、学生模型的区别", "老师、学生模型的区别"),
        ("hi、hello 的区别", "hi、hello 的区别"),
        ("你好 世界 这个程序", "你好 世界 这个程序"),
        # nothing left but the greeting: it is searched (a link naming no page left out)
        ("老师您好，？", "老师您好，？"),
        ("老师，https://zhihu.com/p/1", "老师，"),
    ],
)
def test_what_is_searched_leaves_out_the_greeting_and_nothing_else(
    question: str, searched: str
) -> None:
    assert searchable(question) == searched


def test_a_question_opening_with_who_can_explain_has_its_topic_after() -> None:
    terms = question_terms("谁能讲讲支持向量机的核技巧", topics=True)
    assert [t.text for t in terms if t.topic] == ["支持向量机"]


def test_a_time_word_is_no_part_of_the_opening_phrase() -> None:
    terms = question_terms("为什么后来生成式的路线压过了当初大家都用的 BERT？", topics=True)
    assert not [t for t in terms if t.topic and "后来" in t.text]
    terms = question_terms("目前知识蒸馏的温度一般设多少？", topics=True)
    assert [t.text for t in terms if t.topic] == ["知识蒸馏"]


def test_a_modal_after_the_subject_ends_the_opening_phrase() -> None:
    # "rag 主要能缓解…": what follows 能 is what it does, not the topic
    terms = question_terms("rag 主要能缓解大模型的哪些问题？", topics=True)
    assert not [t for t in terms if t.topic]


def test_comparisons_are_how_a_question_asks_not_what_about() -> None:
    terms = [str(t) for t in question_terms("交并比大于多少才算检测到？", topics=True)]
    assert "大于" not in terms and not any("大于" in t for t in terms)


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("UNet 的跳跃连接有什么用？", "U-Net 是一种分割网络"),
        ("GPT3 有多少参数？", "GPT-3 有 1750 亿参数"),
        ("gpt 3 has how many parameters?", "GPT-3 有 1750 亿参数"),
        ("layernorm 在哪里用？", "Layer Normalization 对每个样本归一化"),
        ("what do autoencoders learn?", "自编码器 (AutoEncoder) 学习压缩表示"),
        ("why does attention scale its scores?", "注意力分数要除以根号 d"),
    ],
)
def test_spelling_variants_and_translations_are_found(question: str, text: str) -> None:
    [term] = [t for t in question_terms(question) if t.weight == 1.0 or t.latin][:1]
    assert in_text(term, text), (str(term), text)


def test_a_prefix_inside_one_word_is_not_a_match() -> None:
    [gan] = [t for t in question_terms("What is a GAN?") if t.text == "gan"]
    assert not in_text(gan, "an organ of the body")
    assert in_text(gan, "CycleGAN and GAN")


def test_a_pasted_page_is_not_searched_for_slips() -> None:
    typed = question_terms("卷基的作用是什么？")[0]
    pasted = question_terms("卷基的作用是什么？" + "这是一段很长的文字。" * 60)[0]
    assert typed.text == pasted.text == "卷基"
    assert "卷积" in typed.sounds_like and not pasted.sounds_like
    # Spaces do not make a question a page.
    assert question_terms("卷基的作用是什么？" + " " * 600)[0].sounds_like


def test_a_word_a_dictionary_knows_is_not_taken_for_a_slip() -> None:
    from assistant.bilingual import synonyms
    from assistant.homophones import sound_alikes

    # 系数 (coefficient) sounds like 稀疏 (sparse) with one character changed
    # back and forth; 稀疏 is a word, so only its synonyms count.
    (term,) = [t for t in question_terms("稀疏约束有什么用？") if t.text == "稀疏"]
    assert sound_alikes("稀疏") and term.translations == synonyms("稀疏")
    assert not term.sounds_like
