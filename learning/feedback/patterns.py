"""The pattern learner (the originals' FibreFlow PatternLearner, docs/originals.md 2b.1), made sound.

An insight's pattern is its kind ("off_by_small", "reordered", ...). Each rater's judgement of an insight is one
sample for its pattern: approved (judged good), rejected (judged bad), edited (a suggestion, not rejected) or
reverted (approved once, rejected now). The weight is computed from the initial weight and the whole
feedback history, so recomputing without new feedback changes nothing (the original re-added every past
adjustment on each call and drifted), and a pattern never seen before is learned like any other (the original
ignored it). The weight is the confidence shown on the pattern's insights.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast

from hobbies.models import Insight
from learning.feedback.ratings import action_of
from learning.models import Feedback, PatternWeight, TargetType

DELTAS = {"approved": 0.1, "rejected": -0.2, "edited": -0.05, "reverted": -0.3}
MIN_SAMPLES = 3
WEIGHT_FLOOR, WEIGHT_CEILING = 0.1, 1.0
DEFAULT_WEIGHT = 0.5
# How much to trust a kind before anyone has rated it: a success rate is counted outright, a recurring failure
# kind is counted too (the default), "other" failures and the model's own reflection are softer.
INITIAL_WEIGHTS = {"success_rate": 0.8, "other": 0.4, "reflection": 0.4}


def learned_weight(initial: float, counts: dict[str, int], min_samples: int = MIN_SAMPLES) -> float:
    """initial + the mean adjustment over all samples, clamped; the initial weight below min_samples."""
    samples = sum(counts.values())
    if samples < min_samples:
        return initial
    mean_adjustment = sum(DELTAS[action] * count for action, count in counts.items()) / samples
    return round(max(WEIGHT_FLOOR, min(WEIGHT_CEILING, initial + mean_adjustment)), 6)


def _counts(pattern_type: str) -> dict[str, int]:
    """Every rater's sample for this kind, recounted from the feedback rows on its insights (one query)."""
    insight_ids = (
        Insight.objects.filter(kind=pattern_type)
        .annotate(as_text=Cast("pk", output_field=CharField()))
        .values("as_text")
    )
    rows = Feedback.objects.filter(target_type=TargetType.INSIGHT, target_id__in=insight_ids).only(
        "rating", "helpful", "suggestion", "was_approved"
    )
    counts = dict.fromkeys(DELTAS, 0)
    for feedback in rows:
        action = action_of(feedback)
        if action:
            counts[action] += 1
    return counts


def _weight_row(pattern_type: str) -> PatternWeight:
    """The kind's row, locked (call inside a transaction)."""
    row, _ = PatternWeight.objects.select_for_update().get_or_create(
        pattern_type=pattern_type, defaults={"initial_weight": INITIAL_WEIGHTS.get(pattern_type, DEFAULT_WEIGHT)}
    )
    return row


def _weight_save(row: PatternWeight, counts: dict[str, int], min_samples: int) -> PatternWeight:
    row.current_weight = learned_weight(row.initial_weight, counts, min_samples)
    row.total_samples = sum(counts.values())
    for action, count in counts.items():
        setattr(row, f"{action}_count", count)
    row.save()
    return row


def pattern_weight_update(*, pattern_type: str, min_samples: int = MIN_SAMPLES) -> PatternWeight:
    """Recompute one pattern's weight from its whole history. Idempotent: the repair for the running counts."""
    with transaction.atomic():
        row = _weight_row(pattern_type)
        return _weight_save(row, _counts(pattern_type), min_samples)


def pattern_sample_move(*, pattern_type: str, old: str | None, new: str | None) -> None:
    """One rater's sample for this kind changed from `old` to `new` (None: no sample): adjust the running counts
    and the weight, in the caller's transaction. A rating costs two small queries, not a recount of the kind."""
    if old == new:
        return
    row = _weight_row(pattern_type)
    counts = {action: getattr(row, f"{action}_count") for action in DELTAS}
    for action, step in ((old, -1), (new, 1)):
        if action:
            counts[action] = max(0, counts[action] + step)
    _weight_save(row, counts, MIN_SAMPLES)


def pattern_weights_update(*, min_samples: int = MIN_SAMPLES) -> dict:
    """Every pattern with insights or a weight, in the originals' result shape."""
    kinds = set(Insight.objects.values_list("kind", flat=True).distinct())
    kinds |= set(PatternWeight.objects.values_list("pattern_type", flat=True))
    updates = []
    for kind in sorted(kinds):
        before = PatternWeight.objects.filter(pattern_type=kind).values_list("current_weight", flat=True).first()
        row = pattern_weight_update(pattern_type=kind, min_samples=min_samples)
        if before is None or abs(before - row.current_weight) > 1e-9:
            updates.append(
                {
                    "pattern": kind,
                    "old_weight": before,
                    "new_weight": row.current_weight,
                    "delta": round(row.current_weight - (before or row.initial_weight), 6),
                    "samples": row.total_samples,
                }
            )
    return {"success": True, "patterns_updated": len(updates), "updates": updates}


def pattern_confidence(kinds: set[str]) -> dict[str, float]:
    """The confidence to show per insight kind: its learned weight, else its initial weight."""
    known = dict(PatternWeight.objects.filter(pattern_type__in=kinds).values_list("pattern_type", "current_weight"))
    return {kind: known.get(kind, INITIAL_WEIGHTS.get(kind, DEFAULT_WEIGHT)) for kind in kinds}
