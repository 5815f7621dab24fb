"""The product's embedding service: offline all-MiniLM-L6-v2, unit float32 vectors, bf16 where it pays."""

import numpy as np

from memoryhub import embedder


def test_vectors_are_unit_float32_and_similar_texts_are_closer():
    vectors = embedder.embed(["A cat sat on the mat.", "A kitten rested on the rug.", "Stock prices fell sharply."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-6)
    cat, kitten, stocks = vectors
    assert float(cat @ kitten) > float(cat @ stocks) + 0.2
    assert embedder.embed([]).shape == (0, 384)


def test_bf16_and_float32_vectors_agree(settings):
    texts = ["Tides are caused by the Moon.", "Bread rises because of yeast.", "x"]
    settings.EMBEDDING_BF16 = False
    assert not embedder.use_bf16()
    exact = embedder.embed(texts)
    settings.EMBEDDING_BF16 = True
    assert embedder.use_bf16()
    fast = embedder.embed(texts)
    assert (exact * fast).sum(axis=1).min() > 0.999  # stored vectors compare the same whichever way they were made


def test_vectors_survive_the_database_byte_format():
    vector = embedder.embed(["round trip"])[0]
    assert np.array_equal(embedder.from_bytes(embedder.to_bytes(vector)), vector)


def test_tokens_are_counted_in_the_models_word_pieces():
    assert embedder.count_tokens("unbelievable") >= 1 and embedder.count_tokens("a b c") == 3
