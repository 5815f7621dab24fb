"""What a request asks for, read from its text offline: a multinomial logistic regression over the kinds of
request (code to write, code to refactor, a long document to reason over, a plan, ... a greeting, a command)
trained on requests we wrote (data/requests_train.jsonl, each labelled heavy or light and with its kind).

P(heavy) is the sum of the heavy kinds' probabilities; the likeliest kind is the explanation. Trained once per
process from the data file (under a second; deterministic), or loaded from a saved dict.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from models_suite.routing.linear import SparseLinear, train_sparse_linear
from models_suite.routing.request_text import RequestFacts, code_line_share, facts_of, lexicon_groups, symbol_share

TRAINING_DATA = Path(__file__).parent / "data" / "requests_train.jsonl"
# Chosen by nested cross-validation on the training file only (`python -m models_suite.routing.tune` repeats the
# choice and prints the outer folds; bench/bench_router_decisions.py too). The held-out files are never used to
# choose anything. C is the grid's largest: from 16 up the outer folds do not change (97.9 % heavy, 5.2 % light).
DEFAULT_C = 64.0
CONTENT_HEAVY_AT = 0.3  # P(heavy) from which a request is heavy


class ContentReading(NamedTuple):  # a tuple: made once per decision, cheaper than a frozen dataclass
    p_heavy: float
    kind: str  # the likeliest kind
    heavy: bool  # whether that kind is a heavy one


def dense_features(facts: RequestFacts) -> list[float]:
    ask = facts.ask
    return [
        math.log1p(facts.chars) / 10.0,
        min(facts.turns, 10) / 10.0,
        1.0 if facts.has_tools else 0.0,
        1.0 if "```" in ask or "```" in facts.context else 0.0,
        math.log1p(ask.count("\n")) / 5.0,
        symbol_share(ask),
        code_line_share(ask),
        *lexicon_groups(facts.words),
        *lexicon_groups(facts.context_words),
    ]


class ContentClassifier:
    def __init__(self, model: SparseLinear, heavy_kinds: Iterable[str]):
        self.model = model
        self.heavy_kinds = set(heavy_kinds)
        self._heavy_columns = [i for i, c in enumerate(model.classes) if c in self.heavy_kinds]

    def read(self, facts: RequestFacts) -> ContentReading:
        return self.reading_of(self.model.probabilities(facts.pieces, dense_features(facts)))

    def reading_of(self, p: list[float]) -> ContentReading:
        """The reading of P(kind) in the order of model.classes."""
        p_heavy = sum(map(p.__getitem__, self._heavy_columns))
        kind = self.model.classes[p.index(max(p))]
        return ContentReading(p_heavy=p_heavy, kind=kind, heavy=kind in self.heavy_kinds)

    def to_dict(self) -> dict:
        return {"model": self.model.to_dict(), "heavy_kinds": sorted(self.heavy_kinds)}

    @classmethod
    def from_dict(cls, data: dict) -> ContentClassifier:
        return cls(SparseLinear.from_dict(data["model"]), data["heavy_kinds"])


def request_facts_of(example: dict) -> RequestFacts:
    return facts_of(messages=example.get("messages"), prompt=example.get("prompt"), tools=example.get("tools"))


def load_examples(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def train_content_classifier(examples: list[dict], *, c: float = DEFAULT_C) -> ContentClassifier:
    rows = []
    for example in examples:
        facts = request_facts_of(example)
        rows.append((facts.pieces, dense_features(facts)))
    heavy_kinds = {e["kind"] for e in examples if e["label"] == "heavy"}
    model = train_sparse_linear(rows, [e["kind"] for e in examples], c=c)
    return ContentClassifier(model, heavy_kinds)


@lru_cache(maxsize=1)
def default_content_classifier() -> ContentClassifier:
    """Trained from the shipped data, once per process."""
    return train_content_classifier(load_examples(TRAINING_DATA))
