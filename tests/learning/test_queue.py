"""The rating queue: every item that needs ratings, including those with none, until it has the overlap target;
ordered by the reward model's uncertainty once one exists."""

from __future__ import annotations

import pytest

from hobbies.models import Insight
from learning.feedback.queue import rating_queue
from learning.feedback.ratings import feedback_submit
from learning.models import RewardModel, RewardScore
from tests.hobbies.metrics_factories import finished

pytestmark = pytest.mark.django_db


def keys(items):
    return [(i["target_type"], i["target_id"]) for i in items]


def test_items_with_no_feedback_are_offered_and_leave_at_the_overlap_target(personas, settings, activity):
    settings.FEEDBACK_OVERLAP = 2
    queue = rating_queue(limit=100)
    assert ("activity", activity.activity_id) in keys(queue)
    assert all(i["feedback_count"] == 0 and i["status"] == "needs_feedback" for i in queue)
    insight = activity.insights.first()
    target = ("insight", str(insight.pk))
    feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=target[1], rating=4)
    assert target in keys(rating_queue(limit=100))  # one rating of two
    assert target not in keys(rating_queue(rater=personas["rater"].user, limit=100))  # not twice by the same rater
    feedback_submit(rater=personas["other_rater"].user, target_type="insight", target_id=target[1], rating=5)
    assert target not in keys(rating_queue(limit=100))


def test_without_a_model_the_least_rated_come_first(personas, activity):
    older = activity.insights.first()
    feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(older.pk), rating=4)
    queue = rating_queue(rater=personas["other_rater"].user, limit=100)
    assert queue[-1]["target_id"] == str(older.pk) or queue[0]["feedback_count"] == 0
    assert [i["feedback_count"] for i in queue] == sorted(i["feedback_count"] for i in queue)
    assert all(i["uncertainty"] is None for i in queue)


def test_with_a_model_the_most_uncertain_come_first(personas, tmp_path):
    for _ in range(3):
        finished(hobby_type="SKILL_PRACTICE")
    model = RewardModel.objects.create(name="default", version=1, source="feedback", status="ready", path=str(tmp_path))
    insights = list(Insight.objects.order_by("pk"))
    for index, insight in enumerate(insights):
        RewardScore.objects.create(
            model=model,
            target_type="insight",
            target_id=str(insight.pk),
            mean=0.0,
            std=0.1 * (index + 1) if index != 1 else 5.0,
        )
    queue = rating_queue(target_type="insight", limit=len(insights))
    assert queue[0]["target_id"] == str(insights[1].pk) and queue[0]["uncertainty"] == 5.0
    assert [i["uncertainty"] for i in queue] == sorted((i["uncertainty"] for i in queue), reverse=True)


def test_pending_keeps_the_originals_shape(personas, activity):
    response = personas["rater"].client().get("/hobby/feedback/pending?target_type=activity&limit=5")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["pending_items"]) == 1
    assert set(body["pending_items"][0]) >= {"target_type", "target_id", "feedback_count", "status"}
    assert personas["rater"].client().get("/hobby/feedback/pending?target_type=memory").status_code == 400
    assert personas["rater"].client().get("/hobby/feedback/pending?limit=0").status_code == 400
