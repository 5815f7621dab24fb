"""The content classifier and the learned router read a request's pieces once, together.

Both are linear models over the same pieces (models_suite.routing.linear), so they are merged into one, their
vocabularies united and their columns side by side: a request's pieces are looked up once and one gather scores
the kinds of request and every candidate's chance together. That halves what the two steps cost a decision. The
merged model is built once per pair (the content classifier lives as long as the process, the learned router
as long as its version) and kept in a small cache.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import NamedTuple

from models_suite.routing.content import ContentClassifier, ContentReading, dense_features
from models_suite.routing.learned import LearnedRouter, learned_dense
from models_suite.routing.linear import side_by_side
from models_suite.routing.request_text import RequestFacts

_CACHED_READERS = 4  # a process holds one content classifier and, briefly while a version changes, two routers


class Reading(NamedTuple):
    content: ContentReading
    chances: dict[str, float]  # P(right) for each candidate the learned router knows ({} without one)


class RequestReader:
    def __init__(self, content: ContentClassifier, learned: LearnedRouter | None = None):
        self.content, self.learned = content, learned
        kinds = content.model.classes
        candidates = learned.scorer.classes if learned is not None else []
        models = [content.model] + ([learned.scorer] if learned is not None else [])
        self._joint = side_by_side(models, [*kinds, *candidates], shared_dense=False)
        self._kinds = content.model.weights.shape[1]  # the content model's columns come first
        self._candidates = candidates

    def read(self, facts: RequestFacts) -> Reading:
        dense = dense_features(facts)
        if self.learned is not None:
            dense += learned_dense(facts.ask)  # the learned columns' own dense input, after the content's
        scores = self._joint.scores_of_words(facts.words, facts.context_words, dense)
        probabilities = self.content.model.probabilities_of(scores[: self._kinds])
        chances = {name: 1.0 / (1.0 + math.exp(-score)) for name, score in zip(self._candidates, scores[self._kinds :])}
        return Reading(content=self.content.reading_of(probabilities), chances=chances)


_readers: OrderedDict[tuple[int, int], RequestReader] = OrderedDict()


def request_reader(content: ContentClassifier, learned: LearnedRouter | None = None) -> RequestReader:
    """The merged reader of this pair, built once (the cache holds the pair itself, so an id is never reused
    while its entry lives)."""
    key = (id(content), id(learned))
    reader = _readers.get(key)
    if reader is None:
        reader = _readers[key] = RequestReader(content, learned)
        while len(_readers) > _CACHED_READERS:
            _readers.popitem(last=False)
    return reader
