"""The learned router: per candidate, the chance that it answers a request right, predicted from the request's
text by a logistic regression trained on the product's own graded attempts (practice and evaluation runs:
which model answered which item, right or not).

Choose the cheapest candidate whose predicted chance is within `margin` of the best one's: margin 0 buys
the best quality at any cost, a larger margin trades quality for cost (RouteLLM's threshold). A candidate with
no graded attempts has no prediction and is left to the other steps.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from models_suite.routing.linear import KINDS, SparseLinear, pieces, side_by_side, train_sparse_linear

MIN_ATTEMPTS = 20  # fewer graded attempts than this say too little about a candidate to route on


@dataclass(frozen=True)
class GradedAttempt:
    candidate: str  # a route candidate's name: "<model>" or "<model>:<adapter>"
    prompt: str
    correct: bool


def learned_dense(text: str) -> list[float]:
    return [math.log1p(len(text)) / 10.0]


def _constant(rate: float) -> SparseLinear:
    """All right or all wrong: a model of the smoothed rate, since a regression needs both outcomes."""
    return SparseLinear(
        classes=["False", "True"],
        vocabularies={kind: {} for kind in KINDS},
        weights=np.zeros((1, 1)),
        dense_weights=np.zeros((1, 1)),
        bias=np.array([math.log(rate / (1.0 - rate))]),
    )


def cheapest_within_margin(
    chances: dict[str, float], candidates: Sequence[str], margin: float
) -> tuple[str, dict[str, float]] | None:
    """(the first of `candidates`, cheapest first, whose chance is within margin of the best, the chances), or None
    when fewer than two candidates have a chance (nothing to compare)."""
    if len(chances) < 2:
        return None
    best = max(chances.values())
    return next(c for c in candidates if c in chances and chances[c] >= best - margin), chances


class LearnedRouter:
    def __init__(self, models: dict[str, SparseLinear], attempts: dict[str, int]):
        self.models, self.attempts = models, attempts
        # One model with a column per candidate (all read the same dense input): one gather scores them all.
        self._all = side_by_side(list(models.values()), list(models), shared_dense=True)
        self._column = {name: i for i, name in enumerate(self._all.classes)}

    def chances(self, text: str, candidates: Iterable[str], by_kind: dict | None = None) -> dict[str, float]:
        """P(right) for each candidate the router knows (by_kind: pieces(text), when already read)."""
        known = [c for c in candidates if c in self._column]
        if not known:
            return {}
        score = self._all.scores(by_kind if by_kind is not None else pieces(text), learned_dense(text))
        return {c: 1.0 / (1.0 + math.exp(-score[self._column[c]])) for c in known}

    @property
    def scorer(self) -> SparseLinear:
        """The candidates' models as one, a log-odds column per candidate (classes: the candidates), reading
        pieces(text) and learned_dense(text)."""
        return self._all

    def choose(
        self, text: str, candidates: Sequence[str], margin: float, by_kind: dict | None = None
    ) -> tuple[str, dict[str, float]] | None:
        """(the cheapest candidate within margin of the best, the chances), or None if the router knows fewer
        than two of the candidates (nothing to compare)."""
        return cheapest_within_margin(self.chances(text, candidates, by_kind), candidates, margin)

    def to_dict(self) -> dict:
        return {"models": {c: m.to_dict() for c, m in self.models.items()}, "attempts": self.attempts}

    @classmethod
    def from_dict(cls, data: dict) -> LearnedRouter:
        return cls({c: SparseLinear.from_dict(m) for c, m in data["models"].items()}, dict(data["attempts"]))


def train_learned_router(attempts: Iterable[GradedAttempt], *, c: float | Mapping[str, float] = 1.0) -> LearnedRouter:
    """Per candidate a regression of P(right); `c` is the regularisation strength, one for all or per candidate
    (a candidate not named gets 1)."""
    by_candidate: dict[str, list[GradedAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_candidate[attempt.candidate].append(attempt)
    models, counts = {}, {}
    for candidate, rows in sorted(by_candidate.items()):
        if len(rows) < MIN_ATTEMPTS:
            continue
        counts[candidate] = len(rows)
        right = sum(r.correct for r in rows)
        if right in (0, len(rows)):
            models[candidate] = _constant((right + 1) / (len(rows) + 2))
            continue
        models[candidate] = train_sparse_linear(
            [(pieces(r.prompt), learned_dense(r.prompt)) for r in rows],
            [str(r.correct) for r in rows],
            c=c.get(candidate, 1.0) if isinstance(c, Mapping) else c,
            min_count=2,
            class_weight=None,  # the chance itself is wanted, not a balanced decision
        )
    return LearnedRouter(models, counts)
