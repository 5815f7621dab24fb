"""The rating queue: the next items that need people's ratings.

An item needs ratings until it has the overlap target of them (FEEDBACK_OVERLAP, default 2), so agreement can
be measured; items nobody has rated are in it too (the original only listed items that already had some).
Once a reward model is trained, the items it is least sure about come first: a rating there teaches it the
most. Before that, the least-rated and newest come first.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from hobbies.models import Activity, Insight, Pattern
from learning.feedback.reward_models import items_score
from learning.models import Feedback, RewardSignal, TargetType

PAGE = 500  # newest items read per step while looking for ones that still need ratings
COMPUTE_PER_REQUEST = 64  # new reward predictions one request may compute (about 0.3 s of embedding)
TYPE_ORDER = {TargetType.INSIGHT: 0, TargetType.PATTERN: 1, TargetType.ACTIVITY: 2}


def _newest_keys(target_type: str, offset: int) -> list[str]:
    ids: QuerySet[Any, Any]  # insight and pattern numbers, or activity ids
    if target_type == TargetType.INSIGHT:
        ids = Insight.objects.order_by("-pk").values_list("pk", flat=True)
    elif target_type == TargetType.PATTERN:
        ids = Pattern.objects.order_by("-pk").values_list("pk", flat=True)
    else:
        ids = (
            Activity.objects.filter(status=Activity.Status.COMPLETED)
            .order_by("-pk")
            .values_list("activity_id", flat=True)
        )
    return [str(i) for i in ids[offset : offset + PAGE]]


def _needing(target_type: str, wanted: int, rater) -> list[dict]:
    """Up to `wanted` items of one type with fewer ratings than the target, newest first, that `rater` has not
    judged yet."""
    overlap = settings.FEEDBACK_OVERLAP
    found: list[dict] = []
    offset = 0
    while len(found) < wanted:
        keys = _newest_keys(target_type, offset)
        if not keys:
            break
        counts = dict(
            RewardSignal.objects.filter(target_type=target_type, target_id__in=keys).values_list(
                "target_id", "rating_count"
            )
        )
        mine = set()
        if rater is not None:
            mine = set(
                Feedback.objects.filter(rater=rater, target_type=target_type, target_id__in=keys).values_list(
                    "target_id", flat=True
                )
            )
        for position, key in enumerate(keys):
            if counts.get(key, 0) < overlap and key not in mine:
                found.append(
                    {
                        "target_type": target_type,
                        "target_id": key,
                        "feedback_count": counts.get(key, 0),
                        "age_rank": offset + position,
                    }
                )
        offset += PAGE
    return found[:wanted]


def rating_queue(*, rater=None, target_type: str | None = None, limit: int = 20) -> list[dict]:
    """The next `limit` items to rate, best first, each {target_type, target_id, feedback_count, status,
    predicted_reward, uncertainty} (the last two None before a reward model exists)."""
    kinds = [target_type] if target_type else list(TYPE_ORDER)
    pool_size = max(limit * 5, 50)  # ordered by uncertainty among more than we return
    pool = [item for kind in kinds for item in _needing(kind, pool_size, rater)]
    predictions = items_score([(i["target_type"], i["target_id"]) for i in pool], compute_limit=COMPUTE_PER_REQUEST)
    for item in pool:
        mean, std = predictions.get((item["target_type"], item["target_id"]), (None, None))
        item.update(status="needs_feedback", predicted_reward=mean, uncertainty=std)

    def priority(item):
        unknown = item["uncertainty"] is None
        # Items beyond this request's compute budget come after the scored ones: a later request scores them.
        return (
            unknown,
            -(item["uncertainty"] or 0.0),
            item["feedback_count"],
            TYPE_ORDER[item["target_type"]],
            item["age_rank"],
        )

    if not predictions:
        pool.sort(key=lambda i: (i["feedback_count"], TYPE_ORDER[i["target_type"]], i["age_rank"]))
    else:
        pool.sort(key=priority)
    for item in pool:
        del item["age_rank"]
    return pool[:limit]


def queue_length(*, rater=None) -> int:
    """Items left for this rater: an estimate capped at what one look reads, which is what a person needs."""
    return sum(len(_needing(kind, PAGE, rater)) for kind in TYPE_ORDER)
