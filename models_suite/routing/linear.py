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
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter

import numpy as np

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
# The same tokens for lower-cased ASCII text with its digits made 0s, read a third faster (no Unicode classes).
_ASCII_TOKEN = re.compile(r"[a-z]+|0+|[^a-z0-9_\s]")
_NONZERO_DIGIT = re.compile(r"[1-9]")
_PREFIX, _SUFFIX = itemgetter(slice(0, 4)), itemgetter(slice(-3, None))
KINDS = ("word", "pair", "prefix", "suffix", "context")


def words_of(text: str) -> list[str]:
    text = _NONZERO_DIGIT.sub("0", text.lower())
    return (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)


def pieces(text: str, context: str = "") -> dict[str, list]:
    """The text's pieces by kind (the context's words apart: what was said turns ago is not what is asked)."""
    return pieces_of_words(words_of(text), words_of(context) if context else [])


def pieces_of_words(words: list[str], context_words: list[str]) -> dict[str, list]:
    return {
        "word": words,
        "pair": list(zip(words, words[1:])),
        "prefix": list(map(_PREFIX, words)),
        "suffix": list(map(_SUFFIX, words)),
        "context": context_words,
    }


class _WordSums(dict):
    """word -> a row of `matrix` holding the sum of the weights of the word's own pieces (the word, its prefix, its
    suffix), filled on first sight. Three lookups, two slices and three gathered rows per word become one lookup,
    done by map() in C, and one row. `matrix` starts as a copy of the model's weights, so a pair's or a context
    word's row means the same in it; the words' sums are added below them, the matrix doubling as they come.

    Threads: a row is written before its word is published, and a grown matrix copies every row written, so a
    reader that takes `matrix` after looking its words up finds them all. Past LIMIT words the model starts a new
    _WordSums (unknown words would otherwise pile up), and a reader still holding the old one finishes with it.
    """

    LIMIT = 100_000

    def __init__(self, weights: np.ndarray, vocabularies: dict[str, dict]):
        super().__init__()
        self.weights = weights
        self.word, self.prefix, self.suffix = (vocabularies.get(kind, {}) for kind in ("word", "prefix", "suffix"))
        self.matrix = np.vstack([weights, np.zeros((max(1024, len(self.word)), weights.shape[1]))])
        self.used = len(weights)
        self.lock = threading.Lock()

    def __missing__(self, word: str) -> int:
        with self.lock:
            row = self.get(word)
            if row is not None:  # another thread added it while this one waited
                return row
            if self.used == len(self.matrix):
                self.matrix = np.vstack([self.matrix, np.zeros_like(self.matrix)])
            weights = self.weights
            self.matrix[self.used] = (
                weights[self.word.get(word, 0)]
                + weights[self.prefix.get(word[:4], 0)]
                + weights[self.suffix.get(word[-3:], 0)]
            )
            row = self[word] = self.used
            self.used += 1
            return row


def softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


@dataclass
class SparseLinear:
    classes: list[str]
    vocabularies: dict[str, dict]  # kind -> piece -> row (row 0: the zeros of an unknown piece)
    weights: np.ndarray  # (rows, columns): one column per class for multinomial, one (log-odds) for binary
    dense_weights: np.ndarray  # (dense features, columns)
    bias: np.ndarray

    def __post_init__(self) -> None:
        self._word_sums: _WordSums | None = None

    def scores_of_words(self, words: list[str], context_words: list[str], dense: Sequence[float]) -> list[float]:
        """scores(pieces_of_words(words, context_words), dense), without making the pieces: each word's own pieces
        come summed in one row (_WordSums), its pairs and the context's words are looked up as they are."""
        sums = self._word_sums
        if sums is None or len(sums) >= _WordSums.LIMIT:
            sums = self._word_sums = _WordSums(self.weights, self.vocabularies)
        found = chain(
            map(sums.__getitem__, words),
            map(self.vocabularies["pair"].get, zip(words, words[1:]), repeat(0)),
            map(self.vocabularies["context"].get, context_words, repeat(0)),
        )
        rows = np.fromiter(found, dtype=np.intp, count=max(0, 2 * len(words) - 1) + len(context_words))
        score = self.bias + np.dot(dense, self.dense_weights)
        if len(rows):
            pieces_count = max(0, 4 * len(words) - 1) + len(context_words)  # each word: itself, prefix, suffix, pair
            score += np.add.reduce(sums.matrix.take(rows, axis=0), axis=0) * (1.0 / math.sqrt(pieces_count))
        return score.tolist()

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
        score = self.bias + np.dot(dense, self.dense_weights)
        if rows:
            score += np.add.reduce(self.weights.take(rows, axis=0), axis=0) * (1.0 / math.sqrt(len(rows)))
        return score.tolist()

    def probabilities(self, by_kind: dict[str, list], dense: Sequence[float]) -> list[float]:
        """P(class) in the order of self.classes (plain floats: a dozen of them are cheaper without numpy)."""
        return self.probabilities_of(self.scores(by_kind, dense))

    def probabilities_of(self, score: Sequence[float]) -> list[float]:
        """P(class) from this model's columns' scores (scores(), or its columns of a merged model's)."""
        if len(self.classes) == 2:  # binary: one column, the second class's log-odds
            p = 1.0 / (1.0 + math.exp(-score[0]))
            return [1.0 - p, p]
        return softmax(score)

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


def side_by_side(models: Sequence[SparseLinear], columns: Sequence[str], *, shared_dense: bool) -> SparseLinear:
    """The models as one: their vocabularies merged and their columns side by side (in the models' order), so one
    lookup of a text's pieces and one gather score them all. Exact, since every model divides by the same count
    of pieces. `columns` names the merged columns (its `classes`). Dense inputs: one vector every model reads
    (shared_dense: each model's dense weights have the same rows), or each model's own, concatenated in order."""
    vocabularies: dict[str, dict] = {kind: {} for kind in KINDS}
    next_row = 1
    for model in models:
        for kind in KINDS:
            merged = vocabularies[kind]
            for piece in model.vocabularies.get(kind, {}):
                if piece not in merged:
                    merged[piece] = next_row
                    next_row += 1
    width_total = sum(m.weights.shape[1] for m in models)
    if len(columns) != width_total:
        raise ValueError(f"{len(columns)} column names for {width_total} columns")
    weights = np.zeros((next_row, width_total))
    dense_rows = (
        (models[0].dense_weights.shape[0] if models else 1)
        if shared_dense
        else sum(m.dense_weights.shape[0] for m in models)
    )
    dense_weights = np.zeros((dense_rows, width_total))
    column = dense_row = 0
    for model in models:
        width = model.weights.shape[1]
        for kind, vocabulary in model.vocabularies.items():
            if vocabulary:
                source = np.fromiter(vocabulary.values(), dtype=np.intp, count=len(vocabulary))
                target = np.fromiter(
                    map(vocabularies[kind].__getitem__, vocabulary), dtype=np.intp, count=len(vocabulary)
                )
                weights[target, column : column + width] = model.weights[source]
        height = model.dense_weights.shape[0]
        start = 0 if shared_dense else dense_row
        dense_weights[start : start + height, column : column + width] = model.dense_weights
        dense_row += height
        column += width
    return SparseLinear(
        classes=list(columns),
        vocabularies=vocabularies,
        weights=weights,
        dense_weights=dense_weights,
        bias=np.concatenate([m.bias for m in models]) if models else np.zeros(0),
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
