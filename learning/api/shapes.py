"""JSON shapes of learning's rows: the originals' where they had one, with what the product adds."""

from __future__ import annotations

from learning.models import Feedback, FeedbackType, RewardSignal


def feedback_shape(feedback: Feedback, feedback_type: str | None = None) -> dict:
    """The originals' Feedback.to_dict(); user_id is the rater's user name (the authenticated user)."""
    kind = feedback_type or feedback.last_type
    comment = feedback.suggestion if kind == FeedbackType.SUGGESTION and feedback.suggestion else feedback.comment
    return {
        "feedback_id": feedback.feedback_id,
        "target_type": feedback.target_type,
        "target_id": feedback.target_id,
        "feedback_type": kind,
        "rating": feedback.rating,
        "comment": comment or None,
        "helpful": feedback.helpful,
        "metadata": feedback.metadata,
        "created_at": feedback.created_at.isoformat(),
        "user_id": feedback.rater.get_username(),
        # what the product adds
        "id": feedback.pk,
        "suggestion": feedback.suggestion or None,
        "updated_at": feedback.updated_at.isoformat(),
    }


def signal_shape(signal: RewardSignal) -> dict:
    """The originals' RewardSignal.to_dict(), with the running sums it is computed from."""
    return {
        "signal_id": signal.signal_id,
        "target_id": signal.target_id,
        "target_type": signal.target_type,
        "reward_score": round(signal.reward_score, 4),
        "confidence": round(signal.confidence, 4),
        "feedback_count": signal.feedback_count,
        "calculated_at": signal.calculated_at.isoformat(),
        "metadata": {
            "ratings": signal.rating_count,
            "rating_sum": signal.rating_sum,
            "votes": signal.vote_count,
            "helpful_votes": signal.helpful_count,
            "long_comments": signal.long_comment_count,
        },
    }
