"""The learned reward model against the reference baseline, side by side, on the same held-out pairs.

Data: ../shared/data/hh-rlhf-harmless-dev.jsonl.gz (1,500 human preference pairs), in 5 seeded folds: each fold's
pairs are held out once while both scorers train on the other four (so every pair is held out exactly once;
a single 20 % split is too noisy, about +-0.03, to judge a goal 0.04 above the baseline):

- baseline: the reference point the issue names, a linear Bradley-Terry scorer (L2-regularised logistic
  regression on the difference) on MiniLM embeddings of the final assistant reply (about 0.62);
- ours: learning.reward.train, exactly what `manage.py reward_train` runs.

Goal: held-out pairwise accuracy >= 0.66. The last line prints ours, the baseline and their ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from learning.reward import TrainConfig, example_from_dialogue, load_pairs, pairwise_accuracy, train  # noqa: E402
from memoryhub.embedder import embed  # noqa: E402

NAME = "hh-rlhf-harmless-dev.jsonl.gz"
DATA = next((Path(folder) / NAME for folder in (os.environ.get("SHARED_DATA_DIR"), ROOT.parent / "shared" / "data",
                                                "/work/shared/data") if folder and (Path(folder) / NAME).exists()),
            ROOT.parent / "shared" / "data" / NAME)
FOLDS = 5
SEED = 0


def folds(count: int):
    parts = np.array_split(np.random.default_rng(SEED).permutation(count), FOLDS)
    for k in range(FOLDS):
        yield k, np.concatenate([parts[j] for j in range(FOLDS) if j != k]), parts[k]


def baseline_accuracy(chosen: np.ndarray, rejected: np.ndarray, train_idx, test_idx) -> float:
    from sklearn.linear_model import LogisticRegression

    # Bradley-Terry with a linear scorer is logistic regression on the feature difference, both orders.
    difference = chosen[train_idx] - rejected[train_idx]
    features = np.vstack([difference, -difference])
    labels = np.r_[np.ones(len(difference)), np.zeros(len(difference))]
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000).fit(features, labels)
    margin = (chosen[test_idx] - rejected[test_idx]) @ model.coef_[0]
    return float(np.mean((margin > 0) + 0.5 * (margin == 0)))


def main() -> None:
    dialogues = load_pairs(DATA)
    pairs = [(example_from_dialogue(c), example_from_dialogue(r)) for c, r in dialogues]
    print(f"{len(pairs)} pairs from {DATA.name}; {FOLDS} folds")
    started = time.perf_counter()
    chosen = embed([c.response for c, _ in pairs])
    rejected = embed([r.response for _, r in pairs])
    print(f"baseline features (reply embeddings): {time.perf_counter() - started:.1f} s")
    ours, base = [], []
    for k, train_idx, test_idx in folds(len(pairs)):
        base.append(baseline_accuracy(chosen, rejected, train_idx, test_idx))
        started = time.perf_counter()
        model, metrics = train(pairs=[pairs[i] for i in train_idx], config=TrainConfig(seed=k))
        seconds = time.perf_counter() - started
        ours.append(pairwise_accuracy(model, [pairs[i] for i in test_idx]))
        print(f"fold {k}: baseline {base[-1]:.3f}, ours {ours[-1]:.3f} (its own validation split "
              f"{metrics['validation_accuracy']:.3f}; trained in {seconds:.0f} s)", flush=True)
    mean_ours, mean_base = statistics.fmean(ours), statistics.fmean(base)
    print(f"spread over folds: ours +-{statistics.stdev(ours):.3f}, baseline +-{statistics.stdev(base):.3f}")
    print(f"held-out pairwise accuracy: ours {mean_ours:.3f} (goal >= 0.66), baseline {mean_base:.3f}, "
          f"ratio {mean_ours / mean_base:.3f}")


if __name__ == "__main__":
    main()
