"""Choosing the content classifier's strength (C) and heavy threshold by nested cross-validation on the
training requests only: the inner folds choose, the outer folds measure the choice on requests it never saw.

    python -m models_suite.routing.tune [--json]

The rule: the highest heavy recall whose share of light requests called heavy stays within LIGHT_BUDGET: the
issue's 10 % less about one standard deviation of that share across the outer folds (2-3 points), room for
requests unlike ours. The figures printed are the outer folds'; the last
line is the choice on the whole file, which content.DEFAULT_C and CONTENT_HEAVY_AT hold.
"""

from __future__ import annotations

import argparse
import json
import random
from statistics import mean, pstdev

from models_suite.routing.content import (
    TRAINING_DATA,
    ContentClassifier,
    load_examples,
    request_facts_of,
    train_content_classifier,
)
from models_suite.routing.decision import DEFAULT_HEAVY_AT, size_complexity

C_GRID = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
LIGHT_BUDGET = 0.07


def _folds(n: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def scores(classifier: ContentClassifier, examples: list[dict]) -> list[tuple[str, bool, float]]:
    """Per request: its label, whether its size alone makes it heavy, and P(heavy)."""
    out = []
    for example in examples:
        facts = request_facts_of(example)
        by_size = size_complexity(facts.estimated_tokens()) >= DEFAULT_HEAVY_AT
        out.append((example["label"], by_size, classifier.read(facts).p_heavy))
    return out


def rates(scored: list[tuple[str, bool, float]], threshold: float) -> tuple[float, float]:
    """(share of heavy requests called heavy, share of light requests called heavy)."""
    heavy = [by_size or p >= threshold for label, by_size, p in scored if label == "heavy"]
    light = [by_size or p >= threshold for label, by_size, p in scored if label == "light"]
    return mean(heavy), mean(light)


def _score(recall: float, light: float) -> tuple:
    return (light <= LIGHT_BUDGET, recall if light <= LIGHT_BUDGET else -light)


def choose(examples: list[dict], *, k: int = 4, seed: int = 1) -> tuple[float, float]:
    """(C, threshold) by k-fold cross-validation within `examples`."""
    results: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for fold in _folds(len(examples), k, seed):
        held = set(fold)
        train = [e for i, e in enumerate(examples) if i not in held]
        test = [examples[i] for i in fold]
        for c in C_GRID:
            scored = scores(train_content_classifier(train, c=c), test)
            for threshold in THRESHOLDS:
                results.setdefault((c, threshold), []).append(rates(scored, threshold))
    return max(results, key=lambda key: _score(mean(r for r, _ in results[key]), mean(lt for _, lt in results[key])))


def nested(examples: list[dict], *, k: int = 5, seed: int = 0) -> dict:
    outer = []
    for fold in _folds(len(examples), k, seed):
        held = set(fold)
        train = [e for i, e in enumerate(examples) if i not in held]
        c, threshold = choose(train)
        recall, light = rates(scores(train_content_classifier(train, c=c), [examples[i] for i in fold]), threshold)
        outer.append({"c": c, "threshold": threshold, "heavy_recall": recall, "light_remote": light})
    c, threshold = choose(examples)
    return {
        "outer_folds": outer,
        "heavy_recall": {
            "mean": mean(o["heavy_recall"] for o in outer),
            "sd": pstdev(o["heavy_recall"] for o in outer),
        },
        "light_remote": {
            "mean": mean(o["light_remote"] for o in outer),
            "sd": pstdev(o["light_remote"] for o in outer),
        },
        "choice": {"c": c, "threshold": threshold},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = nested(load_examples(TRAINING_DATA))
    if args.json:
        print(json.dumps(report))
        return
    for o in report["outer_folds"]:
        print(
            f"outer fold: C {o['c']}, threshold {o['threshold']}: heavy {o['heavy_recall']:.1%}, light {o['light_remote']:.1%}"
        )
    print(
        f"outer mean: heavy {report['heavy_recall']['mean']:.1%} ± {report['heavy_recall']['sd']:.1%}, "
        f"light {report['light_remote']['mean']:.1%} ± {report['light_remote']['sd']:.1%}"
    )
    print(f"choice on the whole file: {json.dumps(report['choice'])}")


if __name__ == "__main__":
    main()
