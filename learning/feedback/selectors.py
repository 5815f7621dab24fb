"""Reads over people's feedback: the originals' quality metrics and stats, quality over time, the ratings
agreement is measured on."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from hobbies.models import Insight
from learning.models import Feedback, FeedbackType, RewardSignal, TargetType

HIGH_QUALITY, LOW_QUALITY = 0.3, -0.3  # the originals' thresholds on the reward


def quality_metrics() -> dict:
    """The originals' get_quality_metrics(), over every item with feedback."""
    totals = RewardSignal.objects.filter(feedback_count__gt=0).aggregate(
        average=Avg("reward_score"),
        total=Count("id"),
        high=Count("id", filter=Q(reward_score__gt=HIGH_QUALITY)),
        low=Count("id", filter=Q(reward_score__lt=LOW_QUALITY)),
    )
    total = totals["total"]
    return {
        "average_reward": round(totals["average"] or 0.0, 4),
        "high_quality_count": totals["high"],
        "low_quality_count": totals["low"],
        "total_signals": total,
        "high_quality_ratio": round(totals["high"] / total, 4) if total else 0.0,
    }


def feedback_stats() -> dict:
    """The originals' stats: every facet given counts as one feedback of its kind."""
    # Prefixed names: an aggregate may not share a name with a field (rating, comment, ...).
    counts = Feedback.objects.aggregate(
        n_rating=Count("id", filter=Q(rating__isnull=False)),
        n_comment=Count("id", filter=~Q(comment="")),
        n_helpful=Count("id", filter=Q(helpful=True)),
        n_not_helpful=Count("id", filter=Q(helpful=False)),
        n_suggestion=Count("id", filter=~Q(suggestion="")),
        average_rating=Avg("rating"),
        raters=Count("rater", distinct=True),
        items=Count("id"),
    )
    by_type = {kind: counts[f"n_{kind}"] for kind in FeedbackType.values}
    return {
        "total_feedbacks": sum(by_type.values()),
        "by_feedback_type": by_type,
        "total_reward_signals": RewardSignal.objects.filter(feedback_count__gt=0).count(),
        "average_rating": round(counts["average_rating"] or 0.0, 4),
        "quality_metrics": quality_metrics(),
        # what the product adds
        "raters": counts["raters"],
        "judgements": counts["items"],
    }


def ratings_given_since(rater, since) -> int:
    return Feedback.objects.filter(rater=rater, updated_at__gte=since).count()


def ratings_by_item(target_type: str | None = None) -> dict[tuple[str, str], dict[int, int]]:
    """{(target_type, target_id): {rater id: rating}} over every rated item: the data agreement is measured on."""
    rows = Feedback.objects.filter(rating__isnull=False)
    if target_type:
        rows = rows.filter(target_type=target_type)
    table: dict[tuple[str, str], dict[int, int]] = {}
    for kind, ident, rater, rating in rows.values_list("target_type", "target_id", "rater_id", "rating"):
        table.setdefault((kind, ident), {})[rater] = cast(int, rating)  # rating__isnull=False above
    return table


def quality_trends(*, days: int = 30) -> dict:
    """Per day: what people said (feedback given that day), and how the insights made that day were judged
    (the mean reward of those with feedback): whether what the agents learn gets better."""
    since = timezone.now() - timedelta(days=days)
    given = (
        Feedback.objects.filter(updated_at__gte=since)
        .annotate(day=TruncDate("updated_at"))
        .values("day")
        .annotate(
            n_feedbacks=Count("id"),
            mean_rating=Avg("rating"),
            n_helpful=Count("id", filter=Q(helpful=True)),
            n_votes=Count("id", filter=Q(helpful__isnull=False)),
        )
    )
    insights = (
        Insight.objects.filter(created_at__gte=since).annotate(day=TruncDate("created_at")).values_list("day", "pk")
    )
    signals = dict(
        RewardSignal.objects.filter(target_type=TargetType.INSIGHT, feedback_count__gt=0).values_list(
            "target_id", "reward_score"
        )
    )
    judged: dict = {}
    for day, pk in insights.iterator():
        if str(pk) in signals:
            judged.setdefault(day, []).append(signals[str(pk)])
    table: dict = {}
    for row in given:
        table[row["day"]] = {
            "feedbacks": row["n_feedbacks"],
            "average_rating": _round(row["mean_rating"]),
            "helpful_ratio": _round(row["n_helpful"] / row["n_votes"]) if row["n_votes"] else None,
        }
    for day, rewards in judged.items():
        table.setdefault(day, {"feedbacks": 0, "average_rating": None, "helpful_ratio": None})
        table[day].update(
            insights_judged=len(rewards),
            average_insight_reward=_round(sum(rewards) / len(rewards)),
            high_quality=sum(r > HIGH_QUALITY for r in rewards),
            low_quality=sum(r < LOW_QUALITY for r in rewards),
        )
    trend = [
        {
            "date": day.isoformat(),
            "insights_judged": 0,
            "average_insight_reward": None,
            "high_quality": 0,
            "low_quality": 0,
            **values,
        }
        for day, values in sorted(table.items())
    ]
    return {"days": days, "trends": trend, "current": quality_metrics()}


def _round(value):
    return None if value is None else round(value, 4)
