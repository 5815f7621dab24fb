"""The pattern learner: weights from the initial weight and the whole feedback history, idempotent, learning
patterns it has never seen, and shown as the confidence of insights."""

from __future__ import annotations

import pytest

from hobbies.models import Insight
from learning.feedback.patterns import learned_weight, pattern_confidence, pattern_weights_update
from learning.feedback.ratings import feedback_submit
from learning.models import PatternWeight

pytestmark = pytest.mark.django_db


def test_the_originals_deltas_after_three_samples_clamped():
    assert learned_weight(0.5, {"approved": 2}) == 0.5  # below three samples: the initial weight
    assert learned_weight(0.5, {"approved": 3}) == pytest.approx(0.6)
    assert learned_weight(0.5, {"approved": 2, "rejected": 1, "edited": 1}) == pytest.approx(
        0.5 + (0.2 - 0.2 - 0.05) / 4
    )
    assert learned_weight(0.2, {"reverted": 5}) == 0.1
    assert learned_weight(0.95, {"approved": 9}) == 1.0


def _insight(activity, kind: str) -> Insight:
    return Insight.objects.create(activity=activity, skill="addition", kind=kind, text=f"{kind} seen", share=0.5)


def test_weights_come_from_feedback_and_updating_again_changes_nothing(personas, activity):
    insights = [_insight(activity, "a_brand_new_kind") for _ in range(4)]
    judgements = [
        ("rater", 0, {"rating": 5}),
        ("other_rater", 0, {"helpful": True}),
        ("rater", 1, {"rating": 1}),
        ("rater", 2, {"rating": 4, "suggestion": "say which digits"}),
        ("operator", 3, {"rating": 5}),
    ]
    for name, index, facets in judgements:
        feedback_submit(rater=personas[name].user, target_type="insight", target_id=str(insights[index].pk), **facets)
    row = PatternWeight.objects.get(pattern_type="a_brand_new_kind")  # unknown before: learned all the same
    assert (row.approved_count, row.rejected_count, row.edited_count, row.reverted_count) == (3, 1, 1, 0)
    expected = 0.5 + (3 * 0.1 - 0.2 - 0.05) / 5
    assert row.current_weight == pytest.approx(expected)
    pattern_weights_update()
    pattern_weights_update()
    row.refresh_from_db()
    assert row.current_weight == pytest.approx(expected)  # the original drifted a step on every call


def test_an_approval_turned_rejection_is_a_reversal(personas, activity):
    insight = _insight(activity, "reordered")
    rater = personas["rater"].user
    feedback_submit(rater=rater, target_type="insight", target_id=str(insight.pk), rating=5)
    feedback_submit(rater=rater, target_type="insight", target_id=str(insight.pk), rating=1)
    row = PatternWeight.objects.get(pattern_type="reordered")
    assert (row.approved_count, row.reverted_count, row.total_samples) == (0, 1, 1)


def test_the_weight_is_the_confidence_shown_on_insights(personas, activity):
    insights = [_insight(activity, "case_only") for _ in range(3)]
    assert pattern_confidence({"case_only"}) == {"case_only": 0.5}
    for insight in insights:
        feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=1)
    assert pattern_confidence({"case_only"}) == {"case_only": pytest.approx(0.3)}
    shown = personas["viewer"].client().get("/hobby/insights").json()["insights"]
    confidence = {i["insight"]: i["confidence"] for i in shown}
    assert confidence["case_only seen"] == pytest.approx(0.3)


def test_running_counts_match_a_recount_after_many_changes_of_mind(personas, activity):
    # Each rating moves one sample between counts (no recount on the hot path); the full recount must agree.
    import random

    rng = random.Random(5)
    insights = [_insight(activity, kind) for kind in ("off_by_one", "reordered") for _ in range(3)]
    raters = [personas[name].user for name in ("rater", "other_rater", "operator")]
    choices = [
        {"rating": 5},
        {"rating": 1},
        {"rating": 3},
        {"helpful": True},
        {"helpful": False},
        {"suggestion": "name the digit"},
        {"suggestion": ""},
        {"helpful": None, "rating": None},
    ]
    for _ in range(80):
        insight = rng.choice(insights)
        feedback_submit(
            rater=rng.choice(raters), target_type="insight", target_id=str(insight.pk), **rng.choice(choices)
        )
    fields = ("current_weight", "total_samples", "approved_count", "rejected_count", "edited_count", "reverted_count")
    running = {row.pattern_type: [getattr(row, f) for f in fields] for row in PatternWeight.objects.all()}
    assert sum(values[1] for values in running.values()) > 0
    pattern_weights_update()
    recounted = {
        row.pattern_type: [getattr(row, f) for f in fields]
        for row in PatternWeight.objects.filter(pattern_type__in=running)
    }
    assert running == recounted


def test_a_rating_does_not_recount_the_history(personas, activity, django_assert_max_num_queries):
    insights = [_insight(activity, "off_by_one") for _ in range(30)]
    for insight in insights[:-1]:
        feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=4)
    with django_assert_max_num_queries(13) as captured:
        feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insights[-1].pk), rating=2)
    feedback_reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "learning_feedback"' in q["sql"]
    ]
    assert len(feedback_reads) == 1  # the rater's own row; no reading of the kind's other ratings


def test_the_admin_recount_repairs_counts_that_drifted(personas, activity, client):
    from core.services import role_user_ensure

    insights = [_insight(activity, "reordered") for _ in range(3)]
    for insight in insights:
        feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=5)
    row = PatternWeight.objects.get(pattern_type="reordered")
    PatternWeight.objects.filter(pk=row.pk).update(approved_count=0, rejected_count=7, current_weight=0.1)
    role_user_ensure(username="boss", role="operator", password="a-long-test-password-1")
    client.login(username="boss", password="a-long-test-password-1")
    page = client.post(
        "/admin/learning/patternweight/", {"action": "recount", "_selected_action": [row.pk]}, follow=True
    )
    assert page.status_code == 200 and b"Recounted 1 pattern weights" in page.content
    row.refresh_from_db()
    assert (row.approved_count, row.rejected_count, row.current_weight) == (3, 0, pytest.approx(0.6))
