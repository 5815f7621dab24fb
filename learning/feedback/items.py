"""The things people rate (insights, patterns, activities): what a rater is shown, and what the reward model
reads of each."""

from __future__ import annotations

from typing import Any

from hobbies.catalogue import CATALOGUE
from hobbies.models import Activity, Insight, Pattern
from learning.models import TargetType
from learning.reward import Example

EVIDENCE_SHOWN = 5  # attempts shown under an insight: enough to judge it, few enough to read


def item_key(target_type: str, obj) -> tuple[str, str]:
    return target_type, str(obj.activity_id if target_type == TargetType.ACTIVITY else obj.pk)


def item_text(target_type: str, obj) -> str:
    if target_type == TargetType.INSIGHT:
        return obj.text
    if target_type == TargetType.PATTERN:
        return obj.description
    score = "not scored" if obj.score is None else f"scored {obj.score:.0%}"
    return f"{obj.description} ({obj.item_count} items, {score})"


def item_example(target_type: str, obj) -> Example:
    """What the reward model scores: the item's text, in the context of the practice that produced it."""
    if target_type == TargetType.INSIGHT:
        activity = obj.activity
        return Example(prompt=activity.description, response=obj.text, category=activity.hobby_type)
    if target_type == TargetType.PATTERN:
        return Example(
            prompt=CATALOGUE[obj.hobby_type].learning_objective, response=obj.description, category=obj.hobby_type
        )
    return Example(
        prompt=CATALOGUE[obj.hobby_type].learning_objective,
        response=item_text(target_type, obj),
        category=obj.hobby_type,
    )


def items_get(keys: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """Many items at once, by (target_type, target_id); missing ones are left out."""
    found: dict[tuple[str, str], object] = {}
    wanted = {kind: [ident for k, ident in keys if k == kind] for kind in TargetType.values}
    if wanted[TargetType.INSIGHT]:
        ids = [int(i) for i in wanted[TargetType.INSIGHT] if i.isdigit()]
        for insight in Insight.objects.filter(pk__in=ids).select_related("activity"):
            found[item_key(TargetType.INSIGHT, insight)] = insight
    if wanted[TargetType.PATTERN]:
        ids = [int(i) for i in wanted[TargetType.PATTERN] if i.isdigit()]
        for pattern in Pattern.objects.filter(pk__in=ids):
            found[item_key(TargetType.PATTERN, pattern)] = pattern
    if wanted[TargetType.ACTIVITY]:
        for activity in Activity.objects.filter(activity_id__in=wanted[TargetType.ACTIVITY]):
            found[item_key(TargetType.ACTIVITY, activity)] = activity
    return found


def item_context(target_type: str, obj) -> dict:
    """What a rater sees: the item, its practice's context and the graded attempts it rests on."""
    context: dict[str, Any] = {
        "target_type": target_type,
        "target_id": item_key(target_type, obj)[1],
        "text": item_text(target_type, obj),
        "evidence": [],
    }
    if target_type == TargetType.INSIGHT:
        activity = obj.activity
        context.update(
            title=f"Insight on {obj.skill}",
            hobby_type=activity.hobby_type,
            kind=obj.kind,
            activity=_activity_context(activity),
        )
        context["evidence"] = [
            {"prompt": a.prompt, "answer": a.answer, "expected": a.expected, "correct": a.correct}
            for a in obj.evidence.all()[:EVIDENCE_SHOWN]
        ]
    elif target_type == TargetType.PATTERN:
        context.update(
            title=f"Pattern in {obj.skill}",
            hobby_type=obj.hobby_type,
            kind=obj.kind,
            activity=None,
            seen=f"in {obj.activities} activities, {obj.attempts} attempts",
        )
    else:
        context.update(
            title=f"Activity {obj.activity_id}",
            hobby_type=obj.hobby_type,
            kind="activity",
            activity=_activity_context(obj),
        )
        context["evidence"] = [
            {"prompt": a.prompt, "answer": a.answer, "expected": a.expected, "correct": a.correct}
            for a in obj.attempts.all()[:EVIDENCE_SHOWN]
        ]
    return context


def _activity_context(activity: Activity) -> dict:
    return {
        "activity_id": activity.activity_id,
        "hobby_type": activity.hobby_type,
        "description": activity.description,
        "model": activity.model_name,
        "score": activity.score,
        "heldout_score": activity.heldout_score,
        "items": activity.item_count,
        "started_at": activity.started_at.isoformat(),
    }
