"""People's feedback on insights, patterns and activities, and the transparent reward it implies.

The reward keeps the originals' formula (docs/originals.md 1.10) as a baseline anyone can check by hand; unlike the
original it is updated incrementally (each submission adjusts running sums), a rater's changed mind replaces
their earlier judgement instead of adding to it, and the not-helpful kind always counts as a vote.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404

from hobbies.models import Activity, Insight, Pattern
from learning.models import Feedback, FeedbackType, RewardSignal, TargetType

LONG_COMMENT = 20  # characters: the originals counted only comments longer than this
UNSET = object()  # a facet the submission does not touch


def target_get(target_type: str, target_id: str):
    """The insight, pattern or activity feedback is about; 404 when it does not exist."""
    try:
        if target_type == TargetType.ACTIVITY:
            return Activity.objects.select_related("subagent").get(activity_id=target_id)
        models: dict[str, type[Insight] | type[Pattern]] = {TargetType.INSIGHT: Insight, TargetType.PATTERN: Pattern}
        model = models[target_type]
        return model.objects.get(pk=int(target_id))
    except (KeyError, ValueError, Activity.DoesNotExist, Insight.DoesNotExist, Pattern.DoesNotExist):
        raise Http404(f"No {target_type} {target_id!r}.") from None


@dataclass(frozen=True)
class Contribution:
    """What one rater's row adds to an item's running sums."""

    rows: int = 0
    ratings: int = 0
    rating_sum: int = 0
    votes: int = 0
    helpful: int = 0
    long_comments: int = 0

    @classmethod
    def of(cls, feedback: Feedback | None) -> Contribution:
        if feedback is None:
            return cls()
        return cls(
            rows=1,
            ratings=int(feedback.rating is not None),
            rating_sum=feedback.rating or 0,
            votes=int(feedback.helpful is not None),
            helpful=int(feedback.helpful is True),
            long_comments=sum(len(text.strip()) > LONG_COMMENT for text in (feedback.comment, feedback.suggestion)),
        )


def reward_formula(signal: RewardSignal) -> tuple[float, float]:
    """The originals' (reward in -1..1, confidence in 0..1) from an item's running sums."""
    reward = confidence = 0.0
    if signal.rating_count:
        reward += (signal.rating_sum / signal.rating_count - 3) / 2
        confidence += 0.3 * min(signal.rating_count / 5, 1)
    if signal.vote_count:
        reward += (signal.helpful_count / signal.vote_count - 0.5) * 2
        confidence += 0.4 * min(signal.vote_count / 10, 1)
    if signal.long_comment_count:
        reward += 0.2
        confidence += 0.3 * min(signal.long_comment_count / 3, 1)
    return max(-1.0, min(1.0, reward)), max(0.0, min(1.0, confidence))


def _signal_adjust(signal: RewardSignal, old: Contribution, new: Contribution) -> None:
    signal.feedback_count += new.rows - old.rows
    signal.rating_count += new.ratings - old.ratings
    signal.rating_sum += new.rating_sum - old.rating_sum
    signal.vote_count += new.votes - old.votes
    signal.helpful_count += new.helpful - old.helpful
    signal.long_comment_count += new.long_comments - old.long_comments
    signal.reward_score, signal.confidence = reward_formula(signal)
    signal.save()


def is_approval(feedback: Feedback) -> bool | None:
    """True when the rater judged the item good, False when bad, None when neither (a 3 and no vote)."""
    if feedback.helpful is not None:
        return feedback.helpful
    if feedback.rating is not None and feedback.rating != 3:
        return feedback.rating > 3
    return None


def action_of(feedback: Feedback) -> str | None:
    """The pattern learner's sample from one rater's judgement of an insight: approved, rejected, edited (a
    suggestion, not rejected), reverted (approved once, rejected now), or None (neither good nor bad)."""
    approval = is_approval(feedback)
    if approval is False:
        return "reverted" if feedback.was_approved else "rejected"
    if feedback.suggestion.strip():
        return "edited"
    return "approved" if approval else None


def feedback_submit(
    *,
    rater,
    target_type: str,
    target_id: str,
    feedback_type: str = FeedbackType.RATING,
    rating=UNSET,
    helpful=UNSET,
    comment=UNSET,
    suggestion=UNSET,
    metadata: dict | None = None,
) -> Feedback:
    """Record (or change) the rater's judgement of one item and adjust the item's reward in the same
    transaction. Facets left UNSET keep the rater's earlier values. Input is validated by the caller's
    serializer; the target must exist (404). The returned row's `is_new` says whether this rater's row was
    created (201) or changed (200)."""
    target = target_get(target_type, target_id)
    target_id = str(target.activity_id if target_type == TargetType.ACTIVITY else target.pk)
    with transaction.atomic():
        RewardSignal.objects.get_or_create(target_type=target_type, target_id=target_id)
        # The item's signal row is the lock: two raters of one item queue here, raters of others do not.
        signal = RewardSignal.objects.select_for_update().get(target_type=target_type, target_id=target_id)
        feedback = Feedback.objects.filter(rater=rater, target_type=target_type, target_id=target_id).first()
        old = Contribution.of(feedback)
        old_action = action_of(feedback) if feedback is not None else None
        if feedback is None:
            feedback = Feedback(rater=rater, target_type=target_type, target_id=target_id)
        for name, value in (("rating", rating), ("helpful", helpful), ("comment", comment), ("suggestion", suggestion)):
            if value is not UNSET:
                setattr(feedback, name, value)
        if metadata:
            feedback.metadata = {**feedback.metadata, **metadata}
        feedback.last_type = feedback_type
        feedback.was_approved = feedback.was_approved or is_approval(feedback) is True
        feedback.save()
        feedback.is_new = old.rows == 0
        _signal_adjust(signal, old, Contribution.of(feedback))
        if target_type == TargetType.INSIGHT:
            # cycle: learning.feedback.patterns imports this module
            from learning.feedback.patterns import pattern_sample_move

            pattern_sample_move(pattern_type=target.kind, old=old_action, new=action_of(feedback))
    return feedback
