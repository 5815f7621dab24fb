"""The fast reading of a request (models_suite.routing.reading, linear.SparseLinear.scores_of_words) gives what
the two models give read apart, piece by piece: it is a faster path, not another model."""

import random

import pytest

from models_suite.routing import linear
from models_suite.routing.content import default_content_classifier, dense_features
from models_suite.routing.learned import GradedAttempt, learned_dense, train_learned_router
from models_suite.routing.linear import pieces, pieces_of_words, side_by_side, words_of
from models_suite.routing.reading import RequestReader, request_reader
from models_suite.routing.request_text import facts_of

REQUESTS = [
    "Write a Python function that parses ISO dates and returns a datetime, with unit tests.",
    "good morning!",
    "Refactor this:\n\ndef f(x):\n    if x == 1: return 1\n    else: return f(x-1)*x\n",
    "Vergleiche die Vor- und Nachteile von Rust und Go für Netzwerkdienste.",  # not ASCII: the Unicode tokenizer
    "Q: 71*71*71=",
    "",
    "x",
]


def _learned():
    rng = random.Random(0)
    attempts = []
    for i in range(40):
        attempts.append(GradedAttempt("local", f"Q: {i}+{i}=", rng.random() < 0.9))
        attempts.append(GradedAttempt("local", f"Write a parser for format {i}", rng.random() < 0.2))
        attempts.append(GradedAttempt("cloud", f"Q: {i}+{i}=", True))
        attempts.append(GradedAttempt("cloud", f"Write a parser for format {i}", rng.random() < 0.9))
    return train_learned_router(attempts)


def test_ascii_and_unicode_tokenizers_agree_on_ascii_text():
    text = "Sort 12 items_x in C++ (fast); ok? ÄÖ"
    ascii_part = text[: text.index("Ä")]
    assert words_of(ascii_part) == linear._TOKEN.findall(linear._NONZERO_DIGIT.sub("0", ascii_part.lower()))
    assert words_of("Straße 12") == ["straße", "00"]


@pytest.mark.parametrize("text", REQUESTS)
@pytest.mark.parametrize("context", ["", "Earlier we talked about Kubernetes and helm charts."])
def test_scores_of_words_equal_the_scores_of_the_pieces(text, context):
    model = default_content_classifier().model
    words, context_words = words_of(text), words_of(context)
    dense = [0.1] * model.dense_weights.shape[0]
    assert model.scores_of_words(words, context_words, dense) == pytest.approx(
        model.scores(pieces(text, context), dense), abs=1e-9
    )
    assert pieces_of_words(words, context_words) == pieces(text, context)


def test_the_word_sums_start_afresh_past_their_limit_and_stay_exact(monkeypatch):
    model = default_content_classifier().model
    monkeypatch.setattr(linear._WordSums, "LIMIT", 5)
    dense = [0.0] * model.dense_weights.shape[0]
    for text in REQUESTS * 2:
        assert model.scores_of_words(words_of(text), [], dense) == pytest.approx(
            model.scores(pieces(text), dense), abs=1e-9
        )
    assert model._word_sums is not None and len(model._word_sums) <= 5 + len(words_of(REQUESTS[0]))


def test_the_word_sums_grow_past_their_first_matrix():
    model = default_content_classifier().model
    sums = linear._WordSums(model.weights, model.vocabularies)
    first = len(sums.matrix)
    for i in range(first - len(model.weights) + 10):
        sums[f"w{i}"]
    assert len(sums.matrix) > first
    assert sums.matrix[: len(model.weights)] == pytest.approx(model.weights)


@pytest.mark.parametrize("text", REQUESTS)
def test_the_joint_reader_reads_as_the_two_models_apart(text):
    content, learned = default_content_classifier(), _learned()
    facts = facts_of(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}])
    reading = RequestReader(content, learned).read(facts)
    apart = content.read(facts)
    assert reading.content.kind == apart.kind and reading.content.heavy == apart.heavy
    assert reading.content.p_heavy == pytest.approx(apart.p_heavy, abs=1e-9)
    assert reading.chances == pytest.approx(learned.chances(facts.ask, ["local", "cloud"], facts.pieces), abs=1e-9)
    without = RequestReader(content).read(facts)
    assert without.chances == {} and without.content.p_heavy == pytest.approx(apart.p_heavy, abs=1e-9)


def test_side_by_side_keeps_each_models_columns_and_dense_inputs():
    content, learned = default_content_classifier(), _learned()
    joint = side_by_side(
        [content.model, learned.scorer], [*content.model.classes, *learned.scorer.classes], shared_dense=False
    )
    facts = facts_of(prompt="Write a parser for format 7")
    dense = dense_features(facts) + learned_dense(facts.ask)
    both = joint.scores(facts.pieces, dense)
    kinds = len(content.model.classes)
    assert both[:kinds] == pytest.approx(content.model.scores(facts.pieces, dense_features(facts)), abs=1e-9)
    assert both[kinds:] == pytest.approx(learned.scorer.scores(facts.pieces, learned_dense(facts.ask)), abs=1e-9)
    with pytest.raises(ValueError, match="column names"):
        side_by_side([content.model], ["only one"], shared_dense=False)


def test_a_reader_is_built_once_per_pair():
    content, learned = default_content_classifier(), _learned()
    assert request_reader(content, learned) is request_reader(content, learned)
    assert request_reader(content, None) is not request_reader(content, learned)
