"""Choosing the reward model's knobs (feature set, the two penalties, the n-gram mix) by cross-validation on the
training pairs alone, so that a figure measured on pairs outside them stays honest.

The benchmark nests it: inside each outer fold's training part, `inner_table` picks the knobs, and only the outer
fold, never seen by the choice, is reported. `reward_train` applies the same inner procedure once to all of its
file. Why knobs and not features by hand: chosen and reported on the same folds, the old 0.667 was 0.017 above
what a hidden holdout of the same source gave (0.650).

Cheap because the two scorers are fitted apart (they only meet in the mixed score): per inner fold, each feature
set and MiniLM penalty is fitted once and each n-gram penalty once, their held-out pair margins are kept, and
every combination with every mix is read off those margins without another fit.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from learning.reward.model import FEATURE_SETS, Example, TrainConfig
from learning.reward.training import _Data

INNER_FOLDS = 3  # 5 would fit 5/3 as often for little: the choice is between knobs within noise of each other
SMALLEST = 30  # pairs: fewer and three folds of ten say nothing; the defaults are used instead


@dataclass(frozen=True)
class Grid:
    """What is chosen among. Small on purpose: 2 x 2 MiniLM fits and 3 n-gram fits per inner fold."""

    features: tuple[str, ...] = ("layers", "layers+asked")
    l2: tuple[float, ...] = (0.25, 1.0)  # logistic regression's C = 1 and 0.25
    lexical_l2: tuple[float, ...] = (0.25, 0.83, 2.5)  # C = 1, 0.3, 0.1
    lexical_share: tuple[float, ...] = (0.0, 0.2, 0.3, 0.4, 0.5)  # 0: the MiniLM scorer alone

    def __post_init__(self):
        unknown = set(self.features) - set(FEATURE_SETS)
        if unknown:
            raise ValueError(f"Unknown feature sets {sorted(unknown)}: known are {', '.join(FEATURE_SETS)}")
        if not (self.features and self.l2 and self.lexical_l2 and self.lexical_share):
            raise ValueError("A grid wants at least one value for every knob")


Knobs = tuple[str, float, float, float]  # features, l2, lexical_l2, lexical_share


def _accuracy(margins: np.ndarray) -> float:
    return float(np.mean((margins > 0) + 0.5 * (margins == 0)))


def inner_table(
    data: _Data,
    pair_rows: np.ndarray,
    *,
    config: TrainConfig,
    grid: Grid,
    folds: int = INNER_FOLDS,
    seed: int = 0,
    say: Callable[[str], None] = lambda line: None,
) -> dict[Knobs, float]:
    """Pairwise accuracy of every combination of knobs over `folds` folds of these pairs (each held out once),
    fitted on pairs only (points, if any, join every fit alike and are not scored)."""
    parts = np.array_split(np.random.default_rng(seed).permutation(pair_rows), folds)
    points = np.arange(len(data.rated))
    dense: dict[tuple[str, float], list[np.ndarray]] = {}
    wording: dict[float, list[np.ndarray]] = {}
    for k, held in enumerate(parts):
        fitted = np.concatenate([part for j, part in enumerate(parts) if j != k])
        say(f"inner fold {k + 1} of {folds}: {len(fitted)} pairs fitted, {len(held)} held out")
        for features, l2 in itertools.product(grid.features, grid.l2):
            weights, _ = data.fit_dense(fitted, points, features, l2, config)
            matrix = data.matrices[features]
            dense.setdefault((features, l2), []).append(
                (matrix[data.chosen[held]] - matrix[data.rejected[held]]) @ weights.astype(np.float64)
            )
        if data.grams is not None and any(share > 0 for share in grid.lexical_share):
            found = data.words(fitted, points)
            assert found is not None  # data.grams is not None
            words = found[0]
            for l2 in grid.lexical_l2:
                weights, _ = data.fit_words(fitted, points, words, l2, config)
                scores = words.dot(weights[None])[:, 0].astype(np.float64)
                wording.setdefault(l2, []).append(scores[data.chosen[held]] - scores[data.rejected[held]])
    table: dict[Knobs, float] = {}
    for (features, l2), margins in dense.items():
        for lexical_l2, share in itertools.product(grid.lexical_l2, grid.lexical_share):
            if share == 0 or lexical_l2 not in wording:
                mixed = np.concatenate(margins)
            else:
                mixed = np.concatenate([(1 - share) * m + share * w for m, w in zip(margins, wording[lexical_l2])])
            table[(features, l2, lexical_l2 if share else config.lexical_l2, share)] = _accuracy(mixed)
    return table


def best(table: dict[Knobs, float], config: TrainConfig) -> TrainConfig:
    """The config with the most accurate knobs. Ties (common: accuracy moves in steps of one pair) go to the
    simpler model: fewer features, no or less n-gram mix, stronger penalties, in that order."""

    def simplicity(knobs: Knobs) -> tuple:
        features, l2, lexical_l2, share = knobs
        return (list(FEATURE_SETS).index(features), share, -l2, -lexical_l2)

    features, l2, lexical_l2, share = max(table, key=lambda knobs: (table[knobs], tuple(-x for x in simplicity(knobs))))
    return replace(config, features=features, l2=l2, lexical_l2=lexical_l2, lexical_share=share)


def choose(
    pairs: Sequence[tuple[Example, Example]],
    *,
    config: TrainConfig | None = None,
    grid: Grid | None = None,
    folds: int = INNER_FOLDS,
    progress: Callable[[str], None] | None = None,
) -> tuple[TrainConfig, dict]:
    """The knobs inner cross-validation picks on all of these pairs, and what it saw: (config, summary). Under
    SMALLEST pairs, `config` unchanged (the defaults) and the summary says so."""
    config, grid, say = config or TrainConfig(), grid or Grid(), progress or (lambda line: None)
    if len(pairs) < SMALLEST:
        return config, {"chosen_by": f"defaults: {len(pairs)} pairs, fewer than {SMALLEST} to choose on"}
    data = _Data(pairs, (), say, feature_sets=grid.features, wording=True)
    table = inner_table(data, np.arange(len(pairs)), config=config, grid=grid, folds=folds, seed=config.seed, say=say)
    chosen = best(table, config)
    key = (chosen.features, chosen.l2, chosen.lexical_l2, chosen.lexical_share)
    return chosen, {
        "chosen_by": f"{folds}-fold cross-validation on the {len(pairs)} training pairs",
        "inner_accuracy": round(table[key], 4),
        "combinations": len(table),
        "knobs": {
            "features": chosen.features,
            "l2": chosen.l2,
            "lexical_l2": chosen.lexical_l2,
            "lexical_share": chosen.lexical_share,
        },
    }
