"""Feedback on insights, patterns and activities: one judgement per rater and item, the originals' reward
formula kept incrementally, and bad input refused with nothing stored."""

from __future__ import annotations

import pytest

from learning.feedback.ratings import feedback_submit, reward_formula
from learning.models import Feedback, RewardSignal

pytestmark = pytest.mark.django_db


def post(persona, body, path="/api/v1/feedback/"):
    return persona.client().post(path, body, format="json")


def signal_of(insight) -> RewardSignal:
    return RewardSignal.objects.get(target_type="insight", target_id=str(insight.pk))


def test_the_reward_follows_the_originals_formula():
    signal = RewardSignal(rating_count=2, rating_sum=9, vote_count=4, helpful_count=3, long_comment_count=1)
    reward, confidence = reward_formula(signal)
    # ratings (4.5 - 3) / 2 = 0.75, votes (0.75 - 0.5) * 2 = 0.5, a long comment 0.2: clamped to 1
    assert reward == 1.0
    assert confidence == pytest.approx(0.3 * 2 / 5 + 0.4 * 4 / 10 + 0.3 * 1 / 3)
    assert reward_formula(RewardSignal(rating_count=1, rating_sum=1)) == (-1.0, pytest.approx(0.06))
    assert reward_formula(RewardSignal()) == (0.0, 0.0)


def test_a_rater_changes_their_judgement_instead_of_adding_one(personas, insight):
    rater = personas["rater"]
    first = post(rater, {"target_type": "insight", "target_id": str(insight.pk), "rating": 5})
    assert first.status_code == 201, first.content
    assert first.json()["reward_signal"]["reward_score"] == 1.0
    again = post(rater, {"target_type": "insight", "target_id": str(insight.pk), "rating": 2})
    assert again.status_code == 200
    assert Feedback.objects.count() == 1
    signal = signal_of(insight)
    assert (signal.rating_count, signal.rating_sum, signal.feedback_count) == (1, 2, 1)
    assert signal.reward_score == pytest.approx(-0.5)
    assert again.json()["feedback"]["user_id"] == "rater"


def test_running_sums_equal_a_recount_after_many_changes(personas, insight):
    raters = [personas[name].user for name in ("rater", "other_rater", "operator")]
    changes = [
        (0, 5, True, ""),
        (1, 1, False, "x" * 30),
        (0, 3, None, "short"),
        (2, 4, True, "y" * 25),
        (1, 2, None, ""),
        (0, 4, False, "z" * 40),
    ]
    for who, rating, helpful, comment in changes:
        feedback_submit(
            rater=raters[who],
            target_type="insight",
            target_id=str(insight.pk),
            rating=rating,
            helpful=helpful,
            comment=comment,
        )
    signal = signal_of(insight)
    rows = list(Feedback.objects.filter(target_type="insight", target_id=str(insight.pk)))
    assert signal.feedback_count == len(rows) == 3
    assert signal.rating_sum == sum(r.rating for r in rows) == 4 + 2 + 4
    assert signal.vote_count == sum(r.helpful is not None for r in rows) == 2
    assert signal.helpful_count == 1
    assert signal.long_comment_count == 2
    assert (signal.reward_score, signal.confidence) == reward_formula(signal)


def test_the_rater_is_the_authenticated_user_never_a_claimed_id(personas, insight):
    response = post(
        personas["rater"],
        {
            "target_type": "insight",
            "target_id": str(insight.pk),
            "feedback_type": "rating",
            "rating": 4,
            "user_id": "someone_else",
        },
        path="/hobby/feedback",
    )
    assert response.status_code == 200, response.content
    assert response.json()["feedback"]["user_id"] == "rater"
    assert Feedback.objects.get().rater == personas["rater"].user


def test_feedback_on_a_missing_item_is_404_and_stores_nothing(personas, activity):
    for target_type, target_id in (
        ("insight", "999999"),
        ("pattern", "424242"),
        ("activity", "nope"),
        ("insight", "not-a-number"),
    ):
        response = post(personas["rater"], {"target_type": target_type, "target_id": target_id, "rating": 3})
        assert response.status_code == 404, (target_type, response.content)
        assert response.json()["error"]["code"] == "not_found"
    assert not Feedback.objects.exists() and not RewardSignal.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"rating": 7}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"target_type": "memory", "rating": 3}, "target_type"),
        ({"feedback_type": "love", "rating": 3}, "feedback_type"),
        ({"feedback_type": "rating"}, "rating"),
        ({"feedback_type": "comment", "comment": "  "}, "comment"),
        ({"feedback_type": "helpful", "helpful": False}, "helpful"),
    ],
)
def test_bad_legacy_input_is_400_naming_the_field_and_stores_nothing(personas, insight, body, field):
    payload = {"target_type": "insight", "target_id": str(insight.pk), "feedback_type": "rating", **body}
    response = post(personas["rater"], payload, path="/hobby/feedback")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert field in response.json()["error"]["message"]
    assert not Feedback.objects.exists() and not RewardSignal.objects.exists()


