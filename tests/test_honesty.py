"""Honest when the notes are silent: whether the notes cover what a
question is about (its terms alone: test_terms.py), and refusals the model
gives standing. Each answer sentence checked against its passages:
test_support.py; questions asking for a year or a number: test_numbers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Done, Settings, Sources, Token
from assistant.gate import judge
from assistant.terms import question_terms
from index import Chunk, Passage
from tests.conftest import passage, write_notes
from tests.fake_ollama import Script

NOTES = {
    "unet.md": "# 图像分割\n\nU-Net 是一种编码器-解码器结构的分割网络，跳跃连接把编码器的特征拼接到解码器。\n",
    "gpt.md": "# 大模型\n\nGPT-3 有 1750 亿参数，通过上下文学习完成少样本任务。\n\n"
    "## 归一化\n\nLayer Normalization 对每个样本的特征做归一化，Transformer 里每个子层后都有。\n",
    "gan.md": "# 生成对抗网络\n\nGAN 由生成器和判别器组成。生成器负责生成以假乱真的样本，判别器负责区分真假。\n\n"
    "## 训练\n\n两者交替训练，是一种博弈关系。模式崩溃是指生成器只生成少数几种样本。\n",
}


@pytest.fixture
def study_notes(tmp_path: Path) -> Path:
    return write_notes(tmp_path / "study-notes", NOTES)


def indexed_over(notes: Path, home: Path, ollama: str) -> Assistant:
    """An assistant with ``notes`` indexed (hashing embedder), answering
    through the fake Ollama server."""
    helper = Assistant(
        Settings(home=home, embedder="hashing", ollama_host=ollama, request_timeout=5)
    )
    helper.reindex([notes])
    return helper


@pytest.fixture
def assistant(study_notes: Path, isolated_home: Path, ollama: str) -> Assistant:
    return indexed_over(study_notes, isolated_home, ollama)


def chats(script: Script) -> int:
    return sum(r["path"] == "/api/chat" for r in script.requests)


# -- what a question is about, against passages ---------------------------------


ALPHAGO = (
    "AlphaGo 击败了人类棋手。强化学习的策略梯度方法，价值函数估计每个状态的回报，神经网络拟合。"
)
ALPHAGO_WORDS = {"alphago", "策略", "网络", "价值", "神经网络", "强化", "学习"}


def test_a_name_the_notes_have_does_not_cover_a_part_of_it_they_never_name() -> None:
    question = "AlphaGo 的策略网络和价值网络分别做什么？"
    far = [passage(1, ALPHAGO)]  # similarity unknown: not close
    verdict = judge(question, far, ALPHAGO_WORDS.__contains__, similarity_floor=0.89)
    assert not verdict.covered and "策略网络" in verdict.missing_terms
    # a close passage: the name says what the question is about
    verdict = judge(question, close(ALPHAGO), ALPHAGO_WORDS.__contains__, similarity_floor=0.89)
    assert verdict.covered, verdict.reason


def test_the_opening_phrase_joins_a_word_the_segmenter_guessed() -> None:
    # 聚类 is in no dictionary; cut into single characters, 谱聚类 was no
    # phrase at all, and a question about it passed on 聚类 and 矩阵.
    question = "谱聚类为什么要先算拉普拉斯矩阵？"
    assert "谱聚类" in {t.text for t in question_terms(question, topics=True) if t.topic}
    text = "K-means 聚类把样本分到最近的中心。拉普拉斯平滑。矩阵分解。"
    verdict = judge(question, [passage(1, text)], {"聚类", "拉普拉斯", "矩阵"}.__contains__)
    assert not verdict.covered and "谱聚类" in verdict.missing_terms


def test_a_comparison_with_a_thing_the_notes_never_name_is_refused() -> None:
    # Every word of 支持向量机 is in the notes (支持, 向量), the thing is not.
    text = "逻辑回归用 sigmoid 把线性输出变成概率，是一种线性分类器。向量的支持集。"
    words = {"逻辑", "回归", "逻辑回归", "向量", "支持", "分类器", "线性"}
    question = "逻辑回归与支持向量机的区别"
    verdict = judge(question, near(text), words.__contains__, similarity_floor=0.89)
    assert not verdict.covered and "支持向量机" in verdict.missing_terms
    words.add("支持向量机")
    both = text + "支持向量机找间隔最大的超平面。"
    assert judge(question, near(both), words.__contains__, similarity_floor=0.89).covered


def test_a_chinese_name_the_notes_write_in_english_is_in_the_notes() -> None:
    # The glossary's English for 批归一化; the notes never write it in Chinese.
    text = "Batch Normalization 对每个 mini-batch 做归一化，再缩放和平移。"
    for question in ("要怎么理解批归一化", "批归一化是怎么做的？"):
        verdict = judge(question, close(text), {"batch", "normalization", "归一化"}.__contains__)
        assert verdict.covered, (question, verdict.reason)
    # an acronym where a passage writes it in capitals, not a word in another name's
    ppo = close("PPO 限制每次策略更新的幅度。")
    assert judge(
        "近端策略优化主要解决了什么问题", ppo, {"策略", "更新", "ppo"}.__contains__
    ).covered
    entropy = close("Cross entropy 损失衡量两个分布的差异。")
    verdict = judge("信息熵的公式是什么", entropy, {"cross", "entropy", "损失"}.__contains__)
    assert not verdict.covered and "信息熵" in verdict.missing_terms
    # and not when the notes have neither
    lacking = close("Layer Normalization 对每个样本归一化。")
    verdict = judge(
        "要怎么理解批归一化", lacking, {"layer", "normalization", "归一化"}.__contains__
    )
    assert not verdict.covered and "批归一化" in verdict.missing_terms


def test_a_web_address_in_a_question_is_no_term_but_the_page_it_names_is() -> None:
    for question in (
        "我在 https://zhuanlan.zhihu.com/p/123456 看到交叉熵损失，笔记里怎么讲的？",
        "看了www.bilibili.com/video/BV1xx的视频，交叉熵损失怎么算",
        "arxiv.org/abs/1706.03762 里的交叉熵损失怎么算",
    ):
        terms = {t.text for t in question_terms(question)}
        assert terms and not any(c.isascii() and c.isalpha() for t in terms for c in t), terms
        verdict = judge(
            question, close("交叉熵损失衡量两个分布的差异。"), {"交叉", "损失"}.__contains__
        )
        assert verdict.covered, verdict.reason
    # a name written as a domain is still a name
    assert "pytorch" in {t.text for t in question_terms("pytorch 的交叉熵损失怎么用")}
    # and the last part of an address's path, when it is words, names its page
    question = "https://en.wikipedia.org/wiki/Kalman_filter 这个滤波器怎么推导"
    verdict = judge(question, close("滤波器在信号处理中去除噪声。"), {"滤波器"}.__contains__)
    assert not verdict.covered and "kalman filter" in verdict.reason
    # whose capitals say nothing of a name
    terms = question_terms(
        "https://en.wikipedia.org/wiki/Generative_adversarial_network what is it"
    )
    assert [t.text for t in terms] == ["generative adversarial network"]  # the field's phrase


def test_a_method_named_with_or_without_fa_is_the_same_method() -> None:
    text = "梯度下降算法沿负梯度方向更新参数。"
    words = {"梯度", "下降", "梯度下降", "算法", "参数"}.__contains__
    for question in ("什么是梯度下降法", "梯度下降方法怎么更新参数"):
        assert judge(question, near(text), words, similarity_floor=0.89).covered, question
    verdict = judge("什么是坐标下降法", near(text), words, similarity_floor=0.89)
    assert not verdict.covered


# -- the gate -------------------------------------------------------------------


def test_a_plain_chinese_out_of_notes_question_is_refused_before_the_model(
    assistant: Assistant, script: Script
) -> None:
    events = list(assistant.ask("知识蒸馏里的温度参数起什么作用？"))
    sources, done = events[0], events[-1]
    assert isinstance(sources, Sources) and not sources.covered
    assert "蒸馏" in sources.reason and sources.passages  # the nearest passages still shown
    assert isinstance(done, Done) and done.refused and "笔记中没有相关内容" in done.answer
    assert chats(script) == 0


def test_a_lowercase_english_out_of_notes_question_is_refused(
    assistant: Assistant, script: Script
) -> None:
    events = list(assistant.ask("how does a kalman filter update its estimate?"))
    assert isinstance(events[0], Sources) and not events[0].covered
    assert isinstance(events[-1], Done) and events[-1].refused and chats(script) == 0


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("GPT-3 是哪一年发布的？", "year"),  # the notes give its size, not its year
        ("U-Net 一般有多少层？", "number"),
        ("how many layers does a u-net have?", "number"),
    ],
)
def test_a_question_asking_for_a_figure_the_notes_do_not_give_is_refused(
    assistant: Assistant, script: Script, question: str, asked: str
) -> None:
    events = list(assistant.ask(question))
    sources, done = events[0], events[-1]
    assert isinstance(sources, Sources) and not sources.covered
    assert f"give no {asked}" in sources.reason
    assert isinstance(done, Done) and done.refused and chats(script) == 0


@pytest.mark.parametrize(
    "question",
    ["UNet 的跳跃连接是做什么的？", "GPT3 有多少参数？", "layernorm 在 Transformer 里放在哪？"],
)
def test_covered_questions_spelled_differently_reach_the_model(
    assistant: Assistant, script: Script, question: str
) -> None:
    events = list(assistant.ask(question))
    assert isinstance(events[0], Sources) and events[0].covered, events[0].reason
    assert chats(script) == 1


def test_an_acronym_the_notes_write_out_is_covered_one_they_never_name_is_not(
    tmp_path: Path, isolated_home: Path, ollama: str, script: Script
) -> None:
    notes = write_notes(
        tmp_path / "acronyms",
        {
            "cnn.md": "# 卷积神经网络\n\n卷积神经网络（Convolutional Neural Network）用卷积核"
            "在整张图上共享权重，池化层缩小特征图。\n",
            "gcn.md": "# 图\n\n图由节点和边组成，邻接矩阵记录哪些节点相连。\n",
        },
    )
    helper = indexed_over(notes, isolated_home, ollama)
    covered = next(iter(helper.ask("CNN 的卷积核为什么要共享权重？")))
    assert isinstance(covered, Sources) and covered.covered, covered.reason
    refused = next(iter(helper.ask("GNN 是怎么聚合邻居节点的？")))
    assert isinstance(refused, Sources) and not refused.covered
    assert "GNN" in refused.reason


def test_words_sharing_a_narrow_gloss_are_synonyms_a_broad_one_does_not_make_them() -> None:
    from assistant.bilingual import synonyms

    assert "声音" in synonyms("嗓音")  # both "voice"
    # 基线 is "base" too, which dozens of words are (卑鄙, despicable; 基地, a base).
    assert not {"卑鄙", "基地", "基数"} & set(synonyms("基线"))
    passages = [passage(1, "策略梯度的方差很大，基数越大越难估计。")]
    verdict = judge(
        "策略梯度里引入基线为什么能降低方差？", passages, lambda w: w in {"策略", "梯度"}
    )
    assert not verdict.covered and "基线" in verdict.reason


def test_a_word_typed_with_a_wrong_character_of_the_same_sound_is_the_passages_word() -> None:
    from assistant.homophones import sound_alikes

    assert "卷积" in sound_alikes("卷基") and "池化层" in sound_alikes("池话层")
    passages = [passage(1, "池化层缩小特征图，卷积核在整张图上共享权重。反向传播用链式法则。")]
    notes = {"池化层", "池化", "卷积", "卷积核", "特征图", "权重", "反向传播"}
    typed = judge("池话层有什么用？", passages, notes.__contains__)
    assert typed.covered and typed.in_passages == ("池话层",), typed.reason
    # A slip in the phrase a question opens with.
    assert judge("反向传波怎么算？", passages, notes.__contains__).covered
    # Looked for in the passages given only: chance finds a word of the same
    # sound somewhere in a large vocabulary.
    elsewhere = [passage(1, "梯度下降沿负梯度方向更新参数。")]
    assert not judge("卷基的作用是什么？", elsewhere, notes.__contains__).covered
    assert not judge("蚁群算法的信息素怎么更新？", passages, notes.__contains__).covered


@pytest.mark.parametrize(
    "question",
    [
        "请问千问的模型是怎么来的？",
        "千问和智谱的模型谁更好？",
        "塞闹划援耐苦传盏级龄他份途久申惟？",
    ],
)
def test_an_unknown_name_beside_everyday_words_is_still_not_in_the_notes(question: str) -> None:
    passages = [passage(1, "模型的参数由数据训练得到，损失越小越好。")]
    notes = {"模型", "数据", "参数", "损失", "训练"}
    assert not judge(question, passages, notes.__contains__).covered


def test_the_gate_names_only_what_is_missing() -> None:
    passages = [passage(1, "GAN 由生成器和判别器组成。")]
    verdict = judge("XGBoost 和 GAN 有什么区别？", passages, lambda w: w in {"gan", "生成器"})
    assert not verdict.covered and verdict.missing_terms == ("XGBoost",)


def test_an_english_word_without_a_translation_is_said_to_be_looked_for_as_written() -> None:
    # The notes say it in Chinese; neither dictionary has Chinese for the word.
    passages = [passage(1, "训练时随机断开一部分连接的权重。")]
    verdict = judge("How does dropconnect work?", passages, lambda w: False)
    assert not verdict.covered
    assert "never use the word dropconnect" in verdict.reason
    assert "ask with their word" in verdict.reason


def one_passage(text: str, similarity: float) -> list[Passage]:
    return [
        Passage(Chunk("id1", "/r", "note1.md", 1, 3, "", text), 1.0, 1, 1, similarity=similarity)
    ]


def close(text: str) -> list[Passage]:
    """One passage the embedder finds close to the question (above the floor)."""
    return one_passage(text, 0.95)


def near(text: str) -> list[Passage]:
    """One passage the embedder finds near the question, under the floor."""
    return one_passage(text, 0.86)


NOTES_WORDS = {"模型", "词序", "信息", "丢失", "梯度", "人类", "打分", "分辨率", "高分辨率", "照片"}


def test_a_close_passage_does_not_cover_a_named_thing_whose_words_it_lacks() -> None:
    # 词袋模型 is nowhere in the notes and the passage lacks 词袋: the passage
    # is about something else, however close it looks to the embedder.
    passages = close("N-gram 模型会丢失长距离的词序信息。")
    verdict = judge(
        "词袋模型为什么会丢失词序信息？", passages, NOTES_WORDS.__contains__, similarity_floor=0.89
    )
    assert not verdict.covered and "词袋模型" in verdict.missing_terms


def test_a_close_passage_does_not_cover_a_named_thing_whose_words_are_in_no_one_sentence() -> None:
    # Every word of 朴素贝叶斯分类器 is in the passage, none of them with another.
    text = "贝叶斯公式给出后验概率。我们要朴素地看问题。支持向量机是一种分类器。"
    question = "朴素贝叶斯分类器为什么要假设特征相互独立？"
    words = NOTES_WORDS | {"贝叶斯", "朴素", "分类器", "特征"}
    verdict = judge(question, close(text), words.__contains__, similarity_floor=0.89)
    assert not verdict.covered and "朴素贝叶斯分类器" in verdict.missing_terms
    together = "朴素贝叶斯分类器假设特征相互独立。"
    assert judge(question, close(together), words.__contains__, similarity_floor=0.89).covered


@pytest.mark.parametrize(
    ("question", "text"),
    [
        # a description in everyday words, not the name of a thing
        (
            "人类偏好打出来的分为什么不能直接回传梯度？",
            "人类打分不可导，不能直接回传梯度，所以先训练奖励模型。",
        ),
        # a name the notes lack whose every word the passage has
        ("高分辨率照片为什么不适合全连接网络？", "高分辨率的照片像素太多，全连接网络参数爆炸。"),
    ],
)
def test_a_close_passage_covers_a_paraphrase(question: str, text: str) -> None:
    verdict = judge(question, close(text), NOTES_WORDS.__contains__, similarity_floor=0.89)
    assert verdict.covered, verdict.reason


GAN_TEXT = (
    "生成器和判别器是一种博弈关系。模式崩溃是指生成器只生成少数几种样本。对比学习拉近正样本。"
    "判别器的卷积层输出特征图。"
)
GAN_WORDS = {"生成器", "判别器", "判别", "博弈", "关系", "模式", "崩溃", "对比", "学习", "样本"}


@pytest.mark.parametrize(
    "question",
    [
        "请举例说明生成器和判别器的博弈关系",  # a request glued to the subject
        "快速回顾生成器",
        "请解释一下模式崩溃",
        "考试会考模式崩溃吗",
        "模式崩潰是什麼？",  # traditional characters over simplified notes
        "什么是对比学习？",  # everyday words naming a thing together
        "特征图是什么？",  # not the piece 图是 jieba's guesser makes
    ],
)
@pytest.mark.parametrize("floor", [None, 0.89])
def test_how_a_student_asks_does_not_hide_what_the_notes_hold(
    question: str, floor: float | None
) -> None:
    verdict = judge(question, close(GAN_TEXT), GAN_WORDS.__contains__, similarity_floor=floor)
    assert verdict.covered, verdict.reason


@pytest.mark.parametrize(
    "question", ["what's attention?", "why isn't attention's output a single word?"]
)
def test_contractions_and_possessives_are_english_not_names(question: str) -> None:
    passages = [passage(1, "注意力机制的输出是每个单词的加权和。")]
    verdict = judge(question, passages, {"注意力", "输出", "单词"}.__contains__)
    assert verdict.covered, verdict.reason


@pytest.mark.parametrize("question", ["？！。，", "the", "的", "😀", "这个是什么意思？"])
def test_a_question_naming_nothing_is_not_sent_to_the_model(question: str) -> None:
    passages = [passage(1, "反向传播用链式法则计算梯度。")]
    verdict = judge(question, passages, lambda w: True)
    assert not verdict.covered and "names nothing specific" in verdict.reason


@pytest.mark.parametrize(
    "question", ["What is 反向传播?", "How does 反向传播 work?", "Tell me about 反向传播"]
)
def test_english_framing_around_a_chinese_term_is_not_a_name(question: str) -> None:
    # What the refusal of an untranslatable English word advises: ask with the notes' word.
    passages = [passage(1, "反向传播用链式法则计算梯度。")]
    verdict = judge(question, passages, lambda w: w in {"反向传播", "反向", "传播"})
    assert verdict.covered, verdict.reason


def test_invisible_characters_in_a_question_do_not_split_its_words(
    indexed: Settings, script: Script
) -> None:
    assistant = Assistant(indexed)
    for question in ("GAN 的生成\u00ad器是什么？", "生\u200b成\u200b器 是什么？"):
        sources = next(iter(assistant.ask(question, use_llm=False, save=False)))
        assert isinstance(sources, Sources) and sources.covered, (question, sources.reason)
        assert sources.passages[0].chunk.path == "dl/gan.md"


# -- refusals -------------------------------------------------------------------


def test_an_honest_refusal_is_not_asked_again_when_the_passages_lack_the_terms(
    assistant: Assistant, script: Script
) -> None:
    # Both names are in the notes, so the gate lets it through; but one
    # passage is given, which lacks one of them: the refusal may be right.
    script.reply = ["笔记中没有相关内容。"]
    events = list(assistant.ask("U-Net 的跳跃连接和 GPT-3 的上下文学习有什么关系？", k=1))
    sources, done = events[0], events[-1]
    assert isinstance(sources, Sources) and sources.covered
    assert isinstance(done, Done) and done.refused and not done.stats.retried
    assert chats(script) == 1
    assert "".join(e.text for e in events if isinstance(e, Token)) == "笔记中没有相关内容。"


def test_a_refusal_with_a_prefix_is_held_back_when_the_model_is_asked_again(
    assistant: Assistant, script: Script
) -> None:
    script.queued = [["抱歉，", "笔记中", "没有相关内容。"], ["GAN 由生成器和判别器组成[1]。"]]
    events = list(assistant.ask("GAN 由哪两部分组成？"))
    done = events[-1]
    assert isinstance(done, Done) and done.stats.retried and not done.refused
    shown = "".join(e.text for e in events if isinstance(e, Token))
    assert shown == "GAN 由生成器和判别器组成[1]。"  # the first refusal never shown
    assert "抱歉" not in shown


def test_a_field_phrase_the_notes_never_speak_of_is_not_covered_by_a_close_passage() -> None:
    # gradient clipping (梯度裁剪): 梯度 and 裁剪 are each in a sentence, never
    # together, and the notes never name it; a close passage is about
    # something else.
    text = "梯度爆炸时训练不稳定。随机裁剪图片可以做数据增强。"
    words = {"梯度", "裁剪", "爆炸"}.__contains__
    verdict = judge("gradient clipping 是干什么的", close(text), words, similarity_floor=0.89)
    assert not verdict.covered and "gradient clipping" in verdict.reason
    said = close("梯度裁剪把梯度的范数限制在阈值以内。")
    assert judge("gradient clipping 是干什么的", said, words, similarity_floor=0.89).covered


def test_a_person_the_notes_never_name_is_not_covered_by_a_close_passage() -> None:
    # Every other word of the question is in a passage the embedder finds
    # close; the equation is named after someone the notes never mention.
    text = (
        "强化学习里，状态价值函数等于即时奖励加上折扣后的下一状态价值，这个方程递推地定义了价值。"
    )
    words = {"强化", "强化学习", "方程", "价值", "状态"}
    verdict = judge(
        "强化学习里的贝尔曼方程是什么？", close(text), words.__contains__, similarity_floor=0.89
    )
    assert not verdict.covered and "贝尔曼" in verdict.reason
    # Two characters jieba takes for a name are as often everyday words (库里: in the library).
    verdict = judge(
        "在库里认出人脸用什么损失？",
        close("人脸识别在库里检索，用三元组损失。"),
        {"人脸", "损失", "检索"}.__contains__,
        similarity_floor=0.89,
    )
    assert verdict.covered, verdict.reason
