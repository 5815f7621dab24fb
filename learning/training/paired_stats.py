"""Paired A/B statistics: is a challenger (a new adapter) better than the champion (or the base model)?

Both sides answer the *same* held-out items of each evaluation suite, so the comparison is paired: each item
gives a (before right?, after right?) pair. Pairing removes the item-difficulty noise that two independent
samples would carry, and it is what lets a few hundred items detect a few points of change.

Two views of one suite, because they answer different questions:

* McNemar's exact test (a binomial test on the discordant pairs, the items only one side got right) gives the
  p-value: how surprising the split of fixes against breaks would be if the two models were equally good.
  Items both sides got right, or both got wrong, carry no information about the difference and are ignored.
* A paired bootstrap (resampling items with replacement) gives an interval for the size of the change in
  accuracy points, which a p-value alone does not: "+0.4 points, p=0.03" and "+9 points, p=0.03" differ.

Pure: no Django. The learning app runs the suites and stores `SuiteComparison.to_dict()` with its decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

Outcomes = Sequence[bool] | np.ndarray  # per item, correct or not


def _checked_pairs(before: Outcomes, after: Outcomes) -> tuple[np.ndarray, np.ndarray]:
    if len(before) != len(after):
        raise ValueError(f"paired results differ in length: {len(before)} before, {len(after)} after")
    return np.asarray(before, dtype=bool), np.asarray(after, dtype=bool)


def mcnemar_p(before: Outcomes, after: Outcomes) -> float:
    """Exact two-sided McNemar p-value; 1.0 when no item changed sides (no evidence either way)."""
    was, now = _checked_pairs(before, after)
    fixed = int(np.sum(~was & now))
    broken = int(np.sum(was & ~now))
    if fixed + broken == 0:
        return 1.0
    return float(binomtest(fixed, fixed + broken, p=0.5, alternative="two-sided").pvalue)


def paired_bootstrap_interval(
    before: Outcomes, after: Outcomes, *, samples: int = 10000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile interval of the accuracy difference (after - before), in percentage points."""
    was, now = _checked_pairs(before, after)
    items = len(was)
    if items == 0:
        raise ValueError("no items to resample")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence}")
    # Each pair contributes +1 (fixed), -1 (broken) or 0 to the difference. Resampling n pairs with replacement
    # is the same as drawing how many of each kind land in the sample, so a multinomial draw per bootstrap
    # sample replaces an (samples x items) index matrix: identical distribution, memory independent of items.
    fixed = np.sum(~was & now)
    broken = np.sum(was & ~now)
    shares = np.array([fixed, broken, items - fixed - broken], dtype=float) / items
    counts = np.random.default_rng(seed).multinomial(items, shares, size=samples)
    differences = (counts[:, 0] - counts[:, 1]) * 100.0 / items
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(differences, [tail, 100 - tail])
    return float(low), float(high)


@dataclass
class SuiteComparison:
    suite: str
    items: int
    before: float  # accuracy, percent
    after: float  # accuracy, percent
    difference: float  # after - before, percentage points
    interval: tuple[float, float]  # bootstrap interval of the difference, points
    p_value: float

    def to_dict(self) -> dict:
        # Points to two decimals is finer than any suite here can resolve; p-values keep four significant
        # figures because the small ones are what a reader compares with alpha.
        return {
            "suite": self.suite,
            "items": self.items,
            "before": round(self.before, 2),
            "after": round(self.after, 2),
            "difference": round(self.difference, 2),
            "interval": [round(self.interval[0], 2), round(self.interval[1], 2)],
            "p_value": float(f"{self.p_value:.4g}"),
        }


def compare_suite(suite: str, before: Sequence[bool], after: Sequence[bool], *, seed: int = 0) -> SuiteComparison:
    was, now = _checked_pairs(before, after)
    if len(was) == 0:
        raise ValueError(f"suite {suite!r} has no items to compare")
    before_accuracy = float(np.mean(was)) * 100
    after_accuracy = float(np.mean(now)) * 100
    return SuiteComparison(
        suite=suite,
        items=len(was),
        before=before_accuracy,
        after=after_accuracy,
        difference=after_accuracy - before_accuracy,
        interval=paired_bootstrap_interval(was, now, seed=seed),
        p_value=mcnemar_p(was, now),
    )


@dataclass
class Decision:
    promote: bool
    reason: str  # a plain sentence for the admin page, naming the figures it rests on


def _figures(comparison: SuiteComparison) -> str:
    low, high = comparison.interval
    return (
        f"{comparison.before:.1f}% to {comparison.after:.1f}%, {comparison.difference:+.1f} points "
        f"(interval {low:+.1f} to {high:+.1f}, p={comparison.p_value:.3g}, {comparison.items} items)"
    )


ALPHA = 0.05  # significance of a paired difference
MAX_DROP_POINTS = 2.0  # a significant drop of another suite larger than this keeps the champion


def significant_drop(
    difference: float, p_value: float, *, alpha: float = ALPHA, max_drop_points: float = MAX_DROP_POINTS
) -> bool:
    """The one rule for a drop that counts, used by the A/B, the cycle and the watch: lower by more than
    max_drop_points, and significant. A small drop is tolerated even when significant, and a large one only
    counts when it is significant: on a small suite a few unlucky items move accuracy by points without
    meaning anything."""
    return difference < -max_drop_points and p_value < alpha


def significant_gain(difference: float, p_value: float, *, alpha: float = ALPHA) -> bool:
    """The target suite improved: higher, and significant."""
    return difference > 0 and p_value < alpha


def decide(
    comparisons: Mapping[str, SuiteComparison],
    target: str,
    *,
    alpha: float = ALPHA,
    max_drop_points: float = MAX_DROP_POINTS,
    fallen: Mapping[str, Mapping[str, float]] | None = None,
) -> Decision:
    """Promote when the target suite improves with p < alpha, no other suite drops significantly (p < alpha) by
    more than max_drop_points and no skill is `fallen` (skill -> {"after", "floor"}: below the lowest accuracy
    the caller allows it); otherwise keep the champion and say why."""
    if target not in comparisons:
        raise ValueError(f"no comparison for the target suite {target!r}")
    aimed = comparisons[target]
    if not significant_gain(aimed.difference, aimed.p_value, alpha=alpha):
        return Decision(
            False,
            f"Kept the champion: {target} did not improve significantly (p < {alpha:g} needed): {_figures(aimed)}.",
        )
    dropped = [
        c
        for name, c in comparisons.items()
        if name != target and significant_drop(c.difference, c.p_value, alpha=alpha, max_drop_points=max_drop_points)
    ]
    if dropped:
        losses = "; ".join(f"{c.suite} {_figures(c)}" for c in dropped)
        return Decision(
            False,
            f"Kept the champion: {target} improved ({_figures(aimed)}), but another suite "
            f"dropped significantly by more than {max_drop_points:g} points: {losses}.",
        )
    if fallen:
        losses = "; ".join(
            f"{skill} {value['after']:.1f} % (floor {value['floor']:.1f} %"
            + (f", p={value['p_value']:.3g})" if "p_value" in value else ")")
            for skill, value in fallen.items()
        )
        return Decision(
            False,
            f"Kept the champion: {target} improved ({_figures(aimed)}), but skills fell significantly below "
            f"their floor: {losses}.",
        )
    return Decision(
        True,
        f"Promoted: {target} improved significantly, {_figures(aimed)}, and no other suite "
        f"dropped significantly by more than {max_drop_points:g} points"
        + (", nor any skill significantly below its floor." if fallen is not None else "."),
    )
