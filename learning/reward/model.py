"""A reward model that runs offline on a CPU: a linear scorer on MiniLM features, trained with Bradley-Terry on
preference pairs and least squares on ratings, one scorer for both.

Features:
- the reply's token states averaged per layer, for all 7 layers of MiniLM, each L2-normalised (0.655 against
  0.62 for the final sentence vector alone: lower layers carry how a reply is phrased, refusals included);
- with the feature set "layers+asked", also the reply times the person's last turn, elementwise, at layers 3
  and 6 (what was asked may matter; prompt-only features would cancel in a pair's difference);
- the item's category (hobby type), one-hot.
Beside it, a second linear scorer on the reply's character n-grams (lexical.py), fitted the same way; the score
mixes them before the tanh. Which feature set, the two penalties and the mix are chosen by cross-validation on
the training data itself (selection.py), nested inside the benchmark's folds. Tried earlier and dropped, each no
better in CV:
the whole dialogue tail, the reply read in its context, max/first/last-token pooling, IDF-weighted pooling,
whitening, hand-made text statistics (length, refusal words), a one-layer MLP, random Fourier features, and
fine-tuning MiniLM's top layer (worse, and ~100 s an epoch on 2 cores).

Uncertainty is the spread of bootstrap refits (bagging): items unlike anything rated get diverse scores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from learning.reward import lexical
from learning.reward.dialogue import last_human_turn, split_dialogue
from memoryhub.embedder import layer_means

FEATURE_SETS = {
    "layers": "MiniLM layer means of the reply (7 layers) + category one-hot",
    "layers+asked": "MiniLM layer means of the reply (7 layers) + reply x last human turn (layers 3, 6) "
    "+ category one-hot",
}
WORDING = "hashed character 2-5-grams of the reply (TF-IDF)"
INTERACTION_LAYERS = (3, 6)
INTERACTION_SCALE = 0.3
FORMAT = 2  # 1: MiniLM scorer only (still loads)


@dataclass(frozen=True)
class Example:
    prompt: str  # the context: for an insight, its activity's description; for a dialogue, the turns before
    response: str  # the text judged
    category: str = ""  # e.g. the hobby type


def example_from_dialogue(text: str) -> Example:
    context, reply = split_dialogue(text)
    return Example(prompt=context, response=reply)


@dataclass
class TrainConfig:
    seed: int = 0
    validation_share: float = 0.2
    l2: float = 0.25  # on the summed pair losses: logistic regression's C = 1 (CV: C from 0.3 to 1 within noise)
    lexical_share: float = 0.3  # the character n-gram scorer's part of the score; 0 leaves it out (CV: 0.3 to 0.4)
    lexical_l2: float = 0.83  # its penalty: C = 0.3 (CV: 0.3 and 1 within noise; more wording than that overfits)
    features: str = "layers+asked"  # a key of FEATURE_SETS
    point_weight: float = 1.0  # a rating's squared error against one pair's log-loss
    bootstrap: int = 8  # refits on resampled data, for the uncertainty
    refit_on_all: bool = True  # after measuring on the validation split, learn from every example
    max_iter: int = 300


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True).clip(min=1e-12)


_states: dict[str, np.ndarray] = {}  # text -> its normalised layer means: validation, refits and scoring reuse them
STATES_KEPT = 8192  # about 90 MB; the oldest go first


def _layer_states(texts: set[str]) -> dict[str, np.ndarray]:
    missing = sorted(texts - _states.keys())
    if missing:
        _states.update(zip(missing, _unit(layer_means(missing))))
        for old in list(_states)[: max(0, len(_states) - STATES_KEPT)]:
            del _states[old]
    return {text: _states[text] if text in _states else _unit(layer_means([text]))[0] for text in texts}


def describe(features: str, lexical_share: float) -> str:
    return FEATURE_SETS[features] + (
        f"; mixed {1 - lexical_share:.2g} : {lexical_share:.2g} with {WORDING}" if lexical_share > 0 else ""
    )


def featurize(examples: Sequence[Example], categories: Sequence[str], features: str = "layers+asked") -> np.ndarray:
    if features not in FEATURE_SETS:
        raise ValueError(f"Unknown feature set {features!r}: one of {', '.join(FEATURE_SETS)}")
    asked = features == "layers+asked"
    reply_states = _layer_states({e.response for e in examples})
    asked_states = _layer_states({last_human_turn(e.prompt) for e in examples} if asked else set())
    index = {name: i for i, name in enumerate(categories)}
    rows = []
    for example in examples:
        reply = reply_states[example.response]
        layers = reply.reshape(-1) / np.sqrt(len(reply))
        if not asked:
            together = np.zeros(0, dtype=np.float32)
        elif last_human_turn(example.prompt):
            question = asked_states[last_human_turn(example.prompt)]
            together = np.concatenate([reply[layer] * question[layer] for layer in INTERACTION_LAYERS])
            together = together * np.sqrt(reply.shape[-1] / len(INTERACTION_LAYERS)) * INTERACTION_SCALE
        else:
            together = np.zeros(len(INTERACTION_LAYERS) * reply.shape[-1], dtype=np.float32)
        category = np.zeros(len(categories), dtype=np.float32)
        if example.category in index:
            category[index[example.category]] = 1.0
        rows.append(np.concatenate([layers, together, category]))
    return np.asarray(rows, dtype=np.float32)


@dataclass
class Lexical:
    """The character n-gram scorer: one row of weights per member, like the MiniLM scorer's."""

    weights: np.ndarray  # (members, buckets)
    bias: np.ndarray  # (members,)
    idf: np.ndarray  # (buckets,), from the texts it was trained on
    share: float  # its part of the score


