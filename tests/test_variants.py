"""Traditional and simplified Chinese are one language to the lexical index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from index import Chunk
from index.bm25 import LexicalIndex


def chunk(cid: str, text: str) -> Chunk:
    return Chunk(cid, "/notes", f"{cid}.md", 1, 1, "", text)


def ids(hits: Sequence[tuple[str, float]]) -> list[str]:
    return [cid for cid, _ in hits]


def test_a_traditional_question_finds_simplified_notes() -> None:
    chunks = {
        "gd": chunk("gd", "梯度下降沿着损失函数的负梯度方向更新参数。"),
        "rnn": chunk("rnn", "循环神经网络适合处理序列数据。"),
    }
    lexical = LexicalIndex.build(set(chunks), chunks)
    hits = lexical.search("損失函數的負方向", 5)
    assert ids(hits.words)[0] == "gd"
    assert ids(hits.bigrams)[0] == "gd"


def test_a_simplified_question_finds_traditional_notes_shown_as_written() -> None:
    chunks = {
        "attn": chunk("attn", "注意力機制讓模型關注輸入中最相關的部分。"),
        "conv": chunk("conv", "卷積層用共享權重提取局部特徵。"),
    }
    lexical = LexicalIndex.build(set(chunks), chunks)
    hits = lexical.search("注意力机制 关注 相关", 5)
    assert ids(hits.words)[0] == "attn"
    assert ids(lexical.search("卷积层 特征", 5).bigrams)[0] == "conv"
    # Only the tokens are folded: the chunk keeps its own characters.
    assert "機制" in chunks["attn"].text


def test_full_width_letters_and_plain_ones_are_one_word() -> None:
    # An input method's full-width mode types ＧＡＮ for GAN.
    chunks = {
        "gan": chunk("gan", "ＧＡＮ 的判别器区分真假样本，dropout 随机丢弃神经元。"),
        "rnn": chunk("rnn", "RNN 适合处理序列数据。"),
    }
    lexical = LexicalIndex.build(set(chunks), chunks)
    assert ids(lexical.search("GAN", 5).words) == ["gan"]
    assert ids(lexical.search("ｄｒｏｐｏｕｔ", 5).words) == ["gan"]
    assert ids(lexical.search("ＲＮＮ", 5).words) == ["rnn"]


def test_a_nul_character_does_not_end_the_text() -> None:
    # A NUL in a note (a binary export) or a question (pasted) used to end
    # the folded text there: the words after it were never indexed or judged.
    chunks = {
        "gan": chunk("gan", "生成对抗网络\x00由生成器和判别器组成。"),
        "rnn": chunk("rnn", "循环神经网络适合处理序列数据。"),
    }
    lexical = LexicalIndex.build(set(chunks), chunks)
    assert ids(lexical.search("判别器", 5).words) == ["gan"]
    from assistant.terms import question_terms

    assert "xgboost" in {t.text for t in question_terms("what is\x00 xgboost")}
    assert "gan" in {t.text for t in question_terms("G\x00AN 是什么？")}  # not "g", "an"


def test_the_coverage_check_reads_full_width_letters() -> None:
    from assistant.presence import in_text
    from assistant.terms import question_terms

    [term] = [t for t in question_terms("ｄｒｏｐｏｕｔ是谁提出的？") if t.latin]
    assert term.text == "dropout"
    assert in_text(term, "Ｄｒｏｐｏｕｔ 由 Hinton 提出。")


def test_the_embedder_reads_full_width_letters_as_plain_ones(indexed: object) -> None:
    from assistant import Assistant

    assistant = Assistant(indexed)  # type: ignore[arg-type]
    plain = assistant.search("GAN discriminator", 3, mode="dense")
    wide = assistant.search("ＧＡＮ ｄｉｓｃｒｉｍｉｎａｔｏｒ", 3, mode="dense")
    assert [p.chunk.id for p in wide] == [p.chunk.id for p in plain]
    assert [p.similarity for p in wide] == [p.similarity for p in plain]


def test_capitalised_words_spell_out_their_acronym_but_prose_does_not() -> None:
    from index.acronyms import spelled_out

    found = spelled_out("RLHF 即 Deep Reinforcement Learning from Human Feedback。")
    assert set(found) == {"drl", "rl", "hf"}  # a name ends in its head: no "dr"
    assert "cnn" in spelled_out("卷积神经网络Convolutional Neural Network用卷积核")
    assert "kld" in spelled_out("Kullback–Leibler Divergence")  # any dash
    assert spelled_out("we really like convolutional neural nets") == ()
    assert spelled_out("Dropout 随机丢弃神经元") == ()  # one word spells nothing
    # A small word ends a run: a paper title does not spell out KNN.
    assert "knn" not in spelled_out("Distilling the Knowledge in a Neural Network")


def test_the_notes_mention_an_acronym_they_write_out_after_a_save_and_a_sync(
    tmp_path: Path,
) -> None:
    chunks = {
        "rl": chunk("rl", "强化学习（Reinforcement Learning）让智能体从奖励中学习。"),
        "cv": chunk("cv", "卷积层用共享权重提取局部特征。"),
    }
    built = LexicalIndex.build(set(chunks), chunks)
    built.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded.mentions("RL") and loaded.mentions("rl")
    assert not loaded.mentions("cnn") and not loaded.mentions("gnn")
    # A sync reuses what a known chunk spells out and reads the new one's.
    chunks["cnn"] = chunk("cnn", "Convolutional Neural Network 即卷积神经网络。")
    synced = LexicalIndex.build(set(chunks), chunks, loaded)
    assert synced.mentions("rl") and synced.mentions("cnn")
    gone = LexicalIndex.build({"cv", "cnn"}, chunks, synced)
    assert not gone.mentions("rl")


def test_a_plural_s_is_not_the_last_letter_of_an_acronym() -> None:
    from assistant.presence import in_notes
    from assistant.terms import question_terms

    chunks = {"gp": chunk("gp", "高斯过程（Gaussian Process）用核函数定义先验。")}
    lexical = LexicalIndex.build(set(chunks), chunks)
    [gps] = [t for t in question_terms("GPS 怎么定位？") if t.latin]
    assert not in_notes(gps, lexical.mentions)
    [gp] = [t for t in question_terms("GP 怎么定义先验？") if t.latin]
    assert in_notes(gp, lexical.mentions)


def test_a_saved_file_nested_too_deep_to_read_is_damage_not_a_crash(tmp_path: Path) -> None:
    import pytest

    from index.bm25 import DamagedLexicalIndex

    chunks = {"rl": chunk("rl", "强化学习（Reinforcement Learning）")}
    LexicalIndex.build(set(chunks), chunks).save(tmp_path / "bm25")
    (tmp_path / "bm25" / "acronyms.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DamagedLexicalIndex):
        LexicalIndex.load(tmp_path / "bm25")
