"""A sparse linear classifier fast enough to sit in front of every request.

A text is read as its words (number shapes: "12" -> "00", so 12+34 and 56+78 read alike; symbols count as words,
since `{`, `=` and `;` say "code" in any language), the pairs of neighbouring words, and each word's first four
and last three letters (which read typos, inflections, other languages and identifiers the training texts spelt
differently). Every piece is made and looked up by C loops (map, zip, dict.get) and the weights of what is found
are summed by one numpy gather: tens of microseconds for a request, where building feature strings in Python
cost hundreds. Vocabularies are fixed at training; a piece never seen falls on a row of zeros. Trained with
scikit-learn's logistic regression; saved as plain JSON-able numbers so a version reloads exactly.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter

import numpy as np

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_DIGITS = str.maketrans("123456789", "000000000")
_PREFIX, _SUFFIX = itemgetter(slice(0, 4)), itemgetter(slice(-3, None))
KINDS = ("word", "pair", "prefix", "suffix", "context")


def words_of(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().translate(_DIGITS))


def pieces(text: str, context: str = "") -> dict[str, list]:
    """The text's pieces by kind (the context's words apart: what was said turns ago is not what is asked)."""
    words = words_of(text)
    return {
        "word": words,
        "pair": list(zip(words, words[1:])),
        "prefix": list(map(_PREFIX, words)),
        "suffix": list(map(_SUFFIX, words)),
        "context": words_of(context) if context else [],
    }


@dataclass
class SparseLinear:
    classes: list[str]
    vocabularies: dict[str, dict]  # kind -> piece -> row (row 0: the zeros of an unknown piece)
    weights: np.ndarray  # (rows, columns): one column per class for multinomial, one (log-odds) for binary
    dense_weights: np.ndarray  # (dense features, columns)
    bias: np.ndarray

    def rows(self, by_kind: dict[str, list]) -> list[int]:
        vocabularies = self.vocabularies
        return list(
            chain.from_iterable(
                map(vocabularies[kind].get, by_kind[kind], repeat(0)) for kind in KINDS if by_kind.get(kind)
            )
        )

    def scores(self, by_kind: dict[str, list], dense: Sequence[float]) -> list[float]:
        """Each column's score (a class's logit; the log-odds for a binary model)."""
        rows = self.rows(by_kind)
        score = self.bias + np.asarray(dense, dtype=np.float64) @ self.dense_weights
        if rows:
            score += np.add.reduce(self.weights.take(rows, axis=0), axis=0) / math.sqrt(len(rows))
        return score.tolist()

    def probabilities(self, by_kind: dict[str, list], dense: Sequence[float]) -> list[float]:
        """P(class) in the order of self.classes (plain floats: a dozen of them are cheaper without numpy)."""
        score = self.scores(by_kind, dense)
        if len(self.classes) == 2:  # binary: one column, the second class's log-odds
            p = 1.0 / (1.0 + math.exp(-score[0]))
            return [1.0 - p, p]
        top = max(score)
        exps = [math.exp(s - top) for s in score]
        total = sum(exps)
        return [e / total for e in exps]

    def to_dict(self) -> dict:
        return {
            "classes": self.classes,
            # JSON keys are strings: a word pair is stored as its two words joined by a space (words hold none)
            "vocabularies": {
                kind: {(" ".join(k) if isinstance(k, tuple) else k): row for k, row in vocabulary.items()}
                for kind, vocabulary in self.vocabularies.items()
            },
            "weights": self.weights.round(6).tolist(),
            "dense_weights": self.dense_weights.round(6).tolist(),
            "bias": self.bias.round(6).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> SparseLinear:
        dense_weights = np.asarray(data["dense_weights"], dtype=np.float64)
        vocabularies = {
            kind: {(tuple(k.split(" ")) if kind == "pair" else k): row for k, row in vocabulary.items()}
            for kind, vocabulary in data["vocabularies"].items()
        }
        rows = 1 + sum(len(v) for v in vocabularies.values())
        return cls(
            classes=list(data["classes"]),
            vocabularies=vocabularies,
            weights=np.asarray(data["weights"], dtype=np.float64).reshape(rows, dense_weights.shape[1]),
            dense_weights=dense_weights,
            bias=np.asarray(data["bias"], dtype=np.float64),
        )


def train_sparse_linear(
    rows: Sequence[tuple[dict[str, list], Sequence[float]]],
    labels: Sequence[str],
    *,
    c: float = 1.0,
    min_count: int = 2,
    class_weight: str | None = "balanced",
) -> SparseLinear:
    """Logistic regression (L2, strength 1/c) over pieces seen in at least min_count texts."""
    from scipy.sparse import csr_matrix, hstack  # heavy: only training needs them
    from sklearn.linear_model import LogisticRegression

    vocabularies: dict[str, dict] = {}
    next_row = 1
    for kind in KINDS:
        counts = Counter(piece for by_kind, _ in rows for piece in set(by_kind.get(kind, ())))
        kept = sorted((p for p, k in counts.items() if k >= min_count), key=str)
        vocabularies[kind] = {piece: next_row + i for i, piece in enumerate(kept)}
        next_row += len(kept)
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for by_kind, _ in rows:
        found = [row for kind in KINDS for row in map(vocabularies[kind].get, by_kind.get(kind, ()), repeat(0))]
        scale = 1.0 / np.sqrt(len(found)) if found else 0.0  # as probabilities() scores: sum / sqrt(count)
        for row, count in Counter(found).items():
            if row:
                indices.append(row)
                data.append(count * scale)
        indptr.append(len(indices))
    sparse = csr_matrix((data, indices, indptr), shape=(len(rows), next_row))
    dense = np.asarray([list(d) for _, d in rows], dtype=np.float64)
    model = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
    model.fit(hstack([sparse, csr_matrix(dense)]).tocsr(), list(labels))
    coef = model.coef_.T  # (features, columns)
    return SparseLinear(
        classes=[str(c) for c in model.classes_],
        vocabularies=vocabularies,
        weights=np.ascontiguousarray(coef[:next_row]),
        dense_weights=np.ascontiguousarray(coef[next_row:]),
        bias=np.asarray(model.intercept_, dtype=np.float64),
    )