class RewardModel:
    """weights[0] is the fit on all the data, weights[1:] the bootstrap refits. The score is the bagged mean of
    all of them (before the tanh); the uncertainty the spread of the refits. Bagging, against the single fit, in
    5-fold CV on the HH dev pairs with four bootstrap draws: 0.659-0.663 (mean 0.661) against 0.659, never
    worse; it costs nothing, since the refits are scored for the spread anyway."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        categories: list[str],
        metrics: dict | None = None,
        lexical_part: Lexical | None = None,
        features: str = "layers+asked",
    ):
        self.weights, self.bias = np.asarray(weights, np.float32), np.asarray(bias, np.float32)
        self.categories, self.metrics, self.lexical = list(categories), metrics or {}, lexical_part
        self.feature_set = features

    def raw(self, features: np.ndarray, replies: Sequence[str] | None = None) -> np.ndarray:
        """(n, members): each member's score before the tanh."""
        scores = features @ self.weights.T + self.bias
        if self.lexical is None:
            return scores
        if replies is None or len(replies) != len(features):
            raise ValueError("This reward model also reads the replies' wording: pass one reply per feature row")
        rows = lexical.Rows([lexical.counts(reply) for reply in replies], self.lexical.idf)
        return (1 - self.lexical.share) * scores + self.lexical.share * (
            rows.dot(self.lexical.weights) + self.lexical.bias
        )

    def score_features(
        self, features: np.ndarray, replies: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        raw = self.raw(features, replies)
        scores = np.tanh(raw)  # (n, members), each in -1..1 like a rating
        spread = scores[:, 1:].std(axis=1) if scores.shape[1] > 1 else np.zeros(len(scores))
        return np.tanh(raw.mean(axis=1)), spread + 1e-6

    def score(self, examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray]:
        """(reward in -1..1, uncertainty) per example."""
        if not examples:
            return np.zeros(0), np.zeros(0)
        return self.score_features(
            featurize(examples, self.categories, self.feature_set), [e.response for e in examples]
        )

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {"weights": self.weights, "bias": self.bias}
        config = {
            "format": FORMAT,
            "features": FEATURE_SETS[self.feature_set],
            "feature_set": self.feature_set,
            "categories": self.categories,
            "metrics": self.metrics,
        }
        if self.lexical is not None:
            tensors.update(
                lexical_weights=self.lexical.weights, lexical_bias=self.lexical.bias, lexical_idf=self.lexical.idf
            )
            config["lexical"] = {
                "share": self.lexical.share,
                "bits": lexical.BITS,
                "ngrams": [lexical.SMALLEST, lexical.LARGEST],
            }
        save_file(
            {name: np.ascontiguousarray(value, np.float32) for name, value in tensors.items()},
            str(directory / "model.safetensors"),
        )
        (directory / "config.json").write_text(json.dumps(config, indent=2))

    @classmethod
    def load(cls, directory: Path) -> RewardModel:
        try:
            config = json.loads((directory / "config.json").read_text())
            tensors = load_file(str(directory / "model.safetensors"))
            weights, bias = tensors["weights"], tensors["bias"]
            words = config.get("lexical") if isinstance(config, dict) else None
            part = (
                None
                if words is None
                else Lexical(
                    tensors["lexical_weights"], tensors["lexical_bias"], tensors["lexical_idf"], float(words["share"])
                )
            )
            features = config.get("feature_set", "layers+asked")  # the one set before there was a choice
        except Exception as error:  # missing, truncated or foreign files: one clear error
            raise ValueError(f"Not a readable reward model in {directory}: {error}") from None
        if (
            config.get("format") not in (1, FORMAT)
            or weights.ndim != 2
            or bias.shape != (weights.shape[0],)
            or features not in FEATURE_SETS
        ):
            raise ValueError(f"Not a reward model of this version in {directory}")
        if (
            part is not None
            and words is not None
            and (
                words.get("bits") != lexical.BITS
                or part.idf.shape != (1 << lexical.BITS,)
                or part.weights.shape != (len(weights), 1 << lexical.BITS)
                or part.bias.shape != (len(weights),)
            )
        ):
            raise ValueError(f"Not a reward model of this version in {directory}: its n-gram part does not fit")
        return cls(weights, bias, config.get("categories", []), config.get("metrics"), part, features)


class Dense:
    """A dense matrix with the two products a linear fit needs (lexical.Sparse has the same two)."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = np.asarray(matrix, dtype=np.float64)
        self.shape = self.matrix.shape

    def times(self, weights: np.ndarray) -> np.ndarray:
        return self.matrix @ weights

    def transposed_times(self, gradient: np.ndarray) -> np.ndarray:
        return self.matrix.T @ gradient


def _fit(
    diffs: Dense | lexical.Sparse, rated: Dense | lexical.Sparse, wanted: np.ndarray, l2: float, config: TrainConfig
) -> tuple[np.ndarray, float]:
    """Minimise sum softplus(-w.d) over pairs + point_weight * sum (tanh(w.x + b) - t)^2 + l2 * |w|^2 with
    L-BFGS. The gradient is written out (numpy, float64) rather than left to autograd: the n-gram matrices are
    sparse, and torch's sparse products made each step ~30x slower. Convex for pairs alone: one optimum."""
    weights = torch.zeros(diffs.shape[1], dtype=torch.float64)
    bias = torch.zeros(1, dtype=torch.float64)
    optimiser = torch.optim.LBFGS(
        [weights, bias],
        lr=1,
        max_iter=config.max_iter,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-7,
        tolerance_change=1e-10,
        history_size=20,
    )

    def loss() -> torch.Tensor:
        w, b = weights.numpy(), float(bias[0])
        total, grad_w, grad_b = l2 * w.dot(w), 2 * l2 * w, 0.0
        if diffs.shape[0]:
            margin = diffs.times(w)
            total += np.logaddexp(0.0, -margin).sum()  # softplus(-margin), stable
            grad_w += diffs.transposed_times(-np.exp(-np.logaddexp(0.0, margin)))  # -sigmoid(-margin)
        if rated.shape[0]:
            predicted = np.tanh(rated.times(w) + b)
            error = predicted - wanted
            total += config.point_weight * (error**2).sum()
            slope = config.point_weight * 2 * error * (1 - predicted**2)
            grad_w += rated.transposed_times(slope)
            grad_b = float(slope.sum())
        weights.grad, bias.grad = torch.from_numpy(grad_w), torch.tensor([grad_b], dtype=torch.float64)
        return torch.tensor(total, dtype=torch.float64)

    optimiser.step(loss)
    return weights.numpy().astype(np.float32), float(bias[0])


def _split(count: int, share: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(count)
    held = int(round(count * share)) if count >= 2 else 0
    held = min(max(held, 1 if count >= 2 and share > 0 else 0), count - 1) if count else 0
    return order[held:], order[:held]


def pairwise_accuracy(model: RewardModel, pairs: Sequence[tuple[Example, Example]]) -> float:
    """Share of pairs whose chosen example scores higher (ties count half)."""
    if not pairs:
        return float("nan")
    chosen, _ = model.score([c for c, _ in pairs])
    rejected, _ = model.score([r for _, r in pairs])
    return float(np.mean((chosen > rejected) + 0.5 * (chosen == rejected)))