def test_the_api_refuses_unknown_fields_and_empty_submissions(personas, insight):
    base = {"target_type": "insight", "target_id": str(insight.pk)}
    assert post(personas["rater"], {**base, "ratng": 4}).status_code == 400
    empty = post(personas["rater"], base)
    assert empty.status_code == 400 and "rating" in empty.json()["error"]["details"]
    assert not Feedback.objects.exists()


def test_legacy_kinds_fill_their_facet(personas, activity, insight):
    rater, target = personas["rater"], {"target_type": "activity", "target_id": activity.activity_id}
    for body in (
        {"feedback_type": "rating", "rating": 4},
        {"feedback_type": "not_helpful"},
        {"feedback_type": "comment", "comment": "clear and useful summary of the run"},
        {"feedback_type": "suggestion", "comment": "practise more carries"},
    ):
        response = post(rater, {**target, **body}, path="/hobby/feedback")
        assert response.status_code == 200, response.content
        shape = response.json()
        assert shape["status"] == "submitted"
        assert set(shape["feedback"]) >= {
            "feedback_id",
            "target_type",
            "target_id",
            "feedback_type",
            "rating",
            "comment",
            "helpful",
            "metadata",
            "created_at",
            "user_id",
        }
        assert shape["feedback"]["feedback_type"] == body["feedback_type"]
    row = Feedback.objects.get()
    assert (row.rating, row.helpful, row.comment, row.suggestion) == (
        4,
        False,
        "clear and useful summary of the run",
        "practise more carries",
    )
    assert shape["feedback"]["comment"] == "practise more carries"
    signal = RewardSignal.objects.get(target_type="activity")
    # rating 4: +0.5; one vote, not helpful: -1; two long texts: +0.2
    assert signal.reward_score == pytest.approx(-0.3)


def test_stats_and_quality_keep_the_originals_shapes(personas, activity, insight):
    feedback_submit(
        rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=5, helpful=True
    )
    feedback_submit(rater=personas["rater"].user, target_type="activity", target_id=activity.activity_id, rating=1)
    client = personas["rater"].client()
    quality = client.get("/hobby/feedback/quality").json()
    assert quality == {
        "average_reward": 0.0,
        "high_quality_count": 1,
        "low_quality_count": 1,
        "total_signals": 2,
        "high_quality_ratio": 0.5,
    }
    stats = client.get("/hobby/feedback/stats").json()
    assert stats["total_feedbacks"] == 3
    assert stats["by_feedback_type"] == {"rating": 2, "comment": 0, "helpful": 1, "not_helpful": 0, "suggestion": 0}
    assert stats["total_reward_signals"] == 2 and stats["average_rating"] == 3.0
    assert stats["quality_metrics"] == quality
    assert client.get("/api/v1/feedback/quality").json() == quality


def test_quality_trends_show_each_day(personas, insight):
    feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=5)
    trends = personas["rater"].client().get("/hobby/quality/trends?days=7").json()
    assert trends["days"] == 7
    (today,) = trends["trends"]
    assert today["feedbacks"] == 1 and today["average_rating"] == 5.0
    assert today["insights_judged"] == 1 and today["average_insight_reward"] == 1.0 and today["high_quality"] == 1
    assert personas["rater"].client().get("/hobby/quality/trends?days=0").status_code == 400


def test_raters_see_their_own_feedback_operators_everyones(personas, insight):
    for name in ("rater", "other_rater"):
        feedback_submit(rater=personas[name].user, target_type="insight", target_id=str(insight.pk), rating=3)
    mine = personas["rater"].client().get("/api/v1/feedback/").json()
    assert [f["user_id"] for f in mine["feedback"]] == ["rater"]
    assert personas["operator"].client().get("/api/v1/feedback/").json()["count"] == 2
    assert personas["viewer"].client().get("/api/v1/feedback/").json()["count"] == 2
